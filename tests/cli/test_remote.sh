#!/usr/bin/env bash
# test_remote.sh — shroud remote, the client of shroud serve, against a real
# server: trust on first use (refused without a terminal and without --pin, a
# wrong --pin, yes and no on a terminal, a changed certificate), register (-i,
# -k, a taken name, a refused password), login (wrong password, the session
# file 0600, the token never shown, the password asked on a terminal),
# upload / list / get / delete, another user's delete, logout, a session the
# server no longer knows, a stopped server, and a --no-tls server over http.
#
#     bash test_remote.sh /path/to/shroud
. "$(dirname "$0")/lib.sh" "$@"

command -v curl >/dev/null || { echo "test_remote.sh: curl is needed (scripts/install-deps)" >&2; exit 1; }
. "$CLI_TESTS/server_lib.sh"
[ -x "$PY" ] || { echo "test_remote.sh: $PY is needed" >&2; exit 1; }

export SHROUD_CONFIG_DIR=$WORK/cfg
unset SHROUD_SERVER
KNOWN=$SHROUD_CONFIG_DIR/known_servers

# at_terminal ANSWER... -- shroud ARGS...: runs shroud on a pseudo-terminal,
# typing each ANSWER (and Enter) once the screen ends in a new prompt (": ").
# Like pty_answer.py it waits for the echo to go off before typing a password
# (typed earlier, it would be flushed), but not at the trust question
# ("[yes/no]: "), asked with echo on; and it looks only at the end of the
# screen, so that a message such as "shroud: ..." is not taken for a prompt.
# The screen goes to $OUT, the status to $RC (124: killed after 60 s).
at_terminal() {
    local answers=()
    while [ "$1" != -- ]; do
        answers+=("$1")
        shift
    done
    shift 2 # "--" "shroud"
    run "$PY" - "$SHROUD" "$@" -- "${answers[@]}" <<'EOF'
import os, pty, select, signal, sys, termios, time
args = sys.argv[1:]
split = len(args) - 1 - args[::-1].index("--")
command, answers = args[:split], args[split + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(command[0], command)
shown, seen, deadline, open_ = b"", 0, time.monotonic() + 60, True
while open_ and time.monotonic() < deadline:
    if answers and len(shown) > seen and shown.endswith(b": "):
        question = shown.endswith(b"[yes/no]: ")
        if question or not termios.tcgetattr(fd)[3] & termios.ECHO:
            os.write(fd, answers.pop(0).encode() + b"\n")
            seen = len(shown)
    if select.select([fd], [], [], 0.05)[0]:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the command is gone
            data = b""
        open_ = bool(data)
        shown += data
if open_:
    os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(shown)
sys.exit(124 if open_ else os.waitstatus_to_exitcode(status))
EOF
}

# known_line ORIGIN: the known_servers line for ORIGIN (empty when none).
known_line() { grep -F "$1 " "$KNOWN" 2>/dev/null; }
session_file() { echo "$SHROUD_CONFIG_DIR/sessions/https_127.0.0.1_$1"; }
sha256() { sha256sum -- "$1" | cut -c1-64; }
# expect_usage DESC CMD...: exits 2 with the reason on stderr and the --help hint.
expect_usage() {
    local desc=$1
    shift
    run "$@"
    [ "$RC" -eq 2 ] && grep -q "^shroud remote" "$ERR" && grep -q -- "--help" "$ERR"
    verdict $? "$desc" "exit status $RC, expected 2" "$(stderr_excerpt)"
}

# ---- help and usage -------------------------------------------------------------------------
expect_ok "remote --help" shroud remote --help
check "... lists the subcommands" grep -Eq "register.*login|login" "$OUT"
for sub in register login logout upload list get delete; do
    expect_ok "remote $sub --help" shroud remote "$sub" --help
    check "... shows its usage" grep -q "^Usage: shroud remote $sub" "$OUT"
done
expect_usage "an unknown subcommand: usage error" shroud remote frobnicate
expect_usage "no server given and none logged in to: usage error" shroud remote list
check "... saying to pass --server" grep -q -- "--server" "$ERR"
expect_usage "an ftp:// server URL: usage error" shroud remote list --server ftp://127.0.0.1:1
expect_usage "a server URL with a path: usage error" shroud remote list --server https://127.0.0.1:1/x
expect_usage "an option another subcommand takes: usage error" shroud remote list --force --server https://127.0.0.1:1
expect_usage "--per-page 0: usage error" shroud remote list --per-page 0 --server https://127.0.0.1:1

# ---- trust on first use -----------------------------------------------------------------------
start_server --data data1
[ -n "$PIN" ] || { flunk "the server started and printed its pin" "$(cat "$SERVER_ERR")"; finish; }
URL1=$BASE PIN1=$PIN PORT1=$PORT

expect_fail 1 "no terminal.*--pin" "first contact without a terminal and without --pin: refused" \
    no_tty shroud remote list --server "$BASE"
assert_eq "... and nothing stored" "$(known_line "$BASE")" ""

WRONG_PIN=sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
expect_fail 1 "does not have the key" "first contact with a wrong --pin: refused" \
    no_tty shroud remote list --server "$BASE" --pin "$WRONG_PIN"
assert_eq "... and nothing stored" "$(known_line "$BASE")" ""
expect_usage "a --pin that is not sha256//BASE64: usage error" \
    shroud remote list --server "$BASE" --pin "md5//abc"

expect_ok "first contact with the right --pin: accepted" no_tty shroud remote list --server "$BASE" --pin "$PIN"
assert_eq "... the pin stored in known_servers" "$(known_line "$BASE")" "$BASE $PIN"
check "... the list says there are no images" grep -q "no images" "$OUT"
assert_mode "the configuration directory is 0700" "$SHROUD_CONFIG_DIR" 700
expect_ok "later, no --pin needed (no terminal)" no_tty shroud remote list --server "$BASE"
expect_ok "... the same URL spelled in capitals with a slash: the same server" \
    no_tty shroud remote list --server "HTTPS://127.0.0.1:$PORT/"
expect_fail 1 "differs from the pin stored" "--pin other than the stored one: refused" \
    no_tty shroud remote list --server "$BASE" --pin "$WRONG_PIN"

# On a terminal: the pin is shown, and yes or no is asked.
(
    export SHROUD_CONFIG_DIR=$WORK/cfg-tty-no
    at_terminal no -- shroud remote list --server "$BASE"
    check "on a terminal, answering no: exit status 1" test "$RC" -eq 1
    check "... the pin was shown" grep -Fq "$PIN" "$OUT"
    check "... and nothing stored" bash -c "! grep -q sha256 '$SHROUD_CONFIG_DIR/known_servers' 2>/dev/null"
    at_terminal yes -- shroud remote list --server "$BASE"
    check "on a terminal, answering yes: exit status 0" test "$RC" -eq 0
    check "... the pin was shown" grep -Fq "$PIN" "$OUT"
    check "... the list ran" grep -q "no images" "$OUT"
    check "... and the pin is stored" grep -Fxq "$BASE $PIN" "$SHROUD_CONFIG_DIR/known_servers"
    echo "$PASSED $FAILED" >"$WORK/.capture/subshell"
)
read -r PASSED FAILED <"$WORK/.capture/subshell"

# ---- accounts ------------------------------------------------------------------------------------
new_identity alice
new_identity bob
PW_A="Pw of alice: 42 apples"
PW_B="Pw of bob: 17 pears"
passphrase_file alice.pw "$PW_A"
passphrase_file bob.pw "$PW_B"
passphrase_file weak.pw "password"

expect_ok "register alice with -i IDENTITY" \
    shroud remote register --server "$BASE" --user alice --password-file alice.pw -i alice.id
check "... which prints her key id" grep -q "registered alice.*key id [0-9a-f]\{16\}" "$OUT"
expect_ok "register bob with -k PUBKEY" \
    shroud remote register --server "$BASE" --user bob --password-file bob.pw -k bob.pub
expect_fail 1 "409" "register alice again: the server's 409" \
    shroud remote register --server "$BASE" --user alice --password-file alice.pw -i alice.id
expect_fail 1 "400.*password" "register with a common password: the server's 400" \
    shroud remote register --server "$BASE" --user carol --password-file weak.pw -k bob.pub
expect_usage "register with both -i and -k: usage error" \
    shroud remote register --server "$BASE" --user carol --password-file bob.pw -i alice.id -k bob.pub
expect_fail 1 "no terminal.*--password-file" "register without a terminal or --password-file" \
    no_tty shroud remote register --server "$BASE" --user carol -k bob.pub

passphrase_file wrong.pw "not the password"
expect_fail 1 "wrong username or password" "login with a wrong password: refused" \
    shroud remote login --server "$BASE" --user alice --password-file wrong.pw
check "... and no session kept" test ! -e "$(session_file "$PORT")"
expect_ok "login alice" shroud remote login --server "$BASE" --user alice --password-file alice.pw
check "... says so" grep -q "logged in to $BASE as alice" "$OUT"
SESSION=$(session_file "$PORT")
check "... the session file exists" test -s "$SESSION"
assert_mode "... mode 0600" "$SESSION" 600
TOKEN=$(sed -n 's/^token //p' "$SESSION")
check "... it holds a token" test "${#TOKEN}" -ge 40
check "... the token was not printed" bash -c "! grep -Fq -- '$TOKEN' '$OUT' '$ERR'"
assert_eq "... the server is now the default" "$(cat "$SHROUD_CONFIG_DIR/remote_default")" "$BASE"
req GET /api/me -H "Authorization: Bearer $TOKEN"
expect_status "... the token is a live session (GET /api/me: 200)" 200

# ---- images ---------------------------------------------------------------------------------------
shroud sign -i alice.id -o a.png "$CLI_TESTS/../data/camera.png" 2>/dev/null
shroud sign -i alice.id -o a.jpg "$CLI_TESTS/../data/rocket.jpg" 2>/dev/null
cp "$CLI_TESTS/../data/camera.png" unsigned.png
echo "not an image" >notes.txt

expect_ok "upload a signed PNG (the default server)" shroud remote upload a.png
ID_PNG=$(sha256 a.png)
assert_eq "... prints its id, the file's SHA-256" "$(cat "$OUT")" "$ID_PNG"
expect_ok "upload --json a signed JPEG" shroud remote upload --json a.jpg
ID_JPG=$(sha256 a.jpg)
assert_eq "... prints the server's object" \
    "$("$PY" -c 'import json,sys; o=json.load(open(sys.argv[1])); print(o["id"], o["owner"], o["format"])' "$OUT" 2>&1)" \
    "$ID_JPG alice jpeg"
expect_ok "upload the same PNG again" shroud remote upload a.png
check "... says it was already there" grep -q "already" "$ERR"
expect_fail 1 "422" "upload an unsigned PNG: the server's 422" shroud remote upload unsigned.png
expect_fail 1 "neither a PNG nor a JPEG" "upload a text file: refused locally" shroud remote upload notes.txt
expect_fail 1 "cannot open" "upload a missing file" shroud remote upload missing.png
expect_usage "upload without a file: usage error" shroud remote upload

expect_ok "list" shroud remote list
check "... a header" grep -q "^ID .*OWNER .*SIZE .*WIDTHxHEIGHT .*GROUPS .*CREATED (UTC)" "$OUT"
check "... the PNG: shortened id, owner, size, 512x512" grep -Eq "^${ID_PNG:0:16} +alice +[0-9.]+ KiB +512x512 +0 +20[0-9-]+ [0-9:]+$" "$OUT"
check "... the JPEG" grep -q "^${ID_JPG:0:16} " "$OUT"
check "... the count" grep -q "(2 images)" "$OUT"
expect_ok "list --json" shroud remote list --json
assert_eq "... the server's JSON: total and ids" \
    "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["total"], " ".join(sorted(i["id"] for i in d["images"])))' "$OUT" 2>&1)" \
    "2 $(printf '%s\n' "$ID_PNG" "$ID_JPG" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_ok "list --json --per-page 1 --page 2" shroud remote list --json --per-page 1 --page 2
assert_eq "... one image, the older (the PNG)" \
    "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["page"], d["per_page"], [i["id"] for i in d["images"]])' "$OUT" 2>&1)" \
    "2 1 ['$ID_PNG']"

expect_ok "get ID -o OUT" shroud remote get "$ID_PNG" -o got.png
assert_same_file "... the bytes uploaded" got.png a.png
expect_ok "get with a 10-digit start of the id" shroud remote get "${ID_JPG:0:10}" -o got.jpg
assert_same_file "... the JPEG" got.jpg a.jpg
echo "keep me" >keep.png
expect_fail 1 "already exists.*--force" "get refuses to overwrite OUT" shroud remote get "$ID_PNG" -o keep.png
check "... which is untouched" grep -q "keep me" keep.png
expect_ok "get --force replaces it" shroud remote get --force "$ID_PNG" -o keep.png
assert_same_file "... with the image" keep.png a.png
run shroud remote get "$ID_PNG" -o -
assert_same_file "get -o -: the image on standard output" "$OUT" a.png
expect_usage "get without -o: usage error" shroud remote get "$ID_PNG"
expect_usage "get with an id that is not hex: usage error" shroud remote get "not-an-id" -o x.png
expect_fail 1 "404" "get an unknown id: the server's 404" \
    shroud remote get "$(printf '0%.0s' {1..64})" -o unknown.png
assert_no_file unknown.png "... nothing written"
expect_fail 1 "no image has an id starting" "get an unknown start of an id" \
    shroud remote get 00000000 -o unknown.png

# bob, in his own configuration directory.
(
    export SHROUD_CONFIG_DIR=$WORK/cfg-bob
    expect_ok "bob logs in (his first contact, with --pin)" \
        shroud remote login --server "$BASE" --pin "$PIN" --user bob --password-file bob.pw
    expect_fail 1 "403" "bob deletes alice's image: the server's 403" shroud remote delete "$ID_PNG"
    echo "$PASSED $FAILED" >"$WORK/.capture/subshell"
)
read -r PASSED FAILED <"$WORK/.capture/subshell"
expect_ok "alice gets it still" shroud remote get "$ID_PNG" -o still.png

expect_ok "alice deletes her PNG" shroud remote delete "$ID_PNG"
check "... says so" grep -q "deleted $ID_PNG" "$OUT"
expect_fail 1 "404" "get after delete: not found" shroud remote get "$ID_PNG" -o gone.png
assert_no_file gone.png "... nothing written"

# A token the server does not know (as after the server ended it).
cp "$SESSION" session.bak
sed -i "s/^token .*/token AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/" "$SESSION"
expect_fail 1 "401.*shroud remote login" "upload with a session the server does not know: log in again" \
    shroud remote upload a.png
expect_ok "logout with it: still logs out here" shroud remote logout
check "... saying the server had ended it" grep -q "already ended" "$OUT"
check "... the session file is gone" test ! -e "$SESSION"

sed "s/^expires .*/expires 1000000000/" session.bak >"$SESSION"
expect_fail 1 "expired.*shroud remote login" "a session past its expiry: log in again" shroud remote upload a.png
expect_ok "SHROUD_SERVER names the server" env SHROUD_SERVER="$BASE" SHROUD_CONFIG_DIR="$WORK/cfg-tty-no" \
    "$SHROUD" remote list --pin "$PIN"
check "... (the default, with no --server)" grep -Fq "$BASE" "$WORK/cfg-tty-no/known_servers"
cp session.bak "$SESSION"
expect_ok "logout" shroud remote logout
check "... the session file is gone" test ! -e "$SESSION"
req GET /api/me -H "Authorization: Bearer $TOKEN"
expect_status "... the token is dead on the server (GET /api/me: 401)" 401
expect_fail 1 "log in first" "upload after logout: log in first" shroud remote upload a.png
expect_fail 1 "not logged in" "logout again: not logged in" shroud remote logout

# The password asked on the terminal, without echo (pty_answer.py types it).
run "$PY" "$CLI_TESTS/pty_answer.py" "$PW_A" -- "$SHROUD" remote login --user alice
check "login on a terminal: exit status 0" test "$RC" -eq 0
check "... the prompt was shown" grep -q "Passphrase: " "$OUT"
check "... the password not echoed" bash -c "! grep -Fq -- '$PW_A' '$OUT'"
check "... the session kept" test -s "$SESSION"

PW_C="Pw of carol: 9 plums"
run "$PY" "$CLI_TESTS/pty_answer.py" "$PW_C" "$PW_C" -- "$SHROUD" remote register --user carol -k bob.pub
check "register on a terminal: exit status 0" test "$RC" -eq 0
check "... the password asked twice" grep -q "Confirm passphrase for carol on $BASE: " "$OUT"
check "... not echoed" bash -c "! grep -Fq -- '$PW_C' '$OUT'"
passphrase_file carol.pw "$PW_C"
(
    export SHROUD_CONFIG_DIR=$WORK/cfg-carol
    expect_ok "... carol logs in with that password" \
        shroud remote login --server "$BASE" --pin "$PIN" --user carol --password-file carol.pw
    echo "$PASSED $FAILED" >"$WORK/.capture/subshell"
)
read -r PASSED FAILED <"$WORK/.capture/subshell"
(
    export SHROUD_CONFIG_DIR=$WORK/cfg-erin
    at_terminal yes "Pw of erin: 5 figs" "Pw of erin: 5 figs" -- \
        shroud remote register --server "$BASE" --user erin -k bob.pub
    check "first contact and register on a terminal: pin yes, then the password twice" test "$RC" -eq 0
    check "... the pin shown" grep -Fq "$PIN" "$OUT"
    check "... registered" grep -q "registered erin" "$OUT"
    check "... the password not echoed" bash -c "! grep -Fq 'Pw of erin' '$OUT'"
    echo "$PASSED $FAILED" >"$WORK/.capture/subshell"
)
read -r PASSED FAILED <"$WORK/.capture/subshell"
run "$PY" "$CLI_TESTS/pty_answer.py" "$PW_C" "$PW_C." -- "$SHROUD" remote register --user dave -k bob.pub
check "register on a terminal, the confirmation differs: exit status 1" test "$RC" -eq 1
check "... says so" grep -q "do not match" "$OUT"

# ---- a changed certificate, then a stopped server -------------------------------------------------
stop_server TERM
start_server --data data2 --listen "127.0.0.1:$PORT1"
if [ "$PORT" = "$PORT1" ] && [ "$PIN" != "$PIN1" ]; then
    expect_fail 1 "known_servers" "the same server with a new key: refused" shroud remote list
    check "... naming the line to delete" grep -Fq "$URL1 $PIN1" "$ERR"
    check "... and the file" grep -Fq "$KNOWN" "$ERR"
    expect_fail 1 "differs from the pin stored" "... --pin NEW while the old pin is stored: refused" \
        shroud remote list --pin "$PIN"
    sed -i "\\|^$URL1 |d" "$KNOWN"
    expect_ok "... with the line deleted, the new --pin is accepted" no_tty shroud remote list --pin "$PIN"
    assert_eq "... and stored" "$(known_line "$URL1")" "$URL1 $PIN"
else
    flunk "restart on port $PORT1 with a new key" "port $PORT, pin $PIN (was $PIN1)"
fi
stop_server TERM
expect_fail 1 "cannot connect to https://127.0.0.1:$PORT1" "a stopped server: a connection error naming the URL" \
    shroud remote list
expect_fail 1 "cannot connect" "logout with the server stopped: fails" shroud remote logout
check "... and keeps the session, to log out later" test -s "$SESSION"
sed -i "s/^token .*/token not a token/" "$SESSION"
expect_fail 1 "no usable token.*login" "a session file with a broken token: log in again" shroud remote upload a.png

# ---- plain HTTP -------------------------------------------------------------------------------------
start_server --data data3 --no-tls
expect_ok "a --no-tls server over http://: works" shroud remote list --server "$BASE"
check "... with a warning on stderr" grep -q "warning: .*plain HTTP" "$ERR"
expect_ok "... register and login too" shroud remote register --server "$BASE" --user alice --password-file alice.pw -k alice.pub
expect_ok "... login" shroud remote login --server "$BASE" --user alice --password-file alice.pw
expect_ok "... upload" shroud remote upload a.jpg
assert_eq "... the id" "$(cat "$OUT")" "$ID_JPG"
expect_fail 1 "TLS handshake|closed the connection|SSL|plain" "https:// to an http server: a clear error" \
    shroud remote list --server "https://127.0.0.1:$PORT" --pin "$PIN1"
stop_server TERM

finish
