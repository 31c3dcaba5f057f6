#!/usr/bin/env bash
# test_serve_accounts.sh — the accounts API of shroud serve (docs/API.md),
# driven with curl against a real server process: registration and its
# validation (content type, size, JSON, username, password, public key),
# login (token, cookie), /api/me by bearer token and by cookie, logout,
# 405s, session expiry (--session-ttl), throttling by username and by client
# address, persistence across a restart, and that neither the database nor
# the access log holds a password or a token.
#
#     bash test_serve_accounts.sh /path/to/shroud
. "$(dirname "$0")/lib.sh" "$@"

command -v curl >/dev/null || { echo "test_serve_accounts.sh: curl is needed (scripts/install-deps)" >&2; exit 1; }
export PYTHONUTF8=1

# ---- the server process (same approach as test_serve.sh) --------------------------------
. "$CLI_TESTS/server_lib.sh"
[ -x "$PY" ] || { echo "test_serve_accounts.sh: $PY is needed" >&2; exit 1; }

# ---- HTTP and JSON helpers --------------------------------------------------------------
TOKENS=$WORK/tokens          # every token handed out, one a line
SECRETS=$WORK/passwords      # passwords that must not be stored or logged, one a line
: >"$TOKENS"
: >"$SECRETS"

# register USER PASSWORD PUBKEY_FILE [CURL_ARGS...]: POST /api/register.
register() {
    post_json /api/register "$(jobj username "$1" password "$2" public_key@ "$3")" "${@:4}"
}
# login USER PASSWORD [CURL_ARGS...]: POST /api/login; remembers the token.
login() {
    post_json /api/login "$(jobj username "$1" password "$2")" "${@:3}"
    json_get token <"$BODY" >>"$TOKENS" 2>/dev/null
    return 0
}
me() { req GET /api/me "$@"; }

# key NAME: a fresh native key pair in keys/NAME.id and keys/NAME.pub (the
# 'shroudpk1...' line without its newline).
mkdir -p keys
key() {
    "$SHROUD" keygen -o "keys/$1.id" 2>/dev/null | tr -d '\n' >"keys/$1.pub"
}
# secret PASSWORD: remembers it for the checks of the database and the logs.
secret() { printf '%s\n' "$1" >>"$SECRETS"; }

# repeat TEXT N: TEXT N times.
repeat() { "$PY" -c 'import sys; print(sys.argv[1] * int(sys.argv[2]), end="")' "$1" "$2"; }

# ---- keys ---------------------------------------------------------------------------------
key alice
check "keygen gives a shroudpk1 line" grep -q '^shroudpk1' keys/alice.pub
printf 'signed\n' >signed.txt
"$SHROUD" sign -i keys/alice.id signed.txt >/dev/null 2>&1
alice_kid=$("$SHROUD" verify --json -k keys/alice.pub signed.txt | json_get key_id)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/bob.key 2>/dev/null
openssl pkey -in keys/bob.key -pubout -out keys/bob.pub 2>/dev/null
bob_kid=$("$SHROUD" verify --json -k keys/bob.pub signed.txt | json_get key_id)
check "key ids from shroud verify --json" \
    sh -c "echo '$alice_kid $bob_kid' | grep -Eq '^[0-9a-f]{16} [0-9a-f]{16}$'"
key spare # never registered: the key of requests that must fail

# =========================================================================================
start_server --data data
check "the server starts" test -n "$PORT"
req GET /healthz
assert_eq "GET /healthz" "$STATUS $(cat "$BODY")" '200 {"status":"ok"}'

# ---- register: success --------------------------------------------------------------------
pw_alice='Alice-pw: correct horse 7'
secret "$pw_alice"
register alice "$pw_alice" keys/alice.pub
expect_status "register alice (shroudpk key): 201" 201
assert_eq "... as JSON" "$(header Content-Type | cut -d';' -f1)" application/json
assert_eq "... with her username" "$(json_get username <"$BODY")" alice
reg_kid=$(json_get key_id <"$BODY")
check "... and a key_id of 16 lowercase hex digits" grep -Eqx '[0-9a-f]{16}' <<<"$reg_kid"
assert_eq "... the key's id as shroud verify --json gives it" "$reg_kid" "$alice_kid"

