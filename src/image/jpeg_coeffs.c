/*
 * jpeg_coeffs.c — DCT coefficients in and out with libjpeg-turbo's
 * transcoding API.
 *
 * libjpeg reports errors through error_exit, which must not return: a
 * jpeg_guard holds the jmp_buf every entry point sets, and the SHROUD_ERR_*
 * code chosen for the failure. Warnings (level -1 messages: corrupt or
 * truncated entropy data, extraneous bytes...) are recorded and turn the
 * whole call into SHROUD_ERR_IMAGE when it ends.
 *
 * Huffman tables: after a read libjpeg holds, per slot, the last table the
 * file defined (for a progressive file: the last scan's). It also fills
 * slots 0 and 1 with the Annex K tables when a sequential file defines none
 * (Motion-JPEG style); such a fill-in is not reported as defined. Writing
 * progressive Huffman always optimizes the tables per scan (libjpeg forces
 * it in jcmaster.c), so given tables only matter for sequential output.
 *
 * libjpeg-turbo's sequential Huffman encoder does not check that a symbol
 * has a code (a missing one silently corrupts the stream), and its
 * arithmetic encoder writes DC differences its decoder refuses, so before a
 * sequential write with given or standard tables, or with arithmetic
 * coding, the coefficients are walked in the encoder's order to check that
 * everything they need can be coded. (Optimized and progressive Huffman
 * writes are checked by libjpeg itself: JERR_BAD_DCT_COEF.) With given
 * tables, components keep the table slots the file gave them
 * (jpeg_copy_critical_parameters would reassign them).
 */
#include "image/jpeg_coeffs.h"

#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h: it uses FILE and size_t */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "image/embedded.h"
#include "image/image_limits.h"
#include "image/previews.h"
#include "image/jpeg_segments.h"
#include "image/jpeg_splice.h"
#include "shroud.h"

_Static_assert(sizeof(JCOEF) == sizeof(int16_t), "JPEG_BLOCK must alias JBLOCK");
_Static_assert(sizeof(JBLOCK) == sizeof(JPEG_BLOCK), "JPEG_BLOCK must alias JBLOCK");

#define MARKER_SAVE_LIMIT 0xFFFF           /* more than any segment holds: nothing is cut */
#define OUTPUT_CHUNK (64u * 1024u)         /* destination manager's staging buffer */
#define MEMORY_SLACK (16u * 1024u * 1024u) /* libjpeg's own tables and buffers */
#define SHROUD_APP11_PREFIX 7              /* "shroud" and its NUL */
#define MAX_RESTART_INTERVAL 65535u        /* the DRI field is 16 bits */

/* ---- errors ------------------------------------------------------------- */

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jmp;
    int compressing; /* decides how some libjpeg errors map */
    int err;         /* SHROUD_ERR_* of the failure (set before the longjmp) */
    int warning;     /* first libjpeg warning code + 1, 0 when none */
} jpeg_guard;

static int map_decompress_error(int code)
{
    switch (code) {
    case JERR_BAD_PRECISION:   /* 12-bit (or other) samples */
    case JERR_SOF_UNSUPPORTED: /* lossless, hierarchical */
    case JERR_COMPONENT_COUNT: /* more components than libjpeg handles */
    case JERR_EMPTY_IMAGE:     /* height from a DNL marker */
    case JERR_NOT_COMPILED:
    case JERR_NOTIMPL:
    case JERR_ARITH_NOTIMPL:
    case JERR_NO_SOI:
        return SHROUD_ERR_IMAGE_FORMAT;
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
    case JERR_NO_BACKING_STORE: /* the coefficients exceed max_memory_to_use */
        return SHROUD_ERR_IMAGE_LIMIT;
    case JERR_OUT_OF_MEMORY:
        return SHROUD_ERR_NOMEM;
    default:
        return SHROUD_ERR_IMAGE;
    }
}

static int map_compress_error(int code)
{
    switch (code) {
    case JERR_BAD_HUFF_TABLE: /* a given table is not a valid code */
    case JERR_NO_HUFF_TABLE:
    case JERR_HUFF_MISSING_CODE:
    case JERR_BAD_DCT_COEF: /* a coefficient no table can code */
    case JERR_HUFF_CLEN_OVERFLOW:
    case JERR_MISMATCHED_QUANT_TABLE:
    case JERR_NO_QUANT_TABLE:
        return SHROUD_ERR_IMAGE_FORMAT;
    case JERR_OUT_OF_MEMORY:
        return SHROUD_ERR_NOMEM;
    default:
        return SHROUD_ERR_IMAGE;
    }
}

/* Jumps back to the entry point with err. */
static void guard_fail(j_common_ptr cinfo, int err)
{
    jpeg_guard *g = (jpeg_guard *)cinfo->err;
    g->err = err;
    longjmp(g->jmp, 1);
}

static void guard_error_exit(j_common_ptr cinfo)
{
    jpeg_guard *g = (jpeg_guard *)cinfo->err;
    int code = g->pub.msg_code;
    guard_fail(cinfo, g->compressing ? map_compress_error(code) : map_decompress_error(code));
}

/* Level -1 is a warning; traces (level >= 0) are ignored. Two warnings only
 * describe metadata libjpeg does not interpret for us (the segments are
 * copied raw), so they are let through. */
static void guard_emit_message(j_common_ptr cinfo, int msg_level)
{
    jpeg_guard *g = (jpeg_guard *)cinfo->err;
    if (msg_level >= 0)
        return;
    int code = g->pub.msg_code;
    g->pub.num_warnings++;
    if (code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM)
        return;
    if (!g->warning)
        g->warning = code + 1;
}

static void guard_output_message(j_common_ptr cinfo)
{
    (void)cinfo; /* a library prints nothing */
}

static struct jpeg_error_mgr *guard_init(jpeg_guard *g, int compressing)
{
    memset(g, 0, sizeof *g);
    jpeg_std_error(&g->pub);
    g->pub.error_exit = guard_error_exit;
    g->pub.emit_message = guard_emit_message;
    g->pub.output_message = guard_output_message;
    g->compressing = compressing;
    return &g->pub;
}

/* ---- the object ---------------------------------------------------------- */

