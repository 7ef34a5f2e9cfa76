/*
 * cti_index.c - one index being written: a folder (its lock, stub, main
 * database and segments) or a remote database; an unsharded index is one,
 * a sharded index one per shard under the router (cti_router.c).
 *
 * Two write paths
 *   Direct: each article is analysed in the calling thread and replaced
 *   by id in the main database, committed every 'batch' articles.  Used
 *   for a few changes to an existing index, and always for a remote one.
 *   Bulk (cti_bulk.c): new articles go to worker threads building
 *   segments, merged into a new main database at the end (cti_merge.c).
 *   A run that starts on an empty index takes this path; a run on an
 *   existing index switches to it once the articles it adds reach a
 *   quarter of the index (at least CTI_SWITCH_MIN).
 *
 * Readers
 *   A new index gets its (empty) main database, listed in the stub, as
 *   soon as its lock is taken: a reader sees an empty cti index, then
 *   each committed batch or published segment, never a folder that is
 *   not an index yet.
 *
 * Cleaning (cti_clean.h)
 *   Articles are built with their page boilerplate set aside and their
 *   copy cluster found.  Once the run is written and committed, the
 *   settle step rebuilds, from their stored records, the articles whose
 *   template lines the counts of the whole index now judge otherwise.
 *
 * Crash safety
 *   The stub only ever lists committed databases, and is replaced by
 *   rename (cti_folder.c).  After a kill, the index holds the main
 *   database and the segments completed so far; the next run removes
 *   unlisted debris, merges the listed segments into a new main
 *   database, and its sync pass (cti_sync.c) re-indexes what is missing.
 */
#include "cti_indexer_int.h"

#include "cti_dictfile.h"
#include "cti_schema.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cti_status cti_index_stamp(const cti_index *ix, cti_db *db)
{
    const char *pos = ix->pos_article ? CTI_POSITIONS_ARTICLE
                                      : CTI_POSITIONS_TABLE;
    cti_status st = cti_db_set_metadata(db, CTI_META_SCHEMA,
                                        CTI_SCHEMA_VERSION,
                                        strlen(CTI_SCHEMA_VERSION));
    if (st == CTI_OK)
        st = cti_db_set_metadata(db, CTI_META_LANGUAGE, ix->language,
                                 strlen(ix->language));
    if (st == CTI_OK)
        st = cti_db_set_metadata(db, CTI_META_POSITIONS, pos, strlen(pos));
    if (st == CTI_OK)
        st = cti_text_packer_store(ix->text, db);
    return st;
}

cti_status cti_index_doc_format(const cti_index *ix, cti_doc *doc)
{
    return ix->pos_article ? cti_doc_set_position_slot(doc, CTI_SLOT_POSITIONS)
                           : CTI_OK;
}

/*
 * The positions format of a new index: the one asked for, else article.
 * Positions per article take a third off the index of news, index it
 * faster, and (in parts, checked after the weights) answer phrase and
 * NEAR searches as fast as Xapian's table at the 95th percentile
 * (README, "The index").  The table stays the format of a database
 * served by xapian-tcpsrv, which cannot run cti's matching: a new remote
 * database takes it unless asked for the other.
 */
static void new_format(cti_index *ix)
{
    if (!ix->o.positions)
        ix->pos_article = !ix->remote;
    else
        ix->pos_article = strcmp(ix->o.positions, CTI_POSITIONS_TABLE) != 0;
}

/*
 * Take the positions format of the existing index 'db' (no key: table,
 * as every index made before formats had names).  Returns CTI_OK, or
 * CTI_EINVAL (reported) for an unknown one or one other than asked for.
 */
