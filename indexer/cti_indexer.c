/*
 * cti_indexer.c - articles into the index: documents, sync, bulk segments.
 *
 * Documents (the contract is cti_schema.h)
 *   Title stems are posted unprefixed and under "S" from position
 *   CTI_POS_TITLE, body stems unprefixed from CTI_POS_BODY (or right after
 *   a very long title); author stems under "A" and source stems under "XS"
 *   from position 1; dates as Y/M/D boolean terms and "YYYYMMDD" in
 *   CTI_SLOT_DATE; the id term "Q"+id; the data is a cti_store record.
 *   Its body stream is written at zlib level 0 by default: Xapian's
 *   docdata table compresses every record with zlib anyway, so the text is
 *   deflated once (as small as level 9 in the record, and 11% less CPU).
 *   Only stems are indexed (no unstemmed twins), which halves the postings
 *   of Xapian's TermGenerator.
 *
 * Sync record
 *   CTI_SLOT_SOURCE holds "f <size> <mtime_ns> <id>" for an article read
 *   from a file (its id is the file's absolute path) and "j <id>" for a
 *   JSON line; CTI_SLOT_HASH holds the 16 hex digits of the article's
 *   content hash.  A run starts by reading both slots of every document
 *   through two value iterators (one pass, no document is opened) into a
 *   hash map id -> (size, mtime, hash).  A file whose size and mtime match
 *   is skipped after stat() alone; a changed file is re-read and replaced
 *   only if its content hash changed (a touched file just gets its new
 *   stat recorded and counts as unchanged); a JSON line with a known id
 *   replaces the old article when its hash differs.  Files that were
 *   indexed under a folder that was walked completely and were not seen
 *   are deleted at the end of the run.  Within one run a later article
 *   with the id of an earlier one wins.
 *
 * Spelling
 *   Every distinct folded word of 3 to 32 bytes without digits in the
 *   title and body of a document adds 1 to the word's spelling frequency
 *   (so the frequency is the number of documents holding the word);
 *   replacing or deleting a document first removes its old words, read
 *   back from its stored record.  Words are counted in hash maps: the
 *   direct path writes them at each commit; a bulk run sums its segments'
 *   counts and writes them once, as a segment of their own merged with
 *   the rest; if the run is killed first, the recovery merge of the next
 *   run counts the words of its segments again from their records.
 *
 * Two write paths
 *   Direct: each article is analysed in the calling thread and replaced by
 *   id in the main database, committed every 'batch' articles.  Used for
 *   a few changes to an existing index.
 *   Bulk: articles are queued to worker threads, each building small
 *   segment databases (no fsync, no crash safety while open) in the index
 *   folder.  A closed segment is synced to disk and then listed in the
 *   stub, so readers see it and a crash keeps it; replaced and removed
 *   articles are deleted from the main database, committed before that.
 *   At the end the main database and every segment are compacted into a
 *   new main database and the stub is atomically replaced (rename) to list
 *   only it.  A run that starts on an empty index takes this path; a run
 *   on an existing index switches to it once the articles it adds reach a
 *   quarter of the index (at least 2000).
 *
 * Crash safety
 *   The stub only ever lists committed databases, and is replaced by
 *   rename.  After a kill, the index holds the main database and the
 *   segments completed so far; the next run removes unlisted debris,
 *   merges the listed segments into a new main database, and its sync
 *   pass re-indexes what is missing.
 */
#include "cti_indexer.h"
#include "cti_indexer_int.h"

#include "cti_analyzer.h"
#include "cti_article.h"
#include "cti_path.h"
#include "cti_schema.h"
#include "cti_shard.h"
#include "cti_source.h"
#include "cti_store.h"
#include "cti_xapian.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fatal_db(cti_indexer *ix, const char *what, cti_status st);

/* ---- files ---- */


/* ---- the main database ---- */

cti_status cti_index_stamp(cti_db *db, const char *language)
{
    cti_status st = cti_db_set_metadata(db, CTI_META_SCHEMA,
                                        CTI_SCHEMA_VERSION,
                                        strlen(CTI_SCHEMA_VERSION));
    if (st == CTI_OK)
        st = cti_db_set_metadata(db, CTI_META_LANGUAGE, language,
                                 strlen(language));
    return st;
}

