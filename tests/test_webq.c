/*
 * test_webq.c - cti_webq: request parameters checked, URLs built back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cti_search.h"
#include "cti_webq.h"

/* A request's parameters: key, value, value length (-1: strlen). */
typedef struct param {
    const char *key, *value;
    int len;
} param;

static const char *get(void *ctx, const char *key, size_t *len)
{
    for (const param *p = ctx; p->key; p++) {
        if (!strcmp(p->key, key)) {
            *len = p->len < 0 ? strlen(p->value) : (size_t)p->len;
            return p->value;
        }
    }
    return NULL;
}

static cti_status parse(const param *ps, cti_webq *w, char *err)
{
    return cti_webq_parse(get, (void *)ps, w, err, 256);
}

static void test_defaults_and_values(void **state)
{
    (void)state;
    cti_webq w;
    char err[256];
    param none[] = { { NULL, NULL, 0 } };
    assert_int_equal(parse(none, &w, err), CTI_OK);
    assert_int_equal(w.qlen, 0);
    assert_null(w.id);
    assert_int_equal(w.limit, CTI_WEBQ_LIMIT);
    assert_int_equal(w.sort, CTI_SORT_RELEVANCE);

    param all[] = { { "q", "Lina Khan", -1 }, { "any", "1", -1 },
                    { "sort", "-date", -1 }, { "offset", "20", -1 },
                    { "n", "5", -1 }, { "id", "/a/b.txt", -1 },
                    { "utm_source", "x", -1 }, { NULL, NULL, 0 } };
    assert_int_equal(parse(all, &w, err), CTI_OK);
    assert_string_equal(w.q, "Lina Khan");
    assert_int_equal(w.any, 1);
    assert_int_equal(w.sort, CTI_SORT_DATE_DESC);
    assert_int_equal(w.offset, 20);
    assert_int_equal(w.limit, 5);
    assert_int_equal(w.idlen, 8);

    /* Blank query: no query; empty values: defaults. */
    param blank[] = { { "q", "  \t ", -1 }, { "sort", "", -1 },
                      { "offset", "", -1 }, { "any", "", -1 }, { NULL, NULL, 0 } };
    assert_int_equal(parse(blank, &w, err), CTI_OK);
    assert_int_equal(w.qlen, 0);
    assert_int_equal(w.offset, 0);
}

static void expect_bad(const char *key, const char *value, int len,
                       const char *says)
{
    cti_webq w;
    char err[256];
    param ps[] = { { key, value, len }, { NULL, NULL, 0 } };
    assert_int_equal(parse(ps, &w, err), CTI_EINVAL);
    if (!strstr(err, says))
        fail_msg("%s=%s: message '%s' does not say '%s'", key, value, err, says);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    char big[CTI_WEBQ_MAX_QUERY + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_bad("q", big, -1, "at most 1024");
    expect_bad("q", "caf\xC3", -1, "UTF-8");
    expect_bad("q", "a\0b", 3, "UTF-8");
    expect_bad("any", "yes", -1, "'any'");
    expect_bad("sort", "title", -1, "'sort'");
    expect_bad("offset", "-1", -1, "'offset'");
    expect_bad("offset", "100001", -1, "'offset'");
    expect_bad("offset", "1e3", -1, "'offset'");
    expect_bad("n", "0", -1, "'n'");
    expect_bad("n", "101", -1, "'n'");
    expect_bad("n", "99999999999999999999", -1, "'n'");
    expect_bad("id", "", -1, "'id'");
    expect_bad("id", "a\0b", 3, "'id'");
    /* A query of exactly the limit is fine. */
    cti_webq w;
    char err[256];
    big[CTI_WEBQ_MAX_QUERY] = '\0';
    param ok[] = { { "q", big, -1 }, { NULL, NULL, 0 } };
    assert_int_equal(parse(ok, &w, err), CTI_OK);
    /* Ids are bytes (file names need not be UTF-8). */
    param id[] = { { "id", "/tmp/\xFF.txt", -1 }, { NULL, NULL, 0 } };
    assert_int_equal(parse(id, &w, err), CTI_OK);
}

static void check_href(const char *path, const cti_webq *w, int with_id,
                       const char *want)
{
    cti_markup h;
    size_t len;
    cti_markup_init(&h);
    cti_webq_href(&h, path, w, with_id);
    char *r = cti_markup_take(&h, &len);
    assert_string_equal(r, want);
    free(r);
}

static void test_href(void **state)
{
    (void)state;
    cti_webq w;
    cti_webq_default(&w);
    check_href("/", &w, 0, "/");
    w.q = "\"Silicon Valley\" & <b>";
    w.qlen = strlen(w.q);
    check_href("/", &w, 0, "/?q=%22Silicon%20Valley%22%20%26%20%3Cb%3E");
    w.any = 1;
    w.sort = CTI_SORT_DATE;
    w.offset = 10;
    w.limit = 20;
    check_href("/", &w, 0, "/?q=%22Silicon%20Valley%22%20%26%20%3Cb%3E&amp;any=1"
               "&amp;sort=date&amp;offset=10&amp;n=20");
    cti_webq_default(&w);
    w.id = "/x/a b.txt";
    w.idlen = strlen(w.id);
    w.q = "tax";
    w.qlen = 3;
    check_href("/article", &w, 1, "/article?id=%2Fx%2Fa%20b.txt&amp;q=tax");
    check_href("/", &w, 0, "/?q=tax");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_values),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_href),
    };
    return cmocka_run_group_tests_name("webq", tests, NULL, NULL);
}