struct jpeg_coeffs {
    struct jpeg_decompress_struct d;
    jpeg_guard guard;
    struct jpeg_progress_mgr progress;
    int created; /* d needs jpeg_destroy_decompress */
    jvirt_barray_ptr *arrays;
    uint32_t array_rows[JPEG_MAX_COMPONENTS]; /* block rows allocated (real + MCU padding) */
    jpeg_info info;
    jpeg_huff_set huff;
    jpeg_marker *markers;
    size_t n_markers;
    /* restart intervals seen scan by scan (progress_monitor) */
    int last_scan;
    uint32_t first_interval;
    uint32_t rows; /* the common interval in MCU rows, while one fits */
    int rows_fit;  /* every scan so far: interval = rows * MCUs_per_row */
    int intervals_differ;
    /* read for a splice (jpeg_coeffs_read_regions): libjpeg read only the
     * header; the splice holds the kept rows, head the file up to the end
     * of SOS */
    jpeg_splice *splice;
    uint8_t *head;
    size_t head_len;
};

static int is_shroud_block(uint8_t marker, const uint8_t *data, size_t len)
{
    return marker == JPEG_MARKER_APP11 && len >= SHROUD_APP11_PREFIX &&
           memcmp(data, JPEG_EMBED_IDENT, SHROUD_APP11_PREFIX) == 0;
}

/* Refuses a file whose other metadata (everything saved but shroud's own
 * blocks) is above the limits: per marker type IMAGE_MAX_METADATA_CHUNK, in
 * all IMAGE_MAX_METADATA_TOTAL. */
static int check_marker_limits(j_decompress_ptr d)
{
    size_t per_type[16 + 1] = {0}, total = 0;
    for (jpeg_saved_marker_ptr m = d->marker_list; m; m = m->next) {
        if (is_shroud_block(m->marker, m->data, m->data_length))
            continue;
        size_t k = m->marker == JPEG_COM ? 16 : (size_t)(m->marker - JPEG_APP0) & 15;
        per_type[k] += m->data_length;
        total += m->data_length;
        if (per_type[k] > IMAGE_MAX_METADATA_CHUNK || total > IMAGE_MAX_METADATA_TOTAL)
            return SHROUD_ERR_IMAGE_LIMIT;
    }
    return SHROUD_OK;
}

/* The jpeg_coeffs a decompressor belongs to (d is its first member). */
static jpeg_coeffs *coeffs_of(j_decompress_ptr d)
{
    return (jpeg_coeffs *)(void *)d;
}

/* Notes a scan's restart interval: once per scan, after its SOS, when
 * MCUs_per_row describes that scan. */
static void note_scan(jpeg_coeffs *j, j_decompress_ptr d)
{
    uint32_t interval = d->restart_interval, per_row = d->MCUs_per_row;
    if (j->last_scan == 0) {
        j->first_interval = interval;
        j->rows_fit = interval && per_row && interval % per_row == 0;
        j->rows = j->rows_fit ? interval / per_row : 0;
    } else {
        j->intervals_differ |= interval != j->first_interval;
        j->rows_fit &= per_row && interval == j->rows * per_row;
    }
    j->last_scan = d->input_scan_number;
}

static void progress_monitor(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > JPEG_MAX_SCANS)
        guard_fail(cinfo, SHROUD_ERR_IMAGE_LIMIT);
    jpeg_coeffs *j = coeffs_of(d);
    if (d->input_scan_number != j->last_scan && d->input_scan_number > 0)
        note_scan(j, d);
}

static uint32_t round_up(uint32_t v, uint32_t m)
{
    return (v + m - 1) / m * m;
}

/* Checks the header against the limits and bounds libjpeg's memory to what
 * the coefficients of this image need (plus the saved markers, which are at
 * most the file, and slack for libjpeg's own tables). */
static int check_header(jpeg_coeffs *j, size_t file_len)
{
    j_decompress_ptr d = &j->d;
    if (d->num_components < 1 || d->num_components > JPEG_MAX_COMPONENTS)
        return SHROUD_ERR_IMAGE_FORMAT;
    if (d->data_precision != 8)
        return SHROUD_ERR_IMAGE_FORMAT;
    if (d->image_width > IMAGE_MAX_DIMENSION || d->image_height > IMAGE_MAX_DIMENSION ||
        (uint64_t)d->image_width * d->image_height > IMAGE_MAX_PIXELS)
        return SHROUD_ERR_IMAGE_LIMIT;
    uint64_t need = 0;
    for (int c = 0; c < d->num_components; c++) {
        const jpeg_component_info *ci = &d->comp_info[c];
        need += (uint64_t)round_up(ci->width_in_blocks, (uint32_t)ci->h_samp_factor) *
                round_up(ci->height_in_blocks, (uint32_t)ci->v_samp_factor) * sizeof(JBLOCK);
    }
    d->mem->max_memory_to_use = (long)(need + 2 * (uint64_t)file_len + MEMORY_SLACK);
    return check_marker_limits(d);
}

static void copy_huff(jpeg_huff_table *dst, const JHUFF_TBL *src)
{
    memset(dst, 0, sizeof *dst);
    unsigned count = 0;
    for (int l = 1; l <= 16; l++) {
        dst->bits[l] = src->bits[l];
        count += src->bits[l];
    }
    if (count > 256)
        count = 256;
    memcpy(dst->values, src->huffval, count);
}

/* Number of symbols in a table (bits[1..16] summed). */
static unsigned huff_count(const jpeg_huff_table *t)
{
    unsigned n = 0;
    for (int l = 1; l <= 16; l++)
        n += t->bits[l];
    return n;
}

static int huff_equal(const jpeg_huff_table *a, const JHUFF_TBL *b)
{
    unsigned n = 0;
    for (int l = 1; l <= 16; l++) {
        if (a->bits[l] != b->bits[l])
            return 0;
        n += a->bits[l];
    }
    return n <= 256 && memcmp(a->values, b->huffval, n) == 0;
}

/* The Annex K tables, from a scratch compressor (jpeg_set_defaults installs
 * them in slots 0 and 1). Returns 0, or -1 if libjpeg failed. */
static int standard_tables(jpeg_huff_table dc[2], jpeg_huff_table ac[2])
{
    struct {
        struct jpeg_compress_struct c;
        jpeg_guard guard;
    } s;
    memset(&s, 0, sizeof s);
    s.c.err = guard_init(&s.guard, 1);
    if (setjmp(s.guard.jmp)) {
        jpeg_destroy_compress(&s.c);
        return -1;
    }
    jpeg_create_compress(&s.c);
    s.c.in_color_space = JCS_YCbCr;
    s.c.input_components = 3;
    jpeg_set_defaults(&s.c);
    for (int k = 0; k < 2; k++) {
        copy_huff(&dc[k], s.c.dc_huff_tbl_ptrs[k]);
        copy_huff(&ac[k], s.c.ac_huff_tbl_ptrs[k]);
    }
    jpeg_destroy_compress(&s.c);
    return 0;
}

