/*
 * cti_snippet.c - snippets and highlights.
 *
 * One pass of the analyzer over the article collects every token (byte
 * offsets, a character offset with whitespace collapsed, whether it starts
 * a sentence) and every token whose stem is one of the spec's stems.  From
 * those the matches are built: words and phrases (consecutive stems), NEAR
 * groups (every item within the window), prefixes.  Each match is a
 * scoring unit; a sliding window over the units picks the fragments that
 * cover the most distinct groups, rarer (heavier) groups first, and lays
 * them out on token boundaries (cti_snippet_window.c).  They are copied
 * with control characters, escape sequences and invalid UTF-8 cleaned
 * away and whitespace collapsed, mapping the highlight spans to byte
 * offsets in the cleaned text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "cti_snippet.h"
#include "cti_snippet_int.h"

#include "cti_escape.h"

#define DEFAULT_FRAGMENTS 2
#define DEFAULT_SIZE 200
#define ELLIPSIS "\xE2\x80\xA6" /* U+2026 */

/* ---------------------------------------------------------------- spec */

void cti_hl_spec_free(cti_hl_spec *spec)
{
    if (!spec)
        return;
    for (size_t g = 0; g < spec->ngroups; g++) {
        cti_hl_group *grp = &spec->groups[g];
        for (size_t i = 0; i < grp->nitems; i++) {
            for (size_t k = 0; k < grp->items[i].nstems; k++)
                free(grp->items[i].stems[k]);
            free(grp->items[i].stems);
        }
        free(grp->items);
    }
    free(spec->groups);
    free(spec);
}

cti_hl_spec *cti_hl_spec_new(void)
{
    return calloc(1, sizeof(cti_hl_spec));
}

cti_status cti_hl_spec_add(cti_hl_spec *spec, int kind, int field,
                           unsigned window, double weight,
                           const cti_hl_item *items, size_t nitems)
{
    cti_hl_group *groups, *grp;
    size_t i, k;

    if (!spec || !items || nitems == 0)
        return CTI_EINVAL;
    groups = realloc(spec->groups, (spec->ngroups + 1) * sizeof *groups);
    if (!groups)
        return CTI_ENOMEM;
    spec->groups = groups;
    grp = &groups[spec->ngroups];
    memset(grp, 0, sizeof *grp);
    grp->kind = kind;
    grp->field = field;
    grp->window = window;
    grp->weight = weight;
    grp->items = calloc(nitems, sizeof *grp->items);
    if (!grp->items)
        return CTI_ENOMEM;
    spec->ngroups++;    /* from here on cti_hl_spec_free() cleans up */
    for (i = 0; i < nitems; i++) {
        cti_hl_item *it = &grp->items[i];
        it->prefix = items[i].prefix;
        it->stems = calloc(items[i].nstems ? items[i].nstems : 1,
                           sizeof *it->stems);
        if (!it->stems)
            return CTI_ENOMEM;
        grp->nitems = i + 1;
        for (k = 0; k < items[i].nstems; k++) {
            it->stems[k] = strdup(items[i].stems[k] ? items[i].stems[k] : "");
            if (!it->stems[k])
                return CTI_ENOMEM;
            it->nstems = k + 1;
        }
    }
    return CTI_OK;
}

/* ------------------------------------------------------------- buffers */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

/* Append n bytes; does nothing once *rc is set, sets it on no memory. */
static void buf_put(buf *b, const void *s, size_t n, int *rc)
{
    if (*rc)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            *rc = -1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(buf *b, const char *s, int *rc)
{
    buf_put(b, s, strlen(s), rc);
}

/* Grow an array of elements of 'size' bytes to hold at least n + 1. */
int cti_scan_grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, c * size);
    if (!p)
        return -1;
    *arr = p;
    *cap = c;
    return 0;
}

/* --------------------------------------------------------- the matcher */

uint32_t cti_scan_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static int field_applies(int field, int title)
{
    if (field == CTI_HL_ANY)
        return 1;
    return title && field == CTI_HL_TITLE;
}

/* 1 if groups x and y match the same places ("tech tech" in a query). */
static int same_group(const cti_hl_group *x, const cti_hl_group *y)
{
    if (x->kind != y->kind || x->nitems != y->nitems ||
        (x->kind == CTI_HL_NEAR && x->window != y->window))
        return 0;
    for (size_t i = 0; i < x->nitems; i++) {
        const cti_hl_item *a = &x->items[i], *b = &y->items[i];
        if (a->nstems != b->nstems || !a->prefix != !b->prefix)
            return 0;
        for (size_t k = 0; k < a->nstems; k++)
            if (strcmp(a->stems[k] ? a->stems[k] : "", b->stems[k] ? b->stems[k] : ""))
                return 0;
    }
    return 1;
}

/* 1 if group g applies to the text and is not a copy of an earlier one. */
static int group_used(const cti_hl_spec *spec, size_t g, int title)
{
    if (!field_applies(spec->groups[g].field, title))
        return 0;
    for (size_t h = 0; h < g && h < 64; h++)
        if (field_applies(spec->groups[h].field, title) &&
            same_group(&spec->groups[h], &spec->groups[g]))
            return 0;
    return 1;
}

