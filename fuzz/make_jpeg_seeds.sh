#!/usr/bin/env bash
# make_jpeg_seeds.sh — rebuilds the seed corpora of the JPEG harnesses,
# fuzz/corpus/fuzz_jpeg_coeffs/, fuzz/corpus/fuzz_jpeg_segments/ and
# fuzz/corpus/fuzz_jpeg_splice/, with
# fuzz/make_jpeg_seeds.c (gcc + libjpeg; deterministic output). Commit the
# result.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build-fuzz/make_jpeg_seeds
mkdir -p "$out"
read -ra jpeg_libs <<<"$(pkg-config --libs libjpeg)"
gcc -std=c11 -O1 -Wall -Wextra -Wpedantic -Werror "$root/fuzz/make_jpeg_seeds.c" \
  "${jpeg_libs[@]}" -o "$out/make_jpeg_seeds"
for h in fuzz_jpeg_coeffs fuzz_jpeg_segments fuzz_jpeg_splice; do
  rm -rf "${root:?}/fuzz/corpus/$h"
  mkdir -p "$root/fuzz/corpus/$h"
done
"$out/make_jpeg_seeds" "$root/fuzz/corpus"
# fuzz_jpeg_splice: the sequential Huffman-coded files (what it splices)
for f in baseline_420 baseline_422_odd baseline_444 cmyk gray markers one_pixel optimized_restart; do
  cp "$root/fuzz/corpus/fuzz_jpeg_coeffs/$f.jpg" "$root/fuzz/corpus/fuzz_jpeg_splice/"
done
du -sb "$root/fuzz/corpus/fuzz_jpeg_coeffs" "$root/fuzz/corpus/fuzz_jpeg_segments" "$root/fuzz/corpus/fuzz_jpeg_splice"
