/*
 * test_boiler.c - what is set aside as page boilerplate, and what is kept:
 * the three scraped articles of corpus/ exactly, then each rule alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_article.h"
#include "cti_boiler.h"
#include "cti_store.h"
#include "lib/fixture.h"

static void parse_file(const char *rel, cti_article *a)
{
    size_t n;
    char *buf = fixture_read(rel, &n);
    assert_int_equal(cti_article_parse_text(buf, n, a), 0);
    free(buf);
}

typedef struct want {
    const char *from;   /* the range starts at the first occurrence of this */
    const char *to;     /* and ends after the last occurrence of this (NULL: the text end) */
    cti_boiler_kind kind;
} want;

/*
 * Scan 'text' and check that exactly the ranges in w[0..n) are set aside,
 * so that everything else (every sentence of the article) is kept.
 */
static void expect_ranges(cti_boiler *b, const char *text, const want *w,
                          size_t n)
{
    size_t nr;
    assert_int_equal(cti_boiler_scan(b, text, strlen(text)), CTI_OK);
    const cti_boiler_range *r = cti_boiler_ranges(b, &nr);
    for (size_t i = 0; i < nr && i < n; i++) {
        const char *s = strstr(text, w[i].from);
        assert_non_null(s);
        size_t start = (size_t)(s - text), end = strlen(text);
        while (end > start && strchr(" \n", text[end - 1]))
            end--;
        if (w[i].to) {
            const char *e = NULL;
            for (const char *p = strstr(s, w[i].to); p; p = strstr(p + 1, w[i].to))
                e = p;
            assert_non_null(e);
            end = (size_t)(e - text) + strlen(w[i].to);
        }
        if (r[i].start != start || r[i].end != end || r[i].kind != w[i].kind)
            fail_msg("range %zu: got [%zu, %zu) %s \"%.*s\", want [%zu, %zu) %s",
                     i, r[i].start, r[i].end, cti_boiler_kind_name(r[i].kind),
                     (int)(r[i].end - r[i].start), text + r[i].start, start,
                     end, cti_boiler_kind_name(w[i].kind));
    }
    if (nr != n) {
        for (size_t i = 0; i < nr; i++)
            fprintf(stderr, "  set aside: %s \"%.*s\"\n",
                    cti_boiler_kind_name(r[i].kind),
                    (int)(r[i].end - r[i].start), text + r[i].start);
        fail_msg("%zu ranges set aside, want %zu", nr, n);
    }
}

static void expect_kept(cti_boiler *b, const char *text)
{
    expect_ranges(b, text, NULL, 0);
}

/* ----------------------------------------------------------- corpus/ */

static void test_corpus_harris_comment(void **state)
{
    cti_boiler *b = *state;
    cti_article a;
    parse_file("corpus/01-harris-courts-silicon-valley.txt", &a);
    /* The spam comment and its heading, nothing else. */
    static const want w[] = { { "1 Comment\n", NULL, CTI_BOILER_COMMENTS } };
    expect_ranges(b, a.body, w, 1);
    size_t aside, words = cti_boiler_words(b, &aside);
    assert_true(words > 700);
    assert_int_equal(aside, 2 + 51); /* "1 Comment" and the comment */
    cti_article_release(&a);
}

static void test_corpus_bloomberg_commenting(void **state)
{
    cti_boiler *b = *state;
    cti_article a;
    parse_file("corpus/02-bloomberg-courts-big-tech-leaders.txt", &a);
    /* The photo caption and credit at the start are the article's. */
    static const want w[] = {
        { "Please let us know", "commenting.", CTI_BOILER_COMMENTS },
    };
    expect_ranges(b, a.body, w, 1);
    cti_article_release(&a);
}

