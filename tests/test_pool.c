/*
 * test_pool.c - shared search handles follow what cti-index commits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cti_pool.h"
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

static uint32_t matches(cti_pool *p, const char *q)
{
    cti_search *s = NULL;
    cti_results *r = NULL;
    char err[256];
    cti_search_opts o;
    cti_search_opts_default(&o);
    o.check_at_least = UINT32_MAX;
    assert_int_equal(cti_pool_take(p, &s, err, sizeof err), CTI_OK);
    assert_int_equal(cti_search_run(s, q, &o, &r, NULL, err, sizeof err), CTI_OK);
    uint32_t n = r->matches;
    cti_results_free(r);
    cti_pool_give(p, s);
    return n;
}

static void test_new_articles_seen(void **state)
{
    web_fixture *fx = *state;
    cti_pool *p = NULL;
    char err[256];
    assert_int_equal(cti_pool_new(fx->db, 2, &p, err, sizeof err), CTI_OK);
    assert_int_equal(matches(p, "zebracorn"), 0);
    assert_int_equal(web_fixture_add(fx, "{\"id\":\"z1\",\"title\":\"z\","
                                     "\"text\":\"a zebracorn appears\"}\n"), 0);
    assert_int_equal(matches(p, "zebracorn"), 1);
    /* The index is removed and built again: a new handle is opened. */
    nftw(fx->db, web_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    assert_int_equal(web_fixture_add(fx, "{\"id\":\"z2\",\"title\":\"z\","
                                     "\"text\":\"two zebracorns\"}\n"), 0);
    assert_int_equal(matches(p, "zebracorn"), 1);
    assert_int_equal(matches(p, "antitrust"), 0);
    /* Gone altogether: a clear error, and the pool still works after. */
    nftw(fx->db, web_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    cti_search *s = (cti_search *)1;
    assert_int_not_equal(cti_pool_take(p, &s, err, sizeof err), CTI_OK);
    assert_null(s);
    assert_true(strlen(err) > 0);
    assert_int_equal(web_fixture_add(fx, web_fixture_news), 0);
    assert_int_equal(matches(p, "antitrust"), 5);
    cti_pool_free(p);
}

static void test_not_an_index(void **state)
{
    (void)state;
    cti_pool *p = (cti_pool *)1;
    char err[256];
    assert_int_not_equal(cti_pool_new("/nonexistent/cti", 2, &p, err, sizeof err),
                         CTI_OK);
    assert_null(p);
    assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_articles_seen),
        cmocka_unit_test(test_not_an_index),
    };
    return cmocka_run_group_tests_name("pool", tests, setup, teardown);
}
