/*
 * cti_bulk.c - the bulk path: worker threads building segments.
 *
 * Articles are queued to worker threads, each building small segment
 * databases (no fsync, no crash safety while open) in the index folder.
 * A closed segment is synced to disk and then listed in the stub, so
 * readers see it and a crash keeps it; replaced and removed articles are
 * deleted from the main database, committed before that.  The final
 * merge (cti_merge.c) compacts the main database and every segment into
 * a new main database.
 *
 * A segment is flushed (committed, without a sync) every CTI_FLUSH_KB
 * of text.  Until a commit Xapian keeps a database's new postings and
 * values in memory; each commit rewrites the last chunk of every posting
 * list and value stream it touches, reading its blocks back.  With
 * positions kept per article (in values, written in document order) a
 * flush per megabyte of text did that a quarter as often as one per
 * 256 KB: on 200 MB of news 8% less CPU time (half the system time) and
 * 9% less wall time, on 40 MB of short stories 8-9% less of each, for
 * 14 MB more peak memory (80 to 94 MB) and the same index; 2 MB and more
 * cost CPU again (larger maps to sort and search).  With positions in
 * Xapian's table (CTI_FLUSH_KB_TABLE), whose keys are term then document,
 * a batch adds to every term's stretch of the table, a large batch all
 * over it, and small batches keep the buffer small and its writes near
 * each other: 256 KB, measured against one flush per 4 MB
 * segment, made the same index for 10-30% less CPU and 60-70% less peak
 * memory.
 *
 * A run that starts on an empty index takes this path; a run on an
 * existing index switches to it once the articles it adds reach a
 * quarter of the index (at least CTI_SWITCH_MIN).  The locks are
 * described in cti_indexer_int.h: 'mu' guards the queue and what the
 * workers hand back, 'pubmu' the main database and the stub.
 */
#include "cti_indexer_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cti_bulk_init(cti_index *ix)
{
    ix->deferred_tail = &ix->deferred;
    pthread_mutex_init(&ix->mu, NULL);
    pthread_mutex_init(&ix->pubmu, NULL);
    pthread_cond_init(&ix->cv_job, NULL);
    pthread_cond_init(&ix->cv_room, NULL);
    pthread_cond_init(&ix->cv_done, NULL);
    /* Segments: Xapian holds about 12 bytes of memory per byte of text
       added since the last flush (CTI_FLUSH_KB); segments are capped
       well within the budget all the same, and the queue takes an
       eighth of it.  A worker's first segment is small, so a search
       sees the first articles of a long load early; each next one is
       four times as large, to CTI_SEGMENT_MB_MAX, because the final merge
       keeps every segment's chunk of a posting list as a chunk of its
       own: measured, 4 MB segments throughout made the index of 40 MB
       of short stories 3% larger than 64 MB ones, and took longer.
       CTI_SEGMENT_MB fixes the size of every segment. */
    size_t budget = (size_t)ix->o.memory_mb << 20;
    unsigned jobs = ix->o.jobs ? ix->o.jobs : 2;
    ix->q_limit = budget / 16 < (16u << 20) ? budget / 16 : (16u << 20);
    size_t seg = (budget - ix->q_limit - (64u << 20)) / jobs / 12;
    const char *env = getenv("CTI_SEGMENT_MB");
    int fixed = env && atoi(env) > 0;
    size_t cap = (size_t)(fixed ? atoi(env) : CTI_SEGMENT_MB_DEFAULT) << 20;
    size_t max = (size_t)(fixed ? atoi(env) : CTI_SEGMENT_MB_MAX) << 20;
    if (budget <= (96u << 20))
        seg = 1u << 20;
    ix->seg_limit = seg < cap ? seg : cap;
    ix->seg_max = seg < max ? seg : max;
    if (ix->seg_limit < (256u << 10))
        ix->seg_limit = 256u << 10;
    if (ix->seg_max < ix->seg_limit)
        ix->seg_max = ix->seg_limit;
}

/* Keep the first worker error, to be reported by the calling thread ([mu] held). */
static void werror_locked(cti_index *ix, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (ix->werr)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ix->werr = strdup(msg);
}

#define werror(ix, ...)                                                   \
    do {                                                                  \
        pthread_mutex_lock(&(ix)->mu);                                    \
        werror_locked((ix), __VA_ARGS__);                                 \
        pthread_mutex_unlock(&(ix)->mu);                                  \
    } while (0)

