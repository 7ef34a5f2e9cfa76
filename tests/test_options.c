/*
 * test_options.c - cti-search's command line, parsed without running it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cti_options.h"

/* Parse the NULL-terminated arguments after the program name. */
static cti_status parse(cti_options *o, ...)
{
    char *argv[32] = { (char *)"cti-search" };
    int argc = 1;
    va_list ap;
    va_start(ap, o);
    for (char *a; argc < 31 && (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    return cti_options_parse(argc, argv, o);
}

static void test_defaults_and_query(void **state)
{
    (void)state;
    cti_options o;
    assert_int_equal(parse(&o, "--color", "never", "Lina", "Khan", "-x", NULL),
                     CTI_EINVAL);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "--color", "never", "--", "Lina", "-Khan", NULL),
                     CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_SEARCH);
    assert_string_equal(o.query, "Lina -Khan");
    assert_null(o.db);
    assert_int_equal(o.search.limit, 10);
    assert_int_equal(o.jobs, 0); /* cti_hits_jobs_default() decides */
    assert_int_equal(o.out.format, CTI_OUT_HUMAN);
    assert_int_equal(o.out.color, 0);
    assert_int_equal(o.out.style, CTI_HL_STYLE_MARKERS);
    cti_options_release(&o);
}

static void test_values(void **state)
{
    (void)state;
    cti_options o;
    assert_int_equal(parse(&o, "-d", "x.cti", "-n", "3", "--offset", "2", "--json",
                           "--sort", "-date", "--bm25", "1.2,0.5", "--markers",
                           "<<,>>", "--fragments", "4", "--snippet-size", "90",
                           "--no-snippets", "--any", "--color=always", "-j", "3",
                           "q", NULL),
                     CTI_OK);
    assert_string_equal(o.db, "x.cti");
    assert_int_equal(o.search.limit, 3);
    assert_int_equal(o.search.offset, 2);
    assert_int_equal(o.jobs, 3);
    assert_int_equal(o.search.sort, CTI_SORT_DATE_DESC);
    assert_true(o.search.k1 == 1.2 && o.search.b == 0.5);
    assert_true(o.search.flags & CTI_QUERY_ANY);
    assert_int_equal(o.out.format, CTI_OUT_JSON);
    assert_string_equal(o.out.open, "<<");
    assert_string_equal(o.out.close, ">>");
    assert_int_equal(o.out.style, CTI_HL_STYLE_ANSI);
    assert_int_equal(o.hit.snippet.fragments, 4);
    assert_int_equal(o.hit.snippet.size, 90);
    assert_int_equal(o.hit.no_snippet, 1);
    cti_options_release(&o);
}

static void test_modes(void **state)
{
    (void)state;
    cti_options o;
    assert_int_equal(parse(&o, "-c", "q", NULL), CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_COUNT);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "--explain", "-c", "q", NULL), CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_EXPLAIN);
    cti_options_release(&o);
    /* -h needs no query and wins over a bad option after it. */
    assert_int_equal(parse(&o, "-h", "--limit", "x", NULL), CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_HELP);
    assert_null(o.query);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "--version", NULL), CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_VERSION);
    cti_options_release(&o);
    assert_non_null(strstr(cti_options_usage(), "--snippet-size"));
}

