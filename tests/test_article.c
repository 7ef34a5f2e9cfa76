/*
 * test_article.c - text files (front matter, titles), JSON lines, UTF-8
 * repair and the content hash.
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
#include "cti_date.h"
#include "lib/fixture.h"

static void parse_file(const char *rel, cti_article *a)
{
    size_t n;
    char *buf = fixture_read(rel, &n);
    assert_int_equal(cti_article_parse_text(buf, n, a), 0);
    free(buf);
}

static void parse_str(const char *s, cti_article *a)
{
    assert_int_equal(cti_article_parse_text(s, strlen(s), a), 0);
}

static int starts_with(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* ------------------------------------------------------------ titles */

static void test_corpus_no_title_line(void **state)
{
    (void)state;
    cti_article a;
    parse_file("corpus/01-harris-courts-silicon-valley.txt", &a);
    /* The first sentence is long: its first 12 words and an ellipsis;
       "U.S." does not end the sentence. */
    assert_string_equal(a.title, "As the 2024 U.S. presidential race "
                                 "intensifies, Kamala Harris\xe2\x80\x99s "
                                 "campaign is engaging\xe2\x80\xa6");
    /* Nothing is removed from the body: the title is its opening. */
    assert_true(starts_with(a.body, "As the 2024 U.S. presidential race"));
    assert_int_equal(a.title_from, CTI_TITLE_OPENING);
    assert_int_equal(a.body_len, strlen(a.body));
    assert_null(a.id);
    assert_null(a.date);
    assert_int_equal(a.repaired, 0);
    assert_int_equal(a.line, 0);
    cti_article_release(&a);
}

static void test_corpus_title_line(void **state)
{
    (void)state;
    cti_article a;
    parse_file("corpus/02-bloomberg-courts-big-tech-leaders.txt", &a);
    assert_string_equal(a.title, "Mike Bloomberg\xe2\x80\x99s Campaign Courts "
                                 "Big Tech Leaders in Closed Door Meeting");
    /* The title line and the blank line after it left the body. */
    assert_true(starts_with(a.body, "US Democratic Presidential candidate"));
    assert_int_equal(a.title_from, CTI_TITLE_GIVEN);
    assert_null(strstr(a.body, "Closed Door Meeting"));
    cti_article_release(&a);
}

static void test_corpus_breadcrumb_and_repeat(void **state)
{
    (void)state;
    cti_article a;
    parse_file("corpus/03-bloomberg-asks-tech-leaders-for-staff.txt", &a);
    assert_string_equal(a.title, "Mike Bloomberg\xe2\x80\x99s team asked "
                                 "hundreds of tech leaders for help to staff "
                                 "their campaign");
    /* The breadcrumb stays first in the body (the page is kept whole);
       both copies of the headline are gone. */
    assert_true(starts_with(a.body, "Home / Tech / Mike Bloomberg\xe2\x80\x99s "
                                    "team asked hundreds of tech leaders for "
                                    "help to staff their campaign\n\n"
                                    "Mike Bloomberg is just not asking"));
    assert_null(strstr(strchr(a.body, '\n'), "help to staff their campaign"));
    cti_article_release(&a);
}

static void test_sotu_file(void **state)
{
    (void)state;
    cti_article a;
    parse_file("tests/data/sotu/1790_george_washington_n.txt", &a);
    assert_string_equal(a.title, "Fellow-Citizens of the Senate and House of "
                                 "Representatives: In meeting you again"
                                 "\xe2\x80\xa6");
    assert_true(starts_with(a.body, "Fellow-Citizens of the Senate"));
    cti_article_release(&a);

    /* The address that holds a control character: kept as text, valid. */
    parse_file("tests/data/sotu/1890_benjamin_harrison_r.txt", &a);
    assert_non_null(strchr(a.body, '\x02'));
    assert_int_equal(a.repaired, 0);
    cti_article_release(&a);
}

static void test_short_first_sentence(void **state)
{
    (void)state;
    cti_article a;
    parse_str("The vote is in. Officials counted ballots all night long "
              "across the state, and the result surprised nearly everyone "
              "who had followed the race.", &a);
    assert_string_equal(a.title, "The vote is in.");
    assert_true(starts_with(a.body, "The vote is in. Officials"));
    assert_int_equal(a.title_from, CTI_TITLE_OPENING);
    cti_article_release(&a);

    /* "Mr." is not the end of a sentence. */
    parse_str("Mr. Smith went to Washington. He stayed for two whole weeks, "
              "meeting senators, lobbyists, reporters and old friends from "
              "home.", &a);
    assert_string_equal(a.title, "Mr. Smith went to Washington.");
    cti_article_release(&a);
}

