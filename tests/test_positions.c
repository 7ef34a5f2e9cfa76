/*
 * test_positions.c - the position blob: what is written reads back by
 * term, terms sharing a fingerprint are told apart, and damaged blobs are
 * refused with CTI_ECORRUPT, never read past their end.  And the phrase
 * and NEAR matching on blobs: the same documents and weights as Xapian's
 * own operators on the position table, over random documents and
 * queries, alone and mixed in one search.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <math.h>
#include <sys/stat.h>

#include "cti_positions.h"
#include "cti_query.h"
#include "lib/fixture.h"
#include "lib/scratch.h"

/* The positions of 'term' in blob[0, len) (a part, or a version 1 blob
   of every term) into out (*n of them). */
static cti_status lookup(const unsigned char *blob, size_t len,
                         const char *term, uint32_t *out, size_t cap,
                         size_t *n)
{
    cti_posreader r;
    cti_posdeltas d;
    cti_status st = cti_posreader_init(&r, blob, len);
    if (st == CTI_OK)
        st = cti_posreader_find(&r, term, strlen(term),
                                cti_positions_fp(term, strlen(term)), &d);
    if (st == CTI_OK)
        st = cti_posreader_read(&d, out, cap, n);
    return st;
}

/* The bytes of the part of 'term' in b into *len. */
static const unsigned char *part_of(const cti_posblob *b, const char *term,
                                    size_t *len)
{
    unsigned p = cti_positions_part(cti_positions_fp(term, strlen(term)));
    *len = b->part[p + 1] - b->part[p];
    return b->data + b->part[p];
}

/* lookup() in the part of 'term' in b; CTI_DONE when that part is empty
   (the document has no value in its slot). */
static cti_status lookup_in(const cti_posblob *b, const char *term,
                            uint32_t *out, size_t cap, size_t *n)
{
    size_t len;
    const unsigned char *part = part_of(b, term, &len);
    return len ? lookup(part, len, term, out, cap, n) : CTI_DONE;
}

static void test_round_trip(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 1000 }, c[] = { UINT32_MAX }, x[] = { 7 };
    cti_posterm t[] = {
        { "union", 5, a, 2 }, { "Sstate", 6, c, 1 }, { "XPof", 4, x, 1 },
    };
    cti_posblob b;
    uint32_t out[4];
    size_t n = 99;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_build(&b, t, 3, 0), CTI_OK);
    /* Three parts (of fingerprints 0x0d2a, 0x7114, 0xb878), each a
       header, one bucket size and one entry of a 1-byte key; the other
       parts empty. */
    assert_int_equal(b.len, 3 * 2 + (1 + 1 + 3) + (1 + 1 + 5) + (1 + 1 + 1));
    size_t used = 0;
    for (unsigned p = 0; p < CTI_POSITIONS_PARTS; p++)
        used += b.part[p + 1] > b.part[p];
    assert_int_equal(used, 3);
    assert_int_equal(b.part[CTI_POSITIONS_PARTS], b.len);
    assert_int_equal(lookup_in(&b, "union", out, 4, &n), CTI_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 1000);
    assert_int_equal(lookup_in(&b, "Sstate", out, 4, &n), CTI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], UINT32_MAX);
    assert_int_equal(lookup_in(&b, "XPof", out, 4, &n), CTI_OK);
    assert_int_equal(out[0], 7);
    /* A term the blob lacks (its part is empty), and one whose part
       holds another term. */
    assert_int_equal(lookup_in(&b, "nation", out, 4, &n), CTI_DONE);
    size_t len;
    const unsigned char *u = part_of(&b, "union", &len);
    assert_int_equal(lookup(u, len, "nation", out, 4, &n), CTI_DONE);
    /* More positions than room for them. */
    assert_int_equal(lookup_in(&b, "union", out, 1, &n), CTI_ECORRUPT);
    /* No terms at all. */
    assert_int_equal(cti_posblob_build(&b, NULL, 0, 0), CTI_OK);
    assert_int_equal(b.len, 0);
    assert_int_equal(lookup_in(&b, "union", out, 4, &n), CTI_DONE);
    cti_posblob_free(&b);
    cti_posblob_free(NULL);
}

/* N terms "w0" to "w2999" (many_t), term i at positions i + 1 and
   i + 5000. */
enum { N = 3000 };
static char many_names[N][16];
static uint32_t many_pos[N][2];
static cti_posterm many_t[N];

static void many_terms(void)
{
    for (size_t i = 0; i < N; i++) {
        snprintf(many_names[i], sizeof many_names[i], "w%zu", i);
        many_pos[i][0] = (uint32_t)i + 1;
        many_pos[i][1] = (uint32_t)i + 5000;
        many_t[i] = (cti_posterm){ many_names[i], strlen(many_names[i]),
                                   many_pos[i], 2 };
    }
}

/* An article small enough is one version 1 blob of every term, read
   where a reader falls back to (slot CTI_POSITIONS_SLOT); one too large
   for the bound is written in parts. */