cti_status cti_index_fail(cti_index *ix, const char *what, cti_status st)
{
    if (st == CTI_ENOMEM)
        cti_report_say(ix->rep, "%s: %s: out of memory", ix->dir, what);
    else
        cti_report_say(ix->rep, "%s: %s: %s (%s)", ix->dir, what,
                       cti_errmsg(), cti_status_str(st));
    ix->fatal = 1;
    return st == CTI_OK ? CTI_ERROR : st;
}

static int fatal_db(cti_indexer *ix, const char *what, cti_status st)
{
    cti_index_fail(ix, what, st);
    return -1;
}

/* Create a new, empty main database db.<gen> (not yet listed). */
static int main_create(cti_indexer *ix)
{
    char name[32];
    snprintf(name, sizeof name, "db.%u", ix->gen++);
    char *path = cti_folder_path(ix->dir, name);
    if (!path)
        return -1;
    cti_status st = cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE, &ix->main);
    free(path);
    if (st != CTI_OK)
        return fatal_db(ix, "cannot create the index", st);
    if ((st = cti_index_stamp(ix->main, ix->language)) != CTI_OK ||
        (st = cti_db_commit(ix->main)) != CTI_OK)
        return fatal_db(ix, "cannot write the index", st);
    ix->mainname = strdup(name);
    return ix->mainname && cti_folder_stub_write(ix) == CTI_OK ? 0 : -1;
}

/* Commit the main database's pending changes (and direct-path spelling). */
static int main_commit(cti_indexer *ix)
{
    cti_status st;
    if (!ix->main)
        return 0;
    if (ix->spell.n && (st = cti_spelling_flush(&ix->spell, ix->main)) != CTI_OK)
        return fatal_db(ix, "cannot write spelling data", st);
    if (!ix->main_dirty && !ix->pending)
        return 0;
    if ((st = cti_db_commit(ix->main)) != CTI_OK)
        return fatal_db(ix, "cannot commit", st);
    ix->main_dirty = 0;
    ix->pending = 0;
    return 0;
}

/* ---- articles ---- */

/*
 * Write article 'a' on the current path.  'in_main' says an older version
 * is in the main database (indexed before this run, or written directly
 * earlier in this run).
 */
static int write_article(cti_indexer *ix, cti_article *a, cti_sync_ent *s,
                         int in_main)
{
    char idterm[CTI_IDTERM_MAX + 1];
    size_t itl = cti_indexer_idterm(a->id, strlen(a->id), idterm);
    int rc;
    cti_status st;

    if (ix->bulk)
        pthread_mutex_lock(&ix->pubmu);
    rc = in_main && ix->main ? cti_spelling_forget(ix, idterm, itl) : 0;
    if (ix->bulk)
        pthread_mutex_unlock(&ix->pubmu);
    if (rc)
        return fatal_db(ix, "cannot update spelling data", (cti_status)rc);

    if (!ix->bulk && !ix->finished && ix->o.bulk != CTI_BULK_NEVER &&
        (ix->o.bulk == CTI_BULK_ALWAYS ||
         ix->written >= (ix->doccount0 / 4 > CTI_SWITCH_MIN ? ix->doccount0 / 4
                                                        : CTI_SWITCH_MIN)) &&
        cti_bulk_start(ix) != CTI_OK)
        return -1;

    if (ix->bulk && in_main && ix->main) {
        /*
         * An update during a bulk run is replaced in the main database
         * itself: one commit swaps the old version for the new, so readers
         * always see exactly one of them.  (Deleting it from main and
         * sending the new version to a segment would leave a moment, from
         * main's commit until the segment is listed, with neither.)
         */
        pthread_mutex_lock(&ix->pubmu); /* publish() flushes ix->spell */
        rc = cti_docbuild_article(ix->an, ix->doc, a, ix->o.zlevel, &ix->spell,
                       ++ix->docno);
        if (rc) {
            pthread_mutex_unlock(&ix->pubmu);
            return fatal_db(ix, "cannot build document", (cti_status)rc);
        }
        st = cti_db_replace(ix->main, idterm, itl, ix->doc, NULL);
        ix->main_dirty = 1;
        rc = st == CTI_OK && ++ix->pending >= ix->o.batch ? main_commit(ix)
                                                          : 0;
        pthread_mutex_unlock(&ix->pubmu);
        if (st != CTI_OK)
            return fatal_db(ix, "cannot write", st);
        ix->written++;
        return rc;
    }
    if (ix->bulk) {
        s->state |= CTI_ST_SEG;
        ix->written++;
        return cti_bulk_push(ix, a) == CTI_OK ? 0 : -1;
    }

    if (!ix->main && main_create(ix) < 0)
        return -1;
    rc = cti_docbuild_article(ix->an, ix->doc, a, ix->o.zlevel, &ix->spell, ++ix->docno);
    if (rc)
        return fatal_db(ix, "cannot build document", (cti_status)rc);
    if ((st = cti_db_replace(ix->main, idterm, itl, ix->doc, NULL)) != CTI_OK)
        return fatal_db(ix, "cannot write", st);
    ix->written++;
    if (++ix->pending >= ix->o.batch)
        return main_commit(ix);
    return 0;
}

