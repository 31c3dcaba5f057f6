#!/usr/bin/python3
"""redact_tool.py — helpers for test_redact.sh (run with /usr/bin/python3).

    redact_tool.py gen-png SRC DIR W H       PNG variants (every colour type and bit depth)
    redact_tool.py gen-pnm SRC OUT W H [gray] a cropped PPM/PGM for cjpeg
    redact_tool.py regions ORIG OTHER JSON [outside=same] [GROUP=same|differ|STYLE]...
    redact_tool.py covered JSON IMAGE         covered rectangles = regions snapped to the MCU grid
    redact_tool.py coding FILE                PNG depth and colour type; JPEG SOF, DRIs, scans
    redact_tool.py redacted IN R IN_DEC R_DEC JSON STYLE   covered, coding and regions at once
    redact_tool.py json KIND FILE [KEY=VALUE]...  fields of redact/restore/inspect --json
    redact_tool.py png-info FILE              "bit_depth colour_type interlace"
    redact_tool.py jpeg-info FILE             "SOF restart=N,... scans=N MCU_W MCU_H COMPONENTS"
    redact_tool.py has-exif FILE              exit 0 when a JPEG APP1 Exif segment is there
    redact_tool.py png-chunks FILE            the chunk types, one line
    redact_tool.py png-text FILE              the tEXt chunks, KEY=VALUE per line
    redact_tool.py meta FILE                  the metadata: PNG ancillary chunks, JPEG APPn and
                                              COM segments, but shroud's (TYPE:CRC32, in order)
    redact_tool.py png-edit-pixel FILE        changes one pixel: IDAT inflated, edited, deflated
    redact_tool.py png-flip-idat FILE         flips a byte inside IDAT, fixes the chunk CRC
    redact_tool.py jpeg-flip-scan FILE        flips a bit in the entropy-coded data
    redact_tool.py jpeg-edit-dqt FILE         changes one quantisation step (every pixel changes)
    redact_tool.py add-comment FILE           a PNG tEXt chunk before IEND, a JPEG COM after SOI
    redact_tool.py swap-record FROM TO        TO gets FROM's redaction record (shRD / APP11)
    redact_tool.py flip-record FILE OFFSET    flips a byte of the redaction record (CRC fixed)
    redact_tool.py big-png OUT W H            a 1-bit gray PNG of W x H black pixels
    redact_tool.py jpeg-size IN OUT W H       IN with the size in its SOF replaced

Decoded images (ORIG, OTHER) are binary PNM files (P5/P6, as djpeg writes) or
raw interleaved samples (ImageMagick's rgba:, 8 or 16 bits) whose width and
height are those in JSON. Exit status 0 when a check holds, 1 (with the reason
on stdout) when it does not.
"""
import json
import struct
import sys
import zlib

PNG_SIG = b"\x89PNG\r\n\x1a\n"


def die(msg):
    print(msg)
    sys.exit(1)


# ---- PNG writing ------------------------------------------------------------


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_rows(samples, width, depth):
    """samples: list of rows, each a list of sample values; packs them."""
    rows = []
    for row in samples:
        if depth == 16:
            rows.append(b"".join(struct.pack(">H", v) for v in row))
        elif depth == 8:
            rows.append(bytes(row))
        else:
            per = 8 // depth
            out = bytearray()
            for i in range(0, len(row), per):
                b = 0
                for k in range(per):
                    v = row[i + k] if i + k < len(row) else 0
                    b |= v << (8 - depth * (k + 1))
                out.append(b)
            rows.append(bytes(out))
    return rows


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, width, height, ctype, depth, pixels, plte=None, trns=None, interlace=False,
              text=None, extra=()):
    """pixels[y][x] is a tuple of samples (one for gray and palette)."""
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        xs = range(x0, width, dx)
        if not xs:
            continue
        for y in range(y0, height, dy):
            flat = [s for x in xs for s in pixels[y][x]]
            raw += b"\x00" + pack_rows([flat], len(xs), depth)[0]
    out = PNG_SIG + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, ctype, 0, 0,
                                               1 if interlace else 0))
    out += chunk(b"gAMA", struct.pack(">I", 45455))
    if text:
        for k, v in text:
            out += chunk(b"tEXt", k.encode() + b"\x00" + v.encode())
    for kind, data in extra:
        out += chunk(kind, data)
    if plte:
        out += chunk(b"PLTE", b"".join(bytes(c) for c in plte))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    z = zlib.compress(bytes(raw), 6)
    for i in range(0, len(z), 8192):  # several IDAT chunks
        out += chunk(b"IDAT", z[i:i + 8192])
    out += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


