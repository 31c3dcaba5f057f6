/* hamming.c — LSB matching with Hamming matrix embedding. */
#include "stego/hamming.h"

#include <pthread.h>
#include <sched.h>
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

int stego_writer_init(stego_writer *w, const png_raster *img, png_raster *target,
                      png_sample_step *steps, size_t max_steps, stego_cursor *cur)
{
    memset(w, 0, sizeof *w);
    w->img = img;
    w->target = target;
    w->steps = steps;
    w->max_steps = max_steps;
    w->cur = cur;
    uint8_t key[KEYSTREAM_KEY_BYTES];
    int err = prim_random(key, sizeof key);
    if (!err)
        err = keystream_init(&w->directions, key);
    prim_wipe(key, sizeof key);
    return err;
}

void stego_writer_free(stego_writer *w)
{
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

/* The second part of a split coded write, on its own thread. The thread
 * is started before the split is made (waking a processor takes about as
 * long as the split, 0.1 to 0.2 ms here) and waits for `go`: 1 to write,
 * -1 to give up. */
typedef struct {
    stego_writer w;
    const png_raster *img;
    stego_cursor *cur;
    png_sample_step *steps;
    size_t room;
    unsigned code_bits;
    const uint8_t *bytes;
    size_t bit0, groups;
    int err;
    atomic_int go;
} coded_part;

static void pause_briefly(unsigned spins)
{
    if (spins % 64 == 63)
        sched_yield(); /* in case the two threads share one processor */
#if defined(__x86_64__) || defined(__i386__)
    else
        __builtin_ia32_pause();
#endif
}

static void *write_part(void *arg)
{
    coded_part *p = arg;
    int go;
    for (unsigned spins = 0; !(go = atomic_load_explicit(&p->go, memory_order_acquire)); spins++)
        pause_briefly(spins);
    if (go < 0)
        return NULL;
    p->err = stego_writer_init(&p->w, p->img, NULL, p->steps, p->room, p->cur);
    if (!p->err)
        p->err = write_run(&p->w, p->code_bits, p->bytes, p->bit0, p->groups);
    return NULL;
}

static long online_cpus;
static void count_cpus(void)
{
    online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
}

/* Whether a write of `groups` groups of n samples is worth splitting here:
 * it changes no samples in place (the second part reads cells the first
 * may change), and the cover has its cells counted. */
static int worth_splitting(const stego_writer *w, size_t groups, size_t n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (w->target || !w->cur->cells->counts || groups < 2 || groups * n < STEGO_SPLIT_MIN_SAMPLES)
        return 0;
    pthread_once(&once, count_cpus);
    return online_cpus >= 2;
}

/* The first groups on this thread, the others on another, each with its
 * own cursor (stego_cursor_split), direction keystream and part of
 * w->steps (the first part changes at most one sample per group); then the
 * second's steps follow the first's and its cursor, at the run's end,
 * becomes w's. The first part has 3/5 of the groups: its cells are drawn
 * before the second starts, the second draws its own (on the 1080p
 * embedding 3/5 ended the two parts together, 1/2 left the first waiting
 * about 0.15 ms). */
static int write_split(stego_writer *w, unsigned code_bits, const uint8_t *bytes, size_t groups)
{
    size_t n = stego_code_group(code_bits), head = groups / 5 * 3; /* the first part's groups */
    size_t base = w->changed, room = w->max_steps - base;
    if (room < head)
        return SHROUD_ERR_STATE; /* the caller's bound is wrong */
    stego_cursor rest;
    coded_part second = {.img = w->img,
                         .cur = &rest,
                         .steps = w->steps + base + head,
                         .room = room - head,
                         .code_bits = code_bits,
                         .bytes = bytes,
                         .bit0 = head * code_bits,
                         .groups = groups - head};
    atomic_init(&second.go, 0);
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, write_part, &second) == 0;
    int err = stego_cursor_split(w->cur, head * n, &rest);
    atomic_store_explicit(&second.go, err ? -1 : 1, memory_order_release);
    if (err) {
        if (threaded)
            pthread_join(thread, NULL);
        return err;
    }
    err = write_run(w, code_bits, bytes, 0, head);
    if (threaded)
        pthread_join(thread, NULL);
    else if (!err)
        write_part(&second); /* no thread to be had: in turn */
    if (!err)
        err = second.err;
    *w->cur = rest; /* owns the order (the first part drew none) */
    size_t made = w->changed - base, after = second.w.changed;
    if (!err) {
        memmove(w->steps + w->changed, second.w.steps, after * sizeof *w->steps);
        w->changed += after;
    }
    /* what the moved steps left behind, or on error the second's (where
     * the message is) */
    prim_wipe(w->steps + base + made + (err ? 0 : after),
              (head - made + (err ? after : 0)) * sizeof *w->steps);
    stego_writer_free(&second.w);
    return err;
}

int stego_write_coded(stego_writer *w, unsigned code_bits, const uint8_t *bytes, size_t nbits)
{
    size_t n = stego_code_group(code_bits), groups = nbits / code_bits;
    if (worth_splitting(w, groups, n))
        return write_split(w, code_bits, bytes, groups);
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