cti_status cti_index_write(cti_index *ix, cti_article *a, cti_sync_ent *s,
                           int in_main)
{
    return write_article(ix, a, s, in_main) < 0 ? CTI_ERROR : CTI_OK;
}

cti_status cti_index_commit(cti_index *ix)
{
    return main_commit(ix) < 0 ? CTI_ERROR : CTI_OK;
}


/*
 * The counts of the progress line (cti_report.count): this indexer's,
 * plus its shards'.
 */
static void count_progress(void *ctx, cti_indexer_stats *sum,
                           uint64_t *queued)
{
    cti_indexer *ix = ctx;
    sum->added += ix->st.added;
    sum->updated += ix->st.updated;
    sum->unchanged += ix->st.unchanged;
    sum->bytes += ix->st.bytes;
    if (ix->nworkers) {
        pthread_mutex_lock(&ix->mu);
        *queued += ix->qbytes;
        pthread_mutex_unlock(&ix->mu);
    }
    for (unsigned i = 0; i < ix->nshards; i++)
        count_progress(ix->shard[i], sum, queued);
}

static int cb_want_file(void *ctx, const char *id, const struct stat *sb)
{
    cti_indexer *ix = ctx;
    if (ix->nshards) {
        int want = cb_want_file(ix->shard[cti_shard_pick(id, strlen(id),
                                                         ix->nshards)], id, sb);
        cti_report_progress(ix->rep, 0);
        return want;
    }
    int want = cti_sync_want_file(ix, id, sb);
    cti_report_progress(ix->rep, 0);
    return want;
}

static int cb_article(void *ctx, cti_article *a)
{
    cti_indexer *ix = ctx;
    if (ix->nshards && a->id && *a->id) {
        int rc = cb_article(ix->shard[cti_shard_pick(a->id, strlen(a->id),
                                                     ix->nshards)], a);
        cti_report_progress(ix->rep, 0);
        return rc;
    }
    cti_status st = cti_sync_article(ix, a);
    cti_report_progress(ix->rep, 0);
    return st == CTI_OK ? 0 : -1;
}

static void cb_problem(void *ctx, const char *path, unsigned long line,
                       const char *msg, int skipped)
{
    cti_indexer *ix = ctx;
    if (skipped == 1)
        ix->st.failed++;
    else if (skipped == 0)
        ix->st.warnings++;
    else
        ix->st.skipped++;
    if (skipped != 1 && ix->o.quiet)
        return;
    if (line)
        cti_report_say(ix->rep, "%s:%lu: %s", path, line, msg);
    else
        cti_report_say(ix->rep, "%s: %s", path, msg);
}

static void cb_walked_dir(void *ctx, const char *dir)
{
    cti_indexer *ix = ctx;
    for (unsigned i = 0; i < ix->nshards; i++)
        cb_walked_dir(ix->shard[i], dir);
    if (!cti_smap_get(&ix->walked, dir, strlen(dir), 1, NULL))
        ix->fatal = 1;
}

/* ---- public API ---- */

void cti_indexer_opts_init(cti_indexer_opts *o)
{
    memset(o, 0, sizeof *o);
    o->bulk = CTI_BULK_AUTO;
    o->zlevel = -1;
}

/*
 * Open the listed databases for reading (or use 'use', e.g. a remote
 * main database): check schema and language, load the sync map.
 */
