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
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (n >= BIG_BUFFER_MIN && n <= SIZE_MAX - HUGE_PAGE) {
        /* aligned and rounded up to whole huge pages, so that every page of
         * it can be one (a malloc'd buffer only has its interior ones) */
        size_t size = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        void *p = aligned_alloc(HUGE_PAGE, size);
        if (p)
            (void)madvise(p, size, MADV_HUGEPAGE); /* advice only: errors ignored */
        return p;
    }
#endif
    return malloc(n ? n : 1);
}