static void test_whole(void **state)
{
    (void)state;
    many_terms();
    cti_posblob b;
    cti_posblob_init(&b);
    /* Three terms: a blob of 1 + 1 + 1 bucket size + three entries of a
       2-byte key, a length and the deltas. */
    assert_int_equal(cti_posblob_build(&b, many_t, 3, CTI_POSITIONS_WHOLE_MAX), CTI_OK);
    assert_true(b.whole);
    assert_int_equal(b.data[0], 1);
    assert_int_equal(b.part[1], b.len);
    assert_int_equal(b.part[CTI_POSITIONS_PARTS], b.len);
    assert_int_equal(b.len, 3 + 3 * (2 + 1 + 1 + 2));
    /* 3000 terms, some sharing a fingerprint (spelled out), in buckets. */
    assert_int_equal(cti_posblob_build(&b, many_t, N, SIZE_MAX), CTI_OK);
    assert_true(b.whole);
    assert_int_equal(b.data[0], 1);
    assert_int_equal(b.data[1], CTI_POSITIONS_MAXBITS);
    for (size_t i = 0; i < N; i++) {
        uint32_t out[2];
        size_t n = 0;
        assert_int_equal(lookup(b.data, b.len, many_names[i], out, 2, &n), CTI_OK);
        assert_int_equal(n, 2);
        assert_int_equal(out[0], i + 1);
        assert_int_equal(out[1], i + 5000);
    }
    uint32_t none[2];
    size_t nn = 0;
    assert_int_equal(lookup(b.data, b.len, "nation", none, 2, &nn), CTI_DONE);
    /* Past the bound: parts. */
    assert_int_equal(cti_posblob_build(&b, many_t, N, CTI_POSITIONS_WHOLE_MAX), CTI_OK);
    assert_false(b.whole);
    assert_int_equal(b.data[0] >> 4, CTI_POSITIONS_VERSION);
    cti_posblob_free(&b);
}

/* Many terms: buckets, and terms with one fingerprint spelled out. */
static void test_many_and_shared(void **state)
{
    (void)state;
    many_terms();
    /* With 3000 terms some share their part and key. */
    size_t shared = 0;
    for (size_t i = 0; i < N && !shared; i++) {
        uint16_t fi = cti_positions_fp(many_names[i], strlen(many_names[i]));
        for (size_t j = i + 1; j < N; j++) {
            uint16_t fj = cti_positions_fp(many_names[j], strlen(many_names[j]));
            if (cti_positions_part(fi) == cti_positions_part(fj) &&
                cti_positions_key(fi) == cti_positions_key(fj))
                shared++;
        }
    }
    assert_true(shared > 0);
    cti_posblob b;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_build(&b, many_t, N, 0), CTI_OK);
    /* About 23 terms a part: 1 to 4 buckets each. */
    for (unsigned p = 0; p < CTI_POSITIONS_PARTS; p++) {
        assert_true(b.part[p + 1] > b.part[p]);
        assert_int_equal(b.data[b.part[p]] >> 4, CTI_POSITIONS_VERSION);
        assert_in_range(b.data[b.part[p]] & 0x0f, 0, 2);
    }
    for (size_t i = 0; i < N; i++) {
        uint32_t out[2];
        size_t n = 0;
        assert_int_equal(lookup_in(&b, many_names[i], out, 2, &n), CTI_OK);
        assert_int_equal(n, 2);
        assert_int_equal(out[0], i + 1);
        assert_int_equal(out[1], i + 5000);
    }
    cti_posblob_free(&b);
}

/* Positions must strictly increase, and a term must have some. */
static void test_refuses_bad_positions(void **state)
{
    (void)state;
    static const uint32_t same[] = { 5, 5 }, down[] = { 9, 3 };
    cti_posterm t = { "a", 1, same, 2 };
    cti_posblob b;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_build(&b, &t, 1, 0), CTI_EINVAL);
    t.pos = down;
    assert_int_equal(cti_posblob_build(&b, &t, 1, 0), CTI_EINVAL);
    t.npos = 0;
    assert_int_equal(cti_posblob_build(&b, &t, 1, 0), CTI_EINVAL);
    cti_posblob_free(&b);
}

/* Every cut of a good blob is refused; never a read past the end (ASan
   sees each cut in a buffer of its own size). */
static void test_truncated(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 1000 }, c[] = { 3 };
    cti_posterm t[] = { { "union", 5, a, 2 }, { "state", 5, c, 1 } };
    cti_posblob b;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_build(&b, t, 2, 0), CTI_OK);
    size_t len;
    const unsigned char *part = part_of(&b, "union", &len);
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        uint32_t out[4];
        size_t n;
        assert_non_null(copy);
        memcpy(copy, part, cut);
        assert_int_equal(lookup(copy, cut, "union", out, 4, &n), CTI_ECORRUPT);
        free(copy);
    }
    cti_posblob_free(&b);
}