pw_bob='Bob-pw: Tr0ub4dor&3 rsa'
secret "$pw_bob"
register bob "$pw_bob" keys/bob.pub
expect_status "register bob (RSA public key in PEM): 201" 201
assert_eq "... key_id as shroud verify --json gives it" "$(json_get key_id <"$BODY")" "$bob_kid"

register alice 'Another-pw 12' keys/spare.pub
expect_error "a taken username: 409" 409
register bob "$pw_bob" keys/bob.pub
expect_error "... even with the same password and key" 409

# ---- content type, size, JSON ---------------------------------------------------------------
key carol
pw_carol='Carol-pw 3.14159'
secret "$pw_carol"
ok_body=$(jobj username carol password "$pw_carol" public_key@ keys/carol.pub)
req POST /api/register --data-binary "$ok_body"
expect_error "register with a form Content-Type: 415" 415
req POST /api/register -H 'Content-Type:' --data-binary "$ok_body"
expect_error "register without Content-Type: 415" 415
req POST /api/register -H 'Content-Type: text/plain' --data-binary "$ok_body"
expect_error "register with text/plain: 415" 415
req POST /api/register -H 'Content-Type: application/json; charset=utf-8' --data-binary "$ok_body"
expect_status "application/json; charset=utf-8 is accepted: 201" 201

# bodies of exactly 64 KiB (accepted, then judged) and one byte more (413)
sized_body() { # SIZE: a register body of SIZE bytes whose public key is junk
    "$PY" -c '
import json, sys
n = int(sys.argv[1])
d = {"username": "bigbody", "password": "Big-body pw 42", "public_key": ""}
d["public_key"] = "x" * (n - len(json.dumps(d)))
s = json.dumps(d)
assert len(s) == n
sys.stdout.write(s)' "$1"
}
sized_body 65536 >body64k.json
sized_body 65537 >body64k1.json
req POST /api/register -H 'Content-Type: application/json' --data-binary @body64k.json
expect_error "a 64 KiB body is read (then refused for its public key: 400)" 400 "public key"
# The server answers 413 as soon as it sees the Content-Length, then closes the
# connection. A client that waits for "100 Continue" always reads that answer;
# one that sends the body at once may (rarely) get a connection reset before it
# reads the answer, so that case is allowed 3 attempts.
post_big() { # PATH FILE [CURL_ARGS...]
    req POST "$1" -H 'Content-Type: application/json' --data-binary "@$2" "${@:3}"
}
post_big /api/register body64k1.json -H 'Expect: 100-continue'
expect_error "64 KiB + 1 byte: 413 (Expect: 100-continue)" 413
for i in 1 2 3; do
    post_big /api/register body64k1.json
    [ "$STATUS" = 000 ] || break
done
expect_error "... sent at once: 413 (attempts: $i)" 413
sized_body 300000 >body300k.json
post_big /api/register body300k.json -H 'Expect: 100-continue'
expect_error "300 kB: 413" 413
post_big /api/register body300k.json -H 'Transfer-Encoding: chunked'
expect_error "300 kB chunked (no length announced): 413" 413
req GET /healthz
expect_status "... and the server still answers" 200

for bad in '{"username": "dora", "password": ' '[1, 2]' '"alice"' '' 'null' \
    '{"username": "dora", "password": "Dora-pw 1234"} junk'; do
    post_json /api/register "$bad"
    expect_error "register body '$bad': 400" 400
