/*
 * cti_positions.h - an article's word positions as a few blobs.
 *
 * In a database of the `article` position format (CTI_POSITIONS_META in
 * cti_xapian.h), a document's positions are not in Xapian's position
 * table but in values this codec writes (cti_doc_set_position_slot())
 * and the shim's phrase and NEAR matching reads.  It lives beside the
 * shim because both of its users are there.
 *
 * Parts: the terms are split by the top CTI_POSITIONS_PARTBITS bits of
 * their fingerprint (cti_positions_part()) into CTI_POSITIONS_PARTS
 * parts, and part p is one blob in value slot CTI_POSITIONS_SLOT + p (no
 * value when the part has no term).  Glass keeps each slot's values
 * apart, in docid order, so a phrase reads the parts of its own words
 * only, about 1/128 of the article each, where one blob of the whole
 * article made every candidate read all of it (and glass read each value
 * chunk's blocks again and again: the smaller the values, the more
 * articles a chunk holds).  A value costs glass about 3 bytes and its
 * header 2; a key of one byte (the part holds the fingerprint's top
 * bits) pays for them.
 *
 * Layout of a part (version 2):
 *
 *   header     1 byte: CTI_POSITIONS_VERSION << 4 | bits, bits 0 to 8:
 *              the entries are in 2^bits buckets, by the top bits of
 *              their key (about 8 entries a bucket)
 *   buckets    2^bits varints: the bytes of each bucket's entries (also
 *              for one bucket: a cut blob is told from a short one)
 *   entries    one for each term of the part that has positions, ordered
 *              by key, then term:
 *     key      1 byte: the term's key (cti_positions_key(), never 0xff);
 *              or 0xff then a varint length and the term itself, for a
 *              term whose key another term of the same part shares (in
 *              the last bucket)
 *     length   varint: the bytes of the term's deltas
 *     deltas   a varint per position: the first position, then each
 *              position minus the one before (at least 1: positions
 *              strictly increase)
 *
 * Version 1 is one blob of every term in slot CTI_POSITIONS_SLOT: a
 * version byte (1), a bits byte, the bucket sizes, entries keyed by the
 * whole fingerprint in 2 bytes (little-endian; 0xffff: spelled out),
 * buckets by the top bits of the key.  It is what an article small
 * enough is written as (CTI_POSITIONS_WHOLE_MAX), and what every article
 * was written as before parts.  A reader looks for a term in its part's
 * slot, and in a document without that value, in a version 1 blob of
 * CTI_POSITIONS_SLOT.
 *
 * A varint is 7 bits a byte, least significant first, the high bit set
 * on every byte but the last (at most 5 bytes for 32 bits).
 *
 * Why fingerprints: a reader finds a term's positions by its key, in one
 * bucket, without reading the document's term list (which glass inflates
 * whole: about 50 us for a news article, ten times what its positions
 * cost).  Within one document a part and a key name one term, so a
 * reader that knows the term is in the document (its posting list says
 * so) takes the entry with its key, or the entry spelling it out, as its
 * own.  The cost is a byte a term.
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

#define CTI_POSITIONS_VERSION 2
#define CTI_POSITIONS_PARTBITS 7
#define CTI_POSITIONS_PARTS (1u << CTI_POSITIONS_PARTBITS) /* slots 8 to 135 */
#define CTI_POSITIONS_SPELLED 0xffffu /* version 1: a spelled-out term's key */
#define CTI_POSITIONS_SPELLED2 0xffu  /* version 2: the same */
#define CTI_POSITIONS_MAXBITS 8

/* The fingerprint of 'term' (len bytes): 16 bits of its FNV-1a hash,
   never CTI_POSITIONS_SPELLED. */
uint16_t cti_positions_fp(const char *term, size_t len);
/* The part (0 to CTI_POSITIONS_PARTS - 1) of a term of fingerprint fp. */
unsigned cti_positions_part(uint16_t fp);
/* Its key in its part: the low 8 bits of fp, never CTI_POSITIONS_SPELLED2. */
unsigned cti_positions_key(uint16_t fp);

/* A term with its positions, for cti_posblob_build(). */
typedef struct cti_posterm {
    const char *term;
    size_t len;
    const uint32_t *pos; /* strictly increasing */
    size_t npos;         /* at least 1 */
} cti_posterm;

/* The parts of an article: part p is data[part[p], part[p + 1]) (empty
   when it has no term), in a buffer of cap bytes (owned); len is
   part[CTI_POSITIONS_PARTS].  'whole': the article was small enough for
   one version 1 blob of every term, which is then "part" 0 (slot
   CTI_POSITIONS_SLOT), every other part empty. */
typedef struct cti_posblob {
    unsigned char *data;
    size_t len, cap;
    size_t part[CTI_POSITIONS_PARTS + 1];
    int whole;
} cti_posblob;

/* The largest version 1 blob written for an article rather than parts.
   Below it, parts cost more than they save: each is a value (about 3
   bytes in glass) with a header, and an article of a few hundred words
   fills most of the 128; measured on 40 MB of short stories (about 110
   terms an article, a 700-byte blob), parts made the index 7.7% larger
   and its phrase searches no faster. */
#define CTI_POSITIONS_WHOLE_MAX 1024

/* An empty blob (no allocation yet). */
void cti_posblob_init(cti_posblob *b);
/* Free the buffer; the blob is empty again.  NULL is a no-op. */
void cti_posblob_free(cti_posblob *b);
/*
 * Write the parts of terms[0, n) (distinct terms, any order) into b,
 * replacing what it held; or, when one version 1 blob of them all would
 * take at most 'whole_max' bytes, that blob (b->whole).  CTI_OK,
 * CTI_EINVAL (a term without positions or with positions not
 * increasing; b then holds nothing useful) or CTI_ENOMEM.
 */
cti_status cti_posblob_build(cti_posblob *b, const cti_posterm *terms,
                             size_t n, size_t whole_max);

/* A reader over a blob's bytes (which it does not own). */
typedef struct cti_posreader {
    const unsigned char *base, *end; /* the entries */
    unsigned version;                /* 1: every term; 2: one part */
    unsigned bits, shift;            /* bucket of a key: key >> shift */
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
 * Start reading 'blob' (len bytes, a part or a version 1 blob): CTI_OK,
 * or CTI_ECORRUPT when it is empty, of another version or its header
 * does not match its size.
 */
cti_status cti_posreader_init(cti_posreader *r, const void *blob, size_t len);
/*
 * The deltas of 'term' (len bytes, fingerprint 'fp') into *d: CTI_OK,
 * CTI_DONE when the blob has no entry for it, CTI_ECORRUPT when an entry
 * of its bucket is cut or runs past the bucket.  An entry with the
 * term's key is taken as the term's: the caller knows the document holds
 * the term (and, for a part, looks in the term's part).
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
