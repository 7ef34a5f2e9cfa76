/*
 * test_shim.c - the C API over Xapian: indexes in temporary directories,
 * positional queries, replace/delete by id, metadata, locking, errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cti_xapian.h"
#include "lib/scratch.h"

static int setup(void **state)
{
    (void)state;
    return scratch_make("shim");
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove();
}

/* Add a document: id term, words at positions 1.., data = the text. */
static void add_text(cti_db *db, const char *id, const char *text,
                     const char *date)
{
    cti_doc *doc;
    assert_int_equal(cti_doc_new(&doc), CTI_OK);
    char word[64];
    uint32_t pos = 1;
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n > 0 && n < sizeof word) {
            memcpy(word, p, n);
            assert_int_equal(cti_doc_add_posting(doc, word, n, pos++, 1), CTI_OK);
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    if (date)
        assert_int_equal(cti_doc_set_value(doc, 0, date, strlen(date)), CTI_OK);
    assert_int_equal(cti_doc_set_data(doc, text, strlen(text)), CTI_OK);
    char idterm[128];
    snprintf(idterm, sizeof idterm, "Q%s", id);
    assert_int_equal(cti_db_replace(db, idterm, strlen(idterm), doc, NULL), CTI_OK);
    cti_doc_free(doc);
}

static cti_db *make_db(const char *name)
{
    char path[512];
    scratch_path(path, sizeof path, name);
    cti_db *db;
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OPEN, &db), CTI_OK);
    add_text(db, "a", "the state of the union is strong", "20240101");
    add_text(db, "b", "union workers of the state went on strike", "20230505");
    add_text(db, "c", "breaking up big tech is an antitrust goal", "20220202");
    assert_int_equal(cti_db_commit(db), CTI_OK);
    return db;
}

/* Run 'q' and return the number of hits (exact). */
static size_t count_hits(cti_db *db, cti_xq *q)
{
    cti_enquire *e;
    cti_mset *m;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 100, 100, &m), CTI_OK);
    size_t n = cti_mset_size(m);
    assert_int_equal(cti_mset_matches_lower(m), cti_mset_matches_upper(m));
    cti_mset_free(m);
    cti_enquire_free(e);
    return n;
}

static cti_xq *term(const char *t)
{
    cti_xq *q;
    assert_int_equal(cti_xq_term(t, strlen(t), 1, 0, &q), CTI_OK);
    return q;
}

static cti_xq *combine2(cti_xq_op op, const char *a, const char *b,
                        uint32_t window)
{
    cti_xq *s[2] = {term(a), term(b)};
    cti_xq *q;
    assert_int_equal(cti_xq_combine(op, s, 2, window, &q), CTI_OK);
    cti_xq_free(s[0]);
    cti_xq_free(s[1]);
    return q;
}

static void test_phrase_and_near(void **state)
{
    (void)state;
    cti_db *db = make_db("phrase");
    /* "state of": adjacent only in a and b ("workers of the state" has "of the state"). */
    cti_xq *p = combine2(CTI_XQ_PHRASE, "of", "the", 0);
    assert_int_equal(count_hits(db, p), 2);
    cti_xq_free(p);
    p = combine2(CTI_XQ_PHRASE, "state", "union", 0);
    assert_int_equal(count_hits(db, p), 0);
    cti_xq_free(p);
    /* union and strong: 2 words apart in a. */
    cti_xq *n = combine2(CTI_XQ_NEAR, "union", "strong", 3);
    assert_int_equal(count_hits(db, n), 1);
    cti_xq_free(n);
    n = combine2(CTI_XQ_NEAR, "union", "strike", 3);
    assert_int_equal(count_hits(db, n), 0);
    cti_xq_free(n);
    n = combine2(CTI_XQ_NEAR, "union", "strike", 8);
    assert_int_equal(count_hits(db, n), 1);
    cti_xq_free(n);
    cti_db_free(db);
}

static void test_boolean_ops(void **state)
{
    (void)state;
    cti_db *db = make_db("bool");
    cti_xq *q = combine2(CTI_XQ_AND, "state", "union", 0);
    assert_int_equal(count_hits(db, q), 2);
    cti_xq_free(q);
    q = combine2(CTI_XQ_OR, "strike", "antitrust", 0);
    assert_int_equal(count_hits(db, q), 2);
    cti_xq_free(q);
    q = combine2(CTI_XQ_AND_NOT, "state", "strike", 0);
    assert_int_equal(count_hits(db, q), 1);
    cti_xq_free(q);
    q = combine2(CTI_XQ_AND_MAYBE, "union", "strong", 0);
    assert_int_equal(count_hits(db, q), 2);
    cti_xq_free(q);
    /* Scaled weights: doubling the weight doubles the score. */
    cti_xq *t = term("antitrust"), *s;
    assert_int_equal(cti_xq_scale(t, 2.0, &s), CTI_OK);
    cti_enquire *e;
    cti_mset *m1, *m2;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, t), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, 0, &m1), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, s), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, 0, &m2), CTI_OK);
    assert_int_equal(cti_mset_size(m1), 1);
    assert_true(cti_mset_weight(m1, 0) > 0);
    assert_true(cti_mset_weight(m2, 0) > 1.99 * cti_mset_weight(m1, 0));
    cti_mset_free(m1);
    cti_mset_free(m2);
    cti_enquire_free(e);
    cti_xq_free(t);
    cti_xq_free(s);
    /* Match all. */
    assert_int_equal(cti_xq_match_all(&q), CTI_OK);
    assert_int_equal(count_hits(db, q), 3);
    cti_xq_free(q);
    cti_db_free(db);
}

