#!/usr/bin/env bash
# test_serve_images.sh — the images API of shroud serve (docs/API.md), driven
# with curl against a real server process: uploads (authentication, content
# type, size limits, parsing, pixel limits, signature: missing, another
# signer's, broken), the stored object, re-uploads and parallel duplicates,
# the public list and its paging, metadata, downloads (bytes, ETag, 304),
# deletion by the owner only, 404s and 405s, content-addressed storage in
# DATA/images (no temporary files, even after an aborted upload), and
# persistence across a restart.
#
#     bash test_serve_images.sh /path/to/shroud
. "$(dirname "$0")/lib.sh" "$@"

command -v curl >/dev/null || { echo "test_serve_images.sh: curl is needed (scripts/install-deps)" >&2; exit 1; }
export PYTHONUTF8=1

. "$CLI_TESTS/server_lib.sh"
[ -x "$PY" ] || { echo "test_serve_images.sh: $PY is needed" >&2; exit 1; }

# ---- account helpers (variants of test_serve_accounts.sh's) ---------------------------------
# register USER PASSWORD PUBKEY_FILE: POST /api/register.
register() { post_json /api/register "$(jobj username "$1" password "$2" public_key@ "$3")"; }
# login USER PASSWORD: POST /api/login; the token is in TOKEN.
login() {
    post_json /api/login "$(jobj username "$1" password "$2")"
    TOKEN=$(json_get token <"$BODY" 2>/dev/null)
}
# account USER PUBKEY_FILE: registers and logs in USER; prints the token.
account() {
    register "$1" "Pw of $1: 42 apples" "$2"
    expect_status "register $1: 201" 201
    login "$1" "Pw of $1: 42 apples"
    expect_status "login $1: 200" 200
}

allow_has() { grep -Eqi "(^|[ ,])$1([ ,]|$)" <<<"$(header Allow)"; }

# ---- image helpers ----------------------------------------------------------------------------
# upload FILE CONTENT_TYPE [CURL_ARGS...]: POST /api/images with FILE as the body.
upload() { req POST /api/images -H "Content-Type: $2" --data-binary "@$1" "${@:3}"; }

# mkpng OUT W H SEED: a grey PNG of random pixels (SEED 0: all black).
mkpng() {
    "$PY" -c '
import random, struct, sys, zlib
out, w, h, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
z = zlib.compressobj(9)
data = []
row0 = bytes(w + 1)
for y in range(h):
    row = row0 if seed == 0 else b"\0" + bytes(rnd.getrandbits(8) for _ in range(w))
    data.append(z.compress(row))
data.append(z.flush())
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
png += chunk(b"IDAT", b"".join(data)) + chunk(b"IEND", b"")
open(out, "wb").write(png)' "$@"
}

sha256() { sha256sum -- "$1" | cut -c1-64; }
dims() { "$SHROUD" inspect --json "$1" 2>/dev/null | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["width"], d["height"])' 2>/dev/null; }

