#!/bin/bash
# test_roundtrip.sh — keygen and pubkey, then encrypt/decrypt round trips:
# every kind of recipient (native -r, -R files with comments, RSA PEM,
# mixtures, passphrases with scrypt and PBKDF2), armor and binary, files,
# pipes and '-', sizes around the 16 KiB chunk boundary, and the default
# identity ($XDG_CONFIG_HOME, ~/.config, $SHROUD_IDENTITY).
. "$(dirname "$0")/lib.sh" "$@"

printf 'SHROUD\0\1' >magic.bin

# roundtrip DESC IO PLAINTEXT ENCRYPT_ARGS... -- DECRYPT_ARGS...
# IO is how the data travels: files (IN and -o OUT), pipes (stdin and
# stdout) or dash ('-' and -o -). Encrypts PLAINTEXT to ./ct, checks its form
# (armor with -a, else the binary magic), decrypts to ./pt and compares.
roundtrip() {
    local desc=$1 io=$2 plain=$3
    shift 3
    local enc=() armor=0
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        [ "$1" = -a ] && armor=1
        enc+=("$1")
        shift
    done
    shift
    local dec=("$@")
    desc="$desc [$io, $(file_size "$plain") bytes]"
    rm -f ct pt
    case $io in
    files) run shroud encrypt "${enc[@]}" -o ct "$plain" && run shroud decrypt "${dec[@]}" -o pt ct ;;
    pipes) run shroud encrypt "${enc[@]}" <"$plain" && mv "$OUT" ct &&
        run shroud decrypt "${dec[@]}" <ct && mv "$OUT" pt ;;
    dash) run shroud encrypt "${enc[@]}" -o - - <"$plain" && mv "$OUT" ct &&
        run shroud decrypt "${dec[@]}" -o - - <ct && mv "$OUT" pt ;;
    esac
    if [ $? -ne 0 ]; then
        verdict 1 "$desc" "exit status $RC" "$(stderr_excerpt)"
    elif [ $armor = 1 ] && [ "$(head -n 1 ct)" != "-----BEGIN SHROUD MESSAGE-----" ]; then
        verdict 1 "$desc" "no armor header line"
    elif [ $armor = 0 ] && ! cmp -s -n 8 ct magic.bin; then
        verdict 1 "$desc" "binary ciphertext does not start with the magic"
    else
        cmp -s pt "$plain"
        verdict $? "$desc" "decrypted bytes differ from the plaintext"
    fi
}

# ---- identities --------------------------------------------------------------

passphrase_file pass.txt "correct horse battery staple"
for name in alice bob carol; do new_identity "$name"; done
new_identity rsa --rsa 2048
new_identity locked --protect --passphrase-file pass.txt --scrypt-log-n 10

for name in alice bob carol locked; do
    check "$name.pub is one shroudpk1 line" grep -Exq 'shroudpk1[02-9ac-hj-np-z]+' "$name.pub"
done
check "rsa.pub is a PEM public key" grep -qx -- '-----BEGIN PUBLIC KEY-----' rsa.pub
check "rsa.id is a PKCS#8 private key" grep -qx -- '-----BEGIN PRIVATE KEY-----' rsa.id
check "locked.id is an armored envelope" grep -qx -- '-----BEGIN SHROUD MESSAGE-----' locked.id
check "locked.id holds no clear secret key" bash -c '! grep -q SHROUD-SECRET-KEY locked.id'
for name in alice bob carol rsa locked; do
    assert_mode "identity $name.id is mode 0600" "$name.id" 600
    expect_ok "pubkey -i $name.id" shroud pubkey -i "$name.id" --passphrase-file pass.txt &&
        assert_same_file "pubkey of $name equals what keygen printed" "$OUT" "$name.pub"
done
expect_ok "keygen -o - writes the identity to stdout" shroud keygen -o - &&
    check "... and it is an identity" grep -q '^SHROUD-SECRET-KEY-1' "$OUT" &&
    check "... with the public key on stderr" grep -q '^Public key: shroudpk1' "$ERR"

# A recipients file: comments, blank lines, indentation, CRLF and a PEM block.
{
    echo "# the team"
    echo
    cat alice.pub
    printf '   %s\t\r\n' "$(cat bob.pub)"
    echo "  # the RSA key"
    cat rsa.pub
} >team.txt

# ---- sizes x armor x input/output forms ------------------------------------

