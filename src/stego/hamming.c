/* hamming.c — LSB matching with Hamming matrix embedding. */
#include "stego/hamming.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/primitives.h"
#include "shroud.h"
#include "stego/cover.h"
#include "stego/stego_format.h"

static unsigned get_bit(const uint8_t *bytes, size_t k)
{
    return (bytes[k >> 3] >> (7 - (k & 7))) & 1u;
}

static void set_bit(uint8_t *bytes, size_t k, unsigned bit)
{
    bytes[k >> 3] |= (uint8_t)(bit << (7 - (k & 7)));
}

/* A writer whose directions come from keystream(key). */
static int writer_init_keyed(stego_writer *w, const png_raster *img, png_raster *target,
                             png_sample_step *steps, size_t max_steps, stego_cursor *cur,
                             const uint8_t key[KEYSTREAM_KEY_BYTES])
{
    memset(w, 0, sizeof *w);
    w->img = img;
    w->target = target;
    w->steps = steps;
    w->max_steps = max_steps;
    w->cur = cur;
    return keystream_init(&w->directions, key);
}

int stego_writer_init(stego_writer *w, const png_raster *img, png_raster *target,
                      png_sample_step *steps, size_t max_steps, stego_cursor *cur)
{
    uint8_t key[KEYSTREAM_KEY_BYTES];
    int err = prim_random(key, sizeof key);
    if (!err)
        err = writer_init_keyed(w, img, target, steps, max_steps, cur, key);
    prim_wipe(key, sizeof key);
    return err;
}

static void stop_helper(stego_writer *w);

void stego_writer_free(stego_writer *w)
{
    stop_helper(w);
    keystream_free(&w->directions);
}

/* Flips sample s's LSB by +-1, keeping it inside 1 .. max-1. */
static int flip(stego_writer *w, uint32_t s)
{
    uint32_t v = stego_sample(w->img, s), max = stego_sample_max(w->img);
    if (w->dir_left == 0) {
        int err = keystream_bytes(&w->directions, &w->dir_bits, 1);
        if (err)
            return err;
        w->dir_left = 8;
    }
    unsigned up = w->dir_bits & 1u;
    w->dir_bits >>= 1;
    w->dir_left--;
    if (v <= 1)
        up = 1;
    else if (v >= max - 1)
        up = 0;
    if (w->target) {
        stego_set_sample(w->target, s, up ? v + 1 : v - 1);
    } else {
        if (w->changed == w->max_steps)
            return SHROUD_ERR_STATE; /* the caller's bound is wrong */
        w->steps[w->changed] = s | (up ? PNG_STEP_UP : 0);
    }
    w->changed++;
    return SHROUD_OK;
}

int stego_write_plain(stego_writer *w, const uint8_t *bytes, size_t nbits)
{
    for (size_t k = 0; k < nbits; k++) {
        uint32_t at;
        int err = stego_cursor_next(w->cur, &at, 1);
        if (!err && (stego_sample(w->img, at) & 1u) != get_bit(bytes, k))
            err = flip(w, at);
        if (err)
            return err;
    }
    return SHROUD_OK;
}

/* code_bits bits of bytes from bit `at` on, most significant first. */
static uint32_t get_bits(const uint8_t *bytes, size_t at, unsigned code_bits)
{
    uint32_t v = 0;
    while (code_bits) {
        unsigned in_byte = 8 - (unsigned)(at & 7), take = in_byte < code_bits ? in_byte : code_bits;
        v = v << take | ((uint32_t)bytes[at >> 3] >> (in_byte - take) & ((1u << take) - 1));
        at += take;
        code_bits -= take;
    }
    return v;
}

/* The low code_bits bits of v into bytes from bit `at` on (those bits zero
 * before), most significant first. */
static void put_bits(uint8_t *bytes, size_t at, unsigned code_bits, uint32_t v)
{
    while (code_bits) {
        unsigned in_byte = 8 - (unsigned)(at & 7), take = in_byte < code_bits ? in_byte : code_bits;
        code_bits -= take;
        bytes[at >> 3] |= (uint8_t)((v >> code_bits & ((1u << take) - 1)) << (in_byte - take));
        at += take;
    }
}

