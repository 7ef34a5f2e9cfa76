/*
 * test_fulltext.c - a whole article read piece by piece: every match
 * highlighted once, across the windows too, and the text cleaned with
 * its lines kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cti_fulltext.h"
#include "cti_schema.h"
#include "index_fixture.h"

/* One repetition of the long article: a phrase split by every line end. */
#define UNIT "lorem ipsum dolor sit amet gamma alpha\\nbeta consectetur delta\\n"
#define UNIT_LEN 62  /* bytes of UNIT once decoded */
#define REPEAT 50000 /* about 3 MB: several windows */
/* The stored body: the repetitions, less the last line end (the
   indexer trims the white space around a text). */
#define BODY_LEN ((size_t)UNIT_LEN * REPEAT - 1)

static int setup(void **state)
{
    size_t unit = strlen(UNIT), cap = unit * REPEAT + 4096;
    char *j = malloc(cap), *p = j;
    if (!j)
        return -1;
    p += sprintf(p, "{\"id\":\"long\",\"title\":\"Alpha and beta\",\"text\":\"");
    for (int i = 0; i < REPEAT; i++) {
        memcpy(p, UNIT, unit);
        p += unit;
    }
    p += sprintf(p, "\"}\n");
    p += sprintf(p, "{\"id\":\"dirty\",\"title\":\"Dirty\",\"text\":\"one\\r\\ntwo\\rthree"
                    "\\tfour \\u001b[31mred\\u001b[0m five\\u2028six \\u202eseven\"}\n");
    p += sprintf(p, "{\"id\":\"empty\",\"title\":\"Empty\",\"text\":\"\"}\n");
    *state = index_fixture_new(j);
    free(j);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    index_fixture_free(*state);
    return 0;
}

/* The stored record of article 'id' (caller frees), its text apart in
   *text (free text->frame). */
static char *record(index_fixture *fx, const char *id, size_t *len,
                    cti_record_text *text)
{
    cti_db *db = cti_search_db(fx->s);
    char term[CTI_IDTERM_MAX + 1], *data = NULL, *frame = NULL;
    size_t tl = cti_schema_idterm(id, strlen(id), term);
    uint32_t docid;
    assert_int_equal(cti_db_find(db, term, tl, &docid), CTI_OK);
    assert_int_equal(cti_db_get_data(db, docid, &data, len), CTI_OK);
    assert_int_equal(cti_db_get_value(db, docid, CTI_SLOT_TEXT, &frame,
                                      &text->len), CTI_OK);
    text->frame = frame;
    text->reader = cti_search_text_reader(fx->s);
    return data;
}

/* The highlight spec of query 'q' (results to free). */
static cti_results *spec_of(index_fixture *fx, const char *q)
{
    cti_search_opts o;
    cti_results *r = NULL;
    char err[256];
    cti_search_opts_default(&o);
    o.limit = 0;
    assert_int_equal(cti_search_run(fx->s, q, &o, &r, NULL, err, sizeof err),
                     CTI_OK);
    return r;
}

/* Every piece of 'ft' joined, with the spans in its offsets. */
typedef struct whole {
    char *text;
    size_t len;
    cti_span *spans;
    size_t nspans;
    size_t pieces;
} whole;

static void read_whole(cti_fulltext *ft, whole *w)
{
    cti_snippet piece;
    cti_status st;
    memset(w, 0, sizeof *w);
    while ((st = cti_fulltext_next(ft, &piece)) == CTI_OK) {
        w->text = realloc(w->text, w->len + piece.len + 1);
        memcpy(w->text + w->len, piece.text, piece.len);
        w->spans = realloc(w->spans, (w->nspans + piece.nspans + 1) * sizeof *w->spans);
        for (size_t i = 0; i < piece.nspans; i++) {
            assert_true(piece.spans[i].end <= piece.len);
            w->spans[w->nspans].start = w->len + piece.spans[i].start;
            w->spans[w->nspans++].end = w->len + piece.spans[i].end;
        }
        w->len += piece.len;
        w->pieces++;
    }
    assert_int_equal(st, CTI_DONE);
    if (w->text)
        w->text[w->len] = '\0';
}

static void whole_free(whole *w)
{
    free(w->text);
    free(w->spans);
}

