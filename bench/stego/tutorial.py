#!/usr/bin/python3
"""tutorial.py -- the widely copied Python LSB steganography tutorial, as a
baseline for bench/stego (run it with /usr/bin/python3: Debian's python3-pil
and python3-numpy).

    tutorial.py hide COVER.png MESSAGE OUT.png [--loop-runs N]
    tutorial.py reveal STEGO.png NBYTES OUT [--loop-runs N]

hide: loads COVER with PIL, makes a numpy array of it and flattens it, turns
the message into a string of '0'/'1' characters (8 per byte, most significant
bit first), then sets the least significant bit of the first samples one bit
at a time in a Python for loop, reshapes, and saves a PNG with PIL's defaults.
reveal: loads, flattens, reads the least significant bit of the first
8 * NBYTES samples in a Python for loop and packs them into bytes, most
significant bit first. (The tutorial ends the message with a delimiter and
scans for it; here the length is given, which only makes reveal faster.)
The layout is the one `shroud reveal --raw-lsb NBYTES` reads.

Prints one line of key=value pairs on stdout: loop_ms, the time of the
per-bit loop alone (no PNG decode or encode, no array conversion); with
--loop-runs N the loop is run N times (each on a fresh copy of the array,
the copy not timed) and loop_ms is the median, loop_min_ms the minimum.
"""
import sys
import time

import numpy as np
from PIL import Image


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def hide_loop(flat, bits):
    # the tutorial's loop: one message bit at a time
    for i in range(len(bits)):
        flat[i] = (flat[i] & 254) | int(bits[i])


def reveal_loop(flat, nbits):
    bits = ""
    for i in range(nbits):
        bits += str(flat[i] & 1)
    return bytes(int(bits[k:k + 8], 2) for k in range(0, len(bits), 8))


def main(argv):
    runs = 1
    if "--loop-runs" in argv:
        k = argv.index("--loop-runs")
        runs = max(1, int(argv[k + 1]))
        del argv[k:k + 2]
    if len(argv) != 5 or argv[1] not in ("hide", "reveal"):
        sys.stderr.write(__doc__)
        return 2
    times = []
    if argv[1] == "hide":
        img = Image.open(argv[2])
        arr = np.array(img)
        with open(argv[3], "rb") as f:
            msg = f.read()
        bits = "".join(format(b, "08b") for b in msg)
        if len(bits) > arr.size:
            sys.stderr.write("tutorial.py: the message does not fit\n")
            return 1
        base = arr.flatten()
        for _ in range(runs):
            flat = base.copy()
            t0 = time.perf_counter()
            hide_loop(flat, bits)
            times.append(time.perf_counter() - t0)
        Image.fromarray(flat.reshape(arr.shape), img.mode).save(argv[4])
    else:
        img = Image.open(argv[2])
        flat = np.array(img).flatten()
        nbits = int(argv[3]) * 8
        for _ in range(runs):
            t0 = time.perf_counter()
            msg = reveal_loop(flat, nbits)
            times.append(time.perf_counter() - t0)
        with open(argv[4], "wb") as f:
            f.write(msg)
    print("loop_ms=%.3f loop_min_ms=%.3f loop_runs=%d"
          % (1e3 * median(times), 1e3 * min(times), runs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