static int check_and_load(cti_indexer *ix, cti_db *use)
{
    cti_db *db = use;
    char *schema = NULL, *lang = NULL;
    int rc = -1;
    cti_status st = use ? CTI_OK : cti_db_open(ix->dir, CTI_DB_READ, &db);
    if (st != CTI_OK) {
        cti_report_say(ix->rep, "cannot open index '%s': %s", ix->dir, cti_errmsg());
        goto done;
    }
    if (cti_db_get_metadata(db, CTI_META_SCHEMA, &schema, NULL) != CTI_OK ||
        cti_db_get_metadata(db, CTI_META_LANGUAGE, &lang, NULL) != CTI_OK) {
        cti_report_say(ix->rep, "cannot read index '%s': %s", ix->dir, cti_errmsg());
        goto done;
    }
    if (strcmp(schema, CTI_SCHEMA_VERSION)) {
        cti_report_say(ix->rep, "index '%s' has schema version '%s'; this cti-index writes "
            "version %s (re-create the index)", ix->dir, schema,
            CTI_SCHEMA_VERSION);
        goto done;
    }
    if (ix->o.language && strcmp(ix->o.language, lang)) {
        cti_report_say(ix->rep, "index '%s' was built for language '%s', not '%s' "
            "(use another --db for another language)", ix->dir, lang,
            ix->o.language);
        goto done;
    }
    if (!*lang || strlen(lang) >= sizeof ix->language) {
        cti_report_say(ix->rep, "index '%s' records no language", ix->dir);
        goto done;
    }
    strcpy(ix->language, lang);
    if (cti_db_doccount(db, &ix->doccount0) != CTI_OK)
        goto done;
    if (use)
        ix->sync_db = use; /* read records as they are needed */
    else if (cti_sync_load(ix, db) != CTI_OK)
        goto done;
    rc = 0;
done:
    free(schema);
    free(lang);
    if (!use)
        cti_db_free(db);
    return rc;
}

/* ---- sharded and remote indexes (cti_shard.h) ---- */

/*
 * Refuse to write one shard of a sharded index on its own (its articles
 * would bypass placement), unless its sharded index opened it
 * (o.shards == 1).  'db' is the open database, or NULL to open ix->dir.
 * Returns 0, or -1 (reported).
 */
static int not_a_lone_shard(cti_indexer *ix, cti_db *db)
{
    cti_db *own = NULL;
    char *k = NULL;
    int rc = 0;
    if (ix->o.shards == 1)
        return 0;
    if (!db && cti_db_open(ix->dir, CTI_DB_READ, &own) != CTI_OK)
        return 0; /* the usual checks follow */
    if (cti_db_get_metadata(db ? db : own, CTI_META_SHARD, &k, NULL) ==
            CTI_OK && *k) {
        cti_report_say(ix->rep, "'%s' is shard %s of a sharded index: index through the "
            "index folder, or a stub listing all its shards in order",
            ix->dir, k);
        rc = -1;
    }
    free(k);
    cti_db_free(own);
    return rc;
}

/*
 * Open the remote database 't' (a writable xapian-tcpsrv) as the main
 * database: no folder, lock or segments; every change is written
 * directly.  Returns 0 or -1 (reported).
 */
static int remote_open(cti_indexer *ix, const cti_shard_target *t)
{
    char *schema = NULL;
    uint32_t n = 0;
    int rc = -1;
    ix->remote = 1;
    ix->o.bulk = CTI_BULK_NEVER;
    if (ix->o.compact) {
        cti_report_say(ix->rep, "cannot compact the remote database '%s': run xapian-compact "
            "where it is served", ix->dir);
        return -1;
    }
    cti_status st = cti_db_open_remote(t->host, t->port, 0, 1, &ix->main);
    if (st != CTI_OK) {
        cti_report_say(ix->rep, "cannot open index '%s': %s", ix->dir, cti_errmsg());
        return -1;
    }
    if (not_a_lone_shard(ix, ix->main) < 0)
        goto done;
    if (cti_db_get_metadata(ix->main, CTI_META_SCHEMA, &schema, NULL) !=
            CTI_OK ||
        cti_db_doccount(ix->main, &n) != CTI_OK) {
        cti_report_say(ix->rep, "cannot read index '%s': %s", ix->dir, cti_errmsg());
        goto done;
    }
    if (*schema) {
        rc = check_and_load(ix, ix->main);
    } else if (n == 0) {
        snprintf(ix->language, sizeof ix->language, "%s",
                 ix->o.language ? ix->o.language : "english");
        if ((st = cti_index_stamp(ix->main, ix->language)) != CTI_OK) {
            cti_report_say(ix->rep, "cannot write index '%s': %s", ix->dir, cti_errmsg());
            goto done;
        }
        ix->main_dirty = 1;
        rc = 0;
    } else {
        cti_report_say(ix->rep, "'%s' is not a cti index (a Xapian database without a cti "
            "schema)", ix->dir);
    }
done:
    free(schema);
    return rc;
}

