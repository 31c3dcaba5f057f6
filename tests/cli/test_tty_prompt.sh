#!/bin/bash
# test_tty_prompt.sh — passphrases typed on a terminal: encrypt -p asks twice
# without echo, a mismatch or an empty passphrase is refused, decrypt and
# protected identities (keygen --protect, pubkey, decrypt -i) ask once.
# pty_answer.py plays the person at the keyboard on a pseudo-terminal.
. "$(dirname "$0")/lib.sh" "$@"

if [ ! -x /usr/bin/python3 ]; then
    skip "no /usr/bin/python3 to drive the pseudo-terminal"
    # decrypt -p: the message's passphrase only, even with a protected default identity.
passphrase_file other.txt "another passphrase"
shroud encrypt --passphrase-file other.txt --scrypt-log-n 10 -o other.shroud in.txt
SHROUD_IDENTITY=$WORK/locked.id at_terminal "another passphrase" -- shroud decrypt -p -o other.out other.shroud
prompted "decrypt -p asks for the message's passphrase" 0 "Passphrase: "
check "... and not for the default identity's" bash -c "! grep -q 'for identity' '$OUT'"
assert_same_file "... and decrypts" other.out in.txt

finish
fi

PW="tty secret 4711"
echo "a line of plaintext" >in.txt

# at_terminal ANSWER... -- shroud ARGS...: runs shroud on a pseudo-terminal,
# typing each ANSWER at its prompt. The screen goes to $OUT, status to $RC.
at_terminal() {
    local answers=()
    while [ "$1" != -- ]; do
        answers+=("$1")
        shift
    done
    shift 2 # "--" and "shroud"
    run /usr/bin/python3 "$CLI_TESTS/pty_answer.py" "${answers[@]}" -- "$SHROUD" "$@"
}

# prompted DESC STATUS PROMPT...: the last at_terminal ended with STATUS,
# showed each PROMPT, and never showed the passphrase.
prompted() {
    local desc=$1 status=$2 prompt problems=()
    shift 2
    [ "$RC" -eq "$status" ] || problems+=("exit status $RC, expected $status")
    for prompt in "$@"; do
        grep -Fq -- "$prompt" "$OUT" || problems+=("no '$prompt' on the terminal")
    done
    ! grep -Fq -- "$PW" "$OUT" || problems+=("the passphrase was echoed")
    [ ${#problems[@]} -eq 0 ]
    verdict $? "$desc" "${problems[@]}" "terminal: $(head -c 600 "$OUT")"
}

at_terminal "$PW" "$PW" -- shroud encrypt -p --scrypt-log-n 10 -o msg.shroud in.txt
prompted "encrypt -p asks twice, without echo" 0 "Enter passphrase: " "Confirm passphrase: "
check "... and writes the message" test -s msg.shroud

at_terminal "$PW" -- shroud decrypt -o out.txt msg.shroud
prompted "decrypt asks once, without echo" 0 "Passphrase: "
assert_same_file "... and decrypts" out.txt in.txt

at_terminal "not it" -- shroud decrypt -o wrong.txt msg.shroud
prompted "decrypt with a wrong passphrase fails" 1 "Passphrase: " "wrong passphrase"
assert_no_file wrong.txt

at_terminal "$PW" "$PW." -- shroud encrypt -p --scrypt-log-n 10 -o mismatch.shroud in.txt
prompted "a mismatched confirmation is refused" 1 "Confirm passphrase: " "do not match"
assert_no_file mismatch.shroud

at_terminal "" -- shroud encrypt -p --scrypt-log-n 10 -o empty.shroud in.txt
prompted "an empty passphrase is refused" 1 "Enter passphrase: " "empty passphrase"
assert_no_file empty.shroud

at_terminal "$PW" "$PW" -- shroud encrypt -p --scrypt-log-n 10 -a in.txt
prompted "encrypt -p -a to the terminal asks, then shows the armor" 0 "Enter passphrase: " \
    "Confirm passphrase: " "-----BEGIN SHROUD MESSAGE-----"
sed -n '/-----BEGIN/,/-----END/p' "$OUT" >screen.asc
passphrase_file pass.txt "$PW"
expect_ok "... which decrypts, CRLF line ends and all" \
    shroud decrypt --passphrase-file pass.txt -o screen.txt screen.asc &&
    assert_same_file "... to the plaintext" screen.txt in.txt

at_terminal "$PW" "$PW" -- shroud keygen --protect --scrypt-log-n 10 -o locked.id
prompted "keygen --protect asks twice" 0 "Enter passphrase: " "Confirm passphrase: "
grep -o 'shroudpk1[0-9a-z]*' "$OUT" >locked.pub

at_terminal "$PW" -- shroud pubkey -i locked.id
prompted "pubkey of a protected identity asks for it" 0 "Passphrase for identity locked.id: "
check "... and prints the public key keygen printed" grep -Fq "$(cat locked.pub)" "$OUT"

shroud encrypt -r "$(cat locked.pub)" -o to-locked.shroud in.txt
at_terminal "$PW" -- shroud decrypt -i locked.id -o locked.txt to-locked.shroud
prompted "decrypt -i with a protected identity asks for it" 0 "Passphrase for identity locked.id: "
assert_same_file "... and decrypts" locked.txt in.txt

# decrypt -p: the message's passphrase only, even with a protected default identity.
passphrase_file other.txt "another passphrase"
shroud encrypt --passphrase-file other.txt --scrypt-log-n 10 -o other.shroud in.txt
SHROUD_IDENTITY=$WORK/locked.id at_terminal "another passphrase" -- shroud decrypt -p -o other.out other.shroud
prompted "decrypt -p asks for the message's passphrase" 0 "Passphrase: "
check "... and not for the default identity's" bash -c "! grep -q 'for identity' '$OUT'"
assert_same_file "... and decrypts" other.out in.txt

finish
