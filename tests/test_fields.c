/*
 * test_fields.c - the names of a record's fields: the built-in names,
 * their order of preference, values of every JSON type, --field paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_fields.h"

/* Read the JSON text 'js' with f; returns what cti_fields_read did. */
static int read_rec(const cti_fields *f, const char *js, cti_article *a,
                    char *err, size_t errlen)
{
    json_error_t je;
    json_t *o = json_loads(js, 0, &je);
    if (!o)
        fail_msg("bad test JSON: %s", je.text);
    cti_article_init(a);
    int rc = cti_fields_read(f, o, a, err, errlen);
    json_decref(o);
    return rc;
}

/* A NewsAPI record: source.name, publishedAt, content, author. */
static void test_newsapi_names(void **state)
{
    (void)state;
    cti_article a;
    char err[256];
    assert_int_equal(read_rec(NULL,
        "{\"source\": {\"id\": null, \"name\": \"BBC News\"}, \"author\": \"Ann Lee\","
        " \"title\": \" Storm hits \", \"description\": \"Short.\", \"url\":"
        " \"https://e/storm\", \"publishedAt\": \"2024-03-01T09:30:00Z\","
        " \"content\": \"A storm hit the coast.\"}", &a, err, sizeof err), 0);
    assert_string_equal(a.source, "BBC News");
    assert_string_equal(a.author, "Ann Lee");
    assert_string_equal(a.title, "Storm hits");
    assert_string_equal(a.body, "A storm hit the coast.");
    assert_string_equal(a.date, "2024-03-01T09:30:00Z");
    assert_string_equal(a.url, "https://e/storm");
    assert_string_equal(a.id, "https://e/storm");   /* no id, guid: the url */
    cti_article_release(&a);
}

/* The other common names, and their order of preference. */
static void test_common_names(void **state)
{
    (void)state;
    cti_article a;
    char err[256];
    assert_int_equal(read_rec(NULL,
        "{\"guid\": \"g-7\", \"headline\": \"H\", \"article\": \"Art body\","
        " \"description\": \"not the body\", \"pubDate\": \"Tue, 26 Feb 1987\","
        " \"byline\": \"By Cy\", \"site\": \"Site\", \"link\": \"http://l\"}",
        &a, err, sizeof err), 0);
    assert_string_equal(a.id, "g-7");
    assert_string_equal(a.title, "H");
    assert_string_equal(a.body, "Art body");
    assert_string_equal(a.date, "Tue, 26 Feb 1987");
    assert_string_equal(a.author, "By Cy");
    assert_string_equal(a.source, "Site");
    assert_string_equal(a.url, "http://l");
    cti_article_release(&a);

    /* Case, '_' and spaces do not matter; "text" wins over "content";
       an empty "text" falls back to the next name with text; authors as
       a list of objects; created_at as a number. */
    assert_int_equal(read_rec(NULL,
        "{\"ID\": 12, \"Text\": \"\", \"CONTENT\": \"From content\","
        " \"Authors\": [{\"name\": \"A\"}, \"B\", {\"x\": 1}, \"\"],"
        " \"created_at\": 1514764800, \"Published_At\": null,"
        " \"Source Name\": \"Wire\"}", &a, err, sizeof err), 0);
    assert_string_equal(a.id, "12");
    assert_string_equal(a.body, "From content");
    assert_string_equal(a.author, "A, B");
    assert_string_equal(a.date, "1514764800");
    assert_string_equal(a.source, "Wire");
    assert_null(a.title);
    assert_null(a.url);
    cti_article_release(&a);

    /* Only description: it is the body.  A list body: paragraphs. */
    assert_int_equal(read_rec(NULL, "{\"description\": \"Only this.\"}", &a, err,
                              sizeof err), 0);
    assert_string_equal(a.body, "Only this.");
    assert_null(a.id);
    cti_article_release(&a);
    assert_int_equal(read_rec(NULL, "{\"body\": [\"One.\", \"Two.\"]}", &a, err,
                              sizeof err), 0);
    assert_string_equal(a.body, "One.\n\nTwo.");
    cti_article_release(&a);
}

static void test_errors(void **state)
{
    (void)state;
    cti_article a;
    char err[256];
    assert_int_equal(read_rec(NULL, "{\"title\": \"No text\"}", &a, err, sizeof err),
                     CTI_FIELDS_BAD);
    assert_non_null(strstr(err, "no article text"));
    cti_article_release(&a);
    assert_int_equal(read_rec(NULL, "{\"id\": {\"$oid\": \"1\"}, \"text\": \"t\"}",
                              &a, err, sizeof err), CTI_FIELDS_BAD);
    assert_non_null(strstr(err, "\"id\" is not a string or a number"));
    cti_article_release(&a);
}

/* --field: dotted paths, several mappings of one name, bad specs. */
static void test_mappings(void **state)
{
    (void)state;
    cti_fields *f;
    cti_article a;
    char err[256];
    assert_int_equal(cti_fields_new(&f), 0);
    assert_int_equal(cti_fields_add(f, "source=publisher.name", err, sizeof err), 0);
    assert_int_equal(cti_fields_add(f, "body=story.paragraphs", err, sizeof err), 0);
    assert_int_equal(cti_fields_add(f, "body=story.lead", err, sizeof err), 0);
    assert_int_equal(cti_fields_add(f, "TITLE=meta.Heading", err, sizeof err), 0);
    assert_int_equal(cti_fields_add(f, "date=meta.when.iso", err, sizeof err), 0);
    assert_int_equal(read_rec(f,
        "{\"source\": \"ignored\", \"publisher\": {\"name\": \"Daily Planet\"},"
        " \"story\": {\"lead\": \"Lead only.\"}, \"text\": \"fallback\","
        " \"meta\": {\"heading\": \"Mapped title\", \"when\": {\"iso\": \"2020-02-02\"}}}",
        &a, err, sizeof err), 0);
    assert_string_equal(a.source, "Daily Planet");
    assert_string_equal(a.body, "Lead only.");      /* the second body path */
    assert_string_equal(a.title, "Mapped title");   /* keys matched by case too */
    assert_string_equal(a.date, "2020-02-02");
    cti_article_release(&a);
    /* A record without the paths falls back to the built-in names. */
    assert_int_equal(read_rec(f, "{\"source\": \"Plain\", \"text\": \"T\"}", &a, err,
                              sizeof err), 0);
    assert_string_equal(a.source, "Plain");
    assert_string_equal(a.body, "T");
    cti_article_release(&a);

    const char *bad[] = { "source", "=x", "colour=x", "title=", "title=a..b",
                          "title=.a", "title=a." };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        if (cti_fields_add(f, bad[i], err, sizeof err) != CTI_FIELDS_BAD)
            fail_msg("'%s' was accepted", bad[i]);
        assert_non_null(strstr(err, "--field"));
    }
    cti_fields_free(f);
    cti_fields_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newsapi_names),
        cmocka_unit_test(test_common_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_mappings),
    };
    return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
