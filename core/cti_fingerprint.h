/*
 * cti_fingerprint.h - a compact fingerprint of an article's text, for
 * finding its copies.
 *
 * A fingerprint is a MinHash signature of the set of the article's word
 * shingles (CTI_FINGERPRINT_SHINGLE consecutive stems, boilerplate left
 * out): two signatures agree in a share of their CTI_FINGERPRINT_BINS
 * values that estimates the Jaccard similarity of the two sets.  A copy
 * that rewords some words, adds or drops a header or footer, or is cut
 * short keeps most of its shingles; two articles on the same event share
 * few.  One-permutation hashing (one hash per shingle, the minimum kept
 * in each of the bins it falls into, empty bins filled from their
 * neighbours) keeps the cost to one hash per word.
 *
 * Copies are found through the index itself: the first values of the
 * signature are cut into CTI_FINGERPRINT_BANDS bands of
 * CTI_FINGERPRINT_ROWS values, and each band becomes a boolean term
 * (named by the top 12 bits of its value: with 16, nearly every band
 * term of a corpus of short stories was a posting list of its own, 6%
 * of its index; with 12 a term is shared by one article in 4,096, so a
 * million articles leave about 4 sharing two bands with one by chance)
 * (locality-sensitive hashing), so the articles sharing a band with an
 * article are one OR query away, those sharing the most bands first; each
 * candidate is then checked with cti_fingerprint_similarity() over all the
 * values.  Bands of one value: two articles share each with a probability
 * equal to their similarity s, so 12 bands find an article as a
 * candidate with probability 1 - (1 - s)^12 (0.97 at s = 0.25).  Bands of
 * two values need 32 bands for about the same (1 - (1 - s^2)^32), and
 * each band term is a B-tree item in the posting and term lists: a
 * short story paid more for its 32 band terms than for its words.
 */
#ifndef CTI_FINGERPRINT_H
#define CTI_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "cti_schema.h"

#define CTI_FINGERPRINT_BINS 64
#define CTI_FINGERPRINT_ROWS 1
#define CTI_FINGERPRINT_BANDS 12 /* over the first 12 bins */
#define CTI_FINGERPRINT_SHINGLE 3
/* Fewer shingles than this: no fingerprint (too short to tell copies). */
#define CTI_FINGERPRINT_MIN_SHINGLES 20
/* Bytes of an encoded signature: the low byte of each bin.  Indexes
   written before kept both bytes (CTI_FINGERPRINT_BYTES_WIDE, big-endian);
   cti_fingerprint_decode() reads both. */
#define CTI_FINGERPRINT_BYTES CTI_FINGERPRINT_BINS
#define CTI_FINGERPRINT_BYTES_WIDE (2 * CTI_FINGERPRINT_BINS)
/* Estimated similarity from which two articles are copies of one story. */
#define CTI_FINGERPRINT_COPY 0.25

/* Longest band term (CTI_PREFIX_BAND ...) with its NUL. */
#define CTI_FINGERPRINT_TERM_MAX 16

typedef struct cti_fingerprint {
    uint16_t v[CTI_FINGERPRINT_BINS];
    int narrow; /* only the low 8 bits of each value are known (decoded
                   from CTI_FINGERPRINT_BYTES) */
} cti_fingerprint;

/* The state while an article's stems go by (no allocation: a plain struct). */
typedef struct cti_fingerprint_builder {
    uint64_t win[CTI_FINGERPRINT_SHINGLE];
    uint32_t nwords, shingles;
    uint32_t bin[CTI_FINGERPRINT_BINS];
    uint64_t filled;
} cti_fingerprint_builder;

/* Start a new article. */
void cti_fingerprint_begin(cti_fingerprint_builder *f);

/* Add the next word of the article ('stem': its stem, len bytes). */
void cti_fingerprint_add(cti_fingerprint_builder *f, const char *stem,
                         size_t len);

/*
 * Finish: fill *out and return 0, or return -1 (and leave *out alone)
 * when the article had fewer than CTI_FINGERPRINT_MIN_SHINGLES shingles.
 */
int cti_fingerprint_end(cti_fingerprint_builder *f, cti_fingerprint *out);

/*
 * The estimated Jaccard similarity of two articles' shingle sets, 0 to 1.
 * It is the share of the bins that agree: over the low byte of each
 * value when either side is narrow (bins that differ then agree by
 * chance once in 256, which is left in: see cti_fingerprint.c).
 */
double cti_fingerprint_similarity(const cti_fingerprint *a,
                                  const cti_fingerprint *b);

/* Encode into CTI_FINGERPRINT_BYTES bytes (for a value slot): the low
   byte of each value, which is what copies are told by; half the bytes
   of the values themselves, for the same precision in practice. */
void cti_fingerprint_encode(const cti_fingerprint *f,
                            char out[CTI_FINGERPRINT_BYTES]);

/* Decode what cti_fingerprint_encode() wrote (narrow), or the two bytes
   a value of older indexes: 0, or -1 for another length. */
int cti_fingerprint_decode(const char *s, size_t len, cti_fingerprint *out);

/* The hash of band 'band' (0 to CTI_FINGERPRINT_BANDS - 1) of 'f': 40
   bits, those of its term. */
uint64_t cti_fingerprint_band(const cti_fingerprint *f, unsigned band);

/*
 * Write band 'band' (0 to CTI_FINGERPRINT_BANDS - 1) of 'f' (not narrow)
 * as a term into buf: CTI_PREFIX_BAND, the band number as one hex digit,
 * then the top 12 bits of the band's value as 3 hex digits (6 bytes).
 * 'wide': all 16 bits as 4 hex digits instead (7 bytes), the band terms
 * of indexes written before, which lookups ask for too.  Returns the
 * term's length.
 */
size_t cti_fingerprint_band_term(const cti_fingerprint *f, unsigned band,
                                 int wide, char buf[CTI_FINGERPRINT_TERM_MAX]);

#endif /* CTI_FINGERPRINT_H */
