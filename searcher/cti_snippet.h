/*
 * cti_snippet.h - snippets and highlights that show why an article matched.
 *
 * The query parser describes what a query can match as a highlight spec
 * (cti_hl_spec): groups of words, phrases and NEAR sets, with the field
 * they apply to and a weight (rarer terms weigh more).  Terms that occur
 * only under NOT are never in the spec.  The snippet builder re-analyzes
 * the article text with the same analyzer as the indexer, finds where
 * each group really matches, picks the best fragments and reports the
 * byte spans to highlight.
 */
#ifndef CTI_SNIPPET_H
#define CTI_SNIPPET_H

#include <stddef.h>
#include "cti_analyzer.h"
#include "cti_xapian.h"

/* One word or phrase: consecutive stems (nstems == 1 for a word). */
typedef struct cti_hl_item {
    char **stems;      /* stems as cti_analyze() gives them (no field prefix) */
    size_t nstems;
    int prefix;        /* 1: the last stem is a prefix (word*): any stem starting with it */
} cti_hl_item;

enum cti_hl_kind {
    CTI_HL_WORD,       /* one item with one stem */
    CTI_HL_PHRASE,     /* one item with several stems, highlighted as one span */
    CTI_HL_NEAR        /* several items, all within 'window' words of each other */
};

enum cti_hl_field {
    CTI_HL_ANY,        /* a bare query word: title and body */
    CTI_HL_TITLE,      /* title: only in the title */
    CTI_HL_META        /* author:, source:, date: ... never in title or body text */
};

typedef struct cti_hl_group {
    int kind;          /* enum cti_hl_kind */
    int field;         /* enum cti_hl_field */
    unsigned window;   /* CTI_HL_NEAR: the n of NEAR/n */
    double weight;     /* > 0; rarer terms higher (e.g. idf) */
    cti_hl_item *items;
    size_t nitems;
} cti_hl_group;

typedef struct cti_hl_spec {
    cti_hl_group *groups;
    size_t ngroups;
} cti_hl_spec;

/* Free every group, item and stem of 'spec' (allocated with malloc), and the spec itself. */
void cti_hl_spec_free(cti_hl_spec *spec);

/* A new empty spec (free with cti_hl_spec_free()), or NULL on no memory. */
cti_hl_spec *cti_hl_spec_new(void);

/*
 * Append a group to 'spec', copying 'items' (nitems >= 1) and their stems.
 * Returns CTI_OK; CTI_EINVAL when 'spec' or 'items' is NULL or nitems is
 * 0; CTI_ENOMEM on no memory (the spec stays valid for cti_hl_spec_free(),
 * possibly with the new group partly filled).
 */
cti_status cti_hl_spec_add(cti_hl_spec *spec, int kind, int field,
                           unsigned window, double weight,
                           const cti_hl_item *items, size_t nitems);

/* A byte range [start, end) to highlight. */
typedef struct cti_span {
    size_t start, end;
} cti_span;

/* A snippet: plain text (whitespace collapsed, control characters removed)
   and the spans to highlight in it, in order, not overlapping. */
typedef struct cti_snippet {
    char *text;        /* NUL-terminated UTF-8 */
    size_t len;
    cti_span *spans;
    size_t nspans;
} cti_snippet;

typedef struct cti_snippet_opts {
    unsigned fragments; /* at most this many fragments (default 2) */
    unsigned size;      /* about this many characters in all (default 200) */
} cti_snippet_opts;

/*
 * Build the snippet of 'body' (len bytes of UTF-8, possibly invalid) for
 * 'spec' (CTI_HL_ANY groups only; NULL or empty: the article's opening).
 *
 * Matching: a word matches every token with the same stem, a prefix item
 * every stem that starts with it, a phrase only where its stems are
 * consecutive (highlighted as one span), a NEAR group only where one
 * occurrence of each item fits in window + (stems of all items) words
 * (at most 'window' words between two words, either order).
 *
 * Choice: k fragments of size/k characters are picked greedily, each
 * covering the heaviest sum of group weights not yet shown (repeats and
 * sentence starts only break ties); k is the smallest count, up to
 * 'fragments', that shows the most weight.  A fragment starts at the
 * start of the sentence holding its first match when that fits (an
 * eighth more than its share of the size at most), ends at
 * a sentence end when one is near its budget, and is cut at word
 * boundaries.  Fragments are in text order, joined with " … "; a leading
 * "… " or trailing " …" means words of the text were left out there.
 *
 * Cleaning: whitespace runs, control characters (C0, DEL, C1) and Unicode
 * spaces become one space; ANSI/ECMA-48 escape sequences, bidi controls
 * and BOMs are dropped; invalid UTF-8 becomes U+FFFD.  Spans are byte
 * offsets into the cleaned text, on character boundaries.
 *
 * When no group matches in the body the snippet is the article's opening
 * (about 'size' characters), without spans.
 * Returns CTI_OK and fills *out (release with cti_snippet_release()), or
 * CTI_ENOMEM with *out zeroed.  'opts' may be NULL (defaults); zero fields
 * take the defaults.
 */