done
post_json /api/register "$(jobj username dora password 'Dora-pw 1234')"
expect_error "missing public_key: 400 naming it" 400 "public.key"
post_json /api/register "$(jobj password 'Dora-pw 1234' public_key@ keys/spare.pub)"
expect_error "missing username: 400 naming it" 400 "username"
post_json /api/register "$(jobj username dora public_key@ keys/spare.pub)"
expect_error "missing password: 400 naming it" 400 "password"
post_json /api/register "{\"username\": 5, \"password\": \"Dora-pw 1234\", \"public_key\": \"$(cat keys/spare.pub)\"}"
expect_error "a username that is not a string: 400" 400 "username"
post_json /api/register "{\"username\": \"dora\", \"password\": [\"Dora-pw 1234\"], \"public_key\": \"$(cat keys/spare.pub)\"}"
expect_error "a password that is not a string: 400" 400 "password"
post_json /api/register "{\"username\": \"dora\", \"password\": \"Dora-pw 1234\", \"public_key\": null}"
expect_error "a public_key that is not a string: 400" 400 "public.key"
post_json /api/register "$(printf '{"username": "dora", "password": "Dora-pw \xff\xfe 1234", "public_key": "%s"}' "$(cat keys/spare.pub)")"
expect_error "invalid UTF-8 in the body: 400" 400

# ---- usernames ------------------------------------------------------------------------------
for bad in ab "$(repeat a 33)" Alice 'al ice' 'al@ice' 'alicé' '' 'a/b'; do
    register "$bad" 'Some-pw 1234' keys/spare.pub
    expect_error "username '$bad': 400" 400 "username"
done
for good in abc "$(repeat z 32)" a.b_c-9; do
    key "u$good"
    register "$good" "Good-pw for $good" "keys/u$good.pub"
    expect_status "username '$good': 201" 201
done

# ---- passwords ------------------------------------------------------------------------------
pw_try() { # DESC PASSWORD CODE [REGEX]: registers a fresh user with PASSWORD
    local n=pw$((++PW_N))
    key "$n"
    register "$n" "$2" "keys/$n.pub"
    if [ "$3" = 201 ]; then expect_status "$1: 201" 201; else expect_error "$1: $3" "$3" "${4:-password}"; fi
}
PW_N=0
pw_try "password of 7 characters" 'Zq8#mK2' 400
pw_try "password of 8 characters" 'Zq8#mK2!' 201
secret 'Zq8#mK2!'
pw_try "password of 7 two-byte characters (14 bytes)" "$(repeat é 7)" 400
pw_try "password of 8 two-byte characters" "$(repeat é 8)" 201
pw_try "password of 1024 two-byte characters (2048 bytes)" "$(repeat ж 1024)" 201
pw_try "password of 1025 two-byte characters" "$(repeat ж 1025)" 400
long_pw=$(repeat 'Long-pw-' 128)
pw_try "password of 1024 characters" "$long_pw" 201
secret "$long_pw"
pw_try "password of 1025 characters" "${long_pw}x" 400
for common in password 12345678 qwertyuiop iloveyou PassWord QWERTYUIOP; do
    pw_try "a common password ('$common')" "$common" 400
done
register dave1234 dave1234 keys/spare.pub
expect_error "a password equal to the username: 400" 400 "password"

# \u escapes are decoded: 8 emoji written as surrogate pairs are 8 characters
key emoji
emoji_pw=$(repeat '😀' 8)
post_json /api/register "{\"username\": \"emoji\", \"password\": \"$(repeat '\ud83d\ude00' 8)\", \"public_key\": \"$(cat keys/emoji.pub)\"}"
expect_status "a password of 8 \\u-escaped surrogate pairs: 201" 201
post_json /api/register "{\"username\": \"emoji7\", \"password\": \"$(repeat '\ud83d\ude00' 7)\", \"public_key\": \"$(cat keys/spare.pub)\"}"
expect_error "... 7 of them (28 bytes): 400" 400 "password"

# ---- public keys ----------------------------------------------------------------------------
pk_try() { # DESC FILE
    register "pk$((++PK_N))" "Pk-test pw 77" "$2"
    expect_error "public key: $1: 400" 400 "public key"
}
PK_N=0
printf 'hello' >pk.junk
pk_try "junk" pk.junk
: >pk.empty
pk_try "empty" pk.empty
spare=$(cat keys/spare.pub)
printf '%s' "${spare%?}" >pk.short
pk_try "a shroudpk line one character short" pk.short
if [ "${spare:20:1}" = q ]; then swap=p; else swap=q; fi
printf '%s%s%s' "${spare:0:20}" "$swap" "${spare:21}" >pk.flipped
pk_try "a shroudpk line with one character changed" pk.flipped
head -n 3 keys/bob.pub >pk.truncated
pk_try "a truncated PEM key" pk.truncated
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout >pk.ec 2>/dev/null
pk_try "an EC public key in PEM" pk.ec
pk_try "an RSA private key" keys/bob.key

