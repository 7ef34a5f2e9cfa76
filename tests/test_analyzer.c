/*
 * test_analyzer.c - the analyzer's rules, on real sentences from corpus/
 * and tests/data/sotu, plus robustness and a property test over sotu.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "cti_analyzer.h"
#include "lib/fixture.h"

/* One collected token. */
typedef struct tk {
    char text[CTI_MAX_TOKEN + 1];
    char stem[4 * CTI_MAX_TOKEN + 1];
    uint32_t pos;
    size_t start, end;
    unsigned flags;
} tk;

typedef struct toks {
    tk *v;
    size_t n, cap;
    int stop_after;  /* > 0: return 7 from the callback at this count */
} toks;

static int collect(void *ctx, const cti_token *t)
{
    toks *ts = ctx;
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? 2 * ts->cap : 64;
        ts->v = realloc(ts->v, ts->cap * sizeof *ts->v);
        assert_non_null(ts->v);
    }
    tk *k = &ts->v[ts->n++];
    assert_true(t->len <= CTI_MAX_TOKEN);
    assert_int_equal(strlen(t->text), t->len);
    assert_int_equal(strlen(t->stem), t->stemlen);
    memcpy(k->text, t->text, t->len + 1);
    assert_true(t->stemlen < sizeof k->stem);
    memcpy(k->stem, t->stem, t->stemlen + 1);
    k->pos = t->pos;
    k->start = t->start;
    k->end = t->end;
    k->flags = t->flags;
    if (ts->stop_after > 0 && (int)ts->n == ts->stop_after)
        return 7;
    return 0;
}

static cti_analyzer *english(void)
{
    cti_analyzer *a = NULL;
    assert_int_equal(cti_analyzer_new("english", &a), 0);
    assert_non_null(a);
    return a;
}

/* Analyze 's' (whole string) with 'a' (NULL: tokenize only). */
static toks run(cti_analyzer *a, const char *s, size_t len)
{
    toks ts = {0};
    assert_int_equal(cti_analyze(a, s, len, 0, collect, &ts), 0);
    return ts;
}

/* Expected token: folded text, position, span, flags. */
typedef struct want {
    const char *text;
    uint32_t pos;
    size_t start, end;
    unsigned flags;
} want;

#define END {NULL, 0, 0, 0, 0}

/* Check the tokens of 's' against a table that ends with END. */
static void check(const char *s, const want *w)
{
    cti_analyzer *a = english();
    toks ts = run(a, s, strlen(s));
    size_t n = 0;
    while (w[n].text)
        n++;
    for (size_t i = 0; i < n && i < ts.n; i++) {
        if (strcmp(ts.v[i].text, w[i].text) != 0 || ts.v[i].pos != w[i].pos ||
            ts.v[i].start != w[i].start || ts.v[i].end != w[i].end ||
            ts.v[i].flags != w[i].flags)
            fail_msg("in \"%s\" token %zu: got '%s' pos %u [%zu,%zu) flags %#x, "
                     "want '%s' pos %u [%zu,%zu) flags %#x", s, i, ts.v[i].text,
                     ts.v[i].pos, ts.v[i].start, ts.v[i].end, ts.v[i].flags,
                     w[i].text, w[i].pos, w[i].start, w[i].end, w[i].flags);
    }
    if (ts.n != n)
        fail_msg("in \"%s\": %zu tokens, want %zu", s, ts.n, n);
    free(ts.v);
    cti_analyzer_free(a);
}

/* The stems of the tokens of 's', space separated, into out. */
static void stems(cti_analyzer *a, const char *s, char *out, size_t outlen)
{
    toks ts = run(a, s, strlen(s));
    out[0] = '\0';
    for (size_t i = 0; i < ts.n; i++) {
        if (i)
            strncat(out, " ", outlen - strlen(out) - 1);
        strncat(out, ts.v[i].stem, outlen - strlen(out) - 1);
    }
    free(ts.v);
}

/* 1 if analyzing 'x' and 'y' gives the same stems. */
static int same_stems(const char *x, const char *y)
{
    cti_analyzer *a = english();
    char sx[512], sy[512];
    stems(a, x, sx, sizeof sx);
    stems(a, y, sy, sizeof sy);
    cti_analyzer_free(a);
    return strcmp(sx, sy) == 0;
}

static void test_empty(void **state)
{
    (void)state;
    cti_analyzer *a = english();
    toks ts = run(a, "", 0);
    assert_int_equal(ts.n, 0);
    ts = run(a, NULL, 0);
    assert_int_equal(ts.n, 0);
    ts = run(a, " \t\n,.;-- ’' $%", 16);
    assert_int_equal(ts.n, 0);
    cti_analyzer_free(a);
}

static void test_positions_and_stopwords(void **state)
{
    (void)state;
    /* sotu: stopwords are tokens, so "state of the union" is a phrase. */
    static const want w[] = {
        {"the", 0, 0, 3, 0}, {"state", 1, 4, 9, 0}, {"of", 2, 10, 12, 0},
        {"the", 3, 13, 16, 0}, {"union", 4, 17, 22, 0}, {"is", 5, 23, 25, 0},
        {"strong", 6, 26, 32, 0}, END};
    check("The State of the Union is strong.", w);

    cti_analyzer *a = english();
    toks ts = {0};
    assert_int_equal(cti_analyze(a, "a b c", 5, 1000, collect, &ts), 0);
    assert_int_equal(ts.n, 3);
    assert_int_equal(ts.v[0].pos, 1000);
    assert_int_equal(ts.v[2].pos, 1002);
    free(ts.v);
    cti_analyzer_free(a);
}

