/*
 * test_page.c - the search page: hits, counts, paging, narrowing links,
 * did you mean, syntax errors, escaping, copies of a story shown once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cti_page.h"
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

static char *page(web_fixture *fx, const char *q, int offset, int limit,
                  int *status)
{
    cti_webq w;
    cti_markup h;
    size_t len;
    cti_webq_default(&w);
    w.q = q;
    w.qlen = strlen(q);
    w.offset = (uint32_t)offset;
    w.limit = (uint32_t)limit;
    cti_markup_init(&h);
    *status = cti_page_search(fx->s, &w, &h);
    char *r = cti_markup_take(&h, &len);
    assert_non_null(r);
    return r;
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void test_narrow(void **state)
{
    (void)state;
    char *q = cti_page_narrow("Lina Khan", 9, "date:2024-07");
    assert_string_equal(q, "Lina Khan date:2024-07");
    free(q);
    q = cti_page_narrow("Harris OR Bloomberg", 19, "source:\"X\"");
    assert_string_equal(q, "(Harris OR Bloomberg) source:\"X\"");
    free(q);
    /* OR inside quotes or words is not the operator. */
    q = cti_page_narrow("\"war OR peace\" ORACLE", 21, "date:2024");
    assert_string_equal(q, "\"war OR peace\" ORACLE date:2024");
    free(q);
    q = cti_page_narrow("a OR(b)", 7, "date:2024");
    assert_string_equal(q, "(a OR(b)) date:2024");
    free(q);
}

static void test_hits_counts_facets(void **state)
{
    int status;
    char *p = page(*state, "antitrust", 0, 10, &status);
    assert_int_equal(status, 200);
    assert_non_null(strstr(p, "<strong>5</strong> matches"));
    assert_int_equal(count_of(p, "<li class=\"hit\">"), 5);
    assert_non_null(strstr(p, "<mark>antitrust</mark>"));
    /* The timeline by month (2023 has a year only: by year) and links. */
    assert_non_null(strstr(p, "By year"));
    assert_non_null(strstr(p, "href=\"/?q=antitrust%20date%3A2024\""));
    assert_non_null(strstr(p, "href=\"/?q=antitrust%20source%3A%22Daily%20Planet%22\""));
    /* A quote in a source name does not end the phrase. */
    assert_non_null(strstr(p, "source%3A%22Gotham%20%20Gazette%20%22"));
    assert_non_null(strstr(p, "author%3A%22Lois%20Lane%22"));
    /* The hostile article's fields are text. */
    assert_non_null(strstr(p, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(p, "<script>alert"));
    assert_null(strstr(p, "<b>Evil"));
    free(p);
    p = page(*state, "antitrust date:2024", 0, 10, &status);
    assert_non_null(strstr(p, "By month"));
    assert_non_null(strstr(p, "title=\"2024-08: 0\""));   /* empty month shown */
    free(p);
}

static void test_paging(void **state)
{
    int status;
    char *p = page(*state, "antitrust", 0, 2, &status);
    assert_int_equal(count_of(p, "<li class=\"hit\">"), 2);
    assert_non_null(strstr(p, "<span>1–2 of 5</span>"));
    assert_non_null(strstr(p, "rel=\"next\" href=\"/?q=antitrust&amp;offset=2&amp;n=2\""));
    assert_null(strstr(p, "rel=\"prev\""));
    free(p);
    p = page(*state, "antitrust", 4, 2, &status);
    assert_int_equal(count_of(p, "<li class=\"hit\">"), 1);
    assert_non_null(strstr(p, "<ol class=\"hits\" start=\"5\">"));
    assert_non_null(strstr(p, "rel=\"prev\" href=\"/?q=antitrust&amp;offset=2&amp;n=2\""));
    assert_null(strstr(p, "rel=\"next\""));
    free(p);
    p = page(*state, "antitrust", 50, 2, &status);
    assert_int_equal(status, 200);
    assert_non_null(strstr(p, "No more matches"));
    free(p);
}

static void test_no_match_and_syntax(void **state)
{
    int status;
    char *p = page(*state, "antitrast", 0, 10, &status);
    assert_int_equal(status, 200);
    assert_non_null(strstr(p, "No article matches <q>antitrast</q>"));
    assert_non_null(strstr(p, "Did you mean <a href=\"/?q=antitrust\">antitrust</a>?"));
    free(p);
    p = page(*state, "Lina AND", 0, 10, &status);
    assert_int_equal(status, 400);
    assert_non_null(strstr(p, "Syntax error at column"));
    assert_non_null(strstr(p, "<pre>Lina AND\n"));
    free(p);
    p = page(*state, "", 0, 10, &status);
    assert_int_equal(status, 200);
    assert_non_null(strstr(p, "Search 5 articles"));
    free(p);
}

/* The same wire story under three mastheads, and another story. */
static const char copies_jsonl[] =
#define WIRE "The city council voted on Tuesday to close the old harbor bridge " \
    "for repairs that engineers say are long overdue, and the mayor promised " \
    "ferries would run every twenty minutes until the work is finished next " \
    "spring, while shop owners on both banks warned that the detour would " \
    "cost them customers through the busy summer months."
    "{\"id\":\"w1\",\"title\":\"Harbor bridge to close\",\"source\":\"Ledger\","
    "\"text\":\"" WIRE "\"}\n"
    "{\"id\":\"w2\",\"title\":\"Council shuts harbor bridge\",\"source\":\"Courier\","
    "\"text\":\"COURIER NEWS SERVICE. " WIRE " Copyright the Courier.\"}\n"
    "{\"id\":\"w3\",\"title\":\"Bridge closing for repairs\",\"source\":\"Post\","
    "\"text\":\"" WIRE " Reporting by the Post's city desk.\"}\n"
    "{\"id\":\"o1\",\"title\":\"Ferries added\",\"source\":\"Ledger\","
    "\"text\":\"The ferry company hired twelve new captains ahead of the harbor "
    "bridge closure, its chief executive said at a packed meeting on Monday.\"}\n";
#undef WIRE

static void test_copies_collapsed(void **state)
{
    (void)state;
    int status;
    web_fixture *fx = web_fixture_new(copies_jsonl);
    assert_non_null(fx);
    char *p = page(fx, "harbor bridge", 0, 10, &status);
    assert_int_equal(status, 200);
    /* Each story once, its copies counted beside it and in the summary. */
    assert_non_null(strstr(p, "<strong>2</strong> stories (4 articles)"));
    assert_int_equal(count_of(p, "<li class=\"hit\">"), 2);
    assert_non_null(strstr(p, "2 similar</p>"));
    free(p);
    /* A story without copies: no "similar", matches as always. */
    p = page(fx, "captains", 0, 10, &status);
    assert_non_null(strstr(p, "<strong>1</strong> match "));
    assert_null(strstr(p, "similar</p>"));
    free(p);
    web_fixture_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_narrow),
        cmocka_unit_test(test_hits_counts_facets),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_no_match_and_syntax),
        cmocka_unit_test(test_copies_collapsed),
    };
    return cmocka_run_group_tests_name("page", tests, setup, teardown);
}
