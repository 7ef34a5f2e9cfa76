/*
 * test_view.c - one article, whole: paragraphs, highlights, escaping, and
 * its JSON (what cti-search --show --json prints).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cti_api.h"
#include "cti_view.h"
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

/* The article page of 'id' for query 'q' (status in *status). */
static char *page(web_fixture *fx, const char *id, const char *q, int *status)
{
    cti_view v;
    cti_webq w;
    cti_markup h;
    char err[256];
    size_t len;
    cti_webq_default(&w);
    w.q = q;
    w.qlen = strlen(q);
    w.id = id;
    w.idlen = strlen(id);
    cti_markup_init(&h);
    cti_status st = cti_view_load(fx->s, id, strlen(id), q, 0, &v, err, sizeof err);
    *status = st == CTI_OK ? 200 : st == CTI_ENOTFOUND ? 404 : 500;
    if (st == CTI_OK)
        cti_view_html(&h, &v, &w, 5);
    else
        cti_markup_str(&h, err);
    cti_view_release(&v);
    char *r = cti_markup_take(&h, &len);
    assert_non_null(r);
    return r;
}

static void test_paragraphs_and_highlights(void **state)
{
    int status;
    char *p = page(*state, "a1", "\"Lina Khan\" OR title:Harris", &status);
    assert_int_equal(status, 200);
    /* Blank lines separate paragraphs; the phrase is one span; title:
       words only in the title. */
    assert_non_null(strstr(p, "<p>Kamala Harris met tech donors about antitrust.</p>\n"
                              "<p><mark>Lina Khan</mark> was discussed."));
    assert_non_null(strstr(p, "<h1><mark>Harris</mark> courts Silicon Valley</h1>"));
    assert_non_null(strstr(p, "1 match highlighted"));
    assert_non_null(strstr(p, "<time datetime=\"2024-07-15\">2024-07-15</time>"));
    assert_non_null(strstr(p, "<span class=\"source\">Daily Planet</span>"));
    assert_non_null(strstr(p, "href=\"/?q=%22Lina%20Khan%22%20OR%20title%3AHarris\""));
    free(p);
    /* Without a query nothing is highlighted and there is no count. */
    p = page(*state, "a1", "", &status);
    assert_null(strstr(p, "<mark>"));
    assert_null(strstr(p, "highlighted"));
    assert_non_null(strstr(p, "← New search"));
    free(p);
}

static void test_unknown_and_bad_query(void **state)
{
    int status;
    char *p = page(*state, "nope", "", &status);
    assert_int_equal(status, 404);
    assert_non_null(strstr(p, "no article"));
    free(p);
    /* A prefix of an id is not the id. */
    p = page(*state, "a", "", &status);
    assert_int_equal(status, 404);
    free(p);
    p = page(*state, "a2", "antitrust (", &status);
    assert_int_equal(status, 200);
    assert_non_null(strstr(p, "Nothing is highlighted: the query has a syntax error"));
    assert_null(strstr(p, "<mark>"));
    free(p);
}

static void test_hostile_article_escaped(void **state)
{
    int status;
    char *p = page(*state, "x<1>", "antitrust", &status);
    assert_int_equal(status, 200);
    assert_non_null(strstr(p, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert_non_null(strstr(p, "&lt;img src=x onerror=alert(3)&gt; <mark>antitrust</mark> "
                              "&amp; &quot;quotes&quot;"));
    assert_non_null(strstr(p, "&lt;b&gt;Evil&lt;/b&gt;"));
    assert_non_null(strstr(p, "x&lt;1&gt;"));
    assert_null(strstr(p, "<script>alert"));
    assert_null(strstr(p, "<img src=x"));
    assert_null(strstr(p, "href=\"javascript"));
    free(p);
}

static void test_json(void **state)
{
    web_fixture *fx = *state;
    cti_webq w;
    cti_markup h;
    size_t len;
    cti_webq_default(&w);
    w.id = "a2";
    w.idlen = 2;
    w.q = "antitrust";
    w.qlen = 9;
    cti_markup_init(&h);
    assert_int_equal(cti_api_article(fx->s, &w, &h), 200);
    char *j = cti_markup_take(&h, &len);
    assert_non_null(strstr(j, "\"id\":\"a2\""));
    assert_non_null(strstr(j, "\"text\":\"The antitrust agenda of Lina Khan, again.\""));
    assert_non_null(strstr(j, "\"highlights\":[[4,13]]"));
    free(j);
    w.id = "nope";
    w.idlen = 4;
    assert_int_equal(cti_api_article(fx->s, &w, &h), 404);
    j = cti_markup_take(&h, &len);
    assert_non_null(strstr(j, "\"error\""));
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paragraphs_and_highlights),
        cmocka_unit_test(test_unknown_and_bad_query),
        cmocka_unit_test(test_hostile_article_escaped),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests_name("view", tests, setup, teardown);
}