/*
 * Look at what o->db names (cti_shard_layout_read).  Returns 0 for a
 * local index of one database (the caller sets it up), 1 when 'ix' was
 * set up as a remote database or as the parent of one indexer per shard
 * (creating the layout of a new sharded index), -1 on failure (reported).
 */
static int layout_open(cti_indexer *ix, const cti_indexer_opts *o)
{
    cti_shard_layout lay;
    char err[512];
    int rc = -1;
    unsigned want = o->shards > 1 ? o->shards : 0;
    if (cti_shard_layout_read(o->db, &lay, err, sizeof err) != CTI_OK) {
        cti_report_say(ix->rep, "cannot open index '%s': %s", o->db, err);
        return -1;
    }
    if (lay.kind == CTI_SHARD_NONE && !want) {
        rc = 0;
        goto done;
    }
    if (lay.kind == CTI_SHARD_SINGLE) {
        if (want)
            cti_report_say(ix->rep, "index '%s' is not sharded; --shards applies to a new "
                "index (give --db a new folder)", o->db);
        else
            rc = not_a_lone_shard(ix, NULL);
        goto done;
    }
    if (lay.kind != CTI_SHARD_NONE && want && want != lay.n) {
        cti_report_say(ix->rep, "index '%s' has %u shards, not %u (the number of shards of "
            "an index never changes)", o->db, lay.n, want);
        goto done;
    }
    if (lay.kind == CTI_SHARD_TCP ||
        (lay.kind == CTI_SHARD_FILE && lay.n == 1 && lay.t[0].host)) {
        rc = remote_open(ix, &lay.t[0]) < 0 ? -1 : 1;
        goto done;
    }
    if (lay.kind == CTI_SHARD_FILE && o->compact) {
        cti_report_say(ix->rep, "cannot compact '%s': compact each database it lists where "
            "it lives (xapian-compact)", o->db);
        goto done;
    }
    ix->kind = lay.kind == CTI_SHARD_FILE ? CTI_SHARD_FILE : CTI_SHARD_DIR;
    if (ix->kind == CTI_SHARD_DIR) {
        if (cti_folder_claim(ix->rep, ix->dir, ix->o.wait, ix->o.quiet,
                             &ix->lockfd) != CTI_OK)
            goto done;
        if (lay.kind == CTI_SHARD_NONE) {
            if (cti_shard_layout_create(ix->dir, want, err, sizeof err) !=
                    CTI_OK ||
                cti_shard_layout_read(ix->dir, &lay, err, sizeof err) !=
                    CTI_OK) {
                cti_report_say(ix->rep, "cannot create index '%s': %s", ix->dir, err);
                goto done;
            }
        }
    }
    if (!(ix->shard = calloc(lay.n, sizeof *ix->shard)))
        goto done;
    unsigned jobs = o->jobs;
    if (!jobs) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 ? (unsigned)c : 1;
    }
    unsigned mem = o->memory_mb ? o->memory_mb : CTI_DEFAULT_MEMORY_MB;
    for (unsigned i = 0; i < lay.n; i++) {
        cti_shard_target *t = &lay.t[i];
        cti_indexer_opts so = *o;
        char tcp[320];
        so.shards = 1; /* a shard, opened by its sharded index */
        so.compact = 0;
        so.progress = 0;
        so.err = ix->rep->err;
        so.jobs = jobs / lay.n ? jobs / lay.n : 1;
        so.memory_mb = mem / lay.n > 32 ? mem / lay.n : 32;
        if (t->host) {
            int v6 = strchr(t->host, ':') != NULL;
            snprintf(tcp, sizeof tcp, "tcp:%s%s%s:%u", v6 ? "[" : "",
                     t->host, v6 ? "]" : "", t->port);
            so.db = tcp;
        } else {
            so.db = t->path;
        }
        if (cti_indexer_new(&so, &ix->shard[i]) < 0)
            goto done;
        ix->nshards++;
        /* One stream: a shard's message first clears the progress line. */
        ix->shard[i]->rep = ix->rep;
        /* Each shard knows its number: a stub listing them out of order
           would send articles to the wrong shard. */
        char *k = NULL;
        cti_db *db = ix->shard[i]->main;
        if (db && cti_db_get_metadata(db, CTI_META_SHARD, &k, NULL) == CTI_OK &&
            *k && strtoul(k, NULL, 10) != i) {
            cti_report_say(ix->rep, "index '%s': %s is shard %s, not shard %u (list the "
                "shards in order)", o->db, t->label, k, i);
            free(k);
            goto done;
        }
        free(k);
        if (strcmp(ix->shard[i]->language, ix->shard[0]->language)) {
            cti_report_say(ix->rep, "index '%s': shard %u has language '%s', shard 0 '%s'",
                o->db, i, ix->shard[i]->language, ix->shard[0]->language);
            goto done;
        }
    }
    snprintf(ix->language, sizeof ix->language, "%s", ix->shard[0]->language);
    /* Shard 0 records how many shards there are: the stub must agree. */
    char *v = NULL;
    cti_db *db0 = ix->shard[0]->main;
    if (db0 && cti_db_get_metadata(db0, CTI_META_SHARDS, &v, NULL) == CTI_OK &&
        *v && strtoul(v, NULL, 10) != lay.n) {
        cti_report_say(ix->rep, "index '%s' lists %u shards but its first shard belongs to "
            "an index of %s", o->db, lay.n, v);
        free(v);
        goto done;
    }
    free(v);
    rc = 1;
