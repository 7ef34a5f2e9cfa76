/*
 * cti_analyzer.h - the one analyzer: UTF-8 tokens, folding, stems, offsets.
 *
 * cti-index, the query parser and the highlighter all call cti_analyze(),
 * so a stem, a word position and a byte offset mean the same thing in the
 * index, in a query and in a snippet.
 *
 * THE RULES (what cti_analyze() yields for any byte string)
 *
 * Characters.  Letters (Unicode L*) and digits (N*) of every script are
 * word characters; combining marks (M*) continue a word but never start
 * one.  Everything else separates words: spaces, punctuation, symbols,
 * control characters, NUL, and every byte of an invalid or truncated
 * UTF-8 sequence.  Han ideographs and kana (hiragana, katakana) are one
 * token each (CTI_TOK_CJK) and also end any word they touch.
 *
 * Folding.  Each character of a token is case folded and compatibility
 * decomposed by utf8proc (NFKC casefold: "José" -> "jose", "Straße" ->
 * "strasse", "ﬁ" -> "fi", fullwidth "ＡＢ" -> "ab"), nonspacing and
 * enclosing marks (Mn, Me: accents) are dropped, spacing marks (Mc, e.g.
 * Indic vowel signs) are kept, and the result is canonically composed.
 * Marks are kept on CJK tokens (so "ガ" stays "ガ").
 *
 * Inside a word (between two word characters, no spaces):
 * - Apostrophes ' U+2019 ’ U+02BC ʼ U+FF07 are one character, folded to
 *   ASCII "'".  An apostrophe followed by a letter stays in the word:
 *   "don’t" -> "don't", "O’Neill" -> "o'neill".  A final "'s" or "’s"
 *   (apostrophe, s, then no word character) is a possessive: it is inside
 *   the token's byte span but not in its text ("Harris’s" -> "harris",
 *   span covers all of "Harris’s"; also "it’s" -> "it").  Any other
 *   apostrophe ends the word ("workers’ rights" -> "workers", "rights").
 * - '.' between two ASCII digits stays: "3.5", "1.25" (a number).
 * - ',' after an ASCII digit and before exactly three ASCII digits (then
 *   no digit) vanishes: "$50,000" -> "50000", "1,000,000" -> "1000000";
 *   "1,2" is two tokens.  '$' and '%' are separators.
 * - Soft hyphen and other format characters (Cf) vanish: "co\u00ADop" -> "coop".
 * - Letters and digits mix freely: "1990s", "covid19", "mp3".
 *
 * Joined tokens.  Words separated by exactly one joiner character are
 * separate tokens at consecutive positions, and the later one carries
 * CTI_TOK_JOINED.  Joiners: '-' U+2010 U+2011 (hyphens) and '.' '/' '@'
 * '_' '&' ':'.  So "record-breaking" -> "record", "breaking"(J);
 * "brother-in-law" -> "brother", "in"(J), "law"(J); "AT&T" -> "at",
 * "t"(J); e-mail addresses and URLs become runs of joined tokens
 * ("press@harris.com" -> "press", "harris"(J), "com"(J)) and the words
 * around them are untouched.  After an abbreviation the joiner is looked
 * for after its trailing dot ("U.S.-led" -> "u.s", "led"(J)).  A spaced
 * or doubled dash does not join; neither do em and en dashes.  A query
 * word made of joined tokens is a phrase.  CJK tokens are never joined.
 *
 * Dotted abbreviations.  Two or more single letters, each followed by
 * '.' (the last one may instead be followed by a word boundary) are one
 * token: the folded letters joined by '.', without a trailing dot.
 * "U.S." and "U.S" -> "u.s" (not "us"), "e.g." -> "e.g", "D.C." -> "d.c";
 * the span ends after the last letter, so a sentence-final dot is not in
 * it.  A letter followed by more letters ends the abbreviation: "U.Senate"
 * -> "u", "senate"(J).  A possessive after it is in the span, not in the
 * text: "the U.N.’s budget" -> "u.n" spanning "U.N.’s".  Flag
 * CTI_TOK_ABBREV.
 *
 * Numbers.  A token whose folded text holds a digit (Unicode N*) is
 * CTI_TOK_NUMBER.  Numbers, abbreviations and CJK tokens are not stemmed:
 * their stem is their text (the test is on the folded text: it holds a
 * digit or a '.', or starts with a CJK character).  Every other token is stemmed with the
 * analyzer's libstemmer language, capitalised words included ("Uber’s"
 * -> "uber").
 *
 * Positions.  Every token gets the next position, pos0, pos0+1, ...;
 * stopwords are tokens like any other.  A word whose characters all fold
 * to nothing is no token and takes no position.
 *
 * Length.  A folded token longer than CTI_MAX_TOKEN bytes is cut to the
 * longest prefix of at most CTI_MAX_TOKEN bytes that ends on a UTF-8
 * character boundary (flag CTI_TOK_CUT); the token's span still covers
 * the whole word, and a cut token is stemmed like any other.  The query
 * side cuts identically because it uses this same code.
 *
 * Offsets.  [start, end) are byte offsets into the input: start is the
 * first byte of the word, end is one past its last character (or past
 * the possessive "'s").  Spans are increasing and never overlap.  Slicing
 * the input with them and folding gives the token text, except that
 * digit-group commas, format characters and the possessive "'s" are
 * dropped and apostrophes become "'".
 */
