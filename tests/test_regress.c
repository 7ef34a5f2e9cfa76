/*
 * test_regress.c - replay every fuzz seed and every input that once
 * crashed a libFuzzer harness (tests/fuzz/seeds/<harness>/), through the
 * harness itself, so its invariants are checked in every "make test" and
 * under ASan/UBSan in "make SANITIZE=1 test".
 *
 * A harness aborts on a broken invariant, which fails this test with the
 * file name printed just before.
 *
 * Inputs that still break a harness, because the bug they show is not
 * fixed yet, wait in tests/fuzz/open/<harness>/: each is run in a child
 * process and reported as "OPEN BUG" (or "FIXED", then it belongs in
 * seeds/) without failing the suite.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/fixture.h"

#define LLVMFuzzerTestOneInput fuzz_store_one
#include "fuzz/fuzz_store.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_article_one
#include "fuzz/fuzz_article.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_analyzer_one
#include "fuzz/fuzz_analyzer.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_query_one
#include "fuzz/fuzz_query.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_snippet_one
#include "fuzz/fuzz_snippet.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_stub_one
#include "fuzz/fuzz_stub.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_source_one
#include "fuzz/fuzz_source.c"
#undef LLVMFuzzerTestOneInput

typedef int (*one_fn)(const uint8_t *, size_t);

static const char *seed_root(void)
{
    const char *r = getenv("CTI_FUZZ_SEEDS");
    return r && *r ? r : "tests/fuzz/seeds";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every file of seeds/<harness>/ through fn; returns how many ran. */
static size_t replay(const char *harness, one_fn fn)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", seed_root(), harness);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s (run the tests from the top of the tree)", dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        uint8_t *data = (uint8_t *)fixture_read_path(path, &len);
        if (!data)
            fail_msg("cannot read %s", path);
        fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
        assert_int_equal(fn(data, len), 0);
        free(data);
        free(names[i]);
    }
    free(names);
    return n;
}

/* Run each file of open/<harness>/ in a child; report, never fail. */
static void replay_open(const char *harness, one_fn fn)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../open/%s", seed_root(), harness);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint8_t *data = (uint8_t *)fixture_read_path(path, &len);
        if (!data)
            continue;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            alarm(3); /* an open bug may be a hang */
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0)
                dup2(fd, 2);
            fn(data, len);
            free(data); /* so that valgrind sees no leak in the child */
            closedir(d);
            _exit(0);
        }
        int status = 0;
        if (pid > 0)
            waitpid(pid, &status, 0);
        if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
            printf("FIXED: %s now passes: move it to %s/%s/\n", path,
                   seed_root(), harness);
        else
            printf("OPEN BUG: %s still fails %s (known, not yet fixed)\n",
                   path, harness);
        free(data);
    }
    closedir(d);
}

static void test_store_seeds(void **state)
{
    (void)state;
    assert_true(replay("fuzz_store", fuzz_store_one) > 0);
    replay_open("fuzz_store", fuzz_store_one);
}

static void test_article_seeds(void **state)
{
    (void)state;
    assert_true(replay("fuzz_article", fuzz_article_one) > 0);
    replay_open("fuzz_article", fuzz_article_one);
}

static void test_analyzer_seeds(void **state)
{
    (void)state;
    assert_true(replay("fuzz_analyzer", fuzz_analyzer_one) > 0);
    replay_open("fuzz_analyzer", fuzz_analyzer_one);
    cti_analyzer_free(ana_english);
    ana_english = NULL;
}

static void test_query_seeds(void **state)
{
    (void)state;
    assert_true(replay("fuzz_query", fuzz_query_one) > 0);
    replay_open("fuzz_query", fuzz_query_one);
    query_teardown();
}

static void test_snippet_seeds(void **state)
{
    (void)state;
    assert_true(replay("fuzz_snippet", fuzz_snippet_one) > 0);
    replay_open("fuzz_snippet", fuzz_snippet_one);
    snip_teardown();
}

static void test_stub_seeds(void **state)
{
    (void)state;
    assert_true(replay("fuzz_stub", fuzz_stub_one) > 0);
    replay_open("fuzz_stub", fuzz_stub_one);
    stub_teardown();
}

static void test_source_seeds(void **state)
{
    (void)state;
    assert_true(replay("fuzz_source", fuzz_source_one) > 0);
    replay_open("fuzz_source", fuzz_source_one);
    src_teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_seeds),
        cmocka_unit_test(test_article_seeds),
        cmocka_unit_test(test_analyzer_seeds),
        cmocka_unit_test(test_query_seeds),
        cmocka_unit_test(test_snippet_seeds),
        cmocka_unit_test(test_stub_seeds),
        cmocka_unit_test(test_source_seeds),
    };
    return cmocka_run_group_tests_name("regress", tests, NULL, NULL);
}
