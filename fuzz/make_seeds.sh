#!/usr/bin/env bash
# make_seeds.sh — rebuilds the seed corpora fuzz/corpus/<harness>/ with
# fuzz/make_seeds.c (compiled with gcc against the library sources). Run it
# when the format or fuzz_fixed_keys.h changes, then commit fuzz/corpus/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build-fuzz/make_seeds
mkdir -p "$out"
cflags=(-std=c11 -O1 -g -D_POSIX_C_SOURCE=200809L -I"$root/include" -I"$root/src" -I"$root/fuzz")
objs=()
for src in "$root"/src/crypto/*.c; do
  obj=$out/$(basename "${src%.c}").o
  gcc "${cflags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
gcc "${cflags[@]}" -Wall -Wextra -Wpedantic -Werror -c "$root/fuzz/make_seeds.c" -o "$out/make_seeds.o"
read -ra crypto_libs <<<"$(pkg-config --libs libcrypto)"
gcc -o "$out/make_seeds" "$out/make_seeds.o" "${objs[@]}" "${crypto_libs[@]}"
# only the corpora this generator writes: the image ones have their own scripts
for h in fuzz_armor fuzz_envelope_header fuzz_envelope_open fuzz_keys fuzz_signature; do
  rm -rf "${root:?}/fuzz/corpus/$h"
done
"$out/make_seeds" "$root/fuzz/corpus"
du -sb "$root/fuzz/corpus"