/* Fills j->huff. present_dc/present_ac: the slots set right after the header
 * (defined by the file before its first scan). A slot 0/1 that was empty then
 * and holds exactly the Annex K table now is libjpeg's fill-in, not the
 * file's. */
static void capture_huffman(jpeg_coeffs *j, unsigned present_dc, unsigned present_ac)
{
    jpeg_huff_table std_dc[2], std_ac[2];
    int have_std = standard_tables(std_dc, std_ac) == 0;
    jpeg_huff_set *h = &j->huff;
    memset(h, 0, sizeof *h);
    for (int s = 0; s < JPEG_HUFF_SLOTS; s++) {
        const JHUFF_TBL *dc = j->d.dc_huff_tbl_ptrs[s], *ac = j->d.ac_huff_tbl_ptrs[s];
        if (dc && !(s < 2 && !(present_dc & 1u << s) && have_std && huff_equal(&std_dc[s], dc))) {
            copy_huff(&h->dc[s], dc);
            h->dc_present |= (uint8_t)(1u << s);
        }
        if (ac && !(s < 2 && !(present_ac & 1u << s) && have_std && huff_equal(&std_ac[s], ac))) {
            copy_huff(&h->ac[s], ac);
            h->ac_present |= (uint8_t)(1u << s);
        }
    }
}

/* Fills j->info from the decompressor; SHROUD_ERR_IMAGE_FORMAT when a
 * component's quantisation table differs from its slot's final contents
 * (the file redefined the slot after using it: libjpeg cannot write that). */
static int capture_info(jpeg_coeffs *j, int header_only)
{
    j_decompress_ptr d = &j->d;
    jpeg_info *in = &j->info;
    memset(in, 0, sizeof *in);
    in->width = d->image_width;
    in->height = d->image_height;
    in->components = (uint8_t)d->num_components;
    in->max_h_samp = (uint8_t)d->max_h_samp_factor;
    in->max_v_samp = (uint8_t)d->max_v_samp_factor;
    in->progressive = d->progressive_mode ? 1 : 0;
    in->arithmetic = d->arith_code ? 1 : 0;
    in->restart_interval = d->restart_interval;
    in->restart_rows = j->intervals_differ && j->rows_fit ? j->rows : 0;
    in->color_space = (int)d->jpeg_color_space;
    for (int c = 0; c < d->num_components; c++) {
        const jpeg_component_info *ci = &d->comp_info[c];
        jpeg_comp_geometry *g = &in->comp[c];
        const JQUANT_TBL *slot = ci->quant_tbl_no >= 0 && ci->quant_tbl_no < NUM_QUANT_TBLS
                                     ? d->quant_tbl_ptrs[ci->quant_tbl_no]
                                     : NULL;
        /* after the header alone, a component not in the first scan has not
         * latched its table yet: its slot's table stands in */
        const JQUANT_TBL *q = header_only && !ci->quant_table ? slot : ci->quant_table;
        if (!q || !slot)
            return SHROUD_ERR_IMAGE; /* a component no scan ever coded */
        if (memcmp(q->quantval, slot->quantval, sizeof q->quantval) != 0)
            return SHROUD_ERR_IMAGE_FORMAT;
        g->h_samp = (uint8_t)ci->h_samp_factor;
        g->v_samp = (uint8_t)ci->v_samp_factor;
        g->width_in_blocks = ci->width_in_blocks;
        g->height_in_blocks = ci->height_in_blocks;
        for (int k = 0; k < 64; k++)
            g->quant[k] = q->quantval[k];
        g->quant_slot = (uint8_t)ci->quant_tbl_no;
        j->array_rows[c] = round_up(ci->height_in_blocks, (uint32_t)ci->v_samp_factor);
    }
    return SHROUD_OK;
}

static int capture_markers(jpeg_coeffs *j)
{
    size_t n = 0;
    for (jpeg_saved_marker_ptr m = j->d.marker_list; m; m = m->next)
        n++;
    if (n == 0)
        return SHROUD_OK;
    j->markers = calloc(n, sizeof *j->markers);
    if (!j->markers)
        return SHROUD_ERR_NOMEM;
    for (jpeg_saved_marker_ptr m = j->d.marker_list; m; m = m->next) {
        jpeg_marker *out = &j->markers[j->n_markers++];
        out->marker = m->marker;
        out->length = m->data_length;
        out->data = m->data;
    }
    return SHROUD_OK;
}

/* The Huffman slots the file has defined so far (libjpeg fills in the
 * standard tables only later, when it starts decoding). */
static void tables_defined(j_decompress_ptr d, unsigned *dc, unsigned *ac)
{
    *dc = *ac = 0;
    for (int s = 0; s < JPEG_HUFF_SLOTS; s++) {
        *dc |= d->dc_huff_tbl_ptrs[s] ? 1u << s : 0;
        *ac |= d->ac_huff_tbl_ptrs[s] ? 1u << s : 0;
    }
}

/* After the header alone: what describing the file needs; runs under j's
 * guard. */
static int read_header_only(jpeg_coeffs *j, size_t len)
{
    int err = check_header(j, len);
    if (err == SHROUD_OK)
        err = capture_info(j, 1);
    if (err)
        return err;
    unsigned present_dc, present_ac;
    tables_defined(&j->d, &present_dc, &present_ac);
    capture_huffman(j, present_dc, present_ac);
    return capture_markers(j);
}

/* Everything after the header; runs under j's guard. */
static int read_body(jpeg_coeffs *j, size_t len)
{
    j_decompress_ptr d = &j->d;
    int err = check_header(j, len);
    if (err)
        return err;
    unsigned present_dc, present_ac;
    tables_defined(d, &present_dc, &present_ac);
    j->progress.progress_monitor = progress_monitor;
    d->progress = &j->progress;
    j->arrays = jpeg_read_coefficients(d);
    if (!j->arrays)
        return SHROUD_ERR_IMAGE; /* suspension: cannot happen with a memory source */
    if (j->guard.warning)
        return SHROUD_ERR_IMAGE;
    if ((err = check_marker_limits(d)) != SHROUD_OK) /* markers between scans too */
        return err;
    if ((err = capture_info(j, 0)) != SHROUD_OK)
        return err;
    capture_huffman(j, present_dc, present_ac);
    return capture_markers(j);
}