/* A phrase split by every line end, and every window cut at one. */
static void test_phrase_across_pieces(void **state)
{
    index_fixture *fx = *state;
    size_t len;
    cti_record_text text;
    char *data = record(fx, "long", &len, &text);
    cti_results *r = spec_of(fx, "\"alpha beta\" OR (gamma NEAR/3 delta)");
    cti_fulltext *ft = NULL;
    char err[256];
    whole w;
    assert_int_equal(cti_fulltext_open(cti_search_analyzer(fx->s), r->spec,
                                       data, len, &text, &ft, err, sizeof err), CTI_OK);
    assert_string_equal(cti_fulltext_record(ft)->title, "Alpha and beta");
    assert_null(cti_fulltext_record(ft)->body);
    read_whole(ft, &w);
    assert_true(w.pieces >= 3);
    assert_int_equal(w.len, BODY_LEN);
    /* gamma, "alpha beta" and delta, each once per repetition, in order. */
    assert_int_equal(w.nspans, 3 * REPEAT);
    for (size_t i = 0; i < w.nspans; i++) {
        static const char *const want[3] = { "gamma", "alpha\nbeta", "delta" };
        size_t n = w.spans[i].end - w.spans[i].start;
        assert_int_equal(n, strlen(want[i % 3]));
        assert_memory_equal(w.text + w.spans[i].start, want[i % 3], n);
        if (i)
            assert_true(w.spans[i].start > w.spans[i - 1].end);
    }
    /* Read again from the start: the same. */
    whole again;
    assert_int_equal(cti_fulltext_rewind(ft), CTI_OK);
    read_whole(ft, &again);
    assert_int_equal(again.len, w.len);
    assert_int_equal(again.nspans, w.nspans);
    assert_memory_equal(again.text, w.text, w.len);
    whole_free(&again);
    whole_free(&w);
    cti_fulltext_free(ft);
    cti_results_free(r);
    free(data);
    free((char *)text.frame);
}

/* No query: the text alone, no spans. */
static void test_without_query(void **state)
{
    index_fixture *fx = *state;
    size_t len;
    cti_record_text text;
    char *data = record(fx, "long", &len, &text);
    cti_fulltext *ft = NULL;
    char err[256];
    whole w;
    assert_int_equal(cti_fulltext_open(cti_search_analyzer(fx->s), NULL, data,
                                       len, &text, &ft, err, sizeof err), CTI_OK);
    read_whole(ft, &w);
    assert_int_equal(w.len, BODY_LEN);
    assert_int_equal(w.nspans, 0);
    whole_free(&w);
    cti_fulltext_free(ft);
    free(data);
    free((char *)text.frame);
}

/* Lines kept, controls and escapes cleaned away, bidi controls dropped. */
static void test_cleaning(void **state)
{
    index_fixture *fx = *state;
    size_t len;
    cti_record_text text;
    char *data = record(fx, "dirty", &len, &text);
    cti_results *r = spec_of(fx, "five OR seven");
    cti_fulltext *ft = NULL;
    char err[256];
    whole w;
    assert_int_equal(cti_fulltext_open(cti_search_analyzer(fx->s), r->spec,
                                       data, len, &text, &ft, err, sizeof err), CTI_OK);
    read_whole(ft, &w);
    assert_string_equal(w.text, "one\ntwo\nthree four red five\nsix seven");
    assert_int_equal(w.nspans, 2);
    assert_memory_equal(w.text + w.spans[0].start, "five", 4);
    assert_memory_equal(w.text + w.spans[1].start, "seven", 5);
    whole_free(&w);
    cti_fulltext_free(ft);
    cti_results_free(r);
    free(data);
    free((char *)text.frame);
}

/* An empty body ends at once; a damaged record is refused with a reason. */
static void test_empty_and_damaged(void **state)
{
    index_fixture *fx = *state;
    size_t len;
    cti_record_text text;
    char *data = record(fx, "empty", &len, &text);
    cti_fulltext *ft = NULL;
    cti_snippet piece;
    char err[256];
    assert_int_equal(cti_fulltext_open(cti_search_analyzer(fx->s), NULL, data,
                                       len, &text, &ft, err, sizeof err), CTI_OK);
    assert_int_equal(cti_fulltext_next(ft, &piece), CTI_DONE);
    cti_fulltext_free(ft);
    free(data);
    free((char *)text.frame);
    data = record(fx, "long", &len, &text);
    err[0] = '\0';
    assert_int_equal(cti_fulltext_open(cti_search_analyzer(fx->s), NULL, data,
                                       len / 2, &text, &ft, err, sizeof err),
                     CTI_ECORRUPT);
    assert_null(ft);
    assert_non_null(strstr(err, "truncated"));
    /* A text cut short, or damaged in the middle, fails while it is read. */
    cti_record_text cut = text;
    cut.len = text.len / 2;
    for (int damaged = 0; damaged < 2; damaged++) {
        assert_int_equal(cti_fulltext_open(cti_search_analyzer(fx->s), NULL,
                                           data, len, &cut, &ft, err,
                                           sizeof err), CTI_OK);
        cti_status st;
        while ((st = cti_fulltext_next(ft, &piece)) == CTI_OK)
            ;
        assert_int_equal(st, CTI_ECORRUPT);
        assert_non_null(strstr(cti_fulltext_error(ft), "bad stored text"));
        cti_fulltext_free(ft);
        char *frame = (char *)text.frame;
        frame[text.len / 2] ^= 0x55;
        frame[text.len / 2 + 1] ^= 0x55;
        cut = text;
    }
    /* Without its text, the record says so at once. */
    assert_int_equal(cti_fulltext_open(cti_search_analyzer(fx->s), NULL, data,
                                       len, NULL, &ft, err, sizeof err),
                     CTI_ECORRUPT);
    assert_non_null(strstr(err, "missing"));
    free(data);
    free((char *)text.frame);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phrase_across_pieces),
        cmocka_unit_test(test_without_query),
        cmocka_unit_test(test_cleaning),
        cmocka_unit_test(test_empty_and_damaged),
    };
    return cmocka_run_group_tests_name("fulltext", tests, setup, teardown);
}