# ---- login ----------------------------------------------------------------------------------
t0=$(date +%s)
login alice "$pw_alice"
expect_status "login: 200" 200
assert_eq "... as JSON" "$(header Content-Type | cut -d';' -f1)" application/json
tok_a1=$(json_get token <"$BODY")
check "... a token of 43 base64url characters" grep -Eqx '[A-Za-z0-9_-]{43}' <<<"$tok_a1"
assert_eq "... the username" "$(json_get username <"$BODY")" alice
exp=$(json_get expires <"$BODY")
check "... expires: a number of seconds, now + 604800" \
    "$PY" -c "import sys; e = $exp; sys.exit(not (isinstance(e, int) and $t0 + 604800 - 5 <= e <= $(date +%s) + 604800 + 5))"
cookie_is() { # SET_COOKIE TOKEN ATTRIBUTES: "name=value; attr; ..." in any attribute order
    "$PY" -c '
import sys
parts = [p.strip() for p in sys.argv[1].split(";")]
want = [p.strip() for p in sys.argv[3].split(";")]
ok = parts[0] == "shroud_session=" + sys.argv[2] and sorted(p.lower() for p in parts[1:]) == sorted(w.lower() for w in want)
sys.exit(0 if ok else 1)' "$@"
}
set_cookie=$(header Set-Cookie)
cookie_is "$set_cookie" "$tok_a1" "Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=604800"
verdict $? "... and Set-Cookie: shroud_session=TOKEN; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=604800" \
    "got: $set_cookie"
login alice "$pw_alice"
tok_a2=$(json_get token <"$BODY")
check "a second login: another token" test -n "$tok_a2" -a "$tok_a2" != "$tok_a1"
login bob "$pw_bob"
expect_status "login with the RSA user: 200" 200
tok_b=$(json_get token <"$BODY")
login emoji "$emoji_pw"
expect_status "login with the 8-emoji password sent as raw UTF-8: 200" 200

pw_wrong='Wrong-pw: not alices 99'
secret "$pw_wrong"
login alice "$pw_wrong"
expect_error "a wrong password: 401" 401 '^wrong username or password$'
login nobody "$pw_wrong"
expect_error "an unknown user: 401, the same text" 401 '^wrong username or password$'
req POST /api/login --data-binary "$(jobj username alice password "$pw_alice")"
expect_error "login with a form Content-Type: 415" 415
post_big /api/login body64k1.json -H 'Expect: 100-continue'
expect_error "login with 64 KiB + 1 byte: 413" 413
post_json /api/login '{"username": "alice"'
expect_error "login with malformed JSON: 400" 400
post_json /api/login "$(jobj username alice)"
expect_error "login without a password: 400 naming it" 400 password
post_json /api/login '{"username": ["alice"], "password": "x"}'
expect_error "login with a username that is not a string: 400" 400 username

# ---- me ---------------------------------------------------------------------------------------
me -H "Authorization: Bearer $tok_a1"
expect_status "GET /api/me with a bearer token: 200" 200
assert_eq "... her username" "$(json_get username <"$BODY")" alice
assert_eq "... her public key" "$(json_get public_key <"$BODY")" "$(cat keys/alice.pub)"
assert_eq "... its key_id" "$(json_get key_id <"$BODY")" "$alice_kid"
me -H "Cookie: shroud_session=$tok_a2"
expect_status "... with the cookie: 200" 200
assert_eq "... her username" "$(json_get username <"$BODY")" alice
me -H "Cookie: theme=dark; shroud_session=$tok_a2; lang=en"
expect_status "... with the cookie among others: 200" 200
me -H "Authorization: Bearer $tok_b"
assert_eq "bob's token: bob, his PEM key and its key_id" \
    "$(json_get username <"$BODY") $(json_get public_key <"$BODY" | sed -n 1p) $(json_get key_id <"$BODY")" \
    "bob -----BEGIN PUBLIC KEY----- $bob_kid"
