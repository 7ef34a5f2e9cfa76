/*
 * fuzz_analyzer.c - libFuzzer harness for cti_analyze() and cti_tokenize().
 *
 * For any bytes, every token keeps the promises of cti_analyzer.h: the
 * positions count up by one from pos0, the spans lie inside the input,
 * increase and never overlap, the folded text is non-empty, NUL-free
 * valid UTF-8 of at most CTI_MAX_TOKEN bytes, the stem is what
 * cti_analyzer_stem() gives for that text (the query side relies on it),
 * unstemmed kinds keep their text, and the result does not depend on the
 * stem cache.  The tokenizer yields the same tokens without stems.
 */
#include <stdint.h>
#include <string.h>

#include "cti_analyzer.h"
#include "fuzz_util.h"

typedef struct ana_tok {
    uint32_t pos;
    size_t start, end;
    unsigned flags;
    char text[CTI_MAX_TOKEN + 1];
    char stem[4 * CTI_MAX_TOKEN + 1];
} ana_tok;

typedef struct ana_ctx {
    cti_analyzer *a;     /* to re-stem each token; NULL for cti_tokenize */
    size_t len;          /* input length */
    uint32_t pos0;
    ana_tok *toks;
    size_t n, cap;
    int stop_at;         /* return non-zero at this token (-1: never) */
} ana_ctx;

static int ana_emit(void *vctx, const cti_token *t)
{
    ana_ctx *c = vctx;
    FUZZ_CHECK(t->text != NULL && t->stem != NULL);
    FUZZ_CHECK(t->len > 0 && t->len <= CTI_MAX_TOKEN);
    FUZZ_CHECK(strlen(t->text) == t->len);
    FUZZ_CHECK(fuzz_utf8_valid(t->text, t->len));
    FUZZ_CHECK(strlen(t->stem) == t->stemlen);
    FUZZ_CHECK(t->stemlen > 0 && t->stemlen < sizeof c->toks[0].stem);
    FUZZ_CHECK(fuzz_utf8_valid(t->stem, t->stemlen));
    FUZZ_CHECK(t->pos == c->pos0 + (uint32_t)c->n);
    FUZZ_CHECK(t->start < t->end && t->end <= c->len);
    if (c->n > 0)
        FUZZ_CHECK(t->start >= c->toks[c->n - 1].end);
    if (t->flags & CTI_TOK_CUT)
        FUZZ_CHECK(t->len + 4 > CTI_MAX_TOKEN);
    if (t->flags & (CTI_TOK_NUMBER | CTI_TOK_CJK | CTI_TOK_ABBREV))
        FUZZ_CHECK(t->stemlen == t->len && memcmp(t->stem, t->text, t->len) == 0);
    if (t->flags & CTI_TOK_CJK)
        FUZZ_CHECK(!(t->flags & CTI_TOK_JOINED));
    if (c->n == 0)
        FUZZ_CHECK(!(t->flags & CTI_TOK_JOINED));

    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        ana_tok *p = realloc(c->toks, cap * sizeof *p);
        FUZZ_CHECK(p != NULL);
        c->toks = p;
        c->cap = cap;
    }
    ana_tok *k = &c->toks[c->n++];
    k->pos = t->pos;
    k->start = t->start;
    k->end = t->end;
    k->flags = t->flags;
    memcpy(k->text, t->text, t->len + 1);
    memcpy(k->stem, t->stem, t->stemlen + 1);
    if (c->a) {
        /* The stem must not depend on the context the token came from. */
        size_t sl = 0;
        const char *s = cti_analyzer_stem(c->a, k->text, t->len, &sl);
        FUZZ_CHECK(s != NULL && sl == strlen(k->stem));
        FUZZ_CHECK(memcmp(s, k->stem, sl) == 0);
    }
    if (c->stop_at >= 0 && c->n == (size_t)c->stop_at + 1)
        return 7;
    return 0;
}

static cti_analyzer *ana_english;

static int ana_run(cti_analyzer *a, int tokenize_only, const char *in,
                   size_t n, uint32_t pos0, int stop_at, ana_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->a = tokenize_only ? NULL : a;
    c->len = n;
    c->pos0 = pos0;
    c->stop_at = stop_at;
    if (tokenize_only)
        return cti_tokenize(in, n, pos0, ana_emit, c);
    return cti_analyze(a, in, n, pos0, ana_emit, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ana_english && cti_analyzer_new("english", &ana_english) != 0)
        abort();
    const char *in = (const char *)data;
    uint32_t pos0 = size ? 1u + data[0] : 1u;
    ana_ctx c1, c2, c3, c4;

    cti_analyzer_set_cache(ana_english, 1);
    FUZZ_CHECK(ana_run(ana_english, 0, in, size, pos0, -1, &c1) == 0);
    cti_analyzer_set_cache(ana_english, 0);
    FUZZ_CHECK(ana_run(ana_english, 0, in, size, pos0, -1, &c2) == 0);
    cti_analyzer_set_cache(ana_english, 1);
    FUZZ_CHECK(c1.n == c2.n);
    for (size_t i = 0; i < c1.n; i++) {
        FUZZ_CHECK(c1.toks[i].start == c2.toks[i].start);
        FUZZ_CHECK(c1.toks[i].end == c2.toks[i].end);
        FUZZ_CHECK(c1.toks[i].flags == c2.toks[i].flags);
        FUZZ_CHECK(strcmp(c1.toks[i].text, c2.toks[i].text) == 0);
        FUZZ_CHECK(strcmp(c1.toks[i].stem, c2.toks[i].stem) == 0);
    }

    /* Tokenizing alone: the same words, positions and spans, stem == text. */
    FUZZ_CHECK(ana_run(NULL, 1, in, size, pos0, -1, &c3) == 0);
    FUZZ_CHECK(c3.n == c1.n);
    for (size_t i = 0; i < c3.n; i++) {
        FUZZ_CHECK(c3.toks[i].start == c1.toks[i].start);
        FUZZ_CHECK(c3.toks[i].end == c1.toks[i].end);
        FUZZ_CHECK(c3.toks[i].flags == c1.toks[i].flags);
        FUZZ_CHECK(strcmp(c3.toks[i].text, c1.toks[i].text) == 0);
        FUZZ_CHECK(strcmp(c3.toks[i].stem, c3.toks[i].text) == 0);
    }

    /* A callback's non-zero return stops the walk and is returned. */
    if (c1.n > 0) {
        int stop = size > 1 ? (int)(data[1] % c1.n) : 0;
        FUZZ_CHECK(ana_run(ana_english, 0, in, size, pos0, stop, &c4) == 7);
        FUZZ_CHECK(c4.n == (size_t)stop + 1);
        free(c4.toks);
    }
    free(c1.toks);
    free(c2.toks);
    free(c3.toks);
    return 0;
}