static void test_corpus_spun_furniture(void **state)
{
    cti_boiler *b = *state;
    cti_article a;
    parse_file("corpus/03-bloomberg-asks-tech-leaders-for-staff.txt", &a);
    static const want w[] = {
        { "Home / Tech", "staff their campaign", CTI_BOILER_NAV },
        { "About Agent", "About Agent", CTI_BOILER_AUTHOR },
        { "Check Also", "unfold of \xe2\x80\xa6", CTI_BOILER_TEASER },
        { "Leave a Reply", NULL, CTI_BOILER_COMMENTS },
    };
    expect_ranges(b, a.body, w, 4);
    cti_article_release(&a);
}

static void test_corpus_breadcrumb(void **state)
{
    cti_boiler *b = *state;
    /* corpus/03 as the page reads, breadcrumb and headline included. */
    size_t n;
    char *page = fixture_read("corpus/03-bloomberg-asks-tech-leaders-for-staff.txt", &n);
    size_t nr;
    assert_int_equal(cti_boiler_scan(b, page, n), CTI_OK);
    const cti_boiler_range *r = cti_boiler_ranges(b, &nr);
    assert_int_equal(nr, 4);
    assert_int_equal(r[0].kind, CTI_BOILER_NAV);
    assert_int_equal(r[0].start, 0);
    assert_memory_equal(page + r[0].end - 8, "campaign", 8);
    assert_int_equal(page[r[0].end], '\n');
    /* The headline lines after it are kept. */
    assert_int_equal(r[1].kind, CTI_BOILER_AUTHOR);
    free(page);
}

/* -------------------------------------------------------------- rules */

static const char PROSE[] =
    "The senator said on Tuesday that the bill would pass the chamber "
    "before the recess, and that the votes were already counted.\n"
    "Her office did not answer questions about the timing of the vote, "
    "which has been delayed twice since the spring.\n";

static void test_clean_text_kept(void **state)
{
    cti_boiler *b = *state;
    size_t n;
    char *sotu = fixture_read("tests/data/sotu/1790_george_washington_n.txt", &n);
    assert_int_equal(cti_boiler_scan(b, sotu, n), CTI_OK);
    size_t nr;
    cti_boiler_ranges(b, &nr);
    assert_int_equal(nr, 0);
    free(sotu);
    expect_kept(b, PROSE);
    expect_kept(b, "");
    /* Short lines inside the text: a quoted phrase, a dateline. */
    expect_kept(b, "WASHINGTON\nThe senator said on Tuesday that the bill would "
                   "pass before the recess.\nComments on the bill were "
                   "due by Friday, officials said, and more than a thousand "
                   "arrived.\n");
}

static void test_nav_head(void **state)
{
    cti_boiler *b = *state;
    char text[2048];
    snprintf(text, sizeof text,
             "Skip to content\nHome | News | Sport | Business | Weather\n"
             "News > Politics > Senate\n%s", PROSE);
    static const want w[] = {
        { "Skip to content", "Senate", CTI_BOILER_NAV },
    };
    expect_ranges(b, text, w, 1);
    /* A menu of short lines at the start. */
    snprintf(text, sizeof text, "Home\nWorld\nUS Politics\nBusiness\n\n%s", PROSE);
    static const want w2[] = { { "Home", "Business", CTI_BOILER_NAV } };
    expect_ranges(b, text, w2, 1);
    /* A breadcrumb-like line inside the text is text. */
    snprintf(text, sizeof text, "%sThe vote was 51 / 49 / 0 in the end.\n%s",
             PROSE, PROSE);
    expect_kept(b, text);
}

static void test_share_lines(void **state)
{
    cti_boiler *b = *state;
    char text[2048];
    snprintf(text, sizeof text,
             "Share this article\n%sAdvertisement\n%s"
             "Sign up for our daily newsletter\n"
             "\xc2\xa9 2024 Metro Wire. All rights reserved.\n",
             PROSE, PROSE);
    static const want w[] = {
        { "Share this article", "Share this article", CTI_BOILER_SHARE },
        { "Advertisement", "Advertisement", CTI_BOILER_SHARE },
        { "Sign up", "reserved.", CTI_BOILER_SHARE },
    };
    expect_ranges(b, text, w, 3);
    /* Cookie notices, with curly apostrophes and a colon. */
    snprintf(text, sizeof text,
             "%sWe use cookies to give you the best experience. By using "
             "this site you agree.\nShare this:\n", PROSE);
    static const want w2[] = {
        { "We use cookies", "Share this:", CTI_BOILER_SHARE },
    };
    expect_ranges(b, text, w2, 1);
}

