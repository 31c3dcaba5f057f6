#!/bin/bash
# test_stego.sh — steganography end to end: shroud hide / reveal / capacity.
#
# Round trips (-m text, -f file, -f - from standard input; X25519 key files,
# key text, several recipients with --position-key, an openssl RSA key,
# passphrase files and the terminal) on PNG gray/gray16/RGB/RGBA and BMP
# covers made with PIL; stego images checked sample by sample with numpy
# (+-1 only, alpha and saturated samples untouched); --json output; capacity
# (hide of exactly max_bytes works, one more byte is refused before anything
# is written); every refusal (wrong key or passphrase, clean image, damaged or
# recompressed image, JPEG, palette, existing output, output = cover, usage
# errors) with its exit status, one line on stderr and no output file; a
# binary message is not written to a terminal; revealed files are 0600.
#
# The tutorial compatibility (the issue requires it): stego_tutorial.py hides
# an RSA-OAEP ciphertext made by openssl with the classic Python tutorial's
# sequential LSB algorithm in RGB, RGBA and gray images, and
# `shroud reveal --raw-lsb 256` must give back the exact ciphertext, which
# openssl then decrypts.
. "$(dirname "$0")/lib.sh" "$@"

PY=/usr/bin/python3 # with python3-pil and python3-numpy (another python3 may be first on PATH)
TUTORIAL=$CLI_TESTS/stego_tutorial.py
DATA=$(cd "$CLI_TESTS/../data" && pwd)

