/*
 * cti_snippet_sparse.c - the sparse scan: tokenize only the text around
 * the places where a query's items may start.
 *
 * On a long article most of the text lies far from every match, and
 * tokenizing it is most of what a snippet costs.  The sparse scan
 * (English, where cti_scan_stem() tells which tokens may match) finds where
 * a query item may start with a byte scan, checks each such place by
 * tokenizing the chunk of text between the spaces around it, and then
 * tokenizes only stretches around the places found: back to the start of
 * the sentence (the chooser asks whether a window starts near one; when
 * none starts near, the characters its test reaches), enough tokens after
 * for its phrases and NEAR sets.  The chooser runs on those tokens; every
 * window it lays out must have enough text tokenized on both sides too,
 * else the stretch around it is added and the choice made again.
 *
 * The result is that of the scan of the whole text: a stretch starts
 * after and ends before ASCII whitespace, where no token and no look-ahead
 * of the analyzer crosses, so it yields the whole text's tokens there.
 * The characters of the text skipped between two stretches are counted
 * as the scan counts them, as far as the chooser compares positions, so
 * units of two stretches weigh in one window as they do in the whole
 * text.  Tokens of different stretches are farther apart than a NEAR set;
 * the first token of a stretch, whose sentence flag may be wrong, lies
 * beyond what the chooser looks at, and its matches are dropped.  When
 * the places cover much of the text, the whole of it is tokenized
 * instead.
 *
 * It runs on news stories of 2 to 5 KB too, where it halves what a
 * snippet costs, since the whole-text scan walks every token while the
 * byte scan skips text no query word can start in; a text shorter than
 * four stretches of context is tokenized whole from the start.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "cti_snippet_int.h"

/* A place to tokenize with context around it. */
typedef struct need {
    size_t start, end;      /* bytes of the place */
    uint32_t before, after; /* characters of context wanted each side */
    uint32_t tokens;        /* and at least this many tokens each side */
    unsigned shift;         /* the byte margins were doubled this often */
    /* An item's start: not 0 when a sentence start between it and the
       characters wanted before serves as well; then the bytes to take
       before it, to the word ending the sentence before (lead_bytes()) */
    size_t lead;
} need;

/* A stretch of text tokenized: bytes [from, to) and its tokens. */
typedef struct region {
    size_t from, to;
    uint32_t first, n;      /* tokens first .. first + n - 1 */
    uint32_t cpos;          /* characters before it */
    size_t m0, nm;          /* its matches: sc->mtok[m0 .. m0 + nm) */
    char prev[8];           /* the scan's previous-token state at its end */
    size_t prevlen;
} region;

typedef struct sparse {
    need *needs;
    size_t nneeds, cneeds;
    region *regs;
    size_t nregs, cregs;
    /* the previous round's stretches and what they gave, for reuse */
    region *oregs;
    size_t onregs, ocregs;
    tok *otoks;
    size_t octoks;
    uint32_t *omtok, *omref;
    size_t ocm;
    uint32_t tokens;        /* tokens wanted around an item's start */
    uint32_t before, after; /* characters wanted around a window */
    uint32_t phrase;        /* most stems of a phrase not in a NEAR set */
    int oom;
    struct check_ctx *check; /* room for check_chunk() */
} sparse;

/* Bytes at which the text may start its items: a candidate's first
   byte (ASCII folded), then its second (see cti_scan_stem()). */
typedef struct anchors {
    uint8_t first[256];     /* 1: an item may start with this byte */
    uint8_t single[256];    /* 1: a token of this one character may */
    pair_table pairs;       /* the first two bytes of the items' stems */
} anchors;

/* Give up on the sparse scan (tokenize the whole text) past these. */
#define SPARSE_MAX_CHUNK 4096   /* bytes between two spaces */
#define SPARSE_MAX_TOKENS 4096  /* tokens wanted around an item */
#define SPARSE_ROUNDS 8         /* choices made again */

static int is_space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static int is_alnum_byte(unsigned char c)
{
    return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

/* The characters to tokenize before and after a window of fragments of
   'size' characters, for the fragment's layout (cti_snippet_window.c):
   its start moves back to a sentence start at most an eighth of the size
   beyond the size, its end forward by the size. */
static uint32_t context_before(uint32_t size)
{
    return size + size / 8 + 8;
}

static uint32_t context_after(uint32_t size)
{
    return size + 8;
}

static int push_need(sparse *sp, size_t start, size_t end, uint32_t before,
                     uint32_t after, uint32_t tokens)
{
    if (cti_scan_grow((void **)&sp->needs, &sp->cneeds, sp->nneeds, sizeof *sp->needs)) {
        sp->oom = 1;
        return -1;
    }
    need *n = &sp->needs[sp->nneeds++];
    n->start = start;
    n->end = end;
    n->before = before;
    n->after = after;
    n->tokens = tokens;
    n->shift = 0;
    n->lead = 0;
    return 0;
}

/* The bytes that may end a sentence: for lead_bytes(), which looks
   closer at each one. */
static const unsigned char mark_byte[256] = {
    ['\n'] = 1, ['.'] = 1, ['!'] = 1, ['?'] = 1,
    [0x81] = 1, [0x82] = 1, [0x9F] = 1,
};

/*
 * The bytes before an item's start at byte s to tokenize for its
 * sentence: back to the start of the word that holds the latest mark
 * before s that may end a sentence (a full stop, question or exclamation
 * mark before a space or a closing quote, a line break, an ideographic or
 * fullwidth stop: what the scan's gap test looks for), within the bytes
 * of the full context; 0 when there is none.  A guess: need_met() checks
 * that a sentence starts there.
 */
static size_t lead_bytes(const scan *sc, const sparse *sp, size_t s)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    size_t lim = (size_t)sp->before + 8 * (size_t)sp->tokens + 16;
    size_t low = s > lim ? s - lim : 0, i = s, j;
    for (;;) {
        do {
            if (i <= low)
                return 0;
        } while (!mark_byte[p[--i]]);
        unsigned char c = p[i], d = i + 1 < s ? p[i + 1] : ' ';
        if (c == '\n' ||
            ((c == '.' || c == '!' || c == '?') &&
             (is_space_byte(d) || d == '"' || d == '\'' || d == ')' || d >= 0x80)) ||
            (i >= 2 && c == 0x82 && p[i - 1] == 0x80 && p[i - 2] == 0xE3) ||
            (i >= 2 && (c == 0x81 || c == 0x9F) && p[i - 1] == 0xBC && p[i - 2] == 0xEF))
            break;
    }
    /* the word before a line break; then the start of the word */
    for (j = i; j > low && is_space_byte(p[j]); j--)
        ;
    while (j > low && !is_space_byte(p[j - 1]))
        j--;
    return s - j;
}