typedef struct {
    stego_writer *w;
    const uint8_t *bytes;
    size_t bit0; /* where the run's first group takes its bits */
    unsigned code_bits;
    size_t done;  /* groups written */
    size_t entry; /* run->cell entry of the last change */
} coded_writer;

/* The run hook of the writer: at most one change per group, in a cell the
 * run has just read. */
static int write_groups(void *ctx, const stego_run *run, size_t groups)
{
    coded_writer *c = ctx;
    size_t n = stego_code_group(c->code_bits);
    for (; c->done < groups; c->done++) {
        size_t g = c->done;
        uint32_t d = stego_run_value(run, g * n, n) ^
                     get_bits(c->bytes, c->bit0 + g * c->code_bits, c->code_bits);
        if (!d)
            continue;
        size_t i = g * n + d - 1;
        c->entry = stego_run_entry(run, i, c->entry);
        int err = flip(c->w, stego_run_sample_at(run, c->entry, i));
        if (err)
            return err;
    }
    return SHROUD_OK;
}

/* Writes `groups` groups through w's cursor, from bit bit0 of bytes. */
static int write_run(stego_writer *w, unsigned code_bits, const uint8_t *bytes, size_t bit0,
                     size_t groups)
{
    size_t n = stego_code_group(code_bits);
    coded_writer c = {w, bytes, bit0, code_bits, 0, 0};
    stego_run_hook hook = {n, write_groups, &c};
    stego_run run;
    int err = stego_cursor_run(w->cur, groups * n, &hook, &run);
    stego_run_free(&run);
    return err;
}

/* The first part of a split coded write, on its own thread. */
typedef struct {
    stego_writer w;
    uint8_t key[KEYSTREAM_KEY_BYTES]; /* its directions' key */
    const png_raster *img;
    stego_cursor cur;
    png_sample_step *steps;
    size_t room;
    unsigned code_bits;
    const uint8_t *bytes;
    size_t groups;
    int err;
} coded_part;

static void *write_part(void *arg)
{
    coded_part *p = arg;
    p->err = writer_init_keyed(&p->w, p->img, NULL, p->steps, p->room, &p->cur, p->key);
    prim_wipe(p->key, sizeof p->key);
    if (!p->err)
        p->err = write_run(&p->w, p->code_bits, p->bytes, 0, p->groups);
    return NULL;
}

static long online_cpus;
static void count_cpus(void)
{
    online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
}

/* A second thread for a split coded write: started early, it waits for
 * its part (spinning: the wait is short, the work before the write). */
struct stego_helper {
    pthread_t thread;
    atomic_int state; /* 0: waiting; 1: write `part`; -1: quit */
    coded_part part;
    int done; /* joined */
};

static void *helper_main(void *arg)
{
    stego_helper *h = arg;
    int state;
    for (unsigned spins = 0; !(state = atomic_load_explicit(&h->state, memory_order_acquire));
         spins++)
        stego_pause(spins);
    if (state > 0)
        write_part(&h->part);
    return NULL;
}

int stego_writer_start_helper(stego_writer *w, const stego_cells *cells, size_t samples)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (w->helper || w->target || !cells->counts || samples < STEGO_SPLIT_MIN_SAMPLES)
        return SHROUD_OK;
    pthread_once(&once, count_cpus);
    if (online_cpus < 2)
        return SHROUD_OK;
    stego_helper *h = calloc(1, sizeof *h);
    if (!h)
        return SHROUD_ERR_NOMEM;
    atomic_init(&h->state, 0);
    if (pthread_create(&h->thread, NULL, helper_main, h) != 0) {
        free(h);
        return SHROUD_OK; /* no thread to be had: one thread */
    }
    w->helper = h;
    return SHROUD_OK;
}

static void stop_helper(stego_writer *w)
{
    stego_helper *h = w->helper;
    if (!h)
        return;
    if (!h->done) {
        atomic_store_explicit(&h->state, -1, memory_order_release);
        pthread_join(h->thread, NULL);
    }
    prim_wipe(h, sizeof *h); /* its cursor and key */
    free(h);
    w->helper = NULL;
}