#ifndef CTI_ANALYZER_H
#define CTI_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "cti_xapian.h"

/* Longest folded token kept, in bytes (see "Length" above for what is cut). */
#define CTI_MAX_TOKEN 64

/* Token flags. */
#define CTI_TOK_JOINED 0x01 /* glued to the previous token by a hyphen or
                               similar in-word joiner ("record-breaking"):
                               a query word made of joined tokens is a phrase */
#define CTI_TOK_NUMBER 0x02 /* contains a digit (Unicode N*); not stemmed */
#define CTI_TOK_CJK    0x04 /* one CJK ideograph or kana; not stemmed */
#define CTI_TOK_ABBREV 0x08 /* dotted abbreviation ("u.s"); not stemmed */
#define CTI_TOK_CUT    0x10 /* folded form was cut to CTI_MAX_TOKEN bytes */
#define CTI_TOK_UNSTEMMED 0x20 /* left unstemmed: cti_analyzer_set_stem_filter() */

typedef struct cti_token {
    const char *text;  /* folded form, NUL-terminated (valid during the callback) */
    size_t len;        /* bytes in text */
    const char *stem;  /* stem of text, NUL-terminated (valid during the callback) */
    size_t stemlen;
    uint32_t pos;      /* word position: pos0, pos0+1, ... one per token */
    size_t start, end; /* [start, end) byte offsets into the input */
    unsigned flags;    /* CTI_TOK_* */
    /* A mark the caller may keep for this word: every token of the same
       folded text finds the same slot while the word stays in the
       analyzer's stem cache, reading what was last stored there (0 for a
       word new to the cache).  NULL for a word the cache does not hold
       (unstemmed, or longer than 16 bytes).  Valid during the callback;
       see cti_analyzer_memo_epoch(). */
    uint32_t *memo;
} cti_token;

/* Called once per token; a non-zero return stops the walk and is returned by cti_analyze(). */
typedef int (*cti_token_fn)(void *ctx, const cti_token *tok);

typedef struct cti_analyzer cti_analyzer;

/*
 * A new analyzer stemming in 'language' (a libstemmer name such as
 * "english", "french", or "none" for no stemming; NULL means "english").
 * Returns CTI_OK and stores it in *out, or with *out = NULL CTI_EINVAL
 * for an unknown language, CTI_ENOMEM when out of memory.  Free with cti_analyzer_free() (NULL is a
 * no-op).  An analyzer holds a 1 MB stem cache and is not shared between
 * threads; separate analyzers may be used in separate threads.
 */
cti_status cti_analyzer_new(const char *language, cti_analyzer **out);
/*
 * As cti_analyzer_new(), with a stem cache of 'cache_sets' sets instead
 * (cti_analyzer_set_cache_sets(); 0: no cache), made at that size
 * directly: a short-lived process does not map the 1 MB one only to
 * replace it.  CTI_EINVAL too for a size not a power of two.
 */
