#!/usr/bin/env bash
# make_image_seeds.sh — rebuilds the seed corpora of fuzz_image_restore and
# fuzz_redaction_record (and fuzz_stego_reveal) with fuzz/make_image_seeds.c,
# compiled with gcc against the library sources (src/crypto, src/image,
# src/redact, src/stego). Envelopes
# use fresh randomness, so the bytes differ from run to run. Run it when the
# redaction format or fuzz_fixed_keys.h changes, then commit the result.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build-fuzz/make_image_seeds
mkdir -p "$out"
cflags=(-std=c11 -O1 -g -D_POSIX_C_SOURCE=200809L -I"$root/include" -I"$root/src" -I"$root/fuzz")
objs=()
pids=()
for src in "$root"/src/crypto/*.c "$root"/src/image/*.c "$root"/src/redact/*.c "$root"/src/stego/*.c; do
  obj=$out/$(basename "${src%.c}").o
  objs+=("$obj")
  gcc "${cflags[@]}" -c "$src" -o "$obj" &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
gcc "${cflags[@]}" -Wall -Wextra -Wpedantic -Werror -c "$root/fuzz/make_image_seeds.c" \
  -o "$out/make_image_seeds.o"
read -ra libs <<<"$(pkg-config --libs libcrypto libpng16 libjpeg libdeflate)"
gcc -o "$out/make_image_seeds" "$out/make_image_seeds.o" "${objs[@]}" "${libs[@]}"
for h in fuzz_image_restore fuzz_redaction_record fuzz_stego_reveal fuzz_stego_extract; do
  rm -rf "${root:?}/fuzz/corpus/$h"
  mkdir -p "$root/fuzz/corpus/$h"
done
"$out/make_image_seeds" "$root/fuzz/corpus"
du -sb "$root/fuzz/corpus/fuzz_image_restore" "$root/fuzz/corpus/fuzz_redaction_record" \
  "$root/fuzz/corpus/fuzz_stego_reveal" "$root/fuzz/corpus/fuzz_stego_extract"