/* Collect the items and stems of the groups that apply; build the hash. */
int cti_scan_prepare(scan *sc, const cti_hl_spec *spec, int title)
{
    size_t nref = 0, nit = 0, g, i, k;

    sc->spec = spec;
    if (!spec)
        return 0;
    for (g = 0; g < spec->ngroups; g++) {
        const cti_hl_group *grp = &spec->groups[g];
        if (!group_used(spec, g, title))
            continue;
        for (i = 0; i < grp->nitems; i++) {
            if (grp->items[i].nstems == 0)
                continue;
            nit++;
            nref += grp->items[i].nstems;
        }
    }
    if (nit == 0)
        return 0;
    sc->items = calloc(nit, sizeof *sc->items);
    sc->refs = calloc(nref, sizeof *sc->refs);
    sc->prefixes = calloc(nref, sizeof *sc->prefixes);
    size_t tsize = 16;
    while (tsize < nref * 2)
        tsize *= 2;
    sc->table = malloc(tsize * sizeof *sc->table);
    if (!sc->items || !sc->refs || !sc->prefixes || !sc->table)
        return -1;
    sc->tmask = tsize - 1;
    for (i = 0; i < tsize; i++)
        sc->table[i] = -1;

    for (g = 0; g < spec->ngroups; g++) {
        const cti_hl_group *grp = &spec->groups[g];
        if (!group_used(spec, g, title))
            continue;
        for (i = 0; i < grp->nitems; i++) {
            const cti_hl_item *hi = &grp->items[i];
            if (hi->nstems == 0)
                continue;
            item *it = &sc->items[sc->nitems];
            it->group = (uint32_t)g;
            it->local = (uint32_t)i;
            it->nstems = (uint32_t)hi->nstems;
            it->ref0 = (uint32_t)sc->nrefs;
            for (k = 0; k < hi->nstems; k++) {
                ref *r = &sc->refs[sc->nrefs];
                r->stem = hi->stems[k] ? hi->stems[k] : "";
                r->len = strlen(r->stem);
                r->item = (uint32_t)sc->nitems;
                r->k = (uint32_t)k;
                r->prefix = hi->prefix && k + 1 == hi->nstems;
                r->next = -1;
                if (r->prefix) {
                    sc->prefixes[sc->nprefixes++] = (uint32_t)sc->nrefs;
                } else {
                    /* chain onto an existing slot with the same stem */
                    size_t h = cti_scan_hash(r->stem, r->len) & sc->tmask;
                    for (;;) {
                        int32_t e = sc->table[h];
                        if (e < 0) {
                            sc->table[h] = (int32_t)sc->nrefs;
                            break;
                        }
                        if (sc->refs[e].len == r->len &&
                            memcmp(sc->refs[e].stem, r->stem, r->len) == 0) {
                            r->next = sc->refs[e].next;
                            sc->refs[e].next = (int32_t)sc->nrefs;
                            break;
                        }
                        h = (h + 1) & sc->tmask;
                    }
                }
                sc->nrefs++;
            }
            sc->nitems++;
        }
    }
    return 0;
}

static int push_match(scan *sc, uint32_t t, uint32_t r)
{
    if (sc->nm >= sc->cm) {
        size_t c = sc->cm;
        if (cti_scan_grow((void **)&sc->mtok, &c, sc->nm, sizeof *sc->mtok))
            return -1;
        c = sc->cm;
        if (cti_scan_grow((void **)&sc->mref, &c, sc->nm, sizeof *sc->mref))
            return -1;
        sc->cm = c;
    }
    sc->mtok[sc->nm] = t;
    sc->mref[sc->nm] = r;
    sc->nm++;
    return 0;
}

/* Words after which a full stop does not end a sentence. */
static int is_abbrev(const char *s, size_t n)
{
    static const char *const words[] = {
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "gov", "sen",
        "rep", "lt", "col", "capt", "prof", "no", "vs", "inc", "co", "corp",
        "mt", "ft", "rev", "hon", "messrs", "etc", "e.g", "i.e", NULL
    };
    if (n == 1)
        return 1;   /* an initial: "J. Smith" */
    if (n > 7)
        return 0;
    /* looked at after most sentences: the first letter before the rest */
    for (size_t i = 0; words[i]; i++)
        if (words[i][0] == s[0] && strncmp(words[i], s, n) == 0 &&
            words[i][n] == '\0')
            return 1;
    return 0;
}

/* 1 if the character at s (len n) could open a sentence: not lower case. */
static int opens_sentence(const char *s, size_t n)
{
    utf8proc_int32_t cp;
    if (n == 0)
        return 0;
    if ((unsigned char)s[0] < 0x80)
        return !(s[0] >= 'a' && s[0] <= 'z');
    if (utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp) < 0)
        return 0;
    return utf8proc_category(cp) != UTF8PROC_CATEGORY_LL;
}

/*
 * Count byte c of the text between two tokens into sc->cpos: a run of
 * whitespace and control bytes is one character, a byte that continues a
 * UTF-8 sequence none.  Returns 1 for whitespace or control.
 */
static inline int gap_byte(scan *sc, unsigned c)
{
    if (c <= 0x20 || c == 0x7F) {
        sc->cpos += !sc->prev_ws;
        sc->prev_ws = 1;
        return 1;
    }
    if (c < 0x80 || c >= 0xC0) {
        sc->cpos++;
        sc->prev_ws = 0;
    }
    return 0;
}

void cti_scan_skip(scan *sc, size_t to, uint32_t limit)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    uint32_t c0 = sc->cpos;
    size_t i = sc->lastend;
    while (i < to && sc->cpos - c0 < limit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        uint64_t x, ws;
        if (i + 8 <= to) {
            memcpy(&x, p + i, 8);
            /* eight ASCII bytes below DEL: the whitespace and controls
               (below 0x21) that follow one count nothing */
            if (!((x | (x + 0x0101010101010101ull)) & 0x8080808080808080ull)) {
                ws = ~(x + 0x5F5F5F5F5F5F5F5Full) & 0x8080808080808080ull;
                /* the bytes that count nothing, one top bit each, summed
                   by a multiply (a popcount is a call into libgcc on
                   x86-64 without POPCNT) */
                uint64_t none = (ws & (ws << 8 | (uint64_t)(sc->prev_ws != 0) << 7)) >> 7;
                sc->cpos += 8 - (uint32_t)((none * 0x0101010101010101ull) >> 56);
                sc->prev_ws = (int)(ws >> 63);
                i += 8;
                continue;
            }
        }
#endif
        gap_byte(sc, p[i++]);
    }
    if (i < to)
        sc->cpos = c0 + (uint32_t)(to - sc->lastend);
    sc->lastend = to;
}

/*
 * Count the characters of the gap text[lastend, start) (whitespace and
 * control runs count as one) and look for a sentence boundary in it.
 * Returns 2 for a paragraph break or a CJK full stop, 1 for a full stop,
 * question or exclamation mark followed by space, or a line break; else 0.
 */
static int scan_gap(scan *sc, size_t start)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    int term = 0, newlines = 0, strong = 0, boundary = 0;

    /* most gaps: none, or one space */
    if (start == sc->lastend)
        return 0;
    if (start == sc->lastend + 1 && p[sc->lastend] == ' ') {
        if (!sc->prev_ws)
            sc->cpos++;
        sc->prev_ws = 1;
        return 0;
    }

    for (size_t i = sc->lastend; i < start; i++) {
        unsigned c = p[i];
        if (gap_byte(sc, c)) {
            if (c == '\n')
                newlines++;
            if (term)
                boundary = 1;
            continue;
        }
        if (c == '.' || c == '!' || c == '?')
            term = 1;
        else if (c == 0xE3 && i + 2 < start && p[i + 1] == 0x80 && p[i + 2] == 0x82)
            strong = 1;     /* U+3002 IDEOGRAPHIC FULL STOP */
        else if (c == 0xEF && i + 2 < start && p[i + 1] == 0xBC &&
                 (p[i + 2] == 0x81 || p[i + 2] == 0x9F))
            strong = 1;     /* U+FF01, U+FF1F fullwidth ! and ? */
    }
    if (newlines >= 2 || strong)
        return 2;
    if (boundary || newlines)
        return 1;
    return 0;
}