static cti_status take_format(cti_index *ix, cti_db *db)
{
    char *pos = NULL;
    cti_status st = cti_db_get_metadata(db, CTI_META_POSITIONS, &pos, NULL);
    if (st != CTI_OK) {
        cti_report_say(ix->rep, "cannot read index '%s': %s", ix->dir,
                       cti_errmsg());
        return st;
    }
    const char *have = *pos ? pos : CTI_POSITIONS_TABLE;
    if (strcmp(have, CTI_POSITIONS_TABLE) &&
        strcmp(have, CTI_POSITIONS_ARTICLE)) {
        cti_report_say(ix->rep, "index '%s' keeps positions as '%s', which "
                       "this cti-index does not know", ix->dir, have);
        st = CTI_EVERSION;
    } else if (ix->o.positions && strcmp(ix->o.positions, have)) {
        cti_report_say(ix->rep, "index '%s' keeps positions as '%s', not "
                       "'%s' (the format is chosen when an index is "
                       "created; build a new one for another)",
                       ix->dir, have, ix->o.positions);
        st = CTI_EINVAL;
    } else {
        ix->pos_article = !strcmp(have, CTI_POSITIONS_ARTICLE);
    }
    free(pos);
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

/* Create a new, empty main database db.<gen> and list it in the stub. */
static cti_status main_create(cti_index *ix)
{
    char name[32];
    snprintf(name, sizeof name, "db.%u", ix->gen++);
    char *path = cti_folder_path(ix->dir, name);
    if (!path)
        return cti_index_fail(ix, "cannot create the index", CTI_ENOMEM);
    cti_status st = cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE, &ix->main);
    free(path);
    if (st != CTI_OK)
        return cti_index_fail(ix, "cannot create the index", st);
    if ((st = cti_index_stamp(ix, ix->main)) != CTI_OK ||
        (st = cti_db_commit(ix->main)) != CTI_OK)
        return cti_index_fail(ix, "cannot write the index", st);
    if (!(ix->mainname = strdup(name)))
        return cti_index_fail(ix, "cannot create the index", CTI_ENOMEM);
    if ((st = cti_folder_stub_write(ix)) != CTI_OK)
        ix->fatal = 1;
    return st;
}

/*
 * Keep the texts' dictionary in use as a file in the index's folder, and
 * a shard's in its sharded index's folder too, where searches open it:
 * they map it instead of reading it from the metadata (cti_dictfile.h).
 * A file that cannot be written costs searches time, not data: nothing
 * is reported.
 */
static void dict_file(cti_index *ix)
{
    char key[CTI_TEXT_KEY_MAX], hex[9];
    const char *bytes;
    size_t len;
    if (ix->remote || !ix->text ||
        !cti_text_packer_dict(ix->text, key, hex, &bytes, &len))
        return;
    uint32_t id = cti_text_packer_dict_id(ix->text);
    (void)cti_dictfile_save(ix->dir, id, bytes, len);
    if (ix->copy_path)
        (void)cti_dictfile_save(ix->copy_path, id, bytes, len);
}

cti_status cti_index_text_reader(cti_index *ix)
{
    if (ix->tr || !ix->main)
        return CTI_OK;
    return cti_text_reader_new(ix->main, &ix->tr);
}

cti_status cti_index_commit(cti_index *ix)
{
    cti_status st;
    if (!ix->main)
        return CTI_OK;
    if (ix->spell.n &&
        (st = cti_spelling_flush(&ix->spell, ix->main)) != CTI_OK)
        return cti_index_fail(ix, "cannot write spelling data", st);
    /* A dictionary trained in this run goes in before any text made
       with it is committed or listed: readers find it in main. */
    uint32_t id = ix->text ? cti_text_packer_dict_id(ix->text) : 0;
    if (id != ix->text_in_main) {
        if ((st = cti_text_packer_store(ix->text, ix->main)) != CTI_OK)
            return cti_index_fail(ix, "cannot write the text dictionary", st);
        ix->text_in_main = id;
        ix->main_dirty = 1;
        dict_file(ix);
    }
    if (!ix->main_dirty && !ix->pending)
        return CTI_OK;
    if ((st = cti_db_commit(ix->main)) != CTI_OK)
        return cti_index_fail(ix, "cannot commit", st);
    ix->main_dirty = 0;
    ix->pending = 0;
    return CTI_OK;
}

/* Has the run written enough to switch to the bulk path? */
static int time_for_bulk(const cti_index *ix)
{
    uint32_t quarter = ix->doccount0 / 4;
    if (ix->bulk || ix->finished || ix->o.bulk == CTI_BULK_NEVER)
        return 0;
    return ix->o.bulk == CTI_BULK_ALWAYS ||
           ix->written >= (quarter > CTI_SWITCH_MIN ? quarter : CTI_SWITCH_MIN);
}

