/*
 * shroud_embed.c — hiding with libshroud for the "shroud" rows.
 */
#include "shroud_embed.h"

#include <stdio.h>

#ifndef DETECT_WITH_SHROUD

int shroud_bench_init(char *why, size_t len)
{
    snprintf(why, len, "built without libshroud (its stego API did not build or link)");
    return -1;
}

int shroud_bench_hide(const image8 *tile, double rate, image8 *stego, shroud_hide_info *info,
                      char *err, size_t errlen)
{
    (void)tile, (void)rate, (void)stego, (void)info;
    snprintf(err, errlen, "built without libshroud");
    return -1;
}

void shroud_bench_done(void) {}

#else

#include <math.h>
#include <stdlib.h>

#include "shroud.h"

static shroud_identity *identity;
static shroud_recipient *recipient;

int shroud_bench_init(char *why, size_t len)
{
    int err = shroud_identity_generate(&identity);
    if (!err)
        err = shroud_identity_recipient(identity, &recipient);
    if (err) {
        snprintf(why, len, "identity: %s", shroud_strerror(err));
        return -1;
    }
    return 0;
}

void shroud_bench_done(void)
{
    shroud_recipient_free(recipient);
    shroud_identity_free(identity);
    recipient = NULL;
    identity = NULL;
}

/* The longest message whose stream fits in target_bits; -1 if none does. */
static long message_length(size_t target_bits)
{
    const shroud_recipient *const rcpt[1] = {recipient};
    size_t lo = 0, hi = target_bits / 8 + 1, stream;
    if (shroud_stego_stream_bytes(rcpt, 1, 0, 0, &stream) != SHROUD_OK || stream * 8 > target_bits)
        return -1;
    while (hi - lo > 1) { /* stream(lo) fits, stream(hi) does not */
        size_t mid = lo + (hi - lo) / 2;
        if (shroud_stego_stream_bytes(rcpt, 1, 0, mid, &stream) == SHROUD_OK &&
            stream * 8 <= target_bits)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

/* Counts the differences between cover and stego, and the ones LSB matching
 * in shroud's rules cannot make. */
static void count_changes(const image8 *a, const image8 *b, shroud_hide_info *info)
{
    size_t n = image_samples(a);
    info->changed_seen = info->bad_changes = 0;
    for (size_t i = 0; i < n; i++) {
        int d = (int)b->px[i] - (int)a->px[i];
        if (!d)
            continue;
        info->changed_seen++;
        if ((d != 1 && d != -1) || a->px[i] == 0 || a->px[i] == 255)
            info->bad_changes++;
    }
}

static int hide_png(const uint8_t *png, size_t png_len, double rate, uint8_t **out, size_t *out_len,
                    shroud_stego_stats *stats, char *err, size_t errlen)
{
    shroud_cover *cover = NULL;
    uint32_t w, h;
    size_t usable;
    int rc = shroud_cover_new(&cover, png, png_len);
    if (!rc)
        rc = shroud_cover_info(cover, &w, &h, &usable);
    if (rc) {
        snprintf(err, errlen, "cover: %s", shroud_strerror(rc));
        shroud_cover_free(cover);
        return -1;
    }
    long msg_len = message_length((size_t)floor(rate * (double)usable));
    if (msg_len < 0) {
        snprintf(err, errlen, "rate %.2f: the envelope alone is too long", rate);
        shroud_cover_free(cover);
        return -1;
    }
    uint8_t *msg = malloc((size_t)msg_len + 1);
    for (long i = 0; msg && i < msg_len; i++)
        msg[i] = (uint8_t)rand();
    const shroud_recipient *const rcpt[1] = {recipient};
    rc = msg ? shroud_stego_hide(cover, rcpt, 1, NULL, 0, msg, (size_t)msg_len, out, out_len, stats)
             : SHROUD_ERR_NOMEM;
    free(msg);
    shroud_cover_free(cover);
    if (rc)
        snprintf(err, errlen, "hide: %s", shroud_strerror(rc));
    return rc ? -1 : 0;
}

int shroud_bench_hide(const image8 *tile, double rate, image8 *stego, shroud_hide_info *info,
                      char *err, size_t errlen)
{
    uint8_t *png = NULL, *out = NULL;
    size_t png_len, out_len;
    shroud_stego_stats stats;
    if (image_png_encode(tile, &png, &png_len) != 0) {
        snprintf(err, errlen, "cannot encode the tile");
        return -1;
    }
    int rc = hide_png(png, png_len, rate, &out, &out_len, &stats, err, errlen);
    free(png);
    if (rc)
        return -1;
    rc = image_png_decode(out, out_len, tile->channels, stego);
    shroud_free(out);
    if (rc || stego->width != tile->width || stego->height != tile->height) {
        snprintf(err, errlen, "cannot decode shroud's output");
        if (!rc)
            image_free(stego);
        return -1;
    }
    info->bits_per_usable = stats.bits_per_sample;
    info->bits_per_sample = (double)stats.stream_bits / (double)image_samples(tile);
    info->usable = stats.usable_samples;
    info->changed = stats.changed_samples;
    count_changes(tile, stego, info);
    return 0;
}

#endif
