/*
 * test_query.c - the query language: operators, precedence, punctuation,
 * fields, dates, syntax errors with their columns, --any mode, the
 * Xapian query and the highlight spec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "cti_indexer.h"
#include "cti_output.h"
#include "cti_query.h"
#include "cti_search.h"
#include "cti_store.h"
#include "cti_suggest.h"
#include "index_fixture.h"

static cti_analyzer *an;

static int setup(void **state)
{
    (void)state;
    return cti_analyzer_new("english", &an);
}

static int teardown(void **state)
{
    (void)state;
    cti_analyzer_free(an);
    return 0;
}

/* Parse 'q' with 'flags' and compare its tree with 'want'. */
static void tree_is(const char *q, unsigned flags, const char *want)
{
    cti_query *t = NULL;
    cti_query_error e;
    cti_status st = cti_query_parse(q, an, flags, &t, &e);
    if (st != CTI_OK)
        fail_msg("'%s': error at column %zu: %s", q, e.column, e.msg);
    char *d = cti_query_describe(t);
    assert_non_null(d);
    if (strcmp(d, want) != 0)
        fail_msg("'%s' parsed as %s, want %s", q, d, want);
    free(d);
    cti_query_free(t);
}

#define TREE(q, want) tree_is(q, 0, want)

/* Parse 'q', expect a syntax error at 'col' whose message contains 'what'. */
static void error_at(const char *q, size_t col, const char *what)
{
    cti_query *t = (cti_query *)1;
    cti_query_error e;
    cti_status st = cti_query_parse(q, an, 0, &t, &e);
    if (st != CTI_EINVAL) {
        char *d = st == CTI_OK ? cti_query_describe(t) : NULL;
        fail_msg("'%s': expected a syntax error, got %s", q, d ? d : "?");
    }
    assert_null(t);
    if (e.column != col)
        fail_msg("'%s': error at column %zu (%s), want %zu", q, e.column,
                 e.msg, col);
    if (!strstr(e.msg, what))
        fail_msg("'%s': message '%s' lacks '%s'", q, e.msg, what);
}

static void test_implicit_and(void **state)
{
    (void)state;
    TREE("Lina Khan", "(AND lina khan)");
    TREE("  lina   khan  ", "(AND lina khan)");
    TREE("antitrust", "antitrust");
    TREE("campaigns running", "(AND campaign run)");
}

static void test_operators(void **state)
{
    (void)state;
    TREE("Lina Khan AND antitrust", "(AND lina khan antitrust)");
    TREE("Harris OR Bloomberg", "(OR harri bloomberg)");
    TREE("Harris NOT Bloomberg", "(NOT harri bloomberg)");
    TREE("Harris -Bloomberg", "(NOT harri bloomberg)");
    TREE("Harris -Bloomberg -Khan", "(NOT harri bloomberg khan)");
    TREE("-Bloomberg Harris", "(NOT harri bloomberg)");
    TREE("(Harris OR Bloomberg) antitrust",
         "(AND (OR harri bloomberg) antitrust)");
    TREE("((Harris))", "harri");
    TREE("Harris AND NOT Khan", "(NOT harri khan)");
}

static void test_pure_not(void **state)
{
    (void)state;
    TREE("-Bloomberg", "(NOT ALL bloomberg)");
    TREE("NOT Bloomberg", "(NOT ALL bloomberg)");
    TREE("Harris OR -Bloomberg", "(OR harri (NOT ALL bloomberg))");
}

static void test_precedence(void **state)
{
    (void)state;
    /* NOT > AND > OR, as in SQLite FTS5. */
    TREE("a1 OR b1 c1", "(OR a1 (AND b1 c1))");
    TREE("a1 b1 OR c1", "(OR (AND a1 b1) c1)");
    TREE("a1 AND b1 OR c1 AND d1", "(OR (AND a1 b1) (AND c1 d1))");
    TREE("a1 OR b1 NOT c1", "(OR a1 (NOT b1 c1))");
    TREE("a1 AND b1 NOT c1", "(AND a1 (NOT b1 c1))");
    TREE("a1 NOT b1 NOT c1", "(NOT (NOT a1 b1) c1)");
    TREE("(a1 OR b1) NOT c1", "(NOT (OR a1 b1) c1)");
    TREE("a1 OR b1 OR c1", "(OR a1 b1 c1)");
}

