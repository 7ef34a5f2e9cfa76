/*
 * test_fingerprint.c - copies of a story look alike, other stories do not:
 * corpus/03 is a reworded copy of tests/data/dups/recode.txt, corpus/02 is
 * another outlet's story about the same campaign.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_analyzer.h"
#include "cti_article.h"
#include "cti_boiler.h"
#include "cti_fingerprint.h"
#include "lib/fixture.h"

typedef struct fp_ctx {
    cti_fingerprint_builder f;
    const cti_boiler_range *r;
    size_t nr, cursor;
} fp_ctx;

static int on_token(void *vctx, const cti_token *t)
{
    fp_ctx *c = vctx;
    if (!cti_boiler_range_at(c->r, c->nr, &c->cursor, t->start))
        cti_fingerprint_add(&c->f, t->stem, t->stemlen);
    return 0;
}

/* The fingerprint of a text article's body, boilerplate set aside as
   the indexer does; 0 or -1 (too short). */
static int fingerprint_text(const char *text, size_t len, cti_fingerprint *out)
{
    cti_article a;
    cti_analyzer *an = NULL;
    cti_boiler *b = NULL;
    fp_ctx c;
    assert_int_equal(cti_article_parse_text(text, len, &a), 0);
    assert_int_equal(cti_analyzer_new("english", &an), 0);
    assert_int_equal(cti_boiler_new(&b), CTI_OK);
    assert_int_equal(cti_boiler_scan(b, a.body, a.body_len), CTI_OK);
    memset(&c, 0, sizeof c);
    c.r = cti_boiler_ranges(b, &c.nr);
    cti_fingerprint_begin(&c.f);
    assert_int_equal(cti_analyze(an, a.body, a.body_len, 1, on_token, &c), 0);
    int rc = cti_fingerprint_end(&c.f, out);
    cti_boiler_free(b);
    cti_analyzer_free(an);
    cti_article_release(&a);
    return rc;
}

static void fingerprint_file(const char *rel, cti_fingerprint *out)
{
    size_t n;
    char *text = fixture_read(rel, &n);
    assert_int_equal(fingerprint_text(text, n, out), 0);
    free(text);
}

static int share_band(const cti_fingerprint *a, const cti_fingerprint *b)
{
    for (unsigned k = 0; k < CTI_FINGERPRINT_BANDS; k++) {
        char x[CTI_FINGERPRINT_TERM_MAX], y[CTI_FINGERPRINT_TERM_MAX];
        cti_fingerprint_band_term(a, k, 0, x);
        cti_fingerprint_band_term(b, k, 0, y);
        if (!strcmp(x, y))
            return 1;
    }
    return 0;
}

#define HARRIS "corpus/01-harris-courts-silicon-valley.txt"
#define COURTS "corpus/02-bloomberg-courts-big-tech-leaders.txt"
#define SPUN "corpus/03-bloomberg-asks-tech-leaders-for-staff.txt"
#define RECODE "tests/data/dups/recode.txt"

static void test_spun_copy_found(void **state)
{
    (void)state;
    cti_fingerprint spun, orig;
    fingerprint_file(SPUN, &spun);
    fingerprint_file(RECODE, &orig);
    double s = cti_fingerprint_similarity(&spun, &orig);
    assert_true(s >= CTI_FINGERPRINT_COPY);
    assert_true(share_band(&spun, &orig));
}

static void test_same_topic_kept_apart(void **state)
{
    (void)state;
    cti_fingerprint harris, courts, spun, orig;
    fingerprint_file(HARRIS, &harris);
    fingerprint_file(COURTS, &courts);
    fingerprint_file(SPUN, &spun);
    fingerprint_file(RECODE, &orig);
    /* Both Bloomberg stories name the same campaign staff: not copies. */
    assert_true(cti_fingerprint_similarity(&courts, &spun) < CTI_FINGERPRINT_COPY);
    assert_true(cti_fingerprint_similarity(&courts, &orig) < CTI_FINGERPRINT_COPY);
    assert_true(cti_fingerprint_similarity(&harris, &courts) < CTI_FINGERPRINT_COPY);
    assert_true(cti_fingerprint_similarity(&harris, &spun) < CTI_FINGERPRINT_COPY);
}

static void test_identical_and_syndicated(void **state)
{
    (void)state;
    size_t n;
    char *text = fixture_read(RECODE, &n);
    cti_fingerprint a, b;
    assert_int_equal(fingerprint_text(text, n, &a), 0);
    assert_int_equal(fingerprint_text(text, n, &b), 0);
    assert_true(cti_fingerprint_similarity(&a, &b) == 1.0);
    for (unsigned k = 0; k < CTI_FINGERPRINT_BANDS; k++) {
        char x[CTI_FINGERPRINT_TERM_MAX], y[CTI_FINGERPRINT_TERM_MAX];
        assert_int_equal(cti_fingerprint_band_term(&a, k, 0, x),
                         3 + 3 * CTI_FINGERPRINT_ROWS);
        assert_int_equal(cti_fingerprint_band_term(&a, k, 1, y),
                         3 + 4 * CTI_FINGERPRINT_ROWS);
        assert_memory_equal(x, y, strlen(x)); /* the top 12 bits of 16 */
        cti_fingerprint_band_term(&b, k, 0, y);
        assert_string_equal(x, y);
        assert_memory_equal(x, CTI_PREFIX_BAND, 2);
    }
    /* Another site's page: a header, a byline, the story cut after two
       thirds, a footer and a comment section. */
    const char *body = strstr(text, "\n---\n") + 5;
    size_t cut = (size_t)((strlen(body) * 2) / 3);
    while (body[cut] != '\n')
        cut--;
    char *page = malloc(n + 1024);
    assert_non_null(page);
    int m = snprintf(page, n + 1024,
                     "Home / Politics / Bloomberg\n\nBloomberg wants your "
                     "engineers\n\nBy Staff Writer\n\n%.*s\n\nShare this "
                     "article\n\n\xc2\xa9 2020 Daily Ledger. All rights "
                     "reserved.\n\n2 Comments\n\nGreat read!\n\nThis is old "
                     "news.\n",
                     (int)cut, body);
    assert_true(m > 0);
    assert_int_equal(fingerprint_text(page, (size_t)m, &b), 0);
    double s = cti_fingerprint_similarity(&a, &b);
    assert_true(s >= 0.5);
    assert_true(share_band(&a, &b));
    free(page);
    free(text);
}

