/*
 * test_json.c - JSON files: one object, arrays, API wrappers, several
 * values in a row, and what is refused (with the line it is on).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_json.h"
#include "lib/fixture.h"
#include "lib/records.h"

static void read_json(const char *data, size_t len, got *g)
{
    cti_record_sink sink = { on_article, on_bad, g };
    size_t count = 99;
    memset(g, 0, sizeof *g);
    assert_int_equal(cti_json_read(data, len, NULL, "/x/f.json", &sink, &count), 0);
    assert_int_equal(count, g->n);
}

static void read_str(const char *s, got *g)
{
    read_json(s, strlen(s), g);
}

/* A NewsAPI response: the articles under "articles", each from its line. */
static void test_newsapi(void **state)
{
    (void)state;
    got g;
    size_t n;
    char *data = fixture_read("tests/data/formats/newsapi.json", &n);
    read_json(data, n, &g);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.r[0].title, "Tidal energy pilot begins off the Orkney coast");
    assert_string_equal(g.r[0].source, "BBC News");
    assert_string_equal(g.r[0].date, "2024-03-05T07:45:12Z");
    assert_string_equal(g.r[0].id, "https://news.example/tidal-energy-pilot-orkney");
    assert_int_equal(g.r[0].line, 5);
    assert_int_equal(g.r[1].line, 18);
    assert_string_equal(g.r[2].source, "Valley Gazette");
    got_free(&g);
    free(data);
}

static void test_shapes(void **state)
{
    (void)state;
    got g;
    /* One object: one article. */
    read_str("{\"title\": \"Solo\", \"text\": \"One article.\"}", &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.r[0].title, "Solo");
    assert_true(strncmp(g.r[0].id, "/x/f.json#", 10) == 0);
    got_free(&g);
    /* An array, one element per line. */
    read_str("[\n{\"id\": \"a\", \"text\": \"A\"},\n{\"id\": \"b\", \"text\": \"B\"}\n]", &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.r[1].id, "b");
    assert_int_equal(g.r[1].line, 3);
    got_free(&g);
    /* Each wrapper key, one level down too (the Guardian's API). */
    const char *wrapped[] = {
        "{\"data\": [{\"text\": \"w\"}]}", "{\"results\": [{\"text\": \"w\"}]}",
        "{\"items\": [{\"text\": \"w\"}], \"next\": \"p2\"}",
        "{\"status\": \"ok\", \"articles\": [{\"text\": \"w\"}]}",
        "{\"response\": {\"status\": \"ok\", \"results\": [{\"text\": \"w\"}]}}",
    };
    for (size_t i = 0; i < sizeof wrapped / sizeof *wrapped; i++) {
        read_str(wrapped[i], &g);
        if (g.n != 1 || g.nbad != 0)
            fail_msg("'%s': %zu articles, %zu errors", wrapped[i], g.n, g.nbad);
        got_free(&g);
    }
    /* JSON lines saved as .json: several objects in a row. */
    read_str("{\"id\": \"1\", \"text\": \"x\"}\n{\"id\": \"2\", \"text\": \"y\"}\n", &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.r[1].line, 2);
    got_free(&g);
    /* An empty list: nothing, and no error. */
    read_str(" [ ] ", &g);
    assert_int_equal(g.n + g.nbad, 0);
    got_free(&g);
}

static void test_refused(void **state)
{
    (void)state;
    got g;
    size_t n;
    char *data = fixture_read("tests/data/formats/notarticles.json", &n);
    read_json(data, n, &g);
    assert_int_equal(g.n, 0);
    assert_int_equal(g.nbad, 1);
    assert_non_null(strstr(g.bad_msg[0], "neither a JSON object nor an array"));
    assert_non_null(strstr(g.bad_msg[0], "a string"));
    got_free(&g);
    free(data);

    read_str("42", &g);
    assert_int_equal(g.nbad, 1);
    assert_non_null(strstr(g.bad_msg[0], "a number"));
    got_free(&g);

    /* Bad elements are named by line; the good ones are read. */
    read_str("[\n{\"text\": \"ok 1\"},\n\"a string\",\n{\"title\": \"no text\"},\n"
             "{\"text\": \"ok 2\"}\n]", &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.nbad, 2);
    assert_int_equal(g.bad_line[0], 3);
    assert_non_null(strstr(g.bad_msg[0], "element 2 is not a JSON object"));
    assert_int_equal(g.bad_line[1], 4);
    assert_non_null(strstr(g.bad_msg[1], "no article text"));
    got_free(&g);

    /* Invalid JSON: reported with its line and column; what came before
       it is kept. */
    read_str("[\n{\"text\": \"kept\"},\n{\"text\": \"cut\" \"x\"}\n]", &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.nbad, 1);
    assert_int_equal(g.bad_line[0], 3);
    assert_non_null(strstr(g.bad_msg[0], "invalid JSON"));
    assert_non_null(strstr(g.bad_msg[0], "column"));
    got_free(&g);

    read_str("   \n ", &g);
    assert_int_equal(g.nbad, 1);
    assert_int_equal(g.bad_line[0], 0);
    got_free(&g);
    read_str("[{\"text\": \"a\"}, ", &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.nbad, 1);
    got_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newsapi),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