static void test_corrupt(void **state)
{
    (void)state;
    uint32_t out[8];
    size_t n;
    /* Another version; too many bucket bits; empty. */
    static const unsigned char v3[] = { 3, 0, 0 };
    assert_int_equal(lookup(v3, sizeof v3, "a", out, 8, &n), CTI_ECORRUPT);
    static const unsigned char bits[] = { 1, 9, 0 };
    assert_int_equal(lookup(bits, sizeof bits, "a", out, 8, &n), CTI_ECORRUPT);
    static const unsigned char bits2[] = { 0x29, 0 };
    assert_int_equal(lookup(bits2, sizeof bits2, "a", out, 8, &n), CTI_ECORRUPT);
    static const unsigned char v1short[] = { 0x10, 0 }; /* 1 in a part's header */
    assert_int_equal(lookup(v1short, sizeof v1short, "a", out, 8, &n), CTI_ECORRUPT);
    assert_int_equal(lookup(NULL, 0, "a", out, 8, &n), CTI_ECORRUPT);
    /* A bucket larger than the blob, and one smaller. */
    static const unsigned char big[] = { 1, 0, 9, 0, 0, 1, 1 };
    assert_int_equal(lookup(big, sizeof big, "a", out, 8, &n), CTI_ECORRUPT);
    static const unsigned char small[] = { 1, 0, 1, 0, 0, 1, 1 };
    assert_int_equal(lookup(small, sizeof small, "a", out, 8, &n), CTI_ECORRUPT);
    /* An entry whose length runs past its bucket. */
    uint16_t fp = cti_positions_fp("a", 1);
    /* A good version 1 blob and a good part. */
    unsigned char good1[] = { 1, 0, 4, (unsigned char)fp, (unsigned char)(fp >> 8),
                              1, 5 };
    assert_int_equal(lookup(good1, sizeof good1, "a", out, 8, &n), CTI_OK);
    assert_true(n == 1 && out[0] == 5);
    unsigned char good2[] = { 0x20, 3, (unsigned char)cti_positions_key(fp), 1, 6 };
    assert_int_equal(lookup(good2, sizeof good2, "a", out, 8, &n), CTI_OK);
    assert_true(n == 1 && out[0] == 6);
    good2[3] = 2; /* its deltas run past the part */
    assert_int_equal(lookup(good2, sizeof good2, "a", out, 8, &n), CTI_ECORRUPT);
    unsigned char past[] = { 1, 0, 4, (unsigned char)fp, (unsigned char)(fp >> 8),
                             9, 1 };
    assert_int_equal(lookup(past, sizeof past, "a", out, 8, &n), CTI_ECORRUPT);
    /* Deltas: a varint past 32 bits, a zero delta, positions past 2^32-1. */
    unsigned char wide[] = { 1, 0, 8, (unsigned char)fp, (unsigned char)(fp >> 8),
                             5, 0xff, 0xff, 0xff, 0xff, 0x7f };
    assert_int_equal(lookup(wide, sizeof wide, "a", out, 8, &n), CTI_ECORRUPT);
    unsigned char zero[] = { 1, 0, 5, (unsigned char)fp, (unsigned char)(fp >> 8),
                             2, 5, 0 };
    assert_int_equal(lookup(zero, sizeof zero, "a", out, 8, &n), CTI_ECORRUPT);
    unsigned char over[] = { 1, 0, 9, (unsigned char)fp, (unsigned char)(fp >> 8),
                             6, 0xff, 0xff, 0xff, 0xff, 0x0f, 1 };
    assert_int_equal(lookup(over, sizeof over, "a", out, 8, &n), CTI_ECORRUPT);
    /* Random bytes after a good version (1 or 2): refused or read, never
       past the end. */
    unsigned char junk[64];
    srand(17);
    for (int round = 0; round < 5000; round++) {
        size_t len = 2 + (size_t)rand() % (sizeof junk - 2);
        junk[0] = round % 2 ? 1 : (unsigned char)(0x20 | rand() % 3);
        junk[1] = (unsigned char)(rand() % 3);
        for (size_t i = 2; i < len; i++)
            junk[i] = (unsigned char)rand();
        unsigned char *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, junk, len);
        cti_status st = lookup(copy, len, "a", out, 8, &n);
        assert_true(st == CTI_OK || st == CTI_DONE || st == CTI_ECORRUPT);
        free(copy);
    }
}

/* A tiny language: words repeat often, so phrases and NEARs match some
   documents and miss others. */
static const char *const vocab[] = { "a", "ab", "b", "ba", "c", "d", "e" };
#define NVOCAB (sizeof vocab / sizeof vocab[0])

/* Database 'name' of 'ndocs' random documents (the same for every seed),
   positions per article when 'blob' is set. */