/* A need for the item starting at bytes [start, end). */
static int push_start(const scan *sc, sparse *sp, size_t start, size_t end)
{
    if (push_need(sp, start, end, sp->before, 0, sp->tokens))
        return -1;
    sp->needs[sp->nneeds - 1].lead = lead_bytes(sc, sp, start);
    return 0;
}

/* The first stems of the items (refs with k == 0) as anchor tables. */
static void anchor_tables(const scan *sc, anchors *an)
{
    memset(an->first, 0, sizeof an->first);
    memset(an->single, 0, sizeof an->single);
    cti_pairs_clear(&an->pairs);
    for (size_t i = 0; i < sc->nrefs; i++) {
        const ref *r = &sc->refs[i];
        const unsigned char *st = (const unsigned char *)r->stem;
        if (r->k != 0)
            continue;
        if (r->len == 0) {
            memset(an->first, 1, sizeof an->first);
            memset(an->single, 1, sizeof an->single);
        } else {
            an->first[st[0]] = 1;
            an->single[st[0]] |= r->len == 1;
        }
        cti_pairs_add(&an->pairs, st, r->len);
    }
}

/* The first ref whose stem is exactly 'stem' (the others with it follow
   by 'next'), or -1. */
static int32_t exact_ref(const scan *sc, const char *stem, size_t n)
{
    size_t h = cti_scan_hash(stem, n) & sc->tmask;
    for (;;) {
        int32_t e = sc->table[h];
        if (e < 0 ||
            (sc->refs[e].len == n && memcmp(sc->refs[e].stem, stem, n) == 0))
            return e;
        h = (h + 1) & sc->tmask;
    }
}

/* 1 if 'stem' starts an item: equals the first stem of one, or starts
   with it for a prefix item. */
static int is_anchor(const scan *sc, const char *stem, size_t n)
{
    for (int32_t e = exact_ref(sc, stem, n); e >= 0; e = sc->refs[e].next)
        if (sc->refs[e].k == 0)
            return 1;
    for (size_t i = 0; i < sc->nprefixes; i++) {
        const ref *r = &sc->refs[sc->prefixes[i]];
        if (r->k == 0 && r->len <= n && memcmp(r->stem, stem, r->len) == 0)
            return 1;
    }
    return 0;
}

/* The refs (bit r: sc->refs[r]) that a token with this stem matches. */
static uint64_t stem_refs(const scan *sc, const char *stem, size_t n)
{
    uint64_t m = 0;
    for (int32_t e = exact_ref(sc, stem, n); e >= 0; e = sc->refs[e].next)
        m |= 1ull << e;
    for (size_t i = 0; i < sc->nprefixes; i++) {
        const ref *r = &sc->refs[sc->prefixes[i]];
        if (r->len <= n && memcmp(r->stem, stem, r->len) == 0)
            m |= 1ull << sc->prefixes[i];
    }
    return m;
}

/* A token of a checked stretch and the refs it matches. */
typedef struct ctoken {
    size_t start, end;
    uint64_t refs;
} ctoken;

typedef struct check_ctx {
    scan *sc;
    sparse *sp;
    size_t base;
    ctoken t[64];
    size_t n;
    int full;           /* more tokens than t holds */
    int direct;         /* a need for every token with an item's first stem */
} check_ctx;

/* A token of a checked stretch: kept with its refs, or, when the refs
   are too many for a mask, a need around it if it starts an item. */
static int on_check(void *ctx, const cti_token *t)
{
    check_ctx *c = ctx;
    const char *stem;
    size_t stemlen;
    uint64_t refs = 0;
    int ok = cti_scan_stem(c->sc, t, &stem, &stemlen);
    if (c->direct) {
        if (ok && is_anchor(c->sc, stem, stemlen))
            return push_start(c->sc, c->sp, c->base + t->start, c->base + t->end);
        return 0;
    }
    if (ok)
        refs = stem_refs(c->sc, stem, stemlen);
    if (c->n == sizeof c->t / sizeof c->t[0]) {
        c->full = 1;
        return 1;   /* enough: the rest is checked on its own */
    }
    c->t[c->n].start = c->base + t->start;
    c->t[c->n].end = c->base + t->end;
    c->t[c->n++].refs = refs;
    return 0;
}

