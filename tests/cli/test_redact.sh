#!/bin/bash
# test_redact.sh — reversible redaction of PNG and JPEG images end to end:
# redact then restore every PNG colour type and bit depth and every JPEG coding
# (baseline, 4:4:4/4:2:2/4:2:0, gray, RGB, CMYK, restart, optimized,
# progressive, arithmetic) plus the committed photos (and ../shared/testdata
# when present); the four styles; groups sealed to different keys and to a
# passphrase; embedded signatures and tampering; every refusal (exit status,
# one line on stderr, no output and no temporary file); metadata kept or
# stripped; output modes and standard output.
#
# Pixel comparisons decode with ImageMagick (PNG, raw samples at the file's
# own bit depth, so 16-bit samples and the colours of transparent pixels are
# compared exactly) and djpeg (JPEG). See redact_tool.py for the checks.
. "$(dirname "$0")/lib.sh" "$@"

PYTHON=/usr/bin/python3
TOOL=$CLI_TESTS/redact_tool.py
IM=/usr/bin/convert-im6.q16 # ImageMagick by its full name: `convert` on PATH may be a stand-in
IDENTIFY=/usr/bin/identify-im6.q16
DATA=$(cd "$CLI_TESTS/../data" && pwd)
SHARED=$(cd "$CLI_TESTS/../../.." && pwd)/shared/testdata # ../shared beside the repository
# the regions used on the generated 253x190 images: odd offsets, one touching
# the right and bottom edges (partial MCUs there), one single pixel
REGIONS=("13,7,50,41" "200,150,53,40" "120,90,1,1")
ODD_REGIONS=("13,7,50,41" "150,60,45,40" "120,90,1,1") # the same on the 195x100 images

tool() { "$PYTHON" "$TOOL" "$@"; }
note() { echo "note    $1"; } # an observation, not a check

missing=()
for t in "$PYTHON" "$IM" "$IDENTIFY" pngcheck djpeg cjpeg jpegtran; do
    command -v "$t" >/dev/null || missing+=("$t")