static void test_apostrophes(void **state)
{
    (void)state;
    /* corpus/01: possessive in the span, not in the token. */
    static const want w1[] = {
        {"kamala", 0, 0, 6, 0}, {"harris", 1, 7, 17, 0},
        {"campaign", 2, 18, 26, 0}, END};
    check("Kamala Harris’s campaign", w1);
    static const want w2[] = {
        {"the", 0, 0, 3, 0}, {"biden", 1, 4, 9, 0},
        {"administration", 2, 10, 28, 0}, {"policies", 3, 29, 37, 0},
        {"on", 4, 38, 40, 0}, {"antitrust", 5, 41, 50, 0}, END};
    check("the Biden administration’s policies on antitrust", w2);
    /* corpus/02: "don’t" is one word, curly and straight alike. */
    static const want w3[] = {
        {"we", 0, 0, 2, 0}, {"don't", 1, 3, 10, 0}, {"don't", 2, 11, 16, 0},
        {"don't", 3, 17, 23, 0}, END};
    check("We don’t don't donʼt", w3);
    /* a trailing apostrophe ends the word */
    static const want w4[] = {
        {"workers", 0, 0, 7, 0}, {"rights", 1, 11, 17, 0}, END};
    check("workers’ rights", w4);

    assert_true(same_stems("Harris’s", "Harris"));
    assert_true(same_stems("Harris's", "Harris"));
    assert_true(same_stems("Harrisʼs", "Harris’s"));
    assert_true(same_stems("HARRIS’S", "harris"));
    assert_false(same_stems("Harris", "Harrison"));
    /* sotu 2020: hyphen and possessive together */
    assert_true(same_stems("Al‑Baghdadi’s miserable life", "al-baghdadi miserable life"));
}

static void test_hyphens(void **state)
{
    (void)state;
    /* corpus/03 and corpus/01 */
    static const want w1[] = {
        {"a", 0, 0, 1, 0}, {"current", 1, 2, 9, 0}, {"pro", 2, 10, 13, 0},
        {"bloomberg", 3, 14, 23, CTI_TOK_JOINED}, {"facebook", 4, 24, 32, 0}, END};
    check("a current pro-Bloomberg Facebook", w1);
    static const want w2[] = {
        {"one", 0, 0, 3, 0}, {"co", 1, 4, 6, 0}, {"chaired", 2, 7, 14, CTI_TOK_JOINED},
        {"by", 3, 15, 17, 0}, {"google", 4, 18, 28, 0}, {"attorney", 5, 29, 37, 0}, END};
    check("one co-chaired by Google’s attorney", w2);
    static const want w2b[] = {
        {"harris", 0, 0, 10, 0}, {"record", 1, 11, 17, 0},
        {"breaking", 2, 18, 26, CTI_TOK_JOINED}, {"campaign", 3, 27, 35, 0},
        {"fundraising", 4, 36, 47, 0}, END};
    check("Harris’s record-breaking campaign fundraising", w2b);
    /* sotu 2019: U+2011 non-breaking hyphen (3 bytes) joins too */
    static const want w3[] = {
        {"well", 0, 0, 4, 0}, {"being", 1, 7, 12, CTI_TOK_JOINED}, END};
    check("well‑being", w3);
    static const want w4[] = {
        {"brother", 0, 0, 7, 0}, {"in", 1, 8, 10, CTI_TOK_JOINED},
        {"law", 2, 11, 14, CTI_TOK_JOINED}, END};
    check("brother-in-law", w4);
    /* a spaced dash or a double hyphen does not join */
    static const want w5[] = {
        {"is", 0, 0, 2, 0}, {"dead", 1, 7, 11, 0}, {"we", 2, 13, 15, 0},
        {"are", 3, 20, 23, 0}, END};
    check("is — dead--we — are", w5);
    /* the parts find the whole and the whole finds the parts */
    assert_true(same_stems("record-breaking", "record breaking"));
    assert_true(same_stems("pro-Bloomberg", "pro Bloomberg"));
}

static void test_numbers(void **state)
{
    (void)state;
    /* corpus/01: "$50,000" is "50000" */
    static const want w1[] = {
        {"paying", 0, 0, 6, 0}, {"50000", 1, 8, 14, CTI_TOK_NUMBER},
        {"per", 2, 15, 18, 0}, {"person", 3, 19, 25, 0}, END};
    check("paying $50,000 per person", w1);
    assert_true(same_stems("$50,000", "50000"));
    assert_true(same_stems("$50,000", "50,000"));
    /* sotu 1890: "$211,832,450," and a control character between words */
    static const want w2[] = {
        {"4", 0, 0, 1, CTI_TOK_NUMBER}, {"1", 1, 2, 3, CTI_TOK_NUMBER},
        {"per", 2, 4, 7, 0}, {"cent", 3, 8, 12, 0},
        {"211832450", 4, 14, 25, CTI_TOK_NUMBER}, {"at", 5, 27, 29, 0}, END};
    check("4 1\x02per cent $211,832,450, at", w2);
    static const want w3[] = {
        {"in", 0, 0, 2, 0}, {"2024", 1, 3, 7, CTI_TOK_NUMBER},
        {"3.5", 2, 9, 12, CTI_TOK_NUMBER}, {"1990s", 3, 15, 20, CTI_TOK_NUMBER},
        {"1", 4, 22, 23, CTI_TOK_NUMBER}, {"2", 5, 24, 25, CTI_TOK_NUMBER},
        {"10", 6, 26, 28, CTI_TOK_NUMBER}, END};
    check("In 2024, 3.5%, 1990s. 1,2 10.", w3);
    /* numbers are not stemmed */
    cti_analyzer *a = english();
    toks ts = run(a, "1990s 12th 3.5", 14);
    assert_int_equal(ts.n, 3);
    assert_string_equal(ts.v[0].stem, "1990s");
    assert_string_equal(ts.v[1].stem, "12th");
    assert_string_equal(ts.v[2].stem, "3.5");
    free(ts.v);
    cti_analyzer_free(a);
}