static cti_db *random_db(const char *name, int blob, unsigned seed,
                         unsigned ndocs)
{
    char path[300];
    cti_db *db = NULL;
    cti_doc *doc = NULL;
    scratch_path(path, sizeof path, name);
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE, &db), CTI_OK);
    if (blob)
        assert_int_equal(cti_db_set_metadata(db, CTI_POSITIONS_META,
                                             CTI_POSITIONS_ARTICLE, 7), CTI_OK);
    assert_int_equal(cti_doc_new(&doc), CTI_OK);
    if (blob)
        assert_int_equal(cti_doc_set_position_slot(doc, CTI_POSITIONS_SLOT), CTI_OK);
    srand(seed);
    for (unsigned d = 0; d < ndocs; d++) {
        cti_doc_clear(doc);
        unsigned len = 1 + (unsigned)rand() % 30;
        for (unsigned p = 1; p <= len; p++) {
            const char *w = vocab[(unsigned)rand() % NVOCAB];
            assert_int_equal(cti_doc_add_posting(doc, w, strlen(w), p, 1), CTI_OK);
        }
        assert_int_equal(cti_doc_add_term(doc, "Qid", 3, 0), CTI_OK);
        assert_int_equal(cti_db_add(db, doc, NULL), CTI_OK);
    }
    cti_doc_free(doc);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    cti_db_free(db);
    assert_int_equal(cti_db_open(path, CTI_DB_READ, &db), CTI_OK);
    return db;
}

/* A random place: mostly a word, sometimes an OR of two (the one
   operator Xapian 1.4 takes inside a phrase). */
static cti_xq *random_place(uint32_t qpos, int near, char *desc, size_t dn,
                            int *len)
{
    cti_xq *q = NULL, *two[2];
    const char *w = vocab[(unsigned)rand() % NVOCAB];
    if (!near && rand() % 4 == 0) {
        const char *v = vocab[(unsigned)rand() % NVOCAB];
        assert_int_equal(cti_xq_term(w, strlen(w), 1, qpos, &two[0]), CTI_OK);
        assert_int_equal(cti_xq_term(v, strlen(v), 1, qpos, &two[1]), CTI_OK);
        assert_int_equal(cti_xq_combine(CTI_XQ_OR, two, 2, 0, &q), CTI_OK);
        cti_xq_free(two[0]);
        cti_xq_free(two[1]);
        *len += snprintf(desc + *len, dn - (size_t)*len, " (%s OR %s)", w, v);
    } else {
        assert_int_equal(cti_xq_term(w, strlen(w), 1, qpos, &q), CTI_OK);
        *len += snprintf(desc + *len, dn - (size_t)*len, " %s", w);
    }
    return q;
}

/* A random phrase or NEAR of 2 to 4 places (repeats allowed). */
static cti_xq *random_query(char *desc, size_t dn)
{
    cti_xq *subs[4], *q = NULL;
    size_t n = 2 + (size_t)rand() % 3;
    int near = rand() % 2;
    uint32_t window = near ? (uint32_t)(n + (size_t)rand() % 4)
                           : (rand() % 3 ? 0 : (uint32_t)(n + 1));
    int len = snprintf(desc, dn, "%s/%u", near ? "near" : "phrase", window);
    for (size_t i = 0; i < n; i++)
        subs[i] = random_place((uint32_t)i + 1, near, desc, dn, &len);
    assert_int_equal(cti_xq_combine(near ? CTI_XQ_NEAR : CTI_XQ_PHRASE, subs, n,
                                    window, &q), CTI_OK);
    for (size_t i = 0; i < n; i++)
        cti_xq_free(subs[i]);
    return q;
}

/* The hits of q on db, all of them, into ids/wts; returns their number. */
static size_t run(cti_db *db, const cti_xq *q, uint32_t *ids, double *wts,
                  size_t cap)
{
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, (uint32_t)cap, (uint32_t)cap, &m), CTI_OK);
    size_t n = cti_mset_size(m);
    assert_int_equal(cti_mset_matches_lower(m), n);
    assert_int_equal(cti_mset_matches_upper(m), n);
    for (size_t i = 0; i < n; i++) {
        ids[i] = cti_mset_docid(m, i);
        wts[i] = cti_mset_weight(m, i);
    }
    cti_mset_free(m);
    cti_enquire_free(e);
    return n;
}

static void same_hits(cti_db *a, cti_db *b, const cti_xq *q, const char *desc)
{
    enum { CAP = 400 };
    uint32_t ia[CAP], ib[CAP];
    double wa[CAP], wb[CAP];
    size_t na = run(a, q, ia, wa, CAP), nb = run(b, q, ib, wb, CAP);
    if (na != nb)
        fail_msg("%s: %zu hits on blobs, %zu on the table", desc, na, nb);
    for (size_t i = 0; i < na; i++) {
        /* Weights: the same sum, perhaps added in another order. */
        if (ia[i] != ib[i] || fabs(wa[i] - wb[i]) > 1e-9 * fabs(wb[i]))
            fail_msg("%s: hit %zu: %u (%g) on blobs, %u (%g) on the table",
                     desc, i, ia[i], wa[i], ib[i], wb[i]);
    }
}

/* Random phrases and NEARs, also scaled and inside AND_MAYBE as cti's
   proximity boost builds them, and two of them ANDed, match alike on both
   kinds; and a search over one database of each kind matches what both
   give.  300 rounds (fewer under fixture_sample()). */