static int read_file(const uint8_t *buf, size_t len, int header_only, jpeg_coeffs **out)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    if (!buf)
        return SHROUD_ERR_ARGUMENT;
    if (len > IMAGE_MAX_FILE_BYTES)
        return SHROUD_ERR_IMAGE_LIMIT;
    if (len < 3 || buf[0] != 0xFF || buf[1] != JPEG_MARKER_SOI)
        return SHROUD_ERR_IMAGE_FORMAT;
    jpeg_coeffs *j = calloc(1, sizeof *j);
    if (!j)
        return SHROUD_ERR_NOMEM;
    j->d.err = guard_init(&j->guard, 0);
    int err;
    if (setjmp(j->guard.jmp)) {
        err = j->guard.err;
        goto done;
    }
    jpeg_create_decompress(&j->d);
    j->created = 1;
    jpeg_mem_src(&j->d, buf, (unsigned long)len);
    for (int m = 0; m < 16; m++)
        jpeg_save_markers(&j->d, JPEG_APP0 + m, MARKER_SAVE_LIMIT);
    jpeg_save_markers(&j->d, JPEG_COM, MARKER_SAVE_LIMIT);
    jpeg_read_header(&j->d, TRUE);
    if (j->guard.warning)
        err = SHROUD_ERR_IMAGE;
    else if (header_only)
        err = read_header_only(j, len);
    else
        err = read_body(j, len);
done:
    if (err) {
        jpeg_coeffs_free(j);
        return err;
    }
    /* The source points into buf, which the caller may free now. */
    j->d.src = NULL;
    *out = j;
    return SHROUD_OK;
}

int jpeg_coeffs_read(const uint8_t *buf, size_t len, jpeg_coeffs **out)
{
    return read_file(buf, len, 0, out);
}

int jpeg_coeffs_read_header(const uint8_t *buf, size_t len, jpeg_coeffs **out)
{
    return read_file(buf, len, 1, out);
}

void jpeg_coeffs_free(jpeg_coeffs *j)
{
    if (!j)
        return;
    if (j->created)
        jpeg_destroy_decompress(&j->d);
    free(j->markers);
    jpeg_splice_free(j->splice);
    free(j->head);
    free(j);
}

const jpeg_info *jpeg_coeffs_info(const jpeg_coeffs *j)
{
    return j ? &j->info : NULL;
}

JPEG_BLOCK *jpeg_coeffs_row(jpeg_coeffs *j, int c, uint32_t row)
{
    if (j && j->splice)
        return jpeg_splice_row(j->splice, c, row);
    if (!j || !j->arrays || c < 0 || c >= j->info.components || row >= j->array_rows[c])
        return NULL;
    if (setjmp(j->guard.jmp))
        return NULL; /* libjpeg refused the access (cannot happen: arrays are in memory) */
    JBLOCKARRAY rows =
        (*j->d.mem->access_virt_barray)((j_common_ptr)&j->d, j->arrays[c], row, 1, TRUE);
    return (JPEG_BLOCK *)rows[0];
}

void jpeg_coeffs_markers(const jpeg_coeffs *j, const jpeg_marker **markers, size_t *count)
{
    if (markers)
        *markers = j ? j->markers : NULL;
    if (count)
        *count = j ? j->n_markers : 0;
}

const jpeg_huff_set *jpeg_coeffs_huffman(const jpeg_coeffs *j)
{
    return j ? &j->huff : NULL;
}

static int huff_same(const jpeg_huff_table *a, const jpeg_huff_table *b)
{
    unsigned n = huff_count(a);
    return n <= 256 && memcmp(a->bits + 1, b->bits + 1, 16) == 0 &&
           memcmp(a->values, b->values, n) == 0;
}

int jpeg_huff_set_equal(const jpeg_huff_set *a, const jpeg_huff_set *b)
{
    if (!a || !b || a->dc_present != b->dc_present || a->ac_present != b->ac_present)
        return 0;
    for (int s = 0; s < JPEG_HUFF_SLOTS; s++)
        if (((a->dc_present & 1u << s) && !huff_same(&a->dc[s], &b->dc[s])) ||
            ((a->ac_present & 1u << s) && !huff_same(&a->ac[s], &b->ac[s])))
            return 0;
    return 1;
}

int jpeg_huff_set_is_standard(const jpeg_huff_set *set)
{
    if (!set)
        return 0;
    jpeg_huff_table std_dc[2], std_ac[2];
    if (standard_tables(std_dc, std_ac) != 0)
        return 0;
    for (int s = 0; s < JPEG_HUFF_SLOTS; s++) {
        if ((set->dc_present & 1u << s) && (s >= 2 || !huff_same(&set->dc[s], &std_dc[s])))
            return 0;
        if ((set->ac_present & 1u << s) && (s >= 2 || !huff_same(&set->ac[s], &std_ac[s])))
            return 0;
    }
    return 1;
}

void jpeg_coeffs_input_options(const jpeg_coeffs *j, jpeg_write_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->markers = JPEG_MARKERS_ALL;
    if (!j)
        return;
    o->progressive = j->info.progressive;
    o->arithmetic = j->info.arithmetic;
    o->restart_interval = j->info.restart_interval;
    o->restart_rows = j->info.restart_rows;
    if (j->info.arithmetic) {
        o->huffman = JPEG_HUFF_STANDARD; /* no Huffman tables at all */
    } else if (j->info.progressive) {
        o->huffman = JPEG_HUFF_OPTIMIZE; /* what libjpeg does for progressive anyway */
    } else {
        o->huffman = JPEG_HUFF_GIVEN;
        o->tables = &j->huff;
    }
}

/* ---- writing ------------------------------------------------------------- */

const uint8_t dct_natural_order[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
};