cti_status cti_analyzer_new_sized(const char *language, size_t cache_sets,
                                  cti_analyzer **out);
void cti_analyzer_free(cti_analyzer *a);

/*
 * A value for marking words through cti_token.memo that no slot of 'a'
 * holds yet (never 0): a caller takes one for each pass over which a
 * mark means "this word was met", e.g. one document counted into one
 * map.  When the values wrap, every slot is cleared.
 */
uint32_t cti_analyzer_memo_epoch(cti_analyzer *a);

/* The canonical language name (static string), e.g. "english". */
const char *cti_analyzer_language(const cti_analyzer *a);

/* 1 if 'language' is a libstemmer language name or "none". */
int cti_analyzer_language_ok(const char *language);

/*
 * Restrict stemming to tokens whose folded form starts with a byte in
 * 'firsts' (a set of 256 flags; NULL: stem every token again).  Tokens
 * left unstemmed are delivered with tok->stem == tok->text and the flag
 * CTI_TOK_UNSTEMMED.  The highlighter uses it: a token can only match a
 * query stem that starts with the same byte, so most tokens of an article
 * need no stemming.  It only takes effect for languages whose stemmer
 * never changes a word's first byte ("english", "porter"); for the others
 * every token is stemmed as usual.  Returns 1 if the filter is in effect.
 */
int cti_analyzer_set_stem_filter(cti_analyzer *a, const unsigned char *firsts);

/*
 * Tokenize, fold and stem 'text' (len bytes of UTF-8, any bytes at all:
 * invalid sequences, NUL and control characters are separators), calling
 * 'fn' for each token with positions counted from 'pos0'.  Returns 0, or
 * the first non-zero value returned by 'fn', or -1 if libstemmer ran out
 * of memory.  Allocates nothing (libstemmer may grow its own buffer for
 * a long word); time is linear in len.  'text' may be NULL when len is 0.
 * 'a' may be NULL: no stemming (as cti_tokenize()).  The token's text and
 * stem are valid only during the callback; the callback may call
 * cti_analyzer_stem() or cti_analyze() on the same analyzer.
 */
int cti_analyze(cti_analyzer *a, const char *text, size_t len, uint32_t pos0,
                cti_token_fn fn, void *ctx);

/*
 * Stem one already folded token (the text of a cti_token), applying the
 * same exemptions as cti_analyze(): a token holding a digit or a '.', or
 * a CJK token, is returned unchanged, and 'len' is capped at
 * CTI_MAX_TOKEN.  So cti_analyzer_stem(a, tok->text, tok->len) equals
 * tok->stem.  Returns the stem (NUL-terminated, owned by the analyzer,
 * valid until the next call on 'a') and its length in *outlen; on a
 * libstemmer memory failure returns the token unstemmed.
 */
const char *cti_analyzer_stem(cti_analyzer *a, const char *tok, size_t len,
                              size_t *outlen);

/*
 * Turn the stem cache on (on != 0, the default) or off.  Results are the
 * same either way; benchmarks use it to measure the cache.
 */
void cti_analyzer_set_cache(cti_analyzer *a, int on);

/*
 * Size the stem cache to 'sets' sets of two 32-byte entries (a power of
 * two; 16384, 1 MB, by default), emptied.  A short-lived process that
 * stems a few hundred words keeps it small: each 4 KB page of it it
 * touches is a page fault.  CTI_EINVAL for a size not a power of two or
 * an analyzer without a stemmer, CTI_ENOMEM (the cache as it was).
 */
cti_status cti_analyzer_set_cache_sets(cti_analyzer *a, size_t sets);

/*
 * Tokenize and fold only (no stemming): tok->stem == tok->text.  Used by
 * benchmarks to measure the tokenizer floor.
 */
int cti_tokenize(const char *text, size_t len, uint32_t pos0,
                 cti_token_fn fn, void *ctx);

#endif /* CTI_ANALYZER_H */