me
expect_error "GET /api/me without a session: 401" 401
check "... with WWW-Authenticate: Bearer" grep -Eq '^Bearer' <<<"$(header WWW-Authenticate)"
me -H "Authorization: Bearer $(repeat A 43)"
expect_error "... with an unknown token: 401" 401
check "... with WWW-Authenticate: Bearer" grep -Eq '^Bearer' <<<"$(header WWW-Authenticate)"
me -H "Authorization: Bearer ${tok_a1%?}"
expect_error "... with a token missing its last character: 401" 401
me -H "Authorization: Basic $(printf 'alice:%s' "$pw_alice" | base64 -w0)"
expect_error "... with Basic credentials: 401" 401
me -H "Cookie: shroud_session="
expect_error "... with an empty cookie: 401" 401

# ---- logout -----------------------------------------------------------------------------------
req POST /api/logout
expect_error "logout without a session: 401" 401
req POST /api/logout -H "Authorization: Bearer $(repeat B 43)"
expect_error "logout with an unknown token: 401" 401
req POST /api/logout -H "Authorization: Bearer $tok_a1"
expect_status "logout with a bearer token: 204" 204
check "... and no body" test ! -s "$BODY"
me -H "Authorization: Bearer $tok_a1"
expect_error "the logged-out token: 401 on /api/me" 401
me -H "Cookie: shroud_session=$tok_a1"
expect_error "... also as a cookie" 401
req POST /api/logout -H "Authorization: Bearer $tok_a1"
expect_error "... and on a second logout" 401

# ---- other methods ------------------------------------------------------------------------------
allow_has() { grep -Eqi "(^|[ ,])$1([ ,]|$)" <<<"$(header Allow)"; }
for mp in "GET /api/register POST" "PUT /api/register POST" "GET /api/login POST" \
    "DELETE /api/login POST" "GET /api/logout POST" "POST /api/me GET" "DELETE /api/me GET"; do
    read -r m p allowed <<<"$mp"
    req "$m" "$p" -H "Authorization: Bearer $tok_a2"
    expect_error "$m $p: 405" 405
    allow_has "$allowed"
    verdict $? "... Allow: $allowed" "Allow: $(header Allow)"
done
me -H "Authorization: Bearer $tok_a2"
expect_status "DELETE /api/me did not end the session" 200

# ---- a realistic flow, with curl's cookie jar -----------------------------------------------------
new_identity erin
check "keygen printed a shroudpk1 line" grep -q '^shroudpk1' erin.pub
pw_erin='Erin: my long pass phrase'
secret "$pw_erin"
register erin "$pw_erin" erin.pub
expect_status "flow: register erin with keygen's output (newline included): 201" 201
login erin "$pw_erin" -c jar.txt
expect_status "flow: login (cookie kept in a jar): 200" 200
tok_e=$(json_get token <"$BODY")
me -b jar.txt
expect_status "flow: /api/me with the jar: 200" 200
assert_eq "flow: ... erin's key" "$(json_get public_key <"$BODY")" "$(head -1 erin.pub)"
req POST /api/logout -b jar.txt -c jar.txt
expect_status "flow: logout with the jar: 204" 204
me -b jar.txt
expect_error "flow: /api/me after logout: 401" 401
me -H "Authorization: Bearer $tok_e"
expect_error "flow: ... and erin's token is dead (bearer): 401" 401
req GET /api/nope
expect_error "an unknown /api/ route: 404" 404

# ---- throttling by username (checked again after the restart) ---------------------------------------
key frank
pw_frank='Frank-pw: 5 strikes'
secret "$pw_frank"
register frank "$pw_frank" keys/frank.pub
for i in 1 2 3 4 5; do
    login frank "$pw_wrong"
    expect_error "frank: wrong password $i: 401" 401
