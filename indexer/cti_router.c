/*
 * cti_router.c - the indexer of cti_indexer.h: a router over the N
 * indexes (cti_index.c) that make up what --db names.
 *
 * An unsharded index, local or remote, is one index; a sharded one
 * (cti_shard.h) is one per shard, and each article goes to the shard
 * cti_shard_pick() gives for its id.  The router reads the layout,
 * opens the indexes (creating a new sharded layout under its own lock),
 * routes the walk's articles, finishes the indexes side by side, and
 * sums their counts.  A removal by id goes to the shard of that id; one
 * by path, and what the walk says of folders and collection files, goes
 * to every shard.
 */
#include "cti_indexer_int.h"

#include "cti_passed.h"
#include "cti_schema.h"
#include "cti_sharding.h"
#include "cti_source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cti_indexer {
    cti_indexer_opts o;
    cti_report rep;       /* one stream and progress line for all */
    cti_indexer_stats st; /* the walk's own counts (failed inputs...) */
    char *dir;            /* what --db names */
    int lockfd;           /* a sharded folder's lock, or -1 */
    cti_shard_kind kind;  /* the layout */
    cti_index **ix;       /* the indexes, in shard order */
    unsigned n;
    cti_passed *passed;   /* files passed over, remembered in a local
                             index folder (NULL: not remembered) */
    int unsized;          /* a path of unknown size was expected */
    cti_clean_run *copies; /* shards: the table of copies they share */
    int fatal;
    int finished;
    cti_smap files_read;  /* collection files read in this run */
};

void cti_indexer_opts_init(cti_indexer_opts *o)
{
    memset(o, 0, sizeof *o);
    o->bulk = CTI_BULK_AUTO;
    o->zlevel = -1;
}

/* Add every count of 's' to 'sum' ('bulk' is or-ed; 'seconds' is left). */
static void stats_add(cti_indexer_stats *sum, const cti_indexer_stats *s)
{
    sum->added += s->added;
    sum->updated += s->updated;
    sum->unchanged += s->unchanged;
    sum->removed += s->removed;
    sum->failed += s->failed;
    sum->warnings += s->warnings;
    sum->undated += s->undated;
    sum->skipped += s->skipped;
    sum->articles += s->articles;
    sum->bytes += s->bytes;
    sum->bulk |= s->bulk;
    sum->segments += s->segments;
}

/* The counts of the progress line (cti_report.count). */
static void count_progress(void *ctx, cti_indexer_stats *sum,
                           uint64_t *queued)
{
    cti_indexer *r = ctx;
    for (unsigned i = 0; i < r->n; i++) {
        cti_index *ix = r->ix[i];
        sum->added += ix->st.added;
        sum->updated += ix->st.updated;
        sum->unchanged += ix->st.unchanged;
        sum->bytes += ix->st.bytes;
        if (ix->nworkers) {
            pthread_mutex_lock(&ix->mu);
            *queued += ix->qbytes;
            pthread_mutex_unlock(&ix->mu);
        }
    }
}

/* The index that holds (or will hold) article id 'id'. */
static cti_index *route(cti_indexer *r, const char *id)
{
    return r->ix[cti_shard_pick(id, strlen(id), r->n)];
}

static int cb_want_file(void *ctx, const char *id, const struct stat *sb)
{
    cti_indexer *r = ctx;
    int want = cti_sync_want_file(route(r, id), id, sb);
    cti_report_progress(&r->rep, 0);
    return want;
}

/*
 * Give record 'a' the id --id-prefix and --scoped-ids make of its own:
 * PREFIX + [FILE "#"] + id (an id that starts with FILE "#" keeps it).
 * Returns 0, or -1 when out of memory.
 */
static int scope_id(const cti_indexer *r, cti_article *a)
{
    int file = a->line == 0 && a->size >= 0 && a->mtime_ns >= 0;
    const char *pre = r->o.id_prefix ? r->o.id_prefix : "";
    const char *scope = r->o.scoped_ids && a->container ? a->container : "";
    size_t pl = strlen(pre), sl = strlen(scope), il = strlen(a->id);
    if (sl && !strncmp(a->id, scope, sl) && a->id[sl] == '#')
        sl = 0; /* an id made from the content already names the file */
    if (file || (!pl && !sl))
        return 0;
    char *id = malloc(pl + sl + 1 + il + 1), *p = id;
    if (!id)
        return -1;
    memcpy(p, pre, pl);
    p += pl;
    if (sl) {
        memcpy(p, scope, sl);
        p += sl;
        *p++ = '#';
    }
    memcpy(p, a->id, il + 1);
    free(a->id);
    a->id = id;
    return 0;
}