/* The first `head` groups on the helper thread, the others on this one, each with
 * its own cursor, direction keystream and part of w->steps (the first part
 * changes at most one sample per group); then the second's steps follow
 * the first's. The helper walks the first part's cells as this thread
 * draws them (stego_cursor_split), then this one draws and walks the rest.
 * The first part has 3/5 of the groups: the second part draws its cells
 * too (on the 1080p embedding 3/5 ended the two parts together). */
static int write_split(stego_writer *w, unsigned code_bits, const uint8_t *bytes, size_t groups,
                       size_t head)
{
    size_t n = stego_code_group(code_bits), base = w->changed;
    if (w->max_steps - base < head)
        return SHROUD_ERR_STATE; /* the caller's bound is wrong */
    stego_helper *h = w->helper;
    coded_part *first = &h->part;
    *first = (coded_part){.img = w->img,
                          .steps = w->steps + base,
                          .room = head,
                          .code_bits = code_bits,
                          .bytes = bytes,
                          .groups = head};
    /* its directions from w's: OpenSSL's random source on a new thread
     * sets up that thread's generators */
    int err = keystream_bytes(&w->directions, first->key, sizeof first->key);
    stego_queue q;
    if (!err)
        err = stego_cursor_lend(w->cur, head * n, &q, &first->cur);
    if (err)
        return err; /* the helper is stopped with the writer */
    atomic_store_explicit(&h->state, 1, memory_order_release);
    err = stego_cursor_split(w->cur, head * n, &q);
    w->changed = base + head; /* the second part's steps after the first's room */
    if (!err)
        err = write_run(w, code_bits, bytes, head * code_bits, groups - head);
    pthread_join(h->thread, NULL);
    h->done = 1;
    if (!err)
        err = first->err;
    size_t made = first->w.changed, after = w->changed - (base + head);
    memmove(w->steps + base + made, w->steps + base + head, after * sizeof *w->steps);
    w->changed = base + made + after;
    /* what the moved steps left behind (where the message is) */
    prim_wipe(w->steps + w->changed, (head - made) * sizeof *w->steps);
    stego_writer_free(&first->w);
    return err;
}

int stego_write_coded(stego_writer *w, unsigned code_bits, const uint8_t *bytes, size_t nbits)
{
    size_t n = stego_code_group(code_bits), groups = nbits / code_bits;
    size_t head = groups / 5 * 3; /* a split's first part: more than a cell, not all */
    if (w->helper && !w->helper->done && groups * n >= STEGO_SPLIT_MIN_SAMPLES &&
        head * n > STEGO_CELL_SAMPLES && head < groups)
        return write_split(w, code_bits, bytes, groups, head);
    return write_run(w, code_bits, bytes, 0, groups);
}

int stego_read_plain(stego_cursor *cur, uint8_t *bytes, size_t nbits)
{
    memset(bytes, 0, (nbits + 7) / 8);
    for (size_t k = 0; k < nbits; k++) {
        uint32_t at;
        int err = stego_cursor_next(cur, &at, 1);
        if (err)
            return err;
        set_bit(bytes, k, stego_sample(cur->img, at) & 1u);
    }
    return SHROUD_OK;
}

typedef struct {
    uint8_t *bytes;
    size_t at;
    unsigned code_bits;
    size_t done; /* groups read */
} coded_reader;

static int read_groups(void *ctx, const stego_run *run, size_t groups)
{
    coded_reader *c = ctx;
    size_t n = stego_code_group(c->code_bits);
    for (; c->done < groups; c->done++)
        put_bits(c->bytes, c->at + c->done * c->code_bits, c->code_bits,
                 stego_run_value(run, c->done * n, n));
    return SHROUD_OK;
}

int stego_read_coded(stego_cursor *cur, unsigned code_bits, uint8_t *bytes, size_t at_bit,
                     size_t nbits)
{
    size_t n = stego_code_group(code_bits), groups = nbits / code_bits;
    coded_reader c = {bytes, at_bit, code_bits, 0};
    stego_run_hook hook = {n, read_groups, &c};
    stego_run run;
    int err = stego_cursor_run(cur, groups * n, &hook, &run);
    stego_run_free(&run);
    return err;
}