/* Whether p[0..len) starts with all but the last two bytes of a ref
   (see cti_scan_stem()). */
static int shares_ref_start(const scan *sc, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < sc->nrefs; i++) {
        size_t n = sc->refs[i].len > 2 ? sc->refs[i].len - 2 : 0;
        if (n <= len && memcmp(sc->refs[i].stem, p, n) == 0)
            return 1;
    }
    return 0;
}

/*
 * The Porter2 (English) stemmer leaves a word of fewer than three
 * characters as it is, and keeps the first two characters of a longer
 * one, except in "dying", "lying" and "tying" (die, lie, tie): checked
 * over every token of the State of the Union addresses and 5,000 articles
 * of the generated corpus.  So a token can match a ref only when its
 * first two bytes are a pair of the scan's pair table (its second byte
 * 'y' counting as 'i'), and a short one is its own stem.
 *
 * More: a stem differs from its word in its last two bytes at most.  The
 * rules only cut a suffix, then write at most three ASCII letters where
 * it was, and the one that writes three ("biliti" to "ble") keeps the
 * first; "dying" to "die" is the same distance.  8.5 million tokens of
 * English news, wire stories and addresses agree (tests/test_snippet.c
 * checks it on the addresses).  So a token whose stem is a ref of n
 * bytes, or starts with a prefix ref of n bytes, starts with the ref's
 * first n - 2 bytes (shares_ref_start()).  The stemmer, most of the cost
 * of a snippet in a short-lived process, runs for the rest only.
 * Returns 0 when the token cannot match; else its stem in *stem.
 */
int cti_scan_stem(scan *sc, const cti_token *t, const char **stem,
                     size_t *stemlen)
{
    const unsigned char *p = (const unsigned char *)t->text;
    *stem = t->text;
    *stemlen = t->len;
    if (t->len < 3 || ((p[0] | p[1] | p[2]) & 0x80)) {
        size_t chars = 0;
        for (size_t i = 0; i < t->len && chars < 3; i++)
            chars += (p[i] & 0xC0) != 0x80;
        if (chars < 3)
            return 1;
    }
    if (!cti_pairs_may(&sc->pairs, p[0], p[1]))
        return 0;
    if (!shares_ref_start(sc, p, t->len))
        return 0;
    *stem = cti_analyzer_stem(sc->lazy, t->text, t->len, stemlen);
    return 1;
}

/* The number of bytes of x that continue a UTF-8 sequence (10xxxxxx). */
static uint32_t continuations(uint64_t x)
{
    uint64_t y = (x & ~(x << 1) & 0x8080808080808080ull) >> 7; /* 0/1 a byte */
    return (uint32_t)((y * 0x0101010101010101ull) >> 56);
}

/* The characters of p[s, e) (p holding 'len' bytes): the bytes that do
   not continue a UTF-8 sequence, eight at a time. */
