/*
 * test_hits.c - the threads a page of hits is loaded on when the user
 * did not say (cti_hits_jobs_default(), cti_preload_worth()): one for a
 * page of short news stories, where a thread costs what it saves; a
 * helper and the dictionary loaded ahead for long articles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <unistd.h>

#include "cti_hits.h"
#include "cti_preload.h"
#include "index_fixture.h"
#include "lib/fixture.h"

/* 'n' short stories of about 150 words, each of other words. */
static index_fixture *short_stories(size_t n)
{
    static const char *const words[] = {
        "council", "budget", "vote", "mayor", "river", "school", "tax",
        "road", "police", "market", "hospital", "winter", "report", "court"};
    size_t cap = n * 2048 + 64, o = 0;
    char *j = malloc(cap);
    assert_non_null(j);
    for (size_t a = 0; a < n; a++) {
        o += (size_t)snprintf(j + o, cap - o,
                              "{\"id\":\"s%zu\",\"title\":\"Story %zu\",\"text\":\"", a, a);
        for (size_t w = 0; w < 150; w++)
            o += (size_t)snprintf(j + o, cap - o, "%s%s %zu ", words[(a + w) % 14],
                                  w % 9 ? "" : " town", a * 1000 + w);
        o += (size_t)snprintf(j + o, cap - o, "\"}\n");
    }
    index_fixture *fx = index_fixture_new(j);
    free(j);
    assert_non_null(fx);
    return fx;
}

/* A growing string. */
typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n, int escape)
{
    for (size_t i = 0; i < n; i++) {
        if (b->len + 8 > b->cap) {
            b->cap = b->cap * 2 + 4096;
            b->s = realloc(b->s, b->cap);
            assert_non_null(b->s);
        }
        unsigned char c = (unsigned char)s[i];
        if (escape && c < 0x20) {
            b->len += (size_t)sprintf(b->s + b->len, "\\u%04x", c);
            continue;
        }
        if (escape && (c == '"' || c == '\\'))
            b->s[b->len++] = '\\';
        b->s[b->len++] = (char)c;
    }
    b->s[b->len] = '\0';
}

/* The first 'n' State of the Union addresses (7,700 words on average). */
static index_fixture *addresses(size_t n)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/sotu", fixture_data_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    buf j = { NULL, 0, 0 };
    size_t got = 0;
    struct dirent *de;
    while (got < n && (de = readdir(d))) {
        if (!strstr(de->d_name, ".txt"))
            continue;
        char path[2048], head[64];
        size_t tl = 0;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        char *t = fixture_read_path(path, &tl);
        assert_non_null(t);
        int hl = snprintf(head, sizeof head, "{\"id\":\"a%zu\",\"text\":\"", got);
        put(&j, head, (size_t)hl, 0);
        put(&j, t, tl, 1);
        put(&j, "\"}\n", 3, 0);
        free(t);
        got++;
    }
    closedir(d);
    assert_int_equal(got, n);
    index_fixture *fx = index_fixture_new(j.s);
    free(j.s);
    assert_non_null(fx);
    return fx;
}

/* The threads chosen for the first page of 'q' (10 hits), with and
   without snippets. */
static void jobs_for(index_fixture *fx, const char *q, unsigned *with,
                     unsigned *without)
{
    cti_search_opts o;
    cti_results *r = NULL;
    cti_hit_opts ho;
    char err[256];
    cti_search_opts_default(&o);
    assert_int_equal(cti_search_run(fx->s, q, &o, &r, NULL, err, sizeof err), CTI_OK);
    size_t n = cti_mset_size(r->mset);
    assert_int_equal(n, 10);
    memset(&ho, 0, sizeof ho);
    *with = cti_hits_jobs_default(r, 0, n, &ho);
    ho.no_snippet = 1;
    *without = cti_hits_jobs_default(r, 0, n, &ho);
    /* One hit: nothing to share, whatever its length. */
    assert_int_equal(cti_hits_jobs_default(r, 0, 1, NULL), 1);
    cti_results_free(r);
}

static void test_short_stories_one_thread(void **state)
{
    (void)state;
    index_fixture *fx = short_stories(40);
    unsigned with, without;
    jobs_for(fx, "town", &with, &without);
    assert_int_equal(with, 1);
    assert_int_equal(without, 1);
    assert_int_equal(cti_preload_worth(fx->s), 0);
    index_fixture_free(fx);
}

static void test_long_articles_helped(void **state)
{
    (void)state;
    index_fixture *fx = addresses(12);
    unsigned with, without;
    jobs_for(fx, "the", &with, &without);
    assert_int_equal(with, sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1);
    assert_int_equal(without, 1);
    assert_int_equal(cti_preload_worth(fx->s), 1);
    index_fixture_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_stories_one_thread),
        cmocka_unit_test(test_long_articles_helped),
    };
    return cmocka_run_group_tests_name("hits", tests, NULL, NULL);
}
