#!/bin/bash
# test_sign_verify.sh — detached signatures with native (Ed25519) and RSA
# (RSA-PSS) identities: FILE.sig by default, -o -, standard input, -k as a
# key or a file, --json, and every way a check must fail (modified file,
# another signer, corrupted or malformed signature) with exit status 1.
. "$(dirname "$0")/lib.sh" "$@"

PYTHON=/usr/bin/python3

# json_says VALID DESC FILE: $OUT is one JSON object whose "valid" is VALID
# (true/false) and whose "file" is FILE.
json_says() {
    local log=$WORK/.capture/json
    $PYTHON -c '
import json, sys
d = json.load(sys.stdin)
assert d["valid"] is (sys.argv[1] == "true"), "valid is %r" % d["valid"]
assert d["file"] == sys.argv[2], "file is %r" % d["file"]
assert (d["error"] is None) == d["valid"], "error is %r" % d["error"]
' "$1" "$3" <"$OUT" >"$log" 2>&1
    verdict $? "$2" "$(tail -n 1 "$log")" "stdout: $(head -c 300 "$OUT")"
}

# Signature blocks: magic 0-7, alg 8, key id 9-16, length 17-18, signature.
sig_bytes() { grep -v -- ----- "$1" | base64 -d; }
armor_sig() {
    echo "-----BEGIN SHROUD SIGNATURE-----"
    base64 -w 64
    echo "-----END SHROUD SIGNATURE-----"
}
# corrupt_sig SIG OFFSET OUT: SIG with one byte of its block flipped.
corrupt_sig() {
    sig_bytes "$1" >"$WORK/.capture/block"
    flip_byte "$WORK/.capture/block" "$2"
    armor_sig <"$WORK/.capture/block" >"$3"
}

# rejected WORD DESC VERIFY_ARGS...: verify fails with status 1 and WORD,
# and with --json says valid false (still status 1).
rejected() {
    local word=$1 desc=$2
    shift 2
    expect_fail 1 "$word" "$desc" shroud verify "$@"
    run shroud verify --json "$@"
    assert_eq "... --json: exit status 1" "$RC" 1
    json_says false "... --json: valid false" "${@: -1}"
}

new_identity alice
new_identity bob
new_identity rsa --rsa 2048
new_identity rsa2 --rsa 2048
random_file doc 100000
random_file other 100000

# signs NAME: the signature checks for NAME's identity.
signs() {
    local name=$1 key=$1.pub other=bob.pub
    [ "$name" = bob ] && other=alice.pub
    [ "$name" = rsa ] && other=rsa2.pub
    rm -f doc.sig stdout.sig stdin.sig
    expect_ok "$name: sign writes FILE.sig" shroud sign -i "$name.id" doc &&
        check "... an armored signature" grep -qx -- '-----BEGIN SHROUD SIGNATURE-----' doc.sig
    expect_ok "$name: verify -k FILE" shroud verify -k "$key" doc &&
        check "... says good signature" grep -q "^shroud: good signature of doc$" "$ERR"
    expect_ok "$name: verify -k with the key itself" shroud verify -k "$(cat "$key")" doc
    expect_ok "$name: verify --json" shroud verify --json -k "$key" doc &&
        json_says true "... valid true" doc
    expect_ok "$name: sign -o -" shroud sign -i "$name.id" -o - doc && mv "$OUT" stdout.sig
    expect_ok "... verifies with -s" shroud verify -k "$key" -s stdout.sig doc
    expect_ok "$name: sign standard input" shroud sign -i "$name.id" -o stdin.sig - <doc
    expect_ok "... verifies a file" shroud verify -k "$key" -s stdin.sig doc
    expect_ok "$name: verify standard input" shroud verify -k "$key" -s doc.sig - <doc

    cp doc doc.orig
    flip_byte doc 5000
    rejected "does not verify" "$name: modified file" -k "$key" doc
    cp doc.orig doc
    echo >>doc
    rejected "does not verify" "$name: a byte appended to the file" -k "$key" doc
    cp doc.orig doc
    rejected "does not verify" "$name: the signature of another file" -k "$key" -s doc.sig other
    rejected "different key" "$name: another key of the same kind" -k "$other" doc
    rejected "different key" "$name: a key of the other kind" -k "$([ "$name" = rsa ] && echo alice.pub || echo rsa.pub)" doc
    corrupt_sig doc.sig 40 bad.sig
    rejected "does not verify" "$name: a flipped bit in the signature" -k "$key" -s bad.sig doc
    corrupt_sig doc.sig 12 bad.sig
    rejected "different key" "$name: a flipped bit in the key id" -k "$key" -s bad.sig doc
    corrupt_sig doc.sig 3 bad.sig
    rejected "malformed" "$name: a flipped bit in the magic" -k "$key" -s bad.sig doc
    sig_bytes doc.sig | head -c -1 | armor_sig >bad.sig
    rejected "malformed" "$name: a signature one byte short" -k "$key" -s bad.sig doc
    sed '2s/^./!/' doc.sig >bad.sig
    rejected "malformed" "$name: broken armor" -k "$key" -s bad.sig doc
}
signs alice
signs rsa

# ---- files and options ---------------------------------------------------------

: >empty
expect_ok "an empty file signs" shroud sign -i alice.id empty &&
    expect_ok "... and verifies" shroud verify -k alice.pub empty
name=$'we"ird\\na\tme \xc3\xa9.txt'
cp doc "$name"
shroud sign -i alice.id "$name"
expect_ok "--json with quotes, backslash, tab and UTF-8 in the name" \
    shroud verify --json -k alice.pub "$name" && json_says true "... is valid JSON naming the file" "$name"
expect_fail 1 "signature" "missing signature file" shroud verify -k alice.pub -s missing.sig doc
expect_fail 1 "already exists" "sign refuses to replace FILE.sig" shroud sign -i alice.id empty
expect_ok "... unless --force" shroud sign -i alice.id --force empty
expect_fail 1 "missing.pub: no such key file" "verify -k with a missing file says so" \
    shroud verify -k missing.pub doc
# --json answers on standard output even when the check cannot be made
for args in "-k alice.pub -s missing.sig doc" "-k missing.pub doc" "-k alice.pub nothing-here"; do
    # shellcheck disable=SC2086 # the arguments are separate words
    run shroud verify --json $args
    assert_eq "verify --json $args: exit status 1" "$RC" 1
    json_says false "... still one JSON object, valid false, with the error" "${args##* }"
done
run shroud verify --json -k alice.pub -s missing.sig doc
grep -q '"error":"cannot read signature missing.sig: No such file or directory"' "$OUT"
verdict $? "... the error names the signature file and why" "stdout: $(head -c 300 "$OUT")"
cp alice.pub pub-as-id
chmod 600 pub-as-id
expect_fail 1 "public key" "sign with a public key" shroud sign -i pub-as-id -o - doc
expect_fail 2 "-o" "sign - needs -o" shroud sign -i alice.id - <doc
expect_fail 2 "-s" "verify - needs -s" shroud verify -k alice.pub - <doc

expect_ok "keygen the default identity" shroud keygen && cp "$OUT" default.pub
expect_ok "sign without -i uses it" shroud sign -o default.sig doc &&
    expect_ok "... and verifies" shroud verify -k default.pub -s default.sig doc

finish
