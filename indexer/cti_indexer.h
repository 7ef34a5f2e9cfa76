/*
 * cti_indexer.h - putting articles into a cti index, incrementally.
 *
 * An index is a directory DIR holding:
 *   DIR/XAPIANDB      a Xapian stub file listing the databases that make up
 *                     the index (relative paths, "glass db.N" lines); any
 *                     Xapian reader opens DIR directly and searches them as one
 *   DIR/db.N          the main database (glass)
 *   DIR/seg.N.M       segments built by a bulk run, listed in the stub as
 *                     they are completed, merged into a new db.N+1 at its end
 *   DIR/lock          held (flock) by the one cti-index writing DIR
 *   DIR/passed        the files passed over on purpose, so that each is
 *                     noticed once (cti_passed.h)
 * Everything else under DIR named db.*, seg.* or tmp.* and not listed in
 * the stub is debris of an interrupted run and is removed by the next one.
 *
 * Typical use:  cti_indexer_new(&opts, &ix); cti_indexer_add_path(ix, p)
 * for each input; cti_indexer_finish(ix, &stats); cti_indexer_free(ix).
 *
 * A cti_indexer routes articles to the indexes --db names: one, or one
 * per shard (cti_router.c); cti_indexer_int.h lists the pieces.
 *
 * Return values: unlike the modules below it (which return cti_status),
 * this interface returns int, because a failure has already been written
 * on o->err with its cause by the time it returns, and the caller needs
 * only the outcome: 0 for success, -1 for a failure, and for
 * cti_indexer_finish() 1 when some inputs failed (cti-index's exit
 * status 2).
 */
#ifndef CTI_INDEXER_H
#define CTI_INDEXER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cti_source.h"

/* Bulk (segment) path selection for cti_indexer_opts.bulk. */
#define CTI_BULK_AUTO   -1 /* segments when the index is empty or the run grows it a lot */
#define CTI_BULK_NEVER   0 /* every change goes straight into the main database */
#define CTI_BULK_ALWAYS  1 /* new articles always go through segments */

typedef struct cti_indexer_opts {
    const char *db;        /* index directory (required) */
    const char *language;  /* stemmer language; NULL: the index's, or "english" */
    const char *positions; /* where a new index keeps word positions:
                              "article" or "table" (cti_schema.h,
                              CTI_META_POSITIONS); NULL: the index's, or
                              "table" */
    int wait;              /* 1: wait for another writer instead of failing */
    int compact;           /* 1: compact the main database at the end */
    unsigned jobs;         /* worker threads for the bulk path (0: online CPUs) */
    unsigned memory_mb;    /* peak memory budget in MiB (0: 1024) */
    int bulk;              /* CTI_BULK_* (0 is NEVER; use CTI_BULK_AUTO) */
    int zlevel;            /* -1: stored texts apart, compressed by
                              cti_text.h; 0 to 9: in the record at that
                              zlib level (0: left to Xapian's zlib) */
    unsigned batch;        /* direct path: articles per commit (0: 2000) */
    int progress;          /* 1: a progress line on 'err' (a TTY) */
    int quiet;             /* 1: no warnings, no summary line */
    int verbose;           /* 1: report the phases of the run and their times */
    int no_clean;          /* 1: index the whole page as the article's text
                              and look for no copies (cti_clean.h) */
    FILE *err;             /* diagnostics ("cti-index: file:line: msg"); NULL: stderr */
    const cti_source_opts *reading; /* how inputs are read (date order, field
                              names, default source); NULL: the defaults */
    unsigned shards;       /* a new index: 0 (or 1) one database, 2..256 that
                              many shards (cti_shard.h); an existing one: 0
                              or its count */
    const char *id_prefix; /* put before the id of every record read from a
                              collection (JSON lines), or NULL; text files
                              keep their paths as ids */
    int scoped_ids;        /* 1: a record's id becomes "<the real path of its
                              file>#<id>" (standard input: unchanged) */
    int prune;             /* 1: at the end, remove every article whose text
                              file or collection file no longer exists */
} cti_indexer_opts;

