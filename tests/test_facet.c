/*
 * test_facet.c - counts by month, source and author over every match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cti_facet.h"
#include "web_fixture.h"

static int setup(void **state)
{
    *state = web_fixture_new(web_fixture_news);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    web_fixture_free(*state);
    return 0;
}

static cti_facets *count_with(web_fixture *fx, const char *q, size_t top,
                             cti_facet_cache *cache)
{
    cti_search_opts o;
    cti_facets *f = NULL;
    char err[256];
    cti_search_opts_default(&o);
    o.limit = 1; /* the page does not limit the counts */
    assert_int_equal(cti_facets_count(fx->s, q, &o, top, cache, &f, NULL,
                                      NULL, err, sizeof err), CTI_OK);
    return f;
}

static cti_facets *count(web_fixture *fx, const char *q, size_t top)
{
    return count_with(fx, q, top, NULL);
}

/* The same counts with a cache, cold and warm, and with a full one. */
static void test_cache(void **state)
{
    web_fixture *fx = *state;
    cti_facet_cache *cache = NULL, *tiny = NULL;
    assert_int_equal(cti_facet_cache_new(1000, &cache), CTI_OK);
    assert_int_equal(cti_facet_cache_new(1, &tiny), CTI_OK);
    for (int round = 0; round < 3; round++) {
        cti_facets *f = count_with(fx, "antitrust", 10, round < 2 ? cache : tiny);
        assert_int_equal(f->matches, 5);
        assert_int_equal(f->sources.distinct, 3);
        assert_string_equal(f->sources.v[0].name, "Daily Planet");
        assert_int_equal(f->sources.v[0].count, 2);
        assert_int_equal(f->sources.missing, 1);
        assert_int_equal(f->authors.distinct, 2);
        assert_int_equal(f->authors.missing, 3);
        cti_facets_free(f);
    }
    cti_facet_cache_free(cache);
    cti_facet_cache_free(tiny);
}

/* Many articles and sources: the tallies and the cache grow. */
static void test_many(void **state)
{
    web_fixture *fx = *state;
    size_t cap = 1500 * 128, len = 0;
    char *jsonl = malloc(cap);
    assert_non_null(jsonl);
    for (int i = 0; i < 1500; i++)
        len += (size_t)snprintf(jsonl + len, cap - len,
                                "{\"id\":\"m%d\",\"title\":\"t\",\"source\":\"S%d\","
                                "\"date\":\"2020-%02d\",\"text\":\"zebramany %d\"}\n",
                                i, i % 700, i % 12 + 1, i);
    assert_int_equal(web_fixture_add(fx, jsonl), 0);
    free(jsonl);
    char err[256];
    assert_int_equal(cti_search_reopen(fx->s, err, sizeof err), CTI_OK);
    cti_facet_cache *cache = NULL;
    assert_int_equal(cti_facet_cache_new(100000, &cache), CTI_OK);
    for (int round = 0; round < 3; round++) {
        cti_facets *f = count_with(fx, "zebramany", 10, round ? cache : NULL);
        assert_int_equal(f->matches, 1500);
        assert_int_equal(f->sources.distinct, 700);
        assert_int_equal(f->sources.n, 10);
        /* S0..S99 three times, the others twice; ties by name. */
        assert_string_equal(f->sources.v[0].name, "S0");
        assert_string_equal(f->sources.v[1].name, "S1");
        assert_string_equal(f->sources.v[2].name, "S10");
        assert_int_equal(f->sources.v[9].count, 3);
        assert_int_equal(f->nmonths, 12);
        assert_int_equal(f->months[0].count, 125);
        cti_facets_free(f);
    }
    cti_facet_cache_free(cache);
}

static void test_every_match_counted(void **state)
{
    cti_facets *f = count(*state, "antitrust", 10);
    assert_int_equal(f->matches, 5);
    /* 2023 (a year only), 2024-07 (twice), 2024-09; one undated. */
    assert_int_equal(f->nmonths, 3);
    assert_int_equal(f->months[0].key, 202300);
    assert_int_equal(f->months[0].count, 1);
    assert_int_equal(f->months[1].key, 202407);
    assert_int_equal(f->months[1].count, 2);
    assert_int_equal(f->months[2].key, 202409);
    assert_int_equal(f->undated, 1);
    /* Most frequent first; names as stored. */
    assert_int_equal(f->sources.distinct, 3);
    assert_string_equal(f->sources.v[0].name, "Daily Planet");
    assert_int_equal(f->sources.v[0].count, 2);
    assert_int_equal(f->sources.missing, 1);
    assert_int_equal(f->authors.distinct, 2);
    assert_int_equal(f->authors.missing, 3);
    cti_facets_free(f);
}

/* One run gives the counts and the page of hits, with an exact count. */
static void test_with_page(void **state)
{
    web_fixture *fx = *state;
    cti_search_opts o;
    cti_facets *f = NULL;
    cti_results *r = NULL;
    char err[256];
    cti_search_opts_default(&o);
    o.offset = 1;
    o.limit = 2;
    o.sort = CTI_SORT_DATE_DESC;
    assert_int_equal(cti_facets_count(fx->s, "antitrust", &o, 10, NULL, &f, &r,
                                      NULL, err, sizeof err), CTI_OK);
    assert_int_equal(f->matches, 5);
    assert_int_equal(r->matches, 5);
    assert_true(r->exact);
    assert_int_equal(cti_mset_size(r->mset), 2);
    size_t len;
    /* Newest first: a2 (2024-09-02), then a1 (2024-07-15), a3 ... */
    assert_string_equal(cti_mset_value(r->mset, 0, 0, &len), "20240715");
    cti_results_free(r);
    cti_facets_free(f);
}

static void test_top_and_narrow(void **state)
{
    cti_facets *f = count(*state, "antitrust", 1);
    assert_int_equal(f->sources.n, 1);
    assert_int_equal(f->sources.distinct, 3);
    cti_facets_free(f);
    f = count(*state, "antitrust date:2024-07", 10);
    assert_int_equal(f->matches, 2);
    assert_int_equal(f->nmonths, 1);
    cti_facets_free(f);
    f = count(*state, "Bloomberg", 10);
    assert_int_equal(f->matches, 1);
    assert_string_equal(f->sources.v[0].name, "Gotham \"Gazette\"");
    cti_facets_free(f);
}

static void test_no_match_and_errors(void **state)
{
    web_fixture *fx = *state;
    cti_facets *f = count(fx, "zebracorn", 10);
    assert_int_equal(f->matches, 0);
    assert_int_equal(f->nmonths, 0);
    assert_int_equal(f->sources.n, 0);
    cti_facets_free(f);
    cti_search_opts o;
    cti_query_error qe;
    char err[256];
    cti_search_opts_default(&o);
    f = (cti_facets *)1;
    cti_results *r = (cti_results *)1;
    assert_int_equal(cti_facets_count(fx->s, "\"unclosed", &o, 10, NULL, &f,
                                      &r, &qe, err, sizeof err), CTI_EINVAL);
    assert_null(r);
    assert_null(f);
    assert_int_equal(qe.column, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_match_counted),
        cmocka_unit_test(test_top_and_narrow),
        cmocka_unit_test(test_with_page),
        cmocka_unit_test(test_no_match_and_errors),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests_name("facet", tests, setup, teardown);
}
