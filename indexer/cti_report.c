/*
 * cti_report.c - what a run of cti-index tells its user: messages on the
 * error stream, the progress line, the phases (--verbose), the summary.
 *
 * Messages come from the calling thread and from bulk workers alike, so
 * every write to the stream is made under the report's mutex.
 */
#include "cti_indexer.h"
#include "cti_indexer_int.h"
#include "cti_units.h"

#include "cti_escape.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

double cti_report_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void cti_report_init(cti_report *r, FILE *err, int progress, int quiet,
                     int verbose)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->err = err ? err : stderr;
    r->progress = progress && !quiet;
    r->quiet = quiet;
    r->verbose = verbose;
    r->t0 = cti_report_now();
}

void cti_report_destroy(cti_report *r)
{
    pthread_mutex_destroy(&r->mu);
}

/* Clear a progress line on the stream (r->mu held). */
static void clear_locked(cti_report *r)
{
    if (r->shown) {
        fputs("\r\033[K", r->err);
        r->shown = 0;
    }
}

void cti_report_say(cti_report *r, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&r->mu);
    clear_locked(r);
    /* Control characters (from file names, JSON ids...) are shown
       escaped, as cti-search shows them, so a name cannot drive the
       terminal. */
    fputs("cti-index: ", r->err);
    cti_escape_fputs(r->err, buf);
    fputc('\n', r->err);
    fflush(r->err);
    pthread_mutex_unlock(&r->mu);
}

void cti_report_phase(cti_report *r, const char *dir, const char *what)
{
    if (r->verbose)
        cti_report_say(r, "%s: %s at %.2f s", dir, what,
                       cti_report_now() - r->t0);
}

void cti_report_progress(cti_report *r, int force)
{
    cti_indexer_stats sum;
    uint64_t queued = 0;
    if (!r->progress || !r->count)
        return;
    double t = cti_report_now();
    pthread_mutex_lock(&r->mu);
    int due = force || t - r->last >= 0.25;
    if (due)
        r->last = t;
    pthread_mutex_unlock(&r->mu);
    if (!due)
        return;
    memset(&sum, 0, sizeof sum);
    r->count(r->count_ctx, &sum, &queued);
    double secs = t - r->t0;
    char a[CTI_UNITS_LEN], b[CTI_UNITS_LEN], c[CTI_UNITS_LEN], d[CTI_UNITS_LEN];
    pthread_mutex_lock(&r->mu);
    fprintf(r->err, "\r\033[Kcti-index: %" PRIu64 " new, %" PRIu64
            " updated, %" PRIu64 " unchanged; ", sum.added, sum.updated,
            sum.unchanged);
    if (r->total) {
        /* Input gone through, of what the walk will go through; what was
           read but waits for the workers is not done yet. */
        uint64_t done = r->done > queued ? r->done - queued : 0;
        if (done > r->total)
            done = r->total;
        double rate = secs > 0 ? done / secs : 0;
        fprintf(r->err, "%s of %s (%d%%), %s", cti_units_size(done, a, sizeof a),
                cti_units_size(r->total, b, sizeof b),
                (int)(done * 100 / r->total), cti_units_rate(rate, c, sizeof c));
        if (done == r->total)
            fputs(", finishing", r->err);
        else if (rate > 0 && secs >= 1)
            fprintf(r->err, ", about %s left",
                    cti_units_duration((r->total - done) / rate, d, sizeof d));
    } else {
        /* Bytes read but still queued for the workers are not indexed yet. */
        uint64_t bytes = sum.bytes - (queued < sum.bytes ? queued : 0);
        fprintf(r->err, "%s, %s", cti_units_size(bytes, a, sizeof a),
                cti_units_rate(secs > 0 ? bytes / secs : 0, c, sizeof c));
    }
    fflush(r->err);
    r->shown = 1;
    pthread_mutex_unlock(&r->mu);
}

void cti_report_line(cti_report *r, const char *fmt, ...)
{
    va_list ap;
    if (!r->progress)
        return;
    pthread_mutex_lock(&r->mu);
    fputs("\r\033[Kcti-index: ", r->err);
    va_start(ap, fmt);
    vfprintf(r->err, fmt, ap);
    va_end(ap);
    fflush(r->err);
    r->shown = 1;
    pthread_mutex_unlock(&r->mu);
}

void cti_report_clear(cti_report *r)
{
    pthread_mutex_lock(&r->mu);
    clear_locked(r);
    pthread_mutex_unlock(&r->mu);
}

void cti_indexer_stats_print(const cti_indexer_stats *st, int json, FILE *f)
{
    double mbs = st->seconds > 0 ? st->bytes / 1e6 / st->seconds : 0.0;
    if (json) {
        json_t *o = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:b, s:i}",
            "added", (json_int_t)st->added, "updated", (json_int_t)st->updated,
            "unchanged", (json_int_t)st->unchanged,
            "removed", (json_int_t)st->removed,
            "failed", (json_int_t)st->failed,
            "warnings", (json_int_t)st->warnings,
            "undated", (json_int_t)st->undated,
            "skipped", (json_int_t)st->skipped,
            "articles", (json_int_t)st->articles,
            "bytes", (json_int_t)st->bytes,
            "seconds", (double)(long long)(st->seconds * 1000 + 0.5) / 1000,
            "mb_per_s", (double)(long long)(mbs * 100 + 0.5) / 100,
            "bulk", st->bulk, "segments", (int)st->segments);
        if (o) {
            json_dumpf(o, f, JSON_COMPACT | JSON_REAL_PRECISION(10));
            fputc('\n', f);
            json_decref(o);
        }
        fflush(f);
        return;
    }
    char warn[CTI_UNITS_LEN], arts[CTI_UNITS_LEN], size[CTI_UNITS_LEN],
        took[CTI_UNITS_LEN], rate[CTI_UNITS_LEN], undated[48] = "";
    if (st->undated)
        snprintf(undated, sizeof undated, ", %" PRIu64 " undated", st->undated);
    fprintf(f, "cti-index: %" PRIu64 " added, %" PRIu64 " updated, %" PRIu64
            " unchanged, %" PRIu64 " removed, %" PRIu64 " failed, %s, %" PRIu64
            " passed over%s; %s in the index; %s in %s (%s)\n",
            st->added, st->updated, st->unchanged, st->removed, st->failed,
            cti_units_count(st->warnings, "warning", "warnings", warn, sizeof warn),
            st->skipped, undated,
            cti_units_count(st->articles, "article", "articles", arts, sizeof arts),
            cti_units_size(st->bytes, size, sizeof size),
            cti_units_duration(st->seconds, took, sizeof took),
            cti_units_rate(st->seconds > 0 ? st->bytes / st->seconds : 0, rate,
                           sizeof rate));
    fflush(f);
}