static void test_too_short(void **state)
{
    (void)state;
    cti_fingerprint f;
    const char *t = "Senate passes the budget after a long night of votes.";
    assert_int_equal(fingerprint_text(t, strlen(t), &f), -1);
    cti_fingerprint_builder b;
    cti_fingerprint_begin(&b);
    assert_int_equal(cti_fingerprint_end(&b, &f), -1);
}

static void test_encode_decode(void **state)
{
    (void)state;
    cti_fingerprint a, b, c;
    char buf[CTI_FINGERPRINT_BYTES];
    fingerprint_file(COURTS, &a);
    cti_fingerprint_encode(&a, buf);
    assert_int_equal(cti_fingerprint_decode(buf, sizeof buf, &b), 0);
    assert_true(b.narrow);
    for (unsigned i = 0; i < CTI_FINGERPRINT_BINS; i++)
        assert_int_equal(b.v[i], a.v[i] & 0xff);
    /* A stored fingerprint is the same article as the one it came from. */
    assert_true(cti_fingerprint_similarity(&a, &b) == 1.0);
    assert_int_equal(cti_fingerprint_decode(buf, sizeof buf - 1, &b), -1);
    assert_int_equal(cti_fingerprint_decode(buf, 0, &b), -1);
    /* The two-byte values of older indexes are read as they were. */
    char wide[CTI_FINGERPRINT_BYTES_WIDE];
    for (unsigned i = 0; i < CTI_FINGERPRINT_BINS; i++) {
        wide[2 * i] = (char)(a.v[i] >> 8);
        wide[2 * i + 1] = (char)(a.v[i] & 0xff);
    }
    assert_int_equal(cti_fingerprint_decode(wide, sizeof wide, &c), 0);
    assert_false(c.narrow);
    assert_memory_equal(c.v, a.v, sizeof a.v);
    assert_true(cti_fingerprint_similarity(&b, &c) == 1.0);
}

static void test_narrow_estimate(void **state)
{
    (void)state;
    /* Compared by their stored bytes, the spun copy is still a copy of
       its original and the other Bloomberg story still apart from it, as
       with the full values. */
    cti_fingerprint a, b, c, na, nb, nc;
    char buf[CTI_FINGERPRINT_BYTES];
    fingerprint_file(RECODE, &a);
    fingerprint_file(SPUN, &b);
    fingerprint_file(COURTS, &c);
    cti_fingerprint_encode(&a, buf);
    assert_int_equal(cti_fingerprint_decode(buf, sizeof buf, &na), 0);
    cti_fingerprint_encode(&b, buf);
    assert_int_equal(cti_fingerprint_decode(buf, sizeof buf, &nb), 0);
    cti_fingerprint_encode(&c, buf);
    assert_int_equal(cti_fingerprint_decode(buf, sizeof buf, &nc), 0);
    double full = cti_fingerprint_similarity(&a, &b);
    double narrow = cti_fingerprint_similarity(&na, &b);
    assert_true(narrow >= CTI_FINGERPRINT_COPY);
    assert_true(narrow > full - 0.05 && narrow < full + 0.05);
    assert_true(cti_fingerprint_similarity(&na, &nb) >= CTI_FINGERPRINT_COPY);
    assert_true(cti_fingerprint_similarity(&na, &nc) < CTI_FINGERPRINT_COPY);
    assert_true(cti_fingerprint_similarity(&na, &nc) >= 0);
}

static void test_word_order_matters(void **state)
{
    (void)state;
    /* The same words in another order are another text. */
    char fwd[4096] = "", rev[4096] = "";
    static const char *const w[] = { "senate", "budget", "vote", "night",
                                     "chamber", "recess", "office", "timing",
                                     "spring", "question", "leader", "party" };
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < 12; i++) {
            strcat(fwd, w[(i + r) % 12]);
            strcat(fwd, " ");
            strcat(rev, w[(36 - i - r) % 12]);
            strcat(rev, " ");
        }
    cti_fingerprint a, b;
    assert_int_equal(fingerprint_text(fwd, strlen(fwd), &a), 0);
    assert_int_equal(fingerprint_text(rev, strlen(rev), &b), 0);
    assert_true(cti_fingerprint_similarity(&a, &b) < 0.2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spun_copy_found),
        cmocka_unit_test(test_same_topic_kept_apart),
        cmocka_unit_test(test_identical_and_syndicated),
        cmocka_unit_test(test_too_short),
        cmocka_unit_test(test_encode_decode),
        cmocka_unit_test(test_narrow_estimate),
        cmocka_unit_test(test_word_order_matters),
    };
    return cmocka_run_group_tests_name("fingerprint", tests, NULL, NULL);
}
