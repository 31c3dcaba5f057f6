#!/usr/bin/env bash
# run.sh — builds the libFuzzer harnesses into build-fuzz/ and runs each one.
#
#   fuzz/run.sh [SECONDS] [HARNESS...]
#
# SECONDS (default 20) is the time given to each harness (-max_total_time);
# 0 only builds. HARNESS names a subset (default: all). Each harness starts
# from a scratch copy of its seed corpus fuzz/corpus/<harness>/ (the committed
# corpus is never changed) plus fuzz/regressions/<harness>/ when present.
# Prints one summary line per harness and exits 1 if any harness found a
# crash, leak, sanitizer report, timeout or failed invariant (the input is
# saved in build-fuzz/artifacts/<harness>/, the log in build-fuzz/logs/).
#
# Environment: FUZZ_CC (default clang-14), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-fuzz
all_harnesses=()
for f in "$root"/fuzz/fuzz_*.c; do all_harnesses+=("$(basename "${f%.c}")"); done

seconds=${1:-20}
[ $# -gt 0 ] && shift
if ! [[ $seconds =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh [SECONDS] [HARNESS...]" >&2
  exit 2
fi
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=("${all_harnesses[@]}")
for h in "${harnesses[@]}"; do
  [ -f "$root/fuzz/$h.c" ] || { echo "run.sh: no harness '$h'" >&2; exit 2; }
done

cc=${FUZZ_CC:-clang-14}
command -v "$cc" >/dev/null || { echo "run.sh: $cc not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }

# ---- build ----
# The library is compiled once with the harnesses' instrumentation
# (fuzzer-no-link) into build-fuzz/obj/, rebuilt when a source, a header or
# the flags change. Library layers: src/crypto, src/image, src/redact, src/stego.
# shellcheck disable=SC2054 # the commas belong to the flag
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
cflags=(-std=c11 -g -O1 "${san[@]}" -D_POSIX_C_SOURCE=200809L -I"$root/include" -I"$root/src")
read -ra dep_libs <<<"$(pkg-config --libs libcrypto libpng16 libjpeg libdeflate jansson zlib)"
mkdir -p "$build/obj" "$build/logs" "$build/artifacts" "$build/work"

flags_id="$cc ${cflags[*]}"
if [ "$(cat "$build/obj/flags" 2>/dev/null)" != "$flags_id" ]; then
  rm -f "$build"/obj/*.o
  echo "$flags_id" >"$build/obj/flags"
fi
newest_header=
for f in "$root"/include/*.h "$root"/src/*/*.h; do
  [ -z "$newest_header" ] || [ "$f" -nt "$newest_header" ] && newest_header=$f
done
objs=()
pids=()
# From the server layer, only the parts without HTTP or database
# dependencies: what fuzz_server_parsers and fuzz_server_requests reach.
server_pure=("$root"/src/server/passwords.c "$root"/src/server/session_token.c
  "$root"/src/server/form.c "$root"/src/server/json_body.c)
for src in "$root"/src/crypto/*.c "$root"/src/image/*.c "$root"/src/redact/*.c "$root"/src/stego/*.c \
  "${server_pure[@]}"; do
  [ -f "$src" ] || continue
  obj=$build/obj/$(basename "${src%.c}").o
  objs+=("$obj")
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
    "$cc" "${cflags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
    pids+=($!)
    # two compilers at a time
    if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

for h in "${harnesses[@]}"; do
  bin=$build/$h
  srcs=("$root/fuzz/$h.c" "$root"/fuzz/*.h)
  stale=0
  [ -f "$bin" ] || stale=1
  for f in "${srcs[@]}" "${objs[@]}"; do [ "$f" -nt "$bin" ] && stale=1; done
  if [ $stale -eq 1 ]; then
    "$cc" "${cflags[@]}" -fsanitize=fuzzer -Wall -Wextra -Wpedantic -Werror -I"$root/fuzz" \
      "$root/fuzz/$h.c" "${objs[@]}" "${dep_libs[@]}" -o "$bin"
  fi
done
[ "$seconds" -eq 0 ] && { echo "run.sh: built ${harnesses[*]} in $build"; exit 0; }

# ---- run ----
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for h in "${harnesses[@]}"; do
  work=$build/work/$h
  rm -rf "$work"
  mkdir -p "$work" "$build/artifacts/$h"
  if [ -d "$root/fuzz/corpus/$h" ]; then cp "$root/fuzz/corpus/$h"/* "$work"/; fi
  dirs=("$work")
  if [ -d "$root/fuzz/regressions/$h" ] && [ -n "$(ls -A "$root/fuzz/regressions/$h")" ]; then
    dirs+=("$root/fuzz/regressions/$h")
  fi
  dict=()
  [ -f "$root/fuzz/dict/$h.dict" ] && dict=(-dict="$root/fuzz/dict/$h.dict")
  log=$build/logs/$h.log
  touch "$build/artifacts/$h/.start"
  rc=0
  # shellcheck disable=SC2086
  "$build/$h" -max_total_time="$seconds" -print_final_stats=1 -timeout=30 -rss_limit_mb=2560 \
    -artifact_prefix="$build/artifacts/$h/" "${dict[@]}" ${FUZZ_ARGS:-} "${dirs[@]}" \
    >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  corp=$(find "$work" -type f | wc -l)
  if [ $rc -eq 0 ] && ! grep -q -e '^==[0-9]*==ERROR' -e 'runtime error:' "$log"; then
    verdict=PASS
  else
    verdict=FAIL
    status=1
  fi
  printf '%-22s %s  runs=%s  exec/s=%s  cov=%s  corpus=%s  peak_rss=%sMB\n' "$h" "$verdict" \
    "${runs:-?}" "${eps:-?}" "${cov:-?}" "$corp" "${rss:-?}"
  if [ $verdict = FAIL ]; then
    echo "---- $h failed (exit $rc); log: $log" >&2
    grep -n -A40 -m1 -e '^==[0-9]*==ERROR' -e 'runtime error:' -e 'invariant failed' \
      -e 'ERROR: libFuzzer' "$log" >&2 || tail -40 "$log" >&2
    find "$build/artifacts/$h" -type f -newer "$build/artifacts/$h/.start" \
      -printf '---- input: %p\n' >&2 || true
  fi
done
exit $status
