#!/usr/bin/env bash
# test_serve_cluster.sh — several `shroud serve` processes over one
# PostgreSQL behind nginx (docs/deploy.md, "Several processes"): two servers
# A and B started at the same moment on a fresh database (the migrations
# under the advisory lock), a throwaway nginx terminating TLS and balancing
# round robin between them; register on A, log in through the balancer, the
# token on A and B, upload on B, list and download on A, failed logins
# counted across both, delete through the balancer, then kill -9 A in the
# middle of a loop of uploads through the balancer: B keeps answering, every
# upload that got a 2xx is listed and downloads intact, nothing else is
# listed, and A restarted rejoins.
#
# The servers run --no-tls on loopback behind nginx terminating TLS, as
# docs/deploy.md recommends, so the test checks that configuration (the
# balancer's own pinned key, plain HTTP upstreams, proxy_request_buffering
# off for streamed uploads); A and B are also asked directly.
#
# Needs PostgreSQL: SHROUD_TEST_DB a URL of a database where it may create
# others (scripts/pg-cluster run sets SHROUD_PG_URL; ctest cli_serve_cluster),
# and nginx.
#
#     SHROUD_TEST_DB=postgresql://... bash test_serve_cluster.sh /path/to/shroud
. "$(dirname "$0")/lib.sh" "$@"

for tool in curl nginx openssl psql; do
    command -v "$tool" >/dev/null || { echo "test_serve_cluster.sh: $tool is needed (scripts/install-deps)" >&2; exit 1; }
done
[ -n "${SHROUD_TEST_DB:-}" ] || {
    echo "test_serve_cluster.sh: set SHROUD_TEST_DB to a PostgreSQL URL (or run it through scripts/pg-cluster run, as ctest does)" >&2
    exit 1
}

. "$CLI_TESTS/server_lib.sh"
[ -x "$PY" ] || { echo "test_serve_cluster.sh: $PY is needed" >&2; exit 1; }

# ---- processes: A, B and nginx -------------------------------------------------------------
A_PID= B_PID= NGINX_PID= LOOP_PID=
trap 'for p in $LOOP_PID $A_PID $B_PID $NGINX_PID; do kill -9 "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
A_PORT=$(free_port)
B_PORT=$(free_port)
LB_PORT=$(free_port)
DB=$(test_db_url cluster) || { echo "test_serve_cluster.sh: cannot create a database in $SHROUD_TEST_DB" >&2; exit 1; }
A_N=0

# launch NAME PORT: starts server NAME (its own --data NAME for nothing but
# the TLS identity it does not use; the shared --db) in the background, its
# output in NAME.K.out/err (K counts its starts); sets NAME_PID.
launch() {
    local n=$1 port=$2 k
    k=$(($(ls "$n".*.out 2>/dev/null | wc -l) + 1))
    "$SHROUD" serve --listen "127.0.0.1:$port" --no-tls --data "$n" --db "$DB" --trust-proxy 127.0.0.2 \
        >"$n.$k.out" 2>"$n.$k.err" &
    printf -v "${n}_PID" %s $!
    printf -v "${n}_LOG" %s "$n.$k.out"
}
# up NAME: waits (at most 10 s) for NAME's banner; fails if it does not come.
up() {
    local n=$1 pid log i
    pid=${n}_PID log=${n}_LOG
    for i in $(seq 100); do
        grep -q "listening on http://127.0.0.1:" "${!log}" 2>/dev/null && return 0
        kill -0 "${!pid}" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
# at A|B|LB: the following requests (req, post_json) go there.
at() {
    case $1 in
    A) BASE=http://127.0.0.1:$A_PORT PIN= ;;
    B) BASE=http://127.0.0.1:$B_PORT PIN= ;;
    LB) BASE=https://127.0.0.1:$LB_PORT PIN=$LB_PIN ;;
    esac
}
# log_lines NAME REGEX: how many lines of NAME's current access log match.
log_lines() { local log=${1}_LOG; grep -c -- "$2" "${!log}" 2>/dev/null; }

# ---- --trust-proxy takes exact IP addresses ----------------------------------------------------
expect_fail 2 'IP address' "--trust-proxy 10.0.0.0/8 (a range): usage error" \
    shroud serve --no-tls --listen 127.0.0.1:0 --trust-proxy 10.0.0.0/8
expect_fail 2 'IP address' "--trust-proxy proxy.example (a name): usage error" \
    shroud serve --no-tls --listen 127.0.0.1:0 --trust-proxy proxy.example