static void test_wildcard_range_sort(void **state)
{
    (void)state;
    cti_db *db = make_db("wild");
    cti_xq *q;
    assert_int_equal(cti_xq_wildcard("str", 3, 0, CTI_XQ_SYNONYM, &q), CTI_OK);
    assert_int_equal(count_hits(db, q), 2); /* strong, strike */
    cti_xq_free(q);
    /* An expansion limit that is exceeded is an error, not a silent cut. */
    assert_int_equal(cti_xq_wildcard("s", 1, 1, CTI_XQ_OR, &q), CTI_OK);
    cti_enquire *e;
    cti_mset *m;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, 0, &m), CTI_EINVAL);
    assert_null(m);
    assert_true(strlen(cti_errmsg()) > 0);
    cti_xq_free(q);

    assert_int_equal(cti_xq_value_range(0, "20230101", "20241231", &q), CTI_OK);
    assert_int_equal(count_hits(db, q), 2);
    cti_xq_free(q);
    assert_int_equal(cti_xq_value_range(0, NULL, "20221231", &q), CTI_OK);
    assert_int_equal(count_hits(db, q), 1);
    cti_xq_free(q);

    /* Sort by date, newest first, with paging. */
    assert_int_equal(cti_xq_match_all(&q), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_set_sort_by_value(e, 0, 1), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 1, 2, 0, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 2);
    size_t len;
    assert_string_equal(cti_mset_value(m, 0, 0, &len), "20230505");
    assert_string_equal(cti_mset_value(m, 1, 0, &len), "20220202");
    assert_int_equal(cti_mset_rank(m, 0), 1);
    const char *data = cti_mset_data(m, 0, &len); /* 2023-05-05 */
    assert_string_equal(data, "union workers of the state went on strike");
    data = cti_mset_data(m, 1, &len);                /* 2022-02-02 */
    assert_string_equal(data, "breaking up big tech is an antitrust goal");
    cti_mset_free(m);
    cti_xq_free(q);
    cti_enquire_free(e);
    cti_db_free(db);
}

/* That the bound of q from its terms' frequencies is 'want' (-1: q has
   none), and holds q's matches; frees q. */
static void bound_is(cti_db *db, cti_xq *q, long want)
{
    cti_enquire *e;
    uint32_t upper = 99;
    int known = 99;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_match_bound(e, &upper, &known), CTI_OK);
    cti_enquire_free(e);
    if (want < 0) {
        assert_int_equal(known, 0);
        assert_int_equal(upper, 0);
    } else {
        assert_int_equal(known, 1);
        assert_int_equal(upper, want);
        assert_true(upper >= count_hits(db, q));
    }
    cti_xq_free(q);
}

/* q scaled by 'factor'; frees q. */
static cti_xq *scaled(cti_xq *q, double factor)
{
    cti_xq *s;
    assert_int_equal(cti_xq_scale(q, factor, &s), CTI_OK);
    cti_xq_free(q);
    return s;
}

/* A query's match bound without a run: each operator bounds its matches
   from its subqueries', and a part no term frequency bounds says so. */
static void test_match_bound(void **state)
{
    (void)state;
    cti_db *db = make_db("bound");
    cti_xq *q;
    bound_is(db, term("state"), 2);
    bound_is(db, term("absent"), 0);
    bound_is(db, combine2(CTI_XQ_AND, "union", "antitrust", 0), 1); /* the fewer */
    bound_is(db, combine2(CTI_XQ_OR, "strike", "antitrust", 0), 2); /* the sum */
    bound_is(db, combine2(CTI_XQ_AND_NOT, "state", "strike", 0), 2); /* the first */
    bound_is(db, combine2(CTI_XQ_AND_MAYBE, "antitrust", "union", 0), 1);
    bound_is(db, combine2(CTI_XQ_PHRASE, "state", "union", 0), 2); /* none truly */
    /* A sum past every document is every document, weighed or not. */
    cti_xq *s[3] = {term("the"), term("of"), term("union")};
    assert_int_equal(cti_xq_combine(CTI_XQ_OR, s, 3, 0, &q), CTI_OK);
    for (int i = 0; i < 3; i++)
        cti_xq_free(s[i]);
    bound_is(db, scaled(q, 0), 3);
    assert_int_equal(cti_xq_match_all(&q), CTI_OK);
    bound_is(db, q, 3);
    /* A wildcard or a date range: only a run tells, even under an AND. */
    assert_int_equal(cti_xq_wildcard("str", 3, 0, CTI_XQ_SYNONYM, &q), CTI_OK);
    bound_is(db, q, -1);
    cti_xq *both[2] = {term("state"), NULL};
    assert_int_equal(cti_xq_value_range(0, "20230101", NULL, &both[1]), CTI_OK);
    assert_int_equal(cti_xq_combine(CTI_XQ_AND, both, 2, 0, &q), CTI_OK);
    cti_xq_free(both[0]);
    cti_xq_free(both[1]);
    bound_is(db, q, -1);
    /* Before a query is set there is nothing to bound. */
    cti_enquire *e;
    uint32_t upper;
    int known;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_match_bound(e, &upper, &known), CTI_ESTATE);
    assert_int_equal(cti_enquire_match_bound(e, NULL, &known), CTI_EINVAL);
    assert_int_equal(cti_enquire_match_bound(NULL, &upper, &known), CTI_EINVAL);
    cti_enquire_free(e);
    cti_db_free(db);
}

