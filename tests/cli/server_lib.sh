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

# start_server ARGS...: starts shroud serve on a free port in the background and
# waits for its banner; sets PORT, PIN (empty with --no-tls) and BASE. Each start
# logs to its own files, server.N.out and server.N.err, checked at the end.
start_server() {
    SERVER_N=$((SERVER_N + 1))
    SERVER_LOG=$WORK/server.$SERVER_N.out
    SERVER_ERR=$WORK/server.$SERVER_N.err
    "$SHROUD" serve --listen 127.0.0.1:0 "$@" >"$SERVER_LOG" 2>"$SERVER_ERR" &
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
