#!/usr/bin/env bash
# bench/stego/run.sh — the steganography benchmark: `shroud hide` and
# `shroud reveal` on a 1920x1080 photo with a 10 KiB message, against
# steghide (on a 24-bit BMP of the same photo), against the widely copied
# Python tutorial (PIL + numpy, one bit per loop turn: bench/stego/tutorial.py),
# and against a plain PNG decode + encode with the library and level shroud
# uses.
#
#   bench/stego/run.sh        # or: make bench
#
# Builds $BENCH_BUILD (default build-bench/; CMake Release, -O2, no tests: the same as
# bench/envelope and bench/redact) and $BENCH_BUILD/stego/stego_bench
# (stego_bench.c against libshroud.a, which also exposes the internal
# stego_embed_steps / stego_extract / png_raster_* it times), then prints:
#   1. processes (hyperfine -N, --export-json), in rounds that go over all
#      commands in turn, median over all runs: shroud hide / reveal
#      (recipient mode), the passphrase mode and one wrong-passphrase guess,
#      steghide embed / extract, the tutorial's hide / reveal;
#   2. in process (stego_bench: one calling thread, CLOCK_MONOTONIC, median of
#      interleaved iterations): embedding and extraction alone, PNG decode and
#      encode, hide + reveal through the public API; the tutorial's per-bit
#      loops timed inside Python;
#   3. the goals with the measured ratios, met or not met; output sizes.
# A benchmark, not a test: it exits 0 whenever the measurements ran, goals
# met or not.
#
# Environment: BENCH_TESTDATA (default ../shared/testdata; photo1080.png is
# used, a synthetic stand-in is made when it is missing), BENCH_MSG_BYTES
# (default 10240); processes: BENCH_ROUNDS (default 3), BENCH_RUNS (runs of
# the fast commands over all rounds, default 21), BENCH_SLOW_RUNS (runs of the
# commands that take about a second or more, default 9), BENCH_WARMUP
# (warm-ups per command and round, default 1); in process: BENCH_BUDGET
# (seconds of iterations, default 20), BENCH_MIN_RUNS / BENCH_MAX_RUNS
# (default 7 / 41), BENCH_GUESSES (wrong-passphrase guesses, default 3),
# BENCH_PY_LOOP_RUNS (runs of the Python loops inside the script, default 7).
set -euo pipefail

t_start=$(date +%s)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BENCH_BUILD:-$root/build-bench}
out=$build/stego
testdata=${BENCH_TESTDATA:-$root/../shared/testdata}
msg_bytes=${BENCH_MSG_BYTES:-10240}
rounds=${BENCH_ROUNDS:-3}
fast_runs=${BENCH_RUNS:-21}
slow_runs=${BENCH_SLOW_RUNS:-9}
warm=${BENCH_WARMUP:-1}
budget=${BENCH_BUDGET:-20}
min_runs=${BENCH_MIN_RUNS:-7}
max_runs=${BENCH_MAX_RUNS:-41}
guesses=${BENCH_GUESSES:-3}
py_loop_runs=${BENCH_PY_LOOP_RUNS:-7}
py=/usr/bin/python3                 # by exact path: Debian's, with python3-pil and python3-numpy
im=/usr/bin/convert-im6.q16         # by exact path: a `convert` on PATH may be a stand-in

. "$root/bench/lib.sh"