static void test_generated_layout(void **state)
{
    (void)state;
    cti_article a;
    parse_str("the federal reserve and the public debt\n\nFirst paragraph. "
              "It goes on.\n\nSecond paragraph.\n", &a);
    assert_string_equal(a.title, "the federal reserve and the public debt");
    assert_string_equal(a.body, "First paragraph. It goes on.\n\n"
                                "Second paragraph.");
    cti_article_release(&a);

    /* CRLF line ends and a byte order mark. */
    parse_str("\xef\xbb\xbfHeadline Here\r\n\r\nBody text.\r\n", &a);
    assert_string_equal(a.title, "Headline Here");
    assert_string_equal(a.body, "Body text.");
    cti_article_release(&a);

    /* A Markdown heading. */
    parse_str("# Budget passes\n\nThe budget passed.", &a);
    assert_string_equal(a.title, "Budget passes");
    assert_string_equal(a.body, "The budget passed.");
    cti_article_release(&a);

    /* A title line directly followed by the text. */
    parse_str("Senate Votes Today\nThe Senate votes today on the bill.", &a);
    assert_string_equal(a.title, "Senate Votes Today");
    assert_string_equal(a.body, "The Senate votes today on the bill.");
    cti_article_release(&a);

    /* A short first line ending like a sentence, text right after: not a
       title line. */
    parse_str("It rained.\nThen it stopped, and the parade went on.", &a);
    assert_string_equal(a.title, "It rained.");
    assert_true(starts_with(a.body, "It rained.\nThen"));
    cti_article_release(&a);

    /* A hard-wrapped paragraph: its first line is not a title. */
    parse_file("tests/data/sotu/LICENSE.stdlib", &a);
    assert_string_equal(a.title, "The use of the database is licensed under "
                                 "an Open Data Commons\xe2\x80\xa6");
    assert_true(starts_with(a.body, "The use of the database"));
    cti_article_release(&a);
    parse_str("Short but running\non into the next line of the text.", &a);
    assert_string_equal(a.title, "Short but running on into the next line "
                                 "of the text.");
    assert_int_equal(a.title_from, CTI_TITLE_WHOLE); /* the title is all of it */
    cti_article_release(&a);

    /* A lone short line is both title and body. */
    parse_str("Just one line\n", &a);
    assert_string_equal(a.title, "Just one line");
    assert_string_equal(a.body, "Just one line");
    assert_int_equal(a.title_from, CTI_TITLE_WHOLE);
    cti_article_release(&a);

    /* A short first paragraph (no title line: it ends in a colon)
       followed by more text is an opening. */
    parse_str("The results were these:\n\nTen votes for, two against.", &a);
    assert_string_equal(a.title, "The results were these:");
    assert_int_equal(a.title_from, CTI_TITLE_OPENING);
    cti_article_release(&a);

    /* A heading repeated, with nothing else: the text stays the body. */
    parse_str("Same\n\nSame\n", &a);
    assert_string_equal(a.title, "Same");
    assert_string_equal(a.body, "Same\n\nSame");
    cti_article_release(&a);
}

static void test_empty_and_blank(void **state)
{
    (void)state;
    cti_article a;
    assert_int_equal(cti_article_parse_text("", 0, &a), 0);
    assert_non_null(a.body);
    assert_int_equal(a.body_len, 0);
    assert_null(a.title);
    cti_article_release(&a);
    assert_int_equal(cti_article_parse_text(NULL, 0, &a), 0);
    cti_article_release(&a);
    parse_str(" \n\n\t\n", &a);
    assert_int_equal(a.body_len, 0);
    cti_article_release(&a);
}

static void test_long_line_title_capped(void **state)
{
    (void)state;
    size_t n = 2u << 20;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'x', n);
    s[n] = '\0';
    cti_article a;
    assert_int_equal(cti_article_parse_text(s, n, &a), 0);
    assert_true(strlen(a.title) <= 300 + 3);
    assert_true(strstr(a.title, "\xe2\x80\xa6") != NULL);
    assert_int_equal(a.body_len, n);
    cti_article_release(&a);
    free(s);
}

/* ------------------------------------------------------ front matter */