/*
 * 1 if token j of c starts an item: its first stem is there, and, for a
 * phrase, its other stems in the tokens after; a phrase whose tokens run
 * past those of c counts unless c reached the end of the text.  A word
 * of a NEAR set counts without looking further (its partners may be on
 * either side).
 */
static int starts_item(const check_ctx *c, size_t j, int at_end)
{
    const scan *sc = c->sc;
    for (uint64_t m = c->t[j].refs; m; m &= m - 1) {
        const ref *r = &sc->refs[__builtin_ctzll(m)];
        if (r->k != 0)
            continue;
        const item *it = &sc->items[r->item];
        const cti_hl_group *grp = &sc->spec->groups[it->group];
        if (it->nstems == 1 || (grp->kind == CTI_HL_NEAR && grp->nitems > 1))
            return 1;
        uint32_t k = 1;
        for (; k < it->nstems && j + k < c->n; k++)
            if (!(c->t[j + k].refs >> (it->ref0 + k) & 1))
                break;
        if (k == it->nstems || (j + k == c->n && (c->full || !at_end)))
            return 1;
    }
    return 0;
}

/* 1 if an ASCII word starting at p[i] (a letter or digit after none)
   may start an item, by its first two bytes. */
static int ascii_candidate(const anchors *an, const unsigned char *p,
                           size_t i, size_t len)
{
    unsigned char l0 = p[i] | 0x20, c1;
    if (!an->first[l0])
        return 0;
    c1 = i + 1 < len ? p[i + 1] : ' ';
    if (is_alnum_byte(c1)) {
        unsigned char l1 = c1 | 0x20;
        return cti_pairs_may(&an->pairs, l0, l1);
    }
    if (c1 == '\'' || c1 == '.' || c1 == ',' || c1 >= 0x80)
        return 1;   /* the word may go on: do not guess */
    return an->single[l0];
}

/*
 * Check the chunk of text holding byte i, between the ASCII whitespace
 * around it: a need for each token that starts an item.  Phrases are
 * followed into the next chunks (as many as they have words more).
 * Returns the end of the chunk, or 0 when it is too long (or no memory:
 * sp->oom).
 */
static size_t check_chunk(scan *sc, sparse *sp, size_t i)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    size_t s = i, e = i, x;
    check_ctx *c = sp->check;
    while (s > 0 && !is_space_byte(p[s - 1]) && i - s < SPARSE_MAX_CHUNK)
        s--;
    while (e < sc->len && !is_space_byte(p[e]) && e - s < SPARSE_MAX_CHUNK)
        e++;
    if ((s > 0 && !is_space_byte(p[s - 1])) ||
        (e < sc->len && !is_space_byte(p[e])))
        return 0;
    /* the chunks after it, for the phrases */
    x = e;
    for (uint32_t k = 1; k < sp->phrase; k++) {
        size_t y = x;
        while (y < sc->len && is_space_byte(p[y]) && y - x < SPARSE_MAX_CHUNK)
            y++;
        while (y < sc->len && !is_space_byte(p[y]) && y - x < SPARSE_MAX_CHUNK)
            y++;
        if (y < sc->len && !is_space_byte(p[y]))
            break;
        x = y;
    }
    c->sc = sc;
    c->sp = sp;
    c->base = s;
    c->n = 0;
    c->full = 0;
    c->direct = sc->nrefs > 64;
    cti_tokenize(sc->text + s, (c->direct ? e : x) - s, 0, on_check, c);
    if (c->full && !sp->oom) {
        /* too many tokens to follow the phrases: every first stem */
        c->direct = 1;
        cti_tokenize(sc->text + s, e - s, 0, on_check, c);
    }
    for (size_t j = 0; !c->direct && j < c->n && !sp->oom && c->t[j].start < e; j++)
        if (starts_item(c, j, x == sc->len) &&
            push_start(sc, sp, c->t[j].start, c->t[j].end))
            return 0;
    return sp->oom ? 0 : e;
}

/* 1 if the character at p[i] (a lead byte) is a letter or digit. */
static int starts_word(const unsigned char *p, size_t i, size_t len, size_t *n)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t r = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
    if (r <= 0) {
        *n = 1;
        return 0;
    }
    *n = (size_t)r;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* The bytes of the text that may start an item's word. */
typedef struct looker {
    const anchors *an;
    unsigned char firsts[8];    /* folded first bytes, when few */
    int nfirsts;                /* -1: too many to test them in blocks */
    unsigned char pf[12], ps[12]; /* folded first and second bytes */
    int npairs;                 /* -1: too many, or any second byte */
} looker;

/* Fill the first bytes and pairs of lk that the block scan tests, when
   there are few of them. */
static void looker_init(looker *lk, const anchors *an)
{
    memset(lk, 0, sizeof *lk);
    lk->an = an;
    for (int c = 0; c < 128; c++) {
        if (!an->first[c] || !is_alnum_byte((unsigned char)c))
            continue;
        if (lk->nfirsts < 0 || lk->nfirsts == (int)sizeof lk->firsts) {
            lk->nfirsts = lk->npairs = -1;
            return;
        }
        lk->firsts[lk->nfirsts++] = (unsigned char)c;
        for (int b = 0; b < 128 && lk->npairs >= 0 && !an->single[c]; b++) {
            if (!is_alnum_byte((unsigned char)b) || (b >= 'A' && b <= 'Z') ||
                !cti_pairs_may(&an->pairs, (unsigned char)c, (unsigned char)b))
                continue;
            if (lk->npairs == (int)sizeof lk->pf) {
                lk->npairs = -1;
                break;
            }
            lk->pf[lk->npairs] = (unsigned char)c;
            lk->ps[lk->npairs++] = (unsigned char)b;
        }
        if (an->single[c])
            lk->npairs = -1;    /* any second byte: test first bytes only */
    }
}