expect_fail 2 'at most 16' "--trust-proxy 17 times: usage error" \
    shroud serve --no-tls --listen 127.0.0.1:0 $(for i in $(seq 17); do printf -- '--trust-proxy 10.0.0.%d ' "$i"; done)

# ---- two servers started at the same moment on a fresh database ---------------------------------
launch A "$A_PORT"
launch B "$B_PORT"
up A
verdict $? "A starts on a fresh database at the same moment as B" "$(head -c 600 A.1.err)"
up B
verdict $? "B starts on a fresh database at the same moment as A" "$(head -c 600 B.1.err)"
check "... both banners name the PostgreSQL database" sh -c "grep -q 'database postgres' A.1.out && grep -q 'database postgres' B.1.out"
versions=$(psql -qtAX "$DB" -c "SELECT string_agg(version::text, ' ' ORDER BY version) FROM schema_version" 2>&1)
assert_eq "... schema_version holds each migration once, 1 to the last" "$versions" "$(seq -s ' ' 1 "${versions##* }" 2>/dev/null)"

# ---- nginx terminating TLS, round robin over A and B --------------------------------------------
mkdir -p ngx/logs ngx/temp
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
    -keyout ngx/key.pem -out ngx/cert.pem 2>/dev/null
LB_PIN=sha256//$(openssl pkey -in ngx/key.pem -pubout -outform der 2>/dev/null | openssl dgst -sha256 -binary | base64)
{
    [ "$(id -u)" = 0 ] && echo "user root;  # the test's directory is root's, mode 0700"
    cat <<EOF
worker_processes 1;
pid $WORK/ngx/nginx.pid;
error_log $WORK/ngx/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log $WORK/ngx/logs/access.log;
  client_body_temp_path $WORK/ngx/temp/body;
  proxy_temp_path $WORK/ngx/temp/proxy;
  fastcgi_temp_path $WORK/ngx/temp/fastcgi;
  uwsgi_temp_path $WORK/ngx/temp/uwsgi;
  scgi_temp_path $WORK/ngx/temp/scgi;
  upstream shroud {
    server 127.0.0.1:$A_PORT max_fails=1 fail_timeout=1s;
    server 127.0.0.1:$B_PORT max_fails=1 fail_timeout=1s;
  }
  server {
    listen 127.0.0.1:$LB_PORT ssl;
    ssl_certificate $WORK/ngx/cert.pem;
    ssl_certificate_key $WORK/ngx/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 64m;
    location / {
      proxy_pass http://shroud;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_bind 127.0.0.2;  # the servers' --trust-proxy; direct clients come from 127.0.0.1
      proxy_request_buffering off;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout;
    }
  }
}
EOF
} >ngx/nginx.conf
nginx -p "$WORK/ngx" -c "$WORK/ngx/nginx.conf" -e "$WORK/ngx/logs/error.log" -g 'daemon off;' \
    2>ngx/logs/stderr.log &
NGINX_PID=$!
at LB
for i in $(seq 100); do
    req GET /healthz
    [ "$STATUS" = 200 ] && break
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
done
expect_status "nginx answers /healthz over TLS (its pinned key)" 200 ||
    details "$(head -c 600 ngx/logs/stderr.log)" "$(tail -n 5 ngx/logs/error.log 2>/dev/null)"

a0=$(log_lines A 'GET /healthz')
b0=$(log_lines B 'GET /healthz')
for i in 1 2 3 4; do req GET /healthz; done
check "... round robin: 4 more requests through nginx reach A and B both" \
    test "$(log_lines A 'GET /healthz')" -gt "$a0" -a "$(log_lines B 'GET /healthz')" -gt "$b0"

# ---- accounts across the processes -------------------------------------------------------------
new_identity alice
pw='Alice: 7 lanterns over the harbour'
at A
post_json /api/register "$(jobj username alice password "$pw" public_key@ alice.pub)"
expect_status "register alice on A: 201" 201
at B
post_json /api/register "$(jobj username alice password "another password" public_key@ alice.pub)"
expect_error "register alice again on B: 409 (the same users table)" 409
at LB
post_json /api/login "$(jobj username alice password "$pw")"
expect_status "log in as alice through the balancer: 200" 200
TOKEN=$(json_get token <"$BODY")
for s in A B LB; do
    at $s
    req GET /api/me -H "Authorization: Bearer $TOKEN"
    expect_status "the session works on $s: /api/me 200" 200
    assert_eq "... as alice" "$(json_get username <"$BODY")" alice
done