static void test_abbreviations(void **state)
{
    (void)state;
    /* corpus/01 */
    static const want w1[] = {
        {"the", 0, 0, 3, 0}, {"2024", 1, 4, 8, CTI_TOK_NUMBER},
        {"u.s", 2, 9, 12, CTI_TOK_ABBREV}, {"presidential", 3, 14, 26, 0},
        {"race", 4, 27, 31, 0}, END};
    check("the 2024 U.S. presidential race", w1);
    static const want w2[] = {
        {"in", 0, 0, 2, 0}, {"the", 1, 3, 6, 0}, {"u.s", 2, 7, 10, CTI_TOK_ABBREV},
        {"e.g", 3, 12, 15, CTI_TOK_ABBREV}, {"a.m", 4, 17, 20, CTI_TOK_ABBREV}, END};
    check("in the U.S. e.g. a.m.", w2);
    assert_true(same_stems("U.S.", "U.S"));
    assert_true(same_stems("U.S.", "u.s."));
    assert_false(same_stems("U.S.", "us"));
    /* a single letter and a full stop is not an abbreviation */
    static const want w3[] = {
        {"plan", 0, 0, 4, 0}, {"b", 1, 5, 6, 0}, {"a", 2, 8, 9, 0}, END};
    check("Plan B. A", w3);
    /* sotu 1981: a possessive after an abbreviation */
    static const want w5[] = {
        {"the", 0, 0, 3, 0}, {"u.n", 1, 4, 10, CTI_TOK_ABBREV},
        {"budget", 2, 11, 17, 0}, {"d.c", 3, 18, 25, CTI_TOK_ABBREV}, END};
    check("the U.N.'s budget D.C’s", w5);
    /* "U.S.-led": the trailing dot, then a hyphen, joins */
    static const want w4[] = {
        {"u.s", 0, 0, 3, CTI_TOK_ABBREV}, {"led", 1, 5, 8, CTI_TOK_JOINED}, END};
    check("U.S.-led", w4);
}

static void test_capitalised_stemmed(void **state)
{
    (void)state;
    assert_true(same_stems("Uber’s", "uber"));
    assert_true(same_stems("Uber", "UBER"));
    assert_true(same_stems("Campaigns", "campaign"));
    assert_true(same_stems("Running", "runs"));
}

static void test_email_url(void **state)
{
    (void)state;
    static const want w[] = {
        {"write", 0, 0, 5, 0}, {"press", 1, 6, 11, 0},
        {"harris", 2, 12, 18, CTI_TOK_JOINED}, {"com", 3, 19, 22, CTI_TOK_JOINED},
        {"or", 4, 23, 25, 0}, {"see", 5, 26, 29, 0}, {"https", 6, 30, 35, 0},
        {"www", 7, 38, 41, 0}, {"kamala", 8, 42, 48, CTI_TOK_JOINED},
        {"com", 9, 49, 52, CTI_TOK_JOINED}, {"issues", 10, 53, 59, CTI_TOK_JOINED},
        {"tech", 11, 60, 64, CTI_TOK_JOINED}, {"harris", 12, 66, 72, 0},
        {"said", 13, 73, 77, 0}, END};
    check("write press@harris.com or see https://www.kamala.com/issues/tech, "
          "Harris said", w);
}

static void test_accents_and_case(void **state)
{
    (void)state;
    static const want w[] = {
        {"jose", 0, 0, 5, 0}, {"strasse", 1, 6, 13, 0}, {"fine", 2, 14, 19, 0},
        {"ecole", 3, 20, 26, 0}, {"cafe", 4, 27, 33, 0}, END};
    /* "café" written decomposed: e + U+0301 */
    check("José Straße ﬁne ÉCOLE cafe\xcc\x81", w);
    assert_true(same_stems("José", "jose"));
    assert_true(same_stems("Ångström", "angstrom"));
    assert_true(same_stems("ＡＢＣ", "abc"));
    assert_true(same_stems("naïve", "naive"));
    /* another script: letters are word characters, Cyrillic case folds */
    assert_true(same_stems("МОСКВА", "москва"));
}