static int cb_article(void *ctx, cti_article *a)
{
    cti_indexer *r = ctx;
    if (!a->id || !*a->id) {
        r->st.failed++; /* no id, no place */
        return 0;
    }
    if (a->container &&
        cti_smap_get(&r->files_read, a->container, strlen(a->container), 0,
                     NULL))
        return 0; /* a file given twice: its records were handled */
    if (scope_id(r, a) < 0) {
        cti_report_say(&r->rep, "%s:%lu: out of memory", a->origin, a->line);
        r->st.failed++;
        return 0;
    }
    cti_status st = cti_sync_article(route(r, a->id), a);
    cti_report_progress(&r->rep, 0);
    return st == CTI_OK ? 0 : -1;
}

static void cb_problem(void *ctx, const char *path, unsigned long line,
                       const char *msg, int skipped)
{
    cti_indexer *r = ctx;
    if (skipped == CTI_SOURCE_FAILED)
        r->st.failed++;
    else if (skipped == CTI_SOURCE_WARNING || skipped == CTI_SOURCE_UNDATED)
        r->st.warnings++;
    else if (skipped == CTI_SOURCE_PASSED)
        r->st.skipped++;
    r->st.undated += skipped == CTI_SOURCE_UNDATED;
    if (skipped != 1 && r->o.quiet)
        return;
    if (line)
        cti_report_say(&r->rep, "%s:%lu: %s", path, line, msg);
    else
        cti_report_say(&r->rep, "%s: %s", path, msg);
}

/* A file passed over: noticed when new or changed, counted always. */
static void cb_passed(void *ctx, const char *path, const char *msg,
                      const char *id, const struct stat *st)
{
    cti_indexer *r = ctx;
    r->st.skipped++;
    if (r->passed && cti_passed_seen(r->passed, id, st))
        return; /* said in an earlier run: the file has not changed */
    if (!r->o.quiet)
        cti_report_say(&r->rep, "%s: %s", path, msg);
}

static void cb_consumed(void *ctx, uint64_t bytes)
{
    cti_indexer *r = ctx;
    r->rep.done += bytes;
}

static void cb_walked_dir(void *ctx, const char *dir)
{
    cti_indexer *r = ctx;
    if (r->passed)
        cti_passed_walked(r->passed, dir);
    for (unsigned i = 0; i < r->n; i++)
        if (!cti_smap_get(&r->ix[i]->walked, dir, strlen(dir), 1, NULL))
            r->ix[i]->fatal = 1;
}

static void cb_walked_file(void *ctx, const char *path, int complete)
{
    cti_indexer *r = ctx;
    if (!cti_smap_get(&r->files_read, path, strlen(path), 1, NULL)) {
        cti_report_say(&r->rep, "%s: out of memory", path);
        r->fatal = 1;
    }
    for (unsigned i = 0; i < r->n; i++)
        cti_sync_walked_file(r->ix[i], path, complete);
}

/* Open the single index (local folder, or remote) that --db names. */
static cti_status open_single(cti_indexer *r, const cti_shard_layout *lay)
{
    const cti_shard_target *t = lay->n ? &lay->t[0] : NULL;
    if (!(r->ix = calloc(1, sizeof *r->ix)))
        return CTI_ENOMEM;
    r->n = 1;
    return cti_index_open(&r->o, r->dir, t ? t->host : NULL,
                          t ? t->port : 0, 0, NULL, &r->rep, &r->ix[0]);
}

