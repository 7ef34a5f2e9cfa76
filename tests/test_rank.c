/*
 * test_rank.c - what each ranking factor does to the order of hits, on a
 * small index built for it: a word said twice counts twice, a title made
 * from the body is no headline, --any favours articles holding every word,
 * and words typed together rank the articles that hold them together
 * first.  Each case also runs with the factor turned off, so the test
 * shows that the factor is what changes the order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unistd.h>

#include "cti_indexer.h"
#include "cti_search.h"
#include "cti_store.h"

static char tmpdir[64];
static char dbpath[128];
static cti_search *s;

static const char *const articles[] = {
    /* Repeated words: the same article but for one word. */
    "{\"id\": \"budget\", \"title\": \"Spending plans\", \"text\": \"The budget was "
    "debated. The budget grew. Members read the budget twice and voted on the "
    "budget late in the evening after a long day.\"}",
    "{\"id\": \"tax\", \"title\": \"Spending plans\", \"text\": \"The tax was "
    "debated. The tax grew. Members read the tax twice and voted on the tax "
    "late in the evening after a long day.\"}",
    /* Every word, or one word often. */
    "{\"id\": \"mexico\", \"title\": \"Trade news\", \"text\": \"Mexico and "
    "trade: Mexico sells cars, Mexico buys grain, and Mexico guards its "
    "border.\"}",
    "{\"id\": \"wall\", \"title\": \"A long meeting\", \"text\": \"Officials "
    "spoke for hours about roads and schools and many other things of the day "
    "before they turned to the wall planned along the border with Mexico.\"}",
    /* Words as typed. */
    "{\"id\": \"new-england\", \"title\": \"Bank news\", \"text\": \"The Bank of "
    "New England lost money. Its bank said New England markets and England "
    "differ. The bank will report again.\"}",
    "{\"id\": \"england\", \"title\": \"Rates\", \"text\": \"Officials at the "
    "Bank of England said rates would stay where they are for now.\"}",
    "{\"id\": \"mutu\", \"title\": \"Chelsea sack Mutu\", \"text\": \"The club "
    "ended the contract of the striker after a failed test.\"}",
    "{\"id\": \"mutu-2\", \"title\": \"Chelsea news\", \"text\": \"Mutu and the "
    "sack: Chelsea fans talk of the sack of Mutu, Mutu's future, and the sack "
    "of managers before him at Chelsea.\"}",
    /* Titles: made from the whole text, from the opening, given. */
    "{\"id\": \"short\", \"text\": \"Inflation report delayed again.\"}",
    "{\"id\": \"opening\", \"text\": \"Markets rallied today. Shares rose "
    "across the board as investors cheered the report on inflation.\"}",
    "{\"id\": \"long\", \"title\": \"Inflation report shows prices rising\", "
    "\"text\": \"The monthly inflation report shows prices rising across the "
    "country, with food and fuel leading the increase while wages lag behind "
    "for most households.\"}",
    /* Others, so that every word above is rare. */
    "{\"id\": \"f1\", \"title\": \"Weather\", \"text\": \"Rain fell on the city "
    "all week and the rivers rose.\"}",
    "{\"id\": \"f2\", \"title\": \"Sport\", \"text\": \"The team won the final "
    "after extra time.\"}",
    "{\"id\": \"f3\", \"title\": \"Arts\", \"text\": \"A new museum opened "
    "downtown with works from local painters.\"}",
};

static int build_index(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cti-test-rank-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char jsonl[128], err[256];
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
    if (rc)
        return -1;
    return cti_search_open(dbpath, &s, err, sizeof err) == CTI_OK ? 0 : -1;
}