static void test_front_matter(void **state)
{
    (void)state;
    cti_article a;
    parse_str("---\nTitle: \"Harris courts tech\"\nDATE: 2024-07-15\n"
              "author:  Jane Doe  \nSource: 'Example News'\n"
              "url: https://example.com/a?b=c:d\ntags: [x, y]\n"
              "  - indented\n---\n\nFirst line of the body.\n\nMore.\n", &a);
    assert_string_equal(a.title, "Harris courts tech");
    assert_string_equal(a.date, "2024-07-15");
    assert_string_equal(a.author, "Jane Doe");
    assert_string_equal(a.source, "Example News");
    assert_string_equal(a.url, "https://example.com/a?b=c:d");
    assert_string_equal(a.body, "First line of the body.\n\nMore.");
    cti_article_release(&a);

    /* Front matter without a title: the body's title line is used. */
    parse_str("---\nauthor: A. Writer\n...\nHeadline\n\nText.", &a);
    assert_string_equal(a.author, "A. Writer");
    assert_string_equal(a.title, "Headline");
    assert_string_equal(a.body, "Text.");
    cti_article_release(&a);

    /* No closing fence: not front matter, all body. */
    parse_str("---\ntitle: nope\nThe rest of the text", &a);
    assert_null(a.author);
    assert_true(starts_with(a.body, "---\ntitle: nope"));
    /* The title is the paragraph on one line. */
    assert_string_equal(a.title, "--- title: nope The rest of the text");
    cti_article_release(&a);
}

/* --------------------------------------------------------------- UTF-8 */