done
login frank "$pw_frank"
expect_error "after 5 failures, the right password: 429" 429
retry=$(header Retry-After)
check "... with Retry-After in seconds > 0" test "${retry:-0}" -gt 0 2>/dev/null
login alice "$pw_alice"
expect_status "another user still logs in: 200" 200

# ---- secrets, while running ------------------------------------------------------------------------------
if test_db_pg; then
    check "the database is data's PostgreSQL database" test "$(test_db_sql data 'SELECT count(*) > 0 FROM users')" = t
    check "... and not data/shroud.db" test ! -e data/shroud.db
else
    check "the database is data/shroud.db" test -s data/shroud.db
fi
# db_files DIR: the files holding DIR's database: DIR/shroud.db and beside
# it, or on PostgreSQL (server_lib.sh) a full dump of DIR's database.
db_files() {
    if test_db_pg; then
        pg_dump --no-owner "$(test_db_url "$1")" >"$WORK/.capture/dump.sql" &&
            grep -q 'COPY public.users' "$WORK/.capture/dump.sql" || return 1
        echo "$WORK/.capture/dump.sql"
    else
        echo "$1"/shroud.db "$1"/shroud.db-wal "$1"/shroud.db-journal
    fi
}
not_in_db() { # DIR: no remembered password or token in DIR's database (db_files)
    local f found= files
    files=$(db_files "$1") || { verdict 1 "no password and no session token in $1's database" "cannot dump it"; return; }
    grep -hv '^$' "$SECRETS" "$TOKENS" | while IFS= read -r pw; do
        for f in $files; do
            [ -e "$f" ] || continue
            [ "$(grep -acF -- "$pw" "$f")" = 0 ] || echo "'${pw:0:40}' in $f"
        done
    done >"$WORK/.capture/found"
    found=$(cat "$WORK/.capture/found")
    [ -z "$found" ]
    verdict $? "no password and no session token in clear in $1's database ($(test_db_pg && echo "pg_dump" || echo "$1/shroud.db and -wal"))" "$found"
}
not_in_db data

# ---- restart: users, sessions, failure counters ------------------------------------------------------
stop_server TERM
assert_eq "SIGTERM: exit 0" "$RC" 0
start_server --data data
check "restart" test -n "$PORT"
me -H "Authorization: Bearer $tok_a2"
expect_status "a token from before the restart still works" 200
assert_eq "... for alice" "$(json_get username <"$BODY")" alice
me -H "Authorization: Bearer $tok_a1"
expect_error "a token logged out before the restart still does not" 401
login bob "$pw_bob"
expect_status "users survive: bob logs in" 200
register alice 'Another-pw 12' keys/spare.pub
expect_error "... and alice is still taken: 409" 409
login frank "$pw_frank"
expect_error "failure counters survive: frank still gets 429" 429
check "... with Retry-After > 0" test "$(header Retry-After)" -gt 0 2>/dev/null
stop_server TERM
not_in_db data

# ---- expiry, plain HTTP, reset on success =================================================================
start_server --data data2 --no-tls --session-ttl 2
check "--no-tls --session-ttl 2: starts" test -n "$PORT" -a -z "$PIN"
key hank
pw_hank='Hank-pw: expires soon'
secret "$pw_hank"
register hank "$pw_hank" keys/hank.pub
expect_status "register over plain HTTP: 201" 201
t0=$(date +%s)
login hank "$pw_hank"
expect_status "login: 200" 200
tok_h=$(json_get token <"$BODY")
exp=$(json_get expires <"$BODY")
check "expires is now + 2" "$PY" -c "import sys; sys.exit(not ($t0 + 1 <= $exp <= $(date +%s) + 3))"
set_cookie=$(header Set-Cookie)
cookie_is "$set_cookie" "$tok_h" "Path=/; HttpOnly; SameSite=Strict; Max-Age=2"
verdict $? "Set-Cookie without Secure, Max-Age=2" "got: $set_cookie"
me -H "Authorization: Bearer $tok_h"
expect_status "/api/me at once: 200" 200
sleep 3
me -H "Authorization: Bearer $tok_h"
expect_error "3 s later: 401" 401
me -H "Cookie: shroud_session=$tok_h"
expect_error "... also by cookie" 401
req POST /api/logout -H "Authorization: Bearer $tok_h"
expect_error "... and logout with it: 401" 401

