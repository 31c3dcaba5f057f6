#!/usr/bin/env bash
# test_serve_crash.sh — crash safety: uploads run while the server is killed
# with SIGKILL at random moments, round after round. After each restart the
# database passes PRAGMA integrity_check, every listed image downloads
# intact (its bytes hash to its id and equal the file sent), nothing half
# stored is listed, and no temporary upload file is left behind. On
# PostgreSQL (SHROUD_TEST_DB, see server_lib.sh; ctest's cli_serve_crash_pg)
# instead: every row of the table blobs holds bytes that hash to its id and
# every listed image has its row.
#
#     bash test_serve_crash.sh /path/to/shroud
. "$(dirname "$0")/lib.sh" "$@"

command -v curl >/dev/null || { echo "test_serve_crash.sh: curl is needed" >&2; exit 1; }
. "$CLI_TESTS/server_lib.sh"
[ -x "$PY" ] || { echo "test_serve_crash.sh: $PY is needed" >&2; exit 1; }

ROUNDS=${CRASH_ROUNDS:-6}
IMAGES=16

# ---- signed images, all different -----------------------------------------------------------
shroud keygen -o alice.key >alice.pub 2>/dev/null
"$PY" - "$IMAGES" <<'EOF'
import sys, numpy, PIL.Image
n = int(sys.argv[1])
rng = numpy.random.default_rng(7)
for i in range(n):
    size = 64 + 16 * i                       # 64x64 .. 304x304: uploads of different lengths
    a = rng.integers(0, 256, (size, size, 3), dtype=numpy.uint8)
    PIL.Image.fromarray(a, "RGB").save(f"raw{i}.png")
EOF
for i in $(seq 0 $((IMAGES - 1))); do
    shroud sign -i alice.key -o "img$i.png" "raw$i.png" 2>/dev/null
done
check "the test images are signed" shroud verify -k alice.pub img0.png

# ---- an account -------------------------------------------------------------------------------
start_server --data data --no-tls
pub=$(cat alice.pub)
curl -s -H 'Content-Type: application/json' \
    -d "{\"username\":\"alice\",\"password\":\"crash test pw\",\"public_key\":\"$pub\"}" \
    "$BASE/api/register" >/dev/null
token() {
    curl -s -H 'Content-Type: application/json' \
        -d '{"username":"alice","password":"crash test pw"}' "$BASE/api/login" |
        "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
TOKEN=$(token)
check "logged in" test -n "$TOKEN"

upload() { # FILE: one upload, its outcome ignored (the server may die under it)
    curl -s --max-time 20 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: image/png' \
        --data-binary @"$1" -o /dev/null "$BASE/api/images" 2>/dev/null
}

integrity() {
    "$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$1"
}

# verify_store ROUND: after a restart, what is listed is whole.
verify_store() {
    local round=$1 problems=() ids id
    if test_db_pg; then
        local rows bad
        rows=$(test_db_sql data "SELECT id, encode(sha256(bytes), 'hex') FROM blobs" 2>&1) ||
            problems+=("cannot read the table blobs: $rows")
        bad=$(awk -F'|' '$1 != $2' <<<"$rows")
        [ -z "$bad" ] || problems+=("blob rows whose bytes do not hash to their id: $bad")
    else
        [ "$(integrity data/shroud.db 2>&1)" = ok ] || problems+=("integrity_check failed")
    fi
    ids=$(curl -s "$BASE/api/images?per_page=100" |
        "$PY" -c 'import json,sys; print("\n".join(i["id"] for i in json.load(sys.stdin)["images"]))') ||
        problems+=("the list does not answer")
    for id in $ids; do
        curl -s -o dl.bin "$BASE/images/$id"
        [ "$(sha256sum dl.bin | cut -c1-64)" = "$id" ] || problems+=("image $id: downloaded bytes do not hash to its id")
        local match=0 f
        for f in img*.png; do cmp -s dl.bin "$f" && match=1 && break; done
        [ $match = 1 ] || problems+=("image $id: not one of the files sent")
        if test_db_pg; then
            [ "$(test_db_sql data "SELECT count(*) FROM blobs WHERE id = '$id'")" = 1 ] ||
                problems+=("image $id: listed without its row in blobs")
        fi
    done
    test_db_pg || ! ls -A data/images | grep -q '^\.tmp-' ||
        problems+=("temporary upload files left: $(ls -A data/images | grep '^\.tmp-' | tr '\n' ' ')")
    [ ${#problems[@]} -eq 0 ]
    verdict $? "round $round: after kill -9 and restart, $(wc -w <<<"$ids") listed images all whole" "${problems[@]}"
}

# ---- rounds: uploads in flight, kill -9, restart, check ---------------------------------------
listed() {
    curl -s "$BASE/api/images?per_page=100" |
        "$PY" -c 'import json,sys; print("\n".join(i["id"] for i in json.load(sys.stdin)["images"]))'
}
stored_total=0
for round in $(seq "$ROUNDS"); do
    # start each round from an empty gallery, so every upload writes
    TOKEN=$(token)
    for id in $(listed); do
        curl -s -X DELETE -H "Authorization: Bearer $TOKEN" -o /dev/null "$BASE/api/images/$id"
    done
    pids=()
    for i in $(seq 0 $((IMAGES - 1))); do
        upload "img$i.png" &
        pids+=($!)
    done
    # kill after 0, 30, 60 ... ms: from before the first upload lands to the middle of the last
    sleep "$(printf '0.%03d' $(((round - 1) * 30 % 1000)))"
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
    wait "${pids[@]}" 2>/dev/null
    start_server --data data --no-tls
    check "round $round: the server restarts after kill -9" test -n "$PORT"
    verify_store "$round"
    stored_total=$((stored_total + $(listed | wc -l)))
done
# Kills that always came after every upload would test nothing.
check "some rounds were killed with uploads unfinished ($stored_total of $((ROUNDS * IMAGES)) stored)" \
    test "$stored_total" -lt $((ROUNDS * IMAGES))

# ---- and everything can still be uploaded and is then complete ---------------------------------
TOKEN=$(token)
for i in $(seq 0 $((IMAGES - 1))); do upload "img$i.png"; done
n=$(curl -s "$BASE/api/images?per_page=100" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total"])')
assert_eq "after the crashes, all $IMAGES images stored once each" "$n" "$IMAGES"
verify_store final
stop_server TERM
assert_eq "a clean stop at the end" "$RC" 0

finish