static void test_lowercase_operators_are_words(void **state)
{
    (void)state;
    TREE("war and peace", "(AND war and peac)");
    TREE("this or that", "(AND this or that)");
    TREE("not guilty", "(AND not guilti)");
    TREE("Near the river", "(AND near the river)");
}

/* Which lower-case operator words were typed between two words. */
static unsigned lower_ops(const char *q, unsigned flags)
{
    cti_query *t = NULL;
    assert_int_equal(cti_query_parse(q, an, flags, &t, NULL), CTI_OK);
    unsigned r = cti_query_lower_ops(t);
    cti_query_free(t);
    return r;
}

static void test_lowercase_operators_noted(void **state)
{
    (void)state;
    assert_int_equal(lower_ops("cats or dogs", 0), CTI_LOWER_OR);
    assert_int_equal(lower_ops("to be or not to be", 0), CTI_LOWER_OR | CTI_LOWER_NOT);
    assert_int_equal(lower_ops("war and (peace)", 0), CTI_LOWER_AND);
    assert_int_equal(lower_ops("\"tax\" near cut", 0), CTI_LOWER_NEAR);
    /* Not between two words, in a phrase, upper case, --any: no note. */
    assert_int_equal(lower_ops("or cats", 0), 0);
    assert_int_equal(lower_ops("cats and", 0), 0);
    assert_int_equal(lower_ops("\"cats or dogs\"", 0), 0);
    assert_int_equal(lower_ops("cats OR dogs", 0), 0);
    assert_int_equal(lower_ops("Cats Or dogs", 0), 0);
    assert_int_equal(lower_ops("cats or dogs", CTI_QUERY_ANY), 0);
}

static void test_phrase(void **state)
{
    (void)state;
    TREE("\"Silicon Valley\"", "\"silicon valley\"");
    TREE("\"Silicon Valley\" Harris", "(AND \"silicon valley\" harri)");
    TREE("\u201cSilicon Valley\u201d", "\"silicon valley\"");
    TREE("\"Harris\"", "harri");
    TREE("\"AND OR NOT\"", "\"and or not\"");
    TREE("\"\" Harris", "harri");
}

static void test_near(void **state)
{
    (void)state;
    TREE("Harris NEAR Khan", "(NEAR/10 harri khan)");
    TREE("Harris NEAR/5 Khan", "(NEAR/5 harri khan)");
    TREE("\"Silicon Valley\" NEAR/5 Harris",
         "(NEAR/5 \"silicon valley\" harri)");
    TREE("a1 NEAR/2 b1 NEAR/3 c1", "(NEAR/3 a1 b1 c1)");
    TREE("x1 a1 NEAR/2 b1", "(AND x1 (NEAR/2 a1 b1))");
    error_at("NEAR/0", 1, "NEAR/0 needs");
}

static void test_prefix(void **state)
{
    (void)state;
    TREE("antitru*", "antitru*");
    TREE("Antitru* law", "(AND antitru* law)");
    TREE("title:Bloom*", "title:bloom*");
}

static void test_fields(void **state)
{
    (void)state;
    TREE("title:Bloomberg", "title:bloomberg");
    TREE("Title:Bloomberg", "title:bloomberg");
    TREE("author:\"Jane Doe\"", "author:\"jane doe\"");
    TREE("source:Reuters Khan", "(AND source:reuter khan)");
    TREE("title:(Harris OR Bloomberg)", "(OR title:harri title:bloomberg)");
    TREE("title: Bloomberg", "title:bloomberg");
    TREE("-title:Bloomberg Khan", "(NOT khan title:bloomberg)");
    /* Words with a colon that are not field-shaped: plain text. */
    TREE("10:30", "\"10 30\"");
    TREE("U.S.: Harris", "(AND u.s harri)");
    TREE("Note: Harris", "(AND note harri)");
    TREE("https://example.com/a", "\"https exampl com a\"");
    TREE("mailto:jane@example.com", "\"mailto jane exampl com\"");
    TREE("\"foo:bar\"", "\"foo bar\"");
    /* A field that does not exist is an error naming the real ones. */
    error_at("titel:Blair", 1, "unknown field 'titel:'; did you mean title:?");
    error_at("Harris section:Politics", 8, "unknown field 'section:' (fields: "
             "title:, author:, source:, date:");
    error_at("foo:bar", 1, "unknown field 'foo:'");
    error_at("AUTHOR:x Sorce:\"Reuters\"", 10, "did you mean source:?");
}