/* Collapsing on a value: one hit per key, with how many it stands for. */
static void test_collapse(void **state)
{
    (void)state;
    char path[512];
    scratch_path(path, sizeof path, "collapse");
    cti_db *db;
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OPEN, &db), CTI_OK);
    /* Value slot 0 is the collapse key: "x" twice and "y" once collapse,
       a document without a value never does. */
    add_text(db, "a", "tech leaders tech", "x");
    add_text(db, "b", "tech leaders", "x");
    add_text(db, "c", "tech", "x");
    add_text(db, "d", "tech leaders tech tech", "y");
    add_text(db, "e", "tech", NULL);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    cti_xq *q = term("tech");
    cti_enquire *e;
    cti_mset *m;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_set_collapse(e, 0, 1), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, 100, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 3);
    assert_int_equal(cti_mset_matches_lower(m), 3);
    assert_int_equal(cti_mset_matches_upper(m), 3);
    assert_int_equal(cti_mset_uncollapsed_lower(m), 5);
    assert_int_equal(cti_mset_uncollapsed_upper(m), 5);
    uint32_t total = 0;
    for (size_t i = 0; i < cti_mset_size(m); i++) {
        size_t len;
        const char *key = cti_mset_value(m, i, 0, &len);
        uint32_t c = cti_mset_collapse_count(m, i);
        total += c;
        if (!strcmp(key, "x"))
            assert_int_equal(c, 2);
        else
            assert_int_equal(c, 0);
    }
    assert_int_equal(total, 2);
    cti_mset_free(m);
    /* Off again: every document. */
    assert_int_equal(cti_enquire_set_collapse(e, 0, 0), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, 100, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 5);
    assert_int_equal(cti_mset_collapse_count(m, 0), 0);
    assert_int_equal(cti_mset_uncollapsed_lower(m), 5);
    cti_mset_free(m);
    cti_enquire_free(e);
    cti_xq_free(q);
    cti_db_free(db);
}

typedef struct spied {
    unsigned calls, resets;
    char values[8][16];
    size_t datalen;
} spied;

static void spy_count(void *ctx, const char *value, size_t vlen,
                      const char *data, size_t dlen)
{
    spied *sp = ctx;
    if (!value) {
        sp->resets++;
        return;
    }
    if (sp->calls < 8)
        snprintf(sp->values[sp->calls], sizeof sp->values[0], "%.*s",
                 (int)vlen, value);
    sp->calls++;
    sp->datalen += data ? dlen : 0;
}

/* A spy sees every match, not only the page, with its value and data. */
/* CoordWeight: the documents matching the most subqueries first. */
static void test_coord(void **state)
{
    (void)state;
    char path[512];
    scratch_path(path, sizeof path, "coord");
    cti_db *db;
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OPEN, &db), CTI_OK);
    add_text(db, "a", "common one common two pad pad pad pad pad pad", NULL);
    add_text(db, "b", "rare", NULL); /* docid 2 */
    add_text(db, "c", "common one common two", NULL);
    add_text(db, "d", "common one common two", NULL);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    for (int coord = 0; coord < 2; coord++) {
        cti_xq *s[3] = { term("one"), term("two"), term("rare") }, *q;
        cti_enquire *e;
        cti_mset *m;
        assert_int_equal(cti_xq_combine(CTI_XQ_OR, s, 3, 0, &q), CTI_OK);
        assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
        assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
        if (coord)
            assert_int_equal(cti_enquire_set_coord(e), CTI_OK);
        assert_int_equal(cti_enquire_run(e, 0, 10, 10, &m), CTI_OK);
        assert_int_equal(cti_mset_size(m), 4);
        /* BM25 puts the one rare word first; coordination puts it last. */
        assert_int_equal(cti_mset_docid(m, coord ? 3 : 0), 2);
        cti_mset_free(m);
        cti_enquire_free(e);
        cti_xq_free(q);
        for (int i = 0; i < 3; i++)
            cti_xq_free(s[i]);
    }
    assert_int_equal(cti_db_close(db), CTI_OK);
}

/* A counting run past its time limit: stopped, with true bounds. */
static void test_time_limit(void **state)
{
    (void)state;
    char path[512];
    scratch_path(path, sizeof path, "timelimit");
    cti_db *db;
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OPEN, &db), CTI_OK);
    for (int i = 0; i < 3000; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%d", i);
        add_text(db, id, i % 2 ? (i % 3 ? "filler" : "beta filler")
                               : (i % 3 ? "alpha filler" : "alpha beta"), NULL);
    }
    assert_int_equal(cti_db_commit(db), CTI_OK);
    for (int limited = 0; limited < 2; limited++) {
        /* alpha AND beta (500 of 3000): Xapian cannot know without checking. */
        cti_xq *q = combine2(CTI_XQ_AND, "alpha", "beta", 0);
        cti_enquire *e;
        cti_mset *m;
        assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
        assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
        if (limited) /* past at once: stops at its first look at the clock */
            assert_int_equal(cti_enquire_set_time_limit(e, 1e-9), CTI_OK);
        assert_int_equal(cti_enquire_run(e, 0, 10, 3000, &m), CTI_OK);
        assert_int_equal(cti_mset_size(m), 10);
        if (limited) {
            /* Stopped after 256 matches: true bounds, whatever Xapian's
               page run could tell without counting. */
            assert_true(cti_mset_matches_lower(m) >= 256);
            assert_true(cti_mset_matches_lower(m) <= 500);
            assert_true(cti_mset_matches_upper(m) >= 500);
        } else {
            assert_int_equal(cti_mset_matches_lower(m), 500);
            assert_int_equal(cti_mset_matches_upper(m), 500);
        }
        cti_mset_free(m);
        cti_enquire_free(e);
        cti_xq_free(q);
    }
    assert_int_equal(cti_db_close(db), CTI_OK);
}

