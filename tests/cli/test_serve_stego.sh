#!/usr/bin/env bash
# test_serve_stego.sh — the stateless steganography endpoints of shroud serve
# (POST /api/stego/hide and /api/stego/reveal, multipart/form-data), driven
# with curl against a real server: round trips in both modes (passphrase,
# recipients; text and binary messages), interoperability with the CLI both
# ways, every refusal (content type, missing/duplicate/unknown fields, bad
# keys, unusable covers, capacity, size limits, malformed multipart), the
# job limit (503), and that nothing is stored or logged.
#
#     bash test_serve_stego.sh /path/to/shroud
. "$(dirname "$0")/lib.sh" "$@"

command -v curl >/dev/null || { echo "test_serve_stego.sh: curl is needed (scripts/install-deps)" >&2; exit 1; }
. "$CLI_TESTS/server_lib.sh"
[ -x "$PY" ] || { echo "test_serve_stego.sh: $PY is needed" >&2; exit 1; }

PASS='cobalt-lantern 7 rivers'
MESSAGE='meet at the north gate, 21:00 — bring the map'

# hide FIELDS...: POST /api/stego/hide with curl -F fields.
hide() {
    local f=() a
    for a in "$@"; do f+=(-F "$a"); done
    req POST /api/stego/hide "${f[@]}"
}
reveal() {
    local f=() a
    for a in "$@"; do f+=(-F "$a"); done
    req POST /api/stego/reveal "${f[@]}"
}
# expect_png DESC: the last response is 200 image/png, a PNG, as an attachment.
expect_png() {
    local problems=()
    [ "$STATUS" = 200 ] || problems+=("status $STATUS")
    [[ $(header Content-Type) == image/png ]] || problems+=("Content-Type '$(header Content-Type)'")
    [[ $(header Content-Disposition) == attachment* ]] || problems+=("no Content-Disposition: attachment")
    [ "$(head -c 8 "$BODY" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || problems+=("not a PNG")
    [ ${#problems[@]} -eq 0 ]
    verdict $? "$1" "${problems[@]}" "$(response)"
}
# message_field NAME: a field of the last JSON body (base64 decoded for "base64").
message_field() {
    "$PY" -c '
import base64, json, sys
o = json.load(open(sys.argv[1]))
v = o[sys.argv[2]]
sys.stdout.buffer.write(base64.b64decode(v, validate=True) if sys.argv[2] == "base64" else
                        str(v).encode())' "$BODY" "$1"
}

# ---- covers and keys --------------------------------------------------------------------------
"$PY" -c '
import numpy as np
from PIL import Image
rng = np.random.default_rng(7)
Image.fromarray(rng.integers(1, 255, (240, 320, 3), dtype=np.uint8)).save("cover.png")
Image.fromarray(rng.integers(1, 255, (64, 64, 4), dtype=np.uint8)).save("rgba.png")
Image.fromarray(rng.integers(1, 255, (4, 4, 3), dtype=np.uint8)).save("tiny.png")
Image.fromarray(rng.integers(1, 255, (240, 320, 3), dtype=np.uint8)).save("cover.bmp")
Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).save("photo.jpg", quality=90)
Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).convert("P").save("palette.png")
' || { echo "test_serve_stego.sh: cannot make covers with PIL" >&2; exit 1; }
new_identity alice
new_identity bob
passphrase_file pass.txt "$PASS"
printf '%s' "$MESSAGE" >message.txt
printf 'binary\000\377\376 payload' >binary.bin
head -c 1048577 /dev/zero | tr '\0' a >big.txt # 1 MiB + 1 byte
expect_ok "a passphrase-protected identity" \
    shroud keygen --protect --passphrase-file pass.txt -o locked.id

start_server --data "$WORK/data" --threads 6 --max-upload 3000000
[ -n "$PORT" ] || { cat "$SERVER_ERR" >&2; echo "test_serve_stego.sh: the server did not start" >&2; exit 1; }

# ---- round trips ------------------------------------------------------------------------------
hide image=@cover.png "message=<message.txt" "passphrase=$PASS"
expect_png "hide: passphrase, text message"
cp "$BODY" s_pass.png
reveal image=@s_pass.png "passphrase=$PASS"
expect_status "reveal: passphrase" 200
assert_eq "reveal: the text" "$(message_field text)" "$MESSAGE"
assert_eq "reveal: the byte count" "$(message_field bytes)" "$(wc -c <message.txt)"
message_field base64 >got.txt
assert_same_file "reveal: base64 gives the same bytes" got.txt message.txt
expect_ok "the CLI reveals what the server hid" shroud reveal -p --passphrase-file pass.txt -o cli.txt s_pass.png
assert_same_file "the CLI's message" cli.txt message.txt
check "the cover's pixels moved by at most 1" "$PY" -c '
import numpy as np, sys
from PIL import Image
a = np.asarray(Image.open("cover.png")).astype(int)
b = np.asarray(Image.open("s_pass.png")).astype(int)
sys.exit(not (a.shape == b.shape and np.abs(a - b).max() == 1))'

hide image=@cover.bmp file=@binary.bin "recipient=<alice.pub" "recipient=<bob.pub" level=9
expect_png "hide: a BMP cover, a binary file, two recipients, level 9"
cp "$BODY" s_keys.png
reveal image=@s_keys.png "identity=<alice.id"
expect_status "reveal: the first recipient's identity" 200
message_field base64 >got.bin
assert_same_file "reveal: the binary message" got.bin binary.bin
check "no \"text\" for a message with NUL bytes" "$PY" -c '
import json, sys; sys.exit("text" in json.load(open(sys.argv[1])))' "$BODY"
reveal image=@s_keys.png "identity=<bob.id" "position_key=<alice.pub"
expect_status "reveal: the second recipient, with the first's key for the positions" 200
message_field base64 >got2.bin
assert_same_file "reveal: the same message for bob" got2.bin binary.bin
reveal image=@s_keys.png "identity=<bob.id"
expect_error "reveal: bob without position_key finds nothing" 422 'no message for this key'

expect_ok "the CLI hides in an RGBA cover" shroud hide -R alice.pub -m "from the CLI" -o s_cli.png rgba.png
reveal image=@s_cli.png "identity=<alice.id"
expect_status "the server reveals what the CLI hid" 200
assert_eq "its text" "$(message_field text)" "from the CLI"

# ---- wrong keys, nothing there -----------------------------------------------------------------
reveal image=@s_pass.png "passphrase=not the passphrase"
expect_error "reveal: a wrong passphrase" 422 '^no message for this key$'
reveal image=@cover.png "passphrase=$PASS"
expect_error "reveal: an image without a message" 422 '^no message for this key$'
reveal image=@s_pass.png "identity=<bob.id"
expect_error "reveal: another identity" 422 'no message for this key'

# ---- refusals ---------------------------------------------------------------------------------
post_json /api/stego/hide '{"message": "x"}'
expect_error "hide: a JSON body" 415 'multipart/form-data'
req POST /api/stego/reveal -H 'Content-Type: multipart/form-data' --data-binary 'x'
expect_error "reveal: multipart without a boundary" 400 'boundary'
req POST /api/stego/hide -H 'Content-Type: multipart/form-data; boundary=XyZ' \
    --data-binary $'--XyZ\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc\r\n--XyZ--garbage-no-crlf'
[ "$STATUS" = 400 ] || [ "$STATUS" = 422 ]
verdict $? "hide: a malformed multipart body gives 400/422" "$(response)"
req GET /api/stego/hide
expect_error "GET /api/stego/hide: 405" 405 'method'
hide "message=x" "passphrase=$PASS"
expect_error "hide: no image" 400 'image'
hide image=@cover.png "passphrase=$PASS"
expect_error "hide: no message" 400 'message'
hide image=@cover.png "message=x" file=@binary.bin "passphrase=$PASS"
expect_error "hide: message and file" 400 'not both'
hide image=@cover.png "message=" "passphrase=$PASS"
expect_error "hide: an empty message" 400 'empty'
hide image=@cover.png "message=x"
expect_error "hide: no key" 400 'passphrase.*recipient'
hide image=@cover.png "message=x" "passphrase=$PASS" "recipient=<alice.pub"
expect_error "hide: passphrase and recipient" 400 'not both'
hide image=@cover.png "message=x" "passphrase=a" "passphrase=b"
expect_error "hide: two passphrases" 400 'more than once'
hide image=@cover.png image=@cover.png "message=x" "passphrase=a"
expect_error "hide: two images" 400 'more than once'
hide image=@cover.png "message=x" "passphrase=a" "colour=blue"
expect_error "hide: an unknown field" 400 'unknown field "colour"'
hide image=@cover.png "message=x" "recipient=shroudpk1notakey"
expect_error "hide: a bad recipient" 400 'recipient.*shroudpk1'
hide image=@cover.png "message=x" "passphrase=a" level=0
expect_error "hide: level 0" 400 'level'
hide image=@cover.png "message=x" "passphrase=a" level=fast
expect_error "hide: level not a number" 400 'level'
"$PY" -c 'print("p" * 1025, end="")' >long.txt
hide image=@cover.png "message=x" "passphrase=<long.txt"
expect_error "hide: a passphrase of 1025 bytes" 400 '1024'
hide image=@photo.jpg "message=x" "passphrase=a"
expect_error "hide: a JPEG cover" 422 'JPEG.*lossy'
hide image=@palette.png "message=x" "passphrase=a"
expect_error "hide: a palette PNG" 422 'palette'
hide image=@binary.bin "message=x" "passphrase=a"
expect_error "hide: not an image" 422 'not a PNG or BMP'
hide image=@tiny.png "message=<message.txt" "passphrase=a"
expect_error "hide: over capacity" 422 'does not fit'
check "hide: the capacity is given" "$PY" -c '
import json, sys; c = json.load(open(sys.argv[1]))["capacity"]; sys.exit(not (isinstance(c, int) and 0 <= c < 46))' "$BODY"
hide image=@cover.png "message=<big.txt" "passphrase=a"
expect_error "hide: a 1 MiB + 1 text field" 413 'too large|1 MiB'
head -c 1048577 /dev/urandom >big.bin
hide image=@cover.png file=@big.bin "passphrase=a"
expect_error "hide: a file message over 1 MiB" 413 '1 MiB'
head -c 3100000 /dev/urandom >huge.bin
hide image=@huge.bin "message=x" "passphrase=a"
expect_error "hide: a body over --max-upload" 413 'too large'
reveal "passphrase=a"
expect_error "reveal: no image" 400 'image'
reveal image=@s_pass.png
expect_error "reveal: no key" 400 'passphrase.*identity'
reveal image=@s_pass.png "passphrase=a" "identity=<alice.id"
expect_error "reveal: passphrase and identity" 400 'not both'
reveal image=@s_pass.png "identity=not a key"
expect_error "reveal: a bad identity" 400 'identity'
reveal image=@s_pass.png "identity=<locked.id"
expect_error "reveal: a passphrase-protected identity" 400 'protected by a passphrase'
reveal image=@s_pass.png "passphrase=a" "position_key=<alice.pub"
expect_error "reveal: position_key without identity" 400 'position_key'
reveal image=@photo.jpg "passphrase=a"
expect_error "reveal: a JPEG" 422 'JPEG'

# ---- the job limit: more simultaneous passphrase jobs than slots --------------------------------
# burst: six reveals at once (each ~0.5 s of scrypt); sets ok, busy, codes.
burst() {
    local pids=() i
    rm -f busy.*
    for i in 1 2 3 4 5 6; do
        curl -sS -k --pinnedpubkey "$PIN" -o "busy.$i.body" -D "busy.$i.hdrs" -w '%{http_code}' \
            -F image=@s_pass.png -F "passphrase=$PASS" "$BASE/api/stego/reveal" >"busy.$i.code" 2>/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}"
    codes=$(cat busy.*.code | sort | uniq -c | tr -s ' ' | tr '\n' ';')
    ok=$(grep -l '^200$' busy.*.code | wc -l)
    busy=$(grep -l '^503$' busy.*.code | wc -l)
}
# On a loaded machine the six may not overlap: up to three bursts.
for attempt in 1 2 3; do
    burst
    [ "$busy" -ge 1 ] && break
