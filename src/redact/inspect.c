/* inspect.c — shroud_image_inspect: what an image carries, without keys. */
#include <stdlib.h>
#include <string.h>

#include "crypto/envelope.h"
#include "image/embedded.h"
#include "redact/image_signature.h"
#include "redact/inspect.h"
#include "redact/redactor.h"

void shroud_image_info_free(shroud_image_info *info)
{
    if (!info)
        return;
    for (size_t g = 0; g < info->n_groups; g++) {
        free(info->groups[g].regions);
        free(info->groups[g].covered);
    }
    free(info->groups);
    free(info->signer);
    free(info);
}

/* The stanza kinds of an envelope (0 when its header does not parse). */
static void envelope_kinds(const uint8_t *env, size_t len, shroud_group_info *g)
{
    envelope_header h;
    size_t needed = 0;
    if (len < ENVELOPE_MAGIC_BYTES || memcmp(env, ENVELOPE_MAGIC, ENVELOPE_MAGIC_BYTES) != 0 ||
        envelope_header_parse(env + ENVELOPE_MAGIC_BYTES, len - ENVELOPE_MAGIC_BYTES, &h,
                              &needed) != SHROUD_OK)
        return;
    g->n_stanzas = h.count;
    for (size_t i = 0; i < h.count; i++)
        if (h.stanzas[i].type < 8 * sizeof g->stanza_kinds)
            g->stanza_kinds |= 1u << h.stanzas[i].type;
}

int image_info_build(const decoded_image *d, const redaction_layout *l, shroud_image_info **out)
{
    *out = NULL;
    shroud_image_info *info = calloc(1, sizeof *info);
    if (!info)
        return SHROUD_ERR_NOMEM;
    info->format = d->format;
    info->width = d->width;
    info->height = d->height;
    info->progressive = d->jpeg ? jpeg_coeffs_info(d->jpeg)->progressive : 0;
    info->signature_status = SHROUD_ERR_NO_SIGNATURE;
    if (l && l->n_groups) {
        info->groups = calloc(l->n_groups, sizeof *info->groups);
        if (!info->groups) {
            shroud_image_info_free(info);
            return SHROUD_ERR_NOMEM;
        }
        info->n_groups = l->n_groups;
        for (unsigned g = 0; g < l->n_groups; g++) {
            const layout_group *src = &l->groups[g];
            shroud_group_info *dst = &info->groups[g];
            memcpy(dst->name, src->name, sizeof dst->name);
            dst->style = src->style;
            dst->restore_status = SHROUD_ERR_NO_IDENTITY;
            dst->n_regions = src->n_regions;
            dst->regions = malloc(src->n_regions * sizeof *dst->regions);
            dst->covered = malloc(src->n_regions * sizeof *dst->covered);
            if (!dst->regions || !dst->covered) {
                shroud_image_info_free(info);
                return SHROUD_ERR_NOMEM;
            }
            for (unsigned i = 0; i < src->n_regions; i++) {
                dst->regions[i] = src->regions[i];
                decoded_image_cover(d, &src->regions[i], &dst->covered[i]);
            }
            envelope_kinds(src->envelope, src->envelope_len, dst);
        }
    }
    *out = info;
    return SHROUD_OK;
}

int image_read_layout(const uint8_t *image, size_t len, image_embedded *e, redaction_layout *l,
                      uint8_t layout_digest[REDACT_DIGEST_BYTES])
{
    memset(l, 0, sizeof *l);
    int err = image_embedded_find(image, len, e);
    if (err || !e->payload[EMBED_RECORD])
        return err;
    err = block_parse(e->payload[EMBED_RECORD], e->payload_len[EMBED_RECORD], l, layout_digest);
    if (err == SHROUD_OK && l->format != e->format)
        err = SHROUD_ERR_RECORD_MISMATCH;
    return err;
}

int shroud_image_inspect(const uint8_t *image, size_t len, shroud_image_info **out)
{
    if (!image || !out)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    image_embedded e;
    redaction_layout l;
    uint8_t layout_digest[REDACT_DIGEST_BYTES];
    decoded_image d;
    memset(&d, 0, sizeof d);
    int err = image_read_layout(image, len, &e, &l, layout_digest);
    if (err == SHROUD_OK)
        err = decoded_image_read_header(image, len, &d);
    if (err == SHROUD_OK && l.n_groups && (l.width != d.width || l.height != d.height))
        err = SHROUD_ERR_RECORD_MISMATCH;
    if (err == SHROUD_OK)
        err = image_info_build(&d, &l, out);
    if (err == SHROUD_OK && e.payload[EMBED_SIGNATURE]) {
        shroud_image_info *info = *out;
        image_signature s;
        info->has_signature = 1;
        info->signature_status = image_signature_check_found(image, len, &e, NULL, &s);
        if (s.signer_text) {
            info->signer = strdup(s.signer_text);
            memcpy(info->signer_key_id, s.sig.key_id, sizeof info->signer_key_id);
            if (!info->signer)
                err = SHROUD_ERR_NOMEM;
        }
        image_signature_free(&s);
    }
    if (err) {
        shroud_image_info_free(*out);
        *out = NULL;
    }
    decoded_image_free(&d);
    layout_free(&l);
    image_embedded_free(&e);
    return err;
}
