/*
 * cti_shard.h - an index split into shards, searched as one.
 *
 * A sharded index is a folder DIR holding:
 *   DIR/XAPIANDB     a Xapian stub listing "auto shard-00", "auto shard-01",
 *                    ... in shard order; any Xapian reader (cti-search --db
 *                    DIR) opens DIR and searches every shard as one
 *                    database, with global statistics
 *   DIR/shard-KK     shard KK: itself a cti index folder (its own stub,
 *                    main database, segments and lock)
 *   DIR/lock         held by the cti-index writing DIR
 * Shard 0's database also records N in the metadata key cti.shards
 * (CTI_META_SHARDS), and every shard its own number in cti.shard, so a
 * stub listing the shards out of order is refused.
 *
 * Placement: the article with id ID (its path, or the "id" of a JSON
 * line) lives in shard FNV-1a-64(ID) mod N.  The rule and N never change
 * for an existing index, so an update or a removal goes to the shard that
 * holds the article.
 *
 * A write target can also be a stub FILE written by hand, whose lines
 * ("auto PATH", "glass PATH", "remote HOST:PORT" for a writable
 * xapian-tcpsrv) are the shards in order, or "tcp:HOST:PORT" for one
 * remote database.
 */
#ifndef CTI_SHARD_H
#define CTI_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "cti_xapian.h"

#define CTI_SHARD_MAX 256          /* most shards an index may have */
#define CTI_META_SHARD "cti.shard" /* metadata of every shard: its number K */
#define CTI_SHARD_PREFIX "shard-"  /* shard folder names: shard-00, shard-01, ... */

/* FNV-1a, 64 bits, of 'len' bytes at 'id' (stable: part of the index format). */
uint64_t cti_shard_hash(const char *id, size_t len);

/* The shard (0 .. n-1) of article id 'id' in an index of 'n' shards (n 0 or 1: 0). */
unsigned cti_shard_pick(const char *id, size_t len, unsigned n);

/* Write shard i's folder name ("shard-07") into buf (size at least 16). */
void cti_shard_name(unsigned i, char *buf, size_t size);

/* What a --db argument names. */
typedef enum cti_shard_kind {
    CTI_SHARD_NONE,    /* nothing there yet, or a folder with no stub */
    CTI_SHARD_SINGLE,  /* a cti index folder of one database (not sharded) */
    CTI_SHARD_DIR,     /* a sharded index folder (layout above) */
    CTI_SHARD_FILE,    /* a stub file: each line a shard */
    CTI_SHARD_TCP      /* "tcp:HOST:PORT": one remote database */
} cti_shard_kind;

/* One shard of a layout. */
typedef struct cti_shard_target {
    char *path;      /* local: its path (relative ones resolved against the stub's folder) */
    char *host;      /* remote: host name or address (brackets removed), else NULL */
    unsigned port;   /* remote: TCP port */
    char *label;     /* for messages: "DIR/shard-01" or "remote 127.0.0.1:8100" */
} cti_shard_target;

typedef struct cti_shard_layout {
    cti_shard_kind kind;
    unsigned n;               /* shards listed (0 for NONE and SINGLE) */
    cti_shard_target *t;      /* n targets, in order */
} cti_shard_layout;

/*
 * Find out what 'db' names and, for DIR, FILE and TCP, list its shards.
 * On success returns CTI_OK and fills *out (release with
 * cti_shard_layout_free()).  Returns CTI_EINVAL for a stub with a line
 * cti cannot write through (a bad line, a program remote), for more than
 * CTI_SHARD_MAX shards or for a folder mixing shards and other
 * databases, CTI_EIO if the stub cannot be read, CTI_ENOMEM; each with
 * a message in 'err' and *out empty.
 */
cti_status cti_shard_layout_read(const char *db, cti_shard_layout *out,
                                 char *err, size_t errlen);
void cti_shard_layout_free(cti_shard_layout *l);

/*
 * Open 'path' for searching, like cti_db_open(path, CTI_DB_READ), but a
 * stub (file, or folder) listing remote shards is opened shard by shard:
 * each remote with 'timeout_ms' per network operation (0: 10 s).  A
 * shard that cannot be opened is an error whose message (in 'msg') names
 * it; with 'partial' it is left out instead, *skipped counts it and 'msg'
 * says which were left out, unless none could be opened (an error).
 * Returns CTI_OK and a new handle in *out (free with cti_db_free()), or
 * an error status with *out = NULL and the reason in 'msg'.
 */
cti_status cti_shard_open_search(const char *path, int partial,
                                 unsigned timeout_ms, cti_db **out,
                                 unsigned *skipped, char *msg, size_t msglen);

#endif /* CTI_SHARD_H */
