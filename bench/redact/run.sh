#!/usr/bin/env bash
# bench/redact/run.sh — the redaction benchmark: `shroud redact` and
# `shroud restore` on 1080p and 4K photos (JPEG and PNG), against the floor
# of a DCT-domain pass (jpegtran -copy all; libjpeg's coefficient read +
# write), against what users do today (ImageMagick blurring the regions and
# re-encoding), and against a plain PNG decode + encode with the library and
# level shroud uses.
#
#   bench/redact/run.sh        # or: make bench
#
# Builds build-bench/ (CMake Release, -O2, no tests: the same as
# bench/envelope) and build-bench/redact/redact_bench (redact_bench.c against
# libshroud.a, which also exposes the internal png_raster_* and
# jpeg_coeffs_* used as baselines), then prints:
#   1. in-process times (redact_bench: one thread, CLOCK_MONOTONIC, median of
#      interleaved iterations) and frames/s;
#   2. process times (hyperfine -N with --export-json, else bash timing), in
#      rounds that go over all commands in turn, median over all runs;
#   3. the goals of the issue with the measured ratios, PASS or MISS.
# A benchmark, not a test: it exits 0 whenever the measurements ran, goals
# met or not.
#
# Images: photo1080.{jpg,png} and photo2160.{jpg,png} from BENCH_TESTDATA
# (default ../shared/testdata next to the repository). When one is missing,
# synthetic stand-ins are made (redact_bench synth, then cjpeg -quality 90)
# and the report says so. Regions: 4 of 300x300, centred on the points at a
# quarter and three quarters of the width and height.
#
# Environment: BENCH_BUILD (the build directory, default build-bench next to
# this script's repository: give another when build-bench is in use);
# BENCH_TESTDATA; in process: BENCH_BUDGET (seconds of
# iterations per image, default 15), BENCH_MIN_RUNS / BENCH_MAX_RUNS
# (iterations, default 7 / 61); processes: BENCH_ROUNDS (default 3),
# BENCH_JPEG_RUNS / BENCH_PNG_RUNS (runs per command over all rounds, default
# 21 / 6), BENCH_WARMUP (warm-ups per command and round, default 2 for JPEG,
# 1 for PNG); BENCH_PERF=1 also profiles the in-process redaction of the
# 1080p JPEG with perf and prints the top functions.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BENCH_BUILD:-$root/build-bench}
out=$build/redact
testdata=${BENCH_TESTDATA:-$root/../shared/testdata}
budget=${BENCH_BUDGET:-15}
min_runs=${BENCH_MIN_RUNS:-7}
max_runs=${BENCH_MAX_RUNS:-61}
rounds=${BENCH_ROUNDS:-3}
jpeg_runs=${BENCH_JPEG_RUNS:-21}
png_runs=${BENCH_PNG_RUNS:-6}
jpeg_warm=${BENCH_WARMUP:-2}
png_warm=${BENCH_WARMUP:-1}
im=/usr/bin/convert-im6.q16 # by exact path: a `convert` on PATH may be a stand-in

. "$root/bench/lib.sh"