static uint32_t count_chars(const unsigned char *p, size_t s, size_t e,
                            size_t len)
{
    uint32_t n = (uint32_t)(e - s);
    uint64_t x;
    for (; s + 8 <= e; s += 8) {
        memcpy(&x, p + s, 8);
        n -= continuations(x);
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (s < e && s + 8 <= len) { /* the rest, in the low bytes */
        memcpy(&x, p + s, 8);
        return n - continuations(x & (~0ull >> (64 - 8 * (e - s))));
    }
#else
    (void)len;
#endif
    for (; s < e; s++)
        n -= (p[s] & 0xC0) == 0x80;
    return n;
}

int cti_scan_token(void *ctx, const cti_token *t)
{
    scan *sc = ctx;
    tok *tk;
    uint32_t ti = (uint32_t)sc->ntoks;

    /* keep tokens in order and inside the text, whatever the offsets:
       one token per position, so phrases stay consecutive */
    size_t tend = sc->base + t->end, tstart = sc->base + t->start;
    size_t end = tend < sc->len ? tend : sc->len;
    size_t start = tstart < end ? tstart : end;
    if (start < sc->lastend)
        start = sc->lastend;
    if (end < start)
        end = start;
    if (cti_scan_grow((void **)&sc->toks, &sc->ctoks, sc->ntoks, sizeof *sc->toks)) {
        sc->oom = 1;
        return -1;
    }
    int b = scan_gap(sc, start);
    tk = &sc->toks[sc->ntoks++];
    tk->start = start;
    tk->end = end;
    tk->cstart = sc->cpos;
    sc->cpos += count_chars((const unsigned char *)sc->text, start, end, sc->len);
    tk->cend = sc->cpos;
    sc->prev_ws = 0;
    sc->lastend = end;
    tk->sent = ti == 0 || b == 2 ||
               (b == 1 && opens_sentence(sc->text + start, end - start) &&
                !is_abbrev(sc->prev, sc->prevlen) &&
                !memchr(sc->text + tk[-1].start, '.', tk[-1].end - tk[-1].start));
    /* the previous word, for the abbreviation test (short ones only) */
    sc->prevlen = t->len <= sizeof sc->prev ? t->len : sizeof sc->prev + 1;
    if (t->len <= sizeof sc->prev)
        memcpy(sc->prev, t->text, t->len);

    if (sc->nitems == 0)
        return 0;
    const char *stem = t->stem;
    size_t stemlen = t->stemlen;
    if (sc->lazy && !cti_scan_stem(sc, t, &stem, &stemlen))
        return 0;
    /* exact stems */
    size_t h = cti_scan_hash(stem, stemlen) & sc->tmask;
    for (;;) {
        int32_t e = sc->table[h];
        if (e < 0)
            break;
        if (sc->refs[e].len == stemlen &&
            memcmp(sc->refs[e].stem, stem, stemlen) == 0) {
            for (; e >= 0; e = sc->refs[e].next)
                if (push_match(sc, ti, (uint32_t)e)) {
                    sc->oom = 1;
                    return -1;
                }
            break;
        }
        h = (h + 1) & sc->tmask;
    }
    /* prefixes */
    for (size_t i = 0; i < sc->nprefixes; i++) {
        const ref *r = &sc->refs[sc->prefixes[i]];
        if (r->len <= stemlen && memcmp(r->stem, stem, r->len) == 0)
            if (push_match(sc, ti, sc->prefixes[i])) {
                sc->oom = 1;
                return -1;
            }
    }
    return 0;
}

void cti_scan_free(scan *sc)
{
    free(sc->refs);
    free(sc->items);
    free(sc->table);
    free(sc->prefixes);
    free(sc->toks);
    free(sc->mtok);
    free(sc->mref);
}

static int hit_cmp(const void *x, const void *y)
{
    const hit *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    if (a->g != b->g)
        return a->g < b->g ? -1 : 1;
    return 0;
}

static int hits_push(hits *h, uint32_t a, uint32_t b, uint32_t g, uint32_t it)
{
    if (cti_scan_grow((void **)&h->v, &h->cap, h->n, sizeof *h->v))
        return -1;
    h->v[h->n].a = a;
    h->v[h->n].b = b;
    h->v[h->n].g = g;
    h->v[h->n].it = it;
    h->n++;
    return 0;
}

/* Sort by first token; words and phrases alone come out sorted already. */
static void sort_hits(hits *h)
{
    for (size_t i = 1; i < h->n; i++)
        if (hit_cmp(&h->v[i - 1], &h->v[i]) > 0) {
            qsort(h->v, h->n, sizeof *h->v, hit_cmp);
            return;
        }
}

/* 1 if ref r matched token t (off: first match of each token). */
static int matched_at(const scan *sc, const uint32_t *off, uint32_t t, uint32_t r)
{
    for (uint32_t m = off[t]; m < off[t + 1]; m++)
        if (sc->mref[m] == r)
            return 1;
    return 0;
}

/*
 * A NEAR group matches where one occurrence of every item lies in a
 * stretch of at most window + (stems of all items) words, as the query
 * asks Xapian's OP_NEAR: for two words, "a NEAR/n b" matches when at most
 * n words stand between them, in either order.  Every occurrence that
 * takes part in such a stretch is highlighted; the shortest stretch from
 * each occurrence is a scoring unit.
 *
 * 'occ' holds the group's occurrences sorted by first token.  For a
 * stretch starting at occurrence l, the best choice for each item is its
 * first occurrence from there on (items have a fixed length), so one
 * pointer per item walks forward: linear in the occurrences times the
 * items.
 */
static int near_matches(const scan *sc, uint32_t g, const hit *occ, size_t n,
                        hits *units, hits *hl)
{
    const cti_hl_group *grp = &sc->spec->groups[g];
    size_t k = grp->nitems, sumlen = 0, i, l, r;
    size_t *cnt = NULL, *seg = NULL, *ptr = NULL, *end = NULL;
    uint64_t *bound = NULL;
    int rc = -1;

    if (n == 0)
        return 0;
    for (i = 0; i < sc->nitems; i++)
        if (sc->items[i].group == g)
            sumlen += sc->items[i].nstems;
    cnt = calloc(k + 1, sizeof *cnt);
    seg = malloc(n * sizeof *seg);
    ptr = malloc((k + 1) * sizeof *ptr);
    end = malloc((k + 1) * sizeof *end);
    bound = malloc(n * sizeof *bound);
    if (!cnt || !seg || !ptr || !end || !bound)
        goto done;
    /* occurrences of each item, in text order (counting sort by item) */
    for (r = 0; r < n; r++)
        cnt[sc->items[occ[r].it].local + 1]++;
    for (i = 0; i < k; i++) {
        if (cnt[i + 1] == 0 && grp->items[i].nstems > 0) {
            rc = 0;     /* an item never occurs: no match */
            goto done;
        }
        cnt[i + 1] += cnt[i];
    }
    for (i = 0; i < k; i++) {
        ptr[i] = cnt[i];
        end[i] = cnt[i + 1];
    }
    for (r = 0; r < n; r++)
        seg[ptr[sc->items[occ[r].it].local]++] = r;
    for (i = 0; i < k; i++)
        ptr[i] = cnt[i];

    uint64_t span = (uint64_t)grp->window + sumlen;
    for (l = 0; l < n; l++) {
        uint64_t last = occ[l].a + span - 1;    /* last token allowed */
        uint32_t bunit = occ[l].b;
        int ok = 1;

        bound[l] = 0;
        for (i = 0; i < k; i++) {
            if (grp->items[i].nstems == 0)
                continue;   /* a word of nothing but separators */
            while (ptr[i] < end[i] && occ[seg[ptr[i]]].a < occ[l].a)
                ptr[i]++;
            if (ptr[i] == end[i])
                goto marks;     /* this item never occurs again */
            const hit *o = &occ[seg[ptr[i]]];
            if (o->b > last)
                ok = 0;
            else if (o->b > bunit)
                bunit = o->b;
        }
        if (!ok)
            continue;
        bound[l] = last + 1;
        if (hits_push(units, occ[l].a, bunit, g, occ[l].it))
            goto done;
    }
marks:
    for (; l < n; l++)
        bound[l] = 0;
    /* an occurrence takes part when it ends inside a stretch starting
       at or before it; the latest such start reaches farthest */
    {
        uint64_t best = 0;
        size_t j = 0;
        for (r = 0; r < n; r++) {
            for (; j < n && occ[j].a <= occ[r].a; j++)
                if (bound[j] > best)
                    best = bound[j];
            if (best > occ[r].b && hits_push(hl, occ[r].a, occ[r].b, g, occ[r].it))
                goto done;
        }
    }
    rc = 0;
done:
    free(cnt);
    free(seg);
    free(ptr);
    free(end);
    free(bound);
    return rc;
}

/*
 * Turn the (token, ref) matches into scoring units and highlights.
 * Units and highlights come back sorted by first token.
 */
int cti_scan_hits(const scan *sc, hits *units, hits *hl)
{
    uint32_t *off = NULL;
    hits occ = {0}, tmp = {0};
    size_t m, g;
    int rc = -1;

    if (sc->nm == 0)
        return 0;
    off = calloc(sc->ntoks + 1, sizeof *off);
    if (!off)
        goto done;
    for (m = 0; m < sc->nm; m++)
        off[sc->mtok[m] + 1]++;
    for (size_t t = 0; t < sc->ntoks; t++)
        off[t + 1] += off[t];

    /* occurrences of items: stem 0 here, stem k at the k-th next token */
    for (m = 0; m < sc->nm; m++) {
        const ref *r = &sc->refs[sc->mref[m]];
        if (r->k != 0)
            continue;
        const item *it = &sc->items[r->item];
        uint32_t t = sc->mtok[m];
        if ((size_t)t + it->nstems > sc->ntoks)
            continue;
        uint32_t k;
        for (k = 1; k < it->nstems; k++)
            if (!matched_at(sc, off, t + k, it->ref0 + k))
                break;
        if (k < it->nstems)
            continue;
        if (hits_push(&occ, t, t + it->nstems - 1, it->group, r->item))
            goto done;
    }

    for (m = 0; m < occ.n; m++) {
        const cti_hl_group *grp = &sc->spec->groups[occ.v[m].g];
        if (grp->kind == CTI_HL_NEAR && grp->nitems > 1)
            continue;
        if (hits_push(units, occ.v[m].a, occ.v[m].b, occ.v[m].g, occ.v[m].it) ||
            hits_push(hl, occ.v[m].a, occ.v[m].b, occ.v[m].g, occ.v[m].it))
            goto done;
    }
    for (g = 0; g < sc->spec->ngroups; g++) {
        const cti_hl_group *grp = &sc->spec->groups[g];
        if (grp->kind != CTI_HL_NEAR || grp->nitems <= 1)
            continue;
        tmp.n = 0;
        for (m = 0; m < occ.n; m++)
            if (occ.v[m].g == g &&
                hits_push(&tmp, occ.v[m].a, occ.v[m].b, occ.v[m].g, occ.v[m].it))
                goto done;
        if (near_matches(sc, (uint32_t)g, tmp.v, tmp.n, units, hl))
            goto done;
    }
    sort_hits(units);
    sort_hits(hl);
    rc = 0;
done:
    free(off);
    free(occ.v);
    free(tmp.v);
    return rc;
}

/* ---------------------------------------------------------- cleaning */

typedef struct span_map {
    size_t start, end;      /* in the source text */
    size_t ostart, oend;    /* in the output; ostart == SIZE_MAX: not started */
} span_map;

/* How a code point is copied into a snippet. */
enum { CH_KEEP, CH_SPACE, CH_DROP };

static int classify(utf8proc_int32_t cp)
{
    if (cti_escape_is_control(cp))
        return CH_SPACE;                    /* C0, DEL, C1 controls */
    if (cp == 0x20 || cp == 0xA0)
        return CH_SPACE;
    if (cti_escape_is_bidi(cp) || cp == 0xFEFF)
        return CH_DROP;                     /* bidi controls, BOM */
    if (cp < 0x80)
        return CH_KEEP;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return CH_SPACE;
    default:
        return CH_KEEP;
    }
}