static void test_match_spy(void **state)
{
    (void)state;
    cti_db *db = make_db("spy");
    cti_xq *q = combine2(CTI_XQ_OR, "state", "antitrust", 0);
    cti_enquire *e;
    cti_mset *m;
    spied sp = { 0 };
    cti_spy spy = { 0, 1, spy_count, &sp, NULL };
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_set_spy(e, &spy), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 1, UINT32_MAX, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 1);
    assert_int_equal(sp.calls, 3);
    assert_int_equal(sp.resets, 0);
    int seen2022 = 0;
    for (unsigned i = 0; i < 3; i++)
        seen2022 += !strcmp(sp.values[i], "20220202");
    assert_int_equal(seen2022, 1);
    assert_int_equal(sp.datalen, strlen("the state of the union is strong") +
                     strlen("union workers of the state went on strike") +
                     strlen("breaking up big tech is an antitrust goal"));
    cti_mset_free(m);
    /* Without data; then no spy at all. */
    memset(&sp, 0, sizeof sp);
    spy.want_data = 0;
    assert_int_equal(cti_enquire_set_spy(e, &spy), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 0, UINT32_MAX, &m), CTI_OK);
    assert_int_equal(sp.calls, 3);
    assert_int_equal(sp.datalen, 0);
    cti_mset_free(m);
    assert_int_equal(cti_enquire_set_spy(e, NULL), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, UINT32_MAX, &m), CTI_OK);
    assert_int_equal(sp.calls, 3);
    cti_mset_free(m);
    spy.fn = NULL;
    assert_int_equal(cti_enquire_set_spy(e, &spy), CTI_EINVAL);
    cti_enquire_free(e);
    cti_xq_free(q);
    cti_db_free(db);
}

typedef struct ids_seen {
    unsigned n, resets;
    uint32_t v[8];
} ids_seen;

static void spy_ids(void *ctx, uint32_t docid)
{
    ids_seen *s = ctx;
    if (!docid) {
        s->n = 0;
        s->resets++;
        return;
    }
    if (s->n < 8)
        s->v[s->n] = docid;
    s->n++;
}

/* A term's documents; a query of given documents; a spy of their ids. */
static void test_postings_and_docs(void **state)
{
    (void)state;
    cti_db *db = make_db("docs");
    uint32_t *ids = NULL, *none = NULL;
    size_t n = 0, nn = 1;
    assert_int_equal(cti_db_parts(db), 1);
    assert_int_equal(cti_db_postings(db, "state", 5, &ids, &n), CTI_OK);
    assert_int_equal(n, 2);
    assert_true(ids[0] < ids[1]);
    assert_int_equal(cti_db_postings(db, "nosuchword", 10, &none, &nn), CTI_OK);
    assert_null(none);
    assert_int_equal(nn, 0);

    /* The second "state" document only, of those OR matches. */
    cti_xq *d, *both, *or = combine2(CTI_XQ_OR, "state", "antitrust", 0);
    assert_int_equal(cti_xq_docs(ids + 1, 1, &d), CTI_OK);
    cti_xq *pair[2] = { or, d };
    assert_int_equal(cti_xq_combine(CTI_XQ_FILTER, pair, 2, 0, &both), CTI_OK);
    ids_seen seen = { 0 };
    cti_spy spy = { 0, 0, NULL, &seen, spy_ids };
    cti_enquire *e;
    cti_mset *m;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, both), CTI_OK);
    assert_int_equal(cti_enquire_set_spy(e, &spy), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, UINT32_MAX, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 1);
    assert_int_equal(cti_mset_docid(m, 0), ids[1]);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.v[0], ids[1]);
    assert_int_equal(seen.resets, 0);
    cti_mset_free(m);
    cti_enquire_free(e);

    /* Out of order, repeated or 0: refused; none: matches nothing. */
    uint32_t back[2] = { ids[1], ids[0] }, twice[2] = { ids[0], ids[0] }, zero = 0;
    cti_xq *bad = NULL, *empty;
    assert_int_equal(cti_xq_docs(back, 2, &bad), CTI_EINVAL);
    assert_int_equal(cti_xq_docs(twice, 2, &bad), CTI_EINVAL);
    assert_int_equal(cti_xq_docs(&zero, 1, &bad), CTI_EINVAL);
    assert_null(bad);
    assert_int_equal(cti_xq_docs(NULL, 0, &empty), CTI_OK);
    assert_int_equal(count_hits(db, empty), 0);
    cti_xq_free(empty);
    cti_xq_free(both);
    cti_xq_free(d);
    cti_xq_free(or);
    free(ids);
    cti_db_free(db);
}