def gen_png(src, outdir, w, h):
    import random
    from PIL import Image
    im = Image.open(src).convert("RGB")
    left, top = (im.width - w) // 3, (im.height - h) // 3
    im = im.crop((left, top, left + w, top + h))
    rgb = [[im.getpixel((x, y)) for x in range(w)] for y in range(h)]
    gray = [[(r * 299 + g * 587 + b * 114) // 1000 for (r, g, b) in row] for row in rgb]
    rnd = random.Random(1234)
    low = [[rnd.randrange(256) for _ in range(w * 4)] for _ in range(h)]  # 16-bit low bytes
    # alpha: a gradient with a fully transparent band whose colours stay arbitrary
    alpha = [[0 if 40 <= x < 56 else (x * 255 // (w - 1) + y) % 256 for x in range(w)]
             for y in range(h)]
    made = []

    def emit(name, ctype, depth, pix, **kw):
        write_png(f"{outdir}/{name}.png", w, h, ctype, depth, pix, **kw)
        made.append(name)

    for d in (1, 2, 4):
        emit(f"gray{d}", 0, d, [[(v >> (8 - d),) for v in row] for row in gray])
    emit("gray8", 0, 8, [[(v,) for v in row] for row in gray])
    emit("gray16", 0, 16, [[(v << 8 | low[y][x],) for x, v in enumerate(row)]
                           for y, row in enumerate(gray)])
    emit("graya8", 4, 8, [[(v, alpha[y][x]) for x, v in enumerate(row)]
                          for y, row in enumerate(gray)])
    emit("graya16", 4, 16, [[(v << 8 | low[y][x], alpha[y][x] << 8 | low[y][x + w])
                             for x, v in enumerate(row)] for y, row in enumerate(gray)])
    emit("rgb8", 2, 8, rgb)
    emit("rgb16", 2, 16, [[tuple(c << 8 | low[y][3 * x + k] for k, c in enumerate(p))
                           for x, p in enumerate(row)] for y, row in enumerate(rgb)])
    emit("rgba8", 6, 8, [[p + (alpha[y][x],) for x, p in enumerate(row)]
                         for y, row in enumerate(rgb)])
    emit("rgba16", 6, 16, [[tuple(c << 8 | low[y][4 * x + k]
                                  for k, c in enumerate(p + (alpha[y][x],)))
                            for x, p in enumerate(row)] for y, row in enumerate(rgb)])
    emit("rgb8-interlaced", 2, 8, rgb, interlace=True)
    emit("gray16-interlaced", 0, 16, [[(v << 8 | low[y][x],) for x, v in enumerate(row)]
                                      for y, row in enumerate(gray)], interlace=True)
    emit("rgb8-meta", 2, 8, rgb, text=[("Comment", "shroud test tEXt"), ("Author", "test")],
         extra=[(b"zTXt", b"Description\x00\x00" + zlib.compress(b"compressed text")),
                (b"iTXt", b"Title\x00\x00\x00en\x00Titel\x00international text"),
                (b"eXIf", b"MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"),  # IFD0: no entries, no IFD1
                (b"pHYs", struct.pack(">IIB", 2835, 2835, 1))])
    for colours, depth in ((256, 8), (16, 4), (2, 1)):
        q = im.quantize(colours)
        pal = q.getpalette()[:3 * colours]
        pal += [0] * (3 * colours - len(pal))
        plte = [tuple(pal[3 * i:3 * i + 3]) for i in range(colours)]
        idx = [[(q.getpixel((x, y)),) for x in range(w)] for y in range(h)]
        emit(f"palette{depth}", 3, depth, idx, plte=plte)
        if depth == 8:
            trns = bytes((i * 37) % 256 if i % 5 else 0 for i in range(colours))
            emit("palette8-trns", 3, 8, idx, plte=plte, trns=trns)
            emit("palette8-trns-interlaced", 3, 8, idx, plte=plte, trns=trns, interlace=True)
    print(" ".join(made))


def gen_pnm(src, out, w, h, gray=False):
    from PIL import Image
    im = Image.open(src).convert("L" if gray else "RGB")
    left, top = (im.width - w) // 3, (im.height - h) // 3
    im.crop((left, top, left + w, top + h)).save(out, format="PPM")


# ---- decoded images ------------------------------------------------------------


class Raster:
    def __init__(self, path, width, height):
        data = open(path, "rb").read()
        if data[:2] in (b"P5", b"P6"):
            fields, pos = [], 2
            while len(fields) < 3:
                while data[pos:pos + 1].isspace():
                    pos += 1
                if data[pos:pos + 1] == b"#":
                    pos = data.index(b"\n", pos)
                    continue
                start = pos
                while not data[pos:pos + 1].isspace():
                    pos += 1
                fields.append(int(data[start:pos]))
            pos += 1
            w, h, maxval = fields
            if (w, h) != (width, height):
                die(f"{path}: {w}x{h}, expected {width}x{height}")
            self.wide = maxval > 255
            self.bpp = (1 if data[:2] == b"P5" else 3) * (2 if self.wide else 1)
            self.data = data[pos:pos + w * h * self.bpp]
            self.alpha = False
        else:  # ImageMagick rgba: 4 samples of 8 or 16 bits
            self.data = data
            self.bpp = len(data) // (width * height)
            if self.bpp not in (4, 8) or self.bpp * width * height != len(data):
                die(f"{path}: {len(data)} bytes is not {width}x{height} RGBA pixels")
            self.wide = self.bpp == 8
            self.alpha = True
        self.w, self.h = width, height
        self.stride = width * self.bpp

    def row(self, y, x0=0, x1=None):
        x1 = self.w if x1 is None else x1
        return self.data[y * self.stride + x0 * self.bpp:y * self.stride + x1 * self.bpp]

    def pixels(self, rect):
        x, y, w, h = rect
        for yy in range(y, y + h):
            r = self.row(yy, x, x + w)
            for i in range(0, len(r), self.bpp):
                yield r[i:i + self.bpp]

    def samples(self, px):
        if self.wide:
            return [px[i] << 8 | px[i + 1] for i in range(0, len(px), 2)]
        return list(px)

    def all_pixels(self):
        return (self.data[i:i + self.bpp] for i in range(0, len(self.data), self.bpp))


def rect_of(c):
    return (c["x"], c["y"], c["w"], c["h"])


def regions_cmd(args):
    problems = regions_problems(args)
    if problems:
        die("; ".join(problems))


def regions_problems(args):
    orig_path, other_path, json_path = args[:3]
    info = json.load(open(json_path))
    W, H = info["width"], info["height"]
    a, b = Raster(orig_path, W, H), Raster(other_path, W, H)
    if a.bpp != b.bpp:
        die(f"{a.bpp} vs {b.bpp} bytes per pixel")
    groups = {g["name"]: [rect_of(r["covered"]) for r in g["regions"]] for g in info["groups"]}
    every = [r for rs in groups.values() for r in rs]
    problems = []
    for spec in args[3:]:
        what, want = spec.split("=")
        if what == "outside":
            bad = 0
            first = None
            for y in range(H):
                spans, x = [], 0
                for (rx, ry, rw, rh) in sorted(r for r in every if r[1] <= y < r[1] + r[3]):
                    if rx > x:
                        spans.append((x, rx))
                    x = max(x, rx + rw)
                spans.append((x, W))
                for x0, x1 in spans:
                    if x1 > x0 and a.row(y, x0, x1) != b.row(y, x0, x1):
                        ra, rb = a.row(y, x0, x1), b.row(y, x0, x1)
                        for i in range(0, len(ra), a.bpp):
                            if ra[i:i + a.bpp] != rb[i:i + a.bpp]:
                                bad += 1
                                if first is None:
                                    first = (x0 + i // a.bpp, y)
            if (bad == 0) != (want == "same"):
                problems.append(f"outside the covered rectangles: {bad} pixels differ"
                                + (f", the first at x={first[0]} y={first[1]}" if first else ""))
            continue
        if what not in groups:
            die(f"no group {what} in {json_path}")
        pa = [p for r in groups[what] for p in a.pixels(r)]
        pb = [p for r in groups[what] for p in b.pixels(r)]
        n = len(pa)
        diff = sum(1 for p, q in zip(pa, pb) if p != q)
        if want == "same":
            if diff:
                problems.append(f"group {what}: {diff} of {n} pixels differ")
        elif want in ("differ", "noise"):
            if diff < n // 4:
                problems.append(f"group {what}: only {diff} of {n} pixels differ")
        elif want == "fill":
            top = (1 << (16 if b.wide else 8)) - 1
            if not b.alpha:  # a decoded JPEG: black, give or take rounding
                worst = max(max(b.samples(p)) for p in pb)
                if worst > 8 * (top // 255):
                    problems.append(f"group {what}: fill is not black (a sample is {worst})")
            else:  # PNG: one colour, opaque, no farther from black than any colour in the image
                colours = set(pb)
                c = b.samples(next(iter(colours)))
                dark = min(sum(v * v for v in a.samples(p)[:3]) for p in a.all_pixels())
                if len(colours) != 1 or c[3] != top or sum(v * v for v in c[:3]) > dark:
                    problems.append(f"group {what}: fill gives {len(colours)} colours, "
                                    f"the first {c}")
        elif want == "pixelate":
            colours = len(set(pb))
            if diff < n // 4 or colours > n // 16:
                problems.append(f"group {what}: pixelate: {diff} of {n} pixels differ, "
                                f"{colours} colours")
        elif want == "blur":
            def roughness(r):
                total = count = 0
                for (rx, ry, rw, rh) in groups[what]:
                    for yy in range(ry, ry + rh):
                        v = r.samples(r.row(yy, rx, rx + rw))
                        step = r.bpp // (2 if r.wide else 1)
                        total += sum(abs(v[i] - v[i + step]) for i in range(len(v) - step))
                        count += len(v) - step
                return total / max(count, 1)
            ra, rb = roughness(a), roughness(b)
            if diff < n // 4 or rb > ra / 2:
                problems.append(f"group {what}: blur: {diff} of {n} pixels differ, "
                                f"roughness {rb:.2f} vs {ra:.2f} before")
        else:
            die(f"unknown expectation {spec}")
    return problems


# ---- JPEG structure ---------------------------------------------------------------


def jpeg_segments(data):
    """(marker, payload) up to and including the first SOS; then ('scan', offset)."""
    if data[:2] != b"\xff\xd8":
        die("not a JPEG")
    pos, out = 2, []
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            die(f"no marker at {pos}")
        m = data[pos + 1]
        if m == 0xFF:
            pos += 1
            continue
        n = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        out.append((m, data[pos + 4:pos + 2 + n], pos))
        pos += 2 + n
        if m == 0xDA:
            out.append(("scan", pos, pos))
            break
    return out


def jpeg_info(path):
    """SOF type, the restart intervals (every DRI in the file, in order), the
    number of scans, the MCU size and the number of components."""
    data = open(path, "rb").read()
    sof, restarts, scans, comps, hmax, vmax = None, [], 0, 0, 1, 1
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            pos += 1  # entropy-coded data
            continue
        m = data[pos + 1]
        if m == 0x00 or m == 0xFF or 0xD0 <= m <= 0xD7:
            pos += 1 if m == 0xFF else 2
            continue
        if m == 0xD9:
            break
        n = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        payload = data[pos + 4:pos + 2 + n]
        if m in (0xC0, 0xC1, 0xC2, 0xC9, 0xCA):
            sof = {0xC0: "baseline", 0xC1: "extended", 0xC2: "progressive",
                   0xC9: "arithmetic", 0xCA: "progressive-arithmetic"}[m]
            comps = payload[5]
            hs = [payload[6 + 3 * i + 1] >> 4 for i in range(comps)]
            vs = [payload[6 + 3 * i + 1] & 15 for i in range(comps)]
            if comps > 1:  # one component: non-interleaved, the MCU is one block
                hmax, vmax = max(hs), max(vs)
        elif m == 0xDD:
            restarts.append(str(struct.unpack(">H", payload[:2])[0]))
        elif m == 0xDA:
            scans += 1
        pos += 2 + n
    return sof, "restart=" + (",".join(restarts) or "none"), f"scans={scans}", 8 * hmax, 8 * vmax, comps


def covered_cmd(json_path, image):
    problem = covered_problem(json_path, image)
    if problem:
        die(problem)


def covered_problem(json_path, image):
    info = json.load(open(json_path))
    if open(image, "rb").read(2) == b"\xff\xd8":
        _, _, _, mw, mh, _ = jpeg_info(image)
    else:
        mw = mh = 1
    W, H = info["width"], info["height"]
    for g in info["groups"]:
        for r in g["regions"]:
            x0, y0 = r["x"] // mw * mw, r["y"] // mh * mh
            x1 = min(-(-(r["x"] + r["w"]) // mw) * mw, W)
            y1 = min(-(-(r["y"] + r["h"]) // mh) * mh, H)
            want = {"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}
            if r["covered"] != want:
                return (f"group {g['name']}: region {rect_of(r)} covers {r['covered']}, "
                        f"expected {want} ({mw}x{mh} MCUs)")
    return None


def coding(path):
    """What redaction keeps: PNG bit depth and colour type; JPEG SOF type,
    restart intervals and number of scans."""
    data = open(path, "rb").read(32)
    if data[:8] == PNG_SIG:
        return f"{data[24]} {data[25]}"
    return " ".join(jpeg_info(path)[:3])


def redacted_cmd(args):
    """IN R IN_DEC R_DEC JSON STYLE: four lines for the shell to check: the
    covered rectangles ("ok" or the problem), the coding of IN, that of R, and
    the pixels ("ok" or the problems)."""
    src, red, src_dec, red_dec, json_path, style = args
    print(covered_problem(json_path, src) or "ok")
    print(coding(src))
    print(coding(red))
    print("; ".join(regions_problems([src_dec, red_dec, json_path, "outside=same",
                                      "default=" + style])) or "ok")


def has_exif(path):
    data = open(path, "rb").read()
    return any(m == 0xE1 and p.startswith(b"Exif\x00\x00") for m, p, _ in jpeg_segments(data)[:-1])


def jpeg_flip_scan(path):
    data = bytearray(open(path, "rb").read())
    start = jpeg_segments(bytes(data))[-1][1]
    pos = start + (len(data) - start) // 2
    while data[pos] in (0x00, 0xFE, 0xFF) or data[pos - 1] == 0xFF or data[pos + 1] == 0x00:
        pos += 1
    data[pos] ^= 0x10
    open(path, "wb").write(data)
    print(pos)


def jpeg_edit_dqt(path):
    data = bytearray(open(path, "rb").read())
    m, payload, pos = [s for s in jpeg_segments(bytes(data)) if s[0] == 0xDB][0]
    if payload[0] >> 4:
        die("16-bit quantisation table")
    off = pos + 4 + 1 + 1  # the first AC step (zigzag 1) of the first table
    data[off] = data[off] + 1 if data[off] < 255 else 254
    open(path, "wb").write(data)


# ---- PNG structure --------------------------------------------------------------


def png_chunks(data):
    if data[:8] != PNG_SIG:
        die("not a PNG")
    pos, out = 8, []
    while pos + 12 <= len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        out.append((data[pos + 4:pos + 8].decode("latin-1"), data[pos + 8:pos + 8 + n], pos))
        pos += 12 + n
    return out


def png_edit_pixel(path):
    data = open(path, "rb").read()
    chunks = png_chunks(data)
    idat = [c for c in chunks if c[0] == "IDAT"]
    ihdr = chunks[0][1]
    w, h, depth, ctype = struct.unpack(">IIBB", ihdr[:10])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    stride = 1 + (w * channels * depth + 7) // 8
    raw = bytearray(zlib.decompress(b"".join(c[1] for c in idat)))
    y = h // 2
    raw[y * stride + 1 + (stride - 1) // 2] ^= 0x01  # one sample of one pixel (filtered byte)
    new = chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    first, last = idat[0][2], idat[-1][2] + 12 + len(idat[-1][1])
    out = data[:first] + new + data[last:]
    open(path, "wb").write(out)


def png_flip_idat(path):
    data = bytearray(open(path, "rb").read())
    kind, body, pos = [c for c in png_chunks(bytes(data)) if c[0] == "IDAT"][0]
    off = pos + 8 + len(body) // 2
    data[off] ^= 0x01
    crc = zlib.crc32(bytes(data[pos + 4:pos + 8 + len(body)])) & 0xFFFFFFFF
    data[pos + 8 + len(body):pos + 12 + len(body)] = struct.pack(">I", crc)
    open(path, "wb").write(data)


# ---- shroud's blocks, edits after redaction ------------------------------------------


def shroud_blocks(data):
    """[(start, end)] of the redaction record's chunks / APP11 segments."""
    if data[:8] == PNG_SIG:
        return [(pos, pos + 12 + len(body)) for kind, body, pos in png_chunks(data)
                if kind == "shRD"]
    return [(pos, pos + 2 + len(payload) + 2) for m, payload, pos in jpeg_segments(data)[:-1]
            if m == 0xEB and payload.startswith(b"shroud\x00") and payload[7] == 1]


def add_comment(path):
    data = open(path, "rb").read()
    if data[:8] == PNG_SIG:
        iend = png_chunks(data)[-1][2]
        data = data[:iend] + chunk(b"tEXt", b"Comment\x00added later") + data[iend:]
    else:
        com = b"added later"
        data = data[:2] + b"\xff\xfe" + struct.pack(">H", len(com) + 2) + com + data[2:]
    open(path, "wb").write(data)


def swap_record(src, dst):
    a, b = open(src, "rb").read(), open(dst, "rb").read()
    ra, rb = shroud_blocks(a), shroud_blocks(b)
    if not ra or not rb:
        die("no redaction record")
    record = b"".join(a[s:e] for s, e in ra)
    out = b[:rb[0][0]] + record
    for (s, e), nxt in zip(rb, rb[1:] + [(len(b), None)]):
        out += b[e:nxt[0]]
    open(dst, "wb").write(out)


def flip_record(path, offset):
    data = bytearray(open(path, "rb").read())
    start, end = shroud_blocks(bytes(data))[0]
    if data[:8] == PNG_SIG:
        body = start + 8
        n = end - 4 - body
        data[body + offset % n] ^= 0x01
        crc = zlib.crc32(bytes(data[start + 4:end - 4])) & 0xFFFFFFFF
        data[end - 4:end] = struct.pack(">I", crc)
    else:
        body = start + 4 + 12  # past the marker, length, "shroud\0" and the block header
        data[body + offset % (end - body)] ^= 0x01
    open(path, "wb").write(data)


def big_png(path, w, h):
    row = b"\x00" * (1 + (w + 7) // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
    with open(path, "wb") as f:
        f.write(PNG_SIG + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0))
                + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def jpeg_size(src, dst, w, h):
    data = bytearray(open(src, "rb").read())
    m, payload, pos = [s for s in jpeg_segments(bytes(data)) if s[0] in (0xC0, 0xC2)][0]
    data[pos + 5:pos + 9] = struct.pack(">HH", h, w)
    open(dst, "wb").write(data)


# ---- --json output ----------------------------------------------------------------


def check_regions_json(g, where):
    assert isinstance(g["regions"], list) and g["regions"], f"{where}: no regions"
    for r in g["regions"]:
        for k in ("x", "y", "w", "h"):
            assert isinstance(r[k], int), f"{where}: region {k} is {r[k]!r}"
            assert isinstance(r["covered"][k], int), f"{where}: covered {k}"
        c = r["covered"]
        assert c["x"] <= r["x"] and c["y"] <= r["y"], f"{where}: covered does not contain region"


def json_cmd(kind, path, expect):
    d = json.load(open(path))
    assert isinstance(d, dict), "not an object"
    names = [g["name"] for g in d["groups"]]
    if kind == "redact":
        for k, t in (("output", str), ("format", str), ("width", int), ("height", int),
                     ("bytes", int), ("signed", bool), ("groups", list)):
            assert isinstance(d[k], t), f"{k} is {d.get(k)!r}"
        assert d["format"] in ("PNG", "JPEG"), d["format"]
        for g in d["groups"]:
            assert g["style"] in ("noise", "fill", "pixelate", "blur"), g["style"]
            check_regions_json(g, g["name"])
    elif kind == "restore":
        for k, t in (("input", str), ("output", str), ("groups", list)):
            assert isinstance(d[k], t), f"{k} is {d.get(k)!r}"
        for g in d["groups"]:
            assert isinstance(g["restored"], bool), f"restored is {g['restored']!r}"
            assert (g["reason"] is None) == g["restored"], f"reason is {g['reason']!r}"
            assert g["reason"] is None or isinstance(g["reason"], str) and g["reason"]
    elif kind == "inspect":
        for k, t in (("file", str), ("format", str), ("width", int), ("height", int),
                     ("groups", list)):
            assert isinstance(d[k], t), f"{k} is {d.get(k)!r}"
        assert ("progressive" in d) == (d["format"] == "JPEG"), "progressive only for JPEG"
        for g in d["groups"]:
            assert isinstance(g["stanzas"], int) and g["stanzas"] >= 1, g["stanzas"]
            assert set(g["sealed_to"]) <= {"X25519", "RSA-OAEP", "scrypt", "PBKDF2"}
            check_regions_json(g, g["name"])
        s = d["signature"]
        if s is not None:
            for k, t in (("key_id", str), ("valid", bool), ("signer", str)):
                assert isinstance(s[k], t), f"signature {k} is {s.get(k)!r}"
            assert (s["error"] is None) == s["valid"], f"signature error {s['error']!r}"
    else:
        die(f"unknown kind {kind}")
    for e in expect:
        key, want = e.split("=", 1)
        if key == "groups":
            got = ",".join(names)
        elif key == "restored":
            got = ",".join(g["name"] for g in d["groups"] if g["restored"])
        elif key == "styles":
            got = ",".join(g["style"] for g in d["groups"])
        elif key == "sealed_to":
            got = ";".join(",".join(g["sealed_to"]) for g in d["groups"])
        elif key == "stanzas":
            got = ",".join(str(g["stanzas"]) for g in d["groups"])
        elif key == "signature":
            s = d["signature"]
            got = "none" if s is None else "valid" if s["valid"] else "invalid"
        elif key == "expected_signer":
            got = json.dumps(d["signature"].get("expected_signer"))
        else:
            got = d[key] if isinstance(d[key], str) else json.dumps(d[key])
        assert str(got) == want, f"{key} is {got!r}, expected {want!r}"


def main():
    if len(sys.argv) < 2:
        die(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "gen-png":
        gen_png(args[0], args[1], int(args[2]), int(args[3]))
    elif cmd == "gen-pnm":
        gen_pnm(args[0], args[1], int(args[2]), int(args[3]), len(args) > 4)
    elif cmd == "regions":
        regions_cmd(args)
    elif cmd == "covered":
        covered_cmd(args[0], args[1])
    elif cmd == "redacted":
        redacted_cmd(args)
    elif cmd == "coding":
        print(coding(args[0]))
    elif cmd == "json":
        try:
            json_cmd(args[0], args[1], args[2:])
        except (AssertionError, KeyError, TypeError, ValueError) as e:
            die(f"{args[0]} --json: {type(e).__name__}: {e}")
    elif cmd == "png-info":
        ihdr = png_chunks(open(args[0], "rb").read())[0][1]
        print(ihdr[8], ihdr[9], ihdr[12])
    elif cmd == "jpeg-info":
        print(*jpeg_info(args[0]))
    elif cmd == "has-exif":
        sys.exit(0 if has_exif(args[0]) else 1)
    elif cmd == "png-chunks":
        print(" ".join(c[0] for c in png_chunks(open(args[0], "rb").read())))
    elif cmd == "meta":
        data = open(args[0], "rb").read()
        if data[:8] == PNG_SIG:
            items = [(k, body) for k, body, _ in png_chunks(data)
                     if k[0].islower() and k not in ("shRD", "shSG")]
        else:
            items = [("APP%d" % (m - 0xE0) if m != 0xFE else "COM", p)
                     for m, p, _ in jpeg_segments(data)[:-1]
                     if (0xE0 <= m <= 0xEF or m == 0xFE) and not p.startswith(b"shroud\x00")]
        print(" ".join(f"{k}:{zlib.crc32(b) & 0xFFFFFFFF:08x}" for k, b in items))
    elif cmd == "png-text":
        for k, body, _ in png_chunks(open(args[0], "rb").read()):
            if k == "tEXt":
                key, _, val = body.partition(b"\x00")
                print(f"{key.decode('latin-1')}={val.decode('latin-1')}")
    elif cmd == "png-edit-pixel":
        png_edit_pixel(args[0])
    elif cmd == "png-flip-idat":
        png_flip_idat(args[0])
    elif cmd == "jpeg-flip-scan":
        jpeg_flip_scan(args[0])
    elif cmd == "add-comment":
        add_comment(args[0])
    elif cmd == "swap-record":
        swap_record(args[0], args[1])
    elif cmd == "flip-record":
        flip_record(args[0], int(args[1]))
    elif cmd == "big-png":
        big_png(args[0], int(args[1]), int(args[2]))
    elif cmd == "jpeg-size":
        jpeg_size(args[0], args[1], int(args[2]), int(args[3]))
    elif cmd == "jpeg-edit-dqt":
        jpeg_edit_dqt(args[0])
    else:
        die(f"unknown command {cmd}")


main()
