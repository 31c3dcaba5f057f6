/* png_deflate.c — the zlib wrapper around deflate_literals (png_deflate.h). */
#include "image/png_deflate.h"

#include <libdeflate.h>

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
    uint32_t adler = libdeflate_adler32(1, in, in_len);
    for (int i = 0; i < 4; i++)
        out[2 + n + (size_t)i] = (uint8_t)(adler >> (24 - 8 * i));
    return 2 + n + 4;
}
