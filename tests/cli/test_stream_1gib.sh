#!/bin/bash
# test_stream_1gib.sh — 1 GiB streams through `encrypt | decrypt` intact and
# in constant memory: peak RSS under 64 MiB, and the 1 GiB run within 8 MiB
# of the 64 MiB run. Also a 64 MiB armored stream. Under AddressSanitizer
# the streams still run but the RSS limits are not checked.
. "$(dirname "$0")/lib.sh" "$@"

ZEROS_1GIB_SHA256=49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14
RSS_LIMIT_KIB=65536 # 64 MiB
RSS_GROWTH_KIB=8192 # 8 MiB

MEASURE=1
if sanitized; then
    MEASURE=0
    skip "peak RSS limits: the binary runs under AddressSanitizer"
elif [ ! -x /usr/bin/time ]; then
    MEASURE=0
    skip "peak RSS limits: /usr/bin/time is missing (Debian package 'time')"
fi

new_identity alice

# timed NAME CMD...: runs CMD, writing its peak RSS (KiB) to NAME.rss.
timed() {
    local name=$1
    shift
    if [ $MEASURE = 1 ]; then
        /usr/bin/time -o "$name.rss" -f %M "$SHROUD" "$@"
    else
        "$SHROUD" "$@"
    fi
}
peak_rss() { tail -n 1 "$1.rss"; }

# stream NAME SIZE [ENCRYPT_ARGS...]: SIZE zero bytes through encrypt |
# decrypt; checks the SHA-256 of the result, and the peak RSS of both.
stream() {
    local name=$1 size=$2 digest expected start
    shift 2
    expected=$(head -c "$size" /dev/zero | sha256sum | cut -d ' ' -f 1)
    [ "$size" = 1G ] && assert_eq "sha256sum of 1 GiB of zeros is the known constant" "$expected" "$ZEROS_1GIB_SHA256"
    start=$SECONDS
    digest=$(head -c "$size" /dev/zero |
        timed "$name.encrypt" encrypt -r "$(cat alice.pub)" "$@" |
        timed "$name.decrypt" decrypt -i alice.id | sha256sum | cut -d ' ' -f 1)
    assert_eq "$name: $size through encrypt | decrypt ($((SECONDS - start)) s)" "$digest" "$expected"
    [ $MEASURE = 1 ] || return 0
    local step
    for step in encrypt decrypt; do
        local rss
        rss=$(peak_rss "$name.$step")
        [ "$rss" -lt $RSS_LIMIT_KIB ]
        verdict $? "$name: peak RSS of $step is $rss KiB < $RSS_LIMIT_KIB KiB" "$rss KiB"
    done
}

stream small 64M
stream big 1G
stream armored 64M -a

if [ $MEASURE = 1 ]; then
    for step in encrypt decrypt; do
        small=$(peak_rss "small.$step")
        big=$(peak_rss "big.$step")
        [ "$big" -le $((small + RSS_GROWTH_KIB)) ]
        verdict $? "constant memory: $step of 1 GiB peaks at $big KiB, of 64 MiB at $small KiB" \
            "1 GiB run uses $((big - small)) KiB more than the 64 MiB run (limit $RSS_GROWTH_KIB)"
    done
fi

finish