cti_status cti_snippet_build(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *body, size_t len,
                             const cti_snippet_opts *opts, cti_snippet *out);

/*
 * cti_snippet_build() by tokenizing the whole body.  cti_snippet_build()
 * tokenizes only the text around the places where the spec's items may
 * start when that is cheaper (English, see cti_snippet.c), with the same
 * result; this is what it must equal, for tests and measurements.
 */
cti_status cti_snippet_build_whole(cti_analyzer *a, const cti_hl_spec *spec,
                                   const char *body, size_t len,
                                   const cti_snippet_opts *opts,
                                   cti_snippet *out);

/*
 * Highlight the whole of 'title' (CTI_HL_ANY and CTI_HL_TITLE groups,
 * matched as in cti_snippet_build()): *out holds the cleaned title, never
 * cut, and its spans.  Returns CTI_OK, or CTI_ENOMEM with *out zeroed.
 */
cti_status cti_snippet_title(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *title, size_t len, cti_snippet *out);

/*
 * The spans to highlight in the whole of 'text' (len bytes of UTF-8,
 * possibly invalid), matched as in cti_snippet_build() (with 'title',
 * cti_snippet_title()): byte offsets into 'text' itself, which is not
 * cleaned, in order, merged where they overlap or touch.  Returns CTI_OK
 * with a new array in *out (caller frees; NULL when *n is 0), or
 * CTI_ENOMEM with *out NULL and *n 0.
 */
cti_status cti_snippet_spans(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *text, size_t len, int title,
                             cti_span **out, size_t *n);

/*
 * Clean 'text' (len bytes of UTF-8, possibly invalid) to show it whole,
 * with the rules of snippets except that lines and spaces are kept: CR LF,
 * CR, form feed, vertical tab, U+2028 and U+2029 become LF; every other
 * control or Unicode space becomes a space; escape sequences, bidi
 * controls and BOMs are dropped; invalid UTF-8 becomes U+FFFD.  'spans'
 * (nspans, offsets into 'text', sorted, not overlapping) come back as
 * offsets into the cleaned text.  Returns CTI_OK with *out filled
 * (release with cti_snippet_release()), or CTI_ENOMEM with *out zeroed.
 */
cti_status cti_snippet_clean_lines(const char *text, size_t len,
                                   const cti_span *spans, size_t nspans,
                                   cti_snippet *out);

/* Free the text and spans of 's' and zero it (NULL or zeroed: no-op). */
void cti_snippet_release(cti_snippet *s);

/* How to render spans. */
typedef enum cti_hl_style {
    CTI_HL_STYLE_NONE,    /* plain text */
    CTI_HL_STYLE_ANSI,    /* bold + colour escape sequences */
    CTI_HL_STYLE_MARKERS, /* open/close markers, e.g. "[" "]" */
    CTI_HL_STYLE_HTML     /* <mark>...</mark>, text HTML-escaped */
} cti_hl_style;

/*
 * Render 's' in 'style' into a new NUL-terminated string (caller frees).
 * 'open'/'close' are the markers for CTI_HL_STYLE_MARKERS (NULL: "[" "]").
 * CTI_HL_STYLE_ANSI wraps spans in ESC[1;31m ... ESC[0m; CTI_HL_STYLE_HTML
 * escapes & < > " ' in all the text and wraps spans in <mark></mark>.
 * Returns NULL on no memory.
 */
char *cti_snippet_render(const cti_snippet *s, cti_hl_style style,
                         const char *open, const char *close);

#endif /* CTI_SNIPPET_H */