typedef struct walked {
    unsigned n, stop_at;
    char values[8][16];
} walked;

static int walk_one(void *ctx, const char *value, size_t vlen)
{
    walked *w = ctx;
    if (w->n < 8)
        snprintf(w->values[w->n], sizeof w->values[0], "%.*s", (int)vlen, value);
    w->n++;
    return w->stop_at && w->n >= w->stop_at;
}

/* A walk gets every hit of the page in rank order, and no hit is kept. */
static void test_walk_hits(void **state)
{
    (void)state;
    cti_db *db = make_db("walk");
    cti_xq *q = combine2(CTI_XQ_OR, "state", "antitrust", 0);
    cti_enquire *e;
    cti_mset *m;
    walked w = { 0 };
    cti_each each = { 0, walk_one, &w };
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_set_sort_by_value(e, 0, 0), CTI_OK);
    assert_int_equal(cti_enquire_set_each(e, &each), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 100, 0, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 0);
    assert_int_equal(cti_mset_matches_estimated(m), 3);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.values[0], "20220202");
    assert_string_equal(w.values[1], "20230505");
    assert_string_equal(w.values[2], "20240101");
    cti_mset_free(m);
    /* The page is honoured; the function may stop the walk. */
    memset(&w, 0, sizeof w);
    assert_int_equal(cti_enquire_run(e, 1, 100, 0, &m), CTI_OK);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.values[0], "20230505");
    cti_mset_free(m);
    memset(&w, 0, sizeof w);
    w.stop_at = 1;
    assert_int_equal(cti_enquire_run(e, 0, 100, 0, &m), CTI_OK);
    assert_int_equal(w.n, 1);
    cti_mset_free(m);
    /* Without the walk, the hits are kept again. */
    assert_int_equal(cti_enquire_set_each(e, NULL), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 100, 0, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 3);
    cti_mset_free(m);
    each.fn = NULL;
    assert_int_equal(cti_enquire_set_each(e, &each), CTI_EINVAL);
    cti_enquire_free(e);
    cti_xq_free(q);
    cti_db_free(db);
}

/* Hits carry the values of the slots asked for, "" for the others. */
static void test_hit_slots(void **state)
{
    (void)state;
    cti_db *db = make_db("slots");
    cti_xq *q = NULL;
    cti_enquire *e;
    cti_mset *m;
    size_t len;
    assert_int_equal(cti_xq_term("state", 5, 1, 0, &q), CTI_OK);
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_set_sort_by_value(e, 0, 0), CTI_OK);
    /* By default every slot below CTI_MSET_SLOTS. */
    assert_int_equal(cti_enquire_run(e, 0, 10, 0, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 2);
    assert_string_equal(cti_mset_value(m, 0, 0, &len), "20230505");
    assert_int_equal(len, 8);
    cti_mset_free(m);
    /* None: the hits and their data stay, the value is "". */
    assert_int_equal(cti_enquire_set_slots(e, 0), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, 0, &m), CTI_OK);
    assert_int_equal(cti_mset_size(m), 2);
    assert_string_equal(cti_mset_value(m, 1, 0, &len), "");
    assert_int_equal(len, 0);
    assert_non_null(cti_mset_data(m, 1, &len));
    assert_int_equal(len, strlen("the state of the union is strong"));
    cti_mset_free(m);
    /* Slot 0 only. */
    assert_int_equal(cti_enquire_set_slots(e, 1u), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, 0, &m), CTI_OK);
    assert_string_equal(cti_mset_value(m, 1, 0, &len), "20240101");
    cti_mset_free(m);
    assert_int_equal(cti_enquire_set_slots(NULL, 1u), CTI_EINVAL);
    cti_enquire_free(e);
    cti_xq_free(q);
    cti_db_free(db);
}

typedef struct got_data {
    char text[64];
    unsigned calls;
} got_data;

static void take_data(void *ctx, const char *data, size_t len)
{
    got_data *g = ctx;
    snprintf(g->text, sizeof g->text, "%.*s", (int)len, data);
    g->calls++;
}

/* The data read in place equals the copy; a missing document is an error. */
static void test_with_data(void **state)
{
    (void)state;
    cti_db *db = make_db("withdata");
    uint32_t docid;
    got_data g = { "", 0 };
    assert_int_equal(cti_db_find(db, "Qb", 2, &docid), CTI_OK);
    assert_int_equal(cti_db_with_data(db, docid, take_data, &g), CTI_OK);
    assert_int_equal(g.calls, 1);
    assert_string_equal(g.text, "union workers of the state went on strike");
    assert_int_equal(cti_db_with_data(db, 999, take_data, &g), CTI_ENOTFOUND);
    assert_int_equal(g.calls, 1);
    assert_int_equal(cti_db_with_data(db, docid, NULL, &g), CTI_EINVAL);
    cti_db_free(db);
}