static void test_dates(void **state)
{
    (void)state;
    TREE("date:2024", "date:Y2024");
    TREE("date:2024-07", "date:M202407");
    TREE("date:2024-07-15", "date:D20240715");
    TREE("date:2024/7/5", "date:D20240705");
    TREE("date:2019..2021", "date:20190000..20219999");
    TREE("date:2019..", "date:20190000..");
    TREE("date:..2021", "date:..20219999");
    TREE("date:2024-07-01..2024-07-15", "date:20240701..20240715");
    TREE("date:2024-06..2024-07", "date:20240600..20240799");
    TREE("Khan date:2024", "(AND khan date:Y2024)");
}

static void test_punctuation(void **state)
{
    (void)state;
    /* What a person types searches for what it says. */
    TREE("U.S.", "u.s");
    TREE("$50,000", "50000");
    TREE("pro-Bloomberg", "\"pro bloomberg\"");
    TREE("record-breaking", "\"record break\"");
    TREE("AT&T", "\"at t\"");
    TREE("Harris? Khan!", "(AND harri khan)");
    TREE("Harris - Khan", "(AND harri khan)");
    TREE("C++", "c");
    /* Curly and straight apostrophes are the same. */
    char *a = NULL, *b = NULL;
    cti_query *qa = NULL, *qb = NULL;
    assert_int_equal(cti_query_parse("Harris\u2019s", an, 0, &qa, NULL), CTI_OK);
    assert_int_equal(cti_query_parse("Harris's", an, 0, &qb, NULL), CTI_OK);
    a = cti_query_describe(qa);
    b = cti_query_describe(qb);
    assert_string_equal(a, b);
    assert_string_equal(a, "harri");
    free(a);
    free(b);
    cti_query_free(qa);
    cti_query_free(qb);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    error_at("", 1, "empty query");
    error_at("   ", 1, "empty query");
    error_at("\"Silicon Valley", 1, "unclosed quote");
    error_at("Harris \"Silicon", 8, "unclosed quote");
    error_at("Harris (Khan OR Lina", 8, "unclosed parenthesis");
    error_at("Harris Khan)", 12, "unmatched ')'");
    error_at("()", 1, "empty parentheses");
    error_at("AND Harris", 1, "AND needs");
    error_at("Harris AND", 8, "AND needs");
    error_at("Harris AND AND Khan", 8, "AND needs");
    error_at("OR Harris", 1, "OR needs");
    error_at("Harris OR", 8, "OR needs");
    error_at("Harris OR OR Khan", 8, "OR needs");
    error_at("Harris NOT", 8, "NOT needs");
    error_at("NOT", 1, "NOT needs");
    error_at("NEAR Harris", 1, "NEAR needs");
    error_at("Harris NEAR", 8, "NEAR needs");
    error_at("Harris NEAR/x Khan", 8, "NEAR/ needs a number");
    error_at("Harris NEAR/ Khan", 8, "NEAR/ needs a number");
    error_at("(Harris OR Khan) NEAR Lina", 1, "NEAR works on words");
    error_at("Lina NEAR (Harris OR Khan)", 11, "NEAR works on words");
    error_at("antitru* NEAR Khan", 1, "not on groups or prefixes");
    error_at("Khan NEAR/3 antitru*", 13, "not on groups or prefixes");
    error_at("(Harris AND)", 9, "AND needs");
    error_at("title:", 1, "title: needs");
    error_at("Khan author:", 6, "author: needs");
    error_at("date:", 1, "date: needs");
    error_at("date:20x4", 6, "bad date");
    error_at("date:2024-13", 6, "bad date");
    error_at("date:..", 6, "bad date");
    error_at("date:2021..2019", 6, "ends before it starts");
    /* Columns count characters, not bytes. */
    error_at("Señor \u201cSilicon", 7, "unclosed quote");
    error_at("\u00e9\u00e9 (x", 4, "unclosed parenthesis");
}

static void test_nothing_to_search(void **state)
{
    (void)state;
    error_at("$", 1, "no words");
    error_at("  & *", 3, "no words");
    error_at("\"\"", 1, "no words");
}

