/*
 * cti_positions.h - an article's word positions as one blob.
 *
 * In a database of the `article` position format (CTI_POSITIONS_META in
 * cti_xapian.h), a document's positions are not in Xapian's position
 * table but in one value, CTI_POSITIONS_SLOT, that this codec writes
 * (cti_doc_set_position_slot()) and the shim's phrase and NEAR matching
 * reads.  It lives beside the shim because both of its users are there.
 *
 * Layout:
 *
 *   version    1 byte, CTI_POSITIONS_VERSION
 *   bits       1 byte, 0 to 8: the entries are in 2^bits buckets, by the
 *              top bits of their key (about 8 entries a bucket)
 *   buckets    2^bits varints: the bytes of each bucket's entries
 *   entries    one for each term of the document that has positions,
 *              ordered by key, then term:
 *     key      2 bytes, little-endian: the term's fingerprint
 *              (cti_positions_fp(), never 0xffff); or 0xffff then a
 *              varint length and the term itself, for a term whose
 *              fingerprint another term of the same document shares
 *     length   varint: the bytes of the term's deltas
 *     deltas   a varint per position: the first position, then each
 *              position minus the one before (at least 1: positions
 *              strictly increase)
 *
 * A varint is 7 bits a byte, least significant first, the high bit set
 * on every byte but the last (at most 5 bytes for 32 bits).
 *
 * Why fingerprints: a reader finds a term's positions by its key, in one
 * bucket, without reading the document's term list (which glass inflates
 * whole: about 50 us for a news article, ten times what its positions
 * cost).  Within one document a fingerprint names one term, so a reader
 * that knows the term is in the document (its posting list says so)
 * takes the entry with its fingerprint, or the entry spelling it out, as
 * its own.  The cost is 2 bytes a term.
 *
 * Readers never trust a blob: a header or entry cut short, bucket sizes
 * that do not add up to the blob, a cut or too long varint, a position
 * past 2^32 - 1, a zero delta after the first or an unknown version is
 * CTI_ECORRUPT, never a crash.
 */
#ifndef CTI_POSITIONS_H
#define CTI_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "cti_xapian.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CTI_POSITIONS_VERSION 1
#define CTI_POSITIONS_SPELLED 0xffffu /* the key of a spelled-out term */
#define CTI_POSITIONS_MAXBITS 8

/* The fingerprint of 'term' (len bytes): 16 bits of its FNV-1a hash,
   never CTI_POSITIONS_SPELLED. */
uint16_t cti_positions_fp(const char *term, size_t len);

/* A term with its positions, for cti_posblob_build(). */
typedef struct cti_posterm {
    const char *term;
    size_t len;
    const uint32_t *pos; /* strictly increasing */
    size_t npos;         /* at least 1 */
} cti_posterm;

/* A blob: data[0, len) of a buffer of cap bytes (owned). */
typedef struct cti_posblob {
    unsigned char *data;
    size_t len, cap;
} cti_posblob;

/* An empty blob (no allocation yet). */
void cti_posblob_init(cti_posblob *b);
/* Free the buffer; the blob is empty again.  NULL is a no-op. */
void cti_posblob_free(cti_posblob *b);
/*
 * Write the blob of terms[0, n) (distinct terms, any order) into b,
 * replacing what it held.  CTI_OK, CTI_EINVAL (a term without positions
 * or with positions not increasing; b then holds nothing useful) or
 * CTI_ENOMEM.
 */
cti_status cti_posblob_build(cti_posblob *b, const cti_posterm *terms,
                             size_t n);

/* A reader over a blob's bytes (which it does not own). */
typedef struct cti_posreader {
    const unsigned char *base, *end; /* the entries */
    unsigned bits;
    uint32_t start[(1u << CTI_POSITIONS_MAXBITS) + 1]; /* bucket offsets */
} cti_posreader;

/* One term's deltas, read forward by cti_posreader_next() or
   cti_posreader_read(). */
typedef struct cti_posdeltas {
    const unsigned char *p, *end; /* the deltas not read yet */
    uint32_t last;                /* the position read last */
    int started;                  /* ... if any was */
} cti_posdeltas;

/*
 * Start reading 'blob' (len bytes): CTI_OK, or CTI_ECORRUPT when it is
 * empty, of another version or its header does not match its size.
 */
cti_status cti_posreader_init(cti_posreader *r, const void *blob, size_t len);
/*
 * The deltas of 'term' (len bytes, fingerprint 'fp') into *d: CTI_OK,
 * CTI_DONE when the blob has no entry for it, CTI_ECORRUPT when an entry
 * of its bucket is cut or runs past the bucket.  An entry with the
 * term's fingerprint is taken as the term's: the caller knows the
 * document holds the term.
 */
cti_status cti_posreader_find(const cti_posreader *r, const char *term,
                              size_t len, uint16_t fp, cti_posdeltas *d);
/*
 * The next position of 'd' into *pos: CTI_OK, CTI_DONE when every
 * position was read, or CTI_ECORRUPT (a bad varint, a zero delta after
 * the first, a position past 2^32 - 1).  A copy of *d reads on from
 * where *d stands, on its own.
 */
cti_status cti_posreader_next(cti_posdeltas *d, uint32_t *pos);
/*
 * Decode the positions of 'd' not read yet into out: at most 'cap' of them
 * (d->end - d->p is always enough), their number in *n.  CTI_OK or
 * CTI_ECORRUPT (a bad varint, a zero delta after the first, a position
 * past 2^32 - 1, more than cap).
 */
cti_status cti_posreader_read(cti_posdeltas *d, uint32_t *out, size_t cap,
                              size_t *n);

#ifdef __cplusplus
}
#endif

#endif /* CTI_POSITIONS_H */