static void test_replace_delete(void **state)
{
    (void)state;
    cti_db *db = make_db("replace");
    uint32_t n;
    assert_int_equal(cti_db_doccount(db, &n), CTI_OK);
    assert_int_equal(n, 3);
    add_text(db, "a", "completely new words here", NULL);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    assert_int_equal(cti_db_doccount(db, &n), CTI_OK);
    assert_int_equal(n, 3);
    cti_xq *q = term("strong");
    assert_int_equal(count_hits(db, q), 0);
    cti_xq_free(q);
    q = term("completely");
    assert_int_equal(count_hits(db, q), 1);
    cti_xq_free(q);

    uint32_t docid;
    assert_int_equal(cti_db_find(db, "Qc", 2, &docid), CTI_OK);
    char *data;
    size_t len;
    assert_int_equal(cti_db_get_data(db, docid, &data, &len), CTI_OK);
    assert_string_equal(data, "breaking up big tech is an antitrust goal");
    free(data);
    assert_int_equal(cti_db_get_value(db, docid, 0, &data, &len), CTI_OK);
    assert_string_equal(data, "20220202");
    free(data);

    assert_int_equal(cti_db_delete(db, "Qc", 2), CTI_OK);
    assert_int_equal(cti_db_delete(db, "Qnone", 5), CTI_OK);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    assert_int_equal(cti_db_doccount(db, &n), CTI_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cti_db_find(db, "Qc", 2, &docid), CTI_ENOTFOUND);
    assert_int_equal(cti_db_get_data(db, 9999, &data, &len), CTI_ENOTFOUND);
    assert_null(data);
    cti_db_free(db);
}

static void test_metadata_and_iteration(void **state)
{
    (void)state;
    cti_db *db = make_db("meta");
    assert_int_equal(cti_db_set_metadata(db, "cti.schema", "1", 1), CTI_OK);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    char *v;
    size_t len;
    assert_int_equal(cti_db_get_metadata(db, "cti.schema", &v, &len), CTI_OK);
    assert_string_equal(v, "1");
    assert_int_equal(len, 1);
    free(v);
    assert_int_equal(cti_db_get_metadata(db, "missing", &v, &len), CTI_OK);
    assert_string_equal(v, "");
    free(v);

    /* Id terms by prefix, in order. */
    cti_termiter *it;
    assert_int_equal(cti_db_terms(db, "Q", 0, &it), CTI_OK);
    const char *t;
    uint32_t freq;
    assert_int_equal(cti_termiter_next(it, &t, &len, &freq), CTI_OK);
    assert_string_equal(t, "Qa");
    assert_int_equal(freq, 1);
    assert_int_equal(cti_termiter_next(it, &t, &len, &freq), CTI_OK);
    assert_string_equal(t, "Qb");
    /* The frequency asked apart, after a step that did not ask for it. */
    freq = 0;
    assert_int_equal(cti_termiter_next(it, &t, &len, NULL), CTI_OK);
    assert_string_equal(t, "Qc");
    assert_int_equal(cti_termiter_freq(it, &freq), CTI_OK);
    assert_int_equal(freq, 1);
    assert_int_equal(cti_termiter_next(it, &t, &len, &freq), CTI_DONE);
    assert_int_equal(cti_termiter_freq(it, &freq), CTI_ESTATE);
    cti_termiter_free(it);

    /* One document's terms with their wdf. */
    uint32_t docid;
    assert_int_equal(cti_db_find(db, "Qa", 2, &docid), CTI_OK);
    assert_int_equal(cti_db_terms(db, "st", docid, &it), CTI_OK);
    assert_int_equal(cti_termiter_freq(it, &freq), CTI_ESTATE); /* no step yet */
    assert_int_equal(cti_termiter_next(it, &t, &len, &freq), CTI_OK);
    assert_string_equal(t, "state");
    assert_int_equal(freq, 1);
    assert_int_equal(cti_termiter_next(it, &t, &len, &freq), CTI_OK);
    assert_string_equal(t, "strong");
    assert_int_equal(cti_termiter_next(it, &t, &len, &freq), CTI_DONE);
    cti_termiter_free(it);

    /* A value stream. */
    cti_valiter *vi;
    assert_int_equal(cti_db_values(db, 0, &vi), CTI_OK);
    int nvals = 0;
    uint32_t d;
    const char *val;
    while (cti_valiter_next(vi, &d, &val, &len) == CTI_OK) {
        assert_int_equal(len, 8);
        nvals++;
    }
    assert_int_equal(nvals, 3);
    cti_valiter_free(vi);

    uint32_t tf;
    assert_int_equal(cti_db_termfreq(db, "union", 5, &tf), CTI_OK);
    assert_int_equal(tf, 2);
    cti_db_free(db);
}

static void test_second_writer_locked(void **state)
{
    (void)state;
    cti_db *db = make_db("lock");
    char path[512];
    scratch_path(path, sizeof path, "lock");
    cti_db *second = (cti_db *)0x1;
    assert_int_equal(cti_db_open(path, CTI_DB_OPEN, &second), CTI_ELOCKED);
    assert_null(second);
    assert_true(strlen(cti_errmsg()) > 0);
    /* A reader is fine while the writer holds the lock. */
    cti_db *rd;
    assert_int_equal(cti_db_open(path, CTI_DB_READ, &rd), CTI_OK);
    uint32_t n;
    assert_int_equal(cti_db_doccount(rd, &n), CTI_OK);
    assert_int_equal(n, 3);
    /* Writes are refused on a reader. */
    assert_int_equal(cti_db_delete(rd, "Qa", 2), CTI_ESTATE);
    cti_db_free(rd);
    assert_int_equal(cti_db_close(db), CTI_OK);
    /* Once closed, a second writer gets in. */
    assert_int_equal(cti_db_open(path, CTI_DB_OPEN, &second), CTI_OK);
    cti_db_free(second);
}

