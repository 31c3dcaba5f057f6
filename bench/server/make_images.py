#!/usr/bin/python3
"""make_images.py — the JPEG files bench/server/run.sh uploads (unsigned: the
script signs them with `shroud sign`).

  make_images.py sized SRC TARGET OUT
      SRC scaled down and saved as a JPEG (quality 92) of the largest width
      whose file stays within TARGET bytes, then padded with a JPEG comment
      (COM segment) to exactly TARGET bytes.
  make_images.py copies SRC_JPEG OUTDIR K
      K copies of SRC_JPEG (made by `sized`), OUTDIR/up-00000.jpg ..., each
      with a different number in its first COM segment (so each has its own
      SHA-256 once signed), all of SRC_JPEG's size.
  make_images.py gallery OUTDIR N PHOTO...
      N small distinct JPEGs (quality 85) from the photos, at a few scales,
      OUTDIR/gal-000.jpg ...
  make_images.py synth OUT W H
      a synthetic stand-in photo (PNG: gradients and noise), for when the
      test photos are missing.

Prints one line per file made: SIZE WIDTH HEIGHT PATH.
"""
import io
import os
import sys

from PIL import Image

QUALITY = 92
COM_MAX = 65533  # payload bytes of one COM segment
TAG = b"shroud bench %08d"  # the first COM segment: fixed width, numbered by `copies`


def com(payload):
    """A JPEG COM segment holding payload (bytes, at most COM_MAX)."""
    n = len(payload) + 2
    return b"\xff\xfe" + bytes([n >> 8, n & 0xFF]) + payload


def with_comments(jpeg, tag, target=None):
    """jpeg with COM(tag) after SOI, and padding COM segments so that the
    whole is target bytes (when given)."""
    assert jpeg[:2] == b"\xff\xd8", "not a JPEG"
    head = com(tag)
    need = 0 if target is None else target - len(jpeg) - len(head)
    if need < 0:
        raise SystemExit("make_images.py: %d bytes do not fit in %d" % (len(jpeg), target))
    if 0 < need < 4:  # too small for a segment: lengthen the tag instead
        head = com(tag + b" " * need)
        need = 0
    pads = []
    while need > 0:
        seg = min(need, COM_MAX + 4)
        if 0 < need - seg < 4:
            seg -= 4
        pads.append(com(b"." * (seg - 4)))
        need -= seg
    return jpeg[:2] + head + b"".join(pads) + jpeg[2:]


def encode(img, quality):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def write(path, data, size):
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)
    print(len(data), size[0], size[1], path)


def sized(src, target, out):
    img = Image.open(src).convert("RGB")
    reserve = 64  # room for the tag segment
    lo, hi, best = 16, img.width, None
    while lo <= hi:  # the widest scaled copy that fits
        w = (lo + hi) // 2
        h = max(1, round(img.height * w / img.width))
        data = encode(img.resize((w, h), Image.LANCZOS) if w != img.width else img, QUALITY)
        if len(data) + reserve <= target:
            best, lo = (data, (w, h)), w + 1
        else:
            hi = w - 1
    if best is None:
        raise SystemExit("make_images.py: no scaled copy of %s fits in %d bytes" % (src, target))
    write(out, with_comments(best[0], TAG % 0, target), best[1])


def copies(src, outdir, k):
    with open(src, "rb") as f:
        jpeg = f.read()
    size = Image.open(src).size
    first = com(TAG % 0)
    if jpeg[2 : 2 + len(first)] != first:
        raise SystemExit("make_images.py: %s was not made by `sized`" % src)
    for i in range(k):
        data = jpeg[:2] + com(TAG % i) + jpeg[2 + len(first) :]
        write(os.path.join(outdir, "up-%05d.jpg" % i), data, size)


def gallery(outdir, n, photos):
    scales = [1.0, 0.8, 0.6, 0.45, 0.35, 0.25, 0.2, 0.15]
    imgs = [Image.open(p).convert("RGB") for p in photos]
    for i in range(n):
        img = imgs[i % len(imgs)]
        s = scales[(i // len(imgs)) % len(scales)]
        w, h = max(16, round(img.width * s)), max(16, round(img.height * s))
        data = encode(img.resize((w, h), Image.LANCZOS), 85)
        write(os.path.join(outdir, "gal-%03d.jpg" % i),
              with_comments(data, b"shroud bench gallery %03d" % i), (w, h))


def synth(out, w, h):
    noise = Image.effect_noise((w, h), 48).convert("RGB")
    grad = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    img = Image.blend(noise, grad, 0.6)
    img.save(out + ".tmp.png")
    os.replace(out + ".tmp.png", out)
    print(os.path.getsize(out), w, h, out)


def main(argv):
    if len(argv) >= 4 and argv[0] == "sized":
        sized(argv[1], int(argv[2]), argv[3])
    elif len(argv) == 4 and argv[0] == "copies":
        copies(argv[1], argv[2], int(argv[3]))
    elif len(argv) >= 4 and argv[0] == "gallery":
        gallery(argv[1], int(argv[2]), argv[3:])
    elif len(argv) == 4 and argv[0] == "synth":
        synth(argv[1], int(argv[2]), int(argv[3]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