static void test_teasers(void **state)
{
    cti_boiler *b = *state;
    char text[4096];
    /* A "Related" box in the middle: its headlines, not the text after it. */
    snprintf(text, sizeof text,
             "%sRelated\nSenate passes the budget after a long night\n"
             "What the new rules mean for you\n%s"
             "Read more: Why the vote was delayed twice\n",
             PROSE, PROSE);
    static const want w[] = {
        { "Related", "mean for you", CTI_BOILER_TEASER },
        { "Read more:", "delayed twice", CTI_BOILER_TEASER },
    };
    expect_ranges(b, text, w, 2);
    /* A teaser heading followed by prose keeps the prose. */
    snprintf(text, sizeof text, "%sRead More\n%s", PROSE, PROSE);
    static const want w2[] = { { "Read More", "Read More", CTI_BOILER_TEASER } };
    expect_ranges(b, text, w2, 1);
}

static void test_author_box(void **state)
{
    cti_boiler *b = *state;
    char text[4096];
    snprintf(text, sizeof text,
             "%s%sAbout Jane Doe\nJane Doe covers Congress for the paper. "
             "She lives in Arlington.\nShare this\n", PROSE, PROSE);
    static const want w[] = {
        { "About Jane Doe", "Arlington.", CTI_BOILER_AUTHOR },
        { "Share this", "Share this", CTI_BOILER_SHARE },
    };
    expect_ranges(b, text, w, 2);
    /* "About" as a subheading in the first half of the text is text. */
    snprintf(text, sizeof text, "About Face\n%s%s", PROSE, PROSE);
    expect_kept(b, text);
    /* Text after it that is not about the name is not a bio. */
    snprintf(text, sizeof text, "%s%sAbout Face\n%s", PROSE, PROSE, PROSE);
    static const want w3[] = { { "About Face", "About Face", CTI_BOILER_AUTHOR } };
    expect_ranges(b, text, w3, 1);
    /* With more text after the box's lines: only the heading goes. */
    snprintf(text, sizeof text, "%s%s%s%sAbout Jane Doe\nJane Doe covers "
             "Congress.\n%s%s", PROSE, PROSE, PROSE, PROSE, PROSE, PROSE);
    static const want w2[] = { { "About Jane", "About Jane Doe", CTI_BOILER_AUTHOR } };
    expect_ranges(b, text, w2, 1);
}

static void test_comment_sections(void **state)
{
    cti_boiler *b = *state;
    char text[4096];
    snprintf(text, sizeof text,
             "%s%s3 thoughts on \xe2\x80\x9cThe budget vote\xe2\x80\x9d\n"
             "Mark says: this is outrageous and I will vote them out.\n"
             "Ann says: agreed, they never listen to us.\n"
             "Leave a Reply Cancel reply\n"
             "Your email address will not be published.\n",
             PROSE, PROSE);
    static const want w[] = { { "3 thoughts", NULL, CTI_BOILER_COMMENTS } };
    expect_ranges(b, text, w, 1);
    /* A comment heading with no article before it starts nothing. */
    snprintf(text, sizeof text, "Comments\n%s", PROSE);
    expect_kept(b, text);
    /* Nor one followed by far more text than came before it. */
    snprintf(text, sizeof text, "%sComments\n%s%s%s", PROSE, PROSE, PROSE, PROSE);
    expect_kept(b, text);
}

/* ----------------------------------------------------------- template */