/*
 * Build article 'a' and replace it by id term in the main database;
 * commit every o.batch articles ([pubmu] held).
 */
static cti_status replace_in_main(cti_index *ix, const cti_article *a,
                                  unsigned rflags, const char *idterm,
                                  size_t itl)
{
    cti_clean_set_db(ix->clean, ix->main);
    cti_status st = cti_docbuild_article(ix->an, ix->doc, a, rflags,
                                         ix->o.zlevel, ix->tw, &ix->spell,
                                         ++ix->docno, ix->clean, 0);
    if (st != CTI_OK)
        return cti_index_fail(ix, "cannot build the document", st);
    if ((st = cti_db_replace(ix->main, idterm, itl, ix->doc, NULL)) != CTI_OK)
        return cti_index_fail(ix, "cannot write", st);
    ix->main_dirty = 1;
    ix->written++;
    if (++ix->pending >= ix->o.batch)
        return cti_index_commit(ix);
    return CTI_OK;
}

cti_status cti_index_write(cti_index *ix, cti_article *a, cti_sync_ent *s,
                           int in_main)
{
    char idterm[CTI_IDTERM_MAX + 1];
    size_t itl = cti_schema_idterm(a->id, strlen(a->id), idterm);
    cti_status st = CTI_OK;

    /* The main database is shared with the workers' publishing. */
    pthread_mutex_lock(&ix->pubmu);
    if (in_main && ix->main)
        st = cti_spelling_forget(ix, idterm, itl);
    pthread_mutex_unlock(&ix->pubmu);
    if (st != CTI_OK)
        return cti_index_fail(ix, "cannot update spelling data", st);
    if (time_for_bulk(ix) && (st = cti_bulk_start(ix)) != CTI_OK)
        return st;
    if (ix->bulk && !(in_main && ix->main)) {
        s->state |= CTI_ST_SEG;
        ix->written++;
        return cti_bulk_push(ix, a);
    }
    /*
     * Direct, or an update during a bulk run: that is replaced in the
     * main database itself, so one commit swaps the old version for the
     * new and readers always see exactly one of them.  (Deleting it from
     * main and sending the new version to a segment would leave a moment,
     * from main's commit until the segment is listed, with neither.)
     */
    pthread_mutex_lock(&ix->pubmu);
    if (!ix->main)
        st = main_create(ix);
    if (st == CTI_OK)
        st = replace_in_main(ix, a, s->flags, idterm, itl);
    pthread_mutex_unlock(&ix->pubmu);
    return st;
}

/*
 * Check the schema and language of 'db' (an index opened for reading,
 * or the remote main database), take its language, and load its sync
 * records: all at once, or for a remote one ('lazy') as they are needed.
 * Returns CTI_OK, or CTI_EVERSION / CTI_EINVAL / a shim error, reported.
 */
static cti_status check_and_load(cti_index *ix, cti_db *db, int lazy)
{
    char *schema = NULL, *lang = NULL;
    cti_status st;
    if ((st = cti_db_get_metadata(db, CTI_META_SCHEMA, &schema, NULL)) !=
            CTI_OK ||
        (st = cti_db_get_metadata(db, CTI_META_LANGUAGE, &lang, NULL)) !=
            CTI_OK ||
        (st = cti_db_doccount(db, &ix->doccount0)) != CTI_OK) {
        cti_report_say(ix->rep, "cannot read index '%s': %s", ix->dir,
                       cti_errmsg());
    } else if (strcmp(schema, CTI_SCHEMA_VERSION)) {
        cti_report_say(ix->rep, "index '%s' has schema version '%s'; this "
                       "cti-index writes version %s (re-create the index)",
                       ix->dir, schema, CTI_SCHEMA_VERSION);
        st = CTI_EVERSION;
    } else if (ix->o.language && strcmp(ix->o.language, lang)) {
        cti_report_say(ix->rep, "index '%s' was built for language '%s', not "
                       "'%s' (use another --db for another language)",
                       ix->dir, lang, ix->o.language);
        st = CTI_EINVAL;
    } else if (!*lang || strlen(lang) >= sizeof ix->language) {
        cti_report_say(ix->rep, "index '%s' records no language", ix->dir);
        st = CTI_EINVAL;
    } else if ((st = take_format(ix, db)) == CTI_OK) {
        strcpy(ix->language, lang);
        if (lazy)
            ix->sync_db = db; /* read records as they are needed */
        else
            st = cti_sync_load(ix, db);
    }
    free(schema);
    free(lang);
    return st;
}