static void test_cjk(void **state)
{
    (void)state;
    static const want w[] = {
        {"apple", 0, 0, 5, 0}, {"苹", 1, 5, 8, CTI_TOK_CJK},
        {"果", 2, 8, 11, CTI_TOK_CJK}, {"公", 3, 12, 15, CTI_TOK_CJK},
        {"司", 4, 15, 18, CTI_TOK_CJK}, {"ガ", 5, 19, 22, CTI_TOK_CJK},
        {"inc", 6, 22, 25, 0}, END};
    check("Apple苹果 公司 ガInc", w);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* stray continuation, invalid lead bytes, overlong '/' and a surrogate */
    static const want w1[] = {
        {"abc", 0, 0, 3, 0}, {"def", 1, 5, 8, 0}, {"gh", 2, 10, 12, 0},
        {"ij", 3, 15, 17, 0}, END};
    check("abc\xff\xfe" "def\xc0\xaf" "gh\xed\xa0\x80" "ij", w1);
    /* a multibyte character split at the end of the input */
    static const want w2[] = {{"caf", 0, 0, 3, 0}, END};
    check("caf\xc3", w2);
    static const want w3[] = {{"na", 0, 0, 2, 0}, END};
    check("na\xe2\x80", w3);
    /* a lone continuation byte inside a word splits it */
    static const want w4[] = {{"ab", 0, 0, 2, 0}, {"cd", 1, 3, 5, 0}, END};
    check("ab\x80" "cd", w4);

    /* never read past 'len': the word is cut by the length, not the NUL */
    cti_analyzer *a = english();
    char *p = malloc(3);
    memcpy(p, "h\xc3\xa9", 3);
    toks ts = run(a, p, 2);
    assert_int_equal(ts.n, 1);
    assert_string_equal(ts.v[0].text, "h");
    assert_int_equal(ts.v[0].end, 1);
    free(ts.v);
    free(p);
    cti_analyzer_free(a);
}

static void test_nul_and_control(void **state)
{
    (void)state;
    cti_analyzer *a = english();
    static const char s[] = "one\0two\x01three\x7f" "four";
    toks ts = run(a, s, sizeof s - 1);
    assert_int_equal(ts.n, 4);
    assert_string_equal(ts.v[1].text, "two");
    assert_int_equal(ts.v[1].start, 4);
    assert_int_equal(ts.v[1].end, 7);
    assert_string_equal(ts.v[3].text, "four");
    assert_int_equal(ts.v[3].pos, 3);
    free(ts.v);
    cti_analyzer_free(a);
}

static void test_long_tokens(void **state)
{
    (void)state;
    cti_analyzer *a = english();
    char s[400];

    /* ASCII: cut at CTI_MAX_TOKEN bytes, span covers the whole word */
    memset(s, 'a', 100);
    memcpy(s + 100, " next", 6);
    toks ts = run(a, s, strlen(s));
    assert_int_equal(ts.n, 2);
    assert_int_equal(strlen(ts.v[0].text), CTI_MAX_TOKEN);
    assert_true(ts.v[0].flags & CTI_TOK_CUT);
    assert_int_equal(ts.v[0].start, 0);
    assert_int_equal(ts.v[0].end, 100);
    assert_string_equal(ts.v[1].text, "next");
    assert_int_equal(ts.v[1].pos, 1);
    free(ts.v);

    /* 3-byte characters: cut at a character boundary (21 * 3 = 63 bytes) */
    s[0] = '\0';
    for (int i = 0; i < 30; i++)
        strcat(s, "ა");
    ts = run(a, s, strlen(s));
    assert_int_equal(ts.n, 1);
    assert_int_equal(strlen(ts.v[0].text), 63);
    assert_int_equal(ts.v[0].end, 90);
    assert_true(utf8proc_decompose((const utf8proc_uint8_t *)ts.v[0].text, -1, NULL, 0,
                                   UTF8PROC_NULLTERM) == 21);
    free(ts.v);

    /* accents dropped before the cut: 40 x "é" folds to 40 bytes, not cut */
    s[0] = '\0';
    for (int i = 0; i < 40; i++)
        strcat(s, "é");
    ts = run(a, s, strlen(s));
    assert_int_equal(ts.n, 1);
    assert_int_equal(strlen(ts.v[0].text), 40);
    assert_false(ts.v[0].flags & CTI_TOK_CUT);
    free(ts.v);

    /* a digit cut off with the tail: the kept text is a word, stemmed as
     * cti_analyzer_stem() stems that text */
    memset(s, 'y', 72);
    memcpy(s + 72, "8 ", 3);
    ts = run(a, s, strlen(s));
    assert_int_equal(ts.n, 1);
    assert_int_equal(strlen(ts.v[0].text), CTI_MAX_TOKEN);
    assert_int_equal(ts.v[0].flags, CTI_TOK_CUT);
    size_t sl;
    assert_string_equal(cti_analyzer_stem(a, ts.v[0].text, CTI_MAX_TOKEN, &sl), ts.v[0].stem);
    free(ts.v);

    /* exactly CTI_MAX_TOKEN bytes is kept whole */
    memset(s, 'b', CTI_MAX_TOKEN);
    s[CTI_MAX_TOKEN] = '\0';
    ts = run(a, s, strlen(s));
    assert_int_equal(strlen(ts.v[0].text), CTI_MAX_TOKEN);
    assert_false(ts.v[0].flags & CTI_TOK_CUT);
    free(ts.v);
    cti_analyzer_free(a);
}

static void test_languages(void **state)
{
    (void)state;
    cti_analyzer *a = NULL;
    assert_int_equal(cti_analyzer_new("klingon", &a), CTI_EINVAL);
    assert_null(a);
    assert_false(cti_analyzer_language_ok("klingon"));
    assert_true(cti_analyzer_language_ok("french"));
    assert_true(cti_analyzer_language_ok("none"));

    assert_int_equal(cti_analyzer_new(NULL, &a), 0);
    assert_string_equal(cti_analyzer_language(a), "english");
    cti_analyzer_free(a);

    char out[256];
    assert_int_equal(cti_analyzer_new("none", &a), 0);
    assert_string_equal(cti_analyzer_language(a), "none");
    stems(a, "Running campaigns", out, sizeof out);
    assert_string_equal(out, "running campaigns");
    cti_analyzer_free(a);

    assert_int_equal(cti_analyzer_new("french", &a), 0);
    stems(a, "Les élections présidentielles", out, sizeof out);
    assert_string_equal(out, "le elect presidentiel");
    cti_analyzer_free(a);

    cti_analyzer_free(NULL);
}

