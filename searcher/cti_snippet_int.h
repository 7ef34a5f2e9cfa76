/*
 * cti_snippet_int.h - what the snippet builder (cti_snippet.c), its sparse
 * scan (cti_snippet_sparse.c) and its fragment chooser
 * (cti_snippet_window.c) share; nothing else includes it.
 *
 * cti_snippet.c scans the text into tokens and matches (scan, hit), or the
 * sparse scan scans only the stretches around the query's words; the
 * chooser picks the fragments to show (frag, chooser), and cti_snippet.c
 * writes them out.  Single-threaded: a snippet is built by one thread.
 */
#ifndef CTI_SNIPPET_INT_H
#define CTI_SNIPPET_INT_H

#include <stddef.h>
#include <stdint.h>
#include "cti_analyzer.h"
#include "cti_snippet.h"

/* Rows of first bytes in a pair table. */
#define CTI_SCAN_PAIR_ROWS 32

/*
 * Which first two bytes stems start with: row[first byte] is 0 when no
 * stem starts with it, else 1 + its row of bits (a bit per second byte);
 * with more first bytes than rows, 'all' lets every pair through.  Small,
 * so that making one clears a few hundred bytes rather than a 64-Kbit
 * table.
 */
typedef struct pair_table {
    uint8_t row[256];
    uint8_t bits[CTI_SCAN_PAIR_ROWS][32];
    unsigned rows;          /* rows in use */
    int all;
} pair_table;

/* One stem of one item: the analyzer's stems are compared with these. */
typedef struct ref {
    const char *stem;
    size_t len;
    uint32_t item;      /* index into scan.items */
    uint32_t k;         /* which stem of the item */
    int prefix;         /* stem is a prefix (last stem of a word* item) */
    int32_t next;       /* next ref with the same exact stem, or -1 */
} ref;

/* One item of a group of the spec that applies to the text. */
typedef struct item {
    uint32_t group;     /* index into the spec's groups */
    uint32_t local;     /* index of the item in its group */
    uint32_t nstems;
    uint32_t ref0;      /* refs ref0 .. ref0 + nstems - 1 */
} item;

/* One token of the text. */
typedef struct tok {
    size_t start, end;  /* bytes in the text */
    uint32_t cstart;    /* characters before it, whitespace runs counted once */
    uint32_t cend;
    uint32_t sent;      /* 1: starts a sentence */
} tok;

/* A match: tokens a..b (inclusive) matched group g (item 'it'). */
typedef struct hit {
    uint32_t a, b;
    uint32_t g;
    uint32_t it;
} hit;

/* A text scanned for a spec: its tokens, and each (token, stem) match. */
typedef struct scan {
    const char *text;
    size_t len;
    size_t base;        /* offset in text of the part being tokenized */
    const cti_hl_spec *spec;

    ref *refs;
    size_t nrefs;
    item *items;
    size_t nitems;
    int32_t *table;     /* hash of exact stems -> first ref, -1 empty */
    size_t tmask;
    uint32_t *prefixes; /* refs that are prefixes */
    size_t nprefixes;

    tok *toks;
    size_t ntoks, ctoks;
    uint32_t *mtok, *mref;  /* (token, ref) pairs in token order */
    size_t nm, cm;

    /* English (Porter2) only: the tokens come unstemmed and
       cti_scan_token() stems those that may match (cti_scan_stem()) */
    cti_analyzer *lazy;
    /* The first two bytes of the stems of refs (cti_scan_pairs()) */
    pair_table pairs;

    /* char counting and sentence state between tokens */
    size_t lastend;
    uint32_t cpos;
    int prev_ws;
    char prev[8];       /* the previous folded token when it is short */
    size_t prevlen;
    int oom;
} scan;

/* A growing list of matches. */
typedef struct hits {
    hit *v;
    size_t n, cap;
} hits;

/* A fragment: a run of tokens. */
typedef struct frag {
    uint32_t s, e;      /* first and last token */
} frag;

/* The fragment chooser's state (cti_snippet_window.c). */
typedef struct chooser {
    const scan *sc;
    const hit *u;       /* scoring units, sorted by first token */
    size_t nu;
    double *w;          /* weight of each spec group */
    double eps;         /* weights closer than this are equal */
    uint32_t *sent_prev;/* latest sentence start at or before each token */
    unsigned char *covered; /* per group: shown by a chosen fragment */
    uint32_t *cnt;      /* per group: units in the window */
    /* per unit, for one fragment size: */
    uint32_t *ue;       /* last token (see unit_end()) */
    uint32_t *ee;       /* character where it ends */
    uint32_t *eorder;   /* units by ee */
    uint64_t *keys;     /* room to sort them */
    uint32_t *rid;      /* free range holding the unit, or UINT32_MAX */
    uint32_t *byrange;  /* eorder grouped by range */
    unsigned char *in;  /* in the window */
    frag f[64];
    size_t nf;
    /* the windows laid out (first and last token, fragment size), for
       the sparse scan to check that it tokenized enough around them */
    uint32_t lay[80][3];
    size_t nlay;
    int layover;        /* more windows than lay holds were laid out */
} chooser;