/* State of the walk that checks a one-pass write (coefficients_codable). */
typedef struct {
    /* zz[r][b]: the zigzag positions (as bits) of the coefficients of natural
     * row r whose bits are set in b. */
    uint64_t zz[8][256];
    uint8_t dc[JPEG_MAX_COMPONENTS][16];  /* dc[ci][category]: coded */
    uint8_t ac[JPEG_MAX_COMPONENTS][256]; /* ac[ci][run << 4 | category]: coded */
    /* The same the other way round, with category 16 (|v| = 32768) always
     * uncoded: dc_bad[ci][cat], ac_bad[ci][run * 17 + cat]. */
    uint8_t dc_bad[JPEG_MAX_COMPONENTS][17];
    uint8_t ac_bad[JPEG_MAX_COMPONENTS][16 * 17];
    /* AC tables with every symbol of 8-bit data (the Annex K ones have
     * them): a block whose coefficients all lie in +-AC_LIMIT needs no
     * look-up of its AC symbols. */
    uint8_t ac_full[JPEG_MAX_COMPONENTS];
    int arithmetic; /* only DC differences are limited (ARITH_DC_LIMIT) */
    int last_dc[JPEG_MAX_COMPONENTS];
} code_check;

/* libjpeg's arithmetic decoder refuses a magnitude category above 15 bits
 * (|v| - 1 >= 0x8000); only a DC difference can be that large. */
#define ARITH_DC_LIMIT 32768

#define AC_FULL_CATEGORIES 10 /* 1..10 for each run 0..15 */
#define AC_LIMIT 1023

/* 1 if every coefficient lies in -AC_LIMIT..AC_LIMIT. A minimum and a
 * maximum over the block: compilers turn this into a few vector steps. */
static int block_in_range(const JCOEF *blk)
{
    JCOEF lo = 0, hi = 0;
    for (int i = 0; i < 64; i++) {
        lo = blk[i] < lo ? blk[i] : lo;
        hi = blk[i] > hi ? blk[i] : hi;
    }
    return lo >= -AC_LIMIT && hi <= AC_LIMIT;
}

static int ac_table_full(const uint8_t *ac)
{
    if (!ac[0x00] || !ac[0xF0])
        return 0;
    for (int run = 0; run < 16; run++)
        for (int cat = 1; cat <= AC_FULL_CATEGORIES; cat++)
            if (!ac[run << 4 | cat])
                return 0;
    return 1;
}

/* Marks in has[] the symbols a compressor table slot codes (none if empty). */
static void symbols_of(const JHUFF_TBL *t, uint8_t *has, size_t n_has)
{
    memset(has, 0, n_has);
    if (!t)
        return;
    unsigned count = 0;
    for (int l = 1; l <= 16; l++)
        count += t->bits[l];
    for (unsigned i = 0; i < count && i < 256; i++)
        if (t->huffval[i] < n_has)
            has[t->huffval[i]] = 1;
}

/* Bit i set when natural-order coefficient i is non-zero. Four coefficients
 * at a time: a lane's top bit is set when the lane is non-zero, and one
 * multiplication gathers the four top bits (15, 31, 47, 63) into bits
 * 60..63 without carries. */
static uint64_t nonzero_mask(const JCOEF *blk)
{
    const uint64_t low15 = 0x7FFF7FFF7FFF7FFFu, top = 0x8000800080008000u;
    const uint64_t gather = (1ull << 45) | (1ull << 30) | (1ull << 15) | 1u;
    uint64_t mask = 0;
    for (int i = 0; i < 64; i += 4) {
        uint64_t v = (uint64_t)(uint16_t)blk[i] | (uint64_t)(uint16_t)blk[i + 1] << 16 |
                     (uint64_t)(uint16_t)blk[i + 2] << 32 | (uint64_t)(uint16_t)blk[i + 3] << 48;
        uint64_t t = (((v & low15) + low15) | v) & top;
        mask |= (t * gather) >> 60 << i;
    }
    return mask;
}

/* 1 if every symbol of component ci's block has a code; updates the DC
 * prediction. Visits only the non-zero coefficients, in zigzag order. */
static int block_codable(code_check *k, int ci, const JCOEF *blk)
{
    int diff = blk[0] - k->last_dc[ci];
    k->last_dc[ci] = blk[0];
    if (k->arithmetic)
        return diff >= -ARITH_DC_LIMIT && diff <= ARITH_DC_LIMIT;
    unsigned missing = k->dc_bad[ci][jpeg_category(diff)];
    if (k->ac_full[ci] && block_in_range(blk))
        return !missing;
    uint64_t nat = nonzero_mask(blk);
    uint64_t zz = 0;
    for (int r = 0; r < 8; r++)
        zz |= k->zz[r][(nat >> (8 * r)) & 0xFF];
    zz &= ~(uint64_t)1; /* the DC coefficient */
    const uint8_t *bad = k->ac_bad[ci];
    unsigned zrl_bad = bad[15 * 17], eob_bad = bad[0];
    int prev = 0;
    while (zz) {
        int pos = __builtin_ctzll(zz);
        zz &= zz - 1;
        unsigned run = (unsigned)(pos - prev - 1);
        missing |= (run > 15) & zrl_bad; /* ZRL (run 15, category 0) */
        missing |= bad[(run & 15) * 17 + jpeg_category(blk[dct_natural_order[pos]])];
        prev = pos;
    }
    missing |= (prev != 63) & eob_bad; /* EOB (run 0, category 0) */
    return !missing;
}

static void code_check_init(code_check *k, j_compress_ptr c)
{
    memset(k, 0, sizeof *k);
    k->arithmetic = c->arith_code ? 1 : 0;
    uint8_t pos_of[64]; /* zigzag position of each natural index */
    for (int pos = 0; pos < 64; pos++)
        pos_of[dct_natural_order[pos]] = (uint8_t)pos;
    for (int r = 0; r < 8; r++)
        for (int b = 1; b < 256; b++) /* b's lowest bit, plus b without it */
            k->zz[r][b] = k->zz[r][b & (b - 1)] | (uint64_t)1
                                                      << pos_of[8 * r + __builtin_ctz((unsigned)b)];
    for (int ci = 0; ci < c->num_components && ci < JPEG_MAX_COMPONENTS; ci++) {
        const jpeg_component_info *comp = &c->comp_info[ci];
        symbols_of(c->dc_huff_tbl_ptrs[comp->dc_tbl_no], k->dc[ci], sizeof k->dc[ci]);
        symbols_of(c->ac_huff_tbl_ptrs[comp->ac_tbl_no], k->ac[ci], sizeof k->ac[ci]);
        k->ac_full[ci] = (uint8_t)ac_table_full(k->ac[ci]);
        for (int cat = 0; cat <= 16; cat++)
            k->dc_bad[ci][cat] = cat == 16 || !k->dc[ci][cat];
        for (int run = 0; run < 16; run++)
            for (int cat = 0; cat <= 16; cat++)
                k->ac_bad[ci][run * 17 + cat] = cat == 16 || !k->ac[ci][run << 4 | cat];
    }
}

