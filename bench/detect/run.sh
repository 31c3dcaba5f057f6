#!/usr/bin/env bash
# bench/detect/run.sh — the steganalysis benchmark: chi-square attack, RS
# analysis, Sample Pair Analysis and calibrated HCF-COM (implemented in
# bench/detect/) on clean covers, sequential LSB replacement, random +-1 and
# shroud's embedding at 0.05 / 0.1 / 0.2 / 0.4 bits per sample.
#
#   bench/detect/run.sh
#
# Builds libshroud.a (CMake Release, -O2, no tests) in
# build-bench/detect/lib/ and build-bench/detect/detect (the C files here,
# with the project's warning flags, against libshroud.a, libcrypto, libpng,
# libjpeg, libdeflate), then runs it on the photos of BENCH_TESTDATA (default
# ../shared/testdata next to the repository) and prints the report. When
# libshroud (its stego API) does not build or link, the bench is built
# without it and the report says the shroud rows are missing.
# BENCH_TILE sets the tile size (default 256). Every value also goes to
# build-bench/detect/values.csv. A benchmark, not a test: exits 0 whenever
# the measurements ran.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
src=$root/bench/detect
out=$root/build-bench/detect
lib=$out/lib
testdata=${BENCH_TESTDATA:-$root/../shared/testdata}
tile=${BENCH_TILE:-256}
jobs=2 # at most 2 parallel jobs on this machine

note() { printf 'bench: %s\n' "$*" >&2; }
t0=$(date +%s.%N)
mkdir -p "$out"

# ---- build ----
with_shroud=1
note "building $lib (Release, -O2, libshroud.a)"
if ! { cmake -S "$root" -B "$lib" -DCMAKE_BUILD_TYPE=Release -DSHROUD_TESTS=OFF \
  -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >"$out/cmake.log" 2>&1 &&
  cmake --build "$lib" -j"$jobs" --target shroud_static >"$out/build.log" 2>&1; }; then
  note "libshroud.a did not build (see $out/build.log): the shroud rows will be missing"
  with_shroud=0
fi
read -ra cflags <<<"$(pkg-config --cflags libpng16 libjpeg)"
read -ra libs <<<"$(pkg-config --libs libcrypto libpng16 libjpeg libdeflate)"
warn=(-std=c11 -O2 -g -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wformat=2
  -D_POSIX_C_SOURCE=200809L)
sources=("$src"/detect.c "$src"/chisquare.c "$src"/rs.c "$src"/spa.c "$src"/hcf.c "$src"/embed.c
  "$src"/images.c "$src"/stats.c "$src"/report.c "$src"/shroud_embed.c)
build_bench() { # build_bench 1|0 -> with or without libshroud
  if [ "$1" = 1 ]; then
    gcc "${warn[@]}" -DDETECT_WITH_SHROUD -I"$root/include" "${cflags[@]}" "${sources[@]}" \
      "$lib/libshroud.a" "${libs[@]}" -lm -o "$out/detect"
  else
    gcc "${warn[@]}" "${cflags[@]}" "${sources[@]}" "${libs[@]}" -lm -o "$out/detect"
  fi
}
if [ "$with_shroud" = 1 ] && ! build_bench 1 2>"$out/link.log"; then
  note "the bench did not link against libshroud.a (see $out/link.log): the shroud rows will be missing"
  with_shroud=0
fi
[ "$with_shroud" = 1 ] || build_bench 0
t1=$(date +%s.%N)

# ---- run ----
note "running $out/detect on $testdata (tiles of ${tile}x$tile)"
cpu=$(sed -n '/^model name/{s/^model name[[:space:]]*: //p;q}' /proc/cpuinfo)
printf 'machine: %s, %s cores; load average at start: %s\n' "${cpu:-unknown CPU}" "$(nproc)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
"$out/detect" -t "$tile" -o "$out/values.csv" "$testdata"
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" \
  'BEGIN { printf "total: %.0f s (build %.0f s, run %.0f s)\n", c - a, b - a, c - b }'
exit 0
