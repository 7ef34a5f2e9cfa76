/*
 * cti_indexer_int.h - what the pieces of cti_indexer share; nothing
 * outside indexer/cti_*.c that implements cti_indexer.h includes it.
 *
 * The pieces, one noun each:
 *   cti_smap.c      a string-keyed hash map (ids, folders, spelling words)
 *   cti_report.c    messages, the progress line and the summary
 */
#ifndef CTI_INDEXER_INT_H
#define CTI_INDEXER_INT_H

#include "cti_indexer.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ */
/* cti_smap.c: a string-keyed hash map (open addressing, linear        */
/* probing).  Not thread-safe: each map says which lock guards it.     */
/* ------------------------------------------------------------------ */

typedef struct cti_smap_ent {
    char *key;      /* owned, NUL-terminated; NULL: empty slot */
    uint32_t len;
    uint32_t val;   /* payload: an index, or a count */
    uint32_t aux;   /* payload: e.g. the last document counted */
    uint64_t h;
} cti_smap_ent;

/* A zeroed cti_smap is an empty map; iterate over t[0 .. cap-1] with key set. */
typedef struct cti_smap {
    cti_smap_ent *t;
    size_t cap;     /* a power of two, or 0 */
    size_t n;       /* entries */
} cti_smap;

/*
 * Find key 'k' (n bytes) in 'm'.  With 'add', insert it when absent
 * (payload zeroed, *created set to 1 if 'created' is not NULL).  Returns
 * the entry, valid until the next insertion, or NULL when absent (or,
 * with 'add', when out of memory).
 */
cti_smap_ent *cti_smap_get(cti_smap *m, const char *k, size_t n, int add,
                           int *created);

/* Remove every entry of 'm', keeping its table for reuse. */
void cti_smap_clear(cti_smap *m);

/* Release every entry and the table; 'm' is an empty map afterwards. */
void cti_smap_free(cti_smap *m);

/* ------------------------------------------------------------------ */
/* cti_report.c: messages, progress line, phases, summary.             */
/* ------------------------------------------------------------------ */

/*
 * The report of a run.  'mu' guards 'last', 'shown' and every write to
 * 'err'; the other fields are set before any worker starts and only read
 * afterwards.
 */
typedef struct cti_report {
    pthread_mutex_t mu;
    FILE *err;          /* the error stream (never NULL) */
    int progress;       /* show a progress line (and not quiet) */
    int quiet;          /* no warnings, no summary */
    int verbose;        /* report the phases of the run */
    double t0;          /* the start of the run (cti_report_now() clock) */
    double last;        /* mu: when the progress line was last drawn */
    int shown;          /* mu: a progress line is on the stream */
    /* Sums the counts the progress line shows into *sum, and the bytes
       read but not yet indexed into *queued (called without mu). */
    void (*count)(void *ctx, cti_indexer_stats *sum, uint64_t *queued);
    void *count_ctx;
} cti_report;

/* Seconds on a monotonic clock. */
double cti_report_now(void);

/*
 * Set up report 'r' on the stream 'err' (NULL: stderr), with a progress
 * line if 'progress' and not 'quiet'; its clock starts now.  Release it
 * with cti_report_destroy().
 */
void cti_report_init(cti_report *r, FILE *err, int progress, int quiet,
                     int verbose);
void cti_report_destroy(cti_report *r);

/*
 * Print "cti-index: <fmt>" and a newline on the error stream, clearing a
 * progress line first; control characters are shown as \xHH.  Any thread.
 */
void cti_report_say(cti_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* With --verbose: "cti-index: <dir>: <what> at <seconds since the start>". */
void cti_report_phase(cti_report *r, const char *dir, const char *what);

/*
 * Redraw the progress line from r->count, at most four times a second
 * unless 'force'.  Nothing without a progress line or a count function.
 */
void cti_report_progress(cti_report *r, int force);

/* Replace the progress line by "cti-index: <fmt>" (no newline), if shown. */
void cti_report_line(cti_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clear the progress line, if one is shown. */
void cti_report_clear(cti_report *r);

#endif /* CTI_INDEXER_INT_H */