/*
 * Why a write to a segment failed.  On a full disk Xapian's own message
 * may only say that it could not roll back ("cancel() not supported
 * under Xapian::DB_DANGEROUS"), so the disk is looked at first.
 */
static const char *write_error(cti_index *ix, cti_status st)
{
    if (st == CTI_ENOMEM)
        return "out of memory";
    if (cti_folder_full(ix->dir))
        return "No space left on device";
    return cti_errmsg();
}

/* Add the worker's spelling counts to the run's ([mu] held). */
static cti_status spell_hand_over_locked(cti_worker *w)
{
    cti_index *ix = w->ix;
    for (size_t i = 0; i < w->spell.cap; i++) {
        cti_smap_ent *e = &w->spell.t[i], *g;
        if (!e->key)
            continue;
        if (!(g = cti_smap_get(&ix->gspell, e->key, e->len, 1, NULL))) {
            werror_locked(ix, "out of memory");
            return CTI_ENOMEM;
        }
        g->val += e->val;
    }
    return CTI_OK;
}

/* Hand the closed segment over for publishing ([mu] held). */
static cti_status hand_over_locked(cti_worker *w)
{
    cti_index *ix = w->ix;
    if (ix->ndone == ix->capdone) {
        size_t nc = ix->capdone ? ix->capdone * 2 : 16;
        char **nd = realloc(ix->done, nc * sizeof *nd);
        if (!nd) {
            werror_locked(ix, "out of memory");
            return CTI_ENOMEM;
        }
        ix->done = nd;
        ix->capdone = nc;
    }
    ix->done[ix->ndone++] = w->segname;
    w->segname = NULL;
    pthread_cond_signal(&ix->cv_done);
    return CTI_OK;
}

/* Close the worker's segment: metadata, commit, spelling, sync, hand it over. */
static cti_status seg_close(cti_worker *w)
{
    cti_index *ix = w->ix;
    cti_status st;
    if (!w->seg)
        return CTI_OK;
    if ((st = cti_index_stamp(ix, w->seg)) != CTI_OK) {
        werror(ix, "cannot write segment %s: %s", w->segname,
               write_error(ix, st));
        cti_db_free(w->seg);
    } else if ((st = cti_db_close(w->seg)) != CTI_OK) {
        werror(ix, "cannot write segment %s: %s", w->segname,
               write_error(ix, st));
    }
    w->seg = NULL;
    /* Spelling counts go to the run's map: written once, at the end. */
    pthread_mutex_lock(&ix->mu);
    if (st == CTI_OK)
        st = spell_hand_over_locked(w);
    pthread_mutex_unlock(&ix->mu);
    cti_smap_clear(&w->spell);
    char *path = cti_folder_path(ix->dir, w->segname);
    if (st == CTI_OK && (!path || cti_folder_sync_tree(path) != CTI_OK)) {
        werror(ix, "cannot sync segment %s: %s", w->segname,
               strerror(path ? errno : ENOMEM));
        st = CTI_EIO;
    }
    free(path);
    pthread_mutex_lock(&ix->mu);
    if (st == CTI_OK)
        st = hand_over_locked(w);
    if (st != CTI_OK)
        ix->fatal = 1;
    pthread_mutex_unlock(&ix->mu);
    free(w->segname); /* a failed segment is debris for the next run */
    w->segname = NULL;
    w->segbytes = 0;
    w->flushbytes = 0;
    w->seglimit = w->seglimit > ix->seg_max / 4 ? ix->seg_max : 4 * w->seglimit;
    return st;
}

/* Open a new segment seg.<rungen>.<k> for the worker. */
static cti_status seg_open(cti_worker *w)
{
    cti_index *ix = w->ix;
    char name[48];
    pthread_mutex_lock(&ix->mu);
    unsigned k = ix->segno++;
    pthread_mutex_unlock(&ix->mu);
    snprintf(name, sizeof name, "seg.%u.%u", ix->rungen, k);
    if (!w->seglimit)
        w->seglimit = ix->seg_limit;
    char *path = cti_folder_path(ix->dir, name);
    if (!path || !(w->segname = strdup(name))) {
        free(path);
        werror(ix, "out of memory");
        return CTI_ENOMEM;
    }
    cti_status st = cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE |
                                          CTI_DB_NO_SYNC | CTI_DB_DANGEROUS,
                                &w->seg);
    free(path);
    if (st != CTI_OK) {
        werror(ix, "cannot create segment %s: %s", name, write_error(ix, st));
        free(w->segname);
        w->segname = NULL;
    }
    return st;
}

