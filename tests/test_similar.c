/*
 * test_similar.c - each hit's copies: "N similar" counts every copy of
 * the hit's story that matches the query, also where the copies weigh
 * too little to reach the page and the count of matches is left a range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cti_hit.h"
#include "cti_schema.h"
#include "index_fixture.h"

#define FILLERS 1200 /* more than the 1,000 a count is worth */
#define COPIES 6

/* A deterministic word "w0" .. "w2999". */
static uint32_t rnd = 12345;
static unsigned word(void)
{
    rnd = rnd * 1103515245u + 12345u;
    return (rnd >> 8) % 3000;
}

/* FILLERS articles with 'budget' once to four times among 60 words, then
   one story in COPIES copies: the same text with 8 more words a copy, so
   that each later copy weighs a little less, and "gulls" in the even
   ones. */
static char *articles(void)
{
    static const char story[] =
        "The harbor budget budget budget budget was cut again as the council "
        "met late on Tuesday night to weigh the ferry schedule, the bridge "
        "repairs and the school lunches before the vote that decided the "
        "budget for the coming year across the whole county and its towns.";
    size_t cap = (FILLERS + COPIES) * 1024, o = 0;
    char *j = malloc(cap);
    assert_non_null(j);
    for (unsigned i = 0; i < FILLERS; i++) {
        o += (size_t)snprintf(j + o, cap - o,
                              "{\"id\":\"d%04u\",\"title\":\"Report %u\",\"text\":\"", i, i);
        unsigned k = 1 + (unsigned)word() % 4;
        for (unsigned w = 0; w < 60; w++) {
            o += (size_t)snprintf(j + o, cap - o, "w%u ", word());
            for (unsigned b = 0; w == 29 && b < k; b++)
                o += (size_t)snprintf(j + o, cap - o, "budget ");
        }
        o += (size_t)snprintf(j + o, cap - o, "\"}\n");
    }
    for (unsigned c = 0; c < COPIES; c++) {
        o += (size_t)snprintf(j + o, cap - o,
                              "{\"id\":\"s%u\",\"title\":\"Harbor story %u\",\"text\":\"%s",
                              c, c, story);
        for (unsigned w = 0; w < 8 * c; w++)
            o += (size_t)snprintf(j + o, cap - o, " w%u", word());
        if (c % 2 == 0)
            o += (size_t)snprintf(j + o, cap - o, " Gulls watched.");
        o += (size_t)snprintf(j + o, cap - o, "\"}\n");
    }
    return j;
}

/* An index of articles() in 'shards' shards (0: one index). */
static index_fixture *story_index(unsigned shards)
{
    char *j = articles();
    index_fixture *fx = shards ? index_fixture_new_sharded(j, shards)
                               : index_fixture_new(j);
    free(j);
    assert_non_null(fx);
    return fx;
}

/* The similar count of the hit with id 'id' on the page of 'query' (it
   must be there), the count of matches being a range and copies
   collapsed; the most of the other hits' in *others. */
static uint32_t similar_of(index_fixture *fx, const char *query, const char *id,
                           uint32_t *others)
{
    cti_search_opts o;
    cti_results *r = NULL;
    char err[256];
    cti_search_opts_default(&o);
    o.limit = 10;
    assert_int_equal(cti_search_run(fx->s, query, &o, &r, NULL, err, sizeof err), CTI_OK);
    assert_false(r->exact);
    assert_true(r->collapsed);
    uint32_t similar = UINT32_MAX;
    *others = 0;
    for (size_t i = 0; i < cti_mset_size(r->mset); i++) {
        cti_hit h;
        cti_hit_opts ho;
        memset(&ho, 0, sizeof ho);
        ho.no_snippet = 1;
        assert_int_equal(cti_hit_load(fx->s, r, i, &ho, &h), CTI_OK);
        if (h.rec.id && !strcmp(h.rec.id, id))
            similar = h.similar;
        else if (h.similar > *others)
            *others = h.similar;
        cti_hit_release(&h);
    }
    cti_results_free(r);
    assert_int_not_equal(similar, UINT32_MAX);
    return similar;
}