static void test_match_like_xapian(void **state)
{
    (void)state;
    assert_int_equal(scratch_make("pos"), 0);
    cti_db *blob = random_db("blob", 1, 7, 300);
    cti_db *table = random_db("table", 0, 7, 300);
    cti_db *mix = random_db("mixb", 1, 8, 100);
    cti_db *mix2 = random_db("mixt", 0, 8, 100);
    cti_db *ref = random_db("refb", 0, 7, 300);
    cti_db *ref2 = random_db("reft", 0, 8, 100);
    assert_int_equal(cti_db_add_shard(mix2, blob), CTI_OK);   /* table, blob */
    assert_int_equal(cti_db_add_shard(ref2, ref), CTI_OK);    /* table, table */
    (void)mix;
    char desc[128];
    srand(99);
    for (int i = 0; i < 300 / (int)fixture_sample(); i++) {
        cti_xq *q = random_query(desc, sizeof desc), *s = NULL, *w = NULL, *m = NULL;
        same_hits(blob, table, q, desc);
        same_hits(mix2, ref2, q, desc);
        assert_int_equal(cti_xq_scale(q, 0.25, &s), CTI_OK);
        assert_int_equal(cti_xq_term("a", 1, 1, 0, &w), CTI_OK);
        cti_xq *pair[2] = { w, s };
        assert_int_equal(cti_xq_combine(CTI_XQ_AND_MAYBE, pair, 2, 0, &m), CTI_OK);
        same_hits(blob, table, m, desc);
        /* Two phrases every match needs, checked together. */
        char desc2[128];
        cti_xq *q2 = random_query(desc2, sizeof desc2), *both = NULL;
        cti_xq *two[2] = { q, q2 };
        assert_int_equal(cti_xq_combine(CTI_XQ_AND, two, 2, 0, &both), CTI_OK);
        same_hits(blob, table, both, desc2);
        cti_xq_free(both);
        cti_xq_free(q2);
        cti_xq_free(q);
        cti_xq_free(s);
        cti_xq_free(w);
        cti_xq_free(m);
    }
    cti_db_free(blob);
    cti_db_free(table);
    cti_db_free(mix);
    cti_db_free(mix2);
    cti_db_free(ref);
    cti_db_free(ref2);
    assert_int_equal(scratch_remove(), 0);
}

/* Hits of a phrase (near 0) or NEAR of words a and b on db. */
/* Hits [off, off + lim) of q on db, checking at least 'check'. */
static size_t page(cti_db *db, const cti_xq *q, uint32_t off, uint32_t lim,
                   uint32_t check, uint32_t *ids, double *wts)
{
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_run(e, off, lim, check, &m), CTI_OK);
    size_t n = cti_mset_size(m);
    assert_true(cti_mset_matches_lower(m) <= cti_mset_matches_upper(m));
    for (size_t i = 0; i < n; i++) {
        ids[i] = cti_mset_docid(m, i);
        wts[i] = cti_mset_weight(m, i);
        assert_int_equal(cti_mset_rank(m, i), off + i);
    }
    cti_mset_free(m);
    cti_enquire_free(e);
    return n;
}

/* AND_MAYBE(AND(w1, w2), f * boost): what cti's query parser makes of
   words typed together, 'boost' their phrase or proximity. */
static cti_xq *boosted(const char *w1, const char *w2, cti_xq *boost, double f)
{
    cti_xq *a = NULL, *b = NULL, *and = NULL, *s = NULL, *q = NULL;
    assert_int_equal(cti_xq_term(w1, strlen(w1), 1, 0, &a), CTI_OK);
    assert_int_equal(cti_xq_term(w2, strlen(w2), 1, 0, &b), CTI_OK);
    cti_xq *two[2] = { a, b };
    assert_int_equal(cti_xq_combine(CTI_XQ_AND, two, 2, 0, &and), CTI_OK);
    assert_int_equal(cti_xq_scale(boost, f, &s), CTI_OK);
    cti_xq *pair[2] = { and, s };
    assert_int_equal(cti_xq_combine(CTI_XQ_AND_MAYBE, pair, 2, 0, &q), CTI_OK);
    cti_xq_free(a);
    cti_xq_free(b);
    cti_xq_free(and);
    cti_xq_free(s);
    return q;
}

enum { BOOST_DOCS = 1500 };

/* Pages of q on 'blob' (positions per article, its boosts checked only
   where a weight could reach the page) are slices of the whole ranking
   of q on 'table' (Xapian's position table): the same documents in the
   same order, with the same weights. */
static void same_pages(cti_db *blob, cti_db *table, const cti_xq *q,
                       const char *desc)
{
    static uint32_t all_ids[BOOST_DOCS], ids[BOOST_DOCS];
    static double all_wts[BOOST_DOCS], wts[BOOST_DOCS];
    static const uint32_t offs[] = { 0, 0, 0, 3, 0 }, lims[] = { 1, 5, 10, 7, 40 };
    size_t n = run(table, q, all_ids, all_wts, BOOST_DOCS);
    for (size_t k = 0; k < sizeof offs / sizeof *offs; k++) {
        size_t got = page(blob, q, offs[k], lims[k], offs[k] + lims[k], ids, wts);
        size_t want = n > offs[k] ? n - offs[k] : 0;
        if (want > lims[k])
            want = lims[k];
        if (got != want)
            fail_msg("%s: page %u+%u: %zu hits, not %zu", desc, offs[k], lims[k],
                     got, want);
        for (size_t j = 0; j < got; j++)
            if (ids[j] != all_ids[offs[k] + j] ||
                fabs(wts[j] - all_wts[offs[k] + j]) > 1e-9 * fabs(wts[j]))
                fail_msg("%s: page %u+%u, hit %zu: %u (%g), not %u (%g)", desc,
                         offs[k], lims[k], j, ids[j], wts[j],
                         all_ids[offs[k] + j], all_wts[offs[k] + j]);
    }
}