static void test_utf8_repair(void **state)
{
    (void)state;
    cti_article a;
    /* Stray byte, truncated sequence at the end. */
    const char bad[] = "Title\n\ncaf\xc3\xa9 a\xff" "b \xe2\x82";
    assert_int_equal(cti_article_parse_text(bad, sizeof bad - 1, &a), 0);
    assert_int_equal(a.repaired, 1);
    assert_string_equal(a.body, "caf\xc3\xa9 a\xef\xbf\xbd" "b "
                                "\xef\xbf\xbd\xef\xbf\xbd");
    cti_article_release(&a);

    /* Overlong form and a surrogate: every byte replaced. */
    const char ov[] = "x\xc0\xaf y\xed\xa0\x80z";
    assert_int_equal(cti_article_parse_text(ov, sizeof ov - 1, &a), 0);
    assert_int_equal(a.repaired, 1);
    assert_string_equal(a.body, "x\xef\xbf\xbd\xef\xbf\xbd y"
                                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
    cti_article_release(&a);

    /* NUL bytes become spaces; that is not a repair. */
    const char nul[] = "Head\n\nA\0B\0C";
    assert_int_equal(cti_article_parse_text(nul, sizeof nul - 1, &a), 0);
    assert_int_equal(a.repaired, 0);
    assert_string_equal(a.body, "A B C");
    assert_int_equal(a.body_len, 5);
    cti_article_release(&a);

    /* Invalid bytes in front matter are repaired too. */
    const char fm[] = "---\ntitle: Caf\xe9\n---\nBody";
    assert_int_equal(cti_article_parse_text(fm, sizeof fm - 1, &a), 0);
    assert_string_equal(a.title, "Caf\xef\xbf\xbd");
    assert_int_equal(a.repaired, 1);
    cti_article_release(&a);
}

/* ---------------------------------------------------------- JSON lines */

static void test_json_fields(void **state)
{
    (void)state;
    cti_article a;
    char err[256];
    const char *l = "{\"id\": \"a-1\", \"title\": \"T\", \"text\": \"Body "
                    "text\", \"date\": \"2024-07-15\", \"author\": \"Ann\", "
                    "\"source\": \"Wire\", \"url\": \"http://x/y\", "
                    "\"party\": \"none\", \"extra\": {\"n\": [1, 2]}}";
    assert_int_equal(cti_article_parse_json(l, strlen(l), NULL, &a, err, sizeof err), 0);
    assert_string_equal(a.id, "a-1");
    assert_string_equal(a.title, "T");
    assert_int_equal(a.title_from, CTI_TITLE_GIVEN);
    assert_string_equal(a.body, "Body text");
    assert_int_equal(a.body_len, 9);
    assert_string_equal(a.date, "2024-07-15");
    assert_string_equal(a.author, "Ann");
    assert_string_equal(a.source, "Wire");
    assert_string_equal(a.url, "http://x/y");
    assert_int_equal(a.size, -1);
    assert_int_equal(a.mtime_ns, -1);
    assert_int_equal(a.hash, cti_article_hash(&a));
    cti_article_release(&a);

    /* "body" instead of "text", numbers as id and date, null fields,
       a list of authors. */
    l = "{\"id\": 42, \"body\": \"b\", \"date\": 1790, \"title\": null, "
        "\"author\": [\"Ann\", \"Bob\"]}";
    assert_int_equal(cti_article_parse_json(l, strlen(l), NULL, &a, err, sizeof err), 0);
    assert_string_equal(a.id, "42");
    assert_string_equal(a.body, "b");
    assert_string_equal(a.date, "1790");
    assert_string_equal(a.title, "b");  /* no title: taken from the text */
    assert_string_equal(a.author, "Ann, Bob");
    cti_article_release(&a);
}

static void test_json_unicode(void **state)
{
    (void)state;
    cti_article a;
    char err[256];
    const char *l = "{\"id\":\"u\",\"title\":\"Caf\\u00e9 \\ud83d\\ude00\","
                    "\"text\":\"a\\u0000b \\\"q\\\" \\n end\"}";
    assert_int_equal(cti_article_parse_json(l, strlen(l), NULL, &a, err, sizeof err), 0);
    assert_string_equal(a.title, "Caf\xc3\xa9 \xf0\x9f\x98\x80");
    assert_string_equal(a.body, "a b \"q\" \n end");
    assert_int_equal(a.body_len, strlen(a.body));
    cti_article_release(&a);

    /* Raw invalid UTF-8 inside a JSON string is repaired, not an error. */
    const char bad[] = "{\"id\":\"v\",\"text\":\"x\xff y\"}";
    assert_int_equal(cti_article_parse_json(bad, sizeof bad - 1, NULL, &a, err,
                                            sizeof err), 0);
    assert_string_equal(a.body, "x\xef\xbf\xbd y");
    assert_int_equal(a.repaired, 1);
    cti_article_release(&a);
}

static void test_json_title_from_text(void **state)
{
    (void)state;
    cti_article a;
    char err[256];
    const char *l = "\xef\xbb\xbf{\"id\": \"t\", \"title\": \"\", \"text\": "
                    "\"Markets rallied. Shares rose across the board as "
                    "investors cheered the news.\"}";
    assert_int_equal(cti_article_parse_json(l, strlen(l), NULL, &a, err, sizeof err), 0);
    assert_string_equal(a.title, "Markets rallied.");
    assert_true(starts_with(a.body, "Markets rallied. Shares"));
    assert_int_equal(a.title_from, CTI_TITLE_OPENING);
    cti_article_release(&a);
    l = "{\"id\": \"w\", \"text\": \"Rates held steady today.\"}";
    assert_int_equal(cti_article_parse_json(l, strlen(l), NULL, &a, err, sizeof err), 0);
    assert_string_equal(a.title, "Rates held steady today.");
    assert_int_equal(a.title_from, CTI_TITLE_WHOLE);
    cti_article_release(&a);
    l = "{\"text\": \"\"}";
    assert_int_equal(cti_article_parse_json(l, strlen(l), NULL, &a, err, sizeof err), 0);
    assert_null(a.title);
    assert_string_equal(a.body, "");
    cti_article_release(&a);
}

static void test_json_missing_id(void **state)
{
    (void)state;
    cti_article a, b, c;
    char err[256];
    const char *l = "{\"title\": \"T\", \"text\": \"same content\"}";
    const char *l2 = "{\"text\": \"same content\", \"title\": \"T\", \"id\": \"\"}";
    const char *l3 = "{\"title\": \"T\", \"text\": \"other content\"}";
    assert_int_equal(cti_article_parse_json(l, strlen(l), NULL, &a, err, sizeof err), 0);
    assert_int_equal(cti_article_parse_json(l2, strlen(l2), NULL, &b, err, sizeof err), 0);
    assert_int_equal(cti_article_parse_json(l3, strlen(l3), NULL, &c, err, sizeof err), 0);
    assert_true(starts_with(a.id, "sha-"));
    assert_int_equal(strlen(a.id), 4 + 16);
    assert_string_equal(a.id, b.id);      /* same content, same id */
    assert_string_not_equal(a.id, c.id);  /* other content, other id */
    cti_article_release(&a);
    cti_article_release(&b);
    cti_article_release(&c);
}

static void test_json_errors(void **state)
{
    (void)state;
    cti_article a;
    char err[256];
    struct { const char *line; const char *want; } cases[] = {
        { "{\"id\": \"x\", \"text\": \"unterminated}", "column" },
        { "{\"id\": \"x\" \"text\": \"y\"}", "column 17" },
        { "[1, 2, 3]", "not a JSON object" },
        { "  \"just a string\"", "column" },
        { "{\"id\": \"x\", \"title\": \"no text\"}", "no article text" },
        { "{\"id\": \"x\", \"text\": {\"a\": 1}}", "no article text" },
        { "{\"id\": \"x\", \"text\": true, \"body\": null}", "no article text" },
        { "{\"id\": [1], \"text\": \"t\"}", "\"id\"" },
        { "", "column" },
        { "{\"text\": \"a\"} trailing", "column" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memset(err, 0, sizeof err);
        assert_int_equal(cti_article_parse_json(cases[i].line,
                                                strlen(cases[i].line), NULL,
                                                &a, err, sizeof err), CTI_EINVAL);
        if (!strstr(err, cases[i].want))
            fail_msg("line %zu: message '%s' lacks '%s'", i, err, cases[i].want);
        assert_non_null(strstr(err, "column"));
        assert_null(a.id);
        assert_null(a.body);
    }
}

/* Every line of the SOTU JSON lines file parses, with its fields. */
static void test_json_sotu(void **state)
{
    (void)state;
    size_t n;
    char *buf = fixture_read("tests/data/sotu.jsonl", &n);
    size_t lines = 0;
    char err[256];
    for (char *p = buf; p < buf + n;) {
        char *nl = memchr(p, '\n', (size_t)(buf + n - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(buf + n - p);
        cti_article a;
        if (len) {
            assert_int_equal(cti_article_parse_json(p, len, NULL, &a, err, sizeof err), 0);
            assert_true(starts_with(a.id, "sotu-"));
            assert_non_null(a.title);
            assert_non_null(a.author);
            assert_true(a.body_len > 1000);
            char d[9];
            assert_int_equal(cti_date_normalize(a.date, d), 0);
            cti_article_release(&a);
            lines++;
        }
        p = nl ? nl + 1 : buf + n;
    }
    assert_int_equal(lines, 233);
    free(buf);
}

/* ---------------------------------------------------------------- hash */

static void test_hash(void **state)
{
    (void)state;
    cti_article a, b;
    parse_str("---\ntitle: T\nauthor: A\n---\nbody", &a);
    parse_str("---\ntitle: T\nauthor: A\n---\nbody", &b);
    assert_int_equal(a.hash, b.hash);
    assert_int_equal(a.hash, cti_article_hash(&a));
    uint64_t h = a.hash;
    cti_article_release(&b);

    /* Any change in any field changes the hash; moving text from one field
       to the next does too. */
    parse_str("---\ntitle: T\nauthor: A\n---\nbodY", &b);
    assert_int_not_equal(h, b.hash);
    cti_article_release(&b);
    parse_str("---\ntitle: T\nauthor: B\n---\nbody", &b);
    assert_int_not_equal(h, b.hash);
    cti_article_release(&b);
    parse_str("---\ntitle: T\nsource: A\n---\nbody", &b);
    assert_int_not_equal(h, b.hash);
    cti_article_release(&b);
    parse_str("---\ntitle: TA\n---\nbody", &b);
    assert_int_not_equal(h, b.hash);
    cti_article_release(&b);

    /* The id does not take part. */
    free(a.id);
    a.id = strdup("/some/path");
    assert_int_equal(cti_article_hash(&a), h);
    cti_article_release(&a);

    /* Indexes store this hash: the function must not change between
       builds or machines.  This pins it. */
    cti_article c;
    char title[] = "Title", body[] = "The body of the article.";
    memset(&c, 0, sizeof c);
    c.title = title;
    c.body = body;
    c.body_len = strlen(c.body);
    assert_int_equal(cti_article_hash(&c), 0xc26c0caac6ebeff3ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_no_title_line),
        cmocka_unit_test(test_corpus_title_line),
        cmocka_unit_test(test_corpus_breadcrumb_and_repeat),
        cmocka_unit_test(test_sotu_file),
        cmocka_unit_test(test_short_first_sentence),
        cmocka_unit_test(test_generated_layout),
        cmocka_unit_test(test_empty_and_blank),
        cmocka_unit_test(test_long_line_title_capped),
        cmocka_unit_test(test_front_matter),
        cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_json_fields),
        cmocka_unit_test(test_json_unicode),
        cmocka_unit_test(test_json_title_from_text),
        cmocka_unit_test(test_json_missing_id),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_sotu),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests_name("article", tests, NULL, NULL);
}