done
[ "$ok" -ge 1 ] && [ "$busy" -ge 1 ] && [ $((ok + busy)) -eq 6 ]
verdict $? "six simultaneous reveals: some 200, the rest 503 (2 job slots)" "codes: $codes (attempt $attempt)"
first503=$(grep -l '^503$' busy.*.code | head -1)
if [ -n "$first503" ]; then
    n=${first503#busy.}
    n=${n%.code}
    grep -qi '^Retry-After: 1' "busy.$n.hdrs"
    verdict $? "503 carries Retry-After: 1" "$(cat "busy.$n.hdrs")"
fi
hide image=@cover.png "message=after the rush" "passphrase=$PASS"
expect_png "after the rush the slots are free again"

# ---- nothing stored, nothing logged -------------------------------------------------------------
check "nothing stored in DATA/images" test -z "$(ls -A "$WORK/data/images" 2>/dev/null)"
leak=$(grep -lF -e "$PASS" -e "$MESSAGE" -e 'from the CLI' "$SERVER_LOG" "$SERVER_ERR" "$WORK"/data/*.db* 2>/dev/null)
[ -z "$leak" ]
verdict $? "no passphrase or message in the logs or the database" "found in: $leak"

stop_server TERM
assert_eq "SIGTERM: exit 0" "$RC" 0
finish
