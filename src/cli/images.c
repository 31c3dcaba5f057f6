/* images.c — reading and writing whole image files, and image error messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "stego/cover_problem.h"

int file_is_image(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    uint8_t head[8];
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n == (ssize_t)sizeof head && memcmp(head, png, sizeof png) == 0)
        return 1;
    return n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;
}

int read_image(const char *path, uint8_t **buf, size_t *len)
{
    char *data = NULL;
    int e = read_small_file(path, SHROUD_IMAGE_MAX_FILE_BYTES, &data, len);
    const char *name = path && strcmp(path, "-") != 0 ? path : "standard input";
    if (e == EFBIG)
        return fail("%s is larger than %u MiB, the most shroud reads", name,
                    SHROUD_IMAGE_MAX_FILE_BYTES >> 20);
    if (e)
        return fail("cannot read %s: %s", name, strerror(e));
    *buf = (uint8_t *)data;
    return 0;
}

int write_image(const char *path, int force, mode_t mode, const uint8_t *buf, size_t len)
{
    cli_output out;
    int e = output_open(&out, path, force, mode);
    if (e == EEXIST)
        return fail("%s already exists; use --force to replace it", path);
    if (e)
        return fail("cannot create %s: %s", path, strerror(e));
    const char *name = path && strcmp(path, "-") != 0 ? path : "standard output";
    int rc = 0;
    if (output_is_tty(&out))
        rc = fail("refusing to write an image to a terminal; use -o FILE");
    if (!rc && output_write(&out, buf, len) != 0)
        rc = fail("cannot write %s: %s", name, strerror(out.failed_errno));
    if (!rc && (e = output_commit(&out)) != 0)
        rc = fail("cannot write %s: %s", name, strerror(e));
    output_abort(&out);
    return rc;
}

int image_fail(const char *file, int err)
{
    const char *name = file && strcmp(file, "-") != 0 ? file : "standard input";
    switch (err) {
    case SHROUD_ERR_IMAGE_FORMAT:
        return fail("%s: not a PNG or JPEG shroud can handle (8-bit JPEG, baseline or "
                    "progressive; any PNG)",
                    name);
    case SHROUD_ERR_IMAGE_LIMIT:
        return fail("%s: image too large: shroud accepts at most %u x %u pixels and %u "
                    "megapixels in all",
                    name, SHROUD_IMAGE_MAX_DIMENSION, SHROUD_IMAGE_MAX_DIMENSION,
                    SHROUD_IMAGE_MAX_PIXELS >> 20);
    default:
        return fail("%s: %s", name, shroud_strerror(err));
    }
}

const char *style_name(int style)
{
    static const char *const names[] = {"noise", "fill", "pixelate", "blur"};
    return style >= 0 && style <= SHROUD_STYLE_BLUR ? names[style] : "unknown";
}

const char *format_name(int format)
{
    return format == SHROUD_IMAGE_PNG ? "PNG" : format == SHROUD_IMAGE_JPEG ? "JPEG" : "unknown";
}

int cover_fail(const char *file, int err, const uint8_t *buf, size_t len, int revealing)
{
    const char *name = file && strcmp(file, "-") != 0 ? file : "standard input";
    if (err == SHROUD_ERR_IMAGE_FORMAT)
        return fail("%s: not a PNG or BMP (covers must be lossless images)", name);
    if (err != SHROUD_ERR_COVER)
        return image_fail(file, err);
    return fail("%s %s", name, stego_cover_problem(buf, len, revealing));
}
