/*
 * cti_query.h - the cti-search query language.
 *
 * A query string is parsed into a tree (AND, OR, NOT, phrases, NEAR
 * groups, prefixes, fields, date ranges); every word and phrase goes
 * through the same analyzer as the indexer, so the tree holds stems.
 * The tree then becomes a Xapian query (through the shim) and a
 * highlight spec for snippets.
 *
 * Language (precedence NOT > AND > OR, as SQLite FTS5):
 *   lina khan          both words (implicit AND)
 *   a AND b, a OR b    upper-case operators; lower-case and/or/not are words
 *   a NOT b, -b        exclude; a query of exclusions only matches the rest
 *   ( ... )            grouping
 *   "a phrase"         consecutive words
 *   a NEAR/n b         at most n words between them (NEAR alone: 10)
 *   word*              every word starting with "word"
 *   title:x author:x source:x    fields (a word, "phrase", prefix or group)
 *   date:2019..2021 date:2019.. date:..2021 date:2024-07 date:2024-07-15
 */
#ifndef CTI_QUERY_H
#define CTI_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include "cti_xapian.h"
#include "cti_analyzer.h"
#include "cti_snippet.h"

typedef struct cti_query cti_query;

/* Parse flags. */
#define CTI_QUERY_ANY 0x01 /* natural language: every word OR-ed and ranked;
                              syntax characters are plain text */
#define CTI_QUERY_KEEP_STOPWORDS 0x02 /* with CTI_QUERY_ANY: keep function words */

/* Default n of a bare NEAR. */
#define CTI_NEAR_DEFAULT 10

/* Where and why a query is malformed. */
typedef struct cti_query_error {
    size_t offset;   /* byte offset into the query */
    size_t column;   /* 1-based column in characters (code points) */
    char msg[160];   /* e.g. "unclosed quote" */
} cti_query_error;

/*
 * Parse the query string 'text' (UTF-8, NUL-terminated) with analyzer 'a'
 * (the index's language) and 'flags' (CTI_QUERY_*).
 *
 * On success returns CTI_OK and stores a new tree in *out (free with
 * cti_query_free()).  On a syntax error (unbalanced quote or parenthesis,
 * an operator without operand, an empty query, a bad date) returns
 * CTI_EINVAL, sets *out to NULL and fills *err (if not NULL).  Returns
 * CTI_ENOMEM when out of memory.
 */
cti_status cti_query_parse(const char *text, cti_analyzer *a, unsigned flags,
                           cti_query **out, cti_query_error *err);

void cti_query_free(cti_query *q);

/*
 * The tree as an S-expression for tests and --explain, e.g.
 * (AND lina khan (OR (PHRASE silicon valley) title:bloomberg)).
 * Caller frees with free(); NULL on no memory.
 */
char *cti_query_describe(const cti_query *q);

/* 1 if 'q' holds a date: term anywhere (even under NOT), else 0. */
int cti_query_uses_date(const cti_query *q);

/* Ranking knobs that shape the Xapian query. */
typedef struct cti_rank_opts {
    double title_weight;  /* extra weight of a word found in the title (0: none) */
    double prox_weight;   /* AND of bare words: extra weight when two adjacent
                             query words are found near each other (0: none) */
    unsigned prox_window; /* "near each other": within this many positions */
    double phrase_weight; /* AND and --any: extra weight of words typed one
                             after another found as typed, as a phrase
                             (1: they count twice; 0: none) */
    double coord_weight;  /* --any: extra weight of an article holding every
                             word of the question (0: none) */
} cti_rank_opts;

/* 1 if the folded word 'w' is an English function word ("the", "what"). */
int cti_query_is_stopword(const char *w);

/* The defaults users get (the ones measured in bench/eval). */
void cti_rank_opts_default(cti_rank_opts *o);

/*
 * Build the Xapian query for 'q' with 'opts' (NULL: defaults).  On
 * success returns CTI_OK and a new query in *out (free with
 * cti_xq_free()); otherwise an error status and *out = NULL.
 */
cti_status cti_query_to_xq(const cti_query *q, const cti_rank_opts *opts,
                           cti_xq **out);

/*
 * The highlight spec of 'q': every word, phrase, NEAR group and prefix
 * that can make a document match (never one found only under NOT), with
 * its field and a weight: the idf from the hit list 'm' over 'doccount'
 * documents, or 1 when 'm' is NULL.  On CTI_OK *out is a new spec (free
 * with cti_hl_spec_free()); CTI_ENOMEM leaves *out NULL.
 */
cti_status cti_query_highlights(const cti_query *q, const cti_mset *m,
                                uint32_t doccount, cti_hl_spec **out);

/* Lower-case operator words typed between two words, searched as words. */
#define CTI_LOWER_AND  0x01
#define CTI_LOWER_OR   0x02
#define CTI_LOWER_NOT  0x04
#define CTI_LOWER_NEAR 0x08

/*
 * Which of and, or, not, near 'q' has in lower case between two operands
 * (CTI_LOWER_* bits): they were searched as words ("to be or not"), and a
 * user who meant the operator should be told.  0 for --any.
 */
unsigned cti_query_lower_ops(const cti_query *q);

/*
 * Walk the words of 'q' that can make a document match (single words and
 * the words of phrases), in query order, for "did you mean": fn(ctx,
 * start, end, folded, term) gets the
 * word's byte range [start, end) in the query text, its folded form and
 * its index term (field prefix + stem).  A non-zero return stops the walk
 * and is returned; otherwise returns 0.
 */
typedef int (*cti_query_word_fn)(void *ctx, size_t start, size_t end,
                                  const char *folded, const char *term);
int cti_query_words(const cti_query *q, cti_query_word_fn fn, void *ctx);

#endif /* CTI_QUERY_H */