static void test_any_mode(void **state)
{
    (void)state;
    /* Syntax is plain text; function words weigh nothing. */
    tree_is("what are the effects of \"Lina Khan\" (antitrust) AND -law?",
            CTI_QUERY_ANY, "(ANY effect lina khan antitrust law)");
    tree_is("a NEAR/3 b OR \"", CTI_QUERY_ANY, "(ANY near 3 b)");
    /* Only function words: kept rather than searching for nothing;
       a repeated word counts as many times as it was said. */
    tree_is("to be or not to be", CTI_QUERY_ANY, "(ANY to^2 be^2 or not)");
    tree_is("troops in Germany and troops in Viet Nam", CTI_QUERY_ANY,
            "(ANY troop^2 germani viet nam)");
    tree_is("the history of the", CTI_QUERY_ANY | CTI_QUERY_KEEP_STOPWORDS,
            "(ANY the^2 histori of)");
    cti_query *t = NULL;
    cti_query_error e;
    assert_int_equal(cti_query_parse("   ", an, CTI_QUERY_ANY, &t, &e), CTI_EINVAL);
    assert_null(t);
}

/* Xapian's description of q's query with default ranking. */
static char *xq_of(const char *q, unsigned flags)
{
    cti_query *t = NULL;
    cti_xq *x = NULL;
    assert_int_equal(cti_query_parse(q, an, flags, &t, NULL), CTI_OK);
    assert_int_equal(cti_query_to_xq(t, NULL, &x), CTI_OK);
    char *d = cti_xq_describe(x);
    assert_non_null(d);
    cti_xq_free(x);
    cti_query_free(t);
    return d;
}

static void test_xapian_query(void **state)
{
    (void)state;
    char *d = xq_of("Harris -Bloomberg", 0);
    assert_non_null(strstr(d, "AND_NOT"));
    assert_non_null(strstr(d, "Sharri"));      /* title boost */
    free(d);
    d = xq_of("\"Silicon Valley\"", 0);
    assert_null(strstr(d, "Ssilicon"));        /* no title phrase: costly */
    free(d);
    d = xq_of("\"Silicon Valley\" NEAR/5 Harris", 0);
    /* n words between: the window spans them plus the 3 words. */
    assert_non_null(strstr(d, "NEAR 8"));
    assert_non_null(strstr(d, "PHRASE 2"));
    free(d);
    d = xq_of("title:Bloomberg", 0);
    assert_string_equal(d, "Query(Sbloomberg)");
    free(d);
    d = xq_of("date:2019..2021", 0);
    assert_non_null(strstr(d, "VALUE_RANGE 0 20190000 20219999"));
    free(d);
    d = xq_of("author:Doe date:2024-07", 0);
    assert_non_null(strstr(d, "Adoe"));
    assert_non_null(strstr(d, "0 * M202407"));
    free(d);
    /* --any: any of the words; every word together and the words as
       typed only add weight. */
    d = xq_of("antitrust enforcers", CTI_QUERY_ANY);
    assert_non_null(strstr(d, "(antitrust AND_MAYBE 0.25 * Santitrust) OR "
                              "(enforc AND_MAYBE 0.25 * Senforc)"));
    assert_non_null(strstr(d, "OR 0.25 * (antitrust AND enforc)"));
    assert_non_null(strstr(d, "OR (antitrust@1 PHRASE 2 enforc@2)"));
    free(d);
    /* AND: a run typed one after another is a phrase without its function
       words, spanning what was typed; nearness is for the words not typed
       together. */
    d = xq_of("Bank of England", 0);
    assert_non_null(strstr(d, "AND_MAYBE (bank@1 PHRASE 3 england@2)"));
    assert_null(strstr(d, "NEAR"));
    free(d);
    d = xq_of("Lina Khan AND antitrust", 0);
    assert_non_null(strstr(d, "AND_MAYBE 0.25 * (khan@1 NEAR 4 antitrust@2)"));
    assert_non_null(strstr(d, "AND_MAYBE (lina@1 PHRASE 2 khan@2)"));
    assert_null(strstr(d, "lina@1 NEAR"));
    free(d);
    d = xq_of("Bank -of England", 0);
    assert_null(strstr(d, "PHRASE"));
    free(d);
    /* A word said three times weighs three times. */
    d = xq_of("medlars: how does medlars work? medlars", CTI_QUERY_ANY);
    assert_non_null(strstr(d, "3 * (medlar AND_MAYBE"));
    free(d);
    d = xq_of("antitru*", 0);
    assert_non_null(strstr(d, "WILDCARD"));
    free(d);
}