# ---- images across the processes --------------------------------------------------------------
DATA_DIR=$CLI_TESTS/../data
expect_ok "a PNG signed by alice" shroud sign -i alice.id -o one.png "$DATA_DIR/camera.png"
sha256() { sha256sum -- "$1" | cut -c1-64; }
at B
req POST /api/images -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' --data-binary @one.png
expect_status "upload on B: 201" 201
ID1=$(json_get id <"$BODY")
assert_eq "... its id is the SHA-256" "$ID1" "$(sha256 one.png)"
at A
req GET /api/images
check "list on A: holds it" grep -q "\"$ID1\"" "$BODY"
req GET "/images/$ID1"
expect_status "download on A: 200" 200
assert_same_file "... the bytes uploaded on B" "$BODY" one.png

# ---- failed logins counted across both ---------------------------------------------------------
for s in A B A B A; do
    at $s
    post_json /api/login "$(jobj username alice password wrong)"
    [ "$STATUS" = 401 ] || break
done
expect_error "5 wrong passwords for alice, on A, B, A, B, A: 401 each" 401
for s in A B LB; do
    at $s
    post_json /api/login "$(jobj username alice password "$pw")"
    expect_error "then the right password on $s: 429 (one counter for both)" 429
done

# ---- delete through the balancer -------------------------------------------------------------
# (A downloaded the image above, so it holds it in its image cache: the
# cache must not answer for an image deleted through another process.)
at LB
req DELETE "/api/images/$ID1" -H "Authorization: Bearer $TOKEN"
expect_status "delete through the balancer: 204" 204
for s in A B; do
    at $s
    req GET "/images/$ID1"
    expect_error "... then the download on $s: 404" 404
done
assert_eq "... and its bytes are gone from blobs" \
    "$(psql -qtAX "$DB" -c "SELECT count(*) FROM blobs WHERE id = '$ID1'" 2>&1)" 0

# ---- --trust-proxy: clients behind nginx throttled apart -------------------------------------------
# nginx connects from 127.0.0.2 (trusted) and appends its client's address to
# X-Forwarded-For; "clients" are curl bound to 127.0.0.3, .4 and .5.
at B
post_json /api/register "$(jobj username dora password "$pw" public_key@ alice.pub)"
expect_status "register dora: 201" 201
at LB
for i in $(seq -w 1 20); do
    post_json /api/login "$(jobj username "nobody$i" password wrong)" --interface 127.0.0.3
    [ "$STATUS" = 401 ] || break
done
expect_error "client 127.0.0.3: 20 failed logins through nginx (over 20 usernames): 401 each" 401
post_json /api/login "$(jobj username dora password "$pw")" --interface 127.0.0.3
expect_error "... then dora's right password from 127.0.0.3: 429 (its address is throttled)" 429
post_json /api/login "$(jobj username dora password "$pw")" --interface 127.0.0.3 -H 'X-Forwarded-For: 127.0.0.4'
expect_error "... also when it sends X-Forwarded-For: 127.0.0.4 (nginx appends the real one)" 429
post_json /api/login "$(jobj username dora password "$pw")" --interface 127.0.0.4
expect_status "client 127.0.0.4 through the same nginx: dora logs in, 200 (another counter)" 200
at A
post_json /api/login "$(jobj username dora password "$pw")" --interface 127.0.0.5 -H 'X-Forwarded-For: 127.0.0.3' -H 'X-Real-IP: 127.0.0.3'
expect_status "a direct client (127.0.0.5, not a trusted proxy) claiming X-Forwarded-For 127.0.0.3: ignored, 200" 200
check "A's access log names the clients behind nginx, not nginx" \
    grep -qE ' 127\.0\.0\.[34] POST /api/login ' "$A_LOG"
check "... and the direct client by its own address" grep -q ' 127.0.0.5 POST /api/login' "$A_LOG"
nginx_lines=$(grep -hE ' 127\.0\.0\.2 (GET|HEAD|POST|DELETE) ' "$A_LOG" "$B_LOG")
[ -z "$nginx_lines" ]
verdict $? "... never nginx's 127.0.0.2" "$(head -n 5 <<<"$nginx_lines")"

