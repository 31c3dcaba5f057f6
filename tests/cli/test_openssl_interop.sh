#!/bin/bash
# test_openssl_interop.sh — RSA keys shared with the openssl command: keys
# made by openssl (PKCS#8, PKCS#1, encrypted; 2048, 3072 and 4096 bits) work
# as shroud identities and recipients, keys made by shroud read in openssl,
# 1024-bit keys are refused, and shroud's RSA-PSS signatures verify in
# openssl at the raw level (and openssl's in shroud).
. "$(dirname "$0")/lib.sh" "$@"

if ! command -v openssl >/dev/null; then
    skip "openssl is not installed"
    finish
fi

passphrase_file pass.txt "secret"
passphrase_file wrong.txt "not the secret"
random_file plain 50000

# ---- keys made by openssl ------------------------------------------------------

# openssl_key NAME BITS [GENPKEY_ARGS...]: NAME.pem, and its SPKI NAME.pub.
openssl_key() {
    local name=$1 bits=$2
    shift 2
    check "openssl genpkey: $name ($bits bits)" \
        openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out "$name.pem" "$@" &&
        openssl pkey -in "$name.pem" -passin file:pass.txt -pubout -out "$name.pub"
}

# Signature blocks: magic 0-7, alg 8, key id 9-16, length 17-18, signature.
# The signed message is M = "shroud/v1 signature" 0x00, context 0x01 (a
# detached file signature), alg, key id, SHA-256 of the file.
sig_bytes() { grep -v -- ----- "$1" | base64 -d; }
# hex: the bytes on stdin as hex digits; unhex: the reverse.
hex() { od -An -v -tx1 | tr -d ' \n'; }
unhex() { printf "$(sed 's/[0-9a-f][0-9a-f]/\\x&/g')"; }
signed_message() { # KEY_ID_HEX ALG_HEX FILE
    printf 'shroud/v1 signature\0\1'
    printf '%s%s' "$2" "$1" | unhex
    openssl dgst -sha256 -binary "$3"
}
key_id() { openssl pkey -pubin -in "$1" -outform DER | openssl dgst -sha256 -binary | head -c 8 | hex; }
PSS=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256)

# openssl_verifies NAME SIG: openssl checks the RSA-PSS signature inside
# shroud's signature SIG of plain, made with NAME's key.
openssl_verifies() {
    local name=$1 id
    id=$(key_id "$name.pub")
    sig_bytes "$2" >block.bin
    tail -c +20 block.bin >pss.bin
    assert_eq "$name: the block is PSS (alg 2) by key id sha256(SPKI)[0:8]" \
        "$(head -c 17 block.bin | tail -c 9 | hex)" "02$id"
    assert_eq "$name: its length field is the key size" \
        "$((0x$(head -c 19 block.bin | tail -c 2 | hex)))" "$(file_size pss.bin)"
    signed_message "$id" 02 plain >M.bin
    run openssl dgst -sha256 "${PSS[@]}" -verify "$name.pub" -signature pss.bin M.bin
    check "$name: openssl dgst -verify says Verified OK" grep -qx "Verified OK" "$OUT"
    signed_message "$id" 02 pass.txt >M.bin
    run openssl dgst -sha256 "${PSS[@]}" -verify "$name.pub" -signature pss.bin M.bin
    check "$name: ... and not for another file's message" bash -c "! grep -q 'Verified OK' '$OUT'"
}

# shroud_verifies NAME: openssl signs M for plain with NAME's key, a shroud
# signature block is built around it, and shroud verify accepts it.
shroud_verifies() {
    local name=$1 id
    id=$(key_id "$name.pub")
    signed_message "$id" 02 plain >M.bin
    openssl dgst -sha256 "${PSS[@]}" -sign "$name.pem" -passin file:pass.txt -out pss.bin M.bin
    {
        printf 'SHRDSIG\1'
        printf '02%s%04x' "$id" "$(file_size pss.bin)" | unhex
        cat pss.bin
    } | {
        echo "-----BEGIN SHROUD SIGNATURE-----"
        base64 -w 64
        echo "-----END SHROUD SIGNATURE-----"
    } >openssl.sig
    expect_ok "$name: shroud verifies a signature made by openssl" \
        shroud verify -k "$name.pub" -s openssl.sig plain
}

