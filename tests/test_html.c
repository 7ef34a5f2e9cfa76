/*
 * test_html.c - web pages: metadata, the main content without the page
 * furniture, the set-aside text, charsets, broken markup, sniffing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_html.h"
#include "lib/fixture.h"

/* Parse the web page 'rel' (from the repository root, lib/fixture.h). */
static int parse_file(const char *rel, cti_article *a, char *msg, size_t msglen)
{
    size_t n;
    char *buf = fixture_read(rel, &n);
    int rc = cti_html_parse(buf, n, a, msg, msglen);
    free(buf);
    return rc;
}

static int parse_str(const char *s, cti_article *a)
{
    char msg[256];
    return cti_html_parse(s, strlen(s), a, msg, sizeof msg);
}

static void has(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("'%s' is missing from:\n%s", needle, hay ? hay : "(null)");
}

static void lacks(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        fail_msg("'%s' should not be in:\n%s", needle, hay);
}

/* A WordPress article page: the article, its metadata, and nothing of
   the menus, comments, sidebar, footer, scripts or styles. */
static void test_wordpress(void **state)
{
    (void)state;
    cti_article a;
    char msg[256];
    assert_int_equal(parse_file("tests/data/formats/wordpress-article.html",
                                &a, msg, sizeof msg), CTI_HTML_OK);
    assert_string_equal(msg, "");
    assert_string_equal(a.title, "City Council Approves Harbor Seawall Plan");
    assert_string_equal(a.date, "2024-07-15T14:32:10+00:00");
    assert_string_equal(a.author, "Maria Delgado");
    assert_string_equal(a.source, "The Bayport Ledger");
    assert_string_equal(a.url, "https://bayportledger.example/2024/07/15/"
                               "city-council-approves-harbor-seawall-plan/");
    /* The text, its entities decoded, its paragraphs and list kept. */
    assert_true(strncmp(a.body, "After two years of debate", 25) == 0);
    has(a.body, "voted 5\xe2\x80\x93" "2 on Monday");
    has(a.body, "storms grow stronger.\n\nThe $14.2 million");
    has(a.body, "\xe2\x80\x9cWe cannot keep pumping");
    has(a.body, "The harbor flooded eleven times");
    has(a.body, "outfall\nA public walkway");
    has(a.body, "the city\xe2\x80\x99s share");
    has(a.body, "spring & last about eighteen months.");
    assert_int_equal(a.body_len, strlen(a.body));
    const char *out[] = {
        "Zucchini", "Leave a comment", "Your email address", "Recent Posts",
        "Proudly powered", "adsbygoogle", "googletag", "Obituaries",
        "Skip to content", "--wp--preset", "Previous post", "Tagged",
        "Published July", "polyfills", "Library levy", "<p>", "&rsquo;",
    };
    for (size_t i = 0; i < sizeof out / sizeof *out; i++)
        lacks(a.body, out[i]);
    lacks(a.body, "City Council Approves Harbor Seawall Plan");
    /* The furniture is set aside, scripts are not. */
    assert_non_null(a.aside);
    assert_int_equal(a.aside_len, strlen(a.aside));
    has(a.aside, "Zucchini bread for everyone on the council.");
    has(a.aside, "Obituaries");
    has(a.aside, "Recent Posts");
    has(a.aside, "Leave a comment");
    has(a.aside, "Proudly powered by WordPress.");
    lacks(a.aside, "adsbygoogle");
    lacks(a.aside, "polyfills");
    lacks(a.aside, "After two years");
    cti_article_release(&a);
}

/* Broken markup is read as a browser would: unclosed and misnested tags,
   a bare '&' and '<', an unclosed <title>. */
static void test_broken(void **state)
{
    (void)state;
    cti_article a;
    char msg[256];
    assert_int_equal(parse_file("tests/data/formats/broken.html", &a, msg,
                                sizeof msg), CTI_HTML_OK);
    assert_string_equal(a.title, "Bridge reopens after repairs");
    has(a.body, "after eight months of repairs & repainting.");
    has(a.body, "a four-mile detour through the industrial park since March.");
    has(a.body, "replaced \xe2\x80\x94 the first time since 1964 <3 and");
    has(a.body, "Cost $3.1 million");
    lacks(a.body, "<b>");
    lacks(a.body, "</span>");
    cti_article_release(&a);
}