/* 1 if the character starting at p[i] (a word's first, or a non-ASCII
   lead byte) may start an item; *n: its length. */
static int candidate_at(const looker *lk, const unsigned char *p, size_t i,
                        size_t len, size_t *n)
{
    *n = 1;
    if (p[i] < 0x80)
        return ascii_candidate(lk->an, p, i, len);
    return starts_word(p, i, len, n);
}

/* Check the place at p[s] when it may start an item and is not in a
   chunk checked already (*done: the end of the last one).  Returns 0, or
   -1 when the sparse scan does not pay or on no memory. */
static int check_place(scan *sc, sparse *sp, const looker *lk, size_t s,
                       size_t *done, size_t *ncand)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    size_t n;
    if (s < *done || !candidate_at(lk, p, s, sc->len, &n))
        return 0;
    if (++*ncand > 64 && *ncand * 32 > sc->len)
        return -1;
    *done = check_chunk(sc, sp, s);
    return *done ? 0 : -1;
}

/* The places of p[from, to) byte by byte: words' first bytes, non-ASCII
   lead bytes.  Returns 0, or -1 as check_place(). */
static int scan_bytes(scan *sc, sparse *sp, const looker *lk, size_t from,
                      size_t to, size_t *done, size_t *ncand)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    for (size_t i = from; i < to; i++) {
        if (p[i] < 0x80 ? !is_alnum_byte(p[i]) || (i > 0 && is_alnum_byte(p[i - 1]))
                        : p[i] < 0xC0)
            continue;
        if (check_place(sc, sp, lk, i, done, ncand))
            return -1;
    }
    return 0;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Sixteen bytes at a time (GCC and Clang vectors: SSE2, NEON, or plain
   code where there are none). */
typedef unsigned char v16 __attribute__((vector_size(16)));

static v16 load16(const unsigned char *p)
{
    v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* 0xFF for each byte of v that is an ASCII letter or digit, else 0. */
static v16 alnum16(v16 v)
{
    v16 l = v | 0x20;
    return (v16)((l >= 'a') & (l <= 'z')) | (v16)((v >= '0') & (v <= '9'));
}

/* 1 if some byte of v is not zero. */
static int any16(v16 v)
{
    uint64_t h[2];
    memcpy(h, &v, sizeof h);
    return (h[0] | h[1]) != 0;
}

/*
 * 0xFF for each byte of p[i, i + 16) (1 <= i, i + 17 <= len) that starts
 * a word that may start an item by its first two bytes, or whose second
 * byte may go on the word (see ascii_candidate()); and for each non-ASCII
 * lead byte.  Most blocks have none of the pairs: the test whether the
 * byte before starts a word is made only when some byte is wanted.
 */
/* The bytes of a looker, each repeated sixteen times. */
typedef struct vlooker {
    v16 pf[12], ps[12], firsts[8];
} vlooker;

/* Fill vl from lk. */
static void vlooker_init(vlooker *vl, const looker *lk)
{
    for (int k = 0; k < lk->npairs; k++) {
        vl->pf[k] = (v16){0} + lk->pf[k];
        vl->ps[k] = (v16){0} + lk->ps[k];
    }
    for (int k = 0; k < lk->nfirsts; k++)
        vl->firsts[k] = (v16){0} + lk->firsts[k];
}

static v16 places16(const looker *lk, const vlooker *vl, const unsigned char *p,
                    size_t i)
{
    v16 v = load16(p + i), vn = load16(p + i + 1);
    v16 l = v | 0x20, ln = vn | 0x20, want = (v16){0}, f = (v16){0};
    v16 lead = (v16)(v >= 0xC0);
    if (lk->npairs >= 0) {
        for (int k = 0; k < lk->npairs; k++)
            want |= (v16)(l == vl->pf[k]) & (v16)(ln == vl->ps[k]);
        for (int k = 0; k < lk->nfirsts; k++)
            f |= (v16)(l == vl->firsts[k]);
        /* no pairs with one-character items: a word whose second byte is
           no letter or digit matters only if that byte may go on */
        want |= f & ((v16)(vn == '\'') | (v16)(vn == '.') | (v16)(vn == ',') |
                     (v16)(vn >= 0x80));
    } else if (lk->nfirsts >= 0) {
        for (int k = 0; k < lk->nfirsts; k++)
            want |= (v16)(l == vl->firsts[k]);
    } else {
        want = ~want;
    }
    if (!any16(want))
        return lead;
    return (alnum16(v) & ~alnum16(load16(p + i - 1)) & want) | lead;
}

/* The places of p[1, end) sixteen bytes at a time, for find_anchors();
   returns end (where the bytes left start), or 0 as a failure. */
static size_t scan_blocks(scan *sc, sparse *sp, const looker *lk,
                          size_t *done, size_t *ncand)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    size_t i = 1;
    vlooker vl;

    vlooker_init(&vl, lk);
    for (; i + 17 <= sc->len; i += 16) {
        uint64_t h[2];
        v16 m = places16(lk, &vl, p, i);
        memcpy(h, &m, sizeof h);
        for (int half = 0; half < 2; half++)
            for (uint64_t b = h[half] & 0x8080808080808080ull; b; b &= b - 1)
                if (check_place(sc, sp, lk, i + 8 * (size_t)half +
                                (size_t)(__builtin_ctzll(b) >> 3), done, ncand))
                    return 0;
    }
    return i;
}
#endif