/* The dummy block libjpeg codes right of and below the image: DC repeats
 * the last one (difference 0), AC all zero (EOB). */
static int dummy_codable(const code_check *k, int ci)
{
    return k->arithmetic || (k->dc[ci][0] && k->ac[ci][0x00]);
}

/* Walks the coefficients in the order libjpeg's sequential encoder codes
 * them (one scan: interleaved MCUs, or one component's blocks in raster
 * order; predictions reset at each restart) and checks every Huffman symbol
 * against the tables in c's slots, or for arithmetic coding the size of the
 * DC differences. 1 if all can be coded, 0 if not, -1 out of memory. */
static int coefficients_codable(jpeg_coeffs *j, j_compress_ptr c)
{
    const jpeg_info *in = &j->info;
    int n = in->components;
    code_check *k = malloc(sizeof *k);
    if (!k)
        return -1;
    code_check_init(k, c);
    uint32_t interval = c->restart_interval, mcu = 0;
    int ok = 1;
    if (n == 1) {
        const jpeg_comp_geometry *g = &in->comp[0];
        for (uint32_t r = 0; ok && r < g->height_in_blocks; r++) {
            JPEG_BLOCK *row = jpeg_coeffs_row(j, 0, r);
            for (uint32_t b = 0; ok && b < g->width_in_blocks; b++, mcu++) {
                if (interval && mcu && mcu % interval == 0)
                    k->last_dc[0] = 0;
                ok = block_codable(k, 0, row[b]);
            }
        }
        free(k);
        return ok;
    }
    uint32_t mcu_w = 8u * in->max_h_samp, mcu_h = 8u * in->max_v_samp;
    uint32_t mcus_per_row = (in->width + mcu_w - 1) / mcu_w;
    uint32_t mcu_rows = (in->height + mcu_h - 1) / mcu_h;
    for (uint32_t mr = 0; ok && mr < mcu_rows; mr++) {
        JPEG_BLOCK *rows[JPEG_MAX_COMPONENTS][4];
        for (int ci = 0; ci < n; ci++)
            for (uint32_t v = 0; v < in->comp[ci].v_samp; v++)
                rows[ci][v] = jpeg_coeffs_row(j, ci, mr * in->comp[ci].v_samp + v);
        for (uint32_t mc = 0; ok && mc < mcus_per_row; mc++, mcu++) {
            if (interval && mcu && mcu % interval == 0)
                memset(k->last_dc, 0, sizeof k->last_dc);
            for (int ci = 0; ok && ci < n; ci++) {
                const jpeg_comp_geometry *g = &in->comp[ci];
                for (uint32_t v = 0; ok && v < g->v_samp; v++) {
                    uint32_t br = mr * g->v_samp + v;
                    for (uint32_t h = 0; ok && h < g->h_samp; h++) {
                        uint32_t bc = mc * g->h_samp + h;
                        if (br < g->height_in_blocks && bc < g->width_in_blocks)
                            ok = block_codable(k, ci, rows[ci][v][bc]);
                        else
                            ok = dummy_codable(k, ci);
                    }
                }
            }
        }
    }
    free(k);
    return ok;
}

/* A libjpeg destination appending to a bytebuf through a staging buffer. */
typedef struct {
    struct jpeg_destination_mgr pub;
    bytebuf *out;
    JOCTET *buffer;
} bytebuf_dest;

static void dest_init(j_compress_ptr c)
{
    bytebuf_dest *d = (bytebuf_dest *)c->dest;
    d->buffer = (*c->mem->alloc_large)((j_common_ptr)c, JPOOL_IMAGE, OUTPUT_CHUNK);
    d->pub.next_output_byte = d->buffer;
    d->pub.free_in_buffer = OUTPUT_CHUNK;
}

static boolean dest_empty(j_compress_ptr c)
{
    bytebuf_dest *d = (bytebuf_dest *)c->dest;
    if (bytebuf_write(d->out, d->buffer, OUTPUT_CHUNK) != 0)
        guard_fail((j_common_ptr)c, SHROUD_ERR_NOMEM);
    d->pub.next_output_byte = d->buffer;
    d->pub.free_in_buffer = OUTPUT_CHUNK;
    return TRUE;
}

static void dest_term(j_compress_ptr c)
{
    bytebuf_dest *d = (bytebuf_dest *)c->dest;
    if (bytebuf_write(d->out, d->buffer, OUTPUT_CHUNK - d->pub.free_in_buffer) != 0)
        guard_fail((j_common_ptr)c, SHROUD_ERR_NOMEM);
}

static int keep_marker(const jpeg_marker *m, int policy)
{
    if (policy == JPEG_MARKERS_ALL)
        return !is_shroud_block(m->marker, m->data, m->length);
    if (policy == JPEG_MARKERS_NO_PREVIEWS)
        return !is_shroud_block(m->marker, m->data, m->length) &&
               !jpeg_segment_is_preview(m->marker, m->data, m->length);
    if (m->marker == JPEG_MARKER_APP0)
        return m->length >= 5 && memcmp(m->data, "JFIF\0", 5) == 0;
    if (m->marker == JPEG_MARKER_APP0 + 14)
        return m->length >= 5 && memcmp(m->data, "Adobe", 5) == 0;
    return 0;
}

/* Puts the given tables in the compressor's slots and, where the set has
 * them, gives each component the slots the file used. */
