/*
 * cover_problem.h — why an image cannot be a cover, in words (internal;
 * shared by the CLI and the server so both say the same).
 */
#ifndef SHROUD_STEGO_COVER_PROBLEM_H
#define SHROUD_STEGO_COVER_PROBLEM_H

#include <stddef.h>
#include <stdint.h>

/* For buf refused with SHROUD_ERR_COVER: a predicate to put after the
 * image's name ("is a JPEG: ..."), the advice included. revealing: the
 * image was given to reveal a message rather than to hide one. */
const char *stego_cover_problem(const uint8_t *buf, size_t len, int revealing);

#endif