/*
 * Append text[from, to) to out, cleaned: whitespace and control runs
 * become one space (none at either end), escape sequences and bidi
 * controls are dropped, invalid UTF-8 becomes U+FFFD.  The spans
 * sp[0..nsp) (sorted, not overlapping, in text offsets) get their output
 * offsets.  *chars counts the characters written; with maxchars != 0 the
 * copy stops before that many.  Returns the text offset where it stopped.
 */
static size_t clean_copy(buf *out, const char *text, size_t from, size_t to,
                         span_map *sp, size_t nsp, size_t *chars,
                         size_t maxchars, int *rc)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = from, s = 0, lastvis = out->len;
    int pending = 0;

    while (s < nsp && sp[s].end <= from)
        s++;
    while (i < to && !*rc) {
        utf8proc_int32_t cp;
        size_t n;
        int cls;

        /* close the spans that end here */
        while (s < nsp && sp[s].end <= i) {
            if (sp[s].ostart != SIZE_MAX)
                sp[s].oend = lastvis;
            s++;
        }
        if ((p[i] == 0x1B || p[i] == 0xC2) &&
            (n = cti_escape_seq_len(text + i, to - i)) > 0) {
            i += n;                         /* a terminal escape sequence */
            continue;
        }
        if (p[i] < 0x80) {
            cp = p[i];
            n = 1;
        } else {
            utf8proc_ssize_t r = utf8proc_iterate(p + i, (utf8proc_ssize_t)(to - i), &cp);
            if (r < 0) {
                cp = 0xFFFD;
                n = 1;
            } else {
                n = (size_t)r;
            }
        }
        cls = classify(cp);
        if (cls == CH_SPACE) {
            if (out->len > 0 && lastvis == out->len)
                pending = 1;
        } else if (cls == CH_KEEP) {
            if (maxchars && *chars >= maxchars)
                break;
            if (pending) {
                buf_put(out, " ", 1, rc);
                (*chars)++;
                pending = 0;
            }
            if (s < nsp && sp[s].start <= i && sp[s].ostart == SIZE_MAX)
                sp[s].ostart = out->len;
            if (cp == 0xFFFD && n == 1 && p[i] >= 0x80) {
                buf_put(out, "\xEF\xBF\xBD", 3, rc);
            } else if (cp > 0x20 && cp < 0x7F) {
                /* A run of printable ASCII, each byte kept as it is:
                   copied at once, up to the next edge of a span and
                   within maxchars. */
                size_t lim = to;
                if (s < nsp && sp[s].start > i && sp[s].start < lim)
                    lim = sp[s].start;
                if (s < nsp && sp[s].end < lim)
                    lim = sp[s].end;
                if (maxchars && lim - i > maxchars - *chars)
                    lim = i + (maxchars - *chars);
                size_t j = i + 1;
                while (j < lim && p[j] > 0x20 && p[j] < 0x7F)
                    j++;
                n = j - i;
                buf_put(out, p + i, n, rc);
                *chars += n - 1;
            } else {
                buf_put(out, p + i, n, rc);
            }
            (*chars)++;
            lastvis = out->len;
        }
        i += n;
    }
    while (s < nsp && sp[s].start < i) {
        if (sp[s].ostart != SIZE_MAX && sp[s].oend == SIZE_MAX)
            sp[s].oend = lastvis;
        s++;
    }
    return i;
}

/* 1 if text[from, to) holds anything but whitespace and controls. */
static int has_visible(const char *text, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c > 0x20 && c != 0x7F)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------- output */

/* Merge overlapping or touching highlights (token ranges) into byte spans. */
static span_map *make_spans(const scan *sc, const hit *hl, size_t nhl,
                            const frag *f, size_t nf, size_t *nout)
{
    span_map *sp = NULL;
    size_t n = 0;

    *nout = 0;
    if (nhl == 0)
        return NULL;
    sp = malloc(nhl * sizeof *sp);
    if (!sp)
        return NULL;
    for (size_t i = 0; i < nhl; i++) {
        int inside = 0;
        for (size_t j = 0; j < nf && !inside; j++)
            inside = hl[i].a >= f[j].s && hl[i].b <= f[j].e;
        if (!inside)
            continue;
        size_t s = sc->toks[hl[i].a].start, e = sc->toks[hl[i].b].end;
        if (n > 0 && s <= sp[n - 1].end) {
            if (e > sp[n - 1].end)
                sp[n - 1].end = e;
            continue;
        }
        sp[n].start = s;
        sp[n].end = e;
        sp[n].ostart = SIZE_MAX;
        sp[n].oend = SIZE_MAX;
        n++;
    }
    *nout = n;
    return sp;
}