static void install_tables(jpeg_coeffs *j, j_compress_ptr c, const jpeg_huff_set *set)
{
    for (int s = 0; s < JPEG_HUFF_SLOTS; s++) {
        for (int dc = 0; dc < 2; dc++) {
            unsigned present = dc ? set->dc_present : set->ac_present;
            if (!(present & 1u << s))
                continue;
            const jpeg_huff_table *t = dc ? &set->dc[s] : &set->ac[s];
            JHUFF_TBL **slot = dc ? &c->dc_huff_tbl_ptrs[s] : &c->ac_huff_tbl_ptrs[s];
            if (!*slot)
                *slot = jpeg_alloc_huff_table((j_common_ptr)c);
            memset((*slot)->bits, 0, sizeof(*slot)->bits);
            memcpy((*slot)->bits + 1, t->bits + 1, 16);
            memcpy((*slot)->huffval, t->values, sizeof(*slot)->huffval);
            (*slot)->sent_table = FALSE;
        }
    }
    for (int ci = 0; ci < c->num_components && ci < j->d.num_components; ci++) {
        int dc = j->d.comp_info[ci].dc_tbl_no, ac = j->d.comp_info[ci].ac_tbl_no;
        if (dc >= 0 && dc < JPEG_HUFF_SLOTS && (set->dc_present & 1u << dc))
            c->comp_info[ci].dc_tbl_no = dc;
        if (ac >= 0 && ac < JPEG_HUFF_SLOTS && (set->ac_present & 1u << ac))
            c->comp_info[ci].ac_tbl_no = ac;
    }
}

typedef struct {
    struct jpeg_compress_struct c;
    jpeg_guard guard;
    bytebuf_dest dest;
    int created;
} jpeg_writer;

/* The whole write; runs under w's guard. */
static int write_body(jpeg_coeffs *j, const jpeg_write_options *o, jpeg_writer *w)
{
    j_compress_ptr c = &w->c;
    c->dest = &w->dest.pub;
    w->dest.pub.init_destination = dest_init;
    w->dest.pub.empty_output_buffer = dest_empty;
    w->dest.pub.term_destination = dest_term;
    jpeg_copy_critical_parameters(&j->d, c);
    c->write_JFIF_header = FALSE; /* the saved APP0 / APP14 are copied raw instead */
    c->write_Adobe_marker = FALSE;
    c->arith_code = o->arithmetic ? TRUE : FALSE;
    c->restart_interval = o->restart_rows ? 0 : o->restart_interval;
    c->restart_in_rows = (int)o->restart_rows; /* libjpeg sets each scan's interval from it */
    if (o->progressive)
        jpeg_simple_progression(c);
    /* Huffman modes mean nothing to arithmetic coding (libjpeg refuses
     * optimize_coding with it, and its slot numbers pick conditioning). */
    c->optimize_coding = o->huffman == JPEG_HUFF_OPTIMIZE && !o->arithmetic ? TRUE : FALSE;
    if (o->huffman == JPEG_HUFF_GIVEN && !o->arithmetic)
        install_tables(j, c, o->tables);
    /* Sequential output with fixed Huffman tables, or arithmetic coding, is
     * written as is, without libjpeg checking that it can be decoded. */
    if (!o->progressive && (o->arithmetic || o->huffman != JPEG_HUFF_OPTIMIZE)) {
        int ok = coefficients_codable(j, c);
        if (ok <= 0)
            return ok < 0 ? SHROUD_ERR_NOMEM : SHROUD_ERR_IMAGE_FORMAT;
    }
    jpeg_write_coefficients(c, j->arrays);
    for (size_t i = 0; i < j->n_markers; i++) {
        const jpeg_marker *m = &j->markers[i];
        if (keep_marker(m, o->markers))
            jpeg_write_marker(c, m->marker, m->data, m->length);
    }
    jpeg_finish_compress(c);
    return w->guard.warning ? SHROUD_ERR_IMAGE : SHROUD_OK;
}

int jpeg_coeffs_write(jpeg_coeffs *j, const jpeg_write_options *o, bytebuf *out)
{
    if (!j || j->splice || !o || !out || o->huffman > JPEG_HUFF_GIVEN ||
        o->markers > JPEG_MARKERS_NO_PREVIEWS || (o->huffman == JPEG_HUFF_GIVEN && !o->tables) ||
        o->restart_interval > MAX_RESTART_INTERVAL || o->restart_rows > MAX_RESTART_INTERVAL)
        return SHROUD_ERR_ARGUMENT;
    size_t start = out->len;
    jpeg_writer *w = calloc(1, sizeof *w);
    if (!w)
        return SHROUD_ERR_NOMEM;
    w->c.err = guard_init(&w->guard, 1);
    w->dest.out = out;
    int err;
    if (setjmp(w->guard.jmp)) {
        err = w->guard.err;
        goto done;
    }
    jpeg_create_compress(&w->c);
    w->created = 1;
    err = write_body(j, o, w);
done:
    if (w->created)
        jpeg_destroy_compress(&w->c);
    free(w);
    if (err && out->len > start) {
        out->len = start;
        out->data[start] = 0;
    }
    return err;
}

/* ---- splicing ------------------------------------------------------------ */

/* Fills the splice's view of the scan; JPEG_SPLICE_UNSUITABLE unless the
 * file is one sequential Huffman scan of every component in frame order. */
static int splice_scan_of(jpeg_coeffs *j, jpeg_splice_scan *sc)
{
    j_decompress_ptr d = &j->d;
    const jpeg_info *in = &j->info;
    if (d->progressive_mode || d->arith_code || d->data_precision != 8 ||
        d->comps_in_scan != d->num_components || d->Ss != 0 || d->Se != 63 || d->Ah || d->Al)
        return JPEG_SPLICE_UNSUITABLE;
    memset(sc, 0, sizeof *sc);
    sc->n_comps = in->components;
    sc->restart_interval = d->restart_interval;
    /* whole MCUs over the image (a lone component's: its blocks) */
    sc->mcus_per_row = (in->width + jpeg_mcu_width(in) - 1) / jpeg_mcu_width(in);
    sc->mcu_rows = (in->height + jpeg_mcu_height(in) - 1) / jpeg_mcu_height(in);
    for (int c = 0; c < in->components; c++) {
        const jpeg_component_info *ci = &d->comp_info[c];
        int dc = ci->dc_tbl_no, ac = ci->ac_tbl_no;
        if (d->cur_comp_info[c] != ci || dc < 0 || dc >= JPEG_HUFF_SLOTS || ac < 0 ||
            ac >= JPEG_HUFF_SLOTS || !(j->huff.dc_present & 1u << dc) ||
            !(j->huff.ac_present & 1u << ac))
            return JPEG_SPLICE_UNSUITABLE;
        sc->comp[c].width_in_blocks = in->comp[c].width_in_blocks;
        sc->comp[c].height_in_blocks = in->comp[c].height_in_blocks;
        sc->comp[c].h = (uint8_t)jpeg_mcu_blocks_across(in, c);
        sc->comp[c].v = (uint8_t)jpeg_mcu_blocks_down(in, c);
        sc->comp[c].dc = &j->huff.dc[dc];
        sc->comp[c].ac = &j->huff.ac[ac];
    }
    return SHROUD_OK;
}