static int has_stem(const cti_hl_spec *s, const char *stem, int kind, int field)
{
    for (size_t g = 0; g < s->ngroups; g++)
        for (size_t i = 0; i < s->groups[g].nitems; i++)
            for (size_t k = 0; k < s->groups[g].items[i].nstems; k++)
                if (!strcmp(s->groups[g].items[i].stems[k], stem) &&
                    (kind < 0 || s->groups[g].kind == kind) &&
                    (field < 0 || s->groups[g].field == field))
                    return 1;
    return 0;
}

static void test_highlights(void **state)
{
    (void)state;
    cti_query *t = NULL;
    cti_hl_spec *s = NULL;
    assert_int_equal(cti_query_parse(
        "Lina -Bloomberg \"Silicon Valley\" NEAR/3 Harris title:court "
        "author:Doe antitru* NOT (Google OR Apple) date:2024", an, 0, &t, NULL),
        CTI_OK);
    assert_int_equal(cti_query_highlights(t, NULL, 0, &s), CTI_OK);
    assert_true(has_stem(s, "lina", CTI_HL_WORD, CTI_HL_ANY));
    assert_true(has_stem(s, "silicon", CTI_HL_NEAR, CTI_HL_ANY));
    assert_true(has_stem(s, "harri", CTI_HL_NEAR, CTI_HL_ANY));
    assert_true(has_stem(s, "court", CTI_HL_WORD, CTI_HL_TITLE));
    assert_true(has_stem(s, "doe", CTI_HL_WORD, CTI_HL_META));
    assert_true(has_stem(s, "antitru", CTI_HL_WORD, CTI_HL_ANY));
    /* Never what is excluded. */
    assert_false(has_stem(s, "bloomberg", -1, -1));
    assert_false(has_stem(s, "googl", -1, -1));
    assert_false(has_stem(s, "appl", -1, -1));
    int prefix_seen = 0;
    for (size_t g = 0; g < s->ngroups; g++) {
        assert_true(s->groups[g].weight > 0);
        if (s->groups[g].kind == CTI_HL_NEAR) {
            assert_int_equal(s->groups[g].window, 3);
            assert_int_equal(s->groups[g].nitems, 2);
            assert_int_equal(s->groups[g].items[0].nstems, 2);
        }
        if (s->groups[g].items[0].prefix)
            prefix_seen = 1;
    }
    assert_true(prefix_seen);
    cti_hl_spec_free(s);
    cti_query_free(t);
}

static int collect_word(void *ctx, size_t start, size_t end,
                        const char *folded, const char *term)
{
    char *buf = ctx;
    char one[128];
    snprintf(one, sizeof one, "%zu-%zu:%s:%s ", start, end, folded, term);
    strcat(buf, one);
    return 0;
}

static void test_words(void **state)
{
    (void)state;
    cti_query *t = NULL;
    char buf[512] = "";
    assert_int_equal(cti_query_parse("Lina Khann -Bloomberg title:Harris",
                                     an, 0, &t, NULL), CTI_OK);
    cti_query_words(t, collect_word, buf);
    assert_string_equal(buf, "0-4:lina:lina 5-10:khann:khann 28-34:harris:Sharri ");
    cti_query_free(t);
}


/* ---------------------------------------------------------------- */
/* Searching an index built by the indexer                          */
/* ---------------------------------------------------------------- */

static char tmpdir[64];
static char dbpath[128];

static const char *const articles[] = {
    "{\"id\": \"a1\", \"title\": \"Harris courts Silicon Valley\", \"date\": \"2024-07-15\", "
    "\"author\": \"Jane Doe\", \"text\": \"Kamala Harris met tech leaders in Silicon Valley. "
    "Lina Khan and antitrust were discussed.\"}",
    "{\"id\": \"a2\", \"title\": \"Bloomberg asks tech leaders for staff\", \"date\": \"2020-02-10\", "
    "\"text\": \"Mike Bloomberg wants valley engineers. A pro-Bloomberg group spent $50,000.\"}",
    "{\"id\": \"a3\", \"title\": \"Antitrust in the U.S.\", \"date\": \"2019-05-01\", "
    "\"text\": \"The U.S. antitrust agencies, led by Lina Khan, sued AT&T.\"}",
};