/*
 * Refuse to write one shard of a sharded index on its own (its articles
 * would bypass placement).  'db' is the open database, or NULL to open
 * ix->dir.  Returns CTI_OK, or CTI_EINVAL (reported).
 */
static cti_status not_a_lone_shard(cti_index *ix, cti_db *db)
{
    cti_db *own = NULL;
    char *k = NULL;
    cti_status st = CTI_OK;
    if (!db && cti_db_open(ix->dir, CTI_DB_READ, &own) != CTI_OK)
        return CTI_OK; /* the usual checks follow */
    if (cti_db_get_metadata(db ? db : own, CTI_META_SHARD, &k, NULL) ==
            CTI_OK && *k) {
        cti_report_say(ix->rep, "'%s' is shard %s of a sharded index: index "
                       "through the index folder, or a stub listing all its "
                       "shards in order", ix->dir, k);
        st = CTI_EINVAL;
    }
    free(k);
    cti_db_free(own);
    return st;
}

/*
 * Open the remote database at host:port (a writable xapian-tcpsrv) as
 * the main database: no folder, lock or segments; every change is
 * written directly.  Returns CTI_OK or a reported error.
 */
static cti_status open_remote(cti_index *ix, const char *host, unsigned port,
                              int as_shard)
{
    char *schema = NULL;
    uint32_t n = 0;
    cti_status st;
    ix->remote = 1;
    ix->o.bulk = CTI_BULK_NEVER;
    if (ix->o.compact) {
        cti_report_say(ix->rep, "cannot compact the remote database '%s': "
                       "run xapian-compact where it is served", ix->dir);
        return CTI_EINVAL;
    }
    if ((st = cti_db_open_remote(host, port, 0, 1, &ix->main)) != CTI_OK) {
        cti_report_say(ix->rep, "cannot open index '%s': %s", ix->dir,
                       cti_errmsg());
        return st;
    }
    if (!as_shard && (st = not_a_lone_shard(ix, ix->main)) != CTI_OK)
        return st;
    if ((st = cti_db_get_metadata(ix->main, CTI_META_SCHEMA, &schema,
                                  NULL)) != CTI_OK ||
        (st = cti_db_doccount(ix->main, &n)) != CTI_OK) {
        cti_report_say(ix->rep, "cannot read index '%s': %s", ix->dir,
                       cti_errmsg());
    } else if (*schema) {
        st = check_and_load(ix, ix->main, 1);
    } else if (n == 0) {
        snprintf(ix->language, sizeof ix->language, "%s",
                 ix->o.language ? ix->o.language : "english");
        new_format(ix);
        if ((st = cti_index_stamp(ix, ix->main)) != CTI_OK)
            cti_report_say(ix->rep, "cannot write index '%s': %s", ix->dir,
                           cti_errmsg());
        ix->main_dirty = 1;
    } else {
        cti_report_say(ix->rep, "'%s' is not a cti index (a Xapian database "
                       "without a cti schema)", ix->dir);
        st = CTI_EINVAL;
    }
    free(schema);
    return st;
}

/* Open the listed main database writable as ix->main. */
static cti_status open_main(cti_index *ix)
{
    char *path = cti_folder_path(ix->dir, ix->mainname);
    cti_status st = path ? cti_db_open(path, CTI_DB_OPEN, &ix->main)
                         : CTI_ENOMEM;
    free(path);
    if (st != CTI_OK)
        cti_report_say(ix->rep, "cannot open index '%s': %s", ix->dir,
                       st == CTI_ENOMEM ? "out of memory" : cti_errmsg());
    return st;
}

/*
 * Open the index folder ix->dir: lock it, read its stub, remove debris,
 * and check and load what it lists.  A new index gets its language.
 */
