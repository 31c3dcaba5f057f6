# lib.sh — helpers shared by the shroud command-line tests.
#
# Source it first thing, passing the script's arguments:
#
#     . "$(dirname "$0")/lib.sh" "$@"
#
# It takes the shroud binary from $1, moves into a private temporary
# directory (removed on exit) with HOME and XDG_CONFIG_HOME inside it, so the
# default identity never touches the real home, and provides checks that
# count passes and failures. End every script with `finish`, which prints
# "N passed, M failed" and exits non-zero when M > 0.

set -u
set -o pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 /path/to/shroud" >&2
    exit 2
fi
SHROUD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck disable=SC2034 # used by the scripts
CLI_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/shroud-cli.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/xdg"
unset SHROUD_IDENTITY
mkdir -p "$HOME" "$WORK/.capture"
cd "$WORK" || exit 1
umask 022

OUT=$WORK/.capture/stdout # stdout of the last `run`
ERR=$WORK/.capture/stderr # stderr of the last `run`
RC=0                      # exit status of the last `run`
PASSED=0 FAILED=0
SECONDS=0

# shroud ARGS...: the binary under test (a function, so checks read naturally;
# use "$SHROUD" where another program execs it: setsid, time, script).
shroud() { "$SHROUD" "$@"; }

# ---- outcomes ----------------------------------------------------------------

pass() {
    PASSED=$((PASSED + 1))
    echo "ok      $1"
}

# details [LINE...]: indented lines under a reported check.
details() { [ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/          /'; }

# flunk DESC [DETAIL...]
flunk() {
    FAILED=$((FAILED + 1))
    echo "FAIL    $1"
    shift
    details "$@"
}

skip() { echo "skip    $1"; }

# verdict OK DESC [DETAIL...]: records one check (OK is 0 for a pass).
verdict() {
    local ok=$1 desc=$2
    shift 2
    if [ "$ok" -eq 0 ]; then
        pass "$desc"
        return 0
    fi
    flunk "$desc" "$@"
    return 1
}

finish() {
    echo "(${SECONDS}s)"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit
}

# ---- running commands ------------------------------------------------------

# run CMD...: runs it with stdout in $OUT, stderr in $ERR, status in $RC.
# Standard input is the caller's: `run shroud decrypt -i k.id < msg`.
run() {
    "$@" >"$OUT" 2>"$ERR"
    RC=$?
    return $RC
}

# stderr_excerpt: the last command's stderr, shortened for a report.
stderr_excerpt() { printf 'stderr: %s' "$(head -c 600 "$ERR")"; }

# expect_ok DESC CMD...: the command succeeds.
expect_ok() {
    local desc=$1
    shift
    run "$@"
    verdict $RC "$desc" "exit status $RC, expected 0" "$(stderr_excerpt)"
}

# expect_fail CODE WORD DESC CMD...: the command exits with CODE and says why
# in one line on stderr that starts with "shroud" and matches the
# case-insensitive extended regex WORD. Usage errors (2) may add the line
# "Try 'shroud [CMD] --help'.".
expect_fail() {
    local code=$1 word=$2 desc=$3
    shift 3
    run "$@"
    local problems=() lines=()
    mapfile -t lines <"$ERR"
    [ "$RC" -eq "$code" ] || problems+=("exit status $RC, expected $code")
    if [ ${#lines[@]} -eq 0 ]; then
        problems+=("nothing on stderr")
    else
        [[ ${lines[0]} == shroud* ]] || problems+=("first stderr line does not start with 'shroud'")
        grep -Eiq -- "$word" <<<"${lines[0]}" || problems+=("stderr does not mention /$word/")
        local extra=$((${#lines[@]} - 1))
        if [ "$code" -eq 2 ] && [ $extra -eq 1 ] && [[ ${lines[1]} =~ ^Try\ \'shroud(\ [a-z]+)?\ --help\'\.$ ]]; then
            extra=0
        fi
        [ $extra -eq 0 ] || problems+=("stderr has ${#lines[@]} lines, expected one")
    fi
    [ ${#problems[@]} -eq 0 ]
    verdict $? "$desc" "${problems[@]}" "$(stderr_excerpt)"
}

# check DESC CMD...: the command (a test like cmp, grep, [ ]) succeeds.
check() {
    local desc=$1
    shift
    local log=$WORK/.capture/check
    "$@" >"$log" 2>&1
    verdict $? "$desc" "failed: $*" "$(head -c 600 "$log")"
}

# ---- assertions --------------------------------------------------------------

assert_eq() { # DESC ACTUAL EXPECTED
    [ "$2" = "$3" ]
    verdict $? "$1" "got:      $2" "expected: $3"
}

assert_same_file() { # DESC FILE EXPECTED_FILE
    cmp -s -- "$2" "$3"
    verdict $? "$1" "$2 differs from $3 ($(wc -c <"$2" 2>/dev/null) vs $(wc -c <"$3") bytes)"
}

assert_mode() { # DESC PATH OCTAL
    local mode
    mode=$(stat -c %a -- "$2" 2>/dev/null)
    [ "$mode" = "$3" ]
    verdict $? "$1" "mode of $2 is ${mode:-missing}, expected $3"
}

# leftovers PATH: PATH itself and the temporary files written beside it.
leftovers() {
    local dir base
    dir=$(dirname -- "$1")
    base=$(basename -- "$1")
    compgen -G "$dir/.$base.tmp-*"
    [ -e "$1" ] && echo "$1"
    return 0
}

# assert_no_file PATH [DESC]: neither PATH nor a temporary file for it exists.
assert_no_file() {
    local found
    found=$(leftovers "$1")
    [ -z "$found" ]
    verdict $? "${2:-no file $1 left behind}" "found: $found"
}

# assert_empty_dir DIR [DESC]: DIR holds nothing, hidden files included.
assert_empty_dir() {
    local found
    found=$(ls -A -- "$1")
    [ -z "$found" ]
    verdict $? "${2:-nothing left in $1/}" "found: $found"
}

# ---- test data -------------------------------------------------------------

random_file() { head -c "$2" /dev/urandom >"$1"; } # PATH SIZE

# new_identity NAME [KEYGEN_ARGS...]: NAME.id and its public key NAME.pub.
new_identity() {
    local name=$1
    shift
    expect_ok "keygen $name${*:+ ($*)}" shroud keygen -o "$name.id" "$@" && cp "$OUT" "$name.pub"
}

# passphrase_file PATH TEXT
passphrase_file() { printf '%s\n' "$2" >"$1"; }

# flip_byte FILE OFFSET [MASK]: xors one byte in place (default mask 0x01).
flip_byte() {
    local v
    v=$(od -An -tu1 -j "$2" -N1 -- "$1" | tr -d ' ')
    printf "\\$(printf %03o $((v ^ ${3:-1})))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# set_byte FILE OFFSET VALUE
set_byte() {
    printf "\\$(printf %03o "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

file_size() { stat -c %s -- "$1"; }

# sanitized: the binary runs under AddressSanitizer (no meaningful RSS).
# (Not `ldd | grep -q`: with pipefail, ldd's SIGPIPE would fail the test.)
sanitized() { [ -n "${ASAN_OPTIONS:-}" ] || [[ $(ldd "$SHROUD" 2>/dev/null) == *libasan* ]]; }

# no_tty CMD...: runs CMD in a new session without a controlling terminal
# and with stdin from /dev/null, so that /dev/tty cannot be opened.
no_tty() {
    local cmd=$1
    shift
    [ "$cmd" = shroud ] && cmd=$SHROUD
    setsid -w "$cmd" "$@" </dev/null
}