/* A page of a query whose phrases and NEARs only add weight is the same
   slice of the whole ranking, with positions per article (checked only
   where a weight could reach the page) as in Xapian's position table;
   with one boost and with two.  60 queries (fewer under fixture_sample()). */
static void test_boost_pages(void **state)
{
    (void)state;
    assert_int_equal(scratch_make("boost"), 0);
    cti_db *blob = random_db("blob", 1, 11, BOOST_DOCS);
    cti_db *table = random_db("table", 0, 11, BOOST_DOCS);
    char desc[128], desc2[128], all[400];
    srand(5);
    for (int i = 0; i < 60 / (int)fixture_sample(); i++) {
        cti_xq *b1 = random_query(desc, sizeof desc), *b2 = NULL, *q = NULL;
        const char *w1 = vocab[(unsigned)rand() % NVOCAB];
        const char *w2 = vocab[(unsigned)rand() % NVOCAB];
        if (i % 2) {
            cti_xq *one = boosted(w1, w2, b1, 0.1);
            b2 = random_query(desc2, sizeof desc2);
            cti_xq *s = NULL;
            assert_int_equal(cti_xq_scale(b2, 0.25, &s), CTI_OK);
            cti_xq *pair[2] = { one, s };
            assert_int_equal(cti_xq_combine(CTI_XQ_AND_MAYBE, pair, 2, 0, &q), CTI_OK);
            cti_xq_free(one);
            cti_xq_free(s);
        } else {
            /* Light boosts: documents without them stay in the page. */
            q = boosted(w1, w2, b1, i % 4 ? 0.05 : 1);
        }
        snprintf(all, sizeof all, "%s %s AND %s (%s)", desc, w1, w2, b2 ? desc2 : "");
        same_pages(blob, table, q, all);
        cti_xq_free(q);
        cti_xq_free(b1);
        cti_xq_free(b2);
    }
    cti_db_free(blob);
    cti_db_free(table);
    assert_int_equal(scratch_remove(), 0);
}

/* Words typed together as cti's parser makes them into a query: their
   phrases and NEARs add weight, and the form that counts every boost as
   present weighs the boosted words up instead of reading them a second
   time (cti_xq_with_unchecked()).  Its pages are slices of the table's
   ranking, which checks each boost in place. */
static void test_parsed_boost_pages(void **state)
{
    (void)state;
    static const char *const queries[] = {
        "c d", "b c d", "c d AND e", "ab ba", "c AND d AND e", "d c d",
        "a c d", "c d e ab", "b c OR d e", "c d -e", "(c d) AND (ab e)",
        "c d AND \"ab e\"", "c d AND ab*",
    };
    cti_analyzer *an = NULL;
    cti_rank_opts ro;
    cti_rank_opts_default(&ro);
    assert_int_equal(cti_analyzer_new("english", &an), CTI_OK);
    assert_int_equal(scratch_make("parsed"), 0);
    cti_db *blob = random_db("blob", 1, 12, BOOST_DOCS);
    cti_db *table = random_db("table", 0, 12, BOOST_DOCS);
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        cti_query *q = NULL;
        cti_xq *xq = NULL;
        assert_int_equal(cti_query_parse(queries[i], an, 0, &q, NULL), CTI_OK);
        assert_int_equal(cti_query_to_xq(q, &ro, &xq), CTI_OK);
        same_pages(blob, table, xq, queries[i]);
        cti_xq_free(xq);
        cti_query_free(q);
    }
    cti_db_free(blob);
    cti_db_free(table);
    cti_analyzer_free(an);
    assert_int_equal(scratch_remove(), 0);
}

static size_t pair_hits(cti_db *db, const char *a, const char *b, int near,
                        uint32_t window)
{
    enum { CAP = 16 };
    cti_xq *w[2], *q = NULL;
    uint32_t ids[CAP];
    double wts[CAP];
    assert_int_equal(cti_xq_term(a, strlen(a), 1, 1, &w[0]), CTI_OK);
    assert_int_equal(cti_xq_term(b, strlen(b), 1, 2, &w[1]), CTI_OK);
    assert_int_equal(cti_xq_combine(near ? CTI_XQ_NEAR : CTI_XQ_PHRASE, w, 2,
                                    window, &q), CTI_OK);
    size_t n = run(db, q, ids, wts, CAP);
    cti_xq_free(q);
    cti_xq_free(w[0]);
    cti_xq_free(w[1]);
    return n;
}

/* The version 1 blob (one of every term, bits 0) of "a" at pa and "b" at
   pb (both under 128) into v; returns its length. */