static size_t find_candidate(cti_boiler *b, const char *text, const char *line)
{
    /* Candidates are in line order; find the one whose line this is by
       scanning the line alone and comparing hashes. */
    cti_boiler *one = NULL;
    assert_int_equal(cti_boiler_new(&one), CTI_OK);
    assert_int_equal(cti_boiler_scan(one, line, strlen(line)), CTI_OK);
    assert_int_equal(cti_boiler_ncandidates(one), 1);
    uint64_t h = cti_boiler_candidate(one, 0);
    cti_boiler_free(one);
    (void)text;
    for (size_t i = 0; i < cti_boiler_ncandidates(b); i++)
        if (cti_boiler_candidate(b, i) == h)
            return i;
    fail_msg("no candidate for \"%s\"", line);
    return 0;
}

static void test_template(void **state)
{
    cti_boiler *b = *state;
    char text[4096];
    const char *foot = "Metro Wire is an independent newsroom covering the "
                       "city since 1921. Tips: tips@metrowire.example";
    snprintf(text, sizeof text, "Metro Wire\n%s%s%s\n", PROSE, PROSE, foot);
    assert_int_equal(cti_boiler_scan(b, text, strlen(text)), CTI_OK);
    size_t nc = cti_boiler_ncandidates(b), nr;
    assert_true(nc >= 2);
    uint32_t counts[64] = { 0 };
    assert_true(nc <= 64);
    for (size_t i = 0; i < nc; i++)
        counts[i] = 1;
    size_t head = find_candidate(b, text, "Metro Wire");
    size_t tail = find_candidate(b, text, foot);
    counts[head] = 40;
    counts[tail] = 40;
    /* Below the threshold: nothing. */
    assert_int_equal(cti_boiler_apply_template(b, counts, 50), CTI_OK);
    cti_boiler_ranges(b, &nr);
    assert_int_equal(nr, 0);
    /* At it: the site's name and its footer. */
    assert_int_equal(cti_boiler_apply_template(b, counts, 40), CTI_OK);
    const cti_boiler_range *r = cti_boiler_ranges(b, &nr);
    assert_int_equal(nr, 2);
    assert_int_equal(r[0].kind, CTI_BOILER_TEMPLATE);
    assert_int_equal(r[0].start, 0);
    assert_int_equal(r[0].end, strlen("Metro Wire"));
    assert_int_equal(r[1].end, strlen(text) - 1);
    /* Fewer articles hold them now: forgotten. */
    counts[head] = counts[tail] = 2;
    assert_int_equal(cti_boiler_apply_template(b, counts, 3), CTI_OK);
    cti_boiler_ranges(b, &nr);
    assert_int_equal(nr, 0);
}

static void test_template_long_line_inside(void **state)
{
    cti_boiler *b = *state;
    char text[8192];
    /* A long repeated paragraph between kept ones is news (a quote), and
       an article mostly made of repeated lines is a copy. */
    snprintf(text, sizeof text, "%s%s%s%s%s%s%s%s%s%s",
             "Intro line of the page\n", PROSE, PROSE, PROSE, PROSE, PROSE,
             PROSE, PROSE, PROSE, PROSE);
    assert_int_equal(cti_boiler_scan(b, text, strlen(text)), CTI_OK);
    size_t nc = cti_boiler_ncandidates(b), nr;
    uint32_t *counts = calloc(nc, sizeof *counts);
    assert_non_null(counts);
    for (size_t i = 0; i < nc; i++)
        counts[i] = 10;
    assert_int_equal(cti_boiler_apply_template(b, counts, 3), CTI_OK);
    cti_boiler_ranges(b, &nr);
    assert_int_equal(nr, 0);
    free(counts);
}

static void test_threshold(void **state)
{
    (void)state;
    assert_int_equal(cti_boiler_threshold(0), 3);
    assert_int_equal(cti_boiler_threshold(3), 3);
    assert_int_equal(cti_boiler_threshold(60), 3);
    assert_int_equal(cti_boiler_threshold(61), 4);
    assert_int_equal(cti_boiler_threshold(1000), 50);
}