/* List the segments closed so far in the stub (after committing main). */
static cti_status publish(cti_index *ix)
{
    pthread_mutex_lock(&ix->pubmu);
    pthread_mutex_lock(&ix->mu);
    size_t n = ix->ndone;
    char **d = ix->done;
    ix->done = NULL;
    ix->ndone = ix->capdone = 0;
    pthread_mutex_unlock(&ix->mu);
    if (!n) {
        pthread_mutex_unlock(&ix->pubmu);
        return CTI_OK;
    }
    cti_status st = cti_index_commit(ix);
    for (size_t i = 0; i < n; i++) {
        /* One not listed is removed as debris by the next run. */
        cti_status s = cti_folder_add_seg(ix, d[i]);
        if (s == CTI_OK)
            ix->st.segments++;
        else if (st == CTI_OK)
            st = cti_index_fail(ix, "cannot list a segment", s);
    }
    free(d);
    if (st == CTI_OK && (st = cti_folder_stub_write(ix)) != CTI_OK)
        ix->fatal = 1;
    pthread_mutex_unlock(&ix->pubmu);
    return st;
}

/* Take the next job, or NULL when closing and the queue is empty. */
static cti_job *next_job(cti_worker *w, int *broken)
{
    cti_index *ix = w->ix;
    pthread_mutex_lock(&ix->mu);
    while (!ix->qhead && !ix->closing)
        pthread_cond_wait(&ix->cv_job, &ix->mu);
    cti_job *j = ix->qhead;
    if (j) {
        ix->qhead = j->next;
        if (!ix->qhead)
            ix->qtail = NULL;
        ix->qbytes -= j->bytes;
        pthread_cond_signal(&ix->cv_room);
    }
    *broken |= ix->fatal;
    pthread_mutex_unlock(&ix->mu);
    return j;
}

/* Write job 'j' into the worker's segment; close and publish a full one. */
static cti_status work(cti_worker *w, cti_job *j)
{
    cti_index *ix = w->ix;
    cti_status st = CTI_OK;
    if (!w->seg && (st = seg_open(w)) != CTI_OK)
        return st;
    /* A new article: its sync record has no flags yet (cti_sync.c). */
    st = cti_docbuild_article(w->an, w->doc, &j->a, 0, ix->o.zlevel, w->tw,
                              &w->spell, ++w->docno, w->clean, 0);
    if (st == CTI_OK)
        st = cti_db_add(w->seg, w->doc, NULL);
    if (st != CTI_OK) {
        werror(ix, "%s: cannot index: %s", j->a.id, write_error(ix, st));
        return st;
    }
    w->segbytes += j->bytes;
    w->flushbytes += j->bytes;
    if (w->segbytes >= w->seglimit)
        return (st = seg_close(w)) != CTI_OK ? st : publish(ix);
    if (w->flushbytes >= (size_t)(ix->pos_article ? CTI_FLUSH_KB
                                                  : CTI_FLUSH_KB_TABLE) << 10) {
        w->flushbytes = 0;
        if ((st = cti_db_commit(w->seg)) != CTI_OK)
            werror(ix, "cannot write segment %s: %s", w->segname,
                   write_error(ix, st));
    }
    return st;
}

static void *worker_main(void *arg)
{
    cti_worker *w = arg;
    cti_index *ix = w->ix;
    int broken = 0;
    cti_job *j;
    while ((j = next_job(w, &broken))) {
        if (!broken && work(w, j) != CTI_OK)
            broken = 1;
        /* What a broken worker drops is counted as failed by the
           reconciliation at the end (cti_sync_reconcile). */
        if (broken)
            ix->fatal = 1;
        cti_article_release(&j->a);
        free(j);
    }
    if (!broken)
        seg_close(w);
    cti_db_free(w->seg);
    w->seg = NULL;
    pthread_mutex_lock(&ix->mu);
    ix->running--;
    pthread_cond_signal(&ix->cv_done);
    pthread_mutex_unlock(&ix->mu);
    return NULL;
}