missing=()
command -v openssl >/dev/null || missing+=(openssl)
"$PY" -c 'import PIL, numpy' 2>/dev/null || missing+=("$PY with PIL and numpy")
if [ ${#missing[@]} -gt 0 ]; then
    flunk "tools the test needs (scripts/install-deps installs them)" "missing: ${missing[*]}"
    finish
fi

py() { "$PY" "$@"; }

# json_check DESC FILE EXPR: the Python expression EXPR over d (FILE parsed as
# JSON) is true.
json_check() {
    local desc=$1 file=$2 expr=$3 log=$WORK/.capture/json
    py -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$file" "$expr" >"$log" 2>&1
    verdict $? "$desc" "not true: $expr" "json: $(head -c 500 "$file")" "$(tail -n 2 "$log")"
}

# json_get FILE EXPR: prints EXPR over d (FILE parsed as JSON).
json_get() { py -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# pixels_check DESC COVER STEGO: the stego image has the cover's size and
# mode; alpha identical; every sample unchanged or moved by exactly 1 and
# still in 1..max-1; saturated samples and fully transparent pixels unchanged;
# at least one sample changed.
pixels_check() {
    local desc=$1 log=$WORK/.capture/pixels
    py - "$2" "$3" >"$log" 2>&1 <<'EOF'
import sys
import numpy as np
from PIL import Image
a, b = Image.open(sys.argv[1]), Image.open(sys.argv[2])
assert a.size == b.size and a.mode == b.mode, f"{a.size} {a.mode} vs {b.size} {b.mode}"
x, y = np.array(a).astype(np.int64), np.array(b).astype(np.int64)
top = 65535 if a.mode.startswith("I") else 255
if x.ndim == 2:
    x, y = x[..., None], y[..., None]
alpha = a.mode in ("RGBA", "LA")
if alpha:
    assert (x[..., -1] == y[..., -1]).all(), "alpha changed"
    clear = x[..., -1] == 0
    x, y = x[..., :-1], y[..., :-1]
    assert (x[clear] == y[clear]).all(), "a fully transparent pixel changed"
d = y - x
assert (abs(d) <= 1).all(), f"a sample moved by {abs(d).max()}"
changed = d != 0
assert changed.any(), "nothing changed"
assert ((x[changed] != 0) & (x[changed] != top)).all(), "a saturated sample changed"
assert ((y[changed] >= 1) & (y[changed] <= top - 1)).all(), "a sample left 1..max-1"
print("changed", int(changed.sum()))
EOF
    verdict $? "$desc" "$(tail -n 2 "$log")"
}

is_png() { [ "$(od -An -tx1 -N8 "$1" | tr -d ' ')" = 89504e470d0a1a0a ]; }

# refused CODE WORD DESC FILE CMD...: expect_fail, and FILE was not created.
refused() {
    local code=$1 word=$2 desc=$3 file=$4
    shift 4
    expect_fail "$code" "$word" "$desc" "$@"
    assert_no_file "$file" "... and writes no $file"
}

# ---- test images --------------------------------------------------------------

py - <<'EOF'
import numpy as np
from PIL import Image
rng = np.random.default_rng(7)

def photo(h, w, c):
    y, x = np.mgrid[0:h, 0:w]
    planes = [((x * 3 + y * 2 + 60 * k) % 200 + 20 + rng.integers(0, 8, (h, w))) for k in range(c)]
    arr = np.stack(planes, -1) if c > 1 else planes[0]
    return arr.astype(np.uint8)

Image.fromarray(photo(150, 200, 3), "RGB").save("rgb.png")
a = photo(120, 160, 4)
a[..., 3] = 255
a[10:30, 10:50, 3] = 0  # fully transparent pixels
a[40:60, :, 3] = rng.integers(0, 256, (20, 160))
a[70:80, :, :3] = 0  # saturated samples
a[80:90, :, :3] = 255
Image.fromarray(a, "RGBA").save("rgba.png")
Image.fromarray(photo(90, 120, 1), "L").save("gray.png")
g16 = photo(90, 120, 1).astype(np.uint16) * 257 + rng.integers(0, 257, (90, 120)).astype(np.uint16)
Image.fromarray(g16).save("gray16.png")
Image.fromarray(photo(48, 64, 3), "RGB").save("small.png")
Image.fromarray(photo(150, 200, 3), "RGB").save("cover.bmp")
Image.fromarray(photo(90, 120, 1), "L").save("gray.bmp")
Image.fromarray(photo(60, 80, 3), "RGB").convert("P").save("pal.png")
Image.fromarray(photo(150, 200, 3), "RGB").save("photo.jpg", quality=90)
Image.fromarray(np.where(rng.integers(0, 2, (40, 50)) == 1, 255, 0).astype(np.uint8), "L").save("flat.png")
# tutorial covers
Image.fromarray(photo(80, 100, 3), "RGB").save("t_rgb.png")
Image.fromarray(np.dstack([photo(30, 40, 3), np.full((30, 40), 255, np.uint8)]), "RGBA").save("t_rgba.png")
Image.fromarray(photo(48, 64, 1), "L").save("t_gray.png")
# an 8-bit BMP whose gray palette is not the identity (PIL opens it as mode P)
pal = []
for i in range(256):
    pal += [255 - i] * 3
p = Image.fromarray(255 - photo(48, 64, 1), "P")
p.putpalette(pal)
p.save("t_revpal.bmp")
EOF
verdict $? "make the test images with PIL"

new_identity alice
new_identity bob
new_identity carol
passphrase_file pw "correct horse battery staple"
passphrase_file wrong "correct horse battery stable"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null &&
    openssl pkey -in rsa.pem -pubout -out rsa.pub 2>/dev/null
verdict $? "openssl makes an RSA-2048 key"

# ---- round trips ---------------------------------------------------------------

expect_ok "hide -m text in RGB with a key file" \
    shroud hide -R alice.pub -m "meet me at noon" -o s_rgb.png rgb.png
check "... the output is a PNG" is_png s_rgb.png
pixels_check "... samples moved by +-1 only" rgb.png s_rgb.png
expect_ok "reveal -i to standard output" shroud reveal -i alice.id s_rgb.png
assert_eq "... gives the message" "$(cat "$OUT")" "meet me at noon"

random_file msg.bin 3000
expect_ok "hide -f binary file in RGBA (key given as text)" \
    shroud hide -r "$(cat alice.pub)" -f msg.bin -o s_rgba.png rgba.png
pixels_check "... alpha, transparent pixels and saturated samples untouched" rgba.png s_rgba.png
expect_ok "reveal -o" shroud reveal -i alice.id -o back.bin s_rgba.png
assert_same_file "... gives the file back" back.bin msg.bin
assert_mode "... written with mode 0600" back.bin 600

random_file stdin.bin 500
expect_ok "hide -f - (standard input) in 16-bit gray" \
    shroud hide -R alice.pub -f - -o s_g16.png gray16.png <stdin.bin
pixels_check "... 16-bit samples moved by +-1 only" gray16.png s_g16.png
check "... still a 16-bit PNG" test "$(od -An -tu1 -j24 -N1 s_g16.png | tr -d ' ')" = 16
expect_ok "reveal it" shroud reveal -i alice.id -o back_stdin.bin s_g16.png
assert_same_file "... gives standard input back" back_stdin.bin stdin.bin

expect_ok "hide in an 8-bit gray PNG" shroud hide -R alice.pub -m gray -o s_gray.png gray.png
pixels_check "... samples moved by +-1 only" gray.png s_gray.png
expect_ok "reveal it" shroud reveal -i alice.id s_gray.png
assert_eq "... gives the message" "$(cat "$OUT")" gray

for bmp in cover.bmp gray.bmp; do
    expect_ok "hide in a BMP ($bmp)" shroud hide -R alice.pub -m "from $bmp" -o "s_$bmp.png" "$bmp"
    check "... the output is a PNG" is_png "s_$bmp.png"
    if command -v pngcheck >/dev/null; then
        check "... that pngcheck accepts" pngcheck -q "s_$bmp.png"
    else
        skip "pngcheck is not installed"
    fi
    pixels_check "... samples moved by +-1 only" "$bmp" "s_$bmp.png"
    expect_ok "reveal it" shroud reveal -i alice.id "s_$bmp.png"
    assert_eq "... gives the message" "$(cat "$OUT")" "from $bmp"
done

expect_ok "hide for an openssl RSA key (-R PEM file)" \
    shroud hide -R rsa.pub -m "rsa recipient" -o s_rsa.png rgb.png
expect_ok "reveal with the openssl private key" shroud reveal -i rsa.pem s_rsa.png
assert_eq "... gives the message" "$(cat "$OUT")" "rsa recipient"
# hide --help: -r takes a key line; files (RSA PEM among them) go with -R, as in encrypt
expect_fail 2 "-R" "hide -r with a key file: usage error pointing at -R" \
    shroud hide -r rsa.pub -m "rsa via -r" -o s_rsa_r.png rgb.png

expect_ok "hide for alice and bob (alice first)" \
    shroud hide -R alice.pub -R bob.pub -m "for both" -o s_two.png rgb.png
expect_ok "alice reveals" shroud reveal -i alice.id s_two.png
assert_eq "... the message" "$(cat "$OUT")" "for both"
refused 1 "no message for this key" "bob alone finds nothing" bob_out.txt \
    shroud reveal -i bob.id -o bob_out.txt s_two.png
expect_ok "bob reveals with --position-key alice.pub" \
    shroud reveal -i bob.id --position-key alice.pub s_two.png
assert_eq "... the message" "$(cat "$OUT")" "for both"
refused 1 "no message for this key" "carol finds nothing, even with alice's position key" \
    carol_out.txt shroud reveal -i carol.id --position-key alice.pub -o carol_out.txt s_two.png
refused 1 "no message for this set of keys" "carol and an unrelated key: one error" c2.txt \
    shroud reveal -i carol.id -i rsa.pem -o c2.txt s_two.png

expect_ok "hide with --passphrase-file" \
    shroud hide --passphrase-file pw -m "by passphrase" -o s_pw.png small.png
pixels_check "... samples moved by +-1 only" small.png s_pw.png
expect_ok "reveal with --passphrase-file" shroud reveal --passphrase-file pw s_pw.png
assert_eq "... gives the message" "$(cat "$OUT")" "by passphrase"
refused 1 "no message for this passphrase" "a wrong passphrase: clear error" pw_out.txt \
    shroud reveal --passphrase-file wrong -o pw_out.txt s_pw.png

run "$PY" "$CLI_TESTS/pty_answer.py" "tty secret" "tty secret" -- \
    "$SHROUD" hide -p -m "typed passphrase" -o s_tty.png small.png
verdict $RC "hide -p asks twice on the terminal" "exit status $RC" "$(head -c 400 "$OUT")"
run "$PY" "$CLI_TESTS/pty_answer.py" "tty secret" -- "$SHROUD" reveal -p s_tty.png
grep -q "typed passphrase" "$OUT"
verdict $? "reveal -p on the terminal shows the message" "exit $RC: $(head -c 400 "$OUT")"

# ---- JSON and capacity ---------------------------------------------------------

expect_ok "hide --json" shroud hide -R alice.pub -m "json please" --json -o s_json.png rgb.png
cp "$OUT" hide.json
json_check "... parses and carries the fields" hide.json \
    'd["cover"] == "rgb.png" and d["output"] == "s_json.png" and d["mode"] == "recipients" and d["message_bytes"] == 11 and all(k in d for k in ("usable_samples", "embedded_bits", "bits_per_sample", "code_bits", "samples_used", "changed_samples"))'
json_check "... consistent numbers" hide.json \
    'd["changed_samples"] <= d["samples_used"] <= d["usable_samples"] and 1 <= d["code_bits"] <= 16 and abs(d["bits_per_sample"] - d["embedded_bits"] / d["usable_samples"]) < 1e-3'
check "... and only JSON on stdout (one line)" test "$(wc -l <hide.json)" -eq 1

expect_ok "capacity (text)" shroud capacity rgb.png
grep -Eq "200 x 150, [0-9]+ usable samples" "$OUT" && grep -Eq "^ +passphrase +[0-9]+ bytes at most" "$OUT" &&
    grep -Eq "^ +x25519 +[0-9]+ bytes at most, +[0-9]+ bytes at <= 0.2 bits per sample" "$OUT"
verdict $? "... names the size, usable samples and both modes" "$(cat "$OUT")"
expect_ok "capacity --json" shroud capacity --json rgb.png
cp "$OUT" cap.json
json_check "... parses: both modes with max_bytes and stealth_bytes" cap.json \
    'd["width"] == 200 and d["height"] == 150 and [m["mode"] for m in d["modes"]] == ["passphrase", "x25519"] and all(0 < m["stealth_bytes"] < m["max_bytes"] for m in d["modes"])'
json_check "... usable samples as hide counts them" cap.json \
    "d['usable_samples'] == $(json_get hide.json 'd["usable_samples"]')"
expect_ok "capacity -r RSA key (PEM text) --json" shroud capacity -r "$(cat rsa.pub)" --json rgb.png
cp "$OUT" cap_rsa.json
json_check "... one mode, rsa, 176 bytes less than x25519" cap_rsa.json \
    "[m['mode'] for m in d['modes']] == ['rsa'] and d['modes'][0]['max_bytes'] == $(json_get cap.json 'd["modes"][1]["max_bytes"]') - 176"
expect_ok "capacity -p --json" shroud capacity -p --json rgb.png
cp "$OUT" cap_p.json
json_check "... passphrase mode only" cap_p.json "[m['mode'] for m in d['modes']] == ['passphrase']"

run shroud capacity -r "$(cat alice.pub)" --json small.png
cp "$OUT" cap_small.json
max=$(json_get cap_small.json 'd["modes"][0]["max_bytes"]')
stealth=$(json_get cap_small.json 'd["modes"][0]["stealth_bytes"]')
head -c "$max" /dev/urandom >max.bin
head -c $((max + 1)) /dev/urandom >over.bin
head -c "$stealth" /dev/urandom >stealth.bin
expect_ok "hide of exactly max_bytes ($max) works" shroud hide -R alice.pub -f max.bin -o s_max.png small.png
grep -q "bits per usable sample" "$ERR"
verdict $? "... with a warning about detectability" "$(stderr_excerpt)"
expect_ok "... and reveals" shroud reveal -i alice.id -o max_back.bin s_max.png
assert_same_file "... identical" max_back.bin max.bin
refused 1 "does not fit.*at most $max bytes" "hide of max_bytes + 1: refused, clear message" s_over.png \
    shroud hide -R alice.pub -f over.bin -o s_over.png small.png
expect_ok "hide of stealth_bytes ($stealth)" shroud hide -R alice.pub -f stealth.bin -o s_st.png small.png
check "... without a warning" test ! -s "$ERR"
pmax=$(json_get cap.json 'd["modes"][0]["max_bytes"]')
head -c $((pmax + 1)) /dev/zero >pover.bin
refused 1 "does not fit" "passphrase mode: max_bytes + 1 refused (before asking or scrypt)" s_pover.png \
    shroud hide --passphrase-file pw -f pover.bin -o s_pover.png rgb.png

# ---- refusals -----------------------------------------------------------------

refused 1 "no message for this key" "wrong key: exit 1, clear error" wrong_out.txt \
    shroud reveal -i bob.id -o wrong_out.txt s_rgb.png
refused 1 "no message for this key" "clean image: same error" clean_out.txt \
    shroud reveal -i alice.id -o clean_out.txt rgb.png
refused 1 "no message for this passphrase" "clean image, passphrase: same error" clean_pw.txt \
    shroud reveal --passphrase-file pw -o clean_pw.txt rgb.png
refused 1 "JPEG.*lossy" "JPEG cover: refused, says JPEG is lossy" s_jpg.png \
    shroud hide -R alice.pub -m x -o s_jpg.png photo.jpg
refused 1 "JPEG.*lossy" "JPEG cover (the committed photo)" s_rocket.png \
    shroud hide -R alice.pub -m x -o s_rocket.png "$DATA/rocket.jpg"
expect_fail 1 "JPEG" "capacity of a JPEG: refused" shroud capacity photo.jpg
refused 1 "palette" "palette PNG: refused, says palette" s_pal.png \
    shroud hide -R alice.pub -m x -o s_pal.png pal.png
refused 1 "not a PNG or BMP" "not an image" s_txt.png shroud hide -R alice.pub -m x -o s_txt.png pw
refused 1 "does not fit|at most 0 bytes" "an all-0/255 image has no room" s_flat.png \
    shroud hide -R alice.pub -m x -o s_flat.png flat.png
refused 1 "nothing.png" "missing cover" s_none.png shroud hide -R alice.pub -m x -o s_none.png nothing.png

# recompressed / damaged stego images
py -c 'from PIL import Image; Image.open("s_rgb.png").save("s_rgb.jpg", quality=95)'
refused 1 "JPEG" "stego image recompressed as JPEG: refused" j_out.txt \
    shroud reveal -i alice.id -o j_out.txt s_rgb.jpg
py -c 'from PIL import Image; Image.open("s_rgb.jpg").save("s_rgb_jpg.png")'
refused 1 "no message for this key" "JPEG round trip back to PNG: no message" jp_out.txt \
    shroud reveal -i alice.id -o jp_out.txt s_rgb_jpg.png
py -c 'from PIL import Image; Image.open("s_rgb.png").save("s_rgb_re.png", optimize=True)'
expect_ok "lossless re-encode by PIL: still reveals" shroud reveal -i alice.id s_rgb_re.png
assert_eq "... the message" "$(cat "$OUT")" "meet me at noon"
py -c 'from PIL import Image; Image.open("s_rgb.png").save("s_rgb_re.bmp")'
expect_ok "converted to BMP: still reveals" shroud reveal -i alice.id s_rgb_re.bmp
assert_eq "... the message" "$(cat "$OUT")" "meet me at noon"
size=$(file_size s_rgb.png)
for cut in 20 100 $((size / 2)) $((size - 13)); do
    head -c "$cut" s_rgb.png >cut.png
    refused 1 "corrupt|malformed|not a PNG" "stego image cut to $cut bytes: an image error" cut_out.txt \
        shroud reveal -i alice.id -o cut_out.txt cut.png
done

# outputs
cp rgb.png exists.png
cp exists.png exists.orig
refused 1 "already exists" "hide: existing -o refused without --force" none.png \
    shroud hide -R alice.pub -m x -o exists.png small.png
assert_same_file "... and left alone" exists.png exists.orig
expect_ok "... replaced with --force" shroud hide -R alice.pub -m forced --force -o exists.png small.png
expect_ok "... which reveals" shroud reveal -i alice.id exists.png
assert_eq "... the message" "$(cat "$OUT")" forced
echo keep >kept.txt
expect_fail 1 "already exists" "reveal: existing -o refused without --force" \
    shroud reveal -i alice.id -o kept.txt s_rgb.png
assert_eq "... and left alone" "$(cat kept.txt)" keep
expect_ok "... replaced with --force" shroud reveal -i alice.id --force -o kept.txt s_rgb.png
assert_eq "... with the message" "$(cat kept.txt)" "meet me at noon"
cp rgb.png self.png
cp self.png self.orig
expect_fail 2 "COVER" "hide: -o equal to the cover refused" \
    shroud hide -R alice.pub -m x --force -o self.png self.png
assert_same_file "... cover untouched" self.png self.orig
# the help promises "--force replace OUT if it exists (never COVER itself)"
expect_fail 2 "COVER" "hide: -o ./COVER (the cover by another name) refused, even with --force" \
    shroud hide -R alice.pub -m x --force -o ./self.png self.png
assert_same_file "... cover untouched" self.png self.orig

# usage errors
expect_fail 2 "public keys|passphrase" "hide without a key" shroud hide -m x -o u.png rgb.png
expect_fail 2 "not both" "hide with a key and a passphrase" \
    shroud hide -R alice.pub --passphrase-file pw -m x -o u.png rgb.png
expect_fail 2 "-m TEXT or -f FILE" "hide with -m and -f" \
    shroud hide -R alice.pub -m x -f msg.bin -o u.png rgb.png
expect_fail 2 "-m TEXT or -f FILE" "hide without a message" shroud hide -R alice.pub -o u.png rgb.png
expect_fail 2 "-o" "hide without -o" shroud hide -R alice.pub -m x rgb.png
expect_fail 2 "cover" "hide without a cover" shroud hide -R alice.pub -m x -o u.png
expect_fail 2 "level" "hide --level 13" shroud hide -R alice.pub -m x --level 13 -o u.png rgb.png
expect_fail 2 "no key" "reveal --raw-lsb with a key" shroud reveal --raw-lsb 4 -i alice.id s_rgb.png
expect_fail 2 "no key" "reveal --raw-lsb with a passphrase" \
    shroud reveal --raw-lsb 4 --passphrase-file pw s_rgb.png
expect_fail 2 "raw-lsb" "reveal --raw-lsb 0" shroud reveal --raw-lsb 0 s_rgb.png
expect_fail 2 "raw-lsb" "reveal --raw-lsb abc" shroud reveal --raw-lsb abc s_rgb.png
expect_fail 2 "-i IDENTITY|passphrase" "reveal without a key (and no default identity)" \
    shroud reveal s_rgb.png
expect_fail 2 "one image" "reveal with two images" shroud reveal -i alice.id s_rgb.png s_gray.png
expect_fail 2 "-r KEY or -p" "capacity -r and -p" shroud capacity -r "$(cat alice.pub)" -p rgb.png
assert_no_file u.png "usage errors write nothing"

# the terminal
random_file binmsg.bin 64
printf '\0\1\2' >>binmsg.bin
expect_ok "hide a binary message" shroud hide -R alice.pub -f binmsg.bin -o s_bin.png small.png
run "$PY" "$CLI_TESTS/pty_answer.py" -- "$SHROUD" reveal -i alice.id s_bin.png
[ "$RC" -eq 1 ] && grep -q "binary" "$OUT"
verdict $? "reveal: a binary message is not written to a terminal" "exit $RC: $(head -c 300 "$OUT")"
run "$PY" "$CLI_TESTS/pty_answer.py" -- "$SHROUD" reveal -i alice.id s_rgb.png
[ "$RC" -eq 0 ] && grep -q "meet me at noon" "$OUT"
verdict $? "reveal: a text message is shown on a terminal" "exit $RC: $(head -c 300 "$OUT")"
run "$PY" "$CLI_TESTS/pty_answer.py" -- "$SHROUD" reveal --raw-lsb 64 t_rgb.png
[ "$RC" -eq 1 ] && grep -q "binary" "$OUT"
verdict $? "reveal --raw-lsb: binary bytes are not written to a terminal" "exit $RC: $(head -c 300 "$OUT")"

# ---- the tutorial layout ----------------------------------------------------------

printf 'attack at dawn, bring the tutorial' >plain.txt
openssl pkeyutl -encrypt -pubin -inkey rsa.pub -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:sha256 -in plain.txt -out ct.bin 2>"$WORK/.capture/openssl"
verdict $? "openssl RSA-OAEP-SHA256 encrypts the message" "$(cat "$WORK/.capture/openssl")"
assert_eq "... 256 bytes of ciphertext" "$(file_size ct.bin)" 256

for cover in t_rgb.png t_rgba.png t_gray.png; do
    name=${cover%.png}
    check "tutorial hides the ciphertext in $cover" py "$TUTORIAL" hide "$cover" ct.bin "$name.stego.png"
    expect_ok "reveal --raw-lsb 256 $name.stego.png" shroud reveal --raw-lsb 256 -o "$name.ct" "$name.stego.png"
    assert_same_file "... the exact ciphertext" "$name.ct" ct.bin
    assert_mode "... written with mode 0600" "$name.ct" 600
    openssl pkeyutl -decrypt -inkey rsa.pem -pkeyopt rsa_padding_mode:oaep \
        -pkeyopt rsa_oaep_md:sha256 -in "$name.ct" -out "$name.txt" 2>"$WORK/.capture/openssl"
    verdict $? "... which openssl decrypts" "$(cat "$WORK/.capture/openssl")"
    assert_same_file "... to the message" "$name.txt" plain.txt
done
# the reader agrees with the tutorial's own reader, on every type, beyond the message too
for img in t_rgba.stego.png t_gray.png rgba.png gray16.png pal.png cover.bmp gray.bmp; do
    run shroud reveal --raw-lsb 300 -o "$img.raw" "$img"
    py "$TUTORIAL" reveal "$img" 300 "$img.raw.py"
    cmp -s "$img.raw" "$img.raw.py"
    verdict $? "--raw-lsb 300 reads what numpy.array(img).flatten() holds: $img" \
        "exit $RC: $(stderr_excerpt)"
done
# an 8-bit BMP with a non-identity gray palette: numpy gives the palette indices
check "tutorial hides the ciphertext in an 8-bit BMP with a reversed gray palette" \
    py "$TUTORIAL" hide t_revpal.bmp ct.bin t_revpal.stego.bmp
expect_ok "reveal --raw-lsb 256 of it" shroud reveal --raw-lsb 256 -o revpal.ct t_revpal.stego.bmp
assert_same_file "... the exact ciphertext (numpy's order and values: palette indices)" revpal.ct ct.bin

# 64 x 48 gray: 3072 samples, 384 bytes
expect_ok "--raw-lsb of exactly all the samples (384 bytes)" \
    shroud reveal --raw-lsb 384 -o all.raw t_gray.stego.png
refused 1 "cannot hold 385 bytes" "--raw-lsb 385: more than the image holds" more.raw \
    shroud reveal --raw-lsb 385 -o more.raw t_gray.stego.png
refused 1 "not a PNG or BMP" "--raw-lsb of a JPEG" jraw.bin shroud reveal --raw-lsb 4 -o jraw.bin photo.jpg

finish