/* Check what shard i says of itself against its place in the layout. */
static cti_status check_shard(cti_indexer *r, const cti_shard_layout *lay,
                              unsigned i)
{
    cti_index *ix = r->ix[i];
    char *k = NULL;
    cti_status st = CTI_OK;
    /* Each shard knows its number: a stub listing them out of order
       would send articles to the wrong shard. */
    if (ix->main && cti_db_get_metadata(ix->main, CTI_META_SHARD, &k,
                                        NULL) == CTI_OK &&
        *k && strtoul(k, NULL, 10) != i) {
        cti_report_say(&r->rep, "index '%s': %s is shard %s, not shard %u "
                       "(list the shards in order)", r->dir,
                       lay->t[i].label, k, i);
        st = CTI_EINVAL;
    } else if (strcmp(ix->language, r->ix[0]->language)) {
        cti_report_say(&r->rep, "index '%s': shard %u has language '%s', "
                       "shard 0 '%s'", r->dir, i, ix->language,
                       r->ix[0]->language);
        st = CTI_EINVAL;
    }
    free(k);
    if (st != CTI_OK || i != 0)
        return st;
    /* Shard 0 records how many shards there are: the stub must agree. */
    if (ix->main && cti_db_get_metadata(ix->main, CTI_META_SHARDS, &k,
                                        NULL) == CTI_OK &&
        *k && strtoul(k, NULL, 10) != lay->n) {
        cti_report_say(&r->rep, "index '%s' lists %u shards but its first "
                       "shard belongs to an index of %s", r->dir, lay->n, k);
        st = CTI_EINVAL;
    }
    free(k);
    return st;
}

/* Open one index per shard of 'lay', sharing out jobs and memory. */
static cti_status open_shards(cti_indexer *r, const cti_shard_layout *lay)
{
    cti_status st;
    unsigned jobs = r->o.jobs;
    if (!jobs) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 ? (unsigned)c : 1;
    }
    unsigned mem = r->o.memory_mb ? r->o.memory_mb : CTI_DEFAULT_MEMORY_MB;
    if (!(r->ix = calloc(lay->n, sizeof *r->ix)))
        return CTI_ENOMEM;
    /* Copies are found across the shards (cti_clean.h). */
    if (!r->o.no_clean && cti_clean_run_new(1, &r->copies) != CTI_OK)
        return CTI_ENOMEM;
    cti_index_share share = { r->copies, r->dir };
    for (unsigned i = 0; i < lay->n; i++) {
        const cti_shard_target *t = &lay->t[i];
        cti_indexer_opts so = r->o;
        char tcp[320];
        so.compact = 0;
        so.jobs = jobs / lay->n ? jobs / lay->n : 1;
        so.memory_mb = mem / lay->n > 32 ? mem / lay->n : 32;
        if (t->host) {
            int v6 = strchr(t->host, ':') != NULL;
            snprintf(tcp, sizeof tcp, "tcp:%s%s%s:%u", v6 ? "[" : "",
                     t->host, v6 ? "]" : "", t->port);
        }
        if ((st = cti_index_open(&so, t->host ? tcp : t->path, t->host,
                                 t->port, 1, &share, &r->rep,
                                 &r->ix[i])) != CTI_OK)
            return st;
        r->n++;
        if ((st = check_shard(r, lay, i)) != CTI_OK)
            return st;
    }
    return CTI_OK;
}

/*
 * Refuse what cannot be written as asked: --shards on an existing index
 * of another shape, --compact on a stub file.  CTI_OK or CTI_EINVAL.
 */
static cti_status check_layout(cti_indexer *r, const cti_shard_layout *lay,
                               unsigned want)
{
    if (lay->kind == CTI_SHARD_SINGLE && want) {
        cti_report_say(&r->rep, "index '%s' is not sharded; --shards applies "
                       "to a new index (give --db a new folder)", r->dir);
        return CTI_EINVAL;
    }
    if (lay->kind != CTI_SHARD_NONE && want && want != lay->n) {
        cti_report_say(&r->rep, "index '%s' has %u shards, not %u (the "
                       "number of shards of an index never changes)",
                       r->dir, lay->n, want);
        return CTI_EINVAL;
    }
    if (lay->kind == CTI_SHARD_FILE && r->o.compact &&
        !(lay->n == 1 && lay->t[0].host)) {
        cti_report_say(&r->rep, "cannot compact '%s': compact each database "
                       "it lists where it lives (xapian-compact)", r->dir);
        return CTI_EINVAL;
    }
    return CTI_OK;
}

/*
 * Read the layout --db names and open its indexes: one for a local or
 * remote database, one per shard for a sharded folder (laid out now if
 * new, under the router's lock) or a stub file of shards.
 */
