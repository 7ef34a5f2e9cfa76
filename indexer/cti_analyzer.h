/*
 * cti_analyzer.h - the one analyzer: UTF-8 tokens, folding, stems, offsets.
 *
 * cti-index, the query parser and the highlighter all call cti_analyze(),
 * so a stem, a word position and a byte offset mean the same thing in the
 * index, in a query and in a snippet.
 */
#ifndef CTI_ANALYZER_H
#define CTI_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

/* Longest folded token kept, in bytes (see cti_analyze() for what is cut). */
#define CTI_MAX_TOKEN 64

/* Token flags. */
#define CTI_TOK_JOINED 0x01 /* glued to the previous token by a hyphen or
                               similar in-word joiner ("record-breaking"):
                               a query word made of joined tokens is a phrase */
#define CTI_TOK_NUMBER 0x02 /* contains a digit; not stemmed */
#define CTI_TOK_CJK    0x04 /* one CJK ideograph */

typedef struct cti_token {
    const char *text;  /* folded form, NUL-terminated (valid during the callback) */
    size_t len;        /* bytes in text */
    const char *stem;  /* stem of text, NUL-terminated (valid during the callback) */
    size_t stemlen;
    uint32_t pos;      /* word position: pos0, pos0+1, ... one per token */
    size_t start, end; /* [start, end) byte offsets into the input */
    unsigned flags;    /* CTI_TOK_* */
} cti_token;

/* Called once per token; a non-zero return stops the walk and is returned by cti_analyze(). */
typedef int (*cti_token_fn)(void *ctx, const cti_token *tok);

typedef struct cti_analyzer cti_analyzer;

/*
 * A new analyzer stemming in 'language' (a libstemmer name such as
 * "english", "french", or "none" for no stemming; NULL means "english").
 * Returns 0 and stores it in *out, or -1 with *out = NULL for an unknown
 * language or no memory.  Free with cti_analyzer_free().  An analyzer is
 * not shared between threads (it owns a stem cache).
 */
int cti_analyzer_new(const char *language, cti_analyzer **out);
void cti_analyzer_free(cti_analyzer *a);

/* The canonical language name (static string), e.g. "english". */
const char *cti_analyzer_language(const cti_analyzer *a);

/* 1 if 'language' is a libstemmer language name or "none". */
int cti_analyzer_language_ok(const char *language);

/*
 * Tokenize, fold and stem 'text' (len bytes of UTF-8, any bytes at all:
 * invalid sequences, NUL and control characters are separators), calling
 * 'fn' for each token with positions counted from 'pos0'.  Returns 0, or
 * the first non-zero value returned by 'fn'.  Never allocates per token.
 */
int cti_analyze(cti_analyzer *a, const char *text, size_t len, uint32_t pos0,
                cti_token_fn fn, void *ctx);

/*
 * Stem one already folded token.  Returns the stem (NUL-terminated, owned
 * by the analyzer, valid until the next call on 'a') and its length in
 * *outlen.
 */
const char *cti_analyzer_stem(cti_analyzer *a, const char *tok, size_t len,
                              size_t *outlen);

/*
 * Tokenize and fold only (no stemming): tok->stem == tok->text.  Used by
 * benchmarks to measure the tokenizer floor.
 */
int cti_tokenize(const char *text, size_t len, uint32_t pos0,
                 cti_token_fn fn, void *ctx);

#endif /* CTI_ANALYZER_H */