/* Only the copies that match count: the odd ones lack "gulls". */
static void check_matching_only(unsigned shards)
{
    index_fixture *fx = story_index(shards);
    uint32_t others;
    assert_int_equal(similar_of(fx, "budget NOT gulls", "s1", &others), COPIES / 2 - 1);
    assert_int_equal(others, 0);
    assert_int_equal(similar_of(fx, "budget OR gulls", "s0", &others), COPIES - 1);
    index_fixture_free(fx);
}

static void test_matching_copies_only(void **state)
{
    (void)state;
    check_matching_only(0);
}

/* Over shards the count reads each match's story: the same counts. */
static void test_matching_copies_shards(void **state)
{
    (void)state;
    check_matching_only(3);
}

static void test_every_matching_copy(void **state)
{
    (void)state;
    index_fixture *fx = story_index(0);
    cti_search_opts o;
    cti_results *r = NULL;
    char err[256];
    uint32_t others;
    cti_search_opts_default(&o);
    o.limit = 10;
    assert_int_equal(similar_of(fx, "budget", "s0", &others), COPIES - 1);
    assert_int_equal(others, 0);

    /* A phrase: only the copies holding it count (all of them here). */
    assert_int_equal(cti_search_run(fx->s, "\"harbor budget\" OR budget", &o, &r, NULL,
                                    err, sizeof err), CTI_OK);
    cti_hit h;
    assert_int_equal(cti_hit_load(fx->s, r, 0, NULL, &h), CTI_OK);
    assert_string_equal(h.rec.id, "s0");
    assert_int_equal(h.similar, COPIES - 1);
    cti_hit_release(&h);
    cti_results_free(r);

    /* Every copy shown: none collapsed, none counted. */
    o.no_collapse = 1;
    assert_int_equal(cti_search_run(fx->s, "harbor", &o, &r, NULL, err, sizeof err), CTI_OK);
    assert_int_equal(cti_mset_size(r->mset), COPIES);
    assert_int_equal(cti_hit_load(fx->s, r, 0, NULL, &h), CTI_OK);
    assert_int_equal(h.similar, 0);
    cti_hit_release(&h);
    cti_results_free(r);
    index_fixture_free(fx);
}

/* A story's key: six bytes, none NUL, the same for its copies, and its
   term holds the copies; another article's story is its own. */
static void test_story_keys(void **state)
{
    (void)state;
    index_fixture *fx = story_index(0);
    cti_db *db = cti_search_db(fx->s);
    char *first = NULL, *key = NULL;
    size_t firstl = 0, kl = 0;
    for (unsigned c = 0; c < COPIES + 1; c++) {
        char id[16];
        uint32_t docid;
        if (c < COPIES)
            snprintf(id, sizeof id, "Qs%u", c);
        else
            snprintf(id, sizeof id, "Qd0007");
        assert_int_equal(cti_db_find(db, id, strlen(id), &docid), CTI_OK);
        assert_int_equal(cti_db_get_value(db, docid, CTI_SLOT_CLUSTER, &key, &kl), CTI_OK);
        assert_int_equal(kl, 6);
        assert_null(memchr(key, '\0', kl));
        if (c == 0) {
            first = key;
            firstl = kl;
            continue;
        }
        if (c < COPIES)
            assert_memory_equal(key, first, kl);
        else
            assert_memory_not_equal(key, first, kl);
        free(key);
    }
    char term[16];
    uint32_t *ids = NULL;
    size_t n = 0;
    memcpy(term, CTI_PREFIX_STORY, 2);
    memcpy(term + 2, first, firstl);
    assert_int_equal(cti_db_postings(db, term, 2 + firstl, &ids, &n), CTI_OK);
    assert_int_equal(n, COPIES);
    free(ids);
    free(first);
    index_fixture_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_matching_copy),
        cmocka_unit_test(test_matching_copies_only),
        cmocka_unit_test(test_matching_copies_shards),
        cmocka_unit_test(test_story_keys),
    };
    return cmocka_run_group_tests_name("similar", tests, NULL, NULL);
}