/*
 * A worker's cleaning: it looks things up in the main database as it was
 * committed before the workers started (its own read handle), and the
 * run counts what the workers build in memory.  -1: no memory.
 */
static int worker_clean(cti_index *ix, cti_worker *w)
{
    if (!ix->clean_run)
        return 0;
    cti_clean_run_set_in_memory(ix->clean_run, 1);
    if (ix->mainname && !ix->remote) {
        char *path = cti_folder_path(ix->dir, ix->mainname);
        if (!path || cti_db_open(path, CTI_DB_READ, &w->look) != CTI_OK)
            w->look = NULL; /* an empty or unreadable main: nothing to count */
        free(path);
    }
    if (cti_clean_new(ix->clean_run, w->look, &w->clean) != CTI_OK)
        return -1;
    w->copy_look = cti_index_copy_look(ix);
    cti_clean_set_copy_db(w->clean, w->copy_look);
    return 0;
}

cti_status cti_bulk_start(cti_index *ix)
{
    cti_status st;
    unsigned n = ix->o.jobs;
    if (n == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (unsigned)c : 1;
    }
    if (n > 64)
        n = 64;
    /* Commit direct-path work first: segments must not hold older copies. */
    if ((st = cti_index_commit(ix)) != CTI_OK)
        return st;
    ix->workers = calloc(n, sizeof *ix->workers);
    if (!ix->workers)
        return cti_index_fail(ix, "cannot start the bulk path", CTI_ENOMEM);
    ix->capworkers = n;
    ix->rungen = ix->gen++;
    ix->bulk = 1;
    ix->st.bulk = 1;
    for (unsigned i = 0; i < n; i++) {
        cti_worker *w = &ix->workers[i];
        w->ix = ix;
        if (cti_analyzer_new(ix->language, &w->an) != 0 ||
            cti_doc_new(&w->doc) != CTI_OK ||
            cti_index_doc_format(ix, w->doc) != CTI_OK ||
            (ix->tw && cti_text_writer_new(ix->text, &w->tw) != CTI_OK) ||
            worker_clean(ix, w) < 0)
            return cti_index_fail(ix, "cannot start the bulk path",
                                  CTI_ENOMEM);
        if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
            cti_report_say(ix->rep, "cannot start a worker thread");
            ix->fatal = 1;
            return CTI_ERROR;
        }
        w->started = 1;
        ix->nworkers++;
        pthread_mutex_lock(&ix->mu);
        ix->running++;
        pthread_mutex_unlock(&ix->mu);
    }
    return CTI_OK;
}

/* A job taking over the strings of article 'a' (cti_indexer_int.h). */
cti_job *cti_bulk_job_new(cti_article *a)
{
    cti_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->a = *a;
    j->a.origin = NULL;
    a->id = a->title = a->date = a->author = a->source = a->url = a->body =
        a->aside = NULL;
    j->bytes = j->a.body_len + (j->a.title ? strlen(j->a.title) : 0);
    return j;
}

void cti_bulk_job_free(cti_job *j)
{
    cti_article_release(&j->a);
    free(j);
}

/* Wait on 'cv' for at most a quarter of a second; 1 if the time ran out. */
static int wait_a_while(pthread_cond_t *cv, pthread_mutex_t *mu)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 250000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return pthread_cond_timedwait(cv, mu, &ts) == ETIMEDOUT;
}

/*
 * Wait on 'cv' ([mu] held).  When a progress line is shown, wake up now
 * and then to keep it moving while the workers catch up.
 */
static void wait_showing_progress(cti_index *ix, pthread_cond_t *cv)
{
    if (ix->rep->progress) {
        if (wait_a_while(cv, &ix->mu)) {
            pthread_mutex_unlock(&ix->mu);
            cti_report_progress(ix->rep, 0);
            pthread_mutex_lock(&ix->mu);
        }
    } else {
        pthread_cond_wait(cv, &ix->mu);
    }
}