# ---- build ----
build_harness stego "$out"
cli=$build/shroud
bench=$out/stego_bench
tutorial=$root/bench/stego/tutorial.py
tmp=$(mktemp -d "$out/run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

have_py=0
"$py" -c 'import numpy, PIL' 2>/dev/null && have_py=1
have_sh=0
command -v steghide >/dev/null && have_sh=1
have_hf=0
command -v hyperfine >/dev/null && have_hf=1

# ---- inputs ----
cover=$testdata/photo1080.png
stand_in=0
if [ ! -r "$cover" ]; then
  cover=$tmp/photo1080.png
  "$bench" synth 1920 1080 "$cover"
  stand_in=1
fi
head -c "$msg_bytes" /dev/urandom >"$tmp/msg.bin"
bmp=$tmp/cover.bmp
bmp_how=""
if [ "$have_py" = 1 ] &&
  "$py" -c 'import sys; from PIL import Image
Image.open(sys.argv[1]).convert("RGB").save(sys.argv[2], "BMP")' "$cover" "$bmp" 2>/dev/null; then
  bmp_how="a 24-bit BMP made with PIL"
elif [ -x "$im" ] && "$im" "$cover" -type TrueColor "BMP3:$bmp" 2>/dev/null; then
  bmp_how="a 24-bit BMP made with ImageMagick (BMP3)"
fi
"$cli" keygen -o "$tmp/id.key" >/dev/null 2>&1
pub=$("$cli" pubkey -i "$tmp/id.key")
printf 'correct horse battery staple\n' >"$tmp/pass.txt"
printf 'wrong horse battery staple\n' >"$tmp/wrong.txt"
steg_pass='bench-steghide-pass'

# one run of everything, untimed: the files the reveal side reads, and checks
json=$("$cli" hide -r "$pub" -f "$tmp/msg.bin" -o "$tmp/stego.png" --force --json "$cover" 2>/dev/null)
"$cli" hide --passphrase-file "$tmp/pass.txt" -f "$tmp/msg.bin" -o "$tmp/pstego.png" --force \
  "$cover" 2>/dev/null
checks=()
ck() { # ck LABEL FILE: the message came back?
  if cmp -s "$2" "$tmp/msg.bin"; then checks+=("$1 ok"); else checks+=("$1 FAILED"); fi
}
"$cli" reveal -i "$tmp/id.key" -o "$tmp/back.bin" --force "$tmp/stego.png" 2>/dev/null || true
ck "shroud reveal" "$tmp/back.bin"
"$cli" reveal --passphrase-file "$tmp/pass.txt" -o "$tmp/pback.bin" --force "$tmp/pstego.png" \
  2>/dev/null || true
ck "shroud reveal -p" "$tmp/pback.bin"
if "$cli" reveal --passphrase-file "$tmp/wrong.txt" -o "$tmp/wback.bin" --force \
  "$tmp/pstego.png" 2>/dev/null; then
  checks+=("wrong passphrase OPENED IT")
else
  checks+=("wrong passphrase refused")
fi
steg_msg=$tmp/msg.bin
steg_note=""
steg_cap=""
if [ "$have_sh" = 1 ] && [ -n "$bmp_how" ]; then
  steg_cap=$(steghide info -p x "$bmp" 2>/dev/null | sed -n 's/.*capacity: *//p' | head -1 || true)
  cap_bytes=$(awk -v c="$steg_cap" 'BEGIN { split(c, a, " "); m = 1
    if (a[2] == "KB") m = 1024; else if (a[2] == "MB") m = 1048576
    printf "%d\n", a[1] * m }')
  if [ "${cap_bytes:-0}" -gt 0 ] && [ "$cap_bytes" -lt "$msg_bytes" ]; then
    head -c $((cap_bytes * 9 / 10)) "$tmp/msg.bin" >"$tmp/steg_msg.bin"
    steg_msg=$tmp/steg_msg.bin
    steg_note="only $((cap_bytes * 9 / 10)) bytes fit steghide's capacity ($steg_cap): that is what it embeds"
  fi
  steghide embed -cf "$bmp" -ef "$steg_msg" -sf "$tmp/steg.bmp" -p "$steg_pass" -f -q 2>/dev/null || true
  steghide extract -sf "$tmp/steg.bmp" -p "$steg_pass" -xf "$tmp/steg_back.bin" -f -q 2>/dev/null || true
  if cmp -s "$tmp/steg_back.bin" "$steg_msg"; then checks+=("steghide ok"); else checks+=("steghide FAILED"); fi
fi
if [ "$have_py" = 1 ]; then
  "$py" "$tutorial" hide "$cover" "$tmp/msg.bin" "$tmp/py.png" >/dev/null
  "$py" "$tutorial" reveal "$tmp/py.png" "$msg_bytes" "$tmp/py_back.bin" >/dev/null
  ck "tutorial.py" "$tmp/py_back.bin"
  "$cli" reveal --raw-lsb "$msg_bytes" -o "$tmp/raw_back.bin" --force "$tmp/py.png" 2>/dev/null || true
  ck "shroud reveal --raw-lsb of tutorial.py's PNG" "$tmp/raw_back.bin"
fi

# ---- machine ----
cpu=$(sed -n '/^model name/{s/^model name[[:space:]]*: //p;q}' /proc/cpuinfo)
say "== shroud steganography benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
say "machine: ${cpu:-unknown CPU}, nproc $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "versions: libpng $(pkg-config --modversion libpng16), libdeflate $(pkg-config --modversion libdeflate)," \
  "gcc -O2; steghide $(dpkg-query -W -f='${Version}' steghide 2>/dev/null || echo '-');" \
  "$("$py" -c 'import sys, PIL, numpy; print("python %d.%d, PIL %s, numpy %s" % (sys.version_info[0], sys.version_info[1], PIL.__version__, numpy.__version__))' 2>/dev/null || echo 'python: PIL/numpy missing')"
if [ "$stand_in" = 1 ]; then
  say "cover: $testdata/photo1080.png NOT FOUND — a synthetic 1920x1080 RGB stand-in is used (stego_bench synth)"
else
  say "cover: $cover (1920x1080 RGB PNG)"
fi
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
jv() { sed -n "s/.*\"$1\":\\([^,}]*\\).*/\\1/p" <<<"$2"; }
say "message: $msg_bytes random bytes; shroud recipient mode (X25519): $(jv embedded_bits "$json") bits embedded" \
  "over $(jv samples_used "$json") of $(jv usable_samples "$json") usable samples"
say "  (Hamming code $(jv code_bits "$json") bits per $(( (1 << $(jv code_bits "$json")) - 1 )) samples)," \
  "$(jv changed_samples "$json") samples changed by +-1, $(jv bits_per_sample "$json") bits per usable sample"
if [ "$have_sh" = 1 ]; then
  say "steghide: cover $bmp_how from the same photo, capacity ${steg_cap:-?}; ${steg_note:-the same $msg_bytes bytes fit}"
else
  say "steghide: NOT INSTALLED (scripts/install-deps installs it): its rows are skipped"
fi
[ "$have_py" = 1 ] || say "tutorial.py: $py lacks PIL or numpy (python3-pil, python3-numpy): its rows are skipped"
say "checks (untimed run of each): ${checks[*]/%/;}"
say ""

# ---- 1. processes ----
rm -f "$out"/*.json "$out"/*.times "$out"/*.cpu
ptime() { # ptime NAME ROUND RUNS WARMUP COMMAND [hyperfine options]: appends run times (s) to $out/NAME.times
  local name=$1 round=$2 runs=$3 w=$4 cmd=$5
  shift 5
  if [ "$have_hf" = 1 ]; then
    local js=$out/$name.round$round.json
    hyperfine -N "$@" --warmup "$w" --runs "$runs" --export-json "$js" "$cmd" >/dev/null 2>&1 ||
      { note "failed: $cmd"; return 0; }
    "$py" -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
with open(sys.argv[2], "a") as f:
    f.writelines("%s\n" % t for t in r["times"])
with open(sys.argv[3], "a") as f:
    f.write("%s %d\n" % (r["user"] + r["system"], len(r["times"])))' \
      "$js" "$out/$name.times" "$out/$name.cpu"
  else
    for _ in $(seq "$w"); do eval "$cmd" >/dev/null 2>&1 || true; done
    for _ in $(seq "$runs"); do
      local t0 t1
      t0=$(date +%s%N)
      eval "$cmd" >/dev/null 2>&1 || true
      t1=$(date +%s%N)
      awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }' >>"$out/$name.times"
    done
  fi
}
pstat() { # pstat NAME -> "median_ms sd_ms n" over all rounds, or "- - 0"
  [ -s "$out/$1.times" ] || { echo "- - 0"; return; }
  sort -g "$out/$1.times" | awk '{ v[NR] = $1; s += $1; q += $1 * $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    sd = NR > 1 ? sqrt((q - s * s / NR) / (NR - 1)) : 0
    printf "%.1f %.1f %d\n", 1000 * m, 1000 * sd, NR }'
}
pcpu() { # pcpu NAME -> mean user + system CPU ms, or "-"
  [ -s "$out/$1.cpu" ] || { echo "-"; return; }
  awk '{ s += $1 * $2; n += $2 } END { printf "%.1f\n", 1000 * s / n }' "$out/$1.cpu"
}
per_round() { echo $((($1 + rounds - 1) / rounds)); }
fr=$(per_round "$fast_runs")
sr=$(per_round "$slow_runs")
for round in $(seq "$rounds"); do
  note "processes, round $round/$rounds ($fr runs of the fast commands, $sr of the slow ones, after $warm warm-up(s) each)"
  ptime hide "$round" "$fr" "$warm" \
    "$cli hide -r $pub -f $tmp/msg.bin -o $tmp/o_hide.png --force $cover"
  ptime reveal "$round" "$fr" "$warm" \
    "$cli reveal -i $tmp/id.key -o $tmp/o_reveal.bin --force $tmp/stego.png"
  ptime hide_bmp "$round" "$fr" "$warm" \
    "$cli hide -r $pub -f $tmp/msg.bin -o $tmp/o_hide_bmp.png --force $bmp"
  ptime hide_pass "$round" "$sr" "$warm" \
    "$cli hide --passphrase-file $tmp/pass.txt -f $tmp/msg.bin -o $tmp/o_phide.png --force $cover"
  ptime reveal_pass "$round" "$sr" "$warm" \
    "$cli reveal --passphrase-file $tmp/pass.txt -o $tmp/o_preveal.bin --force $tmp/pstego.png"
  ptime reveal_wrong "$round" "$sr" "$warm" \
    "$cli reveal --passphrase-file $tmp/wrong.txt -o $tmp/o_wreveal.bin --force $tmp/pstego.png" -i
  if [ "$have_sh" = 1 ] && [ -n "$bmp_how" ]; then
    ptime steg_embed "$round" "$sr" "$warm" \
      "steghide embed -cf $bmp -ef $steg_msg -sf $tmp/o_steg.bmp -p $steg_pass -f -q"
    ptime steg_extract "$round" "$fr" "$warm" \
      "steghide extract -sf $tmp/steg.bmp -p $steg_pass -xf $tmp/o_steg.bin -f -q"
  fi
  if [ "$have_py" = 1 ]; then
    ptime py_hide "$round" "$sr" "$warm" "$py $tutorial hide $cover $tmp/msg.bin $tmp/o_py.png"
    ptime py_reveal "$round" "$sr" "$warm" "$py $tutorial reveal $tmp/py.png $msg_bytes $tmp/o_py.bin"
  fi
done
declare -A P
for k in hide reveal hide_bmp hide_pass reveal_pass reveal_wrong steg_embed steg_extract py_hide py_reveal; do
  read -r P[$k] P[$k.sd] P[$k.n] <<<"$(pstat "$k")"
  P[$k.cpu]=$(pcpu "$k")
done
timer="bash timing (hyperfine missing)"
[ "$have_hf" = 1 ] && timer="hyperfine -N"
say "processes ($timer; $rounds interleaved rounds, $warm warm-up(s) per command and round; wall-clock"
say "median and standard deviation over all runs, ms; cpu = mean user + system ms):"
printf '  %-36s %9s %8s %4s %8s   %s\n' "" median "sd" runs cpu command
prow() { # prow LABEL KEY COMMAND
  printf '  %-36s %9s %8s %4s %8s   %s\n' "$1" "${P[$2]}" "±${P[$2.sd]}" "${P[$2.n]}" "${P[$2.cpu]}" "$3"
}
prow "shroud hide (X25519 recipient)" hide "shroud hide -r PUB -f MSG -o OUT.png COVER.png"
prow "shroud reveal (X25519 identity)" reveal "shroud reveal -i ID -o OUT STEGO.png"
prow "shroud hide, BMP cover (info)" hide_bmp "the same from the BMP steghide gets (output PNG)"
prow "shroud hide -p (passphrase)" hide_pass "--passphrase-file: one scrypt N=2^17 r=8, by design"
prow "shroud reveal -p (passphrase)" reveal_pass "one scrypt, by design"
prow "shroud reveal -p, WRONG passphrase" reveal_wrong "exit 1, nothing written: one guess"
if [ "$have_sh" = 1 ]; then
  prow "steghide embed" steg_embed "steghide embed -cf COVER.bmp -ef MSG -sf OUT.bmp -p PASS -f -q"
  prow "steghide extract" steg_extract "steghide extract -sf STEGO.bmp -p PASS -xf OUT -f -q"
fi
if [ "$have_py" = 1 ]; then
  prow "tutorial.py hide" py_hide "PIL load, numpy, per-bit loop, PIL save (PNG)"
  prow "tutorial.py reveal" py_reveal "PIL load, numpy, per-bit loop, pack bytes"
fi
say "  (shroud writes OUT through a temporary file, fsync and rename; the others just write it."
say "  Per-command hyperfine data: $out/*.json)"
say ""

# ---- 2. in process ----
note "in process: stego_bench (at least $min_runs iterations, ${budget}s, then $guesses wrong-passphrase guesses)"
ip=$("$bench" -m "$min_runs" -M "$max_runs" -b "$budget" -g "$guesses" "$cover" "$tmp/msg.bin")
pyh="" pyr=""
if [ "$have_py" = 1 ]; then
  note "in process: tutorial.py's loops ($py_loop_runs runs each)"
  pyh=$("$py" "$tutorial" hide "$cover" "$tmp/msg.bin" "$tmp/o_py2.png" --loop-runs "$py_loop_runs")
  pyr=$("$py" "$tutorial" reveal "$tmp/py.png" "$msg_bytes" "$tmp/o_py2.bin" --loop-runs "$py_loop_runs")
fi
ms() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.2f", v }'; }
irow() { printf '  %-40s %9s %9s   %s\n' "$1" "$(ms "$(kv "$2_ms" "$3")")" "$(ms "$(kv "$2_min_ms" "$3")")" "$4"; }
say "in process (stego_bench: one calling thread, CLOCK_MONOTONIC, median and minimum of $(kv runs "$ip")"
say "interleaved iterations, ms; level $(kv level "$ip") = SHROUD_STEGO_DEFAULT_PNG_LEVEL):"
printf '  %-40s %9s %9s\n' "" median min
irow "embedding alone (stego_embed_steps)" embed "$ip" "positions + Hamming-coded LSB matching, cover just parsed"
irow "extraction alone (stego_extract)" extract "$ip" "positions + reading the stream back"
irow "sealing the message (X25519)" seal "$ip" "the headerless envelope, $(kv env_bytes "$ip") bytes"
irow "PNG decode (png_raster_decode)" decode "$ip" "shroud's PNG reader, the one hide and reveal use"
enc_how="libdeflate level $(kv level "$ip")"
[ "$(kv level "$ip")" = 1 ] && enc_how="its Huffman-only deflate (level 1)"
irow "PNG encode (png_raster_encode)" encode "$ip" "shroud's filters + $enc_how"
irow "bare PNG decode + encode" bare "$ip" "the floor: a round trip with the same library and level"
irow "shroud_cover_new" cover "$ip" "decode + finding the usable samples"
irow "shroud_stego_hide" hide "$ip" "seal + keys + embed + encode with the changes"
irow "shroud_stego_reveal" reveal "$ip" "decode + usable samples + keys + extract + open"
irow "PNG decode of hide's output" decode_stego "$ip" "the stego image: level 1 writes it in 4 parts, decoded on two threads"
irow "hide + reveal (cover_new+hide+reveal)" both "$ip" "the public API, memory to memory"
if [ "$have_py" = 1 ]; then
  printf '  %-40s %9s %9s   %s\n' "tutorial.py hide loop (Python)" "$(ms "$(kv loop_ms "$pyh")")" \
    "$(ms "$(kv loop_min_ms "$pyh")")" "$((msg_bytes * 8)) turns, one bit each; $(kv loop_runs "$pyh") runs"
  printf '  %-40s %9s %9s   %s\n' "tutorial.py reveal loop (Python)" "$(ms "$(kv loop_ms "$pyr")")" \
    "$(ms "$(kv loop_min_ms "$pyr")")" "the same, reading, then packing bytes"
fi
printf '  %-40s %9s %9s   %s\n' "passphrase guess (wrong), marginal" "$(kv guess_ms "$ip")" \
  "$(kv guess_min_ms "$ip")" "read salt + scrypt + extract, image parsed: $(kv guesses "$ip") guesses"
say "  (shroud embeds $(kv stream_bits "$ip") bits with a Hamming code over $(kv samples_used "$ip") samples in key-shuffled"
say "  order, so the embedding visits that many; the tutorial writes $((msg_bytes * 8)) bits into the first samples.)"
say ""

# ---- 3. goals ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f\n", a / b; else print "" }'; }
mark() { # mark VALUE OP GOAL -> "1.23x  met"
  awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {
    if (v == "") { print "n/a"; exit }
    ok = (op == "<=") ? (v <= g) : (op == ">") ? (v > g) : (v >= g)
    printf "%8sx  %s\n", v, (ok ? "met" : "NOT MET") }'
}
grow() { printf '  %-66s %s\n' "$1" "$2"; }
say "goals (ratio = baseline time / shroud time, unless said):"
grow "hide end to end >= 10x faster than tutorial.py hide (processes)" "$(mark "$(ratio "${P[py_hide]}" "${P[hide]}")" ">=" 10)"
grow "reveal end to end >= 10x faster than tutorial.py reveal" "$(mark "$(ratio "${P[py_reveal]}" "${P[reveal]}")" ">=" 10)"
grow "hide faster than steghide embed (processes; ratio > 1)" "$(mark "$(ratio "${P[steg_embed]}" "${P[hide]}")" ">" 1)"
grow "reveal faster than steghide extract (processes; ratio > 1)" "$(mark "$(ratio "${P[steg_extract]}" "${P[reveal]}")" ">" 1)"
grow "embedding alone >= 100x faster than the Python per-bit loop" \
  "$(mark "$(ratio "$(kv loop_ms "$pyh")" "$(kv embed_ms "$ip")")" ">=" 100)"
grow "hide + reveal <= 1.3x bare PNG decode + encode (shroud/bare)" \
  "$(mark "$(ratio "$(kv both_ms "$ip")" "$(kv bare_ms "$ip")")" "<=" 1.3)"
gs=$(awk -v g="$(kv guess_ms "$ip")" 'BEGIN { if (g + 0 > 0) printf "%.3f\n", g / 1000 }')
grow "cracking cost >= 0.1 s per passphrase guess (one core, in process)" \
  "$(awk -v v="$gs" 'BEGIN { if (v == "") print "n/a"; else printf "%8s s %s\n", v, (v >= 0.1 ? "met" : "NOT MET") }')"
say "  for information:"
grow "  extraction alone vs the Python per-bit reveal loop" "$(ratio "$(kv loop_ms "$pyr")" "$(kv extract_ms "$ip")")x"
grow "  shroud hide / bare decode + encode (in process)" "$(ratio "$(kv hide_api_ms "$ip")" "$(kv bare_ms "$ip")")x"
grow "  shroud reveal / PNG decode (in process)" "$(ratio "$(kv reveal_ms "$ip")" "$(kv decode_ms "$ip")")x"
grow "  shroud hide from the BMP vs steghide embed (same cover)" "$(ratio "${P[steg_embed]}" "${P[hide_bmp]}")x"
grow "  passphrase hide / recipient hide (the deliberate scrypt)" "$(ratio "${P[hide_pass]}" "${P[hide]}")x slower"
say "  cracking: one wrong-passphrase guess costs $(kv guess_ms "$ip") ms in process (${P[reveal_wrong]} ms as a"
say "  process): about $(awk -v g="$(kv guess_ms "$ip")" 'BEGIN { if (g + 0 > 0) printf "%.1f", 1000 / g; else print "-" }') guesses/s per core. StegSeek tries millions of steghide passphrases per second"
say "  (steghide derives its positions from a cheap hash of the passphrase, no KDF)."
say ""

# ---- sizes ----
sz() { [ -e "$1" ] && stat -c %s "$1" || echo "-"; }
say "sizes (bytes): cover PNG $(sz "$cover"); shroud stego PNG (level $(kv level "$ip")) $(sz "$tmp/stego.png");" \
  "tutorial.py PNG (PIL defaults) $(sz "$tmp/py.png"); steghide BMP $(sz "$tmp/steg.bmp")"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (rerun when it is high: $(nproc) cores)"
say "total run time: $(($(date +%s) - t_start)) s"
exit 0
