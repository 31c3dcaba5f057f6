#!/usr/bin/python3
"""stego_tutorial.py — the widely copied Python LSB steganography tutorial,
transcribed exactly, for checking `shroud reveal --raw-lsb` against it.

    stego_tutorial.py hide COVER DATA_FILE OUT     hide DATA_FILE's bytes
    stego_tutorial.py reveal IMAGE N_BYTES OUT     read N_BYTES back

The tutorial's algorithm: load the image with PIL, arr = numpy.array(img),
flat = arr.flatten() (row-major, channels interleaved: R,G,B[,A] of pixel 0,
then pixel 1, ...; alpha included), turn the message into bits, most
significant bit of each byte first, and for the i-th bit set
flat[i] = (flat[i] & ~1) | bit — plain LSB replacement, sequentially from
the first sample — then reshape and save (PNG, or whatever OUT's extension
says; a palette image keeps its palette). No key, no length: the reader must
know how many bytes to read.

Needs python3-pil and python3-numpy (Debian packages): run it with
/usr/bin/python3.
"""
import sys

import numpy
from PIL import Image


def to_bits(data):
    """The bits of data, most significant bit of each byte first."""
    bits = []
    for byte in data:
        for k in range(7, -1, -1):
            bits.append((byte >> k) & 1)
    return bits


def from_bits(bits):
    out = bytearray()
    for i in range(0, len(bits) - len(bits) % 8, 8):
        byte = 0
        for bit in bits[i : i + 8]:
            byte = (byte << 1) | int(bit)
        out.append(byte)
    return bytes(out)


def hide(cover, data_file, out):
    img = Image.open(cover)
    img.load()
    arr = numpy.array(img)
    flat = arr.flatten()
    with open(data_file, "rb") as f:
        bits = to_bits(f.read())
    if len(bits) > flat.size:
        sys.exit(f"stego_tutorial: the message needs {len(bits)} samples, the image has {flat.size}")
    for i, bit in enumerate(bits):
        flat[i] = (flat[i] & ~1) | bit
    stego = Image.fromarray(flat.reshape(arr.shape), img.mode)
    if img.mode == "P":
        stego.putpalette(img.getpalette())
    stego.save(out)


def reveal(image, n_bytes, out):
    flat = numpy.array(Image.open(image)).flatten()
    n = int(n_bytes)
    if 8 * n > flat.size:
        sys.exit(f"stego_tutorial: the image has only {flat.size} samples")
    with open(out, "wb") as f:
        f.write(from_bits([int(v) & 1 for v in flat[: 8 * n]]))


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("hide", "reveal"):
        sys.exit(__doc__)
    if sys.argv[1] == "hide":
        hide(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        reveal(sys.argv[2], sys.argv[3], sys.argv[4])


if __name__ == "__main__":
    main()