cti_status cti_bulk_push(cti_index *ix, cti_article *a)
{
    cti_job *j = cti_bulk_job_new(a);
    if (!j)
        return cti_index_fail(ix, "cannot index", CTI_ENOMEM);
    pthread_mutex_lock(&ix->mu);
    while (ix->qbytes > ix->q_limit && !ix->fatal)
        wait_showing_progress(ix, &ix->cv_room);
    int fatal = ix->fatal;
    if (!fatal) {
        if (ix->qtail)
            ix->qtail->next = j;
        else
            ix->qhead = j;
        ix->qtail = j;
        ix->qbytes += j->bytes;
        pthread_cond_signal(&ix->cv_job);
    }
    pthread_mutex_unlock(&ix->mu);
    if (fatal) {
        cti_bulk_job_free(j);
        return CTI_ESTATE;
    }
    return publish(ix);
}

cti_status cti_bulk_stop(cti_index *ix)
{
    cti_status st = CTI_OK, s;
    pthread_mutex_lock(&ix->mu);
    ix->closing = 1;
    pthread_cond_broadcast(&ix->cv_job);
    /* Publish segments as they are completed, until every worker is done. */
    while (ix->running) {
        while (ix->running && !ix->ndone)
            wait_showing_progress(ix, &ix->cv_done);
        pthread_mutex_unlock(&ix->mu);
        if ((s = publish(ix)) != CTI_OK && st == CTI_OK)
            st = s;
        cti_report_progress(ix->rep, 0);
        pthread_mutex_lock(&ix->mu);
    }
    pthread_mutex_unlock(&ix->mu);
    for (unsigned i = 0; i < ix->nworkers; i++)
        if (ix->workers[i].started) {
            pthread_join(ix->workers[i].th, NULL);
            ix->workers[i].started = 0;
        }
    if (ix->werr)
        cti_report_say(ix->rep, "%s: %s", ix->dir, ix->werr);
    if ((s = publish(ix)) != CTI_OK && st == CTI_OK)
        st = s;
    if (st == CTI_OK && ix->fatal)
        st = CTI_ERROR;
    return st;
}

cti_status cti_bulk_defer(cti_index *ix, cti_article *a)
{
    cti_job *j = cti_bulk_job_new(a);
    if (!j) {
        ix->st.failed++;
        return CTI_OK;
    }
    *ix->deferred_tail = j;
    ix->deferred_tail = &j->next;
    return CTI_OK;
}

cti_status cti_bulk_write_deferred(cti_index *ix)
{
    cti_status st = CTI_OK;
    ix->bulk = 0;
    while (st == CTI_OK && ix->deferred) {
        cti_job *j = ix->deferred;
        ix->deferred = j->next;
        cti_sync_ent *s = cti_sync_get(ix, j->a.id, strlen(j->a.id), 0);
        if (s)
            st = cti_index_write(ix, &j->a, s, 1);
        cti_bulk_job_free(j);
    }
    return st;
}

void cti_bulk_free(cti_index *ix)
{
    if (ix->nworkers) {
        pthread_mutex_lock(&ix->mu);
        ix->closing = 1;
        ix->fatal = 1; /* abandon: workers drop what is queued */
        pthread_cond_broadcast(&ix->cv_job);
        pthread_mutex_unlock(&ix->mu);
        for (unsigned i = 0; i < ix->nworkers; i++) {
            cti_worker *w = &ix->workers[i];
            if (w->started)
                pthread_join(w->th, NULL);
        }
    }
    for (unsigned i = 0; i < ix->capworkers; i++) {
        cti_worker *w = &ix->workers[i];
        cti_db_free(w->seg);
        free(w->segname);
        cti_analyzer_free(w->an);
        cti_doc_free(w->doc);
        cti_smap_free(&w->spell);
        cti_clean_free(w->clean);
        cti_text_writer_free(w->tw);
        cti_db_free(w->look);
        cti_db_free(w->copy_look);
    }
    free(ix->workers);
    while (ix->qhead) {
        cti_job *j = ix->qhead;
        ix->qhead = j->next;
        cti_bulk_job_free(j);
    }
    while (ix->deferred) {
        cti_job *j = ix->deferred;
        ix->deferred = j->next;
        cti_bulk_job_free(j);
    }
    for (size_t i = 0; i < ix->ndone; i++)
        free(ix->done[i]);
    free(ix->done);
    free(ix->werr);
    pthread_mutex_destroy(&ix->mu);
    pthread_mutex_destroy(&ix->pubmu);
    pthread_cond_destroy(&ix->cv_job);
    pthread_cond_destroy(&ix->cv_room);
    pthread_cond_destroy(&ix->cv_done);
}
