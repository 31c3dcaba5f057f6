/* big_buffer.c — malloc with transparent huge pages (big_buffer.h). */
#define _DEFAULT_SOURCE 1 /* madvise and MADV_HUGEPAGE */
#include "image/big_buffer.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((uintptr_t)2 * 1024 * 1024)

void *big_buffer_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p && n >= BIG_BUFFER_MIN) {
        /* the whole huge pages inside the buffer; advice only: errors ignored */
        uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        uintptr_t end = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
        if (end > start)
            (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
#endif
    return p;
}
