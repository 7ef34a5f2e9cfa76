/*
 * fixture.h - the unit tests' fixture files (tests/data, corpus/) read
 * whole into memory.
 *
 * A test names a fixture by its path from the repository root
 * ("tests/data/formats/newsapi.json", "corpus/01-....txt").  The test data
 * folder is $CTI_TEST_DATA when set (make test sets it), else tests/data;
 * the repository root is the current folder, its parent, or the folder
 * two levels above $CTI_TEST_DATA, so a test finds its files when run
 * from the root, from a folder just below it, or from anywhere with an
 * absolute $CTI_TEST_DATA.  The functions are static inline: a test may
 * use some of them only.
 */
#ifndef CTI_TEST_FIXTURE_H
#define CTI_TEST_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* The test data folder: $CTI_TEST_DATA when set and not empty, else
   "tests/data". */
static inline const char *fixture_data_dir(void)
{
    const char *d = getenv("CTI_TEST_DATA");
    return d && *d ? d : "tests/data";
}

/*
 * Read the file 'path' (as given) whole.  Returns its bytes with a NUL
 * after them and their count in *len; the caller frees them with free().
 * Returns NULL, *len untouched, when it cannot be opened or read or
 * memory runs out.
 */
static inline char *fixture_read_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0)
        p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[n] = '\0';
        *len = (size_t)n;
    }
    return p;
}

/*
 * Read the fixture 'rel', a path from the repository root: a file below
 * "tests/data/" is looked for in the test data folder first, then every
 * file in the current folder, its parent and two levels above the test
 * data folder.  Returns its bytes as fixture_read_path() does ('len' may
 * be NULL); fails the test with a message naming 'rel' when no copy can
 * be read.
 */
static inline char *fixture_read(const char *rel, size_t *len)
{
    static const char data_prefix[] = "tests/data/";
    const size_t np = sizeof data_prefix - 1;
    const char *data = fixture_data_dir();
    char path[4096];
    size_t n = 0;
    char *p = NULL;

    if (strncmp(rel, data_prefix, np) == 0) {
        snprintf(path, sizeof path, "%s/%s", data, rel + np);
        p = fixture_read_path(path, &n);
    }
    if (!p)
        p = fixture_read_path(rel, &n);
    if (!p) {
        snprintf(path, sizeof path, "../%s", rel);
        p = fixture_read_path(path, &n);
    }
    if (!p) {
        snprintf(path, sizeof path, "%s/../../%s", data, rel);
        p = fixture_read_path(path, &n);
    }
    if (!p)
        fail_msg("cannot read the test file %s", rel);
    if (len)
        *len = n;
    return p;
}

/*
 * The step between the inputs a property test checks: 1 (every input)
 * unless $CTI_TEST_SAMPLE names a larger whole number.  make valgrind sets
 * it: under valgrind a test runs 20 to 50 times slower, and what valgrind
 * looks for (leaks, reads of freed or uninitialised memory) shows on every
 * eighth input as on all of them.  make test and the sanitizer builds
 * check every input.
 */
static inline unsigned fixture_sample(void)
{
    const char *s = getenv("CTI_TEST_SAMPLE");
    long n = s && *s ? strtol(s, NULL, 10) : 1;
    return n > 1 && n < 1000 ? (unsigned)n : 1;
}

#endif /* CTI_TEST_FIXTURE_H */