static int build_index(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cti-test-query-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char jsonl[128];
    snprintf(jsonl, sizeof jsonl, "%s/a.jsonl", tmpdir);
    snprintf(dbpath, sizeof dbpath, "%s/db.cti", tmpdir);
    FILE *f = fopen(jsonl, "w");
    if (!f)
        return -1;
    for (size_t i = 0; i < sizeof articles / sizeof *articles; i++)
        fprintf(f, "%s\n", articles[i]);
    fclose(f);
    cti_indexer_opts o;
    cti_indexer_opts_init(&o);
    o.db = dbpath;
    o.quiet = 1;
    o.bulk = CTI_BULK_NEVER;
    cti_indexer *ix = NULL;
    cti_indexer_stats st;
    if (cti_indexer_new(&o, &ix) != 0)
        return -1;
    int rc = cti_indexer_add_path(ix, jsonl) || cti_indexer_finish(ix, &st);
    cti_indexer_free(ix);
    return rc ? -1 : 0;
}

static int remove_index(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The ids of the hits of 'q' (in rank order, space-separated) into buf. */
static cti_status search_ids(cti_search *s, const char *q, unsigned flags,
                             char *buf, size_t len)
{
    cti_search_opts o;
    cti_search_opts_default(&o);
    o.flags = flags;
    cti_results *r = NULL;
    cti_query_error qe;
    char err[256];
    buf[0] = '\0';
    cti_status st = cti_search_run(s, q, &o, &r, &qe, err, sizeof err);
    if (st != CTI_OK)
        return st;
    for (size_t i = 0; i < cti_mset_size(r->mset); i++) {
        size_t n;
        const char *d = cti_mset_data(r->mset, i, &n);
        cti_record rec;
        assert_int_equal(cti_record_decode(d, n, NULL, 0, &rec, NULL, 0), 0);
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, "%s%s", l ? " " : "", rec.id);
        cti_record_release(&rec);
    }
    cti_results_free(r);
    return CTI_OK;
}

static void test_search_open_errors(void **state)
{
    (void)state;
    cti_search *s = (cti_search *)1;
    char err[256];
    assert_int_equal(cti_search_open("/nonexistent/cti", &s, err, sizeof err),
                     CTI_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(cti_search_open(tmpdir, &s, err, sizeof err), CTI_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err, "not a cti index"));
}

