#!/bin/bash
# test_errors.sh — every failure exits 1 (the operation failed) or 2 (wrong
# usage), says why in one line on stderr, and leaves no output file (nor a
# temporary one) behind: wrong keys and passphrases, tampered, truncated,
# extended and foreign input, bad identities and recipients, existing
# outputs, unreadable inputs, interruption, ciphertext to a terminal.
. "$(dirname "$0")/lib.sh" "$@"

# Every failing command writes to out/result: out/ must stay empty.
mkdir out adir

# refused CODE WORD DESC CMD...: expect_fail, and nothing appears in out/.
refused() {
    expect_fail "$@"
    assert_empty_dir out "... and leaves nothing in out/"
}

# bad_message WORD DESC FILE [DECRYPT_ARGS...]: decrypting FILE (by default
# with alice's key, to whom the messages below are encrypted) is refused.
bad_message() {
    local word=$1 desc=$2 file=$3
    shift 3
    [ $# -gt 0 ] || set -- -i alice.id
    refused 1 "$word" "$desc" shroud decrypt "$@" -o out/result "$file"
}

# typo TEXT POS: TEXT with the bech32 character at POS replaced by another.
typo() {
    local alphabet=qpzry9x8gf2tvdw0s3jn54khce6mua7l c=${1:$2:1} rest
    rest=${alphabet#*"${c,,}"}
    local next=${rest:0:1}
    next=${next:-q}
    [[ $c == [A-Z] ]] && next=${next^^}
    printf '%s%s%s' "${1:0:$2}" "$next" "${1:$2+1}"
}

passphrase_file pass.txt "right passphrase"
passphrase_file wrong.txt "wrong passphrase"
new_identity alice
new_identity bob
new_identity rsa --rsa 2048
new_identity locked --protect --passphrase-file pass.txt --scrypt-log-n 10
A=$(cat alice.pub)
random_file plain 40000 # three chunks: 16384 + 16384 + 7232
shroud encrypt -r "$A" -o msg plain
shroud encrypt -a -r "$A" -o msg.asc plain
shroud encrypt -p --passphrase-file pass.txt --scrypt-log-n 10 -o pmsg plain

# ---- keys and passphrases ----------------------------------------------------

bad_message "wrong key|cannot decrypt" "wrong native key" msg -i bob.id
bad_message "wrong key|cannot decrypt" "wrong RSA key" msg -i rsa.id
bad_message "wrong key|cannot decrypt" "two wrong keys" msg -i rsa.id -i bob.id
bad_message "wrong passphrase" "wrong passphrase" pmsg --passphrase-file wrong.txt
refused 1 "passphrase" "passphrase message, no passphrase, no terminal" \
    no_tty shroud decrypt -o out/result pmsg
refused 1 "passphrase" "passphrase message, only an identity, no terminal" \
    no_tty shroud decrypt -i alice.id -o out/result pmsg
refused 1 "-i|identity" "public-key message, no identity at all" shroud decrypt -o out/result msg
refused 1 "passphrase" "decrypt -p without a terminal" no_tty shroud decrypt -p -o out/result pmsg
bad_message "-i|public key" "decrypt -p of a public-key message" msg -p --passphrase-file pass.txt
bad_message "passphrase file.*no such file" "decrypt: missing passphrase file" pmsg --passphrase-file missing.txt
refused 1 "passphrase file.*no such file" "encrypt: missing passphrase file" \
    shroud encrypt --passphrase-file missing.txt -o out/result plain
refused 1 "passphrase file.*no such file" "keygen: missing passphrase file" \
    shroud keygen --protect --passphrase-file missing.txt -o out/result
refused 1 "empty" "empty passphrase file" \
    shroud encrypt --passphrase-file /dev/null --scrypt-log-n 10 -o out/result plain
refused 1 "terminal|passphrase-file" "encrypt -p without a terminal" \
    no_tty shroud encrypt -p -o out/result plain

# ---- damaged messages ----------------------------------------------------------
# Binary layout for one X25519 recipient: magic 0-7, stanza count 8, type 9,
# length 10-11, body 12-91, header MAC 92-123, payload salt 124-147,
# commitment 148-179, then chunks of 16400 bytes (the last one shorter).

# tampered OFFSET WORD WHAT: msg with the byte at OFFSET flipped is refused.
tampered() {
    cp msg t.msg
    flip_byte t.msg "$1"
    bad_message "$2" "tampered byte $1 ($3)" t.msg
}
SIZE=$(file_size msg)
tampered 3 "not a shroud" "magic"
tampered 8 "header|modified" "stanza count"
tampered 9 "cannot decrypt|header|modified" "stanza type"
tampered 11 "header|modified" "stanza length"
tampered 20 "a wrong key, or a damaged header|modified" "stanza body"
tampered 100 "modified" "header MAC"
tampered 130 "modified" "payload salt"
tampered 170 "modified" "payload commitment"
tampered 200 "modified" "first chunk"
tampered 16600 "modified" "second chunk"
tampered $((SIZE - 1)) "modified" "last chunk's tag"

cp msg t.msg
set_byte t.msg 7 2
bad_message "version" "unsupported version (magic byte 7 = 2)" t.msg
{ head -c 180 msg; tail -c +16581 msg | head -c 16400; tail -c +181 msg | head -c 16400; tail -c +32981 msg; } >t.msg
bad_message "modified" "chunks 0 and 1 swapped" t.msg

# cut LENGTH WORD WHAT: msg cut to its first LENGTH bytes is refused.
cut_to() {
    head -c "$1" msg >t.msg
    bad_message "$2" "truncated to $1 bytes ($3)" t.msg
}
cut_to 7 "truncated|not a shroud" "inside the magic"
cut_to 50 "truncated" "inside the header"
cut_to 150 "truncated" "inside the payload prefix"
cut_to 16580 "truncated" "at a chunk boundary"
cut_to 20000 "truncated|modified" "inside a chunk"
cut_to $((SIZE - 1)) "truncated|modified" "one byte short"
head -n -1 msg.asc >t.asc
bad_message "truncated" "armor without its END line" t.asc

{ cat msg; printf x; } >t.msg
bad_message "modified|after the end" "one byte appended" t.msg
{ cat msg; head -c 16400 /dev/urandom; } >t.msg
bad_message "modified|after the end" "a whole chunk appended" t.msg
{ cat msg.asc; echo "more text"; } >t.asc
bad_message "after the end" "text after the armor" t.asc
sed '3s/^./!/' msg.asc >t.asc
bad_message "armor" "a bad base64 character in the armor" t.asc

random_file t.msg 1000
bad_message "not a shroud|armor" "random bytes" t.msg # armor when they start with - or blank
echo "hello, world" >t.msg
bad_message "not a shroud" "a text file" t.msg
: >t.msg
bad_message "not a shroud|empty|truncated" "an empty file" t.msg
refused 1 "not a shroud|empty|truncated" "empty standard input" \
    shroud decrypt -i alice.id -o out/result </dev/null

# ---- identities ----------------------------------------------------------------

bad_message "no such file" "missing identity" msg -i missing.id
bad_message "directory" "a directory as identity" msg -i adir
if [ "$(id -u)" -ne 0 ]; then
    cp alice.id unreadable.id
    chmod 000 unreadable.id
    bad_message "permission" "unreadable identity" msg -i unreadable.id
else
    skip "unreadable identity: running as root, which reads any file (missing and directory identities checked instead)"
fi
cp alice.pub pub-as-id
chmod 600 pub-as-id
bad_message "public key" "a native public key as identity" msg -i pub-as-id
cp rsa.pub rsapub-as-id
chmod 600 rsapub-as-id
bad_message "public key" "an RSA public key as identity" msg -i rsapub-as-id
cp alice.pub pub-as-id-0644
bad_message "public key" "a world-readable public key as identity" msg -i pub-as-id-0644
secret=$(grep '^SHROUD-SECRET-KEY' alice.id)
typo "$secret" 30 >typo.id
chmod 600 typo.id
bad_message "typo|checksum" "identity with a typo" msg -i typo.id
bad_message "wrong passphrase" "protected identity, wrong passphrase" msg \
    -i locked.id --passphrase-file wrong.txt
refused 1 "passphrase" "protected identity, no terminal" no_tty shroud decrypt -i locked.id -o out/result msg
refused 1 "passphrase" "pubkey of a protected identity, no terminal" no_tty shroud pubkey -i locked.id
chmod 644 bob.id
expect_ok "a world-readable identity still works" shroud decrypt -i bob.id -o - pmsg --passphrase-file pass.txt
check "... with a warning to chmod 600" grep -q "warning.*chmod 600" "$ERR"

# ---- recipients ----------------------------------------------------------------

encrypt_refused() { # CODE WORD DESC ENCRYPT_ARGS...
    local code=$1 word=$2 desc=$3
    shift 3
    refused "$code" "$word" "$desc" shroud encrypt "$@" -o out/result plain
}
encrypt_refused 2 "typo|checksum" "public key with a typo" -r "$(typo "$A" 20)"
encrypt_refused 2 "typo|checksum|truncated|malformed" "public key missing its last character" -r "${A%?}"
encrypt_refused 2 "recipient|key" "not a key at all" -r "alice"
encrypt_refused 2 "-R alice.pub" "-r with a file name suggests -R" -r alice.pub
encrypt_refused 1 "no such file" "-R missing file" -R missing.pub
printf '# nothing here\n\n' >comments.txt
encrypt_refused 1 "no public key" "-R file with only comments" -R comments.txt
{ cat alice.pub; echo "shroudpk1notakey"; } >bad-line.txt
encrypt_refused 1 "bad-line.txt:2" "-R file with a bad line names it" -R bad-line.txt
head -n 3 rsa.pub >half.pub
encrypt_refused 1 "END" "-R PEM block without its END line" -R half.pub
encrypt_refused 1 "secret|kind" "-R with an identity instead of a public key" -R alice.id

# ---- usage -----------------------------------------------------------------

encrypt_refused 2 "passphrase" "-p with -r" -p -r "$A"
encrypt_refused 2 "passphrase" "--passphrase-file with -R" --passphrase-file pass.txt -R alice.pub
encrypt_refused 2 "-r|-p" "no recipient" -a
encrypt_refused 2 "scrypt|pbkdf2" "--kdf unknown" -p --kdf argon2
encrypt_refused 2 "10" "--scrypt-log-n 9" -p --scrypt-log-n 9
encrypt_refused 2 "600000" "--pbkdf2-iterations below 600000" -p --kdf pbkdf2 --pbkdf2-iterations 1000
encrypt_refused 2 "-p" "--scrypt-log-n with -r" -r "$A" --scrypt-log-n 12
encrypt_refused 2 "one input" "two inputs" -r "$A" plain
encrypt_refused 2 "--bogus" "unknown option" -r "$A" --bogus
refused 2 "argument|-r" "option without its argument" shroud encrypt plain -r
refused 2 "unknown command" "unknown command" shroud frobnicate
refused 2 "FILE" "sign without a file" shroud sign -i alice.id
refused 2 "-k" "verify without a key" shroud verify plain
refused 2 "2048" "keygen --rsa 1024" shroud keygen --rsa 1024 -o out/result
refused 2 "--protect" "keygen --passphrase-file without --protect" \
    shroud keygen --passphrase-file pass.txt -o out/result

# ---- existing outputs ----------------------------------------------------------

# exists_then_force DESC CMD...: CMD writes exist.txt; without --force it
# fails and leaves the file as it was, with --force it replaces it.
exists_then_force() {
    local desc=$1
    shift
    echo "precious" >exist.txt
    cp exist.txt exist.orig
    expect_fail 1 "already exists" "$desc: refused when the output exists" "$@"
    assert_same_file "... the existing file is untouched" exist.txt exist.orig
    check "... and no temporary file is left" test -z "$(leftovers exist.txt | grep -v '^exist.txt$')"
    expect_ok "$desc --force replaces it" "$@" --force &&
        check "... with new content" bash -c '! cmp -s exist.txt exist.orig'
}
exists_then_force "decrypt -o" shroud decrypt -i alice.id -o exist.txt msg
exists_then_force "encrypt -o" shroud encrypt -r "$A" -o exist.txt plain
exists_then_force "keygen -o" shroud keygen -o exist.txt
exists_then_force "sign -o" shroud sign -i alice.id -o exist.txt plain
refused 1 "cannot create|no such file" "output in a missing directory" \
    shroud decrypt -i alice.id -o missing-dir/result msg

# to_fifo DESC [DECRYPT_ARGS...]: decrypts a small message with -o FIFO,
# where a reader waits (this shell): the plaintext must come through the
# FIFO, and the FIFO must stay one (not be replaced by a regular file).
echo "a small plaintext" >small.txt
shroud encrypt -r "$A" -o small.msg small.txt
to_fifo() {
    local desc=$1 problems=()
    shift
    rm -f out.fifo
    mkfifo out.fifo
    exec 4<>out.fifo
    run shroud decrypt -i alice.id "$@" -o out.fifo small.msg || problems+=("exit status $RC: $(cat "$ERR")")
    dd bs=65536 count=1 iflag=nonblock <&4 >fifo.got 2>/dev/null
    exec 4>&-
    cmp -s fifo.got small.txt || problems+=("the plaintext did not come through the FIFO")
    [ -p out.fifo ] || problems+=("out.fifo was replaced by a regular file")
    [ ${#problems[@]} -eq 0 ]
    verdict $? "$desc" "${problems[@]}"
}
to_fifo "decrypt -o FIFO writes into it"
to_fifo "decrypt --force -o FIFO writes into it, does not replace it" --force

# ---- unreadable inputs -------------------------------------------------------

encrypt_input_refused() { # WORD DESC INPUT
    refused 1 "$1" "encrypt -o with $2: no output" shroud encrypt -r "$A" -o out/result "$3"
}
encrypt_input_refused "no such file" "a missing input" missing.txt
encrypt_input_refused "directory" "a directory as input" adir
encrypt_input_refused "cannot read" "a read error after the output was opened" /proc/self/mem
refused 1 "cannot read" "decrypt -o with a read error: no output" \
    shroud decrypt -i alice.id -o out/result /proc/self/mem
if [ "$(id -u)" -ne 0 ]; then
    cp plain unreadable.txt
    chmod 000 unreadable.txt
    encrypt_input_refused "permission" "an unreadable input" unreadable.txt
fi

# ---- interrupted -----------------------------------------------------------

# interrupted SIGNAL FEED CMD...: CMD reads the FIFO ./fifo, which gets the
# bytes of FEED and stays open, and writes out/result; killed by SIGNAL
# while its temporary output exists, it removes it.
interrupted() {
    local sig=$1 feed=$2 pid i
    shift 2
    rm -f fifo
    mkfifo fifo
    [ "$1" = shroud ] && set -- "$SHROUD" "${@:2}"
    "$@" 2>/dev/null &
    pid=$!
    exec 3>fifo
    cat "$feed" >&3
    for ((i = 0; i < 100; i++)); do
        [ -n "$(compgen -G 'out/.result.tmp-*')" ] && break
        sleep 0.1
    done
    sleep 0.3 # mid-stream; not in the instant between creating the file and tracking it
    kill -"$sig" $pid
    wait $pid
    local status=$?
    exec 3>&-
    assert_eq "shroud $2 killed by SIG$sig: the status says so" $status $((128 + $(kill -l "$sig")))
    assert_empty_dir out "... and its temporary output is gone"
}
head -c 20000 msg >msg.start
interrupted TERM plain shroud encrypt -r "$A" -o out/result fifo
interrupted HUP msg.start shroud decrypt -i alice.id -o out/result fifo

# ---- a terminal as output ----------------------------------------------------

if script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
    # on_tty CMD...: runs CMD with stdout and stderr on a pseudo-terminal.
    on_tty() { run script -qec "$(printf '%q ' "$SHROUD" "$@")" /dev/null </dev/null; }
    on_tty encrypt -r "$A" plain
    assert_eq "binary ciphertext to a terminal: exit status 1" "$RC" 1
    check "... with a message about the terminal" grep -q "^shroud: .*terminal" "$OUT"
    check "... and no binary output" bash -c "! grep -aq SHROUD '$OUT'"
    on_tty encrypt -a -r "$A" plain
    assert_eq "armored ciphertext to a terminal is fine" "$RC" 0
else
    skip "binary ciphertext to a terminal: 'script' cannot make a pseudo-terminal here"
fi

finish
