/*
 * cti_positions.h - an article's word positions as one blob.
 *
 * In an index of the `article` position format (CTI_META_POSITIONS in
 * cti_schema.h), a document's positions are not in Xapian's position
 * table but in one value, CTI_SLOT_POSITIONS, that this codec writes and
 * reads.  Layout:
 *
 *   version byte (CTI_POSITIONS_VERSION)
 *   then, for each term of the document in its term list order (byte
 *   order of the terms, as Xapian keeps and returns them):
 *     count      varint: how many positions the term has (0 for a term
 *                without positions: id, date, template, band terms)
 *     deltas     count varints: the first position, then each position
 *                minus the one before (so every delta after the first
 *                is at least 1: positions strictly increase)
 *
 * A varint is 7 bits a byte, least significant first, the high bit set
 * on every byte but the last (at most 5 bytes for 32 bits).  The blob
 * names no term: a reader walks the document's term list beside it, and
 * must reach the end of both together.
 *
 * Readers never trust a blob: a truncated varint, a count larger than
 * the bytes left, a position past 2^32 - 1, a zero delta or an unknown
 * version is CTI_ECORRUPT, never a crash.
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

/* A blob being written: data[0, len) of a buffer of cap bytes (owned). */
typedef struct cti_posblob {
    unsigned char *data;
    size_t len, cap;
} cti_posblob;

/* An empty blob (no allocation yet; no version byte yet). */
void cti_posblob_init(cti_posblob *b);
/* Free the buffer; the blob is empty again.  NULL is a no-op. */
void cti_posblob_free(cti_posblob *b);
/* Start a new blob in the same buffer: just the version byte.
   CTI_ENOMEM when the buffer cannot be allocated. */
cti_status cti_posblob_reset(cti_posblob *b);
/*
 * Append the next term's positions pos[0, n) (n may be 0), which must
 * strictly increase: CTI_OK, CTI_EINVAL when they do not (nothing is
 * appended), or CTI_ENOMEM.
 */
cti_status cti_posblob_add(cti_posblob *b, const uint32_t *pos, size_t n);

/* A reader over blob bytes it does not own. */
typedef struct cti_posreader {
    const unsigned char *p, *end;
} cti_posreader;

/*
 * Start reading 'blob' (len bytes): CTI_OK, or CTI_ECORRUPT when it is
 * empty or of another version.
 */
cti_status cti_posreader_init(cti_posreader *r, const void *blob, size_t len);
/*
 * The next term's count of positions into *n: CTI_OK, CTI_DONE when the
 * blob is used up (no more terms), CTI_ECORRUPT when the count is cut
 * short or larger than the bytes left could hold.  Then call exactly one
 * of cti_posreader_read() or cti_posreader_skip() with that count.
 */
cti_status cti_posreader_count(cti_posreader *r, size_t *n);
/* The term's n positions into out[0, n): CTI_OK or CTI_ECORRUPT. */
cti_status cti_posreader_read(cti_posreader *r, uint32_t *out, size_t n);
/* Step over the term's n positions: CTI_OK or CTI_ECORRUPT. */
cti_status cti_posreader_skip(cti_posreader *r, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* CTI_POSITIONS_H */