/* The modes that read more than a page of hits. */
static void test_reading_modes(void **state)
{
    (void)state;
    cti_options o;
    assert_int_equal(parse(&o, "--show", "a b", NULL), CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_SHOW);
    assert_string_equal(o.show_id, "a b");
    assert_null(o.query);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "--show", "x", "--pager", "lina", "khan", NULL),
                     CTI_OK);
    assert_string_equal(o.query, "lina khan");
    assert_int_equal(o.pager, 1);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "--facet", "date:month", "--facet", "source",
                           "--facet", "month", "--facet-limit", "5", "q", NULL),
                     CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_FACET);
    assert_int_equal(o.nfacets, 2); /* month asked twice: counted once */
    assert_int_equal(o.facets[0], CTI_FACET_MONTH);
    assert_int_equal(o.facets[1], CTI_FACET_SOURCE);
    assert_int_equal(o.facet_limit, 5);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "-l", "--sort", "date", "q", NULL), CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_FILES);
    assert_int_equal(o.limit_set, 0);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "--files-with-matches", "-n", "3", "q", NULL),
                     CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_FILES);
    assert_int_equal(o.limit_set, 1);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "--stats", "--json", NULL), CTI_OK);
    assert_int_equal(o.mode, CTI_MODE_STATS);
    assert_null(o.query);
    /* No terminal, no width; no hyperlinks without colour. */
    if (!isatty(STDOUT_FILENO))
        assert_int_equal(o.out.width, 0);
    if (!o.out.color)
        assert_int_equal(o.out.hyperlinks, 0);
    cti_options_release(&o);
    assert_int_equal(parse(&o, "--color", "always", "q", NULL), CTI_OK);
    assert_int_equal(o.out.hyperlinks, 1);
    cti_options_release(&o);
}

static void test_errors(void **state)
{
    (void)state;
    struct { const char *a, *b, *c, *want; } cases[] = {
        { "--limit", "x", "q", "bad --limit 'x'" },
        { "--offset", "-1", "q", "bad --offset '-1'" },
        { "--sort", "size", "q", "bad --sort 'size' (relevance, date or -date)" },
        { "--bm25", "1.2,2", "q", "bad --bm25 '1.2,2' (K1,B e.g. 1.2,0.75)" },
        { "--fragments", "0", "q", "bad --fragments '0'" },
        { "--markers", "xx", "q", "bad --markers 'xx' (OPEN,CLOSE e.g. '<<,>>')" },
        { "--color", "blue", "q", "bad --color 'blue' (auto, always or never)" },
        { "--highlight", "red", "q", "bad --highlight 'red' (ansi, markers, html or none)" },
        { "--feedback", "101", "q", "bad --feedback '101' (0 to 100 articles)" },
        { "--jobs", "0", "q", "bad --jobs '0' (1 to 16 threads)" },
        { "-j", "17", "q", "bad --jobs '17' (1 to 16 threads)" },
        { "q", "-j", NULL, "option '-j' needs a value\nTry 'cti-search --help'." },
        { "--bogus", "q", "q", "unknown option or bad use of '--bogus'\n"
                          "Try 'cti-search --help'." },
        { "-x", "q", "q", "unknown option '-x' (to exclude a word, put the query "
                     "after --: cti-search -- -word)\nTry 'cti-search --help'." },
        { "q", "--limit", NULL, "option '--limit' needs a value\n"
                          "Try 'cti-search --help'." },
        { "q", "-n", NULL, "option '-n' needs a value\nTry 'cti-search --help'." },
        { "--json", NULL, NULL, "no query given (try 'cti-search --help')" },
        { "--facet", "hour", "q", "bad --facet 'hour' (date:decade, date:year, date:month, "
                             "date:week, date:day, source or author)" },
        { "--facet-limit", "-2", "q", "bad --facet-limit '-2'" },
        { "--stats", "q", NULL, "--stats takes no query (got 'q')" },
        { "--stats", "-l", "q", "-l and --stats cannot be used together" },
        { "--show", "x", "-c", "-c and --show cannot be used together" },
        { "--facet", "year", "-l", "--facet and -l cannot be used together" },
        { "-l", NULL, NULL, "no query given (try 'cti-search --help')" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cti_options o;
        cti_status st = parse(&o, cases[i].a, cases[i].b, cases[i].c, NULL);
        if (st != CTI_EINVAL || !o.error || strcmp(o.error, cases[i].want))
            fail_msg("%s %s: status %d, error '%s', want '%s'", cases[i].a,
                     cases[i].b ? cases[i].b : "", st, o.error ? o.error : "(null)",
                     cases[i].want);
        cti_options_release(&o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_query),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_reading_modes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