static cti_status open_layout(cti_indexer *r)
{
    cti_shard_layout lay;
    char err[512];
    cti_status st;
    unsigned want = r->o.shards > 1 ? r->o.shards : 0;
    if (cti_shard_layout_read(r->dir, &lay, err, sizeof err) != CTI_OK) {
        cti_report_say(&r->rep, "cannot open index '%s': %s", r->dir, err);
        return CTI_EINVAL;
    }
    r->kind = lay.kind == CTI_SHARD_NONE && want ? CTI_SHARD_DIR : lay.kind;
    if ((st = check_layout(r, &lay, want)) != CTI_OK)
        goto done;
    if (r->kind == CTI_SHARD_NONE || r->kind == CTI_SHARD_SINGLE ||
        r->kind == CTI_SHARD_TCP || (r->kind == CTI_SHARD_FILE &&
                                     lay.n == 1 && lay.t[0].host)) {
        st = open_single(r, &lay);
        goto done;
    }
    if (r->kind == CTI_SHARD_DIR) {
        if ((st = cti_folder_claim(&r->rep, r->dir, r->o.wait, r->o.quiet,
                                   &r->lockfd)) != CTI_OK)
            goto done;
        if (lay.kind == CTI_SHARD_NONE &&
            (cti_shard_layout_create(r->dir, want, err, sizeof err) !=
                 CTI_OK ||
             cti_shard_layout_read(r->dir, &lay, err, sizeof err) !=
                 CTI_OK)) {
            cti_report_say(&r->rep, "cannot create index '%s': %s", r->dir,
                           err);
            st = CTI_EIO;
            goto done;
        }
    }
    st = open_shards(r, &lay);
done:
    cti_shard_layout_free(&lay);
    return st;
}

int cti_indexer_new(const cti_indexer_opts *o, cti_indexer **out)
{
    cti_indexer *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return -1;
    r->o = *o;
    r->lockfd = -1;
    cti_report_init(&r->rep, o->err, o->progress, o->quiet, o->verbose);
    r->rep.count = count_progress;
    r->rep.count_ctx = r;
    if (!o->db || !*o->db) {
        cti_report_say(&r->rep, "no index folder given");
        goto fail;
    }
    if (o->language && !cti_analyzer_language_ok(o->language)) {
        cti_report_say(&r->rep, "unknown language '%s'", o->language);
        goto fail;
    }
    if (!(r->dir = strdup(o->db))) {
        cti_report_say(&r->rep, "out of memory");
        goto fail;
    }
    if (open_layout(r) != CTI_OK)
        goto fail;
    /* A local index folder remembers the files it passed over. */
    if ((r->kind == CTI_SHARD_NONE || r->kind == CTI_SHARD_SINGLE ||
         r->kind == CTI_SHARD_DIR) &&
        cti_passed_open(r->dir, &r->passed) != CTI_OK) {
        cti_report_say(&r->rep, "out of memory");
        goto fail;
    }
    *out = r;
    return 0;
fail:
    cti_indexer_free(r);
    return -1;
}

void cti_indexer_expect(cti_indexer *r, const char *path)
{
    uint64_t bytes;
    if (r->unsized)
        return;
    if (cti_source_measure(path, NULL, &bytes) == 0) {
        r->rep.total += bytes;
    } else {
        r->unsized = 1; /* one path of unknown size: no total */
        r->rep.total = 0;
    }
}

static long from_path(cti_indexer *r, const char *path, int mark);

/*
 * A PATH to index that does not exist while the index still holds
 * articles from it: say so, pointing to --prune and --remove, and keep
 * them (a mistyped path, or a disk not mounted, must not empty the
 * index).  Returns 1 when reported (or on a fatal error), 0 to walk
 * 'path' as usual.
 */
static int still_indexed(cti_indexer *r, const char *path)
{
    struct stat sb;
    if (!strcmp(path, "-") || stat(path, &sb) == 0 ||
        (errno != ENOENT && errno != ENOTDIR))
        return 0;
    char *abs = cti_removal_resolve(path);
    long n = abs ? from_path(r, abs, 0) : 0;
    free(abs);
    if (n == 0)
        return 0;
    if (n > 0) {
        char msg[320];
        snprintf(msg, sizeof msg, "no such file or folder, but the index "
                 "still holds %ld article%s from it (cti-index --prune "
                 "removes the articles of files that are gone; --remove "
                 "PATH removes these)", n, n == 1 ? "" : "s");
        cb_problem(r, path, 0, msg, CTI_SOURCE_FAILED);
    }
    return 1;
}

