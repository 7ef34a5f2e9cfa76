/*
 * test_facet.c - counts by period, source and author over every match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cti_facet.h"
#include "index_fixture.h"

static const char news[] =
    "{\"id\":\"a\",\"date\":\"2024-07-15\",\"source\":\"Daily Planet\","
    "\"author\":\"Lois Lane\",\"title\":\"A\",\"text\":\"an antitrust case\"}\n"
    "{\"id\":\"b\",\"date\":\"2024-07-20\",\"source\":\"Daily Planet\","
    "\"title\":\"B\",\"text\":\"antitrust again\"}\n"
    "{\"id\":\"c\",\"date\":\"2024-09-02\",\"source\":\"Gazette\","
    "\"author\":\"Lois Lane\",\"title\":\"C\",\"text\":\"antitrust news\"}\n"
    "{\"id\":\"d\",\"date\":\"2023\",\"source\":\"Gazette\",\"title\":\"D\","
    "\"text\":\"old antitrust\"}\n"
    "{\"id\":\"e\",\"title\":\"E\",\"text\":\"undated antitrust\"}\n"
    "{\"id\":\"f\",\"date\":\"2024-07-15\",\"source\":\"Other\",\"title\":\"F\","
    "\"text\":\"nothing to see\"}\n"
    "{\"id\":\"g\",\"date\":\"2021-01-01\",\"title\":\"G\",\"text\":\"boundary\"}\n"
    "{\"id\":\"h\",\"date\":\"2018-12-31\",\"title\":\"H\",\"text\":\"boundary\"}\n"
    "{\"id\":\"i\",\"date\":\"1700-01-01\",\"title\":\"I\",\"text\":\"faraway\"}\n"
    "{\"id\":\"j\",\"date\":\"2000-01-01\",\"title\":\"J\",\"text\":\"faraway\"}\n";

static int setup(void **state)
{
    *state = index_fixture_new(news);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    index_fixture_free(*state);
    return 0;
}

/* Count 'q' by the one kind 'k' (limit 'limit'). */
static cti_facets *count1(void **state, const char *q, cti_facet_kind k,
                          size_t limit)
{
    index_fixture *fx = *state;
    cti_search_opts o;
    cti_facets *f = NULL;
    char err[256];
    cti_search_opts_default(&o);
    o.limit = 1; /* the page does not limit the counts */
    assert_int_equal(cti_facets_count(fx->s, q, &o, &k, 1, limit, &f, NULL,
                                      err, sizeof err), CTI_OK);
    assert_int_equal(f->n, 1);
    assert_int_equal(f->f[0].kind, k);
    return f;
}

static void assert_value(const cti_facet *f, size_t i, const char *label,
                         uint32_t count)
{
    assert_true(i < f->n);
    assert_string_equal(f->v[i].label, label);
    assert_int_equal(f->v[i].count, count);
}

static void test_names(void **state)
{
    (void)state;
    cti_facet_kind k;
    assert_int_equal(cti_facet_parse("date:month", &k), 0);
    assert_int_equal(k, CTI_FACET_MONTH);
    assert_int_equal(cti_facet_parse("week", &k), 0);
    assert_int_equal(k, CTI_FACET_WEEK);
    assert_int_equal(cti_facet_parse("date:hour", &k), -1);
    assert_string_equal(cti_facet_name(CTI_FACET_AUTHOR), "author");
    assert_true(cti_facet_is_date(CTI_FACET_DAY));
    assert_false(cti_facet_is_date(CTI_FACET_SOURCE));
}

static void test_decades(void **state)
{
    cti_facets *fs = count1(state, "faraway OR boundary", CTI_FACET_DECADE, 20);
    const cti_facet *f = &fs->f[0];
    assert_int_equal(f->n, 33); /* 1700s .. 2020s */
    assert_value(f, 0, "1700s", 1);
    assert_value(f, 1, "1710s", 0);
    assert_value(f, 30, "2000s", 1);
    assert_value(f, 31, "2010s", 1);
    assert_value(f, 32, "2020s", 1);
    cti_facets_free(fs);
}

static void test_years(void **state)
{
    cti_facets *fs = count1(state, "antitrust", CTI_FACET_YEAR, 20);
    const cti_facet *f = &fs->f[0];
    assert_int_equal(fs->matches, 5);
    assert_int_equal(f->n, 2);
    assert_value(f, 0, "2023", 1);
    assert_value(f, 1, "2024", 3);
    assert_int_equal(f->missing, 1);
    assert_int_equal(f->coarse, 0);
    assert_true(f->gaps);
    cti_facets_free(fs);
}

/* Empty months between the first and the last are there with 0. */
static void test_months_with_gaps(void **state)
{
    cti_facets *fs = count1(state, "antitrust", CTI_FACET_MONTH, 20);
    const cti_facet *f = &fs->f[0];
    assert_int_equal(f->n, 3);
    assert_value(f, 0, "2024-07", 2);
    assert_value(f, 1, "2024-08", 0);
    assert_value(f, 2, "2024-09", 1);
    assert_int_equal(f->distinct, 2);
    assert_int_equal(f->coarse, 1); /* "2023": a year only */
    assert_int_equal(f->missing, 1);
    cti_facets_free(fs);
}