/*
 * The folding of whole strings by utf8proc: NFKC case folding with
 * nonspacing and enclosing marks dropped if 'strip' (spacing marks kept).
 */
static int oracle_fold(const char *in, int strip, char *out, size_t outlen)
{
    utf8proc_int32_t buf[256];
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)in, -1, buf, 256,
                                            UTF8PROC_NULLTERM | UTF8PROC_CASEFOLD |
                                                UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE);
    if (n < 0 || n > 200)
        return -1;
    utf8proc_ssize_t m = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_category_t c = utf8proc_category(buf[i]);
        if (!strip || (c != UTF8PROC_CATEGORY_MN && c != UTF8PROC_CATEGORY_ME))
            buf[m++] = buf[i];
    }
    m = utf8proc_reencode(buf, m, UTF8PROC_COMPOSE);
    if (m < 0 || (size_t)m >= outlen)
        return -1;
    memcpy(out, buf, (size_t)m + 1);
    return 0;
}

/* The code points the header calls CJK: Han ideographs and kana. */
static int is_cjk_oracle(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF66 && cp <= 0xFF9F) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int one_token(void *ctx, const cti_token *t)
{
    tk *k = ctx;
    if (k->pos != UINT32_MAX)
        return 1; /* a second token */
    memcpy(k->text, t->text, t->len + 1);
    k->pos = t->pos;
    k->flags = t->flags;
    return 0;
}

/*
 * Every letter and digit of Unicode, alone and followed by an accent,
 * folds as utf8proc folds the whole string; Hangul syllables survive
 * decomposition and recomposition.
 */
static void test_fold_matches_utf8proc(void **state)
{
    (void)state;
    static const char *marks[] = {"", "\xcc\x81", "\xcc\x88", "\xcc\xa7"};
    size_t checked = 0;
    for (int32_t cp = 0x80; cp < 0x30000; cp++) {
        int cat = utf8proc_category(cp);
        if (!(cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) &&
            !(cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO))
            continue;
        if (cp == 0x02BC)
            continue; /* the modifier apostrophe is not a letter here */
        for (size_t mk = 0; mk < sizeof marks / sizeof *marks; mk++) {
            char in[16], expect[256];
            utf8proc_ssize_t l = utf8proc_encode_char(cp, (utf8proc_uint8_t *)in);
            strcpy(in + l, marks[mk]);
            tk got = {.pos = UINT32_MAX};
            assert_int_equal(cti_tokenize(in, strlen(in), 0, one_token, &got), 0);
            if (got.pos == UINT32_MAX)
                continue; /* folded to nothing */
            if (got.flags & CTI_TOK_CJK) {
                if (mk > 0)
                    continue; /* a mark after an ideograph is a separator */
                assert_true(is_cjk_oracle(cp));
            }
            int strip = !(got.flags & CTI_TOK_CJK); /* CJK tokens keep marks */
            assert_int_equal(oracle_fold(in, strip, expect, sizeof expect), 0);
            if (strlen(expect) > CTI_MAX_TOKEN)
                continue;
            if (strcmp(got.text, expect) != 0)
                fail_msg("U+%04X%s folds to '%s', utf8proc to '%s'", (unsigned)cp,
                         mk ? " + mark" : "", got.text, expect);
            checked++;
        }
    }
    assert_true(checked > 100000);
    /* Hangul: a syllable decomposes to jamo and must come back whole */
    tk got = {.pos = UINT32_MAX};
    assert_int_equal(cti_tokenize("서울특별시", strlen("서울특별시"), 0, one_token, &got), 0);
    assert_string_equal(got.text, "서울특별시");
}

/* Stems agree with cti_analyzer_stem() on tricky tokens. */
static void test_stem_agrees(void **state)
{
    (void)state;
    static const char *inputs[] = {
        "E=mc² x²y ①st Ⅻ ½ ３rd ｶﾞ ガス 一 ㆒abc résumé naïveté",
        "Harris’s HARRIS'S don’t O’Neill U.S. e.g. 3.5 1,000 covid19 well‑being",
        "Ünïcödé-wörds co\xc2\xadoperate İstanbul ΣΊΣΥΦΟΣ straße ﬀ ǅ",
    };
    cti_analyzer *a = english();
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        toks ts = run(a, inputs[i], strlen(inputs[i]));
        assert_true(ts.n > 5);
        for (size_t k = 0; k < ts.n; k++) {
            size_t sl;
            const char *st = cti_analyzer_stem(a, ts.v[k].text, strlen(ts.v[k].text), &sl);
            if (strcmp(st, ts.v[k].stem) != 0)
                fail_msg("'%s': analyze stems to '%s', cti_analyzer_stem to '%s'",
                         ts.v[k].text, ts.v[k].stem, st);
            if (ts.v[k].flags & (CTI_TOK_NUMBER | CTI_TOK_ABBREV | CTI_TOK_CJK))
                assert_string_equal(ts.v[k].stem, ts.v[k].text);
        }
        free(ts.v);
    }
    /* compatibility digits are digits: "x²" is a number, not stemmed */
    toks ts = run(a, "x²", strlen("x²"));
    assert_int_equal(ts.n, 1);
    assert_string_equal(ts.v[0].text, "x2");
    assert_int_equal(ts.v[0].flags, CTI_TOK_NUMBER);
    free(ts.v);
    cti_analyzer_free(a);
}

