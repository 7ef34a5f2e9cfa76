/*
 * cti_schema.h - how an article is laid out in the index.
 *
 * Shared by cti-index (which writes it) and cti-search (which reads it).
 * Changing anything here that changes what is on disk means bumping
 * CTI_SCHEMA_VERSION; an index of another version is refused with a
 * clear message instead of giving wrong results.
 *
 * An index is a folder whose XAPIANDB stub lists its databases (a main
 * database, and while a bulk run is under way its completed segments):
 * open the folder with cti_db_open() and they are searched as one.  The
 * metadata below is read from the first listed database.
 *
 * Document data: a cti_store record (cti_store.h).  Its body stream may be
 * stored at zlib level 0 and left to the docdata table's own zlib, so
 * always read it with cti_record_decode().
 *
 * Spelling data: every distinct folded word of a document's title and
 * body (3 to 32 bytes, no digit, not CJK) with frequency = the number of
 * documents holding it; so cti_db_spelling_suggest() takes a folded word.
 */
#ifndef CTI_SCHEMA_H
#define CTI_SCHEMA_H

#include <stddef.h>

#include "cti_xapian.h"

#define CTI_SCHEMA_VERSION "2"

/* Database metadata keys. */
#define CTI_META_SCHEMA   "cti.schema"    /* CTI_SCHEMA_VERSION */
#define CTI_META_LANGUAGE "cti.language"  /* stemmer language, e.g. "english" */
#define CTI_META_SHARDS   "cti.shards"    /* in a sharded index's first shard: N */
/*
 * Where the word positions are, set when a database is created and never
 * changed after: "article" (one blob per document in CTI_SLOT_POSITIONS,
 * cti_positions.h; cti matches phrases and NEAR itself, so such a
 * database cannot answer them when served by xapian-tcpsrv) or "table"
 * (Xapian's position table, what stock Xapian matches; also what a
 * database without the key has, as every index made before the key).
 * Every database of one index (its segments, its shards) has the same.
 */
#define CTI_META_POSITIONS CTI_POSITIONS_META /* cti_xapian.h */

/*
 * Term prefixes (Xapian conventions: single capitals, X for multi-letter).
 * Unprefixed terms are the stems of the title and body, with positions.
 */
#define CTI_PREFIX_ID     "Q"   /* unique id: Q + article id (path or JSON id);
                                   ids too long for a term: see
                                   cti_schema_idterm() */
#define CTI_PREFIX_TITLE  "S"   /* title stems, with positions; also
                                   unprefixed for a headline given with
                                   the article, not for a title made from
                                   the body's opening (the body holds its
                                   words), and neither for one that is
                                   the whole body (no headline) */
#define CTI_PREFIX_AUTHOR "A"   /* author stems, with positions */
#define CTI_PREFIX_SOURCE "XS"  /* source stems, with positions */
#define CTI_PREFIX_YEAR   "Y"   /* Y + YYYY, boolean */
#define CTI_PREFIX_MONTH  "M"   /* M + YYYYMM, boolean */
#define CTI_PREFIX_DATE   "D"   /* D + YYYYMMDD, boolean */
#define CTI_PREFIX_BLOCK  "B"   /* template counts, boolean: B + 8 hex digits
                                   of the source key (every article with a
                                   source), and B + those + 12 hex digits
                                   of a candidate line (cti_boiler.h) */
#define CTI_PREFIX_SEEN   "XB"  /* XB + source + line: the line was template
                                   for this article when it was built */
#define CTI_PREFIX_BAND   "XL"  /* XL + band number + 3 hex digits of its value
                                   (4 in indexes written before): the bands
                                   of the fingerprint (cti_fingerprint.h) */
#define CTI_TERM_COPY     "XC"  /* boolean, on an article found to be a copy
                                   of one indexed before it: while no
                                   article holds it, the index has no
                                   copies to collapse */
#define CTI_PREFIX_STORY  "XK"  /* XK + copy cluster (CTI_SLOT_CLUSTER), boolean:
                                   the articles of one story, so that a page
                                   counts each hit's matching copies
                                   exactly (indexes written before have
                                   none: the count is then Xapian's) */
#define CTI_PREFIX_PAGE   "XP"  /* stems of the body set aside as page
                                   boilerplate, with their positions in
                                   the body (wdf 0: not in the length) */

/*
 * Positions: the title's tokens start at CTI_POS_TITLE, the body's at
 * CTI_POS_BODY, so a phrase never spans the title and the body.  A title
 * longer than the gap simply continues (positions stay increasing).
 */
#define CTI_POS_TITLE 1u
#define CTI_POS_BODY  1000u

/* Value slots. */
#define CTI_SLOT_DATE   0  /* "YYYYMMDD" (missing parts as 00), sorts as a string */
#define CTI_SLOT_SOURCE 1  /* sync record: "f <size> <mtime_ns> <id>" for a
                              text file or web page; "r <flags> <clen>
                              <file> <id>" for a record of a JSON lines,
                              JSON or CSV file: <file> is its real path,
                              <clen> bytes (0 for standard input), <flags>
                              1 when the id was met in more than one place;
                              "j <id>": a JSON line indexed before records
                              named their file (still read, rewritten when
                              met again) */
#define CTI_SLOT_HASH   2  /* content hash: 16 lowercase hex digits
                              (equal for identical articles) */
#define CTI_SLOT_TEXT   3  /* the article's text as a zstd frame, for a
                              record that keeps it apart (cti_text.h,
                              cti_store.h version 3) */
#define CTI_SLOT_CLUSTER 6 /* copy cluster: six bytes, none NUL, shared by
                              the copies of one story (the collapse key; 12
                              hex digits in indexes written before, kept
                              by their copies); empty for an article
                              without a fingerprint */
#define CTI_SLOT_FINGERPRINT 7 /* the MinHash fingerprint of the article's
                              text (cti_fingerprint_encode(), 64 bytes;
                              128 in indexes written before) */
#define CTI_SLOT_POSITIONS CTI_POSITIONS_SLOT /* (8) `article` format only: the
                              positions of every term (cti_positions.h),
                              in slots 8 to 135, one a part of the terms;
                              past CTI_MSET_SLOTS, so a page of hits never
                              fetches it */

/*
 * The unique id term of article id 'id' (len bytes) into buf (size at
 * least CTI_IDTERM_MAX + 1, NUL-terminated): "Q" + id, or for ids too
 * long for a Xapian term, "Q" + their first bytes + "#" + 16 hex digits
 * of cti_shard_hash() of the whole id.  Returns its length.
 */
#define CTI_IDTERM_MAX 240
size_t cti_schema_idterm(const char *id, size_t len, char *buf);

/*
 * The article id in the sync record 'v' (vlen bytes from CTI_SLOT_SOURCE:
 * "f <size> <mtime_ns> <id>", "r <flags> <clen> <container> <id>" or
 * the older "j <id>"; see indexer/cti_sync.c):
 * a pointer into 'v' and its length in *len, or NULL when 'v' is not a
 * sync record.
 */
const char *cti_schema_sync_id(const char *v, size_t vlen, size_t *len);

/*
 * The date value 'v' (vlen bytes from CTI_SLOT_DATE: "YYYYMMDD", 00 for
 * what is unknown) as ISO 8601 into 'out': "2024-07-15", "2024-07" or
 * "2024"; "" when 'v' is not a date value.
 */
void cti_schema_iso_date(const char *v, size_t vlen, char out[11]);

#endif /* CTI_SCHEMA_H */