static size_t v1_blob(unsigned char *v, uint32_t pa, uint32_t pb)
{
    uint16_t fa = cti_positions_fp("a", 1), fb = cti_positions_fp("b", 1);
    uint16_t k1 = fa < fb ? fa : fb, k2 = fa < fb ? fb : fa;
    uint32_t p1 = fa < fb ? pa : pb, p2 = fa < fb ? pb : pa;
    size_t n = 0;
    v[n++] = 1;
    v[n++] = 0;
    v[n++] = 8;
    v[n++] = (unsigned char)k1;
    v[n++] = (unsigned char)(k1 >> 8);
    v[n++] = 1;
    v[n++] = (unsigned char)p1;
    v[n++] = (unsigned char)k2;
    v[n++] = (unsigned char)(k2 >> 8);
    v[n++] = 1;
    v[n++] = (unsigned char)p2;
    return n;
}

/* A new database "db" keeping positions per article, in a new scratch
   folder. */
static cti_db *article_db(void)
{
    char path[300];
    cti_db *db = NULL;
    assert_int_equal(scratch_make("pos"), 0);
    scratch_path(path, sizeof path, "db");
    assert_int_equal(cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE, &db), CTI_OK);
    assert_int_equal(cti_db_set_metadata(db, CTI_POSITIONS_META,
                                         CTI_POSITIONS_ARTICLE, 7), CTI_OK);
    return db;
}

/* Documents written with one blob of every term in the first slot
   (version 1) are still matched, beside documents written in parts. */
static void test_version1_documents(void **state)
{
    (void)state;
    unsigned char v[16];
    cti_db *db = article_db();
    cti_doc *doc = NULL;
    /* 1: "a b" (version 1); 2: "b . a" (version 1); 3: "a b" in parts. */
    static const uint32_t pa[] = { 1, 3 }, pb[] = { 2, 1 };
    for (int d = 0; d < 2; d++) {
        assert_int_equal(cti_doc_new(&doc), CTI_OK);
        assert_int_equal(cti_doc_add_term(doc, "a", 1, 1), CTI_OK);
        assert_int_equal(cti_doc_add_term(doc, "b", 1, 1), CTI_OK);
        size_t n = v1_blob(v, pa[d], pb[d]);
        assert_int_equal(cti_doc_set_value(doc, CTI_POSITIONS_SLOT, (char *)v, n),
                         CTI_OK);
        assert_int_equal(cti_db_add(db, doc, NULL), CTI_OK);
        cti_doc_free(doc);
    }
    assert_int_equal(cti_doc_new(&doc), CTI_OK);
    assert_int_equal(cti_doc_set_position_slot(doc, CTI_POSITIONS_SLOT), CTI_OK);
    assert_int_equal(cti_doc_add_posting(doc, "a", 1, 1, 1), CTI_OK);
    assert_int_equal(cti_doc_add_posting(doc, "b", 1, 2, 1), CTI_OK);
    assert_int_equal(cti_db_add(db, doc, NULL), CTI_OK);
    cti_doc_free(doc);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    assert_int_equal(pair_hits(db, "a", "b", 0, 0), 2); /* 1 and 3 */
    assert_int_equal(pair_hits(db, "b", "a", 0, 0), 0);
    assert_int_equal(pair_hits(db, "b", "a", 0, 3), 1); /* 2 */
    assert_int_equal(pair_hits(db, "a", "b", 1, 2), 2);
    assert_int_equal(pair_hits(db, "a", "b", 1, 3), 3);
    cti_db_free(db);
    assert_int_equal(scratch_remove(), 0);
}

/* The wdf of 'term' in document 'docid' of 'db' (0: not there). */
static uint32_t doc_wdf(cti_db *db, uint32_t docid, const char *term)
{
    cti_termiter *it = NULL;
    const char *t;
    size_t tl;
    uint32_t f, got = 0;
    assert_int_equal(cti_db_terms(db, term, docid, &it), CTI_OK);
    while (cti_termiter_next(it, &t, &tl, &f) == CTI_OK)
        if (tl == strlen(term))
            got = f;
    cti_termiter_free(it);
    return got;
}

/*
 * A document built posting by posting, as cti-index does: positions
 * that come out of order or twice (a field read again) are stored
 * sorted and once, its wdf counts every posting, 1,500 terms (more than
 * the builder's first table holds) are each found again, and a cleared
 * builder keeps nothing of the document before.
 */