int cti_indexer_add_path(cti_indexer *r, const char *path)
{
    cti_source_opts so;
    cti_source_cb cb;
    if (r->fatal || r->finished)
        return -1;
    if (r->o.reading)
        so = *r->o.reading;
    else
        memset(&so, 0, sizeof so);
    memset(&cb, 0, sizeof cb);
    cb.want_file = cb_want_file;
    cb.article = cb_article;
    cb.problem = cb_problem;
    cb.walked_dir = cb_walked_dir;
    cb.passed = cb_passed;
    cb.consumed = cb_consumed;
    cb.walked_file = cb_walked_file;
    if (!still_indexed(r, path))
        cti_source_walk(path, &so, &cb, r);
    for (unsigned i = 0; i < r->n; i++)
        r->fatal |= r->ix[i]->fatal;
    return r->fatal ? -1 : 0;
}

/* Mark the article of id 'id' in its shard: 1, 0 (none), -1 (fatal). */
static int remove_id(cti_indexer *r, const char *id)
{
    return cti_removal_mark_id(route(r, id), id, strlen(id));
}

/* Count (and mark if 'mark') what every shard holds from 'path'. */
static long from_path(cti_indexer *r, const char *path, int mark)
{
    long n = 0;
    for (unsigned i = 0; i < r->n; i++) {
        long k = cti_removal_mark_path(r->ix[i], path, mark);
        if (k < 0)
            return -1;
        n += k;
    }
    return n;
}

long cti_indexer_remove(cti_indexer *r, const char *what)
{
    long n;
    char *abs = NULL;
    if (r->fatal || r->finished)
        return -1;
    n = *what ? remove_id(r, what) : 0;
    if (n == 0 && (abs = cti_removal_resolve(what)) != NULL) {
        /* An id shown relative to the current folder, or a path. */
        if (strcmp(abs, what))
            n = remove_id(r, abs);
        if (n == 0)
            n = from_path(r, abs, 1);
    }
    free(abs);
    for (unsigned i = 0; i < r->n; i++)
        r->fatal |= r->ix[i]->fatal;
    if (r->fatal)
        return -1;
    if (n == 0)
        cb_problem(r, what, 0, "not in the index (no article has this id "
                   "or comes from this path)", CTI_SOURCE_FAILED);
    return n;
}

/* One index finishing (its last segments, its merge) in a thread. */
typedef struct ending {
    cti_index *ix;
    cti_status st;
    pthread_t th;
    int started;
} ending;

static void *ending_main(void *arg)
{
    ending *e = arg;
    e->st = cti_index_finish(e->ix);
    return NULL;
}

/*
 * Finish every index, side by side (they are independent), the first in
 * the calling thread.  Returns CTI_OK or the first failure.
 */
static cti_status finish_all(cti_indexer *r)
{
    cti_status st = CTI_OK;
    ending *ends = calloc(r->n, sizeof *ends);
    if (!ends) {
        cti_report_say(&r->rep, "out of memory");
        return CTI_ENOMEM;
    }
    /* The progress line sums the counts the threads are changing: it
       stays as it is meanwhile. */
    if (r->n > 1)
        r->rep.progress = 0;
    for (unsigned i = 0; i < r->n; i++) {
        ends[i].ix = r->ix[i];
        ends[i].started = i > 0 && pthread_create(&ends[i].th, NULL,
                                                  ending_main, &ends[i]) == 0;
    }
    /* One finishing after another: none waits for the others' copies. */
    for (unsigned i = 1; i < r->n; i++)
        if (!ends[i].started && r->ix[i]->clean_run)
            cti_clean_run_share_copies(r->ix[i]->clean_run, NULL);
    for (unsigned i = 0; i < r->n; i++)
        if (!ends[i].started)
            ending_main(&ends[i]);
    for (unsigned i = 0; i < r->n; i++) {
        if (ends[i].started)
            pthread_join(ends[i].th, NULL);
        if (ends[i].st != CTI_OK && st == CTI_OK)
            st = ends[i].st;
    }
    free(ends);
    return st;
}

