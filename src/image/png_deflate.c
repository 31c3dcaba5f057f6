/* png_deflate.c — the zlib wrapper around deflate_literals (png_deflate.h). */
#include "image/png_deflate.h"

#include <libdeflate.h>

#include "crypto/bigendian.h"
#include "image/deflate_literals.h"

size_t png_deflate_bound(size_t in_len)
{
    return deflate_literals_bound(in_len) + 2 + 4; /* the zlib header and adler32 */
}

size_t png_deflate(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap)
{
    if (out_cap < png_deflate_bound(in_len))
        return 0;
    out[0] = 0x78; /* deflate, 32 KiB window */
    out[1] = 0x01; /* fastest, no dictionary; 0x7801 is a multiple of 31 */
    size_t n = deflate_literals(in, in_len, out + 2, out_cap - 6);
    if (n == 0)
        return 0;
    store_be32(out + 2 + n, (uint32_t)libdeflate_adler32(1, in, in_len));
    return 2 + n + 4;
}

int png_zlib_header_ok(const uint8_t head[2])
{
    unsigned h = (unsigned)head[0] << 8 | head[1];
    return h % 31 == 0 && (h >> 8 & 15) == 8 && h >> 12 <= 7 && !(h & 0x20);
}

uint32_t png_adler32_combine(uint32_t a, uint32_t b, size_t len_b)
{
    const uint32_t mod = 65521;
    uint32_t a1 = a & 0xFFFF, a2 = a >> 16, b1 = b & 0xFFFF, b2 = b >> 16;
    uint32_t rem = (uint32_t)(len_b % mod);
    uint32_t s1 = (a1 + b1 + mod - 1) % mod;
    uint32_t s2 = (uint32_t)(((uint64_t)rem * a1 + a2 + b2 + mod - rem) % mod);
    return s2 << 16 | s1;
}