# interop NAME [IDENTITY_ARGS...]: NAME.pem and NAME.pub work with shroud.
interop() {
    local name=$1
    shift
    expect_ok "$name: pubkey" shroud pubkey -i "$name.pem" "$@" &&
        assert_same_file "$name: ... equals openssl's public key" "$OUT" "$name.pub"
    rm -f "$name.ct" "$name.pt" "$name.sig"
    expect_ok "$name: encrypt -R" shroud encrypt -R "$name.pub" -o "$name.ct" plain &&
        expect_ok "$name: decrypt -i" shroud decrypt -i "$name.pem" "$@" -o "$name.pt" "$name.ct" &&
        assert_same_file "$name: round trip" "$name.pt" plain
    expect_ok "$name: sign -i" shroud sign -i "$name.pem" "$@" -o "$name.sig" plain &&
        expect_ok "$name: verify -k" shroud verify -k "$name.pub" -s "$name.sig" plain &&
        openssl_verifies "$name" "$name.sig"
    shroud_verifies "$name"
}

openssl_key k2048 2048 && interop k2048
openssl_key k3072 3072 && interop k3072
openssl_key k4096 4096 && interop k4096

check "openssl genrsa -traditional: PKCS#1" openssl genrsa -traditional -out pkcs1.pem 2048 &&
    check "... is an 'RSA PRIVATE KEY'" grep -qx -- '-----BEGIN RSA PRIVATE KEY-----' pkcs1.pem &&
    openssl pkey -in pkcs1.pem -pubout -out pkcs1.pub && interop pkcs1
openssl rsa -in pkcs1.pem -RSAPublicKey_out -out pkcs1.rsapub 2>/dev/null
expect_ok "a PKCS#1 'RSA PUBLIC KEY' as recipient" shroud encrypt -R pkcs1.rsapub -o pkcs1.ct2 plain &&
    expect_ok "... decrypts" shroud decrypt -i pkcs1.pem -o pkcs1.pt2 pkcs1.ct2
expect_ok "... and verifies" shroud verify -k pkcs1.rsapub -s pkcs1.sig plain

openssl_key encrypted 2048 -aes-256-cbc -pass file:pass.txt &&
    check "... is an 'ENCRYPTED PRIVATE KEY'" grep -qx -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' encrypted.pem &&
    interop encrypted --passphrase-file pass.txt
expect_fail 1 "wrong passphrase" "encrypted PKCS#8, wrong passphrase" \
    shroud decrypt -i encrypted.pem --passphrase-file wrong.txt -o out encrypted.ct
expect_fail 1 "passphrase" "encrypted PKCS#8, no terminal" \
    no_tty shroud decrypt -i encrypted.pem -o out encrypted.ct
assert_no_file out

openssl genrsa -traditional -aes256 -passout file:pass.txt -out legacy.pem 2048 2>/dev/null &&
    openssl rsa -in legacy.pem -passin file:pass.txt -pubout -out legacy.pub 2>/dev/null
check "openssl genrsa -traditional -aes256: legacy encrypted PEM" grep -q '^Proc-Type: 4,ENCRYPTED' legacy.pem &&
    interop legacy --passphrase-file pass.txt

# ---- 1024 bits: refused everywhere ---------------------------------------------

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out k1024.pem 2>/dev/null
openssl pkey -in k1024.pem -pubout -out k1024.pub
shroud sign -i k2048.pem -o k1024.sig plain
expect_fail 1 "2048" "1024-bit recipient refused" shroud encrypt -R k1024.pub -o out plain
expect_fail 1 "2048" "1024-bit identity refused (decrypt)" shroud decrypt -i k1024.pem -o out k2048.ct
expect_fail 1 "2048" "1024-bit identity refused (sign)" shroud sign -i k1024.pem -o out plain
expect_fail 1 "2048" "1024-bit key refused (verify)" shroud verify -k k1024.pub -s k1024.sig plain
assert_no_file out

# ---- keys made by shroud, read by openssl ----------------------------------------

new_identity srsa --rsa 2048
check "shroud's RSA identity reads in openssl pkey" openssl pkey -in srsa.id -noout
check "... as a 2048-bit key" bash -c "openssl pkey -in srsa.id -text -noout | grep -q '2048 bit'"
check "its public key reads in openssl pkey -pubin" openssl pkey -pubin -in srsa.pub -noout
openssl pkey -in srsa.id -pubout -out srsa.openssl.pub
assert_same_file "openssl derives the same public key" srsa.openssl.pub srsa.pub
cp srsa.id srsa.pem
shroud_verifies srsa

new_identity sprot --rsa 2048 --protect --passphrase-file pass.txt --scrypt-log-n 10
check "shroud --protect RSA identity is an 'ENCRYPTED PRIVATE KEY'" \
    grep -qx -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' sprot.id
check "... reads in openssl pkey -passin" openssl pkey -in sprot.id -passin file:pass.txt -noout
check "... but not with a wrong passphrase" bash -c '! openssl pkey -in sprot.id -passin file:wrong.txt -noout 2>/dev/null'
openssl pkey -in sprot.id -passin file:pass.txt -pubout -out sprot.openssl.pub
assert_same_file "... and has the public key shroud printed" sprot.openssl.pub sprot.pub

finish
