/*
 * cti_sync.c - the sync map and its rules: what a run must write, skip
 * or remove to bring the index in line with its inputs.
 *
 * Each article's document carries its sync record: CTI_SLOT_SOURCE holds
 * "f <size> <mtime_ns> <id>" for an article read from a file (its id is
 * the file's absolute path) and "j <id>" for a JSON line; CTI_SLOT_HASH
 * the 16 hex digits of its content hash.  The map id -> (size, mtime,
 * hash) is filled from them: one by one (by id term) for a small run,
 * or for every document through two value iterators in one pass (no
 * document is opened) once a run looks up many ids or removes articles.
 *
 * The rules:
 *   - a file whose size and mtime match is skipped after stat() alone;
 *   - a changed file is re-read, and replaced only if its content hash
 *     changed (a touched file just gets its new stat recorded and counts
 *     as unchanged); a JSON line with a known id replaces the old article
 *     when its hash differs;
 *   - within one run a later article with the id of an earlier one wins;
 *   - files indexed under a folder that was walked completely and not
 *     seen in this run are deleted at its end.
 * Everything here runs in the calling thread.
 */
#include "cti_indexer_int.h"

#include "cti_schema.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

cti_sync_ent *cti_sync_get(cti_index *ix, const char *id, size_t len,
                           int add)
{
    int created;
    /* Room for a new entry first: a key must never point past ents. */
    if (add && ix->nents == ix->capents) {
        size_t nc = ix->capents ? ix->capents * 2 : 1024;
        cti_sync_ent *ne = realloc(ix->ents, nc * sizeof *ne);
        if (!ne)
            return NULL;
        ix->ents = ne;
        ix->capents = nc;
    }
    cti_smap_ent *e = cti_smap_get(&ix->ids, id, len, add, &created);
    if (!e)
        return NULL;
    if (created) {
        e->val = (uint32_t)ix->nents;
        cti_sync_ent *s = &ix->ents[ix->nents++];
        memset(s, 0, sizeof *s);
        s->size = s->mtime = -1;
    }
    return &ix->ents[e->val];
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The content hash in a CTI_SLOT_HASH value (0 if malformed). */
static uint64_t parse_hash(const char *v, size_t len)
{
    uint64_t h = 0;
    for (size_t i = 0; i < len && i < 16; i++) {
        int x = hexval((unsigned char)v[i]);
        if (x < 0)
            return 0;
        h = h << 4 | (uint64_t)x;
    }
    return h;
}

/*
 * Parse a CTI_SLOT_SOURCE value into the map (a malformed one is passed
 * over).  Returns CTI_OK or CTI_ENOMEM.
 */
static cti_status sync_add(cti_index *ix, const char *v, size_t len,
                           uint64_t hash)
{
    if (len < 3 || v[1] != ' ')
        return CTI_OK;
    char kind = v[0];
    const char *p = v + 2, *end = v + len;
    int64_t size = -1, mtime = -1;
    if (kind == 'f') {
        char *q;
        char buf[48];
        size_t n = (size_t)(end - p) < sizeof buf - 1 ? (size_t)(end - p)
                                                       : sizeof buf - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        size = strtoll(buf, &q, 10);
        if (*q != ' ')
            return CTI_OK;
        mtime = strtoll(q + 1, &q, 10);
        if (*q != ' ')
            return CTI_OK;
        p += (q + 1) - buf;
    } else if (kind != 'j') {
        return CTI_OK;
    }
    cti_sync_ent *s = cti_sync_get(ix, p, (size_t)(end - p), 1);
    if (!s)
        return CTI_ENOMEM;
    if (s->state & (CTI_ST_SEEN | CTI_ST_ARTICLE))
        return CTI_OK; /* met in this run before the full read: keep its state */
    s->kind = kind;
    s->size = size;
    s->mtime = mtime;
    s->hash = hash;
    s->state |= CTI_ST_INDEXED;
    return CTI_OK;
}

cti_status cti_sync_load(cti_index *ix, cti_db *db)
{
    cti_valiter *vs = NULL, *vh = NULL;
    cti_status st, s2;
    uint32_t dh = 0, ds;
    const char *h = NULL, *v;
    size_t hl = 0, vl;
    /* 'db' may be the main database, which bulk workers commit. */
    pthread_mutex_lock(&ix->pubmu);
    if ((st = cti_db_values(db, CTI_SLOT_SOURCE, &vs)) != CTI_OK ||
        (st = cti_db_values(db, CTI_SLOT_HASH, &vh)) != CTI_OK)
        goto done;
    s2 = cti_valiter_next(vh, &dh, &h, &hl);
    while ((st = cti_valiter_next(vs, &ds, &v, &vl)) == CTI_OK) {
        while (s2 == CTI_OK && dh < ds)
            s2 = cti_valiter_next(vh, &dh, &h, &hl);
        if (s2 != CTI_OK && s2 != CTI_DONE) {
            st = s2;
            goto done;
        }
        uint64_t hash = (s2 == CTI_OK && dh == ds) ? parse_hash(h, hl) : 0;
        if ((st = sync_add(ix, v, vl, hash)) != CTI_OK)
            goto done;
    }
    if (st == CTI_DONE)
        st = CTI_OK;
done:
    cti_valiter_free(vs);
    cti_valiter_free(vh);
    pthread_mutex_unlock(&ix->pubmu);
    if (st != CTI_OK)
        cti_index_fail(ix, "cannot read the index", st);
    return st;
}

/*
 * Read the sync record of the article of id term 'idterm' from
 * ix->sync_db (the main database) into the map.  Returns CTI_OK,
 * CTI_ENOTFOUND (no such article), or the failure.
 */
static cti_status read_record(cti_index *ix, const char *idterm, size_t itl)
{
    uint32_t docid;
    char *v = NULL, *h = NULL;
    size_t vl = 0, hl = 0;
    pthread_mutex_lock(&ix->pubmu); /* bulk workers commit main */
    cti_status st = cti_db_find(ix->sync_db, idterm, itl, &docid);
    if (st == CTI_OK &&
        (st = cti_db_get_value(ix->sync_db, docid, CTI_SLOT_SOURCE, &v,
                               &vl)) == CTI_OK &&
        (st = cti_db_get_value(ix->sync_db, docid, CTI_SLOT_HASH, &h,
                               &hl)) == CTI_OK)
        st = sync_add(ix, v, vl, parse_hash(h, hl));
    pthread_mutex_unlock(&ix->pubmu);
    free(v);
    free(h);
    return st;
}

/*
 * The sync entry of article 'id' (len bytes), or NULL when the index has
 * none.  Reads the record from the index when the map does not hold all
 * of them yet.  Returns NULL on errors too, with ix->fatal set.
 */
static cti_sync_ent *lookup(cti_index *ix, const char *id, size_t len)
{
    cti_sync_ent *s = cti_sync_get(ix, id, len, 0);
    if (s || !ix->sync_db)
        return s;
    if (++ix->lookups > CTI_LOOKUPS_MAX) {
        cti_db *db = ix->sync_db;
        ix->sync_db = NULL;
        if (cti_sync_load(ix, db) != CTI_OK)
            return NULL;
        return cti_sync_get(ix, id, len, 0);
    }
    char idterm[CTI_IDTERM_MAX + 1];
    size_t itl = cti_schema_idterm(id, len, idterm);
    cti_status st = read_record(ix, idterm, itl);
    if (st != CTI_OK && st != CTI_ENOTFOUND) {
        cti_index_fail(ix, "cannot read the index", st);
        return NULL;
    }
    /* A miss is remembered too (an entry of state 0), so the id is not
       looked up again. */
    s = cti_sync_get(ix, id, len, st == CTI_ENOTFOUND);
    if (!s && st == CTI_ENOTFOUND)
        cti_index_fail(ix, "cannot read the index", CTI_ENOMEM);
    return s;
}

int cti_sync_want_file(cti_index *ix, const char *id, const struct stat *sb)
{
    if (ix->fatal)
        return 0;
    cti_sync_ent *s = lookup(ix, id, strlen(id));
    if (!s)
        return ix->fatal ? 0 : 1;
    if (s->state & CTI_ST_SEEN)
        return 0; /* met twice in this run (a folder and a file in it) */
    s->state |= CTI_ST_SEEN;
    int64_t mt = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    if ((s->state & CTI_ST_INDEXED) && s->kind == 'f' &&
        s->size == sb->st_size && s->mtime == mt) {
        ix->st.unchanged++;
        return 0;
    }
    return 1;
}

/* A later article with the id of one handled in this run: it wins. */
static cti_status again(cti_index *ix, cti_article *a, cti_sync_ent *s,
                        size_t bytes)
{
    if (s->hash == a->hash) {
        ix->st.unchanged++;
        return CTI_OK;
    }
    s->hash = a->hash;
    ix->st.updated++;
    ix->st.bytes += bytes;
    if (ix->bulk && (s->state & CTI_ST_SEG))
        return cti_bulk_defer(ix, a);
    return cti_index_write(ix, a, s, 1);
}

cti_status cti_sync_article(cti_index *ix, cti_article *a)
{
    if (ix->fatal)
        return CTI_ESTATE;
    if (!a->id || !*a->id) {
        ix->st.failed++;
        return CTI_OK;
    }
    size_t idlen = strlen(a->id);
    cti_sync_ent *s = lookup(ix, a->id, idlen);
    if (!s && ix->fatal)
        return CTI_ESTATE;
    if (!s && !(s = cti_sync_get(ix, a->id, idlen, 1)))
        return cti_index_fail(ix, "cannot index", CTI_ENOMEM);
    int file = a->line == 0 && a->size >= 0 && a->mtime_ns >= 0;
    size_t bytes = a->body_len + (a->title ? strlen(a->title) : 0);
    s->state |= CTI_ST_SEEN;
    if (s->state & CTI_ST_ARTICLE)
        return again(ix, a, s, bytes);
    s->state |= CTI_ST_ARTICLE;
    int touched = 0;
    if (s->state & CTI_ST_INDEXED) {
        if (s->hash == a->hash &&
            (!file || (s->size == a->size && s->mtime == a->mtime_ns))) {
            ix->st.unchanged++;
            return CTI_OK;
        }
        touched = s->hash == a->hash; /* same content, new stat: record it */
        if (touched)
            ix->st.unchanged++;
        else
            ix->st.updated++;
    } else {
        ix->st.added++;
    }
    s->hash = a->hash;
    s->kind = file ? 'f' : 'j';
    s->size = file ? a->size : -1;
    s->mtime = file ? a->mtime_ns : -1;
    if (!touched)
        ix->st.bytes += bytes;
    return cti_index_write(ix, a, s, (s->state & CTI_ST_INDEXED) != 0);
}

/* Is the file 'e' indexed under a walked folder, and was it not seen? */
static int gone(cti_index *ix, const cti_smap_ent *e)
{
    const cti_sync_ent *s = &ix->ents[e->val];
    if (!(s->state & CTI_ST_INDEXED) || (s->state & CTI_ST_SEEN) ||
        s->kind != 'f')
        return 0;
    for (size_t k = 1; k < e->len; k++)
        if (e->key[k - 1] == '/' &&
            cti_smap_get(&ix->walked, e->key, k, 0, NULL))
            return 1;
    return 0;
}

/* Delete every gone file's article from the main database ([pubmu] held). */
static cti_status remove_gone_locked(cti_index *ix)
{
    cti_status st;
    for (size_t i = 0; i < ix->ids.cap; i++) {
        cti_smap_ent *e = &ix->ids.t[i];
        if (!e->key || !gone(ix, e))
            continue;
        char idterm[CTI_IDTERM_MAX + 1];
        size_t itl = cti_schema_idterm(e->key, e->len, idterm);
        if ((st = cti_spelling_forget(ix, idterm, itl)) != CTI_OK ||
            (st = cti_db_delete(ix->main, idterm, itl)) != CTI_OK)
            return cti_index_fail(ix, "cannot delete", st);
        ix->ents[e->val].state &= (unsigned char)~CTI_ST_INDEXED;
        ix->main_dirty = 1;
        ix->st.removed++;
        if (++ix->pending >= ix->o.batch &&
            (st = cti_index_commit(ix)) != CTI_OK)
            return st;
    }
    return CTI_OK;
}

cti_status cti_sync_remove_gone(cti_index *ix)
{
    cti_status st = CTI_OK;
    if (!ix->walked.n)
        return CTI_OK;
    /* Every record first: the gone are those not met in this run. */
    cti_db *db = ix->sync_db;
    ix->sync_db = NULL;
    if (db && (st = cti_sync_load(ix, db)) != CTI_OK)
        return st;
    if (!ix->main)
        return CTI_OK;
    pthread_mutex_lock(&ix->pubmu);
    st = remove_gone_locked(ix);
    pthread_mutex_unlock(&ix->pubmu);
    return st;
}

void cti_sync_reconcile(cti_index *ix)
{
    cti_db *db = NULL;
    if (cti_db_open(ix->dir, CTI_DB_READ, &db) != CTI_OK)
        db = NULL;
    uint64_t added = 0, updated = 0, lost = 0;
    for (size_t i = 0; i < ix->ids.cap; i++) {
        cti_smap_ent *e = &ix->ids.t[i];
        if (!e->key)
            continue;
        cti_sync_ent *s = &ix->ents[e->val];
        if (!(s->state & CTI_ST_ARTICLE))
            continue;
        int saved = 0;
        char idterm[CTI_IDTERM_MAX + 1];
        size_t itl = cti_schema_idterm(e->key, e->len, idterm);
        uint32_t docid;
        if (db && cti_db_find(db, idterm, itl, &docid) == CTI_OK) {
            char *v = NULL, hex[17];
            size_t vl = 0;
            snprintf(hex, sizeof hex, "%016" PRIx64, s->hash);
            if (cti_db_get_value(db, docid, CTI_SLOT_HASH, &v, &vl) == CTI_OK)
                saved = vl == 16 && memcmp(v, hex, 16) == 0;
            free(v);
        }
        if (!saved)
            lost++;
        else if (s->state & CTI_ST_INDEXED)
            updated++;
        else
            added++;
    }
    if (lost) {
        /* 'unchanged' keeps its count: those articles were already saved */
        uint64_t claimed = ix->st.added + ix->st.updated;
        ix->st.added = added < ix->st.added ? added : ix->st.added;
        ix->st.updated = claimed - ix->st.added > updated
                             ? updated
                             : claimed - ix->st.added;
        ix->st.failed += lost;
    }
    uint32_t ndocs = 0;
    if (db && cti_db_doccount(db, &ndocs) == CTI_OK)
        ix->st.articles = ndocs;
    cti_db_free(db);
}