for size in 0 1 16384 16385 1048576; do
    random_file "p$size" "$size"
    for io in files pipes dash; do
        roundtrip "native -r, binary" "$io" "p$size" -r "$(cat alice.pub)" -- -i alice.id
        roundtrip "-R team file, armor" "$io" "p$size" -a -R team.txt -- -i bob.id
    done
    # One X25519 stanza: 180 bytes of header and salt, and 16 per chunk,
    # the last chunk always shorter than 16384 bytes (so maybe empty).
    shroud encrypt -r "$(cat alice.pub)" -o "sized$size" "p$size"
    assert_eq "ciphertext of $size bytes has the documented size" \
        "$(file_size "sized$size")" $((180 + size + 16 * (size / 16384 + 1)))
done

# ---- kinds of recipients ---------------------------------------------------

P=p16385
roundtrip "-R team, decrypted by alice" files $P -R team.txt -- -i alice.id
roundtrip "-R team, decrypted by RSA" pipes $P -R team.txt -- -i rsa.id
roundtrip "-R PEM public key" dash $P -R rsa.pub -- -i rsa.id
roundtrip "-r with PEM text" files $P -a -r "$(cat rsa.pub)" -- -i rsa.id
roundtrip "mixture -r/-R, by carol" files $P -r "$(cat carol.pub)" -R rsa.pub -R team.txt -- -i carol.id
roundtrip "mixture -r/-R, by RSA" pipes $P -a -R rsa.pub -r "$(cat carol.pub)" -- -i rsa.id
roundtrip "several -i, the last one matches" files $P -r "$(cat carol.pub)" -- -i alice.id -i rsa.id -i carol.id
roundtrip "protected identity" dash $P -r "$(cat locked.pub)" -- -i locked.id --passphrase-file pass.txt

# ---- passphrases -----------------------------------------------------------

SCRYPT=(--passphrase-file pass.txt --scrypt-log-n 10)
roundtrip "-p scrypt, binary" files $P -p "${SCRYPT[@]}" -- --passphrase-file pass.txt
roundtrip "-p scrypt, armor" pipes p0 -p -a "${SCRYPT[@]}" -- --passphrase-file pass.txt
roundtrip "--passphrase-file alone implies -p" dash p1 "${SCRYPT[@]}" -- --passphrase-file pass.txt
roundtrip "-p pbkdf2, binary" files $P -p --kdf pbkdf2 --passphrase-file pass.txt -- --passphrase-file pass.txt
roundtrip "-p pbkdf2, armor" pipes p1 -p -a --kdf pbkdf2 --pbkdf2-iterations 600001 \
    --passphrase-file pass.txt -- --passphrase-file pass.txt
printf 'correct horse battery staple\r\nsecond line ignored\n' >pass-crlf.txt
roundtrip "passphrase file: first line, CRLF" files p1 -p "${SCRYPT[@]}" -- --passphrase-file pass-crlf.txt

# ---- output files ------------------------------------------------------------

shroud encrypt -r "$(cat alice.pub)" -o modes.ct p1 && shroud decrypt -i alice.id -o modes.pt modes.ct
assert_mode "encrypt -o creates 0644 (umask 022)" modes.ct 644
assert_mode "decrypt -o creates 0600" modes.pt 600

# ---- the default identity ----------------------------------------------------

DEFAULT=$XDG_CONFIG_HOME/shroud/identity
expect_ok "keygen without -o" shroud keygen && cp "$OUT" default.pub
check "... writes \$XDG_CONFIG_HOME/shroud/identity" test -f "$DEFAULT"
assert_mode "... mode 0600" "$DEFAULT" 600
assert_mode "... in a private directory" "$(dirname "$DEFAULT")" 700
expect_ok "pubkey without -i" shroud pubkey && assert_same_file "... reads it" "$OUT" default.pub
roundtrip "decrypt without -i uses the default identity" files $P -r "$(cat default.pub)" --
roundtrip "... also from stdin" pipes p1 -a -r "$(cat default.pub)" --
SHROUD_IDENTITY=$WORK/alice.id roundtrip "\$SHROUD_IDENTITY overrides it" files $P -r "$(cat alice.pub)" --
SHROUD_IDENTITY=$WORK/env.id expect_ok "keygen writes \$SHROUD_IDENTITY" shroud keygen &&
    check "... there" test -f env.id
XDG_CONFIG_HOME="" expect_ok "keygen without XDG_CONFIG_HOME" shroud keygen &&
    check "... writes ~/.config/shroud/identity" test -f "$HOME/.config/shroud/identity"

finish