/* Collect the spans that were written into out->spans. */
static int finish(cti_snippet *out, buf *b, const span_map *sp, size_t nsp)
{
    size_t n = 0;
    out->spans = NULL;
    out->nspans = 0;
    if (nsp) {
        out->spans = malloc(nsp * sizeof *out->spans);
        if (!out->spans)
            return -1;
        for (size_t i = 0; i < nsp; i++) {
            if (sp[i].ostart == SIZE_MAX || sp[i].oend == SIZE_MAX ||
                sp[i].oend <= sp[i].ostart)
                continue;
            if (n > 0 && sp[i].ostart <= out->spans[n - 1].end) {
                out->spans[n - 1].end = sp[i].oend;
                continue;
            }
            out->spans[n].start = sp[i].ostart;
            out->spans[n].end = sp[i].oend;
            n++;
        }
        out->nspans = n;
        if (n == 0) {
            free(out->spans);
            out->spans = NULL;
        }
    }
    if (!b->p) {
        int rc = 0;
        buf_put(b, "", 0, &rc);
        if (rc)
            return -1;
    }
    out->text = b->p;
    out->len = b->len;
    b->p = NULL;
    return 0;
}

/* Byte where fragment f starts (opening punctuation included) and ends. */
static void frag_bytes(const scan *sc, const frag *f, size_t *fs, size_t *fe)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    size_t lo = f->s > 0 ? sc->toks[f->s - 1].end : 0;
    size_t hi = f->e + 1 < sc->ntoks ? sc->toks[f->e + 1].start : sc->len;
    size_t s = sc->toks[f->s].start, e = sc->toks[f->e].end;
    size_t plo = s > lo + 16 ? s - 16 : lo, phi = hi - e > 16 ? e + 16 : hi;

    /* punctuation glued to the words: a few characters at most */
    while (s > plo && p[s - 1] > 0x20 && p[s - 1] != 0x7F)
        s--;
    while (e < phi && p[e] > 0x20 && p[e] != 0x7F)
        e++;
    /* never split a UTF-8 sequence */
    while (s > lo && (p[s] & 0xC0) == 0x80)
        s--;
    while (e < hi && (p[e] & 0xC0) == 0x80)
        e++;
    *fs = s;
    *fe = e;
}

/* The opening of the text: about 'size' characters from its start. */
static int opening(const scan *sc, uint32_t size, cti_snippet *out)
{
    buf b = {0};
    int rc = 0;
    size_t chars = 0;

    if (sc->ntoks == 0 || sc->toks[0].cend > size) {
        /* no words, or a first word longer than the snippet */
        size_t stop = clean_copy(&b, sc->text, 0, sc->len, NULL, 0, &chars,
                                 size, &rc);
        if (!rc && has_visible(sc->text, stop, sc->len))
            buf_str(&b, " " ELLIPSIS, &rc);
    } else {
        uint32_t e = 0;
        const tok *tk = sc->toks;
        while (e + 1 < sc->ntoks && tk[e + 1].cend <= size)
            e++;
        if (e + 1 < sc->ntoks && !tk[e + 1].sent)
            for (uint32_t t = e; t > 0; t--) {
                if (tk[e].cend - tk[t].cend > size / 3)
                    break;
                if (tk[t + 1].sent) {
                    e = t;
                    break;
                }
            }
        frag f = {0, e};
        size_t fs, fe;
        frag_bytes(sc, &f, &fs, &fe);
        if (has_visible(sc->text, 0, tk[0].start) && fs > 0) {
            /* something before the first word (punctuation): keep it */
            fs = 0;
        }
        clean_copy(&b, sc->text, fs, fe, NULL, 0, &chars, 0, &rc);
        if (!rc && has_visible(sc->text, fe, sc->len))
            buf_str(&b, " " ELLIPSIS, &rc);
    }
    if (rc || finish(out, &b, NULL, 0)) {
        free(b.p);
        return -1;
    }
    return 0;
}

static void zero(cti_snippet *out)
{
    out->text = NULL;
    out->len = 0;
    out->spans = NULL;
    out->nspans = 0;
}

void cti_pairs_clear(pair_table *t)
{
    memset(t->row, 0, sizeof t->row);
    t->rows = 0;
    t->all = 0;
}

void cti_pairs_add(pair_table *t, const unsigned char *stem, size_t len)
{
    if (t->all)
        return;
    if (len == 0 || (!t->row[stem[0]] && t->rows == CTI_SCAN_PAIR_ROWS)) {
        t->all = 1;
        return;
    }
    if (!t->row[stem[0]]) {
        memset(t->bits[t->rows], 0, sizeof t->bits[0]);
        t->row[stem[0]] = (uint8_t)++t->rows;
    }
    uint8_t *b = t->bits[t->row[stem[0]] - 1];
    if (len == 1)
        memset(b, 0xFF, sizeof t->bits[0]);
    else
        b[stem[1] >> 3] |= (uint8_t)(1u << (stem[1] & 7));
}

/* The first two bytes of the stems of sc->refs, for cti_scan_stem(). */
void cti_scan_pairs(scan *sc)
{
    cti_pairs_clear(&sc->pairs);
    for (size_t i = 0; i < sc->nrefs && !sc->pairs.all; i++)
        cti_pairs_add(&sc->pairs, (const unsigned char *)sc->refs[i].stem,
                      sc->refs[i].len);
}

/* Analyze text with the spec's groups for body (title = 0) or title. */
static int run_scan(cti_analyzer *a, scan *sc, const cti_hl_spec *spec,
                    const char *text, size_t len, int title)
{
    memset(sc, 0, sizeof *sc);
    sc->text = text;
    sc->len = len;
    sc->prev_ws = 1;
    if (cti_scan_prepare(sc, spec, title))
        return -1;
    if (sc->nitems == 0 && !title && len > 0) {
        /* nothing to match: only the opening is needed, no stems */
        size_t part = len < 16384 ? len : 16384;
        if (cti_tokenize(text, part, 0, cti_scan_token, sc) && sc->oom)
            return -1;
        if (part < len && sc->ntoks > 0)
            sc->ntoks--;    /* the last token may be cut */
        return 0;
    }
    /* Only tokens that start like some query stem can match one: leave
       the others unstemmed (most of the text, and most of the cost in a
       short-lived process whose stem cache is cold). */
    if (a && !strcmp(cti_analyzer_language(a), "english")) {
        cti_scan_pairs(sc);
        sc->lazy = a;
        if (cti_tokenize(text, len, 0, cti_scan_token, sc) && sc->oom)
            return -1;
        return 0;
    }
    unsigned char firsts[256] = {0};
    for (size_t i = 0; i < sc->nrefs; i++)
        if (sc->refs[i].len > 0)
            firsts[(unsigned char)sc->refs[i].stem[0]] = 1;
    int filtered = a && cti_analyzer_set_stem_filter(a, firsts);
    int arc = cti_analyze(a, text, len, 0, cti_scan_token, sc);
    if (filtered)
        cti_analyzer_set_stem_filter(a, NULL);
    if (arc && sc->oom)
        return -1;
    return 0;
}