static void test_open_errors(void **state)
{
    (void)state;
    char path[512];
    cti_db *db = (cti_db *)0x1;
    scratch_path(path, sizeof path, "does-not-exist");
    assert_int_equal(cti_db_open(path, CTI_DB_READ, &db), CTI_ENOTFOUND);
    assert_null(db);
    assert_non_null(strstr(cti_errmsg(), "does-not-exist"));
    assert_int_equal(cti_db_open(path, CTI_DB_OPEN, &db), CTI_ENOTFOUND);
    assert_null(db);

    /* A directory that is not an index. */
    scratch_path(path, sizeof path, "plain-dir");
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_not_equal(cti_db_open(path, CTI_DB_READ, &db), CTI_OK);
    assert_null(db);
    assert_true(strlen(cti_errmsg()) > 0);

    /* A file with garbage where an index should be. */
    scratch_path(path, sizeof path, "garbage");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a database\n", f);
    fclose(f);
    assert_int_not_equal(cti_db_open(path, CTI_DB_READ, &db), CTI_OK);
    assert_null(db);

    assert_int_equal(cti_db_open("", CTI_DB_READ, &db), CTI_EINVAL);
    assert_string_equal(cti_status_str(CTI_ELOCKED),
                        "database locked by another writer");
}

static void test_compact_and_stub(void **state)
{
    (void)state;
    cti_db *a = make_db("shard0");
    char p0[512], p1[512], dest[512], stub[512];
    scratch_path(p0, sizeof p0, "shard0");
    scratch_path(p1, sizeof p1, "shard1");
    cti_db *b;
    assert_int_equal(cti_db_open(p1, CTI_DB_CREATE, &b), CTI_OK);
    add_text(b, "z", "the union of two shards", NULL);
    assert_int_equal(cti_db_close(b), CTI_OK);
    assert_int_equal(cti_db_close(a), CTI_OK);

    /* A stub file lists both: searched as one. */
    scratch_path(stub, sizeof stub, "all.stub");
    FILE *f = fopen(stub, "w");
    assert_non_null(f);
    fprintf(f, "auto shard0\nauto shard1\n");
    fclose(f);
    cti_db *all;
    assert_int_equal(cti_db_open(stub, CTI_DB_READ, &all), CTI_OK);
    uint32_t n;
    assert_int_equal(cti_db_doccount(all, &n), CTI_OK);
    assert_int_equal(n, 4);
    cti_xq *q = term("union");
    assert_int_equal(count_hits(all, q), 3);
    cti_db_free(all);

    /* The same through cti_db_add_shard. */
    cti_db *r0, *r1;
    assert_int_equal(cti_db_open(p0, CTI_DB_READ, &r0), CTI_OK);
    assert_int_equal(cti_db_open(p1, CTI_DB_READ, &r1), CTI_OK);
    assert_int_equal(cti_db_add_shard(r0, r1), CTI_OK);
    assert_int_equal(count_hits(r0, q), 3);
    cti_db_free(r1);
    cti_db_free(r0);

    /* Compaction merges them into one database. */
    scratch_path(dest, sizeof dest, "merged");
    const char *srcs[2] = {p0, p1};
    assert_int_equal(cti_db_compact(srcs, 2, dest, 0), CTI_OK);
    cti_db *m;
    assert_int_equal(cti_db_open(dest, CTI_DB_READ, &m), CTI_OK);
    assert_int_equal(cti_db_doccount(m, &n), CTI_OK);
    assert_int_equal(n, 4);
    assert_int_equal(count_hits(m, q), 3);
    cti_db_free(m);
    cti_xq_free(q);
    /* Compacting onto an existing database is refused. */
    assert_int_not_equal(cti_db_compact(srcs, 2, p1, 0), CTI_OK);
}

/* A reader sees the revision it opened; a new reader (a new cti-search)
   sees the latest, and an old one keeps working while commits go on. */
static void test_reader_sees_commits(void **state)
{
    (void)state;
    cti_db *w = make_db("reopen");
    char path[512];
    scratch_path(path, sizeof path, "reopen");
    cti_db *r;
    assert_int_equal(cti_db_open(path, CTI_DB_READ, &r), CTI_OK);
    add_text(w, "new", "fresh article", NULL);
    assert_int_equal(cti_db_commit(w), CTI_OK);
    uint32_t n;
    assert_int_equal(cti_db_doccount(r, &n), CTI_OK);
    assert_int_equal(n, 3); /* a snapshot */
    cti_db *r2;
    assert_int_equal(cti_db_open(path, CTI_DB_READ, &r2), CTI_OK);
    assert_int_equal(cti_db_doccount(r2, &n), CTI_OK);
    assert_int_equal(n, 4);
    cti_db_free(r2);
    /* Reopened, the long-lived reader sees it too. */
    assert_int_equal(cti_db_reopen(r), CTI_OK);
    assert_int_equal(cti_db_doccount(r, &n), CTI_OK);
    assert_int_equal(n, 4);
    /* Many commits while the reader keeps searching: never an error. */
    cti_xq *q = term("union");
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "x%d", i);
        add_text(w, id, "union news again and again", NULL);
        assert_int_equal(cti_db_commit(w), CTI_OK);
        assert_true(count_hits(r, q) >= 2);
    }
    cti_xq_free(q);
    cti_db_free(r);
    cti_db_free(w);
}