static void test_callback_stops(void **state)
{
    (void)state;
    cti_analyzer *a = english();
    toks ts = {0};
    ts.stop_after = 2;
    assert_int_equal(cti_analyze(a, "one two three four", 18, 0, collect, &ts), 7);
    assert_int_equal(ts.n, 2);
    free(ts.v);
    cti_analyzer_free(a);
}

typedef struct reent {
    cti_analyzer *a;
    int n, bad;
} reent;

/* Stems another word in the middle of the callback. */
static int reent_cb(void *ctx, const cti_token *t)
{
    reent *r = ctx;
    char before[256];
    snprintf(before, sizeof before, "%s", t->stem);
    size_t sl;
    const char *o = cti_analyzer_stem(r->a, "nationalities", 13, &sl);
    if (strcmp(o, "nation") != 0 || strcmp(t->stem, before) != 0)
        r->bad++;
    r->n++;
    return 0;
}

/* The callback may use the analyzer; the token's stem stays put. */
static void test_callback_reentrant(void **state)
{
    (void)state;
    reent r = {english(), 0, 0};
    const char *s = "campaigns running harrises";
    assert_int_equal(cti_analyze(r.a, s, strlen(s), 0, reent_cb, &r), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.bad, 0);
    cti_analyzer_free(r.a);
}

static void test_tokenize_only(void **state)
{
    (void)state;
    toks ts = {0};
    assert_int_equal(cti_tokenize("Running Harris’s", 18, 5, collect, &ts), 0);
    assert_int_equal(ts.n, 2);
    assert_string_equal(ts.v[0].text, "running");
    assert_string_equal(ts.v[0].stem, "running");
    assert_int_equal(ts.v[1].pos, 6);
    assert_string_equal(ts.v[1].stem, "harris");
    free(ts.v);
}

/* Check each span is inside the text and after the previous one. */
typedef struct spans {
    size_t len, prev_end, n;
    uint32_t next_pos;
} spans;

static int spans_cb(void *ctx, const cti_token *t)
{
    spans *sp = ctx;
    if (t->start < sp->prev_end || t->start >= t->end || t->end > sp->len ||
        t->pos != sp->next_pos || t->len == 0 || t->len > CTI_MAX_TOKEN)
        return 1;
    sp->prev_end = t->end;
    sp->next_pos++;
    sp->n++;
    return 0;
}

/* Pathological inputs stay linear: 4 MB each, no spaces. */
static void test_pathological_inputs(void **state)
{
    (void)state;
    static const char *units[] = {"a", "a.", "1,", "1.", "a'", "-a", "é", "\xcc\x81",
                                  "\xff", "a\xc2\xad", "’s", "1,000", "中"};
    size_t n = 4u << 20;
    char *s = malloc(n);
    assert_non_null(s);
    cti_analyzer *a = english();
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        size_t ul = strlen(units[u]);
        for (size_t i = 0; i < n; i++)
            s[i] = units[u][i % ul];
        spans sp = {n, 0, 0, 0};
        assert_int_equal(cti_analyze(a, s, n, 0, spans_cb, &sp), 0);
    }
    free(s);
    cti_analyzer_free(a);
}

/* A 100 MB single line of real text (an eighth of it, or whatever part
   fixture_sample() asks for). */
static void test_100mb_single_line(void **state)
{
    (void)state;
    const char *s0 = "the Biden administration’s policies on antitrust, $50,000 "
                     "pro-Bloomberg U.S. José 中文 ";
    size_t ul = strlen(s0), n = 100u * 1000 * 1000 / fixture_sample();
    char *s = malloc(n);
    assert_non_null(s);
    for (size_t i = 0; i < n; i += ul)
        memcpy(s + i, s0, i + ul <= n ? ul : n - i);
    cti_analyzer *a = english();
    spans one = {ul, 0, 0, 0}, all = {n, 0, 0, 0};
    assert_int_equal(cti_analyze(a, s0, ul, 0, spans_cb, &one), 0);
    assert_int_equal(cti_analyze(a, s, n, 0, spans_cb, &all), 0);
    assert_int_equal(one.n, 13);
    assert_true(all.n >= (n / ul) * one.n && all.n <= (n / ul + 1) * one.n);
    free(s);
    cti_analyzer_free(a);
}

/*
 * The expected text of a token from its span, folded independently with
 * utf8proc_map: apostrophes as "'", a final possessive "'s" dropped,
 * commas and soft hyphens dropped, a dot left before the possessive
 * dropped.
 */
static void expected_text(const char *s, size_t start, size_t end, char *out, size_t outlen)
{
    char raw[4096];
    size_t o = 0;
    for (size_t i = start; i < end && o + 4 < sizeof raw;) {
        if (!memcmp(s + i, "’", 3) || !memcmp(s + i, "ʼ", 2)) {
            raw[o++] = '\'';
            i += (unsigned char)s[i] == 0xE2 ? 3 : 2;
        } else if (s[i] == ',') {
            i++;
        } else if (!memcmp(s + i, "\xc2\xad", 2)) {
            i += 2;
        } else {
            raw[o++] = s[i++];
        }
    }
    if (o >= 2 && raw[o - 2] == '\'' && (raw[o - 1] == 's' || raw[o - 1] == 'S'))
        o -= 2;
    if (o >= 1 && raw[o - 1] == '.')
        o--; /* the dot of an abbreviation before its possessive */
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)raw, (utf8proc_ssize_t)o, &m,
                                      UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                          UTF8PROC_STRIPMARK);
    assert_true(r >= 0);
    snprintf(out, outlen, "%s", (const char *)m);
    free(m);
    /* the cut: the longest prefix of at most CTI_MAX_TOKEN bytes */
    size_t n = strlen(out);
    if (n > CTI_MAX_TOKEN) {
        n = CTI_MAX_TOKEN;
        while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
            n--;
        out[n] = '\0';
    }
}