# ---- kill -9 A in the middle of uploads through the balancer --------------------------------------
N=24
"$PY" - "$N" <<'EOF'
import struct, sys, zlib, random
for i in range(1, int(sys.argv[1]) + 1):
    rnd = random.Random(i)
    w = h = 64
    raw = b"".join(b"\0" + bytes(rnd.getrandbits(8) for _ in range(w)) for _ in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open("u%d.png" % i, "wb").write(png)
EOF
signed=0
for i in $(seq "$N"); do "$SHROUD" sign -i alice.id -o "s$i.png" "u$i.png" 2>/dev/null && signed=$((signed + 1)); done
assert_eq "$N distinct signed PNGs to upload" "$signed" "$N"

# One upload after the other through the balancer, each line of results
# "I STATUS"; A is killed once 8 are answered.
: >results
(
    for i in $(seq "$N"); do
        s=$(curl -sS --max-time 20 -k --pinnedpubkey "$LB_PIN" -o "r$i.json" -w '%{http_code}' \
            -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' --data-binary "@s$i.png" \
            "https://127.0.0.1:$LB_PORT/api/images" 2>/dev/null)
        echo "$i $s" >>results
    done
) &
LOOP_PID=$!
for i in $(seq 600); do
    [ "$(wc -l <results 2>/dev/null || echo 0)" -ge 8 ] && break
    sleep 0.05
done
kill -9 "$A_PID"
at_kill=$(wc -l <results)
wait "$A_PID" 2>/dev/null
A_PID=
at B
req GET /healthz
expect_status "A killed (-9) mid-loop: B answers directly" 200
wait "$LOOP_PID"
LOOP_PID=
check "... the loop was still running when A died ($at_kill of $N answered)" test "$at_kill" -lt "$N"
assert_eq "... the loop ran all $N uploads" "$(wc -l <results)" "$N"
check "... A had answered some uploads before it died" test "$(log_lines A 'POST /api/images')" -gt 0
ok_ids=() failed=()
while read -r i s; do
    if [[ $s == 2* ]]; then ok_ids+=("$(sha256 "s$i.png")"); else failed+=("$i:$s"); fi
done <results
check "... at most one upload failed (the one A held when it died; nginx passes the others to B): failed ${failed[*]:-none}" \
    test "${#failed[@]}" -le 1
check "... every upload after the kill got 2xx (failover)" \
    sh -c "tail -n 8 results | awk '\$2 !~ /^2/ { exit 1 }'"
check "... nginx did find A dead (its error log)" grep -q "127.0.0.1:$A_PORT" ngx/logs/error.log

at LB
req GET "/api/images?per_page=100"
expect_status "the gallery through the balancer: 200" 200
listed=$("$PY" -c 'import json, sys; print(" ".join(i["id"] for i in json.load(open(sys.argv[1]))["images"]))' "$BODY" 2>/dev/null)
missing=()
for id in "${ok_ids[@]}"; do [[ " $listed " == *" $id "* ]] || missing+=("$id"); done
check "... lists every upload that got a 2xx (${#ok_ids[@]}): missing ${missing[*]:-none}" test ${#missing[@]} -eq 0
bad=()
for id in $listed; do
    known=
    for i in $(seq "$N"); do [ "$(sha256 "s$i.png")" = "$id" ] && known=1 && break; done
    at B
    req GET "/images/$id"
    if [ -z "$known" ] || [ "$STATUS" != 200 ] || [ "$(sha256 "$BODY")" != "$id" ]; then bad+=("$id:$STATUS"); fi
done
check "... every listed image is one of ours and downloads intact from B: bad ${bad[*]:-none}" test ${#bad[@]} -eq 0
assert_eq "... every row of images has its bytes in blobs" \
    "$(psql -qtAX "$DB" -c 'SELECT count(*) FROM images i WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.id = i.id)' 2>&1)" 0

# ---- A restarted rejoins ------------------------------------------------------------------------
ok=1
for try in 1 2 3; do
    launch A "$A_PORT"
    up A && ok=0 && break
    sleep 0.5
done
verdict $ok "A restarted on its port" "$(head -c 600 "$A_LOG")"
at A
req GET /api/me -H "Authorization: Bearer $TOKEN"
expect_status "... alice's session works on it" 200
sleep 1.5 # nginx's fail_timeout: it tries A again
at LB
for i in 1 2 3 4 5 6; do req GET /healthz; done
check "... and nginx sends it requests again" test "$(log_lines A 'GET /healthz')" -gt 0

kill -TERM "$NGINX_PID"
wait "$NGINX_PID" 2>/dev/null
NGINX_PID=
for n in A B; do
    pid=${n}_PID
    kill -TERM "${!pid}"
    wait "${!pid}"
    verdict $? "$n stops on SIGTERM with status 0"
    printf -v "${n}_PID" %s ''
done
finish
