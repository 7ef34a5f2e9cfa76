/*
 * test_view.c - one article, whole: paragraphs, highlights, escaping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

/* The highlighted words of 's', joined by '|'. */
static void spans_of(const cti_snippet *s, char *out, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; i < s->nspans; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%.*s", i ? "|" : "",
                 (int)(s->spans[i].end - s->spans[i].start),
                 s->text + s->spans[i].start);
}

static void test_paragraphs_and_highlights(void **state)
{
    web_fixture *fx = *state;
    cti_view v;
    char err[256], got[256];
    assert_int_equal(cti_view_load(fx->s, "a1", 2, "\"Lina Khan\" OR title:Harris",
                                   0, &v, err, sizeof err), CTI_OK);
    assert_string_equal(v.text.text, "Kamala Harris met tech donors about "
                        "antitrust.\n\nLina Khan was discussed.");
    /* The phrase is one span; title: terms only in the title. */
    spans_of(&v.text, got, sizeof got);
    assert_string_equal(got, "Lina Khan");
    spans_of(&v.title, got, sizeof got);
    assert_string_equal(got, "Harris");
    assert_string_equal(v.rec.source, "Daily Planet");
    assert_false(v.query_error);
    cti_view_release(&v);
    /* Without a query nothing is highlighted. */
    assert_int_equal(cti_view_load(fx->s, "a1", 2, "", 0, &v, err, sizeof err),
                     CTI_OK);
    assert_int_equal(v.text.nspans, 0);
    assert_int_equal(v.title.nspans, 0);
    cti_view_release(&v);
}

static void test_unknown_and_bad_query(void **state)
{
    web_fixture *fx = *state;
    cti_view v;
    char err[256];
    assert_int_equal(cti_view_load(fx->s, "nope", 4, "", 0, &v, err, sizeof err),
                     CTI_ENOTFOUND);
    assert_non_null(strstr(err, "no article"));
    cti_view_release(&v);
    /* A prefix of an id is not the id. */
    assert_int_equal(cti_view_load(fx->s, "a", 1, "", 0, &v, err, sizeof err),
                     CTI_ENOTFOUND);
    cti_view_release(&v);
    assert_int_equal(cti_view_load(fx->s, "a2", 2, "antitrust (", 0, &v, err,
                                   sizeof err), CTI_OK);
    assert_true(v.query_error);
    assert_int_equal(v.text.nspans, 0);
    cti_view_release(&v);
}

static void test_hostile_article_escaped(void **state)
{
    web_fixture *fx = *state;
    cti_view v;
    cti_webq w;
    cti_markup h;
    char err[256];
    size_t len;
    assert_int_equal(cti_view_load(fx->s, "x<1>", 4, "antitrust", 0, &v, err,
                                   sizeof err), CTI_OK);
    cti_webq_default(&w);
    w.q = "antitrust";
    w.qlen = 9;
    w.id = "x<1>";
    w.idlen = 4;
    cti_markup_init(&h);
    cti_view_html(&h, &v, &w, 5);
    char *page = cti_markup_take(&h, &len);
    assert_non_null(page);
    assert_non_null(strstr(page, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert_non_null(strstr(page, "&lt;img src=x onerror=alert(3)&gt; <mark>antitrust</mark> "
                                 "&amp; &quot;quotes&quot;"));
    assert_non_null(strstr(page, "&lt;b&gt;Evil&lt;/b&gt;"));
    assert_non_null(strstr(page, "x&lt;1&gt;"));
    assert_null(strstr(page, "<script>alert"));
    assert_null(strstr(page, "<img src=x"));
    assert_null(strstr(page, "href=\"javascript"));
    free(page);
    cti_view_release(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paragraphs_and_highlights),
        cmocka_unit_test(test_unknown_and_bad_query),
        cmocka_unit_test(test_hostile_article_escaped),
    };
    return cmocka_run_group_tests_name("view", tests, setup, teardown);
}
