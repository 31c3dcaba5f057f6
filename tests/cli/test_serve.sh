#!/usr/bin/env bash
# test_serve.sh — shroud serve as a real process on 127.0.0.1, driven with
# curl: the certificate made on first start (files, modes, pin), pinning,
# routes and their JSON errors, keep-alive, the access log, graceful stop on
# SIGTERM and SIGINT, restart with the same certificate, --no-tls, given
# certificates, and the start-up errors.
#
#     bash test_serve.sh /path/to/shroud
. "$(dirname "$0")/lib.sh" "$@"

command -v curl >/dev/null || { echo "test_serve.sh: curl is needed (scripts/install-deps)" >&2; exit 1; }

. "$CLI_TESTS/server_lib.sh"

get() { curl -sS --max-time 10 -k --pinnedpubkey "$PIN" "$@"; }

# ---- first start: a certificate is made and kept ----------------------------------------
start_server --data data
check "the server starts and prints its URL" test -n "$PORT"
check "the banner gives the pin in curl's syntax" test -n "$PIN"
check "the banner says the certificate was made" grep -q "made on this start" "$SERVER_LOG"
check "... and gives its SHA-256 fingerprint" \
    grep -Eq "certificate SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}" "$SERVER_LOG"
assert_mode "data directory is 0700" data 700
assert_mode "TLS key is 0600" data/tls/key.pem 600
check "the certificate is ECDSA P-256" \
    sh -c "openssl x509 -in data/tls/cert.pem -noout -text | grep -q 'prime256v1'"
check "the certificate names localhost and 127.0.0.1" \
    sh -c "openssl x509 -in data/tls/cert.pem -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1'"
want_pin="sha256//$(openssl x509 -in data/tls/cert.pem -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)"
assert_eq "the pin is SHA-256 of the SubjectPublicKeyInfo" "$PIN" "$want_pin"
want_fp=$(openssl x509 -in data/tls/cert.pem -noout -fingerprint -sha256 | sed 's/.*=//')
check "the fingerprint is the certificate's SHA-256" grep -q "$want_fp" "$SERVER_LOG"

# ---- routes -------------------------------------------------------------------------------
assert_eq "GET /healthz over pinned TLS" "$(get "https://127.0.0.1:$PORT/healthz")" '{"status":"ok"}'
assert_eq "... as JSON" \
    "$(get -o /dev/null -w '%{content_type}' "https://127.0.0.1:$PORT/healthz")" "application/json"
assert_eq "an unknown route: 404" \
    "$(get -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/nope")" "404"
check "... with a JSON error" sh -c "curl -sk https://127.0.0.1:$PORT/nope | grep -q '\"error\"'"
assert_eq "POST /healthz: 405" \
    "$(get -o /dev/null -w '%{http_code}' -X POST -d x "https://127.0.0.1:$PORT/healthz")" "405"
curl -sS --max-time 10 -k --pinnedpubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" \
    "https://127.0.0.1:$PORT/healthz" >/dev/null 2>&1
assert_eq "a client pinning another key is refused by its TLS check" "$?" "90"
curl -sk -v "https://127.0.0.1:$PORT/healthz" "https://127.0.0.1:$PORT/healthz" >/dev/null \
    2>"$WORK/keepalive.log"
check "two requests share one keep-alive connection" \
    grep -q "Re-using existing connection" "$WORK/keepalive.log"
check "no 'Connection: close' from the server" \
    sh -c "! grep -qi '< Connection: close' '$WORK/keepalive.log'"