typedef struct cti_indexer_stats {
    uint64_t added;      /* articles new to the index */
    uint64_t updated;    /* articles whose content changed */
    uint64_t unchanged;  /* articles skipped (same stat, or same content hash) */
    uint64_t removed;    /* articles deleted: asked for (--remove), their file
                            gone (a walked folder, --prune), or gone from
                            their collection file */
    uint64_t failed;     /* inputs that could not be indexed; ids or paths
                            to remove that the index does not hold */
    uint64_t warnings;   /* inputs indexed with a warning (e.g. repaired
                            UTF-8, an id met in two places) */
    uint64_t undated;    /* articles indexed without their date (unreadable) */
    uint64_t skipped;    /* inputs passed over with a notice (binary, empty) */
    uint64_t articles;   /* articles in the index at the end */
    uint64_t bytes;      /* bytes of article text read and indexed */
    double seconds;      /* wall time from cti_indexer_new() to the end of finish */
    int bulk;            /* 1 if the segment path was taken */
    unsigned segments;   /* segments built */
} cti_indexer_stats;

typedef struct cti_indexer cti_indexer;

/* Fill 'o' with the defaults (db NULL, bulk AUTO, zlevel -1, ...). */
void cti_indexer_opts_init(cti_indexer_opts *o);

/*
 * The indexer commits by itself (a batch on the direct path, a segment on
 * the bulk path), so Xapian must not commit behind its back: a program
 * sets the environment variable CTI_XAPIAN_FLUSH_ENV (cti_xapian.h) to
 * this value in main(), before the first cti_indexer_new().  Without it
 * Xapian also commits every 10,000 changed documents: the index stays
 * consistent, but batches and segments are cut where Xapian chooses.
 */
#define CTI_INDEXER_FLUSH_THRESHOLD "1073741824"

/*
 * Open (creating if needed) the index at o->db and take its writer lock.
 * Stale debris of an interrupted run is removed and, if that run left
 * completed segments, they are merged first.  Returns 0 and a new indexer
 * in *out (free with cti_indexer_free()), or -1 with *out = NULL after
 * writing the reason on o->err: the index is being written by another
 * cti-index (without o->wait), was built with another language or schema,
 * is not a cti index, or cannot be opened or created.
 */
int cti_indexer_new(const cti_indexer_opts *o, cti_indexer **out);

/*
 * Tell the progress line that 'path' will be indexed: its size (the
 * files a walk of it goes through) is added to the total it shows, with
 * a percentage and the time left.  Call it for every path before the
 * first cti_indexer_add_path(); it costs a walk of the folders (stat()
 * only), so only when the progress line is shown.  A path of unknown
 * size (standard input) leaves the total unknown.
 */
void cti_indexer_expect(cti_indexer *ix, const char *path);

/*
 * Index everything under 'path' (a file, a folder, a .gz, a .jsonl or
 * .jsonl.gz file, or "-" for JSON lines on stdin).  Problems with single
 * inputs are reported on o->err and counted as failed; the walk goes on.
 * A 'path' that does not exist while the index holds articles from it is
 * reported as such (pointing to --prune and --remove); they stay.
 * Returns 0, or -1 after a fatal index error (nothing more can be written).
 */
int cti_indexer_add_path(cti_indexer *ix, const char *path);

/*
 * Mark what 'what' names for removal at cti_indexer_finish(): the
 * article of that id, else (resolved like an indexed path, relative to
 * the current folder; it need not exist any more) the article of that
 * text file, every record of that collection file, or everything indexed
 * from files below that folder.  An id as cti-search shows it (relative
 * to the current folder) is found too.  Returns the number of articles
 * marked; 0 when the index holds nothing 'what' names (reported on
 * o->err and counted as failed); -1 after a fatal index error.
 */
long cti_indexer_remove(cti_indexer *ix, const char *what);

/*
 * Finish the run: remove what leaves the index (articles marked by
 * cti_indexer_remove(), files gone from a walked folder, records gone
 * from a collection read completely, with o->prune files gone), commit
 * the last batch, merge the segments of a bulk run, compact if asked, and
 * fill *st.  Returns 0 when every input was indexed, 1 when some failed,
 * -1 on a fatal index error.  Call it once; then only cti_indexer_free().
 */
int cti_indexer_finish(cti_indexer *ix, cti_indexer_stats *st);

/*
 * Release the indexer and its lock.  Work not yet finished is abandoned:
 * the index keeps its committed batches.  NULL is a no-op.
 */
void cti_indexer_free(cti_indexer *ix);

/*
 * Print the run summary: one human line (to 'f', unless quiet) or, with
 * 'json', one JSON object line with the keys added, updated, unchanged,
 * removed, failed, warnings, undated, skipped, articles, bytes, seconds,
 * mb_per_s, bulk, segments.  The human line names undated articles only
 * when there are some.
 */
void cti_indexer_stats_print(const cti_indexer_stats *st, int json, FILE *f);

#endif /* CTI_INDEXER_H */