/* A stub that is swapped to another database (which a writer does after
   merging) is followed by readers: a new open reads the stub again, and a
   reader opened before the swap keeps answering from the old one. */
static void test_reader_follows_swapped_stub(void **state)
{
    (void)state;
    char dir[512], stub[512], tmp[512], p1[512], p2[512];
    scratch_path(dir, sizeof dir, "swap");
    assert_int_equal(mkdir(dir, 0700), 0);
    scratch_path(stub, sizeof stub, "swap/XAPIANDB");
    scratch_path(tmp, sizeof tmp, "swap/XAPIANDB.tmp");
    scratch_path(p1, sizeof p1, "swap/db.1");
    scratch_path(p2, sizeof p2, "swap/db.2");
    cti_db *w;
    assert_int_equal(cti_db_open(p1, CTI_DB_CREATE, &w), CTI_OK);
    add_text(w, "old", "old words", NULL);
    assert_int_equal(cti_db_close(w), CTI_OK);
    FILE *f = fopen(stub, "w");
    assert_non_null(f);
    fputs("auto db.1\n", f);
    fclose(f);

    cti_db *r;
    assert_int_equal(cti_db_open(dir, CTI_DB_READ, &r), CTI_OK);
    uint32_t n;
    assert_int_equal(cti_db_doccount(r, &n), CTI_OK);
    assert_int_equal(n, 1);

    assert_int_equal(cti_db_open(p2, CTI_DB_CREATE, &w), CTI_OK);
    add_text(w, "old", "old words", NULL);
    add_text(w, "new", "new words", NULL);
    assert_int_equal(cti_db_close(w), CTI_OK);
    f = fopen(tmp, "w");
    assert_non_null(f);
    fputs("auto db.2\n", f);
    fclose(f);
    assert_int_equal(rename(tmp, stub), 0);
    cti_xq *q = term("old");
    assert_int_equal(count_hits(r, q), 1);
    cti_xq_free(q);
    cti_db_free(r);
    assert_int_equal(scratch_remove_tree(p1), 0);

    assert_int_equal(cti_db_open(dir, CTI_DB_READ, &r), CTI_OK);
    assert_int_equal(cti_db_doccount(r, &n), CTI_OK);
    assert_int_equal(n, 2);
    q = term("new");
    assert_int_equal(count_hits(r, q), 1);
    cti_xq_free(q);
    cti_db_free(r);
}

static void test_spelling(void **state)
{
    (void)state;
    cti_db *db = make_db("spell");
    assert_int_equal(cti_db_add_spelling(db, "antitrust", 9, 3), CTI_OK);
    assert_int_equal(cti_db_add_spelling(db, "union", 5, 1), CTI_OK);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    char *s;
    assert_int_equal(cti_db_spelling_suggest(db, "antitrsut", 9, 2, &s), CTI_OK);
    assert_string_equal(s, "antitrust");
    free(s);
    assert_int_equal(cti_db_remove_spelling(db, "antitrust", 9, 3), CTI_OK);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    assert_int_equal(cti_db_spelling_suggest(db, "antitrsut", 9, 2, &s), CTI_OK);
    assert_string_equal(s, "");
    free(s);
    cti_db_free(db);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    cti_xq *q = (cti_xq *)0x1;
    assert_int_equal(cti_xq_term("", 0, 1, 0, &q), CTI_EINVAL);
    assert_null(q);
    cti_xq *subs[1] = {NULL};
    assert_int_equal(cti_xq_combine(CTI_XQ_AND, subs, 1, 0, &q), CTI_EINVAL);
    assert_int_equal(cti_db_commit(NULL), CTI_EINVAL);
    cti_db_free(NULL);
    cti_doc_free(NULL);
    cti_xq_free(NULL);
    cti_mset_free(NULL);
    cti_enquire_free(NULL);
    assert_int_equal(cti_mset_size(NULL), 0);
    cti_db *db = make_db("badargs");
    cti_enquire *e;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_bm25(e, 1.2, 0, 1, 1.5, 0.5), CTI_EINVAL);
    cti_mset *m;
    assert_int_equal(cti_enquire_run(e, 0, 10, 0, &m), CTI_ESTATE);
    cti_enquire_free(e);
    cti_db_free(db);
    assert_non_null(strstr(cti_xapian_version(), "1."));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phrase_and_near),
        cmocka_unit_test(test_boolean_ops),
        cmocka_unit_test(test_wildcard_range_sort),
        cmocka_unit_test(test_match_bound),
        cmocka_unit_test(test_collapse),
        cmocka_unit_test(test_coord),
        cmocka_unit_test(test_time_limit),
        cmocka_unit_test(test_match_spy),
        cmocka_unit_test(test_postings_and_docs),
        cmocka_unit_test(test_walk_hits),
        cmocka_unit_test(test_hit_slots),
        cmocka_unit_test(test_with_data),
        cmocka_unit_test(test_replace_delete),
        cmocka_unit_test(test_metadata_and_iteration),
        cmocka_unit_test(test_second_writer_locked),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_compact_and_stub),
        cmocka_unit_test(test_reader_sees_commits),
        cmocka_unit_test(test_reader_follows_swapped_stub),
        cmocka_unit_test(test_spelling),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests_name("shim", tests, setup, teardown);
}