done:
    cti_shard_layout_free(&lay);
    return rc;
}

/* One shard finishing (its last segments, its merge) in a thread. */
typedef struct shard_end {
    cti_indexer *ix;
    cti_indexer_stats st;
    int rc;
    pthread_t th;
    int started;
} shard_end;

static void *shard_end_main(void *arg)
{
    shard_end *e = arg;
    e->rc = cti_indexer_finish(e->ix, &e->st);
    return NULL;
}

/* Finish every shard, record the shard count, merge them with --compact. */
static int shards_finish(cti_indexer *ix, cti_indexer_stats *out)
{
    cti_indexer_stats st = ix->st;
    int rc = 0;
    /* The shards are independent: they finish side by side.  The
       progress line stays as it is meanwhile: it sums their counts,
       which the threads are changing. */
    ix->rep->progress = 0;
    shard_end *ends = calloc(ix->nshards, sizeof *ends);
    if (!ends) {
        cti_report_say(ix->rep, "out of memory");
        return -1;
    }
    for (unsigned i = 0; i < ix->nshards; i++) {
        ends[i].ix = ix->shard[i];
        ends[i].started = pthread_create(&ends[i].th, NULL, shard_end_main,
                                         &ends[i]) == 0;
        if (!ends[i].started)
            shard_end_main(&ends[i]);
    }
    for (unsigned i = 0; i < ix->nshards; i++)
        if (ends[i].started)
            pthread_join(ends[i].th, NULL);
    for (unsigned i = 0; i < ix->nshards; i++) {
        cti_indexer_stats s = ends[i].st;
        int r = ends[i].rc;
        if (r < 0)
            rc = -1;
        else if (r > 0 && rc == 0)
            rc = 1;
        st.added += s.added;
        st.updated += s.updated;
        st.unchanged += s.unchanged;
        st.removed += s.removed;
        st.failed += s.failed;
        st.warnings += s.warnings;
        st.articles += s.articles;
        st.bytes += s.bytes;
        st.bulk |= s.bulk;
        st.segments += s.segments;
    }
    free(ends);
    /* Record N in shard 0 and its number in every shard. */
    for (unsigned i = 0; rc >= 0 && ix->nshards > 1 && i < ix->nshards; i++) {
        cti_db *db = ix->shard[i]->main;
        char v[16], k[16];
        cti_status s = CTI_OK;
        if (!db)
            continue;
        snprintf(v, sizeof v, "%u", ix->nshards);
        snprintf(k, sizeof k, "%u", i);
        if (i == 0)
            s = cti_db_set_metadata(db, CTI_META_SHARDS, v, strlen(v));
        if (s == CTI_OK)
            s = cti_db_set_metadata(db, CTI_META_SHARD, k, strlen(k));
        if (s == CTI_OK)
            s = cti_db_commit(db);
        if (s != CTI_OK)
            rc = fatal_db(ix, "cannot write the shard numbers", s);
    }
    if (rc >= 0 && ix->o.compact && ix->kind == CTI_SHARD_DIR) {
        /* Close the shards, then merge them into one database. */
        char err[512];
        unsigned n = ix->nshards;
        for (unsigned i = 0; i < n; i++) {
            cti_indexer_free(ix->shard[i]);
            ix->shard[i] = NULL;
        }
        if (cti_shard_unshard(ix->dir, n, "db.1", err, sizeof err) != CTI_OK) {
            cti_report_say(ix->rep, "%s", err);
            rc = -1;
        }
    }
    st.seconds = cti_report_now() - ix->rep->t0;
    cti_report_clear(ix->rep);
    if (out)
        *out = st;
    return rc;
}

