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