static int remove_index(void **state)
{
    (void)state;
    cti_search_free(s);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The ids of the hits of 'q' run with 'o' (in rank order, space-separated). */
static const char *ranked(const char *q, const cti_search_opts *o)
{
    static char buf[512];
    cti_results *r = NULL;
    cti_query_error qe;
    char err[256];
    buf[0] = '\0';
    assert_int_equal(cti_search_run(s, q, o, &r, &qe, err, sizeof err), CTI_OK);
    for (size_t i = 0; i < cti_mset_size(r->mset); i++) {
        size_t n;
        const char *d = cti_mset_data(r->mset, i, &n);
        cti_record rec;
        assert_int_equal(cti_record_decode(d, n, NULL, 0, &rec, NULL, 0), 0);
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof buf - l, "%s%.*s", l ? " " : "",
                 (int)rec.id_len, rec.id);
        cti_record_release(&rec);
    }
    cti_results_free(r);
    return buf;
}

/* Options: the defaults, with --any when 'any', feedback off (so that the
   order depends on the factor under test only), and every article shown
   (the test articles differ in a word or two: they are copies of one
   another). */
static cti_search_opts opts(int any)
{
    cti_search_opts o;
    cti_search_opts_default(&o);
    o.flags = any ? CTI_QUERY_ANY : 0;
    o.prf_docs = 0;
    o.no_collapse = 1;
    return o;
}

static void test_repeated_word_counts_twice(void **state)
{
    (void)state;
    cti_search_opts o = opts(1);
    /* "budget" and "tax" articles differ only in that word: whichever
       word the question says twice wins. */
    assert_string_equal(ranked("budget, tax and the budget", &o), "budget tax");
    assert_string_equal(ranked("tax, budget and the tax", &o), "tax budget");
}

static void test_derived_title_is_no_headline(void **state)
{
    (void)state;
    cti_search_opts o = opts(0);
    /* A record that is all title no longer outranks a longer article
       with a real headline. */
    assert_string_equal(ranked("inflation report", &o), "long short opening");
    /* title: finds headlines and openings that stand as titles, not a
       record whose only text is its title. */
    assert_string_equal(ranked("title:inflation", &o), "long");
    assert_string_equal(ranked("title:markets", &o), "opening");
    /* The opening's words are posted once: the body's. */
    assert_string_equal(ranked("\"markets rallied\"", &o), "opening");
}

static void test_any_favours_every_word(void **state)
{
    (void)state;
    cti_search_opts o = opts(1);
    o.rank.phrase_weight = 0;
    o.rank.coord_weight = 0;
    /* Without coordination, Mexico said four times wins... */
    assert_string_equal(ranked("the wall on the Mexico border", &o), "mexico wall");
    /* ...with it, the article holding every word. */
    o.rank.coord_weight = 0.25;
    assert_string_equal(ranked("the wall on the Mexico border", &o), "wall mexico");
}

static void test_words_as_typed(void **state)
{
    (void)state;
    cti_search_opts and_off = opts(0), and_on = opts(0);
    cti_search_opts any_on = opts(1);
    and_off.rank.phrase_weight = 0;
    /* The Bank of New England says "bank" more often... */
    assert_string_equal(ranked("Bank of England", &and_off), "new-england england");
    /* ...but the Bank of England is what was typed. */
    assert_string_equal(ranked("Bank of England", &and_on), "england new-england");
    assert_string_equal(ranked("Bank of England", &any_on), "england new-england");
    /* An exact headline ranks its own article first. */
    assert_string_equal(ranked("Chelsea sack Mutu", &and_off), "mutu-2 mutu");
    assert_string_equal(ranked("Chelsea sack Mutu", &and_on), "mutu mutu-2");
    assert_string_equal(ranked("Chelsea sack Mutu", &any_on), "mutu mutu-2");
    /* A typed word order that is not in the text changes nothing. */
    assert_string_equal(ranked("England of Bank", &and_on), "new-england england");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeated_word_counts_twice),
        cmocka_unit_test(test_derived_title_is_no_headline),
        cmocka_unit_test(test_any_favours_every_word),
        cmocka_unit_test(test_words_as_typed),
    };
    return cmocka_run_group_tests_name("rank", tests, build_index, remove_index);
}