static cti_status open_folder(cti_index *ix, int as_shard)
{
    cti_status st;
    cti_db *db = NULL;
    int have = 0;
    if ((!as_shard && (st = not_a_lone_shard(ix, NULL)) != CTI_OK) ||
        (st = cti_folder_claim(ix->rep, ix->dir, ix->o.wait, ix->o.quiet,
                               &ix->lockfd)) != CTI_OK ||
        (st = cti_folder_stub_read(ix, &have)) != CTI_OK ||
        (st = cti_folder_scan(ix, have)) != CTI_OK)
        return st;
    if (!ix->mainname && !ix->nsegs) {
        snprintf(ix->language, sizeof ix->language, "%s",
                 ix->o.language ? ix->o.language : "english");
        new_format(ix);
        return CTI_OK;
    }
    if (!ix->nsegs) {
        /* The usual case: one database, opened once for everything. */
        if ((st = open_main(ix)) != CTI_OK)
            return st;
        return check_and_load(ix, ix->main, 1);
    }
    /* Segments of an interrupted run: read the whole index as listed. */
    if ((st = cti_db_open(ix->dir, CTI_DB_READ, &db)) != CTI_OK) {
        cti_report_say(ix->rep, "cannot open index '%s': %s", ix->dir,
                       cti_errmsg());
        return st;
    }
    st = check_and_load(ix, db, 0);
    cti_db_free(db);
    if (st == CTI_OK)
        cti_report_phase(ix->rep, ix->dir, "sync records read");
    return st;
}

/*
 * Ready the folder for writing: merge an interrupted run's segments,
 * open the main database, or create it for a new index so that readers
 * see an empty index at once.
 */
static cti_status ready_folder(cti_index *ix)
{
    cti_status st;
    if (ix->nsegs) {
        if (!ix->o.quiet)
            cti_report_say(ix->rep, "%s: merging %zu segment(s) left by an "
                           "interrupted run", ix->dir, ix->nsegs);
        if ((st = cti_spelling_recover(ix)) != CTI_OK)
            return st;
        return cti_merge_all(ix);
    }
    if (ix->mainname && !ix->main)
        return open_main(ix);
    if (!ix->mainname)
        return main_create(ix);
    return CTI_OK;
}

cti_db *cti_index_copy_look(cti_index *ix)
{
    cti_db *db = NULL;
    unsigned skipped = 0;
    char msg[256];
    if (ix->copy_path &&
        cti_shard_open_search(ix->copy_path, 0, 0, &db, &skipped, msg,
                              sizeof msg) != CTI_OK)
        db = NULL;
    return db;
}

/*
 * Cleaning for 'ix' (nothing with --no-clean): its run, the direct
 * path's builder and, for a shard, the sharded index's copies.
 */
static cti_status clean_open(cti_index *ix, const cti_index_share *share)
{
    if (ix->o.no_clean)
        return CTI_OK;
    if (cti_clean_run_new(0, &ix->clean_run) != CTI_OK ||
        cti_clean_new(ix->clean_run, NULL, &ix->clean) != CTI_OK)
        return CTI_ENOMEM;
    if (!share)
        return CTI_OK;
    if (!(ix->copy_path = strdup(share->path)))
        return CTI_ENOMEM;
    cti_clean_run_share_copies(ix->clean_run, share->copies);
    ix->copy_look = cti_index_copy_look(ix);
    cti_clean_set_copy_db(ix->clean, ix->copy_look);
    return CTI_OK;
}

/* A new writer of options 'o' for 'dir', reporting on 'rep'. */
static cti_index *index_alloc(const cti_indexer_opts *o, const char *dir,
                              cti_report *rep)
{
    cti_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->o = *o;
    ix->rep = rep;
    ix->lockfd = -1;
    if (ix->o.zlevel < -1 || ix->o.zlevel > 9)
        ix->o.zlevel = -1;
    if (!ix->o.batch)
        ix->o.batch = CTI_DEFAULT_BATCH;
    if (!ix->o.memory_mb)
        ix->o.memory_mb = CTI_DEFAULT_MEMORY_MB;
    cti_bulk_init(ix);
    if (!(ix->dir = strdup(dir))) {
        cti_index_free(ix);
        return NULL;
    }
    return ix;
}