/* Where the entropy-coded data starts; JPEG_SPLICE_UNSUITABLE when a segment
 * before it is one the splice does not copy as is (only APPn, COM, DQT, DHT,
 * DRI, SOF0 and SOF1 are). */
static int splice_data_start(const uint8_t *buf, size_t len, size_t *start)
{
    jpeg_segment_reader r;
    jpeg_segment seg;
    int more;
    if (jpeg_segments_begin(&r, buf, len) != SHROUD_OK)
        return JPEG_SPLICE_UNSUITABLE;
    while ((more = jpeg_segments_next(&r, &seg)) == 1) {
        uint8_t m = seg.marker;
        if (m == JPEG_MARKER_SOS) {
            *start = seg.offset + seg.size;
            return SHROUD_OK;
        }
        int copied = (m >= JPEG_MARKER_APP0 && m <= JPEG_MARKER_APP0 + 15) || m == JPEG_COM ||
                     m == JPEG_MARKER_DQT || m == JPEG_MARKER_DHT || m == JPEG_MARKER_DRI ||
                     m == JPEG_MARKER_SOF0 || m == JPEG_MARKER_SOF1;
        if (!copied)
            return JPEG_SPLICE_UNSUITABLE;
    }
    return JPEG_SPLICE_UNSUITABLE;
}

static int read_splice(jpeg_coeffs *j, const uint8_t *buf, size_t len, const shroud_region *regions,
                       size_t n)
{
    jpeg_splice_scan sc;
    size_t start = 0;
    int err = splice_scan_of(j, &sc);
    if (err == SHROUD_OK)
        err = splice_data_start(buf, len, &start);
    if (err)
        return err;
    jpeg_mcu_rect *rects = calloc(n ? n : 1, sizeof *rects);
    if (!rects)
        return SHROUD_ERR_NOMEM;
    uint32_t mw = jpeg_mcu_width(&j->info), mh = jpeg_mcu_height(&j->info);
    for (size_t i = 0; i < n; i++) {
        rects[i].x0 = regions[i].x / mw;
        rects[i].y0 = regions[i].y / mh;
        rects[i].x1 = (uint32_t)(((uint64_t)regions[i].x + regions[i].w + mw - 1) / mw);
        rects[i].y1 = (uint32_t)(((uint64_t)regions[i].y + regions[i].h + mh - 1) / mh);
    }
    err = jpeg_splice_read(buf + start, len - start, &sc, rects, n, &j->splice);
    free(rects);
    if (err)
        return err;
    j->head = malloc(start);
    if (!j->head)
        return SHROUD_ERR_NOMEM;
    memcpy(j->head, buf, start);
    j->head_len = start;
    return SHROUD_OK;
}

int jpeg_coeffs_read_regions(const uint8_t *buf, size_t len, const shroud_region *regions, size_t n,
                             jpeg_coeffs **out)
{
    if (!out)
        return SHROUD_ERR_ARGUMENT;
    *out = NULL;
    if (n && !regions)
        return SHROUD_ERR_ARGUMENT;
    jpeg_coeffs *j = NULL;
    int err = read_file(buf, len, 1, &j);
    if (err)
        return err;
    err = read_splice(j, buf, len, regions, n);
    if (err == SHROUD_OK) {
        *out = j;
        return SHROUD_OK;
    }
    jpeg_coeffs_free(j);
    return err == JPEG_SPLICE_UNSUITABLE ? jpeg_coeffs_read(buf, len, out) : err;
}

int jpeg_coeffs_is_spliced(const jpeg_coeffs *j)
{
    return j && j->splice;
}

int jpeg_coeffs_write_spliced(jpeg_coeffs *j, int marker_policy, bytebuf *out)
{
    if (!j || !j->splice || !out || marker_policy > JPEG_MARKERS_NO_PREVIEWS)
        return SHROUD_ERR_ARGUMENT;
    size_t start = out->len;
    jpeg_segment_reader r;
    jpeg_segment seg;
    int more, err = jpeg_segments_begin(&r, j->head, j->head_len);
    if (err == SHROUD_OK)
        err = bytebuf_write(out, j->head, 2) ? SHROUD_ERR_NOMEM : SHROUD_OK; /* SOI */
    while (err == SHROUD_OK && (more = jpeg_segments_next(&r, &seg)) == 1) {
        jpeg_marker m = {seg.marker, seg.length, seg.data};
        int metadata = (seg.marker >= JPEG_MARKER_APP0 && seg.marker <= JPEG_MARKER_APP0 + 15) ||
                       seg.marker == JPEG_COM;
        if ((!metadata || keep_marker(&m, marker_policy)) &&
            bytebuf_write(out, j->head + seg.offset, seg.size) != 0)
            err = SHROUD_ERR_NOMEM;
    }
    if (err == SHROUD_OK && more < 0)
        err = more; /* cannot happen: the head was walked when it was read */
    if (err == SHROUD_OK)
        err = jpeg_splice_write(j->splice, out);
    if (err && out->len > start)
        out->len = start;
    return err;
}

int jpeg_coeffs_unsplice(jpeg_coeffs **jp, const uint8_t *buf, size_t len)
{
    if (!jp || !*jp || !(*jp)->splice)
        return SHROUD_ERR_ARGUMENT;
    jpeg_coeffs *sparse = *jp, *full = NULL;
    int err = jpeg_coeffs_read(buf, len, &full);
    if (err)
        return err;
    for (int c = 0; c < full->info.components; c++) {
        const jpeg_comp_geometry *g = &full->info.comp[c];
        for (uint32_t row = 0; row < g->height_in_blocks; row++) {
            JPEG_BLOCK *kept = jpeg_splice_row(sparse->splice, c, row);
            if (!kept)
                continue;
            JPEG_BLOCK *dst = jpeg_coeffs_row(full, c, row);
            if (!dst) {
                jpeg_coeffs_free(full);
                return SHROUD_ERR_IMAGE;
            }
            for (uint32_t col = 0; col < g->width_in_blocks; col++)
                if (jpeg_splice_block_kept(sparse->splice, c, row, col))
                    memcpy(dst[col], kept[col], sizeof(JPEG_BLOCK));
        }
    }
    jpeg_coeffs_free(sparse);
    *jp = full;
    return SHROUD_OK;
}