/*
 * Copy the fragments of ch->f into b, cleaned, joined by ellipses and
 * with an ellipsis where text was left out at either end, recording the
 * spans 'sp' (nsp, in text order) that fall inside them.  A word longer
 * than 'fsize' characters (garbage input) is cut.  Sets *rc on no memory.
 */
static void write_fragments(buf *b, const chooser *ch, span_map *sp, size_t nsp,
                            uint32_t fsize, int *rc)
{
    const scan *sc = ch->sc;
    size_t spi = 0;
    for (size_t i = 0; i < ch->nf; i++) {
        size_t fs, fe;
        frag_bytes(sc, &ch->f[i], &fs, &fe);
        if (i == 0 ? has_visible(sc->text, 0, fs) : 1)
            buf_str(b, i == 0 ? ELLIPSIS " " : " " ELLIPSIS " ", rc);
        while (spi < nsp && sp[spi].end <= fs)
            spi++;
        size_t k = spi;
        while (k < nsp && sp[k].start < fe)
            k++;
        size_t chars = 0, stop;
        stop = clean_copy(b, sc->text, fs, fe, sp + spi, k - spi, &chars,
                          (size_t)fsize * 2 + 64, rc);
        spi = k;
        if (i + 1 == ch->nf && has_visible(sc->text, stop, sc->len))
            buf_str(b, " " ELLIPSIS, rc);
    }
}

/* cti_snippet_build(); 'whole': always tokenize the whole body. */
static cti_status build(cti_analyzer *a, const cti_hl_spec *spec,
                        const char *body, size_t len,
                        const cti_snippet_opts *opts, cti_snippet *out,
                        int whole)
{
    scan sc;
    hits units = {0}, hl = {0};
    chooser ch;
    span_map *sp = NULL;
    size_t nsp = 0;
    buf b = {0};
    int rc = -1, brc = 0, sr = 0;
    unsigned nfrag = opts && opts->fragments ? opts->fragments : DEFAULT_FRAGMENTS;
    uint32_t size = opts && opts->size ? opts->size : DEFAULT_SIZE, fsize = size;

    zero(out);
    memset(&ch, 0, sizeof ch);
    if (!body)
        len = 0;
    if (nfrag > sizeof ch.f / sizeof ch.f[0])
        nfrag = sizeof ch.f / sizeof ch.f[0];
    if (!whole)
        sr = cti_sparse_scan(a, &sc, spec, body ? body : "", len, nfrag, size,
                         &units, &hl, &ch, &fsize);
    else
        memset(&sc, 0, sizeof sc);
    if (sr < 0)
        goto done;
    if (sr == 0) {
        cti_scan_free(&sc);
        cti_window_free(&ch);
        memset(&ch, 0, sizeof ch);
        units.n = hl.n = 0;
        if (run_scan(a, &sc, spec, body ? body : "", len, 0))
            goto done;
        if (cti_scan_hits(&sc, &units, &hl))
            goto done;
        if (units.n > 0) {
            if (cti_window_init(&ch, &sc, &units) != CTI_OK)
                goto done;
            fsize = cti_window_choose(&ch, nfrag, size);
        }
    }
    if (units.n == 0) {
        rc = opening(&sc, size, out);
        goto done;
    }
    sp = make_spans(&sc, hl.v, hl.n, ch.f, ch.nf, &nsp);
    if (hl.n && !sp)
        goto done;
    write_fragments(&b, &ch, sp, nsp, fsize, &brc);
    if (brc || finish(out, &b, sp, nsp))
        goto done;
    rc = 0;
done:
    if (rc) {
        free(out->spans);
        zero(out);
    }
    free(b.p);
    free(sp);
    cti_window_free(&ch);
    free(units.v);
    free(hl.v);
    cti_scan_free(&sc);
    return rc ? CTI_ENOMEM : CTI_OK;
}

cti_status cti_snippet_build(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *body, size_t len,
                             const cti_snippet_opts *opts, cti_snippet *out)
{
    return build(a, spec, body, len, opts, out, 0);
}

cti_status cti_snippet_build_whole(cti_analyzer *a, const cti_hl_spec *spec,
                                   const char *body, size_t len,
                                   const cti_snippet_opts *opts,
                                   cti_snippet *out)
{
    return build(a, spec, body, len, opts, out, 1);
}

cti_status cti_snippet_title(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *title, size_t len, cti_snippet *out)
{
    scan sc;
    hits units = {0}, hl = {0};
    span_map *sp = NULL;
    size_t nsp = 0, chars = 0;
    buf b = {0};
    int rc = -1, brc = 0;

    zero(out);
    if (!title)
        len = 0;
    if (run_scan(a, &sc, spec, title ? title : "", len, 1))
        goto done;
    if (cti_scan_hits(&sc, &units, &hl))
        goto done;
    if (hl.n) {
        frag all = {0, (uint32_t)sc.ntoks - 1};
        sp = make_spans(&sc, hl.v, hl.n, &all, 1, &nsp);
        if (!sp)
            goto done;
    }
    clean_copy(&b, sc.text, 0, sc.len, sp, nsp, &chars, 0, &brc);
    if (brc || finish(out, &b, sp, nsp))
        goto done;
    rc = 0;
done:
    if (rc) {
        free(out->spans);
        zero(out);
    }
    free(b.p);
    free(sp);
    free(units.v);
    free(hl.v);
    cti_scan_free(&sc);
    return rc ? CTI_ENOMEM : CTI_OK;
}