/*
 * Before the run writes: a folder still marked unsettled had a run stop
 * before its settle step, so this run's settles every template line;
 * else the marker goes down now and comes off once the run has settled.
 */
static cti_status mark_unsettled(cti_index *ix)
{
    if (cti_folder_marked(ix->dir, CTI_UNSETTLED_NAME)) {
        cti_clean_run_settle_all(ix->clean_run);
        return CTI_OK;
    }
    if (cti_folder_mark(ix->dir, CTI_UNSETTLED_NAME, 1) == CTI_OK)
        return CTI_OK;
    cti_report_say(ix->rep, "cannot write '%s/%s': %s", ix->dir,
                   CTI_UNSETTLED_NAME, strerror(errno));
    return CTI_EIO;
}

/*
 * The stored texts' dictionary: the one main names, or none yet (one is
 * trained from this run's first texts; a missing one is a warning, and a
 * new one is trained).  With --zlib-level the texts go in their records
 * instead: no writer is made.  Returns CTI_OK, or a status reported for a
 * dictionary that cannot be read.
 */
static cti_status text_open(cti_index *ix)
{
    char err[512];
    cti_status st = cti_text_packer_open(ix->main, &ix->text, err, sizeof err);
    if (st == CTI_OK && err[0]) { /* its dictionary is missing */
        ix->st.warnings++;
        if (!ix->o.quiet)
            cti_report_say(ix->rep, "warning: index '%s': %s", ix->dir, err);
    }
    if (st == CTI_OK && ix->o.zlevel < 0)
        st = cti_text_writer_new(ix->text, &ix->tw);
    if (st == CTI_OK) {
        ix->text_in_main = cti_text_packer_dict_id(ix->text);
        dict_file(ix);
    } else
        cti_report_say(ix->rep, "cannot read index '%s': %s", ix->dir,
                       st == CTI_ENOMEM ? "out of memory" : err);
    return st;
}

cti_status cti_index_open(const cti_indexer_opts *o, const char *dir,
                          const char *host, unsigned port, int as_shard,
                          const cti_index_share *share, cti_report *rep,
                          cti_index **out)
{
    cti_status st;
    cti_index *ix = index_alloc(o, dir, rep);
    *out = NULL;
    if (!ix) {
        cti_report_say(rep, "out of memory");
        return CTI_ENOMEM;
    }
    st = host ? open_remote(ix, host, port, as_shard)
              : open_folder(ix, as_shard);
    if (st != CTI_OK)
        goto fail;
    if (cti_analyzer_new(ix->language, &ix->an) != 0 ||
        cti_doc_new(&ix->doc) != CTI_OK ||
        cti_index_doc_format(ix, ix->doc) != CTI_OK ||
        clean_open(ix, share) != CTI_OK) {
        cti_report_say(rep, "cannot set up the analyzer for '%s'",
                       ix->language);
        st = CTI_ENOMEM;
        goto fail;
    }
    if (!host && (st = ready_folder(ix)) != CTI_OK)
        goto fail;
    if ((st = text_open(ix)) != CTI_OK)
        goto fail;
    if (!host && ix->clean_run && (st = mark_unsettled(ix)) != CTI_OK)
        goto fail;
    if ((ix->o.bulk == CTI_BULK_ALWAYS ||
         (ix->o.bulk == CTI_BULK_AUTO && ix->doccount0 == 0)) &&
        (st = cti_bulk_start(ix)) != CTI_OK)
        goto fail;
    cti_report_phase(rep, ix->dir, "index open");
    *out = ix;
    return CTI_OK;
fail:
    cti_index_free(ix);
    return st;
}

/* The stored fields, page and date of document 'docid' of main as an
   article to build again (release it); its web page furniture, stored
   after the body, goes back to a->aside.  -1 when it cannot be read. */
