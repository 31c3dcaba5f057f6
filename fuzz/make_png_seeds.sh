#!/usr/bin/env bash
# make_png_seeds.sh — rebuilds the seed corpora of the PNG harnesses,
# fuzz/corpus/fuzz_png_chunks/ and fuzz/corpus/fuzz_png_decode/, with
# fuzz/make_png_seeds.c (gcc + libpng + zlib; deterministic output). Commit
# the result.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build-fuzz/make_png_seeds
mkdir -p "$out"
read -ra png_libs <<<"$(pkg-config --libs libpng16 zlib)"
gcc -std=c11 -O1 -Wall -Wextra -Wpedantic -Werror "$root/fuzz/make_png_seeds.c" \
  "${png_libs[@]}" -o "$out/make_png_seeds"
for h in fuzz_png_chunks fuzz_png_decode; do
  rm -rf "${root:?}/fuzz/corpus/$h"
  mkdir -p "$root/fuzz/corpus/$h"
done
"$out/make_png_seeds" "$root/fuzz/corpus"
du -sb "$root/fuzz/corpus/fuzz_png_chunks" "$root/fuzz/corpus/fuzz_png_decode"