static void test_search_runs(void **state)
{
    (void)state;
    cti_search *s = NULL;
    char err[256], ids[64];
    assert_int_equal(cti_search_open(dbpath, &s, err, sizeof err), CTI_OK);
    struct { const char *q; const char *want; } cases[] = {
        { "Lina Khan AND antitrust", NULL },
        { "Bloomberg OR Harris antitrust", NULL },
        { "\"Silicon Valley\"", "a1" },
        { "valley -Bloomberg", "a1" },
        { "title:antitrust", "a3" },
        { "author:Doe", "a1" },
        { "date:2019..2020", NULL },
        { "pro-Bloomberg", "a2" },
        { "AT&T", "a3" },
        { "$50,000", "a2" },
        { "antitru*", NULL },
        { "zebra", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(search_ids(s, cases[i].q, 0, ids, sizeof ids), CTI_OK);
        if (cases[i].want && strcmp(ids, cases[i].want) != 0)
            fail_msg("'%s' -> '%s', want '%s'", cases[i].q, ids, cases[i].want);
    }
    /* Sets whose order is the ranking's business. */
    assert_int_equal(search_ids(s, "Lina Khan AND antitrust", 0, ids, sizeof ids), CTI_OK);
    assert_true(!strcmp(ids, "a1 a3") || !strcmp(ids, "a3 a1"));
    assert_int_equal(search_ids(s, "Bloomberg OR Harris antitrust", 0, ids, sizeof ids), CTI_OK);
    assert_true(!strcmp(ids, "a1 a2") || !strcmp(ids, "a2 a1"));
    assert_int_equal(search_ids(s, "date:2019..2020", 0, ids, sizeof ids), CTI_OK);
    assert_true(!strcmp(ids, "a2 a3") || !strcmp(ids, "a3 a2"));
    /* The title match ranks first. */
    assert_int_equal(search_ids(s, "antitrust", 0, ids, sizeof ids), CTI_OK);
    assert_string_equal(ids, "a3 a1");
    /* --any: any of the words. */
    assert_int_equal(search_ids(s, "what about Bloomberg and AT&T?", CTI_QUERY_ANY,
                                ids, sizeof ids), CTI_OK);
    assert_true(!strcmp(ids, "a2 a3") || !strcmp(ids, "a3 a2"));
    /* A syntax error comes back with its column. */
    cti_search_opts o;
    cti_search_opts_default(&o);
    cti_results *r = (cti_results *)1;
    cti_query_error qe;
    assert_int_equal(cti_search_run(s, "Khan (antitrust", &o, &r, &qe, err, sizeof err),
                     CTI_EINVAL);
    assert_null(r);
    assert_int_equal(qe.column, 6);
    cti_search_free(s);
}

/* The suggestion for 'q' (NULL: none), and the words no article holds. */
static void suggests(cti_search *s, const char *q, unsigned flags,
                     const char *want, const char *unknown)
{
    cti_suggestion sg;
    assert_int_equal(cti_suggest(s, q, flags, &sg), CTI_OK);
    if (want ? !sg.text || strcmp(sg.text, want) : sg.text != NULL)
        fail_msg("'%s' -> '%s', want '%s'", q, sg.text ? sg.text : "(none)",
                 want ? want : "(none)");
    if (unknown ? !sg.unknown || strcmp(sg.unknown, unknown) : sg.unknown != NULL)
        fail_msg("'%s': unknown %s, want %s", q, sg.unknown ? sg.unknown : "(none)",
                 unknown ? unknown : "(none)");
    if (want)
        assert_true(sg.matches > 0);
    cti_suggestion_release(&sg);
}

static void test_search_suggest(void **state)
{
    (void)state;
    cti_search *s = NULL;
    char err[256];
    assert_int_equal(cti_search_open(dbpath, &s, err, sizeof err), CTI_OK);
    suggests(s, "Lina Kahn antitrsut", 0, "Lina Khan antitrust", "'Kahn', 'antitrsut'");
    suggests(s, "title:Bloombreg", 0, "title:Bloomberg", "'Bloombreg'");
    suggests(s, "author:Doo", 0, "author:Doe", "'Doo'");
    /* Inside a phrase, with its case kept. */
    suggests(s, "\"SILICON VALLY\"", 0, "\"SILICON VALLEY\"", "'VALLY'");
    /* --any: the unknown word is named and corrected. */
    suggests(s, "what about antitrsut?", CTI_QUERY_ANY, "what about antitrust?",
             "'antitrsut'");
    suggests(s, "Lina Khan antitrust", CTI_QUERY_ANY, NULL, NULL);
    /* Nothing close: no suggestion. */
    suggests(s, "qqqzzzxxx", 0, NULL, "'qqqzzzxxx'");
    cti_search_free(s);
}

/*
 * Of two corrections as near to the typed word, the one that finds more
 * articles, copies of one story each counted: "barn" is in three copies
 * of a story, "born" in two stories of their own.
 */
static void test_suggest_counts_articles(void **state)
{
    (void)state;
    static const char story[] =
        "The old red barn on the hill road burned down late on Tuesday night "
        "while the county fire crews were still out at the harbor, and the "
        "farmers who had kept their hay and their tractors inside it for "
        "forty years stood by the fence and watched it fall.";
    char j[4096];
    size_t o = 0;
    for (unsigned c = 0; c < 3; c++)
        o += (size_t)snprintf(j + o, sizeof j - o,
                              "{\"id\":\"copy%u\",\"title\":\"Fire %u\","
                              "\"text\":\"%s Report %u.\"}\n", c, c, story, c);
    o += (size_t)snprintf(j + o, sizeof j - o,
                          "{\"id\":\"b1\",\"title\":\"Twins\",\"text\":\"Two "
                          "lambs were born at the school farm this spring.\"}\n"
                          "{\"id\":\"b2\",\"title\":\"Mayor\",\"text\":\"The new "
                          "mayor was born and raised in the river town.\"}\n");
    index_fixture *fx = index_fixture_new(j);
    assert_non_null(fx);
    cti_search_opts so;
    cti_results *r = NULL;
    char err[256];
    cti_search_opts_default(&so);
    assert_int_equal(cti_search_run(fx->s, "barn", &so, &r, NULL, err, sizeof err),
                     CTI_OK);
    assert_int_equal(r->articles, 3); /* the fixture's premise: */
    assert_int_equal(r->matches, 1);  /* three copies of one story */
    cti_results_free(r);
    suggests(fx->s, "bxrn", 0, "barn", "'bxrn'");
    cti_suggestion sg;
    assert_int_equal(cti_suggest(fx->s, "bxrn", 0, &sg), CTI_OK);
    assert_int_equal(sg.matches, 3);
    cti_suggestion_release(&sg);
    index_fixture_free(fx);
}

static void test_search_json_output(void **state)
{
    (void)state;
    cti_search *s = NULL;
    char err[256];
    assert_int_equal(cti_search_open(dbpath, &s, err, sizeof err), CTI_OK);
    cti_search_opts o;
    cti_search_opts_default(&o);
    cti_results *r = NULL;
    assert_int_equal(cti_search_run(s, "Lina Khan -Bloomberg", &o, &r, NULL, err, sizeof err),
                     CTI_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cti_output_opts oo = { .format = CTI_OUT_JSON };
    cti_printer *p = NULL;
    assert_int_equal(cti_printer_new(f, &oo, &p), CTI_OK);
    for (size_t i = 0; i < cti_mset_size(r->mset); i++) {
        cti_hit h;
        assert_int_equal(cti_hit_load(s, r, i, NULL, &h), CTI_OK);
        assert_int_equal(cti_printer_hit(p, &h), CTI_OK);
        cti_hit_release(&h);
    }
    assert_int_equal(cti_printer_footer(p, r, 1.0), CTI_OK);
    cti_printer_free(p);
    fclose(f);
    size_t lines = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        json_error_t je;
        json_t *h = json_loads(line, 0, &je);
        if (!h)
            fail_msg("invalid JSON: %s (%s)", line, je.text);
        assert_true(json_is_integer(json_object_get(h, "rank")));
        assert_true(json_is_string(json_object_get(h, "id")));
        assert_true(json_is_string(json_object_get(h, "title")));
        assert_true(json_is_real(json_object_get(h, "score")));
        const char *snip = json_string_value(json_object_get(h, "snippet"));
        assert_non_null(snip);
        json_t *hl = json_object_get(h, "highlights");
        assert_true(json_is_array(hl));
        assert_true(json_array_size(hl) >= 2);
        for (size_t i = 0; i < json_array_size(hl); i++) {
            json_int_t a = json_integer_value(json_array_get(json_array_get(hl, i), 0));
            json_int_t b = json_integer_value(json_array_get(json_array_get(hl, i), 1));
            assert_true(0 <= a && a < b && (size_t)b <= strlen(snip));
            char word[32];
            snprintf(word, sizeof word, "%.*s", (int)(b - a), snip + a);
            assert_true(!strcmp(word, "Lina") || !strcmp(word, "Khan"));
        }
        json_decref(h);
    }
    assert_int_equal(lines, 2);
    free(buf);
    cti_results_free(r);
    cti_search_free(s);
}

static void test_default_db(void **state)
{
    (void)state;
    char *d;
    setenv("CTI_DB", "/some/where", 1);
    d = cti_search_default_db();
    assert_string_equal(d, "/some/where");
    free(d);
    unsetenv("CTI_DB");
    char here[4096], sub[256], want[256];
    assert_non_null(getcwd(here, sizeof here));
    snprintf(sub, sizeof sub, "%s/x/y", tmpdir);
    snprintf(want, sizeof want, "%s/.cti", tmpdir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s'", sub, want);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(chdir(sub), 0);
    d = cti_search_default_db();
    assert_int_equal(chdir(here), 0);
    assert_non_null(d);
    assert_string_equal(d, want);
    free(d);
}

int main(void)
{
    /* As cti-index does: the indexer commits by itself. */
    setenv(CTI_XAPIAN_FLUSH_ENV, CTI_INDEXER_FLUSH_THRESHOLD, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_implicit_and),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_pure_not),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_lowercase_operators_are_words),
        cmocka_unit_test(test_lowercase_operators_noted),
        cmocka_unit_test(test_phrase),
        cmocka_unit_test(test_near),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_punctuation),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_nothing_to_search),
        cmocka_unit_test(test_any_mode),
        cmocka_unit_test(test_xapian_query),
        cmocka_unit_test(test_highlights),
        cmocka_unit_test(test_words),
    };
    const struct CMUnitTest search_tests[] = {
        cmocka_unit_test(test_search_open_errors),
        cmocka_unit_test(test_search_runs),
        cmocka_unit_test(test_search_suggest),
        cmocka_unit_test(test_suggest_counts_articles),
        cmocka_unit_test(test_search_json_output),
        cmocka_unit_test(test_default_db),
    };
    int rc = cmocka_run_group_tests_name("query", tests, setup, teardown);
    return rc | cmocka_run_group_tests_name("search", search_tests, build_index,
                                            remove_index);
}