/*
 * Set up 'ch' to choose fragments of the scanned text 'sc' (which must
 * outlive it) from its scoring units 'units' (sorted by first token): the
 * group weights, each token's sentence start and the per-unit arrays.
 * 'ch' must be zeroed before.  Returns CTI_OK, or CTI_ENOMEM; free with
 * cti_window_free() either way.
 */
cti_status cti_window_init(chooser *ch, const scan *sc, const hits *units);

/*
 * Choose as few fragments as show the most weight: one of 'size'
 * characters, else two of size/2 ... up to nfrag (at most 64; the counts
 * past 4 are not all tried).  Leaves them in ch->f (ch->nf of them) in
 * text order, touching ones merged, and returns the size of each.
 */
uint32_t cti_window_choose(chooser *ch, unsigned nfrag, uint32_t size);

/* Free the arrays of 'ch' (not 'ch' itself). */
void cti_window_free(chooser *ch);

/* ------------------------------------------------ the scan (cti_snippet.c) */

/* Grow an array of elements of 'size' bytes (*cap of them) to hold at
   least n + 1.  Returns 0, or -1 on no memory (the array unchanged). */
int cti_scan_grow(void **arr, size_t *cap, size_t n, size_t size);

/* FNV-1a hash of s[0, n), for the table of stems. */
uint32_t cti_scan_hash(const char *s, size_t n);

/*
 * Collect into sc the items and stems of the groups of 'spec' that apply
 * to a body (title = 0) or a title, and hash the stems.  Returns 0, or -1
 * on no memory (free sc with cti_scan_free() either way).
 */
int cti_scan_prepare(scan *sc, const cti_hl_spec *spec, int title);

/* An empty pair table. */
void cti_pairs_clear(pair_table *t);

/* Add the first two bytes of a stem of len bytes to t: a stem of one
   byte (a prefix, or a stem only a short token can have) allows any
   second byte, an empty one every pair. */
void cti_pairs_add(pair_table *t, const unsigned char *stem, size_t len);

/* 1 if a stem of t may start with the bytes c then d, a 'y' counting as
   an 'i' (Porter2 turns a final y into i). */
static inline int cti_pairs_may(const pair_table *t, unsigned char c,
                                unsigned char d)
{
    if (t->all)
        return 1;
    if (!t->row[c])
        return 0;
    const uint8_t *b = t->bits[t->row[c] - 1];
    return ((b[d >> 3] >> (d & 7)) & 1) || (d == 'y' && ((b['i' >> 3] >> ('i' & 7)) & 1));
}

/* Fill sc's pair table from the stems of sc->refs, for cti_scan_stem(). */
void cti_scan_pairs(scan *sc);

/*
 * The stem of token t when it may match a ref of sc (English: by its
 * first two bytes): returns 1 and the stem in *stem (valid until the next
 * call), or 0 when it cannot match.
 */
int cti_scan_stem(scan *sc, const cti_token *t, const char **stem,
                  size_t *stemlen);

/*
 * The analyzer's callback (ctx: a scan): records token t, at sc->base +
 * its offsets in sc->text, with its characters and sentence start, and
 * its matches.  Returns 0, or -1 on no memory (sc->oom set).
 */
int cti_scan_token(void *ctx, const cti_token *t);

/*
 * Pass over text[sc->lastend, to) as the scan passes over the text
 * between two tokens: its characters counted into sc->cpos, exactly
 * while fewer than 'limit' (then every byte as one: at least as many as
 * there are), and sc->lastend moved to 'to'.  For the sparse scan, which
 * tokenizes stretches of the text and skips what lies between them.
 */
void cti_scan_skip(scan *sc, size_t to, uint32_t limit);

/* Turn the matches of sc into scoring units and highlights, sorted by
   first token.  Returns 0, or -1 on no memory. */
int cti_scan_hits(const scan *sc, hits *units, hits *hl);

/* Free the arrays of sc (not sc itself). */
void cti_scan_free(scan *sc);

/* ------------------------------------- the sparse scan (cti_snippet_sparse.c) */

/*
 * Scan 'text' (len bytes) for 'spec' as cti_snippet_build() does, but
 * tokenize only the stretches around the places where an item may start
 * (see cti_snippet_sparse.c), and choose the fragments (up to nfrag of
 * about 'size' characters): fills sc, units, hl, ch (zeroed before) and
 * *fsize as the whole-text scan followed by cti_window_choose() would,
 * units empty meaning the opening.  Returns 1 when done; 0 when the whole
 * text is to be scanned instead (free sc, ch and the hits, which may hold
 * something, first); -1 on no memory.
 */
int cti_sparse_scan(cti_analyzer *a, scan *sc, const cti_hl_spec *spec,
                    const char *text, size_t len, unsigned nfrag,
                    uint32_t size, hits *units, hits *hl, chooser *ch,
                    uint32_t *fsize);

#endif /* CTI_SNIPPET_INT_H */