/*
 * Property test over every sotu file: spans slice the text into the
 * tokens, positions go up by one, spans increase and stay in the text,
 * cti_analyzer_stem() agrees with the token's stem, and the stem cache
 * changes nothing: at its full size, at four sets (cti-search's small
 * cache, crowded, made at that size) or with none.  Every
 * fixture_sample()-th file.
 */
static void test_sotu_property(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/sotu", fixture_data_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    cti_analyzer *a = english();
    cti_analyzer *nc = NULL, *small = NULL, *none = NULL;
    assert_int_equal(cti_analyzer_new_sized("english", 0, &nc), CTI_OK);
    assert_int_equal(cti_analyzer_new_sized("english", 6, &small), CTI_EINVAL);
    assert_null(small);
    assert_int_equal(cti_analyzer_new_sized("english", 4, &small), CTI_OK);
    assert_int_equal(cti_analyzer_set_cache_sets(small, 6), CTI_EINVAL);
    assert_int_equal(cti_analyzer_new_sized("none", 256, &none), CTI_OK);
    assert_string_equal(cti_analyzer_language(none), "none");
    cti_analyzer_free(none);
    struct dirent *de;
    unsigned step = fixture_sample(), seen = 0;
    int files = 0;
    size_t total = 0;
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".txt") != 0 || seen++ % step != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t len = 0;
        char *s = fixture_read_path(path, &len);
        assert_non_null(s);
        toks ts = run(a, s, len);
        toks tn = run(nc, s, len);
        toks tm = run(small, s, len);
        assert_true(ts.n > 100);
        assert_int_equal(ts.n, tn.n);
        assert_int_equal(ts.n, tm.n);
        size_t prev_end = 0;
        for (size_t i = 0; i < ts.n; i++) {
            tk *t = &ts.v[i];
            char expect[4096];
            if (t->pos != i)
                fail_msg("%s: token %zu has position %u", de->d_name, i, t->pos);
            if (t->start < prev_end || t->start >= t->end || t->end > len)
                fail_msg("%s: token %zu span [%zu,%zu) after %zu", de->d_name, i,
                         t->start, t->end, prev_end);
            prev_end = t->end;
            expected_text(s, t->start, t->end, expect, sizeof expect);
            if (strcmp(expect, t->text) != 0)
                fail_msg("%s: [%zu,%zu) '%.*s' gave '%s', want '%s'", de->d_name,
                         t->start, t->end, (int)(t->end - t->start), s + t->start,
                         t->text, expect);
            size_t sl;
            const char *st = cti_analyzer_stem(a, t->text, strlen(t->text), &sl);
            assert_string_equal(st, t->stem);
            assert_string_equal(tn.v[i].stem, t->stem);
            assert_string_equal(tn.v[i].text, t->text);
            assert_string_equal(tm.v[i].stem, t->stem);
        }
        total += ts.n;
        free(ts.v);
        free(tn.v);
        free(tm.v);
        free(s);
        files++;
    }
    closedir(d);
    assert_true(files >= (int)(200 / step));
    assert_true(total > 1000000 / step);
    cti_analyzer_free(a);
    cti_analyzer_free(nc);
    cti_analyzer_free(small);
}

/* What memo_mark() saw of each token: its slot and the value there. */
typedef struct memo_seen {
    uint32_t *slot[16];
    uint32_t val[16];
    size_t n;
    uint32_t mark; /* stored in each slot after reading it */
} memo_seen;

static int memo_mark(void *ctx, const cti_token *t)
{
    memo_seen *m = ctx;
    assert_true(m->n < 16);
    m->slot[m->n] = t->memo;
    m->val[m->n++] = t->memo ? *t->memo : 0;
    if (t->memo)
        *t->memo = m->mark;
    return 0;
}

/*
 * cti_token.memo: every token of one word finds the same slot, holding
 * what was stored there last (0 for a word new to the cache); a word the
 * cache does not hold (a number, over 16 bytes) has none; a new epoch
 * is a value no slot holds.
 */
static void test_memo(void **state)
{
    (void)state;
    cti_analyzer *a = english();
    static const char text[] = "Tax the reform, tax 2024 internationalization the TAX";
    uint32_t e1 = cti_analyzer_memo_epoch(a);
    assert_int_not_equal(e1, 0);
    memo_seen m = { .mark = e1 };
    assert_int_equal(cti_analyze(a, text, sizeof text - 1, 0, memo_mark, &m), 0);
    assert_int_equal(m.n, 8);
    /* tax the reform tax 2024 internationalization the tax */
    assert_non_null(m.slot[0]);
    assert_int_equal(m.val[0], 0);
    assert_ptr_equal(m.slot[3], m.slot[0]);
    assert_int_equal(m.val[3], e1);
    assert_ptr_equal(m.slot[7], m.slot[0]);
    assert_ptr_equal(m.slot[6], m.slot[1]);
    assert_int_equal(m.val[6], e1);
    assert_ptr_not_equal(m.slot[1], m.slot[0]);
    assert_int_equal(m.val[2], 0);
    assert_null(m.slot[4]); /* a number: not stemmed */
    assert_null(m.slot[5]); /* 20 bytes */
    uint32_t e2 = cti_analyzer_memo_epoch(a);
    assert_int_not_equal(e2, e1);
    assert_int_not_equal(e2, 0);
    memo_seen m2 = { .mark = e2 };
    assert_int_equal(cti_analyze(a, text, sizeof text - 1, 0, memo_mark, &m2), 0);
    for (size_t i = 0; i < m2.n; i++)
        if (m2.slot[i] && i != 3 && i != 6 && i != 7)
            assert_int_equal(m2.val[i], e1); /* first met: the last pass's mark */
    cti_analyzer_free(a);
}

