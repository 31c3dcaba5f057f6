/* cover_problem.c — why an image cannot be a cover (see cover.h's rules). */
#include "stego/cover_problem.h"

const char *stego_cover_problem(const uint8_t *buf, size_t len, int revealing)
{
    if (len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8)
        return revealing
                   ? "is a JPEG: shroud hides messages only in lossless images (PNG, BMP), and a "
                     "message hidden before a conversion to JPEG does not survive it"
                   : "is a JPEG: JPEG is lossy, and decoding then re-encoding it would destroy a "
                     "hidden message; hide in a PNG or BMP (convert the photo first)";
    if (len >= 26 && buf[25] == 3)
        return "is a palette PNG: changing an index by one changes the colour arbitrarily; "
               "convert it to RGB first (e.g. convert IN PNG24:OUT.png)";
    if (len >= 26 && buf[24] < 8)
        return "has fewer than 8 bits per sample: convert it to 8-bit first";
    return "has a tRNS colour key (one colour is transparent): +-1 changes could make pixels "
           "transparent; remove the key or add an alpha channel";
}