for round in 1 2; do
    for i in 1 2 3 4; do
        login hank "$pw_wrong"
        [ "$STATUS" = 401 ] || break
    done
    expect_error "round $round: 4 wrong passwords: 401 each" 401
    login hank "$pw_hank"
    expect_status "round $round: then the right one: 200 (a success resets the count)" 200
done
stop_server TERM

# ---- throttling by client address ==========================================================================
start_server --data data3
key gina
pw_gina='Gina-pw: from one address'
secret "$pw_gina"
register gina "$pw_gina" keys/gina.pub
for i in $(seq -w 1 20); do
    login "user$i" "$pw_wrong"
    [ "$STATUS" = 401 ] || break
done
expect_error "20 failed logins over 20 usernames: 401 each (last: user$i)" 401
login gina "$pw_gina"
expect_error "then any login from that address: 429" 429
check "... with Retry-After > 0" test "$(header Retry-After)" -gt 0 2>/dev/null
stop_server TERM

# ---- guesses in parallel do not slip past the limit ------------------------------------------------------
start_server --data data4 --threads 16
key hank
pw_hank='Hank-pw: sixteen at once'
secret "$pw_hank"
register hank "$pw_hank" keys/hank.pub
body=$(jobj username hank password "$pw_wrong")
pids=()
for i in $(seq 16); do
    curl -sk --max-time 20 -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
        -d "$body" "$BASE/api/login" >"par.$i" &
    pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the server runs in the background too
assert_eq "16 parallel wrong logins for one user: exactly 5 answered 401, the rest 429" \
    "$(cat par.* | sort | uniq -c | tr -s ' ' | sed 's/^ //' | tr '\n' ',')" "5 401,11 429,"
stop_server TERM

# ---- secrets, after the servers stopped -------------------------------------------------------------------
not_in_db data2
not_in_db data3
integrity() { # DB: PRAGMA integrity_check says ok (on PostgreSQL: amcheck, every btree index)
    if test_db_pg; then
        local d=${1%/shroud.db}
        test_db_sql "$d" 'CREATE EXTENSION IF NOT EXISTS amcheck' >/dev/null &&
            test_db_sql "$d" "SELECT bt_index_check(c.oid, true) FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace" >/dev/null &&
            echo ok
    elif command -v sqlite3 >/dev/null; then
        sqlite3 "$1" 'PRAGMA integrity_check'
    else
        "$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$1"
    fi
}
for d in data data2 data3 data4; do
    assert_eq "$d's database passes $(test_db_pg && echo "amcheck" || echo "PRAGMA integrity_check")" \
        "$(integrity $d/shroud.db 2>&1)" ok
done
sort -u "$TOKENS" | grep -v '^$' >tokens.u
check "tokens were handed out" test -s tokens.u
for log in "$WORK"/server.*.out; do
    found=$(cat "$SECRETS" tokens.u | grep -v '^$' | while IFS= read -r s; do
        grep -qF -- "$s" "$log" && echo "${s:0:40}"
    done)
    [ -z "$found" ]
    verdict $? "access log $(basename "$log"): no password, no token" "found: $found"
done
found=$(cat "$SECRETS" tokens.u | grep -v '^$' | while IFS= read -r s; do
    cat "$WORK"/server.*.err | grep -qF -- "$s" && echo "${s:0:40}"
done)
[ -z "$found" ]
verdict $? "server stderr: no password, no token" "found: $found"
check "the access log has the API requests" grep -q "POST /api/login 401" "$WORK/server.1.out"

# ---- the option -------------------------------------------------------------------------------------------
expect_fail 2 "session-ttl" "--session-ttl abc: usage error" shroud serve --session-ttl abc --data d
expect_ok "serve --help" shroud serve --help
check "--help documents --session-ttl" grep -q -- "--session-ttl" "$OUT"

finish