/* The three campaign articles: the terms a reader would search for are there. */
static void test_corpus_terms(void **state)
{
    (void)state;
    static const char *files[] = {"corpus/01-harris-courts-silicon-valley.txt",
                                  "corpus/03-bloomberg-asks-tech-leaders-for-staff.txt"};
    cti_analyzer *a = english();
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        char *s = fixture_read(files[f], &len);
        toks ts = run(a, s, len);
        int found_harris = 0, found_50000 = 0, found_us = 0, found_pro_bb = 0;
        for (size_t i = 0; i < ts.n; i++) {
            tk *t = &ts.v[i];
            if (!strcmp(t->stem, "harri") && t->end - t->start == 10 &&
                !memcmp(s + t->start, "Harris’s", 10))
                found_harris++;
            if (!strcmp(t->text, "50000"))
                found_50000++;
            if (!strcmp(t->text, "u.s"))
                found_us++;
            if (!strcmp(t->text, "pro") && i + 1 < ts.n &&
                !strcmp(ts.v[i + 1].text, "bloomberg") &&
                (ts.v[i + 1].flags & CTI_TOK_JOINED) && ts.v[i + 1].pos == t->pos + 1)
                found_pro_bb++;
        }
        if (f == 0) {
            assert_int_equal(found_harris, 13);
            assert_int_equal(found_50000, 1);
            assert_int_equal(found_us, 1);
        } else {
            assert_int_equal(found_pro_bb, 1);
        }
        free(ts.v);
        free(s);
    }
    cti_analyzer_free(a);
}

/*
 * The stem filter: tokens starting with a flagged byte get the same stem
 * as without the filter, the others are left unstemmed and flagged.  On a
 * whole State of the Union address, every stem starts with its word's
 * first byte (what makes the filter safe for English).
 */
static void test_stem_filter(void **state)
{
    (void)state;
    cti_analyzer *a = english();
    size_t len;
    char *text = fixture_read("tests/data/sotu/1934_franklin_d_roosevelt_d.txt",
                              &len);
    toks full = {0}, part = {0};
    assert_int_equal(cti_analyze(a, text, len, 0, collect, &full), 0);
    unsigned char firsts[256] = {0};
    firsts['r'] = firsts['n'] = 1;
    assert_int_equal(cti_analyzer_set_stem_filter(a, firsts), 1);
    assert_int_equal(cti_analyze(a, text, len, 0, collect, &part), 0);
    assert_int_equal(cti_analyzer_set_stem_filter(a, NULL), 0);
    assert_int_equal(full.n, part.n);
    size_t unstemmed = 0;
    for (size_t i = 0; i < full.n; i++) {
        assert_string_equal(full.v[i].text, part.v[i].text);
        assert_int_equal(full.v[i].stem[0], full.v[i].text[0]);
        if (firsts[(unsigned char)full.v[i].text[0]]) {
            assert_string_equal(full.v[i].stem, part.v[i].stem);
            assert_false(part.v[i].flags & CTI_TOK_UNSTEMMED);
        } else if (!(full.v[i].flags & (CTI_TOK_NUMBER | CTI_TOK_ABBREV | CTI_TOK_CJK))) {
            assert_string_equal(part.v[i].stem, part.v[i].text);
            assert_true(part.v[i].flags & CTI_TOK_UNSTEMMED);
            unstemmed++;
        }
    }
    assert_true(unstemmed > full.n / 2);
    /* Languages whose stemmer may touch the start of a word ignore it. */
    cti_analyzer *id = NULL;
    assert_int_equal(cti_analyzer_new("indonesian", &id), 0);
    assert_int_equal(cti_analyzer_set_stem_filter(id, firsts), 0);
    cti_analyzer_free(id);
    free(full.v);
    free(part.v);
    free(text);
    cti_analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_positions_and_stopwords),
        cmocka_unit_test(test_apostrophes),
        cmocka_unit_test(test_hyphens),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_abbreviations),
        cmocka_unit_test(test_capitalised_stemmed),
        cmocka_unit_test(test_email_url),
        cmocka_unit_test(test_accents_and_case),
        cmocka_unit_test(test_cjk),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_nul_and_control),
        cmocka_unit_test(test_long_tokens),
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_fold_matches_utf8proc),
        cmocka_unit_test(test_stem_agrees),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_callback_reentrant),
        cmocka_unit_test(test_tokenize_only),
        cmocka_unit_test(test_pathological_inputs),
        cmocka_unit_test(test_100mb_single_line),
        cmocka_unit_test(test_sotu_property),
        cmocka_unit_test(test_memo),
        cmocka_unit_test(test_corpus_terms),
        cmocka_unit_test(test_stem_filter),
    };
    return cmocka_run_group_tests_name("analyzer", tests, NULL, NULL);
}