/* A declared charset is honoured; an undeclared non-UTF-8 page is read
   as Windows-1252 with a note. */
static void test_charsets(void **state)
{
    (void)state;
    cti_article a;
    char msg[256];
    assert_int_equal(parse_file("tests/data/formats/legacy-latin1.html", &a,
                                msg, sizeof msg), CTI_HTML_OK);
    assert_string_equal(msg, "");
    assert_string_equal(a.title, "Market report");
    has(a.body, "Wheat closed at \xc2\xa3" "212.50 \xe2\x80\x93 up 3%");
    has(a.body, "Caf\xc3\xa9 Exchange, Mr. M\xc3\xbcller said.");
    cti_article_release(&a);

    const char *latin = "<html><body><p>Caf\xe9 cr\xe8me at \xa3" "4</p></body></html>";
    assert_int_equal(cti_html_parse(latin, strlen(latin), &a, msg, sizeof msg),
                     CTI_HTML_OK);
    assert_string_equal(a.body, "Caf\xc3\xa9 cr\xc3\xa8me at \xc2\xa3" "4");
    has(msg, "Windows-1252");
    cti_article_release(&a);

    /* A meta saying UTF-16 in a page that is not: read as UTF-8. */
    const char *u = "<html><head><meta charset=\"utf-16\"></head><body><p>na\xc3\xafve</p>";
    assert_int_equal(parse_str(u, &a), CTI_HTML_OK);
    assert_string_equal(a.body, "na\xc3\xafve");
    cti_article_release(&a);

    /* An unknown charset: a note, and the page read anyway. */
    const char *x = "<html><head><meta charset=\"x-martian\"></head><body><p>plain</p>";
    assert_int_equal(cti_html_parse(x, strlen(x), &a, msg, sizeof msg), CTI_HTML_OK);
    has(msg, "unknown charset \"x-martian\"");
    assert_string_equal(a.body, "plain");
    cti_article_release(&a);
}

typedef struct tcase {
    const char *page;
    const char *title;
} tcase;

/* Where the title comes from, and the site's name taken off it. */
static void test_titles(void **state)
{
    (void)state;
    static const tcase cases[] = {
        { "<title>Harbor reopens | Coastal Times</title><p>x</p>", "Harbor reopens" },
        { "<title>Harbor reopens - Coastal Times</title><p>x</p>", "Harbor reopens" },
        { "<head><meta property=\"og:site_name\" content=\"Coastal Times\">"
          "<title>Coastal Times | Harbor reopens at last</title></head><p>x</p>",
          "Harbor reopens at last" },
        { "<title>Harbor reopens - a look back at forty years of storms</title><p>x</p>",
          "Harbor reopens - a look back at forty years of storms" },
        { "<head><meta property=\"og:title\" content=\"OG title | Coastal Times\">"
          "<meta property=\"og:site_name\" content=\"Coastal Times\">"
          "<title>Other</title></head><p>x</p>", "OG title" },
        { "<head><script type=\"application/ld+json\">[{\"@type\":\"WebSite\","
          "\"headline\":\"no\"},{\"@type\":[\"NewsArticle\"],\"headline\":"
          "\"From JSON-LD\",\"datePublished\":\"2023-05-06\",\"author\":"
          "[{\"name\":\"Ann\"},{\"name\":\"Bo\"}],\"publisher\":{\"name\":"
          "\"Wire\"}}]</script><title>Other</title></head><p>x</p>",
          "From JSON-LD" },
        { "<body><h1>Only a heading</h1><p>Some text.</p></body>", "Only a heading" },
        { "<body><p>No title anywhere. The text goes on.</p></body>",
          "No title anywhere." },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cti_article a;
        if (parse_str(cases[i].page, &a) != CTI_HTML_OK)
            fail_msg("page %zu was not read", i);
        if (!a.title || strcmp(a.title, cases[i].title) != 0)
            fail_msg("page %zu: title '%s', want '%s'", i, a.title, cases[i].title);
        if (i == 5) {
            assert_string_equal(a.date, "2023-05-06");
            assert_string_equal(a.author, "Ann, Bo");
            assert_string_equal(a.source, "Wire");
        }
        cti_article_release(&a);
    }
}