int cti_indexer_new(const cti_indexer_opts *o, cti_indexer **out)
{
    cti_indexer *ix = calloc(1, sizeof *ix);
    *out = NULL;
    if (!ix)
        return -1;
    ix->o = *o;
    ix->rep = &ix->own_rep;
    cti_report_init(ix->rep, o->err, o->progress, o->quiet, o->verbose);
    ix->rep->count = count_progress;
    ix->rep->count_ctx = ix;
    ix->lockfd = -1;
    if (ix->o.zlevel < 0 || ix->o.zlevel > 9)
        ix->o.zlevel = 0;
    if (!ix->o.batch)
        ix->o.batch = CTI_DEFAULT_BATCH;
    if (!ix->o.memory_mb)
        ix->o.memory_mb = CTI_DEFAULT_MEMORY_MB;
    cti_bulk_init(ix);
    if (!o->db || !*o->db) {
        cti_report_say(ix->rep, "no index folder given");
        goto fail;
    }
    if (o->language && !cti_analyzer_language_ok(o->language)) {
        cti_report_say(ix->rep, "unknown language '%s'", o->language);
        goto fail;
    }
    if (!(ix->dir = strdup(o->db)))
        goto fail;
    switch (layout_open(ix, o)) {
    case -1:
        goto fail;
    case 1:
        if (ix->nshards) {
            *out = ix;
            return 0;
        }
        goto set_up; /* remote: no folder, lock or segments */
    }
    int have = 0;
    if (cti_folder_claim(ix->rep, ix->dir, ix->o.wait, ix->o.quiet,
                         &ix->lockfd) != CTI_OK ||
        cti_folder_stub_read(ix, &have) != CTI_OK)
        goto fail;
    if (cti_folder_scan(ix, have) != CTI_OK)
        goto fail;
    if (have && !ix->mainname && !ix->nsegs)
        have = 0;
    if (have && !ix->nsegs) {
        char *path = cti_folder_path(ix->dir, ix->mainname);
        cti_status st = path ? cti_db_open(path, CTI_DB_OPEN, &ix->main)
                             : CTI_ENOMEM;
        free(path);
        if (st != CTI_OK) {
            cti_report_say(ix->rep, "cannot open index '%s': %s", ix->dir, cti_errmsg());
            goto fail;
        }
        if (check_and_load(ix, ix->main) < 0)
            goto fail;
    } else if (have) {
        if (check_and_load(ix, NULL) < 0)
            goto fail;
        cti_report_phase(ix->rep, ix->dir, "sync records read");
    } else {
        const char *l = o->language ? o->language : "english";
        snprintf(ix->language, sizeof ix->language, "%s", l);
    }
set_up:
    if (cti_analyzer_new(ix->language, &ix->an) != 0 ||
        cti_doc_new(&ix->doc) != CTI_OK) {
        cti_report_say(ix->rep, "cannot set up the analyzer for '%s'", ix->language);
        goto fail;
    }
    /* We commit ourselves: batches on the direct path, segment size on
       the bulk path. */
    cti_set_flush_threshold(1u << 30);
    if (ix->nsegs || (ix->mainname && !strncmp(ix->mainname, "seg.", 4))) {
        if (!o->quiet)
            cti_report_say(ix->rep, "%s: merging %zu segment(s) left by an interrupted run",
                ix->dir, ix->nsegs);
        if (cti_spelling_recover(ix) != CTI_OK || cti_merge_all(ix) != CTI_OK)
            goto fail;
    } else if (ix->mainname && !ix->main) {
        char *path = cti_folder_path(ix->dir, ix->mainname);
        cti_status st = path ? cti_db_open(path, CTI_DB_OPEN, &ix->main)
                             : CTI_ENOMEM;
        free(path);
        if (st != CTI_OK) {
            cti_report_say(ix->rep, "cannot open index '%s': %s", ix->dir, cti_errmsg());
            goto fail;
        }
    }
    if (ix->o.bulk == CTI_BULK_ALWAYS ||
        (ix->o.bulk == CTI_BULK_AUTO && ix->doccount0 == 0)) {
        if (cti_bulk_start(ix) != CTI_OK)
            goto fail;
    }
    cti_report_phase(ix->rep, ix->dir, "index open");
    *out = ix;
    return 0;
fail:
    cti_indexer_free(ix);
    return -1;
}

