#!/usr/bin/env bash
# make_bmp_seeds.sh — rebuilds the seed corpus of fuzz_bmp_decode,
# fuzz/corpus/fuzz_bmp_decode/: a few tiny BMP files, one per supported
# variant (24/32-bit BI_RGB, bitfields after a 40-byte header, V3/V4/V5
# headers, bottom-up and top-down, 8-bit gray palettes) and one RLE8 file
# (refused). Plain bash + printf, deterministic output. Commit the result.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/fuzz/corpus/fuzz_bmp_decode
rm -rf "${out:?}"
mkdir -p "$out"

# byte V...: each value's low 8 bits as one byte
byte() {
  local b
  for b; do printf '%b' "\\x$(printf %02x $((b & 255)))"; done
}
le16() { byte $(($1)) $(($1 >> 8)); }
le32() { byte $(($1)) $(($1 >> 8)) $(($1 >> 16)) $(($1 >> 24)); }

# headers HSIZE W H BITS COMPRESSION CLR_USED ALPHA_MASK PRE
# File header and info header; PRE = bytes the caller writes between the
# info header and the pixels (masks after a 40-byte header, palette). H < 0
# is top-down. Masks R, G, B (and ALPHA_MASK) go in headers that have room.
headers() {
  local hsize=$1 w=$2 h=$3 bits=$4 comp=$5 clr=$6 alpha=$7 pre=$8
  local rows=$((h < 0 ? -h : h)) row=$((((w * bits + 31) >> 5) << 2))
  local off=$((14 + hsize + pre))
  printf BM
  le32 $((off + row * rows))
  le32 0
  le32 $off
  le32 "$hsize"
  le32 "$w"
  le32 "$h"
  le16 1
  le16 "$bits"
  le32 "$comp"
  le32 0 # biSizeImage
  le32 2835
  le32 2835
  le32 "$clr"
  le32 0
  local n=40
  if [ "$hsize" -ge 52 ]; then le32 0x00FF0000; le32 0x0000FF00; le32 0x000000FF; n=52; fi
  if [ "$hsize" -ge 56 ]; then le32 "$alpha"; n=56; fi
  if [ "$hsize" -ge 108 ]; then printf BGRs; n=60; fi # LCS_sRGB
  while [ $n -lt "$hsize" ]; do byte 0; n=$((n + 1)); done
}

# pixels W H BITS MOD SEED: rows of a pattern (each byte below MOD), padded
pixels() {
  local w=$1 h=$2 bits=$3 mod=$4 seed=$5
  local rows=$((h < 0 ? -h : h)) row=$((((w * bits + 31) >> 5) << 2)) used=$((w * bits / 8)) x y
  for ((y = 0; y < rows; y++)); do
    for ((x = 0; x < row; x++)); do
      if [ $x -lt $used ]; then byte $(((x * 37 + y * 101 + seed) % mod)); else byte 0; fi
    done
  done
}

# gray_palette N STEP: N entries B G R 0, entry i gray (i * STEP)
gray_palette() {
  local i v
  for ((i = 0; i < $1; i++)); do
    v=$((i * $2 & 255))
    byte $v $v $v 0
  done
}

{ headers 40 3 2 24 0 0 0 0; pixels 3 2 24 256 1; } >"$out/rgb24_3x2.bmp"
{ headers 40 1 -3 24 0 0 0 0; pixels 1 -3 24 256 2; } >"$out/rgb24_top_down_1x3.bmp"
{ headers 108 5 2 24 0 0 0 0; pixels 5 2 24 256 3; } >"$out/rgb24_v4_5x2.bmp"
{ headers 40 2 2 32 0 0 0 0; pixels 2 2 32 256 4; } >"$out/rgb32_bi_rgb_2x2.bmp"
{
  headers 40 3 2 32 3 0 0 12
  le32 0x00FF0000; le32 0x0000FF00; le32 0x000000FF
  pixels 3 2 32 256 5
} >"$out/rgb32_bitfields_3x2.bmp"
{
  headers 40 2 -2 32 6 0 0 16
  le32 0x00FF0000; le32 0x0000FF00; le32 0x000000FF; le32 0xFF000000
  pixels 2 -2 32 256 6
} >"$out/rgba32_alphabitfields_top_down_2x2.bmp"
{ headers 56 2 1 32 3 0 0xFF000000 0; pixels 2 1 32 256 7; } >"$out/rgba32_v3_2x1.bmp"
{ headers 124 3 -2 32 3 0 0xFF000000 0; pixels 3 -2 32 256 8; } >"$out/rgba32_v5_top_down_3x2.bmp"
{ headers 124 2 2 32 3 0 0xFF000000 0; pixels 2 2 32 1 0; } >"$out/rgb32_v5_zero_alpha_2x2.bmp"
{ headers 40 5 3 8 0 16 0 64; gray_palette 16 17; pixels 5 3 8 16 9; } >"$out/gray8_16_5x3.bmp"
{
  headers 124 3 -2 8 0 0 0 1024
  gray_palette 256 1
  pixels 3 -2 8 256 10
} >"$out/gray8_v5_top_down_3x2.bmp"
{ headers 40 2 2 8 0 2 0 8; gray_palette 2 255; byte 1 0 0 0 0 1 0 0; } >"$out/gray8_2_2x2.bmp"
# refused variants, so that mutations start near those branches too
{ headers 40 4 2 8 1 2 0 8; gray_palette 2 255; byte 4 1 0 0 4 0 0 1; } >"$out/rle8_refused.bmp"
{
  printf BM; le32 $((14 + 12 + 16)); le32 0; le32 $((14 + 12))
  le32 12; le16 2; le16 2; le16 1; le16 24 # BITMAPCOREHEADER
  pixels 2 2 24 256 11
} >"$out/os2_core_header_refused.bmp"
du -sb "$out"