static int article_from_record(cti_index *ix, uint32_t docid, cti_article *a)
{
    char *dv = NULL;
    size_t dvl;
    cti_record r;
    int rc = -1;
    cti_article_init(a);
    if (cti_index_text_reader(ix) != CTI_OK ||
        cti_db_get_value(ix->main, docid, CTI_SLOT_DATE, &dv, &dvl) != CTI_OK ||
        cti_record_read(ix->main, ix->tr, docid, 1, &r, NULL, 0) != CTI_OK)
        goto done;
#define COPY(f)                                                        \
    if (r.f && !(a->f = strndup(r.f, r.f##_len)))                      \
        goto release;
    COPY(id) COPY(title) COPY(date) COPY(author) COPY(source) COPY(url)
#undef COPY
    size_t blen = r.body_len;
    const cti_record_range *last = r.naside ? &r.aside[r.naside - 1] : NULL;
    if (last && last->kind == CTI_BOILER_LAYOUT && last->end == r.body_len &&
        last->start >= 2) {
        blen = last->start - 2;
        if (!(a->aside = strndup(r.body + last->start, last->end - last->start)))
            goto release;
        a->aside_len = last->end - last->start;
    }
    if (!a->id || !(a->body = strndup(r.body ? r.body : "", blen)))
        goto release;
    a->body_len = blen;
    if (dvl == 8)
        memcpy(a->ymd, dv, 9);
    if (a->title) {
        int from = cti_article_title_origin(a->title, a->body, a->body_len);
        if (from < 0)
            goto release;
        a->title_from = from;
    }
    rc = 0;
release:
    cti_record_release(&r);
done:
    if (rc)
        cti_article_release(a);
    free(dv);
    return rc;
}

/* Copy value 'slot' of document 'docid' of main into 'doc'. */
static cti_status keep_value(cti_index *ix, uint32_t docid, unsigned slot,
                             cti_doc *doc)
{
    char *v = NULL;
    size_t vl;
    cti_status st = cti_db_get_value(ix->main, docid, slot, &v, &vl);
    if (st == CTI_OK)
        st = cti_doc_set_value(doc, slot, v, vl);
    free(v);
    return st;
}

/*
 * Rebuild document 'docid' of main with the counts of the whole index:
 * built from its record again, with its sync record and content hash as
 * they were.
 */
static cti_status rebuild_doc(void *vix, uint32_t docid)
{
    cti_index *ix = vix;
    cti_article a;
    if (article_from_record(ix, docid, &a) < 0)
        return CTI_OK; /* not ours or corrupt: left as it is */
    char idterm[CTI_IDTERM_MAX + 1];
    size_t itl = cti_schema_idterm(a.id, strlen(a.id), idterm);
    cti_clean_set_db(ix->clean, ix->main);
    cti_status st = cti_spelling_forget(ix, idterm, itl);
    if (st == CTI_OK)
        st = cti_docbuild_article(ix->an, ix->doc, &a, 0, ix->o.zlevel,
                                  ix->tw, &ix->spell, ++ix->docno,
                                  ix->clean, 1);
    if (st == CTI_OK)
        st = keep_value(ix, docid, CTI_SLOT_SOURCE, ix->doc);
    if (st == CTI_OK)
        st = keep_value(ix, docid, CTI_SLOT_HASH, ix->doc);
    if (st == CTI_OK)
        st = cti_db_replace(ix->main, idterm, itl, ix->doc, NULL);
    cti_article_release(&a);
    if (st == CTI_OK) {
        ix->main_dirty = 1;
        ix->pending++;
    }
    return st;
}

/*
 * After the run is written: rebuild the articles whose template lines
 * the counts of the whole index now judge otherwise (cti_clean_settle()).
 */
static cti_status settle(cti_index *ix)
{
    uint64_t n = 0;
    cti_status st = cti_index_commit(ix);
    if (st != CTI_OK)
        return st;
    pthread_mutex_lock(&ix->pubmu);
    st = cti_clean_settle(ix->clean_run, ix->main, rebuild_doc, ix, &n);
    pthread_mutex_unlock(&ix->pubmu);
    if (st != CTI_OK)
        return cti_index_fail(ix, "cannot settle page templates", st);
    if (n) {
        char what[96];
        snprintf(what, sizeof what, "%" PRIu64 " article(s) rebuilt for page "
                 "templates", n);
        cti_report_phase(ix->rep, ix->dir, what);
    }
    return CTI_OK;
}

/* The end of a bulk run: stop the workers, merge, then the deferred. */
static cti_status finish_bulk(cti_index *ix)
{
    cti_status st = cti_bulk_stop(ix);
    cti_report_phase(ix->rep, ix->dir, "segments built");
    if (ix->nsegs)
        cti_report_line(ix->rep, "merging %zu segments", ix->nsegs);
    if (st == CTI_OK && ix->gspell.n)
        st = cti_spelling_segment(ix);
    if (st == CTI_OK && (ix->nsegs || ix->o.compact))
        st = cti_merge_all(ix);
    cti_report_phase(ix->rep, ix->dir, "merged");
    /* Later versions of ids that went to a segment. */
    if (st == CTI_OK)
        st = cti_bulk_write_deferred(ix);
    ix->bulk = 0;
    return st;
}

cti_status cti_index_finish(cti_index *ix)
{
    cti_status st = CTI_OK;
    ix->finished = 1;
    if (!ix->fatal && (st = cti_sync_flush_held(ix)) == CTI_OK)
        st = cti_removal_run(ix);
    if (ix->bulk) {
        cti_status s = finish_bulk(ix);
        if (st == CTI_OK)
            st = s;
    } else if (st == CTI_OK && ix->o.compact && ix->main) {
        if ((st = cti_index_commit(ix)) == CTI_OK)
            st = cti_merge_all(ix);
    }
    if (st == CTI_OK && !ix->fatal && !ix->main && !ix->mainname)
        st = main_create(ix);
    if (ix->clean_run)
        cti_clean_run_done(ix->clean_run);
    if (st == CTI_OK && !ix->fatal && ix->main && ix->clean_run)
        st = settle(ix);
    if (st == CTI_OK && !ix->fatal)
        st = cti_index_commit(ix);
    /* Settled: the marker comes off.  Should that fail, the next run only
       checks every template line once more. */
    if (st == CTI_OK && !ix->fatal && !ix->remote && ix->clean_run)
        cti_folder_mark(ix->dir, CTI_UNSETTLED_NAME, 0);
    cti_report_phase(ix->rep, ix->dir, "committed");
    uint32_t ndocs = 0;
    if (ix->main && cti_db_doccount(ix->main, &ndocs) == CTI_OK)
        ix->st.articles = ndocs;
    if (ix->fatal) {
        if (st == CTI_OK)
            st = CTI_ERROR;
        cti_sync_reconcile(ix);
    }
    cti_report_phase(ix->rep, ix->dir, "done");
    return st;
}

void cti_index_free(cti_index *ix)
{
    if (!ix)
        return;
    cti_bulk_free(ix);
    if (ix->main) {
        if (ix->pending || ix->main_dirty)
            cti_db_free(ix->main); /* uncommitted work is abandoned */
        else
            cti_db_close(ix->main);
    }
    cti_analyzer_free(ix->an);
    cti_doc_free(ix->doc);
    cti_text_writer_free(ix->tw);
    cti_text_reader_free(ix->tr);
    cti_text_packer_free(ix->text);
    cti_clean_free(ix->clean);
    cti_db_free(ix->copy_look);
    free(ix->copy_path);
    cti_clean_run_free(ix->clean_run);
    cti_smap_free(&ix->spell);
    cti_smap_free(&ix->gspell);
    cti_smap_free(&ix->forget);
    cti_smap_free(&ix->ids);
    cti_smap_free(&ix->walked);
    free(ix->ents);
    for (size_t i = 0; i < ix->nheld; i++)
        if (ix->held[i].job) {
            cti_bulk_job_free(ix->held[i].job);
            free(ix->held[i].origin);
        }
    free(ix->held);
    for (size_t i = 0; i < ix->nconts; i++)
        free(ix->conts[i].display);
    free(ix->conts);
    cti_smap_free(&ix->contmap);
    free(ix->mainname);
    for (size_t i = 0; i < ix->nsegs; i++)
        free(ix->segs[i]);
    free(ix->segs);
    free(ix->dir);
    if (ix->lockfd >= 0)
        close(ix->lockfd);
    free(ix);
}