int cti_indexer_add_path(cti_indexer *ix, const char *path)
{
    cti_source_opts so;
    cti_source_cb cb;
    if (ix->fatal || ix->finished)
        return -1;
    memset(&so, 0, sizeof so);
    memset(&cb, 0, sizeof cb);
    cb.want_file = cb_want_file;
    cb.article = cb_article;
    cb.problem = cb_problem;
    cb.walked_dir = cb_walked_dir;
    cti_source_walk(path, &so, &cb, ix);
    for (unsigned i = 0; i < ix->nshards; i++)
        ix->fatal |= ix->shard[i]->fatal;
    return ix->fatal ? -1 : 0;
}

int cti_indexer_finish(cti_indexer *ix, cti_indexer_stats *out)
{
    int rc = 0;
    if (ix->finished)
        return -1;
    ix->finished = 1;
    if (ix->nshards)
        return shards_finish(ix, out);
    if (!ix->fatal && cti_sync_remove_gone(ix) != CTI_OK)
        rc = -1;
    if (ix->bulk) {
        if (cti_bulk_stop(ix) != CTI_OK)
            rc = -1;
        cti_report_phase(ix->rep, ix->dir, "segments built");
        if (ix->nsegs)
            cti_report_line(ix->rep, "merging %zu segments", ix->nsegs);
        if (rc == 0 && ix->gspell.n && cti_spelling_segment(ix) != CTI_OK)
            rc = -1;
        if (rc == 0 && (ix->nsegs || ix->o.compact) && cti_merge_all(ix) != CTI_OK)
            rc = -1;
        cti_report_phase(ix->rep, ix->dir, "merged");
        /* Later versions of ids that went to a segment. */
        if (rc == 0 && cti_bulk_write_deferred(ix) != CTI_OK)
            rc = -1;
        ix->bulk = 0;
    } else if (rc == 0 && ix->o.compact && ix->main) {
        if (main_commit(ix) < 0 || cti_merge_all(ix) != CTI_OK)
            rc = -1;
    }
    if (rc == 0 && !ix->fatal && !ix->main && !ix->mainname &&
        main_create(ix) < 0)
        rc = -1;
    if (rc == 0 && !ix->fatal && main_commit(ix) < 0)
        rc = -1;
    cti_report_phase(ix->rep, ix->dir, "committed");
    uint32_t ndocs = 0;
    if (ix->main && cti_db_doccount(ix->main, &ndocs) == CTI_OK)
        ix->st.articles = ndocs;
    if (ix->fatal) {
        rc = -1;
        cti_sync_reconcile(ix);
    }
    ix->st.failed += ix->wfailed;
    cti_report_phase(ix->rep, ix->dir, "done");
    ix->st.seconds = cti_report_now() - ix->rep->t0;
    cti_report_clear(ix->rep);
    if (out)
        *out = ix->st;
    if (rc < 0)
        return -1;
    return ix->st.failed ? 1 : 0;
}

void cti_indexer_free(cti_indexer *ix)
{
    if (!ix)
        return;
    for (unsigned i = 0; i < ix->nshards; i++)
        cti_indexer_free(ix->shard[i]);
    free(ix->shard);
    cti_bulk_free(ix);
    if (ix->main) {
        if (ix->pending || ix->main_dirty)
            cti_db_free(ix->main); /* uncommitted work is abandoned */
        else
            cti_db_close(ix->main);
    }
    cti_analyzer_free(ix->an);
    cti_doc_free(ix->doc);
    cti_smap_free(&ix->spell);
    cti_smap_free(&ix->gspell);
    cti_smap_free(&ix->forget);
    cti_smap_free(&ix->ids);
    cti_smap_free(&ix->walked);
    free(ix->ents);
    free(ix->mainname);
    for (size_t i = 0; i < ix->nsegs; i++)
        free(ix->segs[i]);
    free(ix->segs);
    free(ix->dir);
    if (ix->lockfd >= 0)
        close(ix->lockfd);
    cti_report_destroy(&ix->own_rep);
    free(ix);
}