# ---- build ----
build_harness redact "$out"
cli=$build/shroud
bench=$out/redact_bench
tmp=$(mktemp -d "$out/run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---- images ----
declare -A img
stand_ins=()
for size in 1080 2160; do
  for ext in jpg png; do
    f=$testdata/photo$size.$ext
    if [ -r "$f" ]; then
      img[$size.$ext]=$f
      continue
    fi
    command -v cjpeg >/dev/null ||
      { note "$f is missing and cjpeg (libjpeg-turbo-progs) is not installed to make a stand-in: run scripts/install-deps, or set BENCH_TESTDATA"; exit 1; }
    w=1920 h=1080
    [ "$size" = 2160 ] && w=3840 h=2160
    if [ ! -e "$tmp/photo$size.ppm" ]; then
      "$bench" synth "$w" "$h" "$tmp/photo$size.ppm" "$tmp/photo$size.png"
      cjpeg -quality 90 -sample 2x2 -outfile "$tmp/photo$size.jpg" "$tmp/photo$size.ppm"
    fi
    img[$size.$ext]=$tmp/photo$size.$ext
    stand_ins+=("photo$size.$ext")
  done
done

# regions SIZE -> "X,Y,W,H ..." (4 of 300x300 at the quarter points)
regions() {
  local w=1920 h=1080
  [ "$1" = 2160 ] && w=3840 h=2160
  local r=()
  for y in $((h / 4 - 150)) $((3 * h / 4 - 150)); do
    for x in $((w / 4 - 150)) $((3 * w / 4 - 150)); do
      r+=("$x,$y,300,300")
    done
  done
  echo "${r[*]}"
}
region_args() { for r in $(regions "$1"); do printf -- '--region %s ' "$r"; done; }
im_args() { # the same rectangles as ImageMagick -region WxH+X+Y -blur 0x8
  for r in $(regions "$1"); do
    IFS=, read -r x y w h <<<"$r"
    printf -- '-region %sx%s+%s+%s -blur 0x8 ' "$w" "$h" "$x" "$y"
  done
}
label() { [ "$1" = 1080 ] && echo 1920x1080 || echo 3840x2160; }

# ---- machine ----
cpu=$(sed -n '/^model name/{s/^model name[[:space:]]*: //p;q}' /proc/cpuinfo)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "== shroud redaction benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
say "machine: ${cpu:-unknown CPU}, $(nproc) cores; load average at start: $load0"
say "library: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)," \
  "libjpeg-turbo $(dpkg-query -W -f='${Version}' libjpeg62-turbo 2>/dev/null || echo '?')," \
  "libpng $(pkg-config --modversion libpng16), libdeflate $(pkg-config --modversion libdeflate), gcc -O2"
if [ ${#stand_ins[@]} -gt 0 ]; then
  say "images: NOT FOUND in $testdata: ${stand_ins[*]} — synthetic stand-ins used (redact_bench synth, cjpeg -quality 90 4:2:0)"
else
  say "images: $testdata/photo1080.{jpg,png}, photo2160.{jpg,png}"
fi
say "regions: 4 x 300x300 at the quarter points; 1920x1080: $(regions 1080 | sed 's/,300,300//g')"
say "         3840x2160: $(regions 2160 | sed 's/,300,300//g') (x,y); one group, style noise,"
say "         sealed to one X25519 recipient (no passphrase, so no scrypt)"
say ""

kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# ---- 1. in process ----
declare -A ip
for size in 1080 2160; do
  for ext in jpg png; do
    note "in-process: $(label $size) $ext (at least $min_runs iterations, ${budget}s)"
    # shellcheck disable=SC2046 # the regions are separate words
    ip[$size.$ext]=$("$bench" -m "$min_runs" -M "$max_runs" -b "$budget" "${img[$size.$ext]}" $(regions "$size"))
  done
done
fps() { awk -v ms="$1" 'BEGIN { if (ms + 0 > 0) printf "%.1f/s", 1000 / ms; else print "-" }'; }
ms() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.2f", v }'; }
irow() { # irow LABEL EXT FIELD [NOTE]: one measurement at both sizes
  local a b
  a=$(kv "$3" "${ip[1080.$2]}")
  b=$(kv "$3" "${ip[2160.$2]}")
  printf '  %-32s %9s %8s %9s %8s   %s\n' "$1" "$(ms "$a")" "$(fps "$a")" "$(ms "$b")" "$(fps "$b")" \
    "${4:-}"
}
say "in process (redact_bench: one thread; median of interleaved iterations; ms and frames/s):"
printf '  %-32s %18s %18s\n' "" 1920x1080 3840x2160
irow "JPEG shroud redact" jpg redact_ms "shroud_redactor_new + add_group + finish + free"
irow "JPEG shroud restore" jpg restore_ms "shroud_restore of the redacted file"
irow "libjpeg coef read+write" jpg coef_ms "jpeg_read_coefficients + jpeg_write_coefficients"
irow "  shroud's reader (splice)" jpg sread_ms "internal: jpeg_coeffs_read_regions, as redact reads"
irow "  shroud's writer (splice)" jpg swrite_ms "internal: jpeg_coeffs_write_spliced, no change"
irow "PNG shroud redact" png redact_ms
irow "PNG shroud restore" png restore_ms
irow "PNG decode + encode (level 6)" png plain_ms "png_raster_decode + png_raster_encode(PNG_DEFAULT_LEVEL)"
irow "  png_raster_decode" png decode_ms "internal: libpng"
irow "  png_raster_encode (level 6)" png encode_ms "internal: shroud's filters + libdeflate 6"
irow "  libpng write, defaults" png lpng_ms "for context: png_write_image, zlib 6, adaptive filters"
printf '  %-32s %18s %18s\n' "iterations (JPEG / PNG)" \
  "$(kv runs "${ip[1080.jpg]}") / $(kv runs "${ip[1080.png]}")" \
  "$(kv runs "${ip[2160.jpg]}") / $(kv runs "${ip[2160.png]}")"
say "  (libjpeg coef read+write: jpegtran -copy all in process: jpeg_copy_critical_parameters,"
say "  default Huffman tables, every APPn/COM marker copied, jpeg_mem_dest. A decode + encode row is"
say "  the median of the per-iteration sums. PNG bytes at 1920x1080: original $(kv bytes "${ip[1080.png]}"),"
say "  png_raster_encode $(kv encode_bytes "${ip[1080.png]}"), libpng defaults $(kv lpng_bytes "${ip[1080.png]}"), redacted $(kv redacted_bytes "${ip[1080.png]}").)"
bad=""
for k in "${!ip[@]}"; do
  [ "$(kv restore_identical "${ip[$k]}")" = 1 ] || bad="$bad $k"
done
if [ -z "$bad" ]; then
  say "  check: every restore gave the original back (JPEG byte-identical, PNG same pixels)"
else
  say "  check: restore did NOT give the original back for:$bad"
fi
say ""

# ---- 2. processes ----
# Every command is timed in BENCH_ROUNDS rounds (each: warm-ups, then its
# share of the runs), the rounds going over all commands in turn, and its
# median is taken over the runs of all rounds: the compared commands are
# spread over the same minutes, so a burst of load hits all of them.
pub=$("$cli" keygen -o "$tmp/id" 2>/dev/null | tail -1)
have_hf=0
command -v hyperfine >/dev/null && have_hf=1
rm -f "$out"/*.json "$out"/*.times "$out"/*.cpu
ptime() { # ptime NAME ROUND RUNS WARMUP COMMAND: appends the run times (s) to $out/NAME.times
  local name=$1 round=$2 runs=$3 warm=$4 cmd=$5
  if [ "$have_hf" = 1 ]; then
    local json=$out/$name.round$round.json
    hyperfine -N --warmup "$warm" --runs "$runs" --export-json "$json" "$cmd" >/dev/null 2>&1 ||
      { note "failed: $cmd"; return 0; }
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
with open(sys.argv[2], "a") as f:
    f.writelines("%s\n" % t for t in r["times"])
with open(sys.argv[3], "a") as f:
    f.write("%s %d\n" % (r["user"] + r["system"], len(r["times"])))' \
      "$json" "$out/$name.times" "$out/$name.cpu"
  else
    for _ in $(seq "$warm"); do eval "$cmd" >/dev/null 2>&1; done
    for _ in $(seq "$runs"); do
      local t0 t1
      t0=$(date +%s%N)
      eval "$cmd" >/dev/null 2>&1
      t1=$(date +%s%N)
      awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }' >>"$out/$name.times"
    done
  fi
}
pmedian() { # pmedian NAME -> median ms over all rounds, or "-"
  [ -s "$out/$1.times" ] || { echo "-"; return; }
  sort -g "$out/$1.times" | awk '{ v[NR] = $1 } END {
    printf "%.2f\n", 1000 * (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
pcpu() { # pcpu NAME -> mean user + system CPU ms over all rounds, or "-"
  [ -s "$out/$1.cpu" ] || { echo "-"; return; }
  awk '{ s += $1 * $2; n += $2 } END { printf "%.2f\n", 1000 * s / n }' "$out/$1.cpu"
}
have_im=0
[ -x "$im" ] && have_im=1
have_jt=0
command -v jpegtran >/dev/null && have_jt=1
per_round() { echo $((($1 + rounds - 1) / rounds)); }
for size in 1080 2160; do
  for ext in jpg png; do
    # shellcheck disable=SC2046
    "$cli" redact -f -r "$pub" $(region_args "$size") -o "$tmp/red$size.$ext" "${img[$size.$ext]}" \
      2>/dev/null
  done
done
for round in $(seq "$rounds"); do
  for size in 1080 2160; do
    for ext in jpg png; do
      in=${img[$size.$ext]}
      runs=$(per_round "$jpeg_runs") warm=$jpeg_warm
      [ "$ext" = png ] && runs=$(per_round "$png_runs") warm=$png_warm
      note "processes, round $round/$rounds: $(label $size) $ext ($runs runs after $warm warm-ups per command)"
      ptime "redact-$size-$ext" "$round" "$runs" "$warm" \
        "'$cli' redact -f -r $pub $(region_args "$size")-o '$tmp/out$size.$ext' '$in'"
      ptime "restore-$size-$ext" "$round" "$runs" "$warm" \
        "'$cli' restore -f -i '$tmp/id' -o '$tmp/back$size.$ext' '$tmp/red$size.$ext'"
      if [ "$ext" = jpg ] && [ "$have_jt" = 1 ]; then
        ptime "jpegtran-$size-$ext" "$round" "$runs" "$warm" \
          "jpegtran -copy all -outfile '$tmp/jt$size.jpg' '$in'"
      fi
      if [ "$have_im" = 1 ]; then
        ptime "imagemagick-$size-$ext" "$round" "$runs" "$warm" \
          "$im '$in' $(im_args "$size")'$tmp/im$size.$ext'"
      fi
    done
  done
done
declare -A pt
for size in 1080 2160; do
  for ext in jpg png; do
    for what in redact restore jpegtran imagemagick; do
      pt[$size.$ext.$what]=$(pmedian "$what-$size-$ext")
      pt[$size.$ext.$what.cpu]=$(pcpu "$what-$size-$ext")
    done
  done
done
if [ "$have_hf" = 1 ]; then
  timer="hyperfine -N"
else
  timer="bash timing (hyperfine missing)"
fi
pv() { local v=${pt[$1]:-}; echo "${v:--}"; }
say "processes ($timer; median of $((rounds * $(per_round "$jpeg_runs"))) runs (JPEG) / $((rounds * $(per_round "$png_runs"))) (PNG)"
say "in $rounds interleaved rounds, each after $jpeg_warm / $png_warm warm-ups; wall ms, frames/s, and"
say "CPU ms = mean user + system):"
printf '  %-34s %-26s %-26s\n' "" "  1920x1080: wall      cpu" "  3840x2160: wall      cpu"
prow() { # prow LABEL KEY [COMMAND]
  printf '  %-34s %9s %7s %7s   %9s %7s %7s   %s\n' "$1" "$(pv "1080.$2")" "$(fps "$(pv "1080.$2")")" \
    "$(pv "1080.$2.cpu")" "$(pv "2160.$2")" "$(fps "$(pv "2160.$2")")" "$(pv "2160.$2.cpu")" "${3:-}"
}
prow "JPEG shroud redact" jpg.redact "shroud redact -r PUB --region X,Y,300,300 (x4) -o OUT IN"
prow "JPEG shroud restore" jpg.restore "shroud restore -i ID -o OUT REDACTED"
if [ "$have_jt" = 1 ]; then
  prow "jpegtran -copy all" jpg.jpegtran "jpegtran -copy all -outfile OUT IN"
else
  say "  jpegtran: not installed (libjpeg-turbo-progs), skipped"
fi
if [ "$have_im" = 1 ]; then
  prow "ImageMagick blur 4 regions (JPEG)" jpg.imagemagick "convert-im6.q16 IN -region 300x300+X+Y -blur 0x8 (x4) OUT.jpg"
fi
prow "PNG shroud redact" png.redact
prow "PNG shroud restore" png.restore
if [ "$have_im" = 1 ]; then
  prow "ImageMagick blur 4 regions (PNG)" png.imagemagick "the same, OUT.png"
else
  say "  ImageMagick: $im not found, skipped"
fi
say "  (shroud writes OUT through a temporary file, fsync and rename; jpegtran and ImageMagick"
say "  just write it. Per-command hyperfine data: $out/*.json)"
say ""

# ---- 3. goals ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f\n", a / b; else print "" }'; }
mark() { # mark VALUE OP GOAL -> "1.23  PASS"
  awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {
    if (v == "") { print "n/a"; exit }
    ok = (op == "<=") ? (v <= g) : (v >= g)
    printf "%-6s %s\n", v, (ok ? "PASS" : "MISS") }'
}
grow() { printf '  %-66s %-14s %-14s\n' "$@"; }
say "goals (the issue's; ratio = time of shroud / time of the baseline unless said):"
grow "goal" 1920x1080 3840x2160
r1() { ratio "$(pv "$1.jpg.redact")" "$(pv "$1.jpg.jpegtran")"; }
grow "JPEG redact <= 1.3x jpegtran -copy all (processes)" \
  "$(mark "$(r1 1080)" "<=" 1.3)" "$(mark "$(r1 2160)" "<=" 1.3)"
r2() { ratio "$(kv redact_ms "${ip[$1.jpg]}")" "$(kv coef_ms "${ip[$1.jpg]}")"; }
grow "JPEG redact <= 1.5x libjpeg coef read+write (in process)" \
  "$(mark "$(r2 1080)" "<=" 1.5)" "$(mark "$(r2 2160)" "<=" 1.5)"
f1080=$(awk -v ms="$(kv redact_ms "${ip[1080.jpg]}")" 'BEGIN { printf "%.1f\n", 1000 / ms }')
grow "JPEG redact >= 100 frames/s at 1080p, one core (in process)" "$(mark "$f1080" ">=" 100)" "-"
r3() { ratio "$(pv "$1.$2.imagemagick")" "$(pv "$1.$2.redact")"; }
grow "JPEG redact >= 3x faster than ImageMagick (processes)" \
  "$(mark "$(r3 1080 jpg)" ">=" 3)" "$(mark "$(r3 2160 jpg)" ">=" 3)"
r4() { ratio "$(kv redact_ms "${ip[$1.png]}")" "$(kv plain_ms "${ip[$1.png]}")"; }
grow "PNG redact <= 1.5x decode + encode, same lib + level (in process)" \
  "$(mark "$(r4 1080)" "<=" 1.5)" "$(mark "$(r4 2160)" "<=" 1.5)"
say "  for information, not goals:"
grow "  PNG redact: ImageMagick time / shroud time (processes)" "$(r3 1080 png)x" "$(r3 2160 png)x"
r1c() { ratio "$(pv "$1.jpg.redact.cpu")" "$(pv "$1.jpg.jpegtran.cpu")"; }
grow "  JPEG redact / jpegtran -copy all, CPU time (processes)" "$(r1c 1080)" "$(r1c 2160)"
r5() { ratio "$(kv redact_ms "${ip[$1.png]}")" "$(kv lpng_plain_ms "${ip[$1.png]}")"; }
grow "  PNG redact / (decode + libpng default write) (in process)" "$(r5 1080)" "$(r5 2160)"
r6() { ratio "$(kv restore_ms "${ip[$1.jpg]}")" "$(kv coef_ms "${ip[$1.jpg]}")"; }
grow "  JPEG restore / libjpeg coef read+write (in process)" "$(r6 1080)" "$(r6 2160)"
say "  the issue author's numbers for this machine (1080p / 4K): jpegtran -copy all 12 / 43 ms,"
say "  ImageMagick 119 / 227 ms, coefficient read+write 6.4 / 20.7 ms; this run: jpegtran" \
  "$(pv 1080.jpg.jpegtran) / $(pv 2160.jpg.jpegtran) ms,"
say "  ImageMagick $(pv 1080.jpg.imagemagick) / $(pv 2160.jpg.imagemagick) ms, coefficient read+write" \
  "$(ms "$(kv coef_ms "${ip[1080.jpg]}")") / $(ms "$(kv coef_ms "${ip[2160.jpg]}")") ms."
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (rerun when it is high: $(nproc) cores)"

# ---- optional: where the time of a JPEG redaction goes ----
if [ "${BENCH_PERF:-0}" = 1 ]; then
  if ! command -v perf >/dev/null; then
    note "BENCH_PERF=1 but perf is not installed"
    exit 0
  fi
  say ""
  say "perf: in-process redact of the 1920x1080 JPEG, 60 iterations (perf record --call-graph dwarf)"
  # shellcheck disable=SC2046
  perf record -q -o "$out/perf.data" --call-graph dwarf,16384 -F 999 \
    "$bench" -only redact -m 60 -M 60 "${img[1080.jpg]}" $(regions 1080) >/dev/null 2>&1 ||
    { say "  perf record failed (perf_event_paranoid?)"; exit 0; }
  say "  by library (self time):"
  perf report -i "$out/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
    awk '/^ +[0-9]/ && n++ < 8 { printf "    %7s  %s\n", $1, $2 }'
  say "  by function, with callees (named functions only; libjpeg and libdeflate are stripped):"
  say "    children    self  function"
  perf report -i "$out/perf.data" --children --sort symbol --stdio -g none 2>/dev/null |
    awk '/^ +[0-9]/ && $3 == "[.]" && $4 !~ /^0x|_start|libc_start|^main$/ && !seen[$4]++ &&
      n++ < 18 {
      printf "    %7s %7s  %s\n", $1, $2, $4 }'
  say "  one redaction (do_redact = 100%) by step: the functions redactor_new and _finish call"
  perf script -i "$out/perf.data" -F ip,sym 2>/dev/null | python3 -c '
import collections, sys
stacks, cur = [], []
for line in sys.stdin:
    f = line.split(None, 1)
    if not f:
        if cur:
            stacks.append(cur)
        cur = []
    else:
        cur.append(f[1].strip() if len(f) > 1 else f[0])
if cur:
    stacks.append(cur)
runs = [s for s in stacks if "do_redact" in s]
steps = collections.Counter()
for s in runs:
    for top in ("shroud_redactor_new", "shroud_redactor_finish"):
        if top in s:
            i = s.index(top)
            steps[top.replace("shroud_redactor_", "") + ": " + (s[i - 1] if i else "(itself)")] += 1
            break
    else:
        steps["other: " + s[s.index("do_redact") - 1]] += 1
for k, v in steps.most_common(12):
    print("    %6.1f%%  %s" % (100.0 * v / max(len(runs), 1), k))
lost = sum(1 for s in stacks if not any(f == "main" for f in s))
print("    (%.0f%% of all samples have no caller in the program: code without unwind information," % (100.0 * lost / max(len(stacks), 1)))
print("    e.g. libjpeg-turbo assembly on files read in full; the in-process table times the reader")
print("    and the writer redact uses directly)")'
fi
exit 0