/* Which element is the main content. */
static void test_main_content(void **state)
{
    (void)state;
    cti_article a;
    /* The longest article wins over a teaser; its <time> gives the date,
       not the sidebar's earlier one. */
    const char *two = "<body><aside><time datetime=\"2001-01-01\">old</time></aside>"
        "<article><p>Teaser text.</p></article>"
        "<article><time datetime=\"2022-02-02T10:00\">Feb 2</time><p>The real "
        "story is this long paragraph, longer than the teaser by far, with "
        "enough words to win.</p></article></body>";
    assert_int_equal(parse_str(two, &a), CTI_HTML_OK);
    has(a.body, "The real story");
    lacks(a.body, "Teaser");
    assert_string_equal(a.date, "2022-02-02T10:00");
    cti_article_release(&a);
    /* itemprop=articleBody when there is no article. */
    const char *ip = "<body><div>Menu Home About</div><div itemprop=\"articleBody\">"
        "<p>Body by microdata.</p></div><div>Footer links</div></body>";
    assert_int_equal(parse_str(ip, &a), CTI_HTML_OK);
    assert_string_equal(a.body, "Body by microdata.");
    cti_article_release(&a);
    /* <main>, and a page-wide form (ASP.NET) is not furniture. */
    const char *form = "<body><form id=\"aspnetForm\"><div>Top links</div><main>"
        "<p>Inside the main element.</p></main><div>Bottom links</div></form></body>";
    assert_int_equal(parse_str(form, &a), CTI_HTML_OK);
    assert_string_equal(a.body, "Inside the main element.");
    cti_article_release(&a);
    /* The whole body, without its furniture. */
    const char *body = "<body><nav>Home News</nav><div role=\"banner\">Logo</div>"
        "<p>First.</p><div hidden>secret</div><p>Second<br>line.</p>"
        "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
        "<pre>  keep   this\n  layout</pre><footer>(c)</footer></body>";
    assert_int_equal(parse_str(body, &a), CTI_HTML_OK);
    assert_string_equal(a.body, "First.\n\nSecond\nline.\n\na b\nc d\n\n"
                                "  keep   this\n  layout");
    has(a.aside, "Home News");
    has(a.aside, "Logo");
    has(a.aside, "(c)");
    lacks(a.aside, "secret");
    cti_article_release(&a);
}

/* Pages without article text, and hostile nesting. */
static void test_empty_and_deep(void **state)
{
    (void)state;
    cti_article a;
    char msg[256];
    const char *js = "<html><head><title>App</title><script>boot()</script></head>"
                     "<body><noscript>Enable JavaScript</noscript>"
                     "<div id=\"root\"></div></body></html>";
    assert_int_equal(cti_html_parse(js, strlen(js), &a, msg, sizeof msg),
                     CTI_HTML_EMPTY);
    assert_null(a.body);
    /* 100,000 nested elements: no stack overflow, whatever is kept. */
    size_t depth = 100000, n = 0;
    char *deep = malloc(depth * 11 + 64);
    assert_non_null(deep);
    n += (size_t)sprintf(deep, "<html><body>");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(deep + n, "<div><span>");
    n += (size_t)sprintf(deep + n, "deep text");
    int rc = cti_html_parse(deep, n, &a, msg, sizeof msg);
    assert_true(rc == CTI_HTML_OK || rc == CTI_HTML_EMPTY || rc == CTI_HTML_BAD);
    if (rc == CTI_HTML_OK)
        cti_article_release(&a);
    free(deep);
}

static void test_sniff(void **state)
{
    (void)state;
    const char *yes[] = {
        "<!DOCTYPE html><html>", "\xef\xbb\xbf\n  <!doctype HTML>", "<html lang=en>",
        "<HEAD><title>x</title>",
        "<!-- saved from url=(0022)http://example.com/ -->\n<html>",
        "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">",
    };
    const char *no[] = {
        "", "Plain text <html> later", "<p>a fragment</p>", "<!-- a comment -->\ntext",
        "<?xml version=\"1.0\"?><rss>", "< html>",
    };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!cti_html_sniff(yes[i], strlen(yes[i])))
            fail_msg("'%s' not taken for a web page", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (cti_html_sniff(no[i], strlen(no[i])))
            fail_msg("'%s' taken for a web page", no[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wordpress),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_charsets),
        cmocka_unit_test(test_titles),
        cmocka_unit_test(test_main_content),
        cmocka_unit_test(test_empty_and_deep),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
