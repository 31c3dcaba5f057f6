/*
 * test_blobs.c — image bytes in a directory: the shared blobs suite
 * (blobs_suite.c), then what is the directory's own: ids, the directory
 * made 0700, one file per blob and no temporary file left, the clean-up
 * of temporary files an interrupted upload left, and a directory that
 * cannot be made refused with a reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blobs_suite.h"

static char dir[256];

static int open_dir(blobs **out, char *err, size_t err_len)
{
    return blobs_open_dir(dir, out, err, err_len);
}

static void wipe_dir(void)
{
    blobs_suite_remove_dir(dir);
}

static void age_file(const char *id, int64_t seconds)
{
    blobs_suite_age_file(dir, id, seconds);
}

static const blobs_backend dir_backend = {open_dir, wipe_dir, age_file};

static int count_files(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

static void test_one_file_per_blob(void **state)
{
    (void)state;
    blobs *b = blobs_suite_open();
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    static const uint8_t data[] = "some image bytes";
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id(data, sizeof data - 1, id), 0);
    assert_int_equal(blobs_put(b, id, data, sizeof data - 1), 0);
    assert_int_equal(blobs_put(b, id, data, sizeof data - 1), 0); /* already there */
    assert_int_equal(count_files(), 1);                           /* no temporary file left */
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, id);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, sizeof data - 1);
    blob_content c;
    assert_int_equal(blobs_get(b, id, &c), 0);
    assert_true(c.fd >= 0); /* a file is served from its descriptor */
    blob_content_clear(&c);
    assert_int_equal(blobs_remove(b, id), 0);
    assert_int_equal(count_files(), 0);
    blobs_close(b);
}

static void test_ids(void **state)
{
    (void)state;
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id((const uint8_t *)"", 0, id), 0);
    assert_string_equal(id, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_true(blobs_valid_id(id));
    assert_false(blobs_valid_id(""));
    assert_false(blobs_valid_id("../etc/passwd"));
    assert_false(
        blobs_valid_id("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
    assert_false(blobs_valid_id("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"));
    assert_false(
        blobs_valid_id("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555"));
}

static void touch(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
}

static int exists(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* What crashes leave: an old temporary file goes, and a young one of a
 * dead process of this host; a young one of a live process or of another
 * host stays (another server's upload in progress on a shared directory).
 * A blob a sweep had set aside goes back under its id (or is dropped when
 * the id is there). */
static void test_open_cleans_up_after_crashes(void **state)
{
    (void)state;
    blobs_close(blobs_suite_open());
    char host[256] = "", dead[400], live[400], other[400];
    gethostname(host, sizeof host - 1);
    pid_t child = fork(); /* a pid that is surely gone once reaped */
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    snprintf(dead, sizeof dead, ".tmp-%s~%ld~Ab12Cd", host, (long)child);
    snprintf(live, sizeof live, ".tmp-%s~%ld~Ef34Gh", host, (long)getpid());
    snprintf(other, sizeof other, ".tmp-not-%s~%ld~Ij56Kl", host, (long)child);
    touch(dead);
    touch(live);
    touch(other);
    touch(".tmp-old123");
    blobs_suite_age_file(dir, ".tmp-old123", BLOBS_SWEEP_GRACE_SECONDS + 60);
    char stored[BLOB_ID_CHARS + 1], aside[100], aside2[100];
    snprintf(stored, sizeof stored, "%064d", 7);
    touch(stored);
    snprintf(aside, sizeof aside, ".sweep-%064d-0badcafe", 8);
    touch(aside);
    snprintf(aside2, sizeof aside2, ".sweep-%064d-12345678", 7);
    touch(aside2);
    blobs_close(blobs_suite_open());
    assert_false(exists(".tmp-old123"));
    assert_false(exists(dead));
    assert_true(exists(live));
    assert_true(exists(other));
    assert_true(exists(stored));
    char back[BLOB_ID_CHARS + 1];
    snprintf(back, sizeof back, "%064d", 8);
    assert_true(exists(back));
    assert_false(exists(aside));
    assert_false(exists(aside2));
    assert_int_equal(count_files(), 4);
}

static void test_unusable_directory_is_refused(void **state)
{
    (void)state;
    char file[300];
    snprintf(file, sizeof file, "%s-file", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    char under[400];
    snprintf(under, sizeof under, "%s/images", file); /* a directory under a file */
    blobs *b = NULL;
    char err[512] = "";
    assert_int_equal(blobs_open_dir(under, &b, err, sizeof err), ENOTDIR);
    assert_null(b);
    assert_non_null(strstr(err, under));
    assert_non_null(strstr(err, strerror(ENOTDIR)));
    unlink(file);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/shroud-blobs-%ld", (long)getpid());
    blobs_suite_backend = &dir_backend;
    const struct CMUnitTest tests[] = {
        BLOBS_SUITE_TESTS,
        BLOBS_SUITE_TEST(test_one_file_per_blob),
        BLOBS_SUITE_TEST(test_ids),
        BLOBS_SUITE_TEST(test_open_cleans_up_after_crashes),
        BLOBS_SUITE_TEST(test_unusable_directory_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
