/*
 * cti_report.c - what a run of cti-index tells its user: messages on the
 * error stream, the progress line, the phases (--verbose), the summary.
 *
 * Messages come from the calling thread and from bulk workers alike, so
 * every write to the stream is made under the report's mutex.
 */
#include "cti_indexer.h"
#include "cti_indexer_int.h"

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
    /* Control characters (from file names, JSON ids...) are shown as
       \xHH, so a name cannot drive the terminal. */
    fputs("cti-index: ", r->err);
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(r->err, "\\x%02X", *p);
        else
            fputc(*p, r->err);
    }
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
    /* Bytes read but still queued for the workers are not indexed yet. */
    double mb = (sum.bytes - (queued < sum.bytes ? queued : 0)) / 1e6;
    pthread_mutex_lock(&r->mu);
    fprintf(r->err, "\r\033[Kcti-index: %" PRIu64 " new, %" PRIu64
            " updated, %" PRIu64 " unchanged, %.1f MB, %.1f MB/s",
            sum.added, sum.updated, sum.unchanged, mb,
            secs > 0 ? mb / secs : 0.0);
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
    char undated[48] = "";
    if (st->undated)
        snprintf(undated, sizeof undated, ", %" PRIu64 " undated", st->undated);
    fprintf(f, "cti-index: %" PRIu64 " added, %" PRIu64 " updated, %" PRIu64
            " unchanged, %" PRIu64 " removed, %" PRIu64 " failed%s; %" PRIu64
            " articles in the index; %.1f MB in %.2f s (%.1f MB/s)\n",
            st->added, st->updated, st->unchanged, st->removed, st->failed,
            undated, st->articles, st->bytes / 1e6, st->seconds, mbs);
    fflush(f);
}