/*
 * The byte scan: every word that may start an item (see ascii_candidate(),
 * and any word starting with a non-ASCII letter or digit) has its chunk
 * checked, in text order.  Returns 0, or -1 when the sparse scan does not
 * pay (too many candidates, a chunk too long) or on no memory.
 */
static int find_anchors(scan *sc, sparse *sp, const anchors *an)
{
    size_t i = 0, done = 0, ncand = 0;
    looker lk;

    looker_init(&lk, an);
#ifdef __GNUC__
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (sc->len >= 17) {
        if (scan_bytes(sc, sp, &lk, 0, 1, &done, &ncand))
            return -1;
        i = scan_blocks(sc, sp, &lk, &done, &ncand);
        if (i == 0)
            return -1;
    }
#endif
#endif
    return scan_bytes(sc, sp, &lk, i, sc->len, &done, &ncand);
}

static int region_cmp(const void *x, const void *y)
{
    const region *a = x, *b = y;
    return a->from < b->from ? -1 : a->from > b->from;
}

/* The bytes to tokenize for need n: [*from, *to), bounded by ASCII
   whitespace.  Returns -1 when no whitespace is near enough. */
static int need_bytes(const scan *sc, const need *n, size_t *from, size_t *to)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    size_t mt = 8 * (size_t)n->tokens + 16;
    size_t mb = n->lead ? (n->lead > mt ? n->lead : mt)
                        : ((size_t)n->before + mt) << n->shift;
    size_t ma = ((size_t)n->after + mt) << n->shift;
    size_t f = n->start > mb ? n->start - mb : 0;
    size_t t = sc->len - n->end > ma ? n->end + ma : sc->len;
    size_t f0 = f, t0 = t;
    while (f > 0 && !is_space_byte(p[f - 1]) && f0 - f < SPARSE_MAX_CHUNK)
        f--;
    while (t < sc->len && !is_space_byte(p[t]) && t - t0 < SPARSE_MAX_CHUNK)
        t++;
    *from = f;
    *to = t;
    return (f > 0 && !is_space_byte(p[f - 1])) ||
           (t < sc->len && !is_space_byte(p[t])) ? -1 : 0;
}

/*
 * The stretches to tokenize for all needs, merged where they overlap or
 * touch.  Returns the bytes they cover, or SIZE_MAX when a stretch could
 * not be bounded or on no memory (sp->oom).
 */
static size_t plan_regions(const scan *sc, sparse *sp)
{
    size_t covered = 0, m = 0;
    sp->nregs = 0;
    for (size_t i = 0; i < sp->nneeds; i++) {
        region r = {0};
        if (need_bytes(sc, &sp->needs[i], &r.from, &r.to))
            return SIZE_MAX;
        if (cti_scan_grow((void **)&sp->regs, &sp->cregs, sp->nregs, sizeof *sp->regs)) {
            sp->oom = 1;
            return SIZE_MAX;
        }
        sp->regs[sp->nregs++] = r;
    }
    if (sp->nregs > 1)
        qsort(sp->regs, sp->nregs, sizeof *sp->regs, region_cmp);
    for (size_t i = 0; i < sp->nregs; i++) {
        if (m > 0 && sp->regs[i].from <= sp->regs[m - 1].to) {
            if (sp->regs[i].to > sp->regs[m - 1].to)
                sp->regs[m - 1].to = sp->regs[i].to;
            continue;
        }
        sp->regs[m++] = sp->regs[i];
    }
    sp->nregs = m;
    for (size_t i = 0; i < m; i++)
        covered += sp->regs[i].to - sp->regs[i].from;
    return covered;
}

/* Make room for n more elements in an array of 'used' elements. */
static int reserve(void **arr, size_t *cap, size_t used, size_t n, size_t size)
{
    while (used + n > *cap)
        if (cti_scan_grow(arr, cap, *cap, size))
            return -1;
    return 0;
}

/* Copy the tokens of old stretch o (of the previous round) from its
   token k on, with their matches, to the end of sc's tokens, their
   characters moved by dc; sc then stands after them.  Returns 0, or -1
   on no memory. */
static int copy_tokens(scan *sc, const sparse *sp, const region *o, uint32_t k,
                       uint32_t dc)
{
    uint32_t n = o->first + o->n - k, shift = (uint32_t)sc->ntoks - k;
    size_t m0 = o->m0, m1 = o->m0 + o->nm, c = sc->cm;
    while (m0 < m1 && sp->omtok[m0] < k)
        m0++;
    if (reserve((void **)&sc->toks, &sc->ctoks, sc->ntoks, n, sizeof *sc->toks) ||
        reserve((void **)&sc->mtok, &c, sc->nm, m1 - m0, sizeof *sc->mtok))
        return -1;
    c = sc->cm;
    if (reserve((void **)&sc->mref, &c, sc->nm, m1 - m0, sizeof *sc->mref))
        return -1;
    sc->cm = c;
    for (uint32_t t = k; t < k + n; t++) {
        tok x = sp->otoks[t];
        x.cstart += dc;
        x.cend += dc;
        sc->toks[sc->ntoks++] = x;
    }
    for (size_t m = m0; m < m1; m++) {
        sc->mtok[sc->nm] = sp->omtok[m] + shift;
        sc->mref[sc->nm++] = sp->omref[m];
    }
    if (n > 0) {
        sc->lastend = sc->toks[sc->ntoks - 1].end;
        sc->cpos = sc->toks[sc->ntoks - 1].cend;
        sc->prev_ws = 0;
        memcpy(sc->prev, o->prev, sizeof sc->prev);
        sc->prevlen = o->prevlen;
    }
    return 0;
}