/* Record N in shard 0 and its own number in every shard. */
static cti_status number_shards(cti_indexer *r)
{
    for (unsigned i = 0; i < r->n; i++) {
        cti_db *db = r->ix[i]->main;
        char v[16], k[16];
        cti_status s = CTI_OK;
        if (!db)
            continue;
        snprintf(v, sizeof v, "%u", r->n);
        snprintf(k, sizeof k, "%u", i);
        if (i == 0)
            s = cti_db_set_metadata(db, CTI_META_SHARDS, v, strlen(v));
        if (s == CTI_OK)
            s = cti_db_set_metadata(db, CTI_META_SHARD, k, strlen(k));
        if (s == CTI_OK)
            s = cti_db_commit(db);
        if (s != CTI_OK)
            return cti_index_fail(r->ix[i], "cannot write the shard numbers",
                                  s);
    }
    return CTI_OK;
}

/* --compact on a sharded folder: close the shards, merge them into one. */
static cti_status unshard(cti_indexer *r)
{
    char err[512];
    for (unsigned i = 0; i < r->n; i++) {
        cti_index_free(r->ix[i]);
        r->ix[i] = NULL;
    }
    unsigned n = r->n;
    r->n = 0;
    if (cti_shard_unshard(r->dir, n, "db.1", err, sizeof err) != CTI_OK) {
        cti_report_say(&r->rep, "%s", err);
        return CTI_ERROR;
    }
    return CTI_OK;
}

/*
 * Say, for each collection file read with an error, how many of its
 * articles not met in this run stayed (summed over the shards).
 */
static void report_kept(cti_indexer *r)
{
    for (unsigned i = 0; i < r->n && !r->o.quiet; i++) {
        const cti_index *ix = r->ix[i];
        for (size_t k = 0; k < ix->nconts; k++) {
            const cti_sync_cont *c = &ix->conts[k];
            unsigned long kept = 0;
            const char *name = c->display ? c->display : c->path;
            int first = 1;
            if (!c->kept)
                continue;
            for (unsigned j = 0; j < r->n && first; j++) {
                cti_index *o = r->ix[j];
                cti_smap_ent *e = cti_smap_get(&o->contmap, c->path, c->len,
                                               0, NULL);
                if (!e || !o->conts[e->val].kept)
                    continue;
                first = j >= i; /* an earlier shard said it already */
                kept += o->conts[e->val].kept;
                if (o->conts[e->val].display)
                    name = o->conts[e->val].display;
            }
            if (first)
                cti_report_say(&r->rep, "%s: not read completely, so its "
                               "%lu article%s not met in this run stay%s in "
                               "the index", name, kept, kept == 1 ? "" : "s",
                               kept == 1 ? "s" : "");
        }
    }
}

int cti_indexer_finish(cti_indexer *r, cti_indexer_stats *out)
{
    if (r->finished)
        return -1;
    r->finished = 1;
    cti_status st = finish_all(r);
    report_kept(r);
    cti_indexer_stats sum = r->st;
    for (unsigned i = 0; i < r->n; i++)
        stats_add(&sum, &r->ix[i]->st);
    if (st == CTI_OK && r->n > 1)
        st = number_shards(r);
    if (st == CTI_OK && r->o.compact && r->kind == CTI_SHARD_DIR)
        st = unshard(r);
    if (st == CTI_OK && r->passed && cti_passed_save(r->passed) != CTI_OK &&
        !r->o.quiet)
        cti_report_say(&r->rep, "%s: cannot remember the files passed over: %s",
                       r->dir, strerror(errno));
    sum.seconds = cti_report_now() - r->rep.t0;
    cti_report_clear(&r->rep);
    if (out)
        *out = sum;
    if (st != CTI_OK)
        return -1;
    return sum.failed ? 1 : 0;
}

void cti_indexer_free(cti_indexer *r)
{
    if (!r)
        return;
    for (unsigned i = 0; i < r->n; i++)
        cti_index_free(r->ix[i]);
    cti_clean_run_free(r->copies);
    free(r->ix);
    cti_passed_free(r->passed);
    free(r->dir);
    cti_smap_free(&r->files_read);
    if (r->lockfd >= 0)
        close(r->lockfd);
    cti_report_destroy(&r->rep);
    free(r);
}