static void test_weeks_and_days(void **state)
{
    cti_facets *fs = count1(state, "antitrust", CTI_FACET_WEEK, 20);
    const cti_facet *f = &fs->f[0];
    /* 2024-07-15 (a Monday) and 2024-07-20 are in ISO week 29, 2024-09-02
       starts week 36. */
    assert_int_equal(f->n, 8);
    assert_value(f, 0, "2024-W29", 2);
    assert_value(f, 1, "2024-W30", 0);
    assert_value(f, 7, "2024-W36", 1);
    assert_int_equal(f->coarse, 1);
    cti_facets_free(fs);
    fs = count1(state, "antitrust", CTI_FACET_DAY, 20);
    f = &fs->f[0];
    assert_int_equal(f->n, 50); /* 2024-07-15 .. 2024-09-02 */
    assert_value(f, 0, "2024-07-15", 1);
    assert_value(f, 5, "2024-07-20", 1);
    assert_value(f, 17, "2024-08-01", 0);
    assert_value(f, 49, "2024-09-02", 1);
    cti_facets_free(fs);
}

/* ISO weeks belong to the year of their Thursday. */
static void test_week_year_boundary(void **state)
{
    cti_facets *fs = count1(state, "boundary", CTI_FACET_WEEK, 20);
    const cti_facet *f = &fs->f[0];
    assert_value(f, 0, "2019-W01", 1);      /* Monday 2018-12-31 */
    assert_value(f, f->n - 1, "2020-W53", 1); /* Friday 2021-01-01 */
    assert_int_equal(f->n, 52 + 53);
    cti_facets_free(fs);
}

/* Too many periods between two dates: only the ones with matches. */
static void test_period_cap(void **state)
{
    cti_facets *fs = count1(state, "faraway", CTI_FACET_DAY, 20);
    const cti_facet *f = &fs->f[0];
    assert_false(f->gaps);
    assert_int_equal(f->n, 2);
    assert_value(f, 0, "1700-01-01", 1);
    assert_value(f, 1, "2000-01-01", 1);
    cti_facets_free(fs);
    fs = count1(state, "faraway", CTI_FACET_YEAR, 20);
    assert_true(fs->f[0].gaps);
    assert_int_equal(fs->f[0].n, 301);
    cti_facets_free(fs);
}

/* Most frequent first, ties by name; the limit keeps the first ones. */
static void test_sources_and_authors(void **state)
{
    cti_facets *fs = count1(state, "antitrust", CTI_FACET_SOURCE, 20);
    const cti_facet *f = &fs->f[0];
    assert_int_equal(f->n, 2);
    assert_value(f, 0, "Daily Planet", 2);
    assert_value(f, 1, "Gazette", 2);
    assert_int_equal(f->missing, 1);
    cti_facets_free(fs);
    fs = count1(state, "antitrust", CTI_FACET_SOURCE, 1);
    assert_int_equal(fs->f[0].n, 1);
    assert_int_equal(fs->f[0].distinct, 2);
    cti_facets_free(fs);
    fs = count1(state, "antitrust", CTI_FACET_AUTHOR, 0);
    assert_value(&fs->f[0], 0, "Lois Lane", 2);
    assert_int_equal(fs->f[0].missing, 3);
    cti_facets_free(fs);
}

/* Several kinds in one run, and every article without a query. */
static void test_several_and_all(void **state)
{
    index_fixture *fx = *state;
    cti_facet_kind k[2] = { CTI_FACET_SOURCE, CTI_FACET_YEAR };
    cti_facets *fs = NULL;
    char err[256];
    assert_int_equal(cti_facets_count(fx->s, NULL, NULL, k, 2, 0, &fs, NULL,
                                      err, sizeof err), CTI_OK);
    assert_int_equal(fs->matches, 10);
    assert_int_equal(fs->n, 2);
    assert_int_equal(fs->f[0].distinct, 3);
    assert_int_equal(fs->f[1].kind, CTI_FACET_YEAR);
    assert_int_equal(fs->f[1].missing, 1);
    cti_facets_free(fs);
}

/* Zero matches is a result; a bad query is an error with its column. */
static void test_no_match_and_errors(void **state)
{
    index_fixture *fx = *state;
    cti_facets *fs = count1(state, "zebracorn", CTI_FACET_MONTH, 20);
    assert_int_equal(fs->matches, 0);
    assert_int_equal(fs->f[0].n, 0);
    assert_int_equal(fs->f[0].missing, 0);
    cti_facets_free(fs);
    cti_facet_kind k = CTI_FACET_YEAR;
    cti_query_error qe;
    char err[256];
    fs = (cti_facets *)1;
    assert_int_equal(cti_facets_count(fx->s, "\"unclosed", NULL, &k, 1, 0, &fs,
                                      &qe, err, sizeof err), CTI_EINVAL);
    assert_null(fs);
    assert_true(qe.column > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_decades),
        cmocka_unit_test(test_years),
        cmocka_unit_test(test_months_with_gaps),
        cmocka_unit_test(test_weeks_and_days),
        cmocka_unit_test(test_week_year_boundary),
        cmocka_unit_test(test_period_cap),
        cmocka_unit_test(test_sources_and_authors),
        cmocka_unit_test(test_several_and_all),
        cmocka_unit_test(test_no_match_and_errors),
    };
    return cmocka_run_group_tests_name("facet", tests, setup, teardown);
}