/* Tokenize text[from, to) into sc, after what sc holds.  Returns 0, or
   -1 on no memory. */
static int tokenize_piece(scan *sc, size_t from, size_t to)
{
    sc->base = from;
    return (cti_tokenize(sc->text + from, to - from, 0, cti_scan_token, sc) &&
            sc->oom) ? -1 : 0;
}

/*
 * Tokenize stretch r into sc, taking the tokens of the previous round's
 * stretches that lie in it (from *o on) as they are: all but those of
 * the first chunk of each (between spaces), which is tokenized again
 * after the text before it, on which its first token's sentence flag and
 * matches depend.  A stretch grows from round to round, so most of its
 * tokens are tokenized once.  Returns 0, or -1 on no memory.
 */
static int tokenize_grown(scan *sc, const sparse *sp, const region *r, size_t *o)
{
    const unsigned char *p = (const unsigned char *)sc->text;
    size_t pos = r->from;
    for (; *o < sp->onregs && sp->oregs[*o].to <= r->to; (*o)++) {
        const region *old = &sp->oregs[*o];
        uint32_t end = old->first + old->n, k = old->first;
        size_t e1;
        if (old->from < pos || old->n < 2)
            continue;
        for (e1 = sp->otoks[k].start; e1 < old->to && !is_space_byte(p[e1]); e1++)
            ;
        while (k < end && sp->otoks[k].start < e1)
            k++;
        if (k == end)
            continue;
        if (tokenize_piece(sc, pos, e1))
            return -1;
        pos = e1;
        /* the chunk ends with the token before k, here as there */
        if (sc->ntoks == 0 || sc->toks[sc->ntoks - 1].start != sp->otoks[k - 1].start)
            continue;
        if (copy_tokens(sc, sp, old, k, sc->toks[sc->ntoks - 1].cend - sp->otoks[k - 1].cend))
            return -1;
        pos = old->to;
    }
    return tokenize_piece(sc, pos, r->to);
}

/* Keep the tokens and matches of sc as the previous round's. */
static void keep_round(scan *sc, sparse *sp)
{
    tok *t = sp->otoks;
    uint32_t *mt = sp->omtok, *mr = sp->omref;
    size_t ct = sp->octoks, cm = sp->ocm;
    region *rg = sp->oregs;
    size_t crg = sp->ocregs;

    sp->otoks = sc->toks;
    sp->octoks = sc->ctoks;
    sp->omtok = sc->mtok;
    sp->omref = sc->mref;
    sp->ocm = sc->cm;
    sc->toks = t;
    sc->ctoks = ct;
    sc->mtok = mt;
    sc->mref = mr;
    sc->cm = cm;
    sp->oregs = sp->regs;
    sp->onregs = sp->nregs;
    sp->ocregs = sp->cregs;
    sp->regs = rg;
    sp->cregs = crg;
    sp->nregs = 0;
}

/*
 * Forget the matches of the first token of stretch r when text before it
 * was skipped: they would join the last tokens of the stretch before into
 * a phrase that is not in the text.  No unit of an item's start has them:
 * need_met() wants tokens before it.
 */
static void drop_first_matches(scan *sc, const region *r)
{
    size_t k = r->m0;
    if (r->from == 0)
        return;
    while (k < sc->nm && sc->mtok[k] == r->first)
        k++;
    if (k == r->m0)
        return;
    memmove(sc->mtok + r->m0, sc->mtok + k, (sc->nm - k) * sizeof *sc->mtok);
    memmove(sc->mref + r->m0, sc->mref + k, (sc->nm - k) * sizeof *sc->mref);
    sc->nm -= k - r->m0;
}

/* Tokenize the stretches of sp into sc, anew, or copy those of the
   previous round that are the same. */
static int tokenize_regions(scan *sc, sparse *sp)
{
    size_t o = 0;
    sc->ntoks = 0;
    sc->nm = 0;
    sc->lastend = 0;
    sc->cpos = 0;
    sc->prevlen = 0;
    sc->prev_ws = 1;
    for (size_t i = 0; i < sp->nregs; i++) {
        region *r = &sp->regs[i];
        /* the characters skipped, counted as far as the chooser compares
           positions: units of two stretches may share a window */
        if (r->from > sc->lastend)
            cti_scan_skip(sc, r->from, sp->before);
        sc->prev_ws = 1;    /* after whitespace, or at the start */
        r->first = (uint32_t)sc->ntoks;
        r->cpos = sc->cpos;
        r->m0 = sc->nm;
        while (o < sp->onregs && sp->oregs[o].from < r->from)
            o++;
        if (o < sp->onregs && sp->oregs[o].from == r->from &&
            sp->oregs[o].to == r->to) {
            const region *old = &sp->oregs[o];
            if (copy_tokens(sc, sp, old, old->first, r->cpos - old->cpos)) {
                sc->oom = 1;
                return -1;
            }
        } else {
            if (tokenize_grown(sc, sp, r, &o)) {
                sc->oom = 1;
                return -1;
            }
            drop_first_matches(sc, r);
        }
        r->n = (uint32_t)(sc->ntoks - r->first);
        r->nm = sc->nm - r->m0;
        memcpy(r->prev, sc->prev, sizeof r->prev);
        r->prevlen = sc->prevlen;
    }
    sc->base = 0;
    return 0;
}