# in_log N REGEX: the access log has at least N lines matching REGEX, within 5 s
# (a line is written when the request completes, which may be just after
# the client has its answer).
in_log() {
    local i
    for i in $(seq 50); do
        [ "$(grep -Ec -- "$2" "$SERVER_LOG")" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
check "one access-log line per request" in_log 4 'GET /healthz 200'
check "the log line has the client address, method, path, status and bytes" \
    in_log 1 "^[0-9T:-]+Z 127\.0\.0\.1 GET /nope 404 [0-9]+ [0-9.]+ms$"
curl -sk "https://127.0.0.1:$PORT/a%0Ab%20c" >/dev/null
check "a path with a newline stays on one log line" in_log 1 "GET /a_b_c 404"

# ---- /metrics (Prometheus text) -----------------------------------------------------------
get -D "$WORK/metrics.h" -o "$WORK/metrics.txt" "https://127.0.0.1:$PORT/metrics"
check "/metrics is Prometheus text" grep -qi "^content-type: text/plain; version=0.0.4" "$WORK/metrics.h"
check "... counts the 200s so far" \
    sh -c "grep -Eq '^shroud_http_requests_total\{code=\"200\"\} ([4-9]|[1-9][0-9]+)\$' '$WORK/metrics.txt'"
check "... and the 404s and 405s" \
    sh -c "grep -q 'code=\"404\"' '$WORK/metrics.txt' && grep -q 'code=\"405\"' '$WORK/metrics.txt'"
check "... has a latency histogram ending in +Inf = count" \
    sh -c "inf=\$(sed -n 's/.*le=\"+Inf\"} //p' '$WORK/metrics.txt'); cnt=\$(sed -n 's/^shroud_http_request_duration_seconds_count //p' '$WORK/metrics.txt'); [ -n \"\$inf\" ] && [ \"\$inf\" = \"\$cnt\" ]"
check "... and the upload counter" grep -q "^shroud_uploads_total 0$" "$WORK/metrics.txt"
check "every metric has its TYPE line" \
    sh -c "for m in shroud_http_requests_total shroud_http_errors_total shroud_http_request_duration_seconds shroud_uploads_total; do grep -q \"^# TYPE \$m \" '$WORK/metrics.txt' || exit 1; done"

stop_server TERM
assert_eq "SIGTERM: exit 0" "$RC" "0"
check "... after saying it stops" grep -q "stopped" "$SERVER_ERR"

# ---- restart: the same certificate, so pins stay valid ------------------------------------
old_pin=$PIN
start_server --data data
assert_eq "a restart keeps the pin" "$PIN" "$old_pin"
check "... and does not make a new certificate" sh -c "! grep -q 'made on this start' '$SERVER_LOG'"
assert_eq "... and serves" "$(get "https://127.0.0.1:$PORT/healthz")" '{"status":"ok"}'
stop_server INT
assert_eq "SIGINT: exit 0" "$RC" "0"

# ---- given certificate, plain HTTP --------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout own.key -out own.crt \
    -days 2 -subj /CN=own -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
start_server --data data2 --tls-cert own.crt --tls-key own.key
own_pin="sha256//$(openssl x509 -in own.crt -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)"
assert_eq "--tls-cert/--tls-key: that certificate's pin" "$PIN" "$own_pin"
assert_eq "... serves" "$(get "https://127.0.0.1:$PORT/healthz")" '{"status":"ok"}'
check "... and makes no certificate of its own" test ! -e data2/tls
stop_server TERM

start_server --data data3 --no-tls
assert_eq "--no-tls: plain HTTP" "$(curl -sS --max-time 10 "http://127.0.0.1:$PORT/healthz")" \
    '{"status":"ok"}'
check "... and no TLS files" test ! -e data3/tls
busy=$PORT

# ---- start-up errors ----------------------------------------------------------------------
expect_fail 1 "cannot listen" "a port in use: a clear error" \
    shroud serve --listen "127.0.0.1:$busy" --no-tls --data data3
stop_server TERM
# ---- --db: the database elsewhere -------------------------------------------------------------
start_server --data data4 --no-tls --db "sqlite:$WORK/elsewhere.db"
check "--db sqlite:PATH: the database is there" test -s "$WORK/elsewhere.db"
check "... and not in the data directory" test ! -e data4/shroud.db
check "the banner names it" grep -q "database $WORK/elsewhere.db" "$SERVER_LOG"
stop_server TERM
start_server --data data4 --no-tls --db "$WORK/elsewhere.db"
check "--db PATH (no scheme) opens the same database" test ! -e data4/shroud.db
assert_eq "... and it answers" "$(curl -sS --max-time 10 "http://127.0.0.1:$PORT/healthz")" \
    '{"status":"ok"}'
stop_server TERM
# --db postgres:// (the server itself: tests/cli/CMakeLists.txt runs the API
# scripts on PostgreSQL, *_pg); here what needs no server. Port 1: nothing listens.
expect_fail 1 "cannot connect to PostgreSQL" "--db postgres://: an unreachable server, said so" \
    shroud serve --listen 127.0.0.1:0 --no-tls --db postgres://u:sekrit-pw@127.0.0.1:1/db --data d
check "... without the password" test "$(grep -c sekrit-pw "$ERR")" = 0
expect_fail 1 "cannot connect to PostgreSQL" "--db postgresql:// too" \
    shroud serve --listen 127.0.0.1:0 --no-tls --db postgresql://u:sekrit-pw@127.0.0.1:1/db --data d
check "... without the password" test "$(grep -c sekrit-pw "$ERR")" = 0
expect_fail 2 "--blobs takes a directory" "--blobs ''" shroud serve --blobs '' --data d
# --blobs DIR: image files elsewhere (SQLite here).
start_server --data data5 --no-tls --blobs "$WORK/blobs5"
check "--blobs DIR: the directory is made" test -d "$WORK/blobs5"
assert_mode "... mode 0700" "$WORK/blobs5" 700
check "... and no data5/images" test ! -e data5/images
check "the banner says where images live" grep -q "^  images in $WORK/blobs5;" "$SERVER_LOG"
stop_server TERM
expect_fail 1 "image directory" "--blobs under a file: a clear error" \
    shroud serve --listen 127.0.0.1:0 --no-tls --blobs "$WORK/elsewhere.db/images" --data d
expect_fail 2 "needs a PATH" "--db sqlite: without a path" shroud serve --db sqlite: --data d
expect_fail 1 "elsewhere|directory|open" "--db in a directory that does not exist" \
    shroud serve --listen 127.0.0.1:0 --no-tls --db "sqlite:$WORK/no/such/dir/x.db" --data d

expect_fail 2 "HOST:PORT" "a malformed --listen" shroud serve --listen nowhere --data d

# ---- [::]:PORT: IPv6 and IPv4 clients; a proxy is the same address either way -------------------
"$SHROUD" serve --listen '[::]:0' --no-tls --data dual --trust-proxy 127.0.0.1 >dual.out 2>dual.err &
dual_pid=$!
for i in $(seq 100); do grep -q "listening on" dual.out 2>/dev/null && break; sleep 0.1; done
dual_port=$(sed -n 's|.*listening on http://\[::\]:\([0-9]*\)/.*|\1|p' dual.out)
check "--listen [::]:0 starts" test -n "$dual_port"
check "... an IPv4 client gets through" curl -sf -o /dev/null "http://127.0.0.1:$dual_port/healthz"
check "... an IPv6 client too" curl -sf -o /dev/null "http://[::1]:$dual_port/healthz"
curl -sf -o /dev/null -H "X-Forwarded-For: 203.0.113.77" "http://127.0.0.1:$dual_port/healthz"
curl -sf -o /dev/null -I -H "X-Forwarded-For: 203.0.113.78" "http://[::1]:$dual_port/healthz"
kill -TERM "$dual_pid"
wait "$dual_pid"
check "... the IPv4 proxy (seen as ::ffff:127.0.0.1) names its client" \
    grep -q " 203\.0\.113\.77 GET /healthz 200" dual.out
check "... an untrusted IPv6 peer does not" grep -q " ::1 HEAD /healthz 200" dual.out
check "... and IPv4 peers are logged as IPv4" grep -q " 127\.0\.0\.1 GET /healthz 200" dual.out
expect_fail 2 "both" "--tls-cert without --tls-key" shroud serve --tls-cert own.crt --data d
expect_fail 2 "exclude" "--no-tls with a certificate" \
    shroud serve --no-tls --tls-cert own.crt --tls-key own.key --data d
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key >/dev/null 2>&1
expect_fail 1 "does not belong" "a key that is not the certificate's" \
    shroud serve --listen 127.0.0.1:0 --tls-cert own.crt --tls-key other.key --data d
expect_fail 1 "cannot read" "a missing certificate file" \
    shroud serve --listen 127.0.0.1:0 --tls-cert missing.crt --tls-key own.key --data d
printf 'garbage' >bad.pem
expect_fail 1 "not a PEM" "a certificate file that is not PEM" \
    shroud serve --listen 127.0.0.1:0 --tls-cert bad.pem --tls-key own.key --data d
expect_fail 2 "unexpected" "a stray argument" shroud serve extra
expect_ok "--help" shroud serve --help
check "--help says what it serves today" grep -q "healthz" "$OUT"

finish
