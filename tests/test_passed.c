/*
 * test_passed.c - files passed over, remembered from run to run so each
 * is noticed once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti_passed.h"

static int setup(void **state)
{
    char *dir = strdup("/tmp/cti-test-passed-XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    char p[256];
    snprintf(p, sizeof p, "%s/passed", (char *)*state);
    unlink(p);
    rmdir(*state);
    free(*state);
    return 0;
}

static struct stat st_of(off_t size, time_t mtime)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_size = size;
    st.st_mtim.tv_sec = mtime;
    st.st_mtim.tv_nsec = 5;
    return st;
}

/* One run: open, see the files, mark the walked folder, save. */
static void run(const char *dir, const char *const *ids, const struct stat *sts,
                size_t n, const char *walked, int *known)
{
    cti_passed *p = NULL;
    assert_int_equal(cti_passed_open(dir, &p), CTI_OK);
    for (size_t i = 0; i < n; i++)
        known[i] = cti_passed_seen(p, ids[i], &sts[i]);
    if (walked)
        cti_passed_walked(p, walked);
    assert_int_equal(cti_passed_save(p), CTI_OK);
    cti_passed_free(p);
}

static void test_noticed_once(void **state)
{
    const char *dir = *state;
    /* An id with a newline and a space in it is kept whole. */
    const char *ids[3] = { "/in/a.pdf", "/in/empty file.txt", "/in/odd\nname" };
    struct stat sts[3] = { st_of(10, 100), st_of(0, 200), st_of(3, 300) };
    int known[3];
    run(dir, ids, sts, 3, "/in/", known);
    assert_int_equal(known[0] + known[1] + known[2], 0);
    run(dir, ids, sts, 3, "/in/", known);
    assert_int_equal(known[0] & known[1] & known[2], 1);
    /* Changed size or time: new again. */
    sts[0] = st_of(11, 100);
    sts[1] = st_of(0, 201);
    run(dir, ids, sts, 3, "/in/", known);
    assert_int_equal(known[0], 0);
    assert_int_equal(known[1], 0);
    assert_int_equal(known[2], 1);
}

static void test_forgotten_when_gone(void **state)
{
    const char *dir = *state;
    const char *ids[2] = { "/in/a.pdf", "/elsewhere/b.bin" };
    struct stat sts[2] = { st_of(10, 100), st_of(1, 1) };
    int known[2];
    run(dir, ids, sts, 2, NULL, known);
    /* A run walking /in/ completely without a.pdf forgets it; b.bin,
       outside that folder, is kept. */
    run(dir, ids + 1, sts + 1, 0, "/in/", known);
    run(dir, ids, sts, 2, NULL, known);
    assert_int_equal(known[0], 0);
    assert_int_equal(known[1], 1);
    /* A run that walks nothing completely forgets nothing. */
    run(dir, ids, sts, 0, NULL, known);
    run(dir, ids, sts, 2, NULL, known);
    assert_int_equal(known[0] & known[1], 1);
}

static void test_damaged_file(void **state)
{
    const char *dir = *state;
    char p[256];
    const char *ids[1] = { "/in/a.pdf" };
    struct stat sts[1] = { st_of(10, 100) };
    int known[1];
    snprintf(p, sizeof p, "%s/passed", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("10 100000000005 9\n/in/a.pdf\n12 zz 99999999\ngarbage", f);
    fclose(f);
    /* What comes before the damage is read; the rest is dropped. */
    run(dir, ids, sts, 1, NULL, known);
    assert_int_equal(known[0], 1);
    /* No file at all: nothing known. */
    unlink(p);
    run(dir, ids, sts, 1, NULL, known);
    assert_int_equal(known[0], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_noticed_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forgotten_when_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_file, setup, teardown),
    };
    return cmocka_run_group_tests_name("passed", tests, NULL, NULL);
}
