/*
 * test_blobs.c — content-addressed image files: ids, atomic puts (no
 * temporary file left, an existing file kept), reading back, removal, and
 * the clean-up of temporary files an interrupted upload left.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/blobs.h"
#include "testutil.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/shroud-blobs-%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    return setup(state);
}

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

static void test_put_read_remove(void **state)
{
    (void)state;
    assert_int_equal(blobs_open(dir), 0);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    static const uint8_t data[] = "some image bytes";
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id(data, sizeof data - 1, id), 0);
    /* SHA-256("some image bytes") */
    assert_true(blobs_valid_id(id));
    assert_int_equal(blobs_put(dir, id, data, sizeof data - 1), 0);
    assert_int_equal(blobs_put(dir, id, data, sizeof data - 1), 0); /* already there */
    assert_int_equal(count_files(), 1);
    uint64_t size = 0;
    int fd = blobs_open_file(dir, id, &size);
    assert_true(fd >= 0);
    assert_int_equal(size, sizeof data - 1);
    char back[64];
    assert_int_equal(read(fd, back, sizeof back), (ssize_t)(sizeof data - 1));
    assert_memory_equal(back, data, sizeof data - 1);
    close(fd);
    assert_int_equal(blobs_remove(dir, id), 0);
    assert_int_not_equal(blobs_remove(dir, id), 0);
    assert_int_equal(blobs_open_file(dir, id, &size), -1);
    assert_int_equal(count_files(), 0);
}

static void test_ids(void **state)
{
    (void)state;
    char id[BLOB_ID_CHARS + 1];
    assert_int_equal(blobs_id((const uint8_t *)"", 0, id), 0);
    assert_string_equal(id, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_false(blobs_valid_id(""));
    assert_false(blobs_valid_id("../etc/passwd"));
    assert_false(
        blobs_valid_id("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
    assert_false(blobs_valid_id("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"));
    assert_false(
        blobs_valid_id("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555"));
}

static void test_open_removes_interrupted_uploads(void **state)
{
    (void)state;
    assert_int_equal(blobs_open(dir), 0);
    char path[400];
    snprintf(path, sizeof path, "%s/.tmp-abc123", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
    snprintf(path, sizeof path, "%s/%064d", dir, 7);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(blobs_open(dir), 0);
    assert_int_equal(count_files(), 1); /* the temporary file is gone, the stored one stays */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_read_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_removes_interrupted_uploads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