cti_status cti_snippet_spans(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *text, size_t len, int title,
                             cti_span **out, size_t *nout)
{
    scan sc;
    hits units = {0}, hl = {0};
    span_map *sp = NULL;
    size_t nsp = 0;
    int rc = -1;

    *out = NULL;
    *nout = 0;
    if (!text)
        len = 0;
    if (run_scan(a, &sc, spec, text ? text : "", len, title) ||
        cti_scan_hits(&sc, &units, &hl))
        goto done;
    rc = 0;
    if (hl.n) {
        frag all = {0, (uint32_t)sc.ntoks - 1};
        sp = make_spans(&sc, hl.v, hl.n, &all, 1, &nsp);
        cti_span *v = sp ? malloc(nsp * sizeof *v) : NULL;
        if (!v) {
            rc = -1;
            goto done;
        }
        for (size_t i = 0; i < nsp; i++) {
            v[i].start = sp[i].start;
            v[i].end = sp[i].end;
        }
        *out = v;
        *nout = nsp;
    }
done:
    free(sp);
    free(units.v);
    free(hl.v);
    cti_scan_free(&sc);
    return rc ? CTI_ENOMEM : CTI_OK;
}

/* Move the span mapping on to text offset 'at', 'olen' bytes written:
   the spans of sp[0..nsp) (sorted, not overlapping) that 'at' has reached
   open at olen in os, those whose end it has reached close there. */
static void map_spans(const cti_span *sp, size_t nsp, size_t at, size_t olen,
                      cti_span *os, size_t *opened, size_t *closed)
{
    while (*opened < nsp && sp[*opened].start <= at) {
        os[*opened].start = olen;
        os[(*opened)++].end = SIZE_MAX;
    }
    while (*closed < *opened && sp[*closed].end <= at)
        os[(*closed)++].end = olen;
}

/* One character of text at p[0..n) for a shown article: 'len' bytes
   read, 'out' written (at most 4).  Returns the bytes to write. */
static size_t line_char(const unsigned char *p, size_t n, size_t *len,
                        char *out)
{
    utf8proc_int32_t cp;
    if (p[0] == '\r') {
        *len = n > 1 && p[1] == '\n' ? 2 : 1;
        out[0] = '\n';
        return 1;
    }
    if (p[0] == '\n' || p[0] == '\f' || p[0] == '\v') {
        *len = 1;
        out[0] = '\n';
        return 1;
    }
    if (p[0] == 0x1B) {
        *len = cti_escape_seq_len((const char *)p, n);
        return 0;
    }
    if (p[0] < 0x80) {
        cp = p[0];
        *len = 1;
    } else {
        utf8proc_ssize_t r = utf8proc_iterate(p, (utf8proc_ssize_t)n, &cp);
        if (r < 0) {
            *len = 1;
            memcpy(out, "\xEF\xBF\xBD", 3);
            return 3;
        }
        *len = (size_t)r;
    }
    if (cp == 0x2028 || cp == 0x2029) {
        out[0] = '\n';
        return 1;
    }
    switch (classify(cp)) {
    case CH_SPACE:
        out[0] = ' ';
        return 1;
    case CH_DROP:
        return 0;
    default:
        memcpy(out, p, *len);
        return *len;
    }
}

cti_status cti_snippet_clean_lines(const char *text, size_t len,
                                   const cti_span *spans, size_t nspans,
                                   cti_snippet *out)
{
    const unsigned char *p = (const unsigned char *)text;
    buf b = {0};
    cti_span *os = NULL;
    size_t opened = 0, closed = 0, i = 0;
    int rc = 0;

    zero(out);
    if (nspans && !(os = malloc(nspans * sizeof *os)))
        rc = -1;
    buf_put(&b, "", 0, &rc);
    while (!rc && i < len) {
        char c[4];
        size_t n, w;
        map_spans(spans, nspans, i, b.len, os, &opened, &closed);
        if (p[i] >= 0x20 && p[i] < 0x7F) {
            /* Printable ASCII is copied as it is, up to a span's edge. */
            size_t j = i + 1, lim = len;
            if (opened < nspans && spans[opened].start < lim)
                lim = spans[opened].start;
            if (closed < opened && spans[closed].end < lim)
                lim = spans[closed].end;
            while (j < lim && p[j] >= 0x20 && p[j] < 0x7F)
                j++;
            buf_put(&b, p + i, j - i, &rc);
            i = j;
            continue;
        }
        w = line_char(p + i, len - i, &n, c);
        buf_put(&b, c, w, &rc);
        i += n;
    }
    if (!rc)
        map_spans(spans, nspans, SIZE_MAX, b.len, os, &opened, &closed);
    size_t k = 0;
    for (size_t j = 0; !rc && j < opened; j++) {
        if (os[j].end == SIZE_MAX || os[j].end <= os[j].start)
            continue;
        if (k && os[j].start <= os[k - 1].end)
            os[k - 1].end = os[j].end;
        else
            os[k++] = os[j];
    }
    if (rc) {
        free(os);
        free(b.p);
        return CTI_ENOMEM;
    }
    out->text = b.p;
    out->len = b.len;
    out->spans = k ? os : NULL;
    out->nspans = k;
    if (!k)
        free(os);
    return CTI_OK;
}

void cti_snippet_release(cti_snippet *s)
{
    if (!s)
        return;
    free(s->text);
    free(s->spans);
    zero(s);
}

/* ---------------------------------------------------------- rendering */

static void put_escaped(buf *b, const char *s, size_t n, int html, int *rc)
{
    if (!html) {
        buf_put(b, s, n, rc);
        return;
    }
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (!rep)
            continue;
        buf_put(b, s + run, i - run, rc);
        buf_str(b, rep, rc);
        run = i + 1;
    }
    buf_put(b, s + run, n - run, rc);
}

char *cti_snippet_render(const cti_snippet *s, cti_hl_style style,
                         const char *open, const char *close)
{
    buf b = {0};
    int rc = 0, html = style == CTI_HL_STYLE_HTML;
    const char *on = "", *off = "";
    size_t at = 0;

    switch (style) {
    case CTI_HL_STYLE_ANSI:
        on = "\033[1;31m";
        off = "\033[0m";
        break;
    case CTI_HL_STYLE_MARKERS:
        on = open ? open : "[";
        off = close ? close : "]";
        break;
    case CTI_HL_STYLE_HTML:
        on = "<mark>";
        off = "</mark>";
        break;
    default:
        break;
    }
    buf_put(&b, "", 0, &rc);
    if (s && s->text) {
        for (size_t i = 0; i < s->nspans; i++) {
            const cti_span *sp = &s->spans[i];
            if (sp->start < at || sp->end > s->len || sp->end <= sp->start)
                continue;
            put_escaped(&b, s->text + at, sp->start - at, html, &rc);
            buf_str(&b, on, &rc);
            put_escaped(&b, s->text + sp->start, sp->end - sp->start, html, &rc);
            buf_str(&b, off, &rc);
            at = sp->end;
        }
        put_escaped(&b, s->text + at, s->len - at, html, &rc);
    }
    if (rc) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
