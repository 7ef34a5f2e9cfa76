/*
 * cti_schema.h - how an article is laid out in the index.
 *
 * Shared by cti-index (which writes it) and cti-search (which reads it).
 * Changing anything here that changes what is on disk means bumping
 * CTI_SCHEMA_VERSION; an index of another version is refused with a
 * clear message instead of giving wrong results.
 */
#ifndef CTI_SCHEMA_H
#define CTI_SCHEMA_H

#define CTI_SCHEMA_VERSION "1"

/* Database metadata keys. */
#define CTI_META_SCHEMA   "cti.schema"    /* CTI_SCHEMA_VERSION */
#define CTI_META_LANGUAGE "cti.language"  /* stemmer language, e.g. "english" */
#define CTI_META_SHARDS   "cti.shards"    /* in a sharded index's first shard: N */

/*
 * Term prefixes (Xapian conventions: single capitals, X for multi-letter).
 * Unprefixed terms are the stems of the title and body, with positions.
 */
#define CTI_PREFIX_ID     "Q"   /* unique id: Q + article id (path or JSON id) */
#define CTI_PREFIX_TITLE  "S"   /* title stems, with positions */
#define CTI_PREFIX_AUTHOR "A"   /* author stems, with positions */
#define CTI_PREFIX_SOURCE "XS"  /* source stems, with positions */
#define CTI_PREFIX_YEAR   "Y"   /* Y + YYYY, boolean */
#define CTI_PREFIX_MONTH  "M"   /* M + YYYYMM, boolean */
#define CTI_PREFIX_DATE   "D"   /* D + YYYYMMDD, boolean */

/*
 * Positions: the title's tokens start at CTI_POS_TITLE, the body's at
 * CTI_POS_BODY, so a phrase never spans the title and the body.  A title
 * longer than the gap simply continues (positions stay increasing).
 */
#define CTI_POS_TITLE 1u
#define CTI_POS_BODY  1000u

/* Value slots. */
#define CTI_SLOT_DATE   0  /* "YYYYMMDD" (missing parts as 00), sorts as a string */
#define CTI_SLOT_SOURCE 1  /* sync record: see cti_indexer.c */
#define CTI_SLOT_HASH   2  /* content hash, hex */

#endif /* CTI_SCHEMA_H */