static void test_built_documents(void **state)
{
    (void)state;
    cti_db *db = article_db();
    cti_doc *doc = NULL;
    char w[16];
    assert_int_equal(cti_doc_new(&doc), CTI_OK);
    assert_int_equal(cti_doc_set_position_slot(doc, CTI_POSITIONS_SLOT), CTI_OK);
    for (uint32_t i = 0; i < 1500; i++) {
        int n = snprintf(w, sizeof w, "t%u", i);
        assert_int_equal(cti_doc_add_posting(doc, w, (size_t)n, 10 + i, 1), CTI_OK);
    }
    static const uint32_t px[] = { 5, 3, 5, 9 }, py[] = { 4, 6 };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(cti_doc_add_posting(doc, "x", 1, px[i], 1), CTI_OK);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(cti_doc_add_posting(doc, "y", 1, py[i], 1), CTI_OK);
    assert_int_equal(cti_doc_add_posting(doc, "t7", 2, 2000, 1), CTI_OK);
    assert_int_equal(cti_db_add(db, doc, NULL), CTI_OK);
    cti_doc_clear(doc);
    assert_int_equal(cti_doc_add_posting(doc, "t5", 2, 1, 1), CTI_OK);
    assert_int_equal(cti_doc_add_posting(doc, "z", 1, 2, 1), CTI_OK);
    assert_int_equal(cti_db_add(db, doc, NULL), CTI_OK);
    cti_doc_free(doc);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    assert_int_equal(doc_wdf(db, 1, "x"), 4);
    assert_int_equal(doc_wdf(db, 1, "t7"), 2);
    assert_int_equal(doc_wdf(db, 2, "x"), 0);
    assert_int_equal(doc_wdf(db, 2, "t6"), 0);
    assert_int_equal(pair_hits(db, "x", "y", 0, 0), 1);   /* 3 4 */
    assert_int_equal(pair_hits(db, "y", "x", 0, 0), 1);   /* 4 5 */
    assert_int_equal(pair_hits(db, "x", "x", 1, 3), 1);   /* 3 5 */
    assert_int_equal(pair_hits(db, "t0", "t1", 0, 0), 1);
    assert_int_equal(pair_hits(db, "t1498", "t1499", 0, 0), 1);
    assert_int_equal(pair_hits(db, "t1499", "t1498", 0, 0), 0);
    assert_int_equal(pair_hits(db, "t1499", "t7", 1, 600), 1); /* 1509 2000 */
    assert_int_equal(pair_hits(db, "t4", "t5", 0, 0), 1);  /* the first only */
    assert_int_equal(pair_hits(db, "t5", "z", 0, 0), 1);   /* the second only */
    cti_db_free(db);
    assert_int_equal(scratch_remove(), 0);
}

/* A search for "a b" over a document whose value 'slot' is v[0, len):
   CTI_ECORRUPT with a message naming the document and the slot. */
static void damaged_case(unsigned slot, const char *v, size_t len)
{
    char msg[64];
    cti_db *db = article_db();
    cti_doc *doc = NULL;
    cti_xq *w[2], *q = NULL;
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    assert_int_equal(cti_doc_new(&doc), CTI_OK);
    assert_int_equal(cti_doc_add_term(doc, "a", 1, 1), CTI_OK);
    assert_int_equal(cti_doc_add_term(doc, "b", 1, 1), CTI_OK);
    assert_int_equal(cti_doc_set_value(doc, slot, v, len), CTI_OK);
    assert_int_equal(cti_db_add(db, doc, NULL), CTI_OK);
    assert_int_equal(cti_db_commit(db), CTI_OK);
    assert_int_equal(cti_xq_term("a", 1, 1, 1, &w[0]), CTI_OK);
    assert_int_equal(cti_xq_term("b", 1, 1, 2, &w[1]), CTI_OK);
    assert_int_equal(cti_xq_combine(CTI_XQ_PHRASE, w, 2, 0, &q), CTI_OK);
    assert_int_equal(cti_enquire_new(db, &e), CTI_OK);
    assert_int_equal(cti_enquire_set_query(e, q), CTI_OK);
    assert_int_equal(cti_enquire_run(e, 0, 10, 10, &m), CTI_ECORRUPT);
    snprintf(msg, sizeof msg, "positions of document 1 (value %u)", slot);
    if (!strstr(cti_errmsg(), msg))
        fail_msg("'%s' does not say '%s'", cti_errmsg(), msg);
    cti_enquire_free(e);
    cti_xq_free(q);
    cti_xq_free(w[0]);
    cti_xq_free(w[1]);
    cti_doc_free(doc);
    cti_db_free(db);
    assert_int_equal(scratch_remove(), 0);
}

/* A damaged blob is CTI_ECORRUPT with a message naming the document: a
   version 1 blob, a part, a version 1 blob where a part belongs. */
static void test_damaged_blob_search(void **state)
{
    (void)state;
    unsigned pa = cti_positions_part(cti_positions_fp("a", 1));
    assert_true(pa > 0); /* "a" is not in the first part */
    damaged_case(CTI_POSITIONS_SLOT, "\001\000\011", 3);
    damaged_case(CTI_POSITIONS_SLOT + pa, "\040\011\000", 3);
    damaged_case(CTI_POSITIONS_SLOT + pa, "\001\000\000", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_many_and_shared),
        cmocka_unit_test(test_whole),
        cmocka_unit_test(test_refuses_bad_positions),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_match_like_xapian),
        cmocka_unit_test(test_boost_pages),
        cmocka_unit_test(test_parsed_boost_pages),
        cmocka_unit_test(test_version1_documents),
        cmocka_unit_test(test_built_documents),
        cmocka_unit_test(test_damaged_blob_search),
    };
    return cmocka_run_group_tests_name("positions", tests, NULL, NULL);
}