# expect_object DESC FILE OWNER FORMAT GROUPS T0: the last body is the object
# of FILE as stored: id its SHA-256, owner, size, width, height, format, groups
# (a count, or a list of that length), created between T0 and now.
expect_object() {
    local desc=$1 file=$2 problems w h
    read -r w h <<<"$(dims "$file")"
    problems=$("$PY" -c '
import hashlib, json, sys, time
body, file, owner, fmt, groups, t0, w, h = sys.argv[1:9]
try:
    o = json.load(open(body))
except Exception as e:
    print("not JSON:", e); sys.exit()
if not isinstance(o, dict):
    print("not an object"); sys.exit()
data = open(file, "rb").read()
want = {"id": hashlib.sha256(data).hexdigest(), "owner": owner, "size": len(data),
        "width": int(w), "height": int(h), "format": fmt}
for k, v in want.items():
    if o.get(k) != v or type(o.get(k)) is not type(v):
        print("%s: %r, expected %r" % (k, o.get(k, "(missing)"), v))
g = o.get("groups")
n = g if isinstance(g, int) and not isinstance(g, bool) else len(g) if isinstance(g, list) else None
if n != int(groups):
    print("groups: %r, expected %s (a count or a list)" % (g, groups))
c = o.get("created")
if not isinstance(c, int) or isinstance(c, bool) or not int(t0) - 1 <= c <= time.time() + 1:
    print("created: %r, expected unix seconds in [%s, now]" % (c, t0))
' "$BODY" "$file" "$3" "$4" "$5" "$6" "${w:-0}" "${h:-0}" 2>&1)
    [ "$STATUS" = 201 ] || [ "$STATUS" = 200 ] || problems="status $STATUS"$'\n'"$problems"
    [ -z "$problems" ]
    verdict $? "$desc" "$problems" "body: $(excerpt "$BODY")"
}

# same_json A B: two files hold equal JSON values.
same_json() { "$PY" -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$1" "$2"; }

# list_ids: the ids of the last (list) response, in order, on one line.
list_ids() {
    "$PY" -c '
import json, sys
try:
    print(" ".join(i["id"] for i in json.load(open(sys.argv[1]))["images"]))
except Exception as e:
    print("(bad list: %s)" % e)' "$BODY"
}
# list_meta: "page per_page total" of the last (list) response.
list_meta() {
    "$PY" -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    print(d["page"], d["per_page"], d["total"])
except Exception as e:
    print("(bad list: %s)" % e)' "$BODY"
}

# store_check DESC DATA ID...: DATA/images holds exactly these files (in it
# or in subdirectories), each named by its SHA-256, and nothing else. On
# PostgreSQL (server_lib.sh: SHROUD_TEST_DB): DATA's table blobs holds
# exactly these rows, each id the SHA-256 of its bytes, and DATA/images does
# not exist.
store_check() {
    local desc=$1 dir=$2/images
    shift 2
    local problems
    if test_db_pg; then
        problems=$(
            [ ! -e "$dir" ] || echo "$dir exists: images should be in PostgreSQL"
            rows=$(test_db_sql "${dir%/images}" "SELECT id, encode(sha256(bytes), 'hex') FROM blobs ORDER BY id" 2>&1) ||
                { echo "cannot read the table blobs: $rows"; exit; }
            while IFS='|' read -r id hash; do
                [ -z "$id" ] || [ "$id" = "$hash" ] || echo "row $id holds bytes of SHA-256 $hash"
            done <<<"$rows"
            have=$(cut -d'|' -f1 <<<"$rows" | grep -v '^$' | sort)
            want=$(printf '%s\n' "$@" | grep -v '^$' | sort)
            [ "$have" = "$want" ] || echo "rows: [$(tr '\n' ' ' <<<"$have")], expected [$(tr '\n' ' ' <<<"$want")]"
        )
        [ -z "$problems" ]
        verdict $? "$desc" "$problems"
        return
    fi
    problems=$(
        [ -d "$dir" ] || { [ $# -eq 0 ] || echo "no $dir"; exit; }
        find "$dir" -mindepth 1 ! -type d | while IFS= read -r f; do
            n=$(basename -- "$f")
            [ -f "$f" ] || { echo "not a regular file: $f"; continue; }
            [ "$(sha256 "$f")" = "$n" ] || echo "$f is not named by its SHA-256"
        done
        have=$(find "$dir" -type f -printf '%f\n' | sort)
        want=$(printf '%s\n' "$@" | grep -v '^$' | sort)
        [ "$have" = "$want" ] || echo "files: [$(tr '\n' ' ' <<<"$have")], expected [$(tr '\n' ' ' <<<"$want")]"
    )
    [ -z "$problems" ]
    verdict $? "$desc" "$problems"
}

# raw MODE ARGS...: talks HTTP(S) to the server by hand, authenticated as $TOKEN.
#   raw announce N       POST /api/images announcing Content-Length N, sends no
#                        body, prints the status of the answer (000: none in 10 s)
#   raw partial FILE N   POST /api/images announcing FILE's length, sends only its
#                        first N bytes, then closes the connection
#   raw expect N         the same as announce, with Expect: 100-continue
#   raw hold N S         announces Content-Length N, sends no body, keeps the
#                        connection open S seconds (or until answered), then
#                        prints the status (000: none)
raw() {
    "$PY" - "$BASE" "$TOKEN" "$@" <<'EOF'
import os, socket, ssl, sys
base, token, mode = sys.argv[1:4]
host, port = base.split("//")[1].split(":")
s = socket.create_connection((host, int(port)), timeout=10)
if base.startswith("https"):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s)
if mode in ("announce", "expect", "hold"):
    length, data = int(sys.argv[4]), b""
    if mode == "hold":
        s.settimeout(float(sys.argv[5]))
else:
    data = open(sys.argv[4], "rb").read()
    length, data = len(data), data[:int(sys.argv[5])]
head = ("POST /api/images HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Bearer %s\r\n"
        "Content-Type: image/png\r\nContent-Length: %d\r\n%s\r\n"
        % (host, port, token, length, "Expect: 100-continue\r\n" if mode == "expect" else ""))
s.sendall(head.encode() + data)
if mode == "partial":
    s.close()
    sys.exit()
try:
    got = b""
    while b"\r\n" not in got:
        b = s.recv(4096)
        if not b:
            break
        got += b
    print(got.split(b" ")[1].decode() if got.startswith(b"HTTP/") else "000")
except Exception:
    print("000")
EOF
}

# ---- keys and images -------------------------------------------------------------------------
DATA_DIR=$CLI_TESTS/../data
new_identity alice
new_identity bob
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out carol.id 2>/dev/null
openssl pkey -in carol.id -pubout -out carol.pub 2>/dev/null
expect_ok "a redacted JPEG signed by alice" \
    shroud redact -R alice.pub --region 10,10,50,50 --sign alice.id -o red.jpg "$DATA_DIR/rocket.jpg"
expect_ok "a PNG signed by alice" shroud sign -i alice.id -o a.png "$DATA_DIR/camera.png"
expect_ok "a JPEG signed by alice" shroud sign -i alice.id -o hubble.jpg "$DATA_DIR/hubble_deep_field.jpg"
expect_ok "a PNG signed by bob" shroud sign -i bob.id -o bob.png "$DATA_DIR/chelsea.png"
expect_ok "a PNG signed by carol (RSA)" shroud sign -i carol.id -o carol.png "$DATA_DIR/chelsea.png"
cp "$DATA_DIR/camera.png" unsigned.png
cp "$DATA_DIR/rocket.jpg" unsigned.jpg
cp red.jpg flipped.jpg
flip_byte flipped.jpg $(($(file_size red.jpg) / 2))
cp a.png flipped.png
flip_byte flipped.png $(($(file_size a.png) / 2))
check "the flipped JPEG no longer verifies" sh -c "! '$SHROUD' verify -k alice.pub flipped.jpg"
check "... but still parses" "$SHROUD" inspect flipped.jpg
random_file garbage.bin 5000
mkpng wide.png 33000 1 0   # over 32768 pixels per side
mkpng huge.png 8200 8200 0 # 67.24 megapixels: over 64
t_start=$(date +%s)

# =================================================================================================
start_server --data data
check "the server starts" test -n "$PORT"
if test_db_pg; then
    check "the banner: images in PostgreSQL" grep -q "^  images in PostgreSQL" "$SERVER_LOG"
else
    check "the banner: images in data/images" grep -q "^  images in data/images;" "$SERVER_LOG"
fi
account alice alice.pub
tok_a=$TOKEN
account bob bob.pub
tok_b=$TOKEN
account carol carol.pub
tok_c=$TOKEN
A=(-H "Authorization: Bearer $tok_a")
Bb=(-H "Authorization: Bearer $tok_b")

req GET /api/images
expect_status "GET /api/images on an empty server, no session: 200" 200
assert_eq "... as JSON" "$(header Content-Type | cut -d';' -f1)" application/json
assert_eq "... no images, page 1, per_page 20, total 0" "$(list_ids) / $(list_meta)" " / 1 20 0"

# ---- uploads refused ---------------------------------------------------------------------------------
upload red.jpg image/jpeg
expect_error "upload without a session: 401" 401
check "... with WWW-Authenticate: Bearer" grep -Eq '^Bearer' <<<"$(header WWW-Authenticate)"
upload red.jpg image/jpeg -H "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect_error "upload with an unknown token: 401" 401
check "... with WWW-Authenticate: Bearer" grep -Eq '^Bearer' <<<"$(header WWW-Authenticate)"
for ct in text/plain application/octet-stream application/json image/gif multipart/form-data; do
    upload red.jpg "$ct" "${A[@]}"
    expect_error "upload as $ct: 415" 415
done
req POST /api/images -H 'Content-Type:' --data-binary @red.jpg "${A[@]}"
expect_error "upload without Content-Type: 415" 415
fmt_re='png|jpe?g|format|pars|image|corrupt|malformed|decod|invalid'
upload garbage.bin image/png "${A[@]}"
expect_error "garbage bytes as image/png: 400, saying why" 400 "$fmt_re"
upload garbage.bin image/jpeg "${A[@]}"
expect_error "garbage bytes as image/jpeg: 400" 400 "$fmt_re"
head -c 3000 red.jpg >truncated.jpg
upload truncated.jpg image/jpeg "${A[@]}"
expect_error "a truncated JPEG: 400" 400 "$fmt_re"
req POST /api/images -H 'Content-Type: image/png' --data-binary '' "${A[@]}"
expect_error "an empty body as image/png: 400" 400
upload wide.png image/png "${A[@]}"
expect_error "a PNG 33000 pixels wide: 400 or 413, explained" "400|413" 'pixel|limit|large|big|size|dimension|wide|width'
upload huge.png image/png "${A[@]}"
expect_error "a PNG of 8200x8200 (67 megapixels): 400 or 413, explained" "400|413" 'pixel|limit|large|big|size|dimension'
upload unsigned.png image/png "${A[@]}"
expect_error "an unsigned PNG: 422, not signed" 422 'not signed'
upload unsigned.jpg image/jpeg "${A[@]}"
expect_error "an unsigned JPEG: 422, not signed" 422 'not signed'
upload bob.png image/png "${A[@]}"
expect_error "alice uploads an image signed by bob: 403" 403
upload carol.png image/png "${A[@]}"
expect_error "alice uploads an image signed by carol: 403" 403
upload flipped.jpg image/jpeg "${A[@]}"
expect_error "a signed JPEG with one byte flipped after signing: 422" 422
upload flipped.png image/png "${A[@]}"
expect_error "a signed PNG with one byte flipped: 422 or 400" "422|400"
req GET /api/images
assert_eq "nothing refused was stored: total 0" "$(list_meta)" "1 20 0"
store_check "... and data/images holds no file" data

# ---- uploads accepted ------------------------------------------------------------------------------------
id_red=$(sha256 red.jpg)
id_a=$(sha256 a.png)
id_hub=$(sha256 hubble.jpg)
id_carol=$(sha256 carol.png)
upload red.jpg image/jpeg "${A[@]}"
expect_status "alice uploads her redacted, signed JPEG: 201" 201
assert_eq "... as JSON" "$(header Content-Type | cut -d';' -f1)" application/json
expect_object "... the object: id = SHA-256, owner, size, 640x427, jpeg, 1 group, created" \
    red.jpg alice jpeg 1 "$t_start"
cp "$BODY" obj_red.json
upload a.png image/png -H "Cookie: shroud_session=$tok_a"
expect_status "alice uploads a signed PNG with her session cookie: 201" 201
expect_object "... the object: 512x512, png, 0 groups" a.png alice png 0 "$t_start"
cp "$BODY" obj_a.json
upload red.jpg image/jpeg "${A[@]}"
expect_status "the same JPEG again: 200" 200
check "... the same object" same_json "$BODY" obj_red.json
upload carol.png image/png -H "Authorization: Bearer $tok_c"
expect_status "carol uploads a PNG signed with her RSA key: 201" 201
expect_object "... the object" carol.png carol png 0 "$t_start"
cp "$BODY" obj_carol.json
upload a.png "image/png" -H "Authorization: Bearer $tok_b"
expect_error "bob uploads alice's signed PNG: 403" 403

# the same new file, 6 uploads at once: one 201, five 200, one object
pids=()
for i in 1 2 3 4 5 6; do
    curl -sk --max-time 20 -o "par.$i.json" -w '%{http_code}\n' "${A[@]}" -H 'Content-Type: image/jpeg' \
        --data-binary @hubble.jpg "$BASE/api/images" >"par.$i" &
    pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the server runs in the background too
assert_eq "6 parallel uploads of one new file: one 201, five 200" \
    "$(cat par.? | sort | uniq -c | tr -s ' ' | sed 's/^ //' | tr '\n' ',')" "5 200,1 201,"
ok=0
for i in 2 3 4 5 6; do same_json par.1.json "par.$i.json" || ok=1; done
verdict $ok "... all with the same object" "$(head -c 300 par.1.json)" "$(head -c 300 par.2.json)"
cp par.1.json obj_hub.json

# ---- the list, metadata, downloads (bob, then nobody) -------------------------------------------------------
req GET /api/images "${Bb[@]}"
expect_status "bob lists the images: 200" 200
assert_eq "... newest first" "$(list_ids)" "$id_hub $id_carol $id_a $id_red"
assert_eq "... page 1, per_page 20, total 4" "$(list_meta)" "1 20 4"
cp "$BODY" list1.json
check "... the list's objects are the upload answers" "$PY" -c '
import json, sys
l = json.load(open("list1.json"))["images"]
sys.exit(l != [json.load(open(f)) for f in ("obj_hub.json", "obj_carol.json", "obj_a.json", "obj_red.json")])'
req GET /api/images
assert_eq "the list without a session: the same" "$(list_ids)" "$id_hub $id_carol $id_a $id_red"
for n in red:red.jpg a:a.png carol:carol.png hub:hubble.jpg; do
    v=id_${n%%:*}
    req GET "/api/images/${!v}"
    expect_status "GET /api/images/ID of ${n#*:} (no session): 200" 200
    check "... the object" same_json "$BODY" "obj_${n%%:*}.json"
done

dl() { # ID OUT [CURL_ARGS...]: GET /images/ID into OUT
    req GET "/images/$1" "${@:3}"
    cp "$BODY" "$2"
}
dl "$id_red" dl_red.jpg "${Bb[@]}"
expect_status "bob downloads alice's JPEG: 200" 200
assert_same_file "... byte-identical to the upload" dl_red.jpg red.jpg
assert_eq "... Content-Type: image/jpeg" "$(header Content-Type | cut -d';' -f1)" image/jpeg
assert_eq "... ETag: \"ID\"" "$(header ETag)" "\"$id_red\""
assert_eq "... Content-Length" "$(header Content-Length)" "$(file_size red.jpg)"
expect_ok "... shroud verify -k alice.pub: good signature" shroud verify -k alice.pub dl_red.jpg
assert_eq "... shroud inspect --json: the object's width and height" "$(dims dl_red.jpg)" \
    "$(json_get width <obj_red.json) $(json_get height <obj_red.json)"
dl "$id_a" dl_a.png
expect_status "download of the PNG without a session: 200" 200
assert_same_file "... byte-identical" dl_a.png a.png
assert_eq "... Content-Type: image/png" "$(header Content-Type | cut -d';' -f1)" image/png
assert_eq "... ETag and Content-Length" "$(header ETag) $(header Content-Length)" "\"$id_a\" $(file_size a.png)"
expect_ok "... shroud verify -k alice.pub" shroud verify -k alice.pub dl_a.png
assert_eq "... shroud inspect --json: 512 512" "$(dims dl_a.png)" "512 512"
dl "$id_carol" dl_carol.png
assert_same_file "carol's PNG downloads byte-identical" dl_carol.png carol.png
expect_ok "... shroud verify -k carol.pub (RSA)" shroud verify -k carol.pub dl_carol.png
req GET "/images/$id_red" -H "If-None-Match: \"$id_red\""
expect_status "If-None-Match: \"ID\": 304" 304
check "... without a body" test ! -s "$BODY"
assert_eq "... with the 200's Cache-Control" "$(header Cache-Control)" "public, max-age=31536000, immutable"
assert_eq "... and its ETag" "$(header ETag)" "\"$id_red\""
req GET "/images/$id_red" -H "If-None-Match: \"$id_a\", W/\"$id_red\""
expect_status "If-None-Match: a list with the weak tag: 304" 304
req GET "/images/$id_red" -H "If-None-Match: *"
expect_status "If-None-Match: *: 304" 304
req GET "/images/$id_red" -H "If-None-Match: \"$id_red"
expect_status "If-None-Match: an unterminated tag: 200" 200
req GET "/images/$id_red" -H "If-None-Match: \"$id_a\""
expect_status "If-None-Match with another ETag: 200" 200
assert_same_file "... the bytes" "$BODY" red.jpg

# ---- unknown and malformed ids ---------------------------------------------------------------------------------
zeros=$(printf '0%.0s' $(seq 64))
upper=$(tr a-f A-F <<<"$id_red")
for bad in "$zeros" "${id_red%?}" "${id_red}0" "$upper" "$id_red.jpg" xyz "..%2Fshroud.db" \
    "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"; do
    req GET "/api/images/$bad" --path-as-is
    expect_error "GET /api/images/${bad:0:24}...: 404" 404
    req GET "/images/$bad" --path-as-is
    expect_error "GET /images/${bad:0:24}...: 404 (JSON)" 404
done
req DELETE "/api/images/$zeros" "${A[@]}"
expect_error "DELETE of an unknown id: 404" 404

# ---- methods ------------------------------------------------------------------------------------------------
for mp in "PUT /api/images GET,POST" "DELETE /api/images GET,POST" "PATCH /api/images GET,POST" \
    "POST /api/images/$id_a GET,DELETE" "PUT /api/images/$id_a GET,DELETE" \
    "POST /images/$id_a GET" "PUT /images/$id_a GET" "DELETE /images/$id_a GET"; do
    read -r m p allowed <<<"$mp"
    req "$m" "$p" "${A[@]}"
    expect_error "$m ${p:0:22}...: 405" 405
    ok=0
    for a in ${allowed//,/ }; do allow_has "$a" || ok=1; done
    verdict $ok "... Allow: $allowed" "Allow: $(header Allow)"
done
req GET "/images/$id_a"
assert_same_file "DELETE /images/ID (405) removed nothing" "$BODY" a.png

# ---- deletion -----------------------------------------------------------------------------------------------
req DELETE "/api/images/$id_red"
expect_error "DELETE without a session: 401" 401
req DELETE "/api/images/$id_red" "${Bb[@]}"
expect_error "bob deletes alice's image: 403" 403
req GET "/images/$id_red"
assert_same_file "... it is still there" "$BODY" red.jpg
req DELETE "/api/images/$id_red" "${A[@]}"
expect_status "alice deletes it: 204" 204
check "... no body" test ! -s "$BODY"
req GET /api/images
assert_eq "... gone from the list" "$(list_ids) / $(list_meta)" "$id_hub $id_carol $id_a / 1 20 3"
req GET "/api/images/$id_red"
expect_error "... metadata: 404" 404
req GET "/images/$id_red"
expect_error "... download: 404" 404
req GET "/images/$id_red" -H "If-None-Match: \"$id_red\""
expect_error "... even with If-None-Match: 404" 404
req DELETE "/api/images/$id_red" "${A[@]}"
expect_error "... deleting it again: 404" 404
upload red.jpg image/jpeg -H "Cookie: shroud_session=$tok_a"
expect_status "... uploading it again: 201, a new object" 201
expect_object "... the object" red.jpg alice jpeg 1 "$t_start"
cp "$BODY" obj_red.json
req DELETE "/api/images/$id_red" -H "Cookie: shroud_session=$tok_a"
expect_status "... deleted with the cookie: 204" 204

# ---- limits, aborted uploads, the store ------------------------------------------------------------------------
TOKEN=$tok_a
assert_eq "a body announced as 64 MiB + 1 (default limit): 413 before it is sent" \
    "$(raw announce $((64 * 1024 * 1024 + 1)))" 413
raw partial hubble.jpg 1000 # a stored file, cut off
mkpng p1.png 300 300 7
"$SHROUD" sign -i alice.id -o p1s.png p1.png 2>/dev/null
raw partial p1s.png $(($(file_size p1s.png) / 2))
sleep 1
req GET /healthz
expect_status "after uploads cut off mid-body: the server answers" 200
req GET "/api/images/$(sha256 p1s.png)"
expect_error "... the cut-off image was not stored" 404
req GET /api/images
assert_eq "... the list: 3 images" "$(list_ids)" "$id_hub $id_carol $id_a"
store_check "data/images: exactly the 3 stored files, named by SHA-256, no temporary files" \
    data "$id_hub" "$id_carol" "$id_a"

# ---- restart -------------------------------------------------------------------------------------------------
req GET /api/images
cp "$BODY" before.json
stop_server TERM
assert_eq "SIGTERM: exit 0" "$RC" 0
start_server --data data
check "restart" test -n "$PORT"
req GET /api/images
expect_status "after the restart, the list: 200" 200
check "... the same list" same_json "$BODY" before.json
for n in a carol hub; do
    v=id_$n
    req GET "/api/images/${!v}"
    check "... the same metadata ($n)" same_json "$BODY" "obj_$n.json"
done
dl "$id_a" dl2_a.png
assert_same_file "... the same bytes (a.png)" dl2_a.png a.png
dl "$id_hub" dl2_hub.jpg
assert_same_file "... the same bytes (hubble.jpg)" dl2_hub.jpg hubble.jpg
upload a.png image/png "${A[@]}"
expect_status "... a re-upload is still recognised: 200" 200
req DELETE "/api/images/$id_carol" "${A[@]}"
expect_error "... alice still cannot delete carol's image: 403" 403
req DELETE "/api/images/$id_carol" -H "Authorization: Bearer $tok_c"
expect_status "... carol can: 204" 204
store_check "data/images after the restart and a deletion" data "$id_hub" "$id_a"
stop_server TERM

# =================================================================================================
# --max-upload, chunked bodies, paging (plain HTTP)
start_server --data data2 --no-tls --max-upload 100000
check "--no-tls --max-upload 100000: starts" test -n "$PORT" -a -z "$PIN"
new_identity dan
account dan dan.pub
D=(-H "Authorization: Bearer $TOKEN")
for i in 1 2 3; do
    mkpng "s$i.png" 150 150 "$i"
    "$SHROUD" sign -i dan.id -o "s${i}s.png" "s$i.png" 2>/dev/null
done
mkpng big.png 400 400 9
"$SHROUD" sign -i dan.id -o bigs.png big.png 2>/dev/null
check "test images: 3 under 100000 bytes, one over" \
    sh -c "[ $(file_size s1s.png) -lt 100000 ] && [ $(file_size bigs.png) -gt 100000 ]"
upload bigs.png image/png "${D[@]}" -H 'Expect: 100-continue'
expect_error "a larger file (Expect: 100-continue): 413" 413
for i in 1 2 3; do
    upload bigs.png image/png "${D[@]}"
    [ "$STATUS" = 000 ] || break
done
expect_error "... sent at once: 413 (attempts: $i)" 413
upload bigs.png image/png "${D[@]}" -H 'Transfer-Encoding: chunked'
expect_error "... chunked (no length announced): 413" 413
req GET /healthz
expect_status "... and the server still answers" 200
upload s1s.png image/png "${D[@]}" -H 'Transfer-Encoding: chunked'
expect_status "a small image sent chunked: 201" 201
expect_object "... the object" s1s.png dan png 0 "$t_start"
upload s2s.png image/png "${D[@]}"
expect_status "a second: 201" 201
upload s3s.png image/png "${D[@]}"
expect_status "a third: 201" 201
id1=$(sha256 s1s.png) id2=$(sha256 s2s.png) id3=$(sha256 s3s.png)
store_check "data2/images: the 3 small files only" data2 "$id1" "$id2" "$id3"

req GET '/api/images?per_page=2'
expect_status "per_page=2: 200" 200
assert_eq "... the 2 newest, page 1, per_page 2, total 3" "$(list_ids) / $(list_meta)" "$id3 $id2 / 1 2 3"
req GET '/api/images?page=2&per_page=2'
assert_eq "page=2&per_page=2: the oldest, total 3" "$(list_ids) / $(list_meta)" "$id1 / 2 2 3"
req GET '/api/images?page=3&per_page=2'
expect_status "page=3&per_page=2: 200" 200
assert_eq "... no images, total 3" "$(list_ids) / $(list_meta)" " / 3 2 3"
req GET '/api/images?per_page=1&page=2'
assert_eq "per_page=1&page=2 (any order of parameters)" "$(list_ids) / $(list_meta)" "$id2 / 2 1 3"
req GET '/api/images?page=1'
assert_eq "page=1: per_page 20 by default" "$(list_ids) / $(list_meta)" "$id3 $id2 $id1 / 1 20 3"
req GET '/api/images?per_page=100'
assert_eq "per_page=100: accepted" "$(list_meta)" "1 100 3"
for q in per_page=0 per_page=101 per_page=-1 per_page=abc per_page= page=0 page=-1 page=abc page=1.5 \
    'page=1&per_page=1000000000000000000000'; do
    req GET "/api/images?$q"
    expect_error "?$q: 400" 400
done
stop_server TERM
assert_eq "SIGTERM: exit 0" "$RC" 0

check "the access log has the image requests" grep -q "POST /api/images 201" "$WORK/server.1.out"

# ---- large bodies: no session, no memory; a budget for those in progress ---------------------------
# --max-upload-memory 200000: two bodies announced at 100000 fill it. A refused
# body is read and dropped, and answered then; a client that waits for
# "100 Continue" is answered at once.
start_server --data data2 --no-tls --max-upload 100000 --max-upload-memory 200000
check "--max-upload-memory 200000: starts" test -n "$PORT"
login dan "Pw of dan: 42 apples"
DAN=$TOKEN
TOKEN=not-a-session
t0=$(date +%s)
assert_eq "an upload without a session, waiting for 100 Continue: 401 at once" \
    "$(raw expect 50000)" 401
check "... (on the headers: within 5 s, not at the 10 s time-out)" test $(($(date +%s) - t0)) -lt 5
raw hold 100000 5 >hold1.out &
h1=$!
raw hold 100000 5 >hold2.out &
h2=$!
sleep 1.5
upload s2s.png image/png -H "Authorization: Bearer $DAN"
expect_status "two sessionless uploads in progress hold none of the budget: an upload 200" 200
upload s2s.png image/png
expect_error "... and one sent whole without a session: 401 once its body is read" 401
wait "$h1" "$h2"
TOKEN=$DAN
raw hold 100000 6 >hold1.out &
h1=$!
raw hold 100000 6 >hold2.out &
h2=$!
sleep 1.5
t0=$(date +%s)
assert_eq "a third large upload while two hold the budget, waiting for 100 Continue: 503 at once" \
    "$(raw expect 50000)" 503
check "... (within 5 s)" test $(($(date +%s) - t0)) -lt 5
upload s1s.png image/png -H "Authorization: Bearer $TOKEN"
expect_error "... one sent whole: 503 once its body is read" 503
check "... with Retry-After" test -n "$(header Retry-After)"
post_json /api/login "$(jobj username dan password "Pw of dan: 42 apples")"
expect_status "... small JSON requests are not held back: login 200" 200
wait "$h1" "$h2"
upload s1s.png image/png -H "Authorization: Bearer $TOKEN"
expect_status "once those connections are gone, the budget is back: an upload 200 (known image)" 200
check "the refusals are in the access log" grep -q "POST /api/images 503" "$SERVER_LOG"
stop_server TERM
run shroud serve --max-upload 200000 --max-upload-memory 100000
assert_eq "--max-upload-memory below --max-upload: usage error" "$RC" 2

# ---- bytes a crash left without a gallery entry are swept at start ------------------------------
# (an upload stores the bytes before the row, a delete removes the row first)
printf 'bytes whose upload crashed before its row' >orphan.bin
printf 'bytes of an upload in progress' >young.bin
id_orphan=$(sha256 orphan.bin)
id_young=$(sha256 young.bin)
if test_db_pg; then
    test_db_sql data "INSERT INTO blobs (id, bytes, stored_at) VALUES
        ('$id_orphan', convert_to('bytes whose upload crashed before its row', 'UTF8'), now() - interval '2 hours'),
        ('$id_young', convert_to('bytes of an upload in progress', 'UTF8'), now())" >/dev/null
else
    cp orphan.bin "data/images/$id_orphan"
    touch -d '2 hours ago' "data/images/$id_orphan"
    cp young.bin "data/images/$id_young"
fi
start_server --data data
for i in $(seq 100); do grep -q "no gallery entry refers to" "$SERVER_ERR" && break; sleep 0.1; done
check "at start: the log says one unlisted image was removed" \
    grep -q "^shroud serve: removed 1 stored image that no gallery entry refers to" "$SERVER_ERR"
store_check "... the 2-hour-old one; a young one stays (an upload may be under way)" data \
    "$id_hub" "$id_a" "$id_young"
req GET "/images/$id_a"
expect_status "... and listed images still download" 200
stop_server TERM

# ---- on PostgreSQL: the banner names the database, never its password -------------------------
if test_db_pg; then
    url=$(test_db_url data3)
    # the test cluster trusts local connections: the password is sent to no one
    pw_url=$(sed 's|^\(postgres[a-z]*://[^@/:]*\)@|\1:sekrit-pw@|' <<<"$url")
    check "(the URL now has a password)" test "${pw_url/:sekrit-pw@/@}" = "$url"
    start_server --data data3 --no-tls --db "$pw_url"
    check "a URL with a password: the server starts" test -n "$PORT"
    check "... the banner names the database" grep -q "^  data in data3, database ${url//./\\.}\$" "$SERVER_LOG"
    check "... without the password" test "$(grep -c sekrit-pw "$SERVER_LOG" "$SERVER_ERR" | grep -vc ':0$')" = 0
    stop_server TERM
    # images read from PostgreSQL are cached in memory (--image-cache, default 128 MiB)
    start_server --data data3 --no-tls
    check "the banner gives the image cache" grep -q "^  images in PostgreSQL (table blobs), up to 128 MiB of them cached" "$SERVER_LOG"
    account alice alice.pub
    upload red.jpg image/jpeg -H "Authorization: Bearer $TOKEN"
    expect_status "an upload: 201" 201
    for n in 1 2 3; do
        req GET "/images/$id_red"
        expect_status "download $n: 200" 200
        check "... the uploaded bytes" cmp -s "$BODY" red.jpg
    done
    req GET /metrics
    check "/metrics: one read from the database, two from the cache" \
        sh -c "grep -q '^shroud_image_cache_misses_total 1\$' '$BODY' && grep -q '^shroud_image_cache_hits_total 2\$' '$BODY'"
    check "... and the bytes kept" grep -q "^shroud_image_cache_bytes $(stat -c %s red.jpg)\$" "$BODY"
    req DELETE "/api/images/$id_red" -H "Authorization: Bearer $TOKEN"
    expect_status "the owner deletes it: 204" 204
    req GET "/images/$id_red"
    expect_error "... then a download is 404, cache or not" 404
    req GET /metrics
    check "... and the cache let it go" grep -q "^shroud_image_cache_bytes 0\$" "$BODY"
    stop_server TERM
    start_server --data data3 --no-tls --image-cache 0
    check "--image-cache 0: the banner says no cache" grep -q "^  images in PostgreSQL (table blobs); stop" "$SERVER_LOG"
    req GET /metrics
    check "... and /metrics has no cache counters" sh -c "! grep -q shroud_image_cache '$BODY'"
    stop_server TERM
    start_server --data data3 --no-tls --blobs "$WORK/blobs3"
    check "--db postgres:// --blobs DIR: the banner says images in DIR" \
        grep -q "^  images in $WORK/blobs3;" "$SERVER_LOG"
    check "... and DIR is made" test -d "$WORK/blobs3"
    stop_server TERM
fi
finish