done
"$PYTHON" -c 'import PIL' 2>/dev/null || missing+=("python3 PIL")
if [ ${#missing[@]} -gt 0 ]; then
    flunk "tools the test needs (scripts/install-deps installs them)" "missing: ${missing[*]}"
    finish
fi

is_png() { [ "$(od -An -tx1 -N4 "$1" | tr -d ' ')" = 89504e47 ]; }
# png_ihdr FILE: "BIT_DEPTH COLOUR_TYPE INTERLACE" from IHDR.
png_ihdr() { od -An -tu1 -j24 -N5 "$1" | awk '{ print $1, $2, $5 }'; }

# valid_image DESC FILE: pngcheck accepts a PNG; djpeg decodes a JPEG with
# exit status 0 and nothing on stderr (no "Corrupt JPEG data" warning).
valid_image() {
    if is_png "$2"; then
        check "$1" pngcheck -q "$2"
    else
        local log=$WORK/.capture/djpeg
        djpeg "$2" >/dev/null 2>"$log"
        local rc=$?
        [ $rc -eq 0 ] && [ ! -s "$log" ]
        verdict $? "$1" "djpeg exit status $rc" "djpeg: $(head -c 300 "$log")"
    fi
}

# decode FILE OUT [fancy]: decoded pixels. PNG: raw RGBA at 16 bits for
# 16-bit files, else 8 (ImageMagick Q16 is exact at both). JPEG: djpeg PNM.
# Without "fancy", djpeg -nosmooth: chroma samples are replicated instead of
# interpolated across block borders, so each decoded pixel depends only on
# the DCT blocks that contain it (the IDCT is per block; block smoothing only
# applies to incomplete progressive data, and these files are complete).
# Pixels outside the covered (MCU-aligned) rectangles must then be identical;
# with fancy upsampling a changed chroma block bleeds one pixel into its
# neighbours, which is not a difference in the file.
decode() {
    if is_png "$1"; then
        local depth=8
        [ "$(png_ihdr "$1" | cut -d' ' -f1)" = 16 ] && depth=16
        "$IM" "$1" -endian MSB -depth $depth "rgba:$2"
    elif [ "${3:-}" = fancy ]; then
        djpeg -pnm "$1" >"$2"
    else
        djpeg -nosmooth -pnm "$1" >"$2"
    fi
}

# same_pixels DESC A B: A and B decode to the same pixels.
same_pixels() {
    decode "$2" "$WORK/.capture/a.dec" fancy && decode "$3" "$WORK/.capture/b.dec" fancy &&
        cmp -s "$WORK/.capture/a.dec" "$WORK/.capture/b.dec"
    verdict $? "$1" "$2 and $3 decode to different pixels"
}

# regions_check DESC ORIG OTHER JSON EXPECT...: redact_tool.py regions on the
# decoded (-nosmooth) images; JSON is inspect --json of the redacted file.
regions_check() {
    local desc=$1 a=$2 b=$3 json=$4
    shift 4
    decode "$a" "$WORK/.capture/a.dec" && decode "$b" "$WORK/.capture/b.dec"
    check "$desc" tool regions "$WORK/.capture/a.dec" "$WORK/.capture/b.dec" "$json" "$@"
}

# refused CODE WORD DESC CMD...: expect_fail, and nothing appears in out/.
refused() {
    expect_fail "$@"
    out_empty "... and leaves nothing in out/"
}

# out_empty [DESC]: out/ is empty; emptied for the next check either way.
out_empty() {
    assert_empty_dir out "${1:-... writes nothing}"
    rm -rf out && mkdir out
}

# inspect_json FILE OUT: inspect --json FILE saved in OUT.
inspect_json() { run shroud inspect --json "$1" && cp "$OUT" "$2"; }

# roundtrip NAME IN STYLE BYTES REGION...: redacts IN (group 'default', to
# alice) with STYLE, checks the redacted file (covered rectangles; the coding
# kept: PNG bit depth and colour type, interlacing dropped as documented; JPEG
# SOF type, every restart interval in the file and the number of scans;
# pixels), restores it with alice's key, checks the result. BYTES: "identical" when the restored JPEG must be
# byte-identical to IN, "report" to print what happens, "-" for PNG.
roundtrip() {
    local name=$1 in=$2 style=$3 bytes=$4
    shift 4
    local ext=${in##*.} args=() reg
    local r=$name.r.$ext o=$name.o.$ext
    for reg; do args+=(--region "$reg"); done
    expect_ok "$name: redact --style $style" \
        shroud redact "${args[@]}" --style "$style" -r "$ALICE" -o "$r" "$in" || return
    valid_image "$name: ... the redacted file is valid" "$r"
    inspect_json "$r" "$name.json"
    decode "$in" "$name.in.dec" && decode "$r" "$name.r.dec"
    local res=()
    mapfile -t res < <(tool redacted "$in" "$r" "$name.in.dec" "$name.r.dec" "$name.json" "$style" \
        2>"$WORK/.capture/tool")
    local tool_err=()
    [ -s "$WORK/.capture/tool" ] && mapfile -t tool_err < <(tail -n 3 "$WORK/.capture/tool")
    [ "${res[0]:-}" = ok ]
    verdict $? "$name: ... covered rectangles are the regions snapped to the MCU grid" "${res[0]:-}" \
        "${tool_err[@]}"
    assert_eq "$name: ... keeps the coding" "${res[2]:-}" "${res[1]:-}"
    [ "${res[3]:-}" = ok ]
    verdict $? "$name: ... pixels outside the covered rectangles unchanged, inside $style" \
        "${res[3]:-}"
    local coding_in=${res[1]:-}
    expect_ok "$name: restore" shroud restore -i alice.id -o "$o" "$r" || return
    valid_image "$name: ... the restored file is valid" "$o"
    if is_png "$in"; then # no upsampling: the decoding above is the whole truth
        decode "$o" "$name.o.dec"
        cmp -s "$name.in.dec" "$name.o.dec"
        verdict $? "$name: ... restored pixels equal the original's" "$o and $in decode differently"
    else
        same_pixels "$name: ... restored pixels equal the original's" "$in" "$o"
    fi
    rm -f "$name".*.dec
    assert_mode "$name: ... the restored file is 0600" "$o" 600
    if is_png "$in"; then
        assert_eq "$name: ... same bit depth and colour type, not interlaced" \
            "$(png_ihdr "$o")" "$coding_in 0"
    elif [ "$bytes" = identical ]; then
        assert_same_file "$name: ... byte-identical to the original" "$o" "$in"
    elif cmp -s "$o" "$in"; then
        note "$name: restored file is byte-identical to the original"
    else
        note "$name: restored file differs from the original in its bytes ($(file_size "$o") vs $(file_size "$in") bytes; $(cmp "$o" "$in" 2>&1 | sed 's/.*differ: //'))"
    fi
}

new_identity alice
new_identity bob
new_identity carol
ALICE=$(cat alice.pub)
BOB=$(cat bob.pub)
passphrase_file pass.txt "correct horse battery staple"
passphrase_file wrong.txt "wrong passphrase"
mkdir gen out

# ---- 2. help -------------------------------------------------------------------

expect_ok "redact --help" shroud redact --help &&
    check "... says pixelate LEAKS" bash -c "grep -A1 '^ *pixelate ' '$OUT' | grep -q LEAKS" &&
    check "... says blur LEAKS" bash -c "grep -A1 '^ *blur ' '$OUT' | grep -q LEAKS" &&
    check "... says noise and fill reveal nothing" \
        bash -c "grep -Eq 'noise .*reveals nothing' '$OUT' && grep -Eq 'fill .*reveals nothing' '$OUT'"
for c in restore inspect sign verify; do
    expect_ok "$c --help" shroud "$c" --help
done

# ---- test images -------------------------------------------------------------

if run tool gen-png "$DATA/chelsea.png" gen 253 190; then
    read -ra PNGS <"$OUT"
    pass "generate ${#PNGS[@]} PNG variants (253x190)"
else
    flunk "generate PNG variants" "$(stderr_excerpt)"
    PNGS=()
fi
tool gen-pnm "$DATA/chelsea.png" gen/src.ppm 253 190
tool gen-pnm "$DATA/camera.png" gen/src.pgm 253 190 gray
# odd sizes: 195x100 leaves a dummy luma block column and row in 4:2:0 MCUs
tool gen-pnm "$DATA/chelsea.png" gen/odd.ppm 195 100
tool gen-pnm "$DATA/chelsea.png" gen/tiny.ppm 1 1
# name|command writing gen/NAME.jpg: all libjpeg (cjpeg, jpegtran) but cmyk
JPEGS=(
    "baseline|cjpeg -quality 85 gen/src.ppm"
    "s444|cjpeg -sample 1x1 gen/src.ppm"
    "s422|cjpeg -sample 2x1 gen/src.ppm"
    "s420|cjpeg -sample 2x2 gen/src.ppm"
    "gray|cjpeg -grayscale gen/src.ppm"
    "gray-pgm|cjpeg gen/src.pgm"
    "gray-2x2|cjpeg -sample 2x2 gen/src.pgm"
    "s411|cjpeg -sample 4x1 gen/src.ppm"
    "s440|cjpeg -sample 1x2 gen/src.ppm"
    "odd-420|cjpeg gen/odd.ppm"
    "odd-422|cjpeg -sample 2x1 -progressive gen/odd.ppm"
    "rgb|cjpeg -rgb gen/src.ppm"
    "restart|cjpeg -restart 1 gen/src.ppm"
    "restart-blocks|cjpeg -restart 5B -sample 1x1 gen/src.ppm"
    "optimized|cjpeg -optimize gen/src.ppm"
    "progressive|jpegtran -progressive gen/baseline.jpg"
    "progressive-444|cjpeg -progressive -sample 1x1 gen/src.ppm"
    "progressive-gray|jpegtran -progressive gen/gray.jpg"
    "arithmetic|jpegtran -arithmetic gen/baseline.jpg"
    "arithmetic-progressive|jpegtran -arithmetic -progressive gen/baseline.jpg"
    "progressive-restart|jpegtran -progressive -restart 2 gen/baseline.jpg"
    "progressive-restart-rows|cjpeg -progressive -restart 1 gen/src.ppm"
)
for spec in "${JPEGS[@]}"; do
    name=${spec%%|*}
    read -ra cmd <<<"${spec#*|}"
    "${cmd[@]}" >"gen/$name.jpg" 2>"$ERR" ||
        flunk "generate $name.jpg: ${spec#*|}" "$(stderr_excerpt)"
done
"$IM" gen/src.ppm -colorspace CMYK -quality 85 gen/cmyk.jpg ||
    flunk "generate cmyk.jpg with ImageMagick"

# ---- 1. round trips -----------------------------------------------------------

for name in "${PNGS[@]}"; do
    roundtrip "png-$name" "gen/$name.png" noise - "${REGIONS[@]}"
done
for spec in "${JPEGS[@]}"; do
    name=${spec%%|*}
    regions=("${REGIONS[@]}")
    [[ $name == odd-* ]] && regions=("${ODD_REGIONS[@]}")
    [ -s "gen/$name.jpg" ] && roundtrip "jpeg-$name" "gen/$name.jpg" noise identical "${regions[@]}"
done
[ -s gen/cmyk.jpg ] && roundtrip "jpeg-cmyk (ImageMagick)" gen/cmyk.jpg noise report "${REGIONS[@]}"

# the whole image; a 1x1 image; regions of one group overlapping each other
roundtrip "whole-png" gen/rgb8.png noise - 0,0,253,190
roundtrip "whole-jpeg" gen/baseline.jpg noise identical 0,0,253,190
"$IM" gen/tiny.ppm gen/tiny.png && roundtrip "tiny-png (1x1)" gen/tiny.png fill - 0,0,1,1
cjpeg gen/tiny.ppm >gen/tiny.jpg && roundtrip "tiny-jpeg (1x1)" gen/tiny.jpg noise identical 0,0,1,1
roundtrip "overlap-in-group-png" gen/rgba8.png noise - 10,10,40,40 30,30,40,40 35,35,2,2
roundtrip "overlap-in-group-jpeg" gen/s420.jpg noise identical 10,10,40,40 30,30,40,40 35,35,2,2
roundtrip "odd-420-edges" gen/odd-420.jpg fill identical 180,90,15,10 0,0,1,1 100,0,1,100

roundtrip "camera.png" "$DATA/camera.png" noise - 100,120,64,64 500,500,12,12
roundtrip "chelsea.png" "$DATA/chelsea.png" noise - 140,40,120,100 0,0,9,9
roundtrip "rocket.jpg" "$DATA/rocket.jpg" noise report 300,100,90,120 630,420,10,7
roundtrip "hubble.jpg" "$DATA/hubble_deep_field.jpg" noise report 401,333,77,91 0,860,1000,12

# ../shared/testdata: one round trip per photo not already in tests/data
if [ -d "$SHARED" ]; then
    for f in "$SHARED"/*.png "$SHARED"/*.jpg; do
        if [ ! -e "$f" ] || [ -e "$DATA/$(basename "$f")" ]; then continue; fi
        read -r w h < <("$IDENTIFY" -format '%w %h\n' "$f" 2>/dev/null)
        if [ -z "${w:-}" ]; then
            flunk "shared $(basename "$f"): identify cannot read it"
            continue
        fi
        roundtrip "shared-$(basename "$f")" "$f" noise report \
            $((w / 3 + 5)),$((h / 3 + 3)),$((w / 5)),$((h / 5)) $((w - 77)),$((h - 33)),77,33
    done
else
    skip "../shared/testdata not found ($SHARED): the larger photos are not tested"
fi

# ---- 2. styles -----------------------------------------------------------------

STYLE_REGIONS=("13,7,50,41" "150,100,64,72")
for style in fill pixelate blur; do
    for img in gen/rgb8.png gen/rgba16.png gen/baseline.jpg gen/gray.jpg gen/rgb.jpg; do
        [ -s "$img" ] || continue
        b=$(basename "$img")
        bytes=identical
        is_png "$img" && bytes=-
        roundtrip "style-$style-$b" "$img" "$style" "$bytes" "${STYLE_REGIONS[@]}"
    done
done
# palette images: pixelate and blur map averages back to the palette
roundtrip "style-fill-palette8" gen/palette8.png fill - 13,7,50,41
roundtrip "style-pixelate-palette4" gen/palette4.png pixelate - 13,7,50,41
roundtrip "style-blur-palette8-trns" gen/palette8-trns.png blur - 13,7,50,41

# ---- 3. groups -----------------------------------------------------------------

# two_groups NAME IN: faces (two regions) to alice, plates to bob.
two_groups() {
    local name=$1 in=$2 ext=${2##*.}
    local r=$name.r.$ext
    expect_ok "$name: redact two groups --json" shroud redact --json \
        --group faces --region 13,7,50,41 --region 100,100,30,30 -r "$ALICE" \
        --group plates --region 150,120,80,50 -r "$BOB" --style fill -o "$r" "$in" || return
    check "... --json parses with json.tool" "$PYTHON" -m json.tool "$OUT"
    check "... --json fields" tool json redact "$OUT" output="$r" groups=faces,plates \
        styles=noise,fill signed=false bytes="$(file_size "$r")" width=253 height=190 \
        format="$([ "$ext" = png ] && echo PNG || echo JPEG)"
    inspect_json "$r" "$name.json"
    check "$name: inspect --json parses with json.tool" "$PYTHON" -m json.tool "$name.json"
    check "... inspect --json fields" tool json inspect "$name.json" file="$r" groups=faces,plates \
        sealed_to="X25519;X25519" stanzas=1,1 signature=none
    run shroud inspect "$r"
    check "... inspect text names the groups" \
        grep -q "^group 'faces': style noise, 2 regions, sealed to X25519" "$OUT"

    expect_ok "$name: restore with alice's key" shroud restore -i alice.id -o "$name.a.$ext" "$r" &&
        check "... says faces was restored" grep -qx "shroud: restored group 'faces' (2 regions)" "$ERR" &&
        check "... says plates stays obscured" \
            grep -qx "shroud: group 'plates' stays obscured: no key given opens it" "$ERR"
    valid_image "... a valid image" "$name.a.$ext"
    regions_check "... faces restored, plates still obscured, the rest unchanged" \
        "$in" "$name.a.$ext" "$name.json" outside=same faces=same plates=differ
    regions_check "... plates exactly as in the redacted file" \
        "$r" "$name.a.$ext" "$name.json" plates=same
    expect_ok "$name: restore with bob's key --json" \
        shroud restore --json -i bob.id -o "$name.b.$ext" "$r" &&
        check "... --json parses with json.tool" "$PYTHON" -m json.tool "$OUT" &&
        check "... --json fields: plates restored, faces not" \
            tool json restore "$OUT" input="$r" output="$name.b.$ext" restored=plates
    regions_check "... plates restored, faces still obscured" \
        "$in" "$name.b.$ext" "$name.json" outside=same faces=differ plates=same
    expect_ok "$name: restore with both keys" \
        shroud restore --json -i bob.id -i alice.id -o "$name.ab.$ext" "$r" &&
        check "... says both were restored" \
            bash -c "grep -q \"restored group 'faces'\" '$ERR' && grep -q \"restored group 'plates'\" '$ERR'" &&
        check "... --json: both restored" tool json restore "$OUT" restored=faces,plates
    same_pixels "... all pixels restored" "$in" "$name.ab.$ext"
    [ "$ext" = jpg ] && assert_same_file "... byte-identical to the original" "$name.ab.$ext" "$in"
    expect_fail 1 "no group is sealed" "$name: restore with carol's key" \
        shroud restore -i carol.id -o out/result "$r"
    out_empty
}
two_groups groups-png gen/rgb8.png
two_groups groups-jpeg gen/baseline.jpg
two_groups groups-progressive gen/progressive.jpg

# an RSA key, several recipients in one group, -R files
new_identity rsa --rsa 2048
expect_ok "redact to an RSA key and two native keys (-R files, -r)" shroud redact \
    --group shared --region 20,20,60,60 -R rsa.pub -R bob.pub -r "$ALICE" \
    --group rsa-only --region 150,100,40,40 -R rsa.pub -o rsa.r.jpg gen/s444.jpg &&
    inspect_json rsa.r.jpg rsa.json &&
    check "... inspect: sealed to RSA-OAEP and X25519" tool json inspect rsa.json \
        sealed_to="X25519,RSA-OAEP;RSA-OAEP" stanzas=3,1
for who in rsa bob; do
    expect_ok "... restore with $who's key" shroud restore --json -i $who.id -o rsa.$who.jpg rsa.r.jpg &&
        check "... restored the right groups" tool json restore "$OUT" \
            restored="$([ $who = rsa ] && echo shared,rsa-only || echo shared)"
done
[ -s rsa.rsa.jpg ] && assert_same_file "... RSA restores everything: byte-identical" rsa.rsa.jpg gen/s444.jpg

# a file name that needs escaping in JSON
weird=$'we"ird\\na\tme \xc3\xa9.png'
cp gen/rgb8.png "$weird"
expect_ok "redact --json with quotes, backslash, tab and UTF-8 in the names" \
    shroud redact --json --region 1,1,5,5 -r "$ALICE" -o "$weird.r.png" "$weird" &&
    check "... valid JSON naming the output" tool json redact "$OUT" output="$weird.r.png"
expect_ok "... restore --json" shroud restore --json -i alice.id -o "$weird.o.png" "$weird.r.png" &&
    check "... valid JSON naming both" tool json restore "$OUT" input="$weird.r.png" output="$weird.o.png"
expect_ok "... inspect --json" shroud inspect --json "$weird.r.png" &&
    check "... valid JSON naming the file" tool json inspect "$OUT" file="$weird.r.png"

# overlapping regions of two groups: the overlap opens with either key
overlap() {
    local name=$1 in=$2 ext=${2##*.}
    expect_ok "$name: overlapping groups" shroud redact --group x --region 16,16,64,64 -r "$ALICE" \
        --group y --region 48,48,64,64 -r "$BOB" -o "$name.r.$ext" "$in" || return
    inspect_json "$name.r.$ext" "$name.json"
    shroud restore -i alice.id -o "$name.a.$ext" "$name.r.$ext" 2>/dev/null
    regions_check "... alice's key restores all of x, overlap included" \
        "$in" "$name.a.$ext" "$name.json" x=same y=differ outside=same
    shroud restore -i bob.id -o "$name.b.$ext" "$name.r.$ext" 2>/dev/null
    regions_check "... bob's key restores all of y, overlap included" \
        "$in" "$name.b.$ext" "$name.json" y=same x=differ outside=same
}
overlap overlap-png gen/rgba8.png
overlap overlap-jpeg gen/s420.jpg

# JPEG regions of two groups that do not overlap but share an MCU: both
# cover the whole MCU, so either key restores the other group's region too
# (as inspect shows, and as docs/redaction.md says; redact warns, checked at
# the end of this script).
if shroud redact --group x --region 0,0,4,4 -r "$ALICE" --group y --region 8,8,4,4 -r "$BOB" \
    -o mcu.r.jpg gen/s420.jpg 2>/dev/null && shroud restore -i alice.id -o mcu.a.jpg mcu.r.jpg 2>/dev/null; then
    inspect_json mcu.r.jpg mcu.json
    decode gen/s420.jpg mcu.in.dec && decode mcu.a.jpg mcu.a.dec
    if tool regions mcu.in.dec mcu.a.dec mcu.json y=same >/dev/null; then
        note "JPEG: group y (region 8,8,4,4) is restored by x's key (region 0,0,4,4): both cover the MCU 0,0,16,16, as documented"
    fi
fi

# ---- 4. passphrase groups ----------------------------------------------------------

passphrase_groups() {
    local name=$1 in=$2 ext=${2##*.}
    local r=$name.r.$ext
    expect_ok "$name: redact a passphrase group and a key group" shroud redact \
        --group secret --region 20,30,40,40 --passphrase-file pass.txt --scrypt-log-n 10 \
        --group keyed --region 150,100,50,50 -r "$ALICE" -o "$r" "$in" || return
    inspect_json "$r" "$name.json" &&
        check "... inspect: secret sealed to scrypt, keyed to X25519" \
            tool json inspect "$name.json" sealed_to="scrypt;X25519"
    expect_ok "$name: restore --passphrase-file" \
        shroud restore --passphrase-file pass.txt -o "$name.p.$ext" "$r" &&
        check "... restores secret" grep -q "restored group 'secret'" "$ERR" &&
        check "... keyed stays obscured" grep -q "group 'keyed' stays obscured" "$ERR"
    regions_check "... secret restored, keyed obscured" "$in" "$name.p.$ext" "$name.json" \
        secret=same keyed=differ outside=same
    expect_ok "$name: restore -i and --passphrase-file" \
        shroud restore -i alice.id --passphrase-file pass.txt -o "$name.all.$ext" "$r"
    same_pixels "... everything restored" "$in" "$name.all.$ext"
    [ "$ext" = jpg ] && assert_same_file "... byte-identical" "$name.all.$ext" "$in"
    expect_ok "$name: restore -i without a terminal restores the key group" \
        no_tty shroud restore -i alice.id -o "$name.k.$ext" "$r" &&
        check "... says secret needs a passphrase" \
            grep -qx "shroud: group 'secret' stays obscured: it needs a passphrase (-p)" "$ERR"
    expect_fail 1 "wrong passphrase" "$name: wrong passphrase" \
        shroud restore --passphrase-file wrong.txt -o out/result "$r"
    out_empty
    expect_fail 1 "passphrase" "$name: no passphrase, no terminal" \
        no_tty shroud restore -o out/result "$r"
    out_empty
}
passphrase_groups pass-png gen/rgb16.png
passphrase_groups pass-jpeg gen/s422.jpg
expect_ok "passphrase-only JPEG" shroud redact --region 5,5,100,100 --passphrase-file pass.txt \
    --scrypt-log-n 10 -o passonly.jpg gen/optimized.jpg &&
    expect_ok "... restores with --passphrase-file" \
        shroud restore --passphrase-file pass.txt -o passonly.o.jpg passonly.jpg &&
    assert_same_file "... byte-identical" passonly.o.jpg gen/optimized.jpg
expect_fail 1 "passphrase" "passphrase-only JPEG: restore with a key only" \
    no_tty shroud restore -i alice.id -o out/result passonly.jpg
out_empty

# ---- 5. signatures -------------------------------------------------------------

signed() {
    local name=$1 in=$2 ext=${2##*.}
    local r=$name.r.$ext
    expect_ok "$name: redact --sign" shroud redact --region 30,30,60,60 -r "$ALICE" \
        --sign alice.id --json -o "$r" "$in" || return
    check "... --json says signed" tool json redact "$OUT" signed=true
    expect_ok "$name: verify -k alice.pub" shroud verify -k alice.pub "$r" &&
        check "... good signature (embedded)" grep -qx "shroud: good signature of $r (embedded)" "$ERR"
    expect_ok "... verify --json" shroud verify --json -k alice.pub "$r" &&
        check "... embedded, valid" "$PYTHON" -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["embedded"] is True and d["valid"] is True and d["error"] is None, d' "$OUT"
    expect_fail 1 "another key" "$name: verify with bob's key" shroud verify -k bob.pub "$r"
    inspect_json "$r" "$name.json" &&
        check "... inspect --json: signature valid" tool json inspect "$name.json" signature=valid
    run shroud inspect -k alice.pub --json "$r"
    check "... inspect -k alice.pub: expected signer" tool json inspect "$OUT" expected_signer=true
    run shroud inspect -k bob.pub --json "$r"
    check "... inspect -k bob.pub: not the expected signer" tool json inspect "$OUT" expected_signer=false
    run shroud inspect "$r"
    check "... inspect text: valid" grep -Eq "^signature: key id [0-9a-f]+, valid$" "$OUT"

    expect_ok "$name: restore a signed image" shroud restore -i alice.id -o "$name.o.$ext" "$r"
    same_pixels "... original pixels" "$in" "$name.o.$ext"
    [ "$ext" = jpg ] && assert_same_file "... byte-identical" "$name.o.$ext" "$in"
    expect_fail 1 "no embedded signature" "... the restored image carries no signature" \
        shroud verify -k alice.pub "$name.o.$ext"
    inspect_json "$name.o.$ext" "$name.o.json" &&
        check "... nor any group" tool json inspect "$name.o.json" signature=none groups=

    # tampered TAG TOOL_CMD DECODABLE: a copy of the signed image edited by
    # redact_tool.py. DECODABLE "yes": the edit leaves a valid image (pixels
    # changed), which inspect must read and report as wrongly signed; "no": the
    # edit corrupts the coded data, so inspect may also refuse the image.
    tampered() {
        local t=$name.$1.$ext
        cp "$r" "$t"
        tool "$2" "$t" >/dev/null
        expect_fail 1 "BAD signature" "$name: $1: verify fails" shroud verify -k alice.pub "$t"
        run shroud verify --json -k alice.pub "$t"
        assert_eq "... verify --json exit status 1" "$RC" 1
        run shroud inspect --json "$t"
        if [ "$RC" -eq 0 ]; then
            check "... inspect: signature invalid" tool json inspect "$OUT" signature=invalid
        elif [ "$3" = no ] && [ "$RC" -eq 1 ] && grep -q "^shroud: .*corrupt" "$ERR"; then
            pass "... inspect: refuses the corrupt image"
        else
            flunk "... inspect exit 0, signature invalid" "exit status $RC" "$(stderr_excerpt)"
        fi
        expect_fail 1 "does not belong|corrupt" "... restore fails" \
            shroud restore -i alice.id -o out/result "$t"
        out_empty
    }
    if [ "$ext" = png ]; then
        tampered edited-pixel png-edit-pixel yes
        tampered flipped-idat png-flip-idat no
    else
        tampered edited-dqt jpeg-edit-dqt yes
        tampered flipped-scan jpeg-flip-scan no
    fi

    expect_ok "$name: sign -o an unredacted image" shroud sign -i alice.id -o "$name.s.$ext" "$in" &&
        expect_ok "... verify" shroud verify -k alice.pub "$name.s.$ext" &&
        same_pixels "... same pixels" "$in" "$name.s.$ext"
    expect_ok "$name: sign a redacted image with bob" shroud sign -i bob.id -o "$name.rb.$ext" "$r" &&
        expect_ok "... verify -k bob.pub (the earlier signature replaced)" \
            shroud verify -k bob.pub "$name.rb.$ext" &&
        expect_fail 1 "another key" "... not alice's any more" shroud verify -k alice.pub "$name.rb.$ext"
    expect_ok "... still restores" shroud restore -i alice.id -o "$name.rbo.$ext" "$name.rb.$ext"
    same_pixels "... original pixels" "$in" "$name.rbo.$ext"
}
signed signed-png gen/palette8-trns.png
signed signed-jpeg gen/baseline.jpg
signed signed-progressive gen/progressive.jpg

# a protected identity signs with --identity-passphrase-file
new_identity locked --protect --passphrase-file pass.txt --scrypt-log-n 10
expect_ok "redact --sign with a protected identity" shroud redact --region 1,1,9,9 -r "$ALICE" \
    --sign locked.id --identity-passphrase-file pass.txt -o locked.r.png gen/gray8.png &&
    expect_ok "... verifies" shroud verify -k locked.pub locked.r.png
refused 1 "wrong passphrase" "redact --sign, wrong identity passphrase" shroud redact \
    --region 1,1,9,9 -r "$ALICE" --sign locked.id --identity-passphrase-file wrong.txt \
    -o out/result gen/gray8.png
refused 1 "passphrase" "redact --sign with a protected identity, no terminal" no_tty \
    shroud redact --region 1,1,9,9 -r "$ALICE" --sign locked.id -o out/result gen/gray8.png

# ---- the record belongs to its image -----------------------------------------------

# edited_after DESC FILE WORD: FILE (a copy of a redacted image, edited) is
# refused, given the keys of all its groups (a key holder cannot notice changes
# to the envelopes of groups that are not sealed to it).
edited_after() {
    expect_fail 1 "$3" "$1: restore refused" shroud restore -i alice.id -i bob.id -o out/result "$2"
    out_empty
}
for ext in png jpg; do
    r=groups-png.r.png
    [ $ext = jpg ] && r=groups-jpeg.r.jpg
    [ -s "$r" ] || continue
    cp "$r" edited.$ext
    if [ $ext = png ]; then tool png-edit-pixel edited.$ext; else tool jpeg-edit-dqt edited.$ext; fi
    edited_after "$ext: pixels edited after redaction" edited.$ext "does not belong"
    cp "$r" edited.$ext
    tool add-comment edited.$ext
    edited_after "$ext: a comment added after redaction" edited.$ext "does not belong"
    # the same regions redacted again: another image, the same layout
    in=gen/rgb8.png
    [ $ext = jpg ] && in=gen/baseline.jpg
    shroud redact --group faces --region 13,7,50,41 --region 100,100,30,30 -r "$ALICE" \
        --group plates --region 150,120,80,50 -r "$BOB" --style fill -o again.$ext "$in"
    tool swap-record "$r" again.$ext
    edited_after "$ext: the record copied onto another redaction of the image" again.$ext \
        "does not belong"
    rm -f again.$ext
    # a flipped byte in the record: its layout, the stanzas, the sealed payload
    for off in 0 20 60 200 1000 -1; do
        cp "$r" flipped.$ext
        tool flip-record flipped.$ext "$off"
        edited_after "$ext: record byte $off flipped" flipped.$ext \
            "malformed|edited|modified|corrupt|header|no group is sealed"
    done
done

run shroud inspect gen/baseline.jpg
check "inspect an image without a record or signature" \
    bash -c "grep -qx 'gen/baseline.jpg: JPEG 253x190, baseline' '$OUT' && grep -qx 'redaction: none' '$OUT' && grep -qx 'signature: none' '$OUT'"

# ---- 6. errors ----------------------------------------------------------------

IMG=gen/rgb8.png
refused 2 "-o" "redact without -o" shroud redact --region 1,1,5,5 -r "$ALICE" "$IMG"
refused 2 "input" "redact without an input" shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result
refused 2 "region" "redact without a region" shroud redact -r "$ALICE" -o out/result "$IMG"
refused 2 "-r|-p" "redact without recipients" shroud redact --region 1,1,5,5 -o out/result "$IMG"
refused 2 "no --region" "a group without a region" shroud redact --region 1,1,5,5 -r "$ALICE" \
    --group empty -r "$BOB" -o out/result "$IMG"
refused 2 "twice" "a group given twice" shroud redact --group a --region 1,1,5,5 -r "$ALICE" \
    --group a --region 9,9,5,5 -r "$BOB" -o out/result "$IMG"
refused 2 "style" "unknown style" shroud redact --region 1,1,5,5 -r "$ALICE" --style swirl \
    -o out/result "$IMG"
refused 2 "passphrase" "a passphrase group with recipients" shroud redact --region 1,1,5,5 \
    -r "$ALICE" --passphrase-file pass.txt -o out/result "$IMG"
refused 2 "scrypt-log-n" "--scrypt-log-n without a passphrase" shroud redact --region 1,1,5,5 \
    -r "$ALICE" --scrypt-log-n 10 -o out/result "$IMG"
refused 2 "png-level" "--png-level 13" shroud redact --region 1,1,5,5 -r "$ALICE" \
    --png-level 13 -o out/result "$IMG"
refused 2 "--bogus" "unknown option" shroud redact --bogus --region 1,1,5,5 -r "$ALICE" \
    -o out/result "$IMG"
refused 2 "-o" "restore --json without -o" shroud restore --json -i alice.id groups-png.r.png
for bad in "10,10,5" "a,b,c,d" "10,10,5,5,5" "-1,0,5,5" "10,,5,5" "" " 1,2,3,4" "1.5,2,3,4" \
    "10,10,5,5," "99999999999999999999,0,1,1" "0x10,0,1,1"; do
    refused 2 "--region" "malformed --region '$bad'" \
        shroud redact --region "$bad" -r "$ALICE" -o out/result "$IMG"
done
refused 1 "outside" "region beyond the right edge" \
    shroud redact --region 240,10,14,5 -r "$ALICE" -o out/result "$IMG"
refused 1 "outside" "region beyond the bottom edge" \
    shroud redact --region 10,180,5,11 -r "$ALICE" -o out/result "$IMG"
refused 1 "outside" "region starting outside" \
    shroud redact --region 300,300,1,1 -r "$ALICE" -o out/result gen/baseline.jpg
refused 1 "outside" "region whose end overflows 32 bits" \
    shroud redact --region 4294967295,0,2,1 -r "$ALICE" -o out/result "$IMG"
refused 1 "empty" "region of width 0" shroud redact --region 10,10,0,5 -r "$ALICE" -o out/result "$IMG"
refused 1 "empty" "region of height 0" \
    shroud redact --region 10,10,5,0 -r "$ALICE" -o out/result gen/baseline.jpg
refused 1 "empty" "region of width 0 in a second group" shroud redact --region 1,1,5,5 -r "$ALICE" \
    --group g2 --region 3,3,0,0 -r "$BOB" -o out/result "$IMG"

echo "not an image at all" >text.png
refused 1 "not a PNG or JPEG" "redact a text file" shroud redact --region 1,1,5,5 -r "$ALICE" \
    -o out/result text.png
: >empty.jpg
refused 1 "not a PNG or JPEG|empty|corrupt" "redact an empty file" \
    shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result empty.jpg
head -c $(($(file_size "$IMG") / 2)) "$IMG" >trunc.png
refused 1 "corrupt|truncated|malformed" "redact a truncated PNG (half)" \
    shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result trunc.png
head -c $(($(file_size "$IMG") - 12)) "$IMG" >trunc-iend.png
refused 1 "corrupt|truncated|malformed" "redact a PNG without its IEND chunk" \
    shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result trunc-iend.png
for j in baseline progressive; do
    head -c $(($(file_size gen/$j.jpg) / 2)) gen/$j.jpg >trunc-$j.jpg
    refused 1 "corrupt|truncated|malformed" "redact a truncated $j JPEG (half)" \
        shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result trunc-$j.jpg
done
head -c 300 gen/baseline.jpg >trunc-headers.jpg
refused 1 "corrupt|truncated|malformed|not a PNG or JPEG" "redact a JPEG cut inside its headers" \
    shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result trunc-headers.jpg
head -c $(($(file_size groups-jpeg.r.jpg) / 2)) groups-jpeg.r.jpg >trunc-redacted.jpg
refused 1 "corrupt|truncated|malformed|does not belong" "restore a truncated redacted JPEG" \
    shroud restore -i alice.id -o out/result trunc-redacted.jpg
head -c $(($(file_size groups-png.r.png) - 100)) groups-png.r.png >trunc-redacted.png
refused 1 "corrupt|truncated|malformed|does not belong" "restore a truncated redacted PNG" \
    shroud restore -i alice.id -o out/result trunc-redacted.png

refused 1 "already redacted" "redact a redacted PNG" \
    shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result groups-png.r.png
refused 1 "already redacted" "redact a redacted JPEG" \
    shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result groups-jpeg.r.jpg
refused 1 "no redaction record" "restore an image without a record (PNG)" \
    shroud restore -i alice.id -o out/result "$IMG"
refused 1 "no redaction record" "restore an image without a record (JPEG)" \
    shroud restore -i alice.id -o out/result gen/baseline.jpg
refused 1 "no redaction record" "restore a signed image without a record" \
    shroud restore -i alice.id -o out/result signed-png.s.png
refused 1 "not a PNG or JPEG" "restore a text file" shroud restore -i alice.id -o out/result text.png
refused 1 "no group is sealed" "restore with the wrong key" \
    shroud restore -i carol.id -o out/result groups-png.r.png
refused 1 "-i IDENTITY" "restore with no key at all" shroud restore -o out/result groups-png.r.png

run shroud redact --region 1,1,5,5 -R missing.pub -o out/result "$IMG"
[ "$RC" -eq 1 ] && grep -q "^shroud.*missing.pub.*No such file" "$ERR" && [ "$(wc -l <"$ERR")" -eq 1 ]
verdict $? "redact -R with a missing key file fails naming it" "exit status $RC" "$(stderr_excerpt)"
out_empty "... and leaves nothing in out/"
refused 1 "no such file" "restore -i with a missing identity" \
    shroud restore -i missing.id -o out/result groups-png.r.png
refused 1 "no such file" "redact --sign with a missing identity" \
    shroud redact --region 1,1,5,5 -r "$ALICE" --sign missing.id -o out/result "$IMG"
refused 1 "no such file" "redact a missing input" \
    shroud redact --region 1,1,5,5 -r "$ALICE" -o out/result missing.png
refused 1 "cannot create|no such file" "redact -o into a missing directory" \
    shroud redact --region 1,1,5,5 -r "$ALICE" -o missing-dir/result "$IMG"
check "... creates no directory" test ! -e missing-dir
refused 1 "cannot create|no such file" "restore -o into a missing directory" \
    shroud restore -i alice.id -o missing-dir/result groups-png.r.png

mkdir adir
refused 1 "directory" "restore --force -o DIRECTORY" shroud restore -f -i alice.id -o adir groups-png.r.png
# shellcheck disable=SC2016 # expanded by the inner shell
check "... the directory stays, empty" bash -c 'test -d adir && test -z "$(ls -A adir)" && ! compgen -G ".adir.tmp-*"'
if [ -w /dev/full ]; then
    expect_fail 1 "/dev/full.*no space" "redact -o /dev/full: the error names the output" \
        shroud redact --region 1,1,5,5 -r "$ALICE" -o /dev/full "$IMG"
    expect_fail 1 "/dev/full.*no space" "restore -o /dev/full: the error names the output" \
        shroud restore -i alice.id -o /dev/full groups-png.r.png
fi

refused 2 "name|letters" "a group name with a space" shroud redact --group "two words" \
    --region 1,1,5,5 -r "$ALICE" -o out/result "$IMG"
refused 2 "name|letters|64" "a group name of 65 characters" shroud redact \
    --group "$(printf 'g%.0s' {1..65})" --region 1,1,5,5 -r "$ALICE" -o out/result "$IMG"
args=()
for i in $(seq 1 17); do args+=(--group "g$i" --region "$i,$i,5,5" -r "$ALICE"); done
refused 2 "16 groups" "17 groups" shroud redact "${args[@]}" -o out/result "$IMG"
expect_ok "16 groups" shroud redact "${args[@]:0:96}" -o groups16.png "$IMG" &&
    expect_ok "... restore all 16" shroud restore -i alice.id -o groups16.o.png groups16.png &&
    check "... says so" test "$(grep -c "^shroud: restored group 'g" "$ERR")" -eq 16
args=()
for i in $(seq 0 256); do args+=(--region "$((i % 250)),$((i / 250)),3,3"); done
refused 2 "256 regions" "257 regions in a group" shroud redact "${args[@]}" -r "$ALICE" -o out/result "$IMG"
expect_ok "256 regions in a group" shroud redact "${args[@]:0:512}" -r "$ALICE" -o regions256.jpg \
    gen/baseline.jpg &&
    expect_ok "... restore" shroud restore -i alice.id -o regions256.o.jpg regions256.jpg &&
    assert_same_file "... byte-identical" regions256.o.jpg gen/baseline.jpg

# --json and -o -: the image and the JSON cannot share standard output
run shroud redact --json --region 1,1,5,5 -r "$ALICE" -o - "$IMG"
cp "$OUT" json-stdout.png
if [ "$RC" -eq 2 ]; then
    pass "redact --json -o -: refused (the image and the JSON would share standard output)"
else
    check "redact --json -o -: standard output is one valid PNG (not PNG + JSON)" \
        pngcheck -q json-stdout.png
fi

# sizes beyond the limits are refused before anything large is allocated
tool big-png wide.png 32769 1
tool big-png huge.png 8193 8193 # 64 Mi + 16385 pixels
tool jpeg-size gen/baseline.jpg wide.jpg 40000 16
tool jpeg-size gen/baseline.jpg huge.jpg 9000 9000
for f in wide.png huge.png wide.jpg huge.jpg; do
    refused 1 "too large" "redact $f (beyond the limits)" \
        shroud redact --region 0,0,1,1 -r "$ALICE" -o out/result $f
done
tool big-png edge.png 32768 1
expect_ok "redact a 32768x1 PNG (at the limit)" \
    shroud redact --region 32767,0,1,1 -r "$ALICE" -o edge.r.png edge.png

# exists_then_force DESC MODE CMD...: CMD writes exist.img; without --force it
# fails and leaves the file as it was, with --force it replaces it (mode MODE).
exists_then_force() {
    local desc=$1 mode=$2
    shift 2
    echo "precious" >exist.img
    chmod 644 exist.img
    cp exist.img exist.orig
    expect_fail 1 "already exists" "$desc: refused when the output exists" "$@"
    assert_same_file "... the existing file is untouched" exist.img exist.orig
    check "... and no temporary file is left" test -z "$(leftovers exist.img | grep -v '^exist.img$')"
    expect_ok "$desc --force replaces it" "$@" --force &&
        check "... with an image" is_png exist.img &&
        assert_mode "... mode $mode" exist.img "$mode"
}
exists_then_force "redact -o" 644 shroud redact --region 1,1,5,5 -r "$ALICE" -o exist.img "$IMG"
exists_then_force "restore -o" 600 shroud restore -i alice.id -o exist.img groups-png.r.png
check "no temporary file left in the working directory" \
    bash -c '! compgen -G ".*.tmp-*" && ! compgen -G "*/.*.tmp-*"'

# ---- 7. metadata ---------------------------------------------------------------

# essential FILE: the metadata --strip-metadata keeps (docs/redaction.md):
# JPEG JFIF (APP0) and Adobe (APP14); PNG tRNS gAMA cHRM sRGB sBIT cICP.
essential() {
    tool meta "$1" | tr ' ' '\n' | grep -E '^(APP0|APP14|tRNS|gAMA|cHRM|sRGB|sBIT|cICP):' | paste -sd' '
}

# metadata NAME IN REGION: the metadata of IN survives redact and restore,
# and --strip-metadata removes all but the essential from both.
metadata() {
    local name=$1 in=$2 ext=${2##*.} meta
    meta=$(tool meta "$in")
    expect_ok "$name: redact" shroud redact --region "$3" -r "$ALICE" -o "$name.r.$ext" "$in" &&
        assert_eq "... metadata kept (APPn/COM or ancillary chunks, contents and order)" \
            "$(tool meta "$name.r.$ext")" "$meta" &&
        expect_ok "... restore" shroud restore -i alice.id -o "$name.o.$ext" "$name.r.$ext" &&
        assert_eq "... metadata kept by restore" "$(tool meta "$name.o.$ext")" "$meta"
    expect_ok "$name: redact --strip-metadata" shroud redact --strip-metadata --region "$3" \
        -r "$ALICE" -o "$name.sr.$ext" "$in" &&
        valid_image "... a valid image" "$name.sr.$ext" &&
        assert_eq "... only the essential metadata left" "$(tool meta "$name.sr.$ext")" "$(essential "$in")" &&
        expect_ok "... restore" shroud restore -i alice.id -o "$name.so.$ext" "$name.sr.$ext" &&
        assert_eq "... nor in the restored image" "$(tool meta "$name.so.$ext")" "$(essential "$in")" &&
        same_pixels "... the original pixels" "$in" "$name.so.$ext"
}
HUBBLE=$DATA/hubble_deep_field.jpg
check "hubble_deep_field.jpg has EXIF (APP1 Exif)" tool has-exif "$HUBBLE"
metadata meta-hubble "$HUBBLE" 401,333,77,91
check "... EXIF in the redacted file" tool has-exif meta-hubble.r.jpg
check "... EXIF in the restored file" tool has-exif meta-hubble.o.jpg
check "... identify -verbose agrees" bash -c "$IDENTIFY -verbose meta-hubble.o.jpg | grep -q 'exif:'"
check "... no EXIF after --strip-metadata" bash -c "! '$PYTHON' '$TOOL' has-exif meta-hubble.sr.jpg"
check "... nor after restoring that" bash -c "! '$PYTHON' '$TOOL' has-exif meta-hubble.so.jpg"
metadata meta-rocket "$DATA/rocket.jpg" 300,100,90,120
metadata meta-png gen/rgb8-meta.png 13,7,50,41
assert_eq "PNG tEXt chunks kept by redact" "$(tool png-text meta-png.r.png)" \
    "$(tool png-text gen/rgb8-meta.png)"
assert_eq "... and by restore" "$(tool png-text meta-png.o.png)" "$(tool png-text gen/rgb8-meta.png)"
assert_eq "... none after --strip-metadata" "$(tool png-text meta-png.sr.png)" ""

# ---- 8. output modes and standard output ------------------------------------------

assert_mode "redacted output is 0644 (umask 022)" png-rgb8.r.png 644
assert_mode "restored output is 0600" png-rgb8.o.png 600
(
    umask 000
    shroud restore -i alice.id -o umask0.png png-rgb8.r.png 2>/dev/null
)
assert_mode "restored output is 0600 even with umask 000" umask0.png 600
for ext in png jpg; do
    in=gen/rgb8.png
    [ $ext = jpg ] && in=gen/baseline.jpg
    expect_ok "redact -o - ($ext)" shroud redact --region 13,7,50,41 -r "$ALICE" -o - "$in" &&
        cp "$OUT" stdout.$ext &&
        valid_image "... standard output holds a valid image" stdout.$ext &&
        expect_ok "... which restores" shroud restore -i alice.id -o stdout.o.$ext stdout.$ext &&
        same_pixels "... to the original pixels" "$in" stdout.o.$ext
    check "... no file named '-'" test ! -e -
    expect_ok "restore -o - ($ext)" shroud restore -i alice.id -o - stdout.$ext &&
        cp "$OUT" restored-stdout.$ext &&
        same_pixels "... the original pixels on standard output" "$in" restored-stdout.$ext
    expect_ok "restore without -o writes standard output ($ext)" \
        shroud restore -i alice.id stdout.$ext &&
        check "... the same image" cmp -s "$OUT" restored-stdout.$ext
    expect_ok "redact standard input (-)" shroud redact --region 13,7,50,41 -r "$ALICE" \
        -o stdin.r.$ext - <"$in" &&
        expect_ok "... restores" shroud restore -i alice.id -o stdin.o.$ext stdin.r.$ext &&
        same_pixels "... to the original pixels" "$in" stdin.o.$ext
done

# Groups whose regions do not meet but share MCUs: redact warns (docs/redaction.md, "Groups").
expect_ok "JPEG groups sharing MCUs" shroud redact --group a --region 0,0,10,10 -r "$ALICE" \
    --group b --region 10,0,10,10 -R bob.pub -o shared-mcu.jpg gen/baseline.jpg &&
    check "... warns that either key restores the shared blocks" grep -q "share JPEG blocks" "$ERR"
expect_ok "JPEG groups on separate MCUs" shroud redact --group a --region 0,0,10,10 -r "$ALICE" \
    --group b --region 64,0,10,10 -R bob.pub -o separate-mcu.jpg gen/baseline.jpg &&
    check "... no warning" test ! -s "$ERR"

# Metadata holding a picture of the original (here an EXIF thumbnail: IFD0 links an IFD1) is left
# out even when metadata is kept, and redact says so (docs/redaction.md, "Metadata").
"$PYTHON" - gen/baseline.jpg thumb.jpg <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
tiff = b"II*\x00\x08\x00\x00\x00" + b"\x00\x00" + struct.pack("<I", 14) + b"\x00\x00" + b"\x00" * 4
app1 = b"Exif\x00\x00" + tiff
open(sys.argv[2], "wb").write(data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:])
PY
check "a JPEG with an EXIF thumbnail has EXIF" tool has-exif thumb.jpg
expect_ok "redact it" shroud redact --json --region 1,1,9,9 -r "$ALICE" -o thumb.r.jpg thumb.jpg &&
    check "... says the preview was left out" grep -q "preview picture of the original" "$ERR" &&
    check "... --json counts it" grep -q '"dropped_previews":1' "$OUT" &&
    check "... no EXIF in the redacted file" bash -c "! '$PYTHON' '$TOOL' has-exif thumb.r.jpg"

finish