/* The stretch holding byte 'at', or NULL. */
static const region *region_at(const sparse *sp, size_t at)
{
    size_t lo = 0, hi = sp->nregs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->regs[mid].from <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || at >= sp->regs[lo - 1].to)
        return NULL;
    return &sp->regs[lo - 1];
}

/* The first token of r starting at or after byte 'at' (r->first + r->n
   when none). */
static uint32_t token_from(const scan *sc, const region *r, size_t at)
{
    uint32_t lo = r->first, hi = r->first + r->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (sc->toks[mid].start < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* 1 if a token of tk[from, to] starts a sentence. */
static int sentence_in(const tok *tk, uint32_t from, uint32_t to)
{
    for (uint32_t t = to + 1; t > from; t--)
        if (tk[t - 1].sent)
            return 1;
    return 0;
}

/*
 * 1 if need n is met: its place lies in one stretch that reaches the
 * start of the text or has the characters and tokens wanted before it
 * (counted from the stretch's second token, the first one's sentence
 * flag being unknown), and reaches the end of the text or has those
 * wanted after it.  A need with an empty place wants the text's opening.
 * An item's start (n->lead) wants no characters before its sentence:
 * what the chooser asks of them is whether a sentence starts near
 * enough, and the nearest start answers it.
 */
static int need_met(const scan *sc, const sparse *sp, const need *n)
{
    const region *r = region_at(sp, n->start);
    if (r && r->n == 0 && n->start == n->end)
        return r->from == 0 && r->to == sc->len;   /* no token at all */
    if (!r || n->end > r->to || r->n == 0)
        return 0;
    uint32_t last = r->first + r->n - 1, t0, t1;
    if (n->end == n->start) {
        t0 = t1 = r->first;
    } else {
        t0 = token_from(sc, r, n->start);
        t1 = token_from(sc, r, n->end);
        if (t0 >= t1 || sc->toks[t0].start != n->start)
            return 0;
        t1--;
    }
    const tok *tk = sc->toks;
    int before = r->from == 0 ||
                 (t0 >= r->first + 1 + n->tokens &&
                  (tk[t0].cstart - tk[r->first + 1].cstart > n->before ||
                   (n->lead && sentence_in(tk, r->first + 1, t0))));
    int after = r->to == sc->len ||
                (last >= t1 + n->tokens && tk[last].cend - tk[t1].cend > n->after);
    return before && after;
}

/* Widen the needs not met: an item's start that wanted its sentence
   wants the full context, the others twice the bytes.  Returns how many
   there were. */
static size_t widen_unmet(const scan *sc, sparse *sp, size_t from)
{
    size_t unmet = 0;
    for (size_t i = from; i < sp->nneeds; i++)
        if (!need_met(sc, sp, &sp->needs[i])) {
            if (sp->needs[i].lead)
                sp->needs[i].lead = 0;
            else
                sp->needs[i].shift++;
            unmet++;
        }
    return unmet;
}

/* Add a need (or widen the one already there) for the window a..b laid
   out by the chooser for fragments of 'size' characters, or for the
   opening (a == b == UINT32_MAX) when it is not met.  Returns 1 when it
   was not, -1 on no memory. */
static int need_window(const scan *sc, sparse *sp, uint32_t a, uint32_t b,
                       uint32_t size)
{
    need n = { 0, 0, context_before(size), context_after(size), 2, 0, 0 };
    if (a != UINT32_MAX) {
        n.start = sc->toks[a].start;
        n.end = sc->toks[b].end;
    } else {
        n.before = 0;
        n.after = size + 8;
    }
    if (need_met(sc, sp, &n))
        return 0;
    for (size_t i = 0; i < sp->nneeds; i++) {
        need *o = &sp->needs[i];
        if (o->start == n.start && o->end == n.end && o->after == n.after &&
            o->tokens == n.tokens) {
            o->shift++;
            return 1;
        }
    }
    return push_need(sp, n.start, n.end, n.before, n.after, n.tokens) ? -1 : 1;
}

/* The tokens wanted around the start of an item: its phrase, and any
   NEAR set it is in.  UINT32_MAX when too many. */
static uint32_t item_tokens(const scan *sc)
{
    uint64_t t = 1;
    for (size_t i = 0; i < sc->nitems; i++) {
        const cti_hl_group *grp = &sc->spec->groups[sc->items[i].group];
        uint64_t span = sc->items[i].nstems;
        if (grp->kind == CTI_HL_NEAR && grp->nitems > 1) {
            span = grp->window;
            for (size_t k = 0; k < grp->nitems; k++)
                span += grp->items[k].nstems;
        }
        if (span > t)
            t = span;
    }
    t += 2;
    return t > SPARSE_MAX_TOKENS ? UINT32_MAX : (uint32_t)t;
}

/* The most stems of a phrase item that is not in a NEAR set. */
static uint32_t phrase_stems(const scan *sc)
{
    uint32_t n = 1;
    for (size_t i = 0; i < sc->nitems; i++) {
        const cti_hl_group *grp = &sc->spec->groups[sc->items[i].group];
        if (!(grp->kind == CTI_HL_NEAR && grp->nitems > 1) &&
            sc->items[i].nstems > n)
            n = sc->items[i].nstems;
    }
    return n;
}

static void sparse_free(sparse *sp)
{
    free(sp->check);
    free(sp->needs);
    free(sp->regs);
    free(sp->oregs);
    free(sp->otoks);
    free(sp->omtok);
    free(sp->omref);
}

/*
 * One round: tokenize the stretches, check the needs of the items'
 * starts, match, choose.  Returns 1 when done (units, hl and ch filled,
 * or units empty and the opening tokenized), 0 when some need was not met
 * (widened for the next round), -1 on no memory, -2 when the sparse scan
 * does not pay.
 */
static int sparse_round(scan *sc, sparse *sp, unsigned nfrag, uint32_t size,
                        hits *units, hits *hl, chooser *ch,
                        uint32_t *fsize)
{
    keep_round(sc, sp);
    size_t covered = plan_regions(sc, sp);
    if (sp->oom)
        return -1;
    if (covered == SIZE_MAX || covered > sc->len / 3 * 2)
        return -2;
    if (tokenize_regions(sc, sp))
        return -1;
    if (widen_unmet(sc, sp, 0) > 0)
        return 0;
    units->n = 0;
    hl->n = 0;
    if (cti_scan_hits(sc, units, hl))
        return -1;
    if (units->n == 0) {
        int w = need_window(sc, sp, UINT32_MAX, UINT32_MAX, size);
        return w < 0 ? -1 : !w;
    }
    cti_window_free(ch);
    memset(ch, 0, sizeof *ch);
    if (cti_window_init(ch, sc, units) != CTI_OK)
        return -1;
    *fsize = cti_window_choose(ch, nfrag, size);
    if (ch->layover)
        return -2;
    int unmet = 0;
    for (size_t i = 0; i < ch->nlay; i++) {
        int w = need_window(sc, sp, ch->lay[i][0], ch->lay[i][1], ch->lay[i][2]);
        if (w < 0)
            return -1;
        unmet |= w;
    }
    return !unmet;
}

/*
 * Tokenize only the opening of the text, for a spec with nothing to match
 * in it.  The whole-text scan tokenizes its first 16 KB then (less its
 * last token, which may be cut): the same tokens as far as this stretch
 * goes, which must stay inside them.  Returns 1 when done, 0 when the whole-text path
 * is to be taken, -1 on no memory.
 */
static int sparse_opening(scan *sc, sparse *sp, uint32_t size)
{
    if (push_need(sp, 0, 0, 0, size + 8, 2))
        return -1;
    for (int round = 0; round < SPARSE_ROUNDS; round++) {
        keep_round(sc, sp);
        size_t covered = plan_regions(sc, sp);
        if (sp->oom)
            return -1;
        if (covered == SIZE_MAX || (sc->len > 16384 && sp->regs[0].to >= 16384))
            return 0;
        if (tokenize_regions(sc, sp))
            return -1;
        if (widen_unmet(sc, sp, 0) == 0)
            return 1;
    }
    return 0;
}

/*
 * The sparse scan of 'text' for cti_snippet_build(): fills sc, units,
 * hl, ch and *fsize as the whole-text scan would.  Returns 1 when done,
 * 0 when the whole text is to be tokenized instead (sc is then to be
 * freed), -1 on no memory.
 */
int cti_sparse_scan(cti_analyzer *a, scan *sc, const cti_hl_spec *spec,
                    const char *text, size_t len, unsigned nfrag,
                    uint32_t size, hits *units, hits *hl, chooser *ch,
                    uint32_t *fsize)
{
    sparse sp;
    anchors an;
    int rc = 0;

    memset(sc, 0, sizeof *sc);
    memset(&sp, 0, sizeof sp);
    sc->text = text;
    sc->len = len;
    sc->prev_ws = 1;
    if (len == 0)
        return 0;
    if (cti_scan_prepare(sc, spec, 0))
        return -1;
    if (sc->nitems == 0) {
        rc = sparse_opening(sc, &sp, size);
        goto done;
    }
    if (!a || strcmp(cti_analyzer_language(a), "english"))
        return 0;
    sp.before = context_before(size);
    sp.after = context_after(size);
    /* A text shorter than four places' stretches (about 1.8 KB for the
       default snippet): two places and the windows laid over them pass
       the two thirds at which a round gives up, most often after the
       stretches were tokenized; on 40 MB of short stories, tokenizing
       such texts whole took 0.2 to 0.5 million instructions fewer a
       search, all but one of the bench's queries. */
    if (len < 4 * ((size_t)sp.before + sp.after))
        return 0;
    cti_scan_pairs(sc);
    sc->lazy = a;
    sp.tokens = item_tokens(sc);
    sp.phrase = phrase_stems(sc);
    sp.check = malloc(sizeof *sp.check);
    if (!sp.check) {
        rc = -1;
        goto done;
    }
    if (sp.tokens == UINT32_MAX)
        goto done;
    anchor_tables(sc, &an);
    if (find_anchors(sc, &sp, &an)) {
        rc = sp.oom ? -1 : 0;
        goto done;
    }
    for (int round = 0; round < SPARSE_ROUNDS; round++) {
        rc = sparse_round(sc, &sp, nfrag, size, units, hl, ch, fsize);
        if (rc != 0)
            break;
    }
    if (rc == -2)
        rc = 0;
done:
    sparse_free(&sp);
    return rc;
}
