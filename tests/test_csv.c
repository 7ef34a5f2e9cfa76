/*
 * test_csv.c - CSV and TSV files: one article per row, RFC 4180 quoting,
 * malformed rows named by the line they start on, row ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_csv.h"
#include "lib/fixture.h"
#include "lib/records.h"

static void read_csv(const char *data, int tsv, const cti_fields *f, got *g)
{
    cti_record_sink sink = { on_article, on_bad, g };
    size_t count = 0;
    assert_int_equal(cti_csv_read(data, strlen(data), tsv, f, "/x/file.csv",
                                  &sink, &count), 0);
    assert_int_equal(count, g->n);
}

/* A scraper's export: quoted bodies over several lines, commas and
   doubled quotes inside them, the columns named title,text,subject,date. */
static void test_scraper_export(void **state)
{
    (void)state;
    got g;
    memset(&g, 0, sizeof g);
    char *data = fixture_read("tests/data/formats/scraper.csv", NULL);
    read_csv(data, 0, NULL, &g);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.r[0].title, "Mayor signs budget, vows \"no new taxes\"");
    assert_true(strncmp(g.r[0].body, "WASHINGTON (Reuters) - The mayor", 32) == 0);
    assert_non_null(strstr(g.r[0].body, "\"no new taxes\" for a second year.\n\n"
                                        "The $2.1 billion budget"));
    assert_string_equal(g.r[0].date, "December 31, 2017");
    assert_int_equal(g.r[0].line, 2);
    assert_string_equal(g.r[1].title, "Transit board approves fare freeze");
    assert_string_equal(g.r[1].date, "31-Dec-17");
    assert_int_equal(g.r[1].line, 7);
    assert_int_equal(g.r[2].line, 8);
    assert_non_null(strstr(g.r[2].body, "overnight, closing schools and "
                                        "grounding flights.\nCrews worked"));
    assert_int_equal(g.r[3].line, 10);
    /* No id column: the file's id and the row's content hash. */
    for (size_t i = 0; i < g.n; i++) {
        assert_true(strncmp(g.r[i].id, "/x/file.csv#", 12) == 0);
        assert_int_equal(strlen(g.r[i].id), 12 + 16);
    }
    char first[64];
    snprintf(first, sizeof first, "%s", g.r[0].id);
    got_free(&g);
    free(data);

    /* A row inserted above keeps the other rows' ids. */
    const char *more = "title,text,subject,date\n"
                       "Inserted,A new row at the top.,x,2018-01-01\n";
    char *data2 = fixture_read("tests/data/formats/scraper.csv", NULL);
    size_t l1 = strlen(more), l2 = strlen(data2);
    char *both = malloc(l1 + l2 + 1);
    assert_non_null(both);
    memcpy(both, more, l1);
    memcpy(both + l1, strchr(data2, '\n') + 1, strlen(strchr(data2, '\n') + 1) + 1);
    read_csv(both, 0, NULL, &g);
    assert_int_equal(g.n, 5);
    assert_string_equal(g.r[1].id, first);
    got_free(&g);
    free(both);
    free(data2);
}

/* A malformed row is reported with the line it starts on; the rows
   before and after it are still read. */
static void test_malformed(void **state)
{
    (void)state;
    got g;
    memset(&g, 0, sizeof g);
    char *data = fixture_read("tests/data/formats/malformed.csv", NULL);
    read_csv(data, 0, NULL, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.r[0].id, "m1");
    assert_string_equal(g.r[0].title, "Library hours extended");
    assert_string_equal(g.r[0].date, "2024-03-01");
    assert_string_equal(g.r[1].id, "m3");
    assert_int_equal(g.r[1].line, 4);
    assert_string_equal(g.r[1].body, "The municipal pool reopened after\n"
                                     "a six-week repair of its filters.");
    assert_int_equal(g.nbad, 1);
    assert_int_equal(g.bad_line[0], 3);
    assert_non_null(strstr(g.bad_msg[0], "malformed CSV row"));
    got_free(&g);
    free(data);

    /* Too few fields; a quoted field never closed; extra empty fields. */
    read_csv("id,text\n"
             "a,first\n"
             "b\n"
             "c,third,,\n"
             "d,\"never closed\n"
             "e,swallowed\n", 0, NULL, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.r[0].id, "a");
    assert_string_equal(g.r[1].id, "c");
    assert_int_equal(g.nbad, 2);
    assert_int_equal(g.bad_line[0], 3);
    assert_non_null(strstr(g.bad_msg[0], "1 fields, the header has 2"));
    assert_int_equal(g.bad_line[1], 5);
    assert_non_null(strstr(g.bad_msg[1], "not closed"));
    got_free(&g);
}

/* TSV, semicolons, CRLF, a byte order mark, blank lines, ids from a url
   column, column names matched loosely. */
static void test_dialects(void **state)
{
    (void)state;
    got g;
    memset(&g, 0, sizeof g);
    read_csv("Headline\tArticle Text\tPublished At\tLink\n"
             "Tab one\tfirst, with a comma\t2024-01-02\thttp://e/1\n"
             "\n"
             "Tab two\t\"quoted\ttab\"\t\t\n", 1, NULL, &g);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.r[0].title, "Tab one");
    assert_string_equal(g.r[0].body, "first, with a comma");
    assert_string_equal(g.r[0].date, "2024-01-02");
    assert_string_equal(g.r[0].id, "http://e/1");
    assert_string_equal(g.r[0].url, "http://e/1");
    assert_string_equal(g.r[1].body, "quoted\ttab");
    assert_null(g.r[1].date);
    assert_int_equal(g.r[1].line, 4);
    got_free(&g);

    read_csv("\xef\xbb\xbftitle;content;date\r\n"
             "Semi one;\"a; b\";1.2.2024\r\n", 0, NULL, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.r[0].title, "Semi one");
    assert_string_equal(g.r[0].body, "a; b");
    assert_string_equal(g.r[0].date, "1.2.2024");
    got_free(&g);
}

/* A header without a text column is one error for the file; --field
   names a column. */
static void test_header_and_mapping(void **state)
{
    (void)state;
    got g;
    memset(&g, 0, sizeof g);
    read_csv("name,price\nwidget,3\ngadget,4\n", 0, NULL, &g);
    assert_int_equal(g.n, 0);
    assert_int_equal(g.nbad, 1);
    assert_int_equal(g.bad_line[0], 1);
    assert_non_null(strstr(g.bad_msg[0], "no column for the article text"));
    got_free(&g);

    cti_fields *f;
    assert_int_equal(cti_fields_new(&f), 0);
    assert_int_equal(cti_fields_add(f, "body=story.text", NULL, 0), 0);
    assert_int_equal(cti_fields_add(f, "source=publisher.name", NULL, 0), 0);
    read_csv("story.text,publisher.name,title\n"
             "The column with a dot.,Daily Planet,Dots\n", 0, f, &g);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.r[0].body, "The column with a dot.");
    assert_string_equal(g.r[0].source, "Daily Planet");
    got_free(&g);
    cti_fields_free(f);

    /* A stop asked by the sink stops the reading. */
    g.stop_after = 1;
    read_csv("text\none\ntwo\nthree\n", 0, NULL, &g);
    assert_int_equal(g.n, 1);
    got_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scraper_export),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_dialects),
        cmocka_unit_test(test_header_and_mapping),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