static void test_source_key_and_term(void **state)
{
    (void)state;
    uint64_t k = cti_boiler_source_key(NULL, "https://www.Example.com:8080/a/b", NULL);
    assert_int_equal(k, cti_boiler_source_key(NULL, "http://example.com", "/x"));
    assert_int_equal(k, cti_boiler_source_key("  example.COM ", NULL, NULL));
    assert_int_not_equal(k, cti_boiler_source_key("Reuters", NULL, NULL));
    assert_int_equal(cti_boiler_source_key(NULL, NULL, NULL), 0);
    assert_int_equal(cti_boiler_source_key("", "", ""), 0);
    assert_int_not_equal(cti_boiler_source_key(NULL, NULL, "/data/site-a"),
                         cti_boiler_source_key(NULL, NULL, "/data/site-b"));
    char t[CTI_BOILER_TERM_MAX];
    size_t n = cti_boiler_term(0x1234567890abcdefull, 0xfedcba9876543210ull, t);
    assert_int_equal(n, strlen(t));
    assert_string_equal(t, CTI_PREFIX_BLOCK "90abcdef" "ba9876543210");
}

/* The record names the kinds it stores as the analysis does. */
static void test_kind_names(void **state)
{
    (void)state;
    for (unsigned k = 1; k <= CTI_BOILER_KINDS; k++)
        assert_string_equal(cti_boiler_kind_name((cti_boiler_kind)k),
                            cti_record_kind_name(k));
    assert_string_equal(cti_boiler_kind_name(CTI_BOILER_COMMENTS), "comments");
    assert_string_equal(cti_record_kind_name(0), "boilerplate");
    assert_string_equal(cti_record_kind_name(200), "boilerplate");
}

static void test_range_cursor(void **state)
{
    (void)state;
    static const cti_boiler_range r[] = {
        { 5, 10, CTI_BOILER_NAV }, { 20, 30, CTI_BOILER_COMMENTS },
    };
    size_t c = 0;
    assert_int_equal(cti_boiler_range_at(r, 2, &c, 0), 0);
    assert_int_equal(cti_boiler_range_at(r, 2, &c, 5), CTI_BOILER_NAV);
    assert_int_equal(cti_boiler_range_at(r, 2, &c, 9), CTI_BOILER_NAV);
    assert_int_equal(cti_boiler_range_at(r, 2, &c, 10), 0);
    assert_int_equal(cti_boiler_range_at(r, 2, &c, 25), CTI_BOILER_COMMENTS);
    assert_int_equal(cti_boiler_range_at(r, 2, &c, 30), 0);
}

static void test_hostile_bytes(void **state)
{
    cti_boiler *b = *state;
    /* Invalid UTF-8, NULs inside, CR line ends, no final newline. */
    static const char text[] = "\xff\xfe Home / \xc3 / x\r\n\r\n1 Comment\r\n"
                               "\x80\x80\x80 \xe2\x80";
    assert_int_equal(cti_boiler_scan(b, text, sizeof text - 1), CTI_OK);
    size_t nr, aside;
    const cti_boiler_range *r = cti_boiler_ranges(b, &nr);
    for (size_t i = 0; i < nr; i++)
        assert_true(r[i].end <= sizeof text - 1);
    assert_true(cti_boiler_words(b, &aside) >= aside);
}

static int setup(void **state)
{
    cti_boiler *b = NULL;
    if (cti_boiler_new(&b) != CTI_OK)
        return -1;
    *state = b;
    return 0;
}

static int teardown(void **state)
{
    cti_boiler_free(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_harris_comment),
        cmocka_unit_test(test_corpus_bloomberg_commenting),
        cmocka_unit_test(test_corpus_spun_furniture),
        cmocka_unit_test(test_corpus_breadcrumb),
        cmocka_unit_test(test_clean_text_kept),
        cmocka_unit_test(test_nav_head),
        cmocka_unit_test(test_share_lines),
        cmocka_unit_test(test_teasers),
        cmocka_unit_test(test_author_box),
        cmocka_unit_test(test_comment_sections),
        cmocka_unit_test(test_template),
        cmocka_unit_test(test_template_long_line_inside),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_source_key_and_term),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_range_cursor),
        cmocka_unit_test(test_hostile_bytes),
    };
    return cmocka_run_group_tests_name("boiler", tests, setup, teardown);
}
