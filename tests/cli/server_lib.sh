# server_lib.sh — starting and stopping `shroud serve` in the server tests.
# Source it after lib.sh. start_server runs the server on a free port of
# 127.0.0.1 in the background; the EXIT trap kills it if a test stops early.

SERVER_PID=
SERVER_N=0
SERVER_LOG=
SERVER_ERR=
PORT=
PIN=
BASE=

# ---- the PostgreSQL backend ----
# With SHROUD_TEST_DB set to a PostgreSQL URL (postgresql://USER@HOST:PORT/DB,
# a database where it may create others), start_server adds --db: one
# PostgreSQL database per data directory, created on its first start, so a
# restart on the same --data finds what the last one left (as DATA/shroud.db
# would) and two data directories share nothing. Images then live in that
# database, not in DATA/images.

# test_db_pg: succeeds when the servers run on PostgreSQL.
test_db_pg() { [ -n "${SHROUD_TEST_DB:-}" ]; }

# test_db_url DATA: the URL of DATA's database (created if needed).
test_db_url() {
    command -v psql >/dev/null || { echo "server_lib.sh: SHROUD_TEST_DB needs psql (Debian package postgresql-client)" >&2; return 1; }
    local name
    name=t_$(printf '%s' "$1" | tr -c 'A-Za-z0-9' '_' | tr 'A-Z' 'a-z')
    name=${name:0:60}
    if [ "$(psql -qtAX "$SHROUD_TEST_DB" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
        psql -qX "$SHROUD_TEST_DB" -c "CREATE DATABASE $name" >/dev/null || return 1
    fi
    echo "${SHROUD_TEST_DB%/*}/$name"
}

# test_db_sql DATA SQL: runs SQL in DATA's database; rows on stdout, fields
# separated by |.
test_db_sql() {
    psql -qtAX -v ON_ERROR_STOP=1 "$(test_db_url "$1")" -c "$2"
}

# start_server ARGS...: starts shroud serve on a free port in the background and
# waits for its banner; sets PORT, PIN (empty with --no-tls) and BASE. Each start
# logs to its own files, server.N.out and server.N.err, checked at the end.
# Adds --db for SHROUD_TEST_DB (above) unless ARGS name a --db.
start_server() {
    SERVER_N=$((SERVER_N + 1))
    SERVER_LOG=$WORK/server.$SERVER_N.out
    SERVER_ERR=$WORK/server.$SERVER_N.err
    local args=("$@") a data=shroud-data has_db=
    for ((a = 0; a < ${#args[@]}; a++)); do
        case ${args[a]} in
        --data) data=${args[a + 1]:-} ;;
        --data=*) data=${args[a]#--data=} ;;
        --db | --db=*) has_db=1 ;;
        esac
    done
    if test_db_pg && [ -z "$has_db" ]; then
        local url
        url=$(test_db_url "$data") || { echo "server_lib.sh: cannot create a database for $data in $SHROUD_TEST_DB" >&2; exit 1; }
        args+=(--db "$url")
    fi
    "$SHROUD" serve --listen 127.0.0.1:0 "${args[@]}" >"$SERVER_LOG" 2>"$SERVER_ERR" &
    SERVER_PID=$!
    local i
    for i in $(seq 100); do
        grep -q "listening on" "$SERVER_LOG" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    PORT=$(sed -n 's|.*listening on https\{0,1\}://127.0.0.1:\([0-9]*\)/.*|\1|p' "$SERVER_LOG")
    PIN=$(sed -n 's|^  pin \(sha256//[A-Za-z0-9+/=]*\) .*|\1|p' "$SERVER_LOG")
    if [ -n "$PIN" ]; then BASE=https://127.0.0.1:$PORT; else BASE=http://127.0.0.1:$PORT; fi
}

# stop_server SIGNAL: sends it and waits (at most 10 s); sets RC to the exit status.
stop_server() {
    kill "-$1" "$SERVER_PID" 2>/dev/null
    local i
    for i in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -9 "$SERVER_PID"
        RC=124
    else
        wait "$SERVER_PID"
        RC=$?
    fi
    SERVER_PID=
}
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

# ---- HTTP and JSON helpers ----------------------------------------------------------------
PY=/usr/bin/python3          # Debian's, with the json module (jq is not installed)
BODY=$WORK/.capture/body     # body of the last response
HDRS=$WORK/.capture/headers  # its headers
STATUS=                      # its status code (000: no response)

# req METHOD PATH [CURL_ARGS...]: one request; sets STATUS, BODY, HDRS.
req() {
    local method=$1 path=$2
    shift 2
    local pin=()
    [ -n "$PIN" ] && pin=(-k --pinnedpubkey "$PIN")
    : >"$BODY"
    : >"$HDRS"
    STATUS=$(curl -sS --max-time 20 "${pin[@]}" -X "$method" -o "$BODY" -D "$HDRS" \
        -w '%{http_code}' "$@" "$BASE$path" 2>"$WORK/.capture/curl.err")
}

# post_json PATH JSON [CURL_ARGS...]: POST with Content-Type: application/json.
post_json() {
    local path=$1 json=$2
    shift 2
    req POST "$path" -H 'Content-Type: application/json' --data-binary "$json" "$@"
}

# jobj KEY VALUE...: a JSON object of string values (UTF-8 as is, not \u-escaped);
# a KEY ending in '@' takes its value from the file VALUE, byte for byte.
jobj() {
    "$PY" -c '
import json, sys
a = sys.argv[1:]
d = {}
for k, v in zip(a[0::2], a[1::2]):
    if k.endswith("@"):
        k, v = k[:-1], open(v, encoding="utf-8").read()
    d[k] = v
print(json.dumps(d, ensure_ascii=False))' "$@"
}

# json_get FIELD < FILE: the field of a JSON object (strings raw, others as JSON);
# fails when the input is not a JSON object or has no such field.
json_get() {
    "$PY" -c '
import json, sys
try:
    v = json.load(sys.stdin)[sys.argv[1]]
except Exception:
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# header NAME: the value of the last response's header NAME (case-insensitive).
header() {
    tr -d '\r' <"$HDRS" | awk -v n="$(tr '[:upper:]' '[:lower:]' <<<"$1")" '
        { i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); last = v } }
        END { printf "%s", last }'
}

# excerpt FILE: its first 300 bytes, without NUL bytes (bodies may be images).
excerpt() { head -c 300 "$1" | tr -d '\000'; }
# response: the last response's status and the start of its body, for reports.
response() { printf 'status %s, body: %s' "$STATUS" "$(excerpt "$BODY")"; }

# expect_error DESC CODES [REGEX]: a status among CODES ("400" or "400|413"),
# Content-Type application/json and {"error": "..."} whose text matches the
# case-insensitive extended REGEX.
expect_error() {
    local desc=$1 codes=$2 regex=${3:-.} problems=() msg ctype
    [[ "|$codes|" == *"|$STATUS|"* ]] || problems+=("status $STATUS, expected $codes")
    ctype=$(header Content-Type)
    [[ $ctype == application/json* ]] || problems+=("Content-Type '$ctype', expected application/json")
    if ! msg=$(json_get error <"$BODY") || [ -z "$msg" ]; then
        problems+=("no {\"error\": ...} in the body")
    elif ! grep -Eiq -- "$regex" <<<"$msg"; then
        problems+=("the error does not mention /$regex/")
    fi
    [ ${#problems[@]} -eq 0 ]
    verdict $? "$desc" "${problems[@]}" "body: $(excerpt "$BODY")" \
        "$(head -c 300 "$WORK/.capture/curl.err")"
}

# expect_status DESC CODE: the last response had that status.
expect_status() {
    [ "$STATUS" = "$2" ]
    verdict $? "$1" "$(response)" "expected status $2" "$(head -c 300 "$WORK/.capture/curl.err")"
}
