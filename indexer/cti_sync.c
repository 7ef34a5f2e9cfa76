/*
 * cti_sync.c - the sync map and its rules: what a run must write or skip
 * to bring the index in line with its inputs, and what it does with an
 * id met in two places.  What leaves the index is cti_removal.c.
 *
 * Each article's document carries its sync record (cti_schema.h):
 * CTI_SLOT_SOURCE holds "f <size> <mtime_ns> <id>" for an article read
 * from a text file (its id is the file's absolute path), and
 * "r <flags> <clen> <container> <id>" for a record of a collection file
 * (JSON lines): the container is the real path of that file (clen bytes;
 * empty for standard input), so a collection read again can lose the
 * records gone from it.  "j <id>", the record of a JSON line before
 * records named their file, is still read; such an article gets the new
 * record the next time it is met (counted as unchanged).  CTI_SLOT_HASH
 * holds the 16 hex digits of the content hash.  The map id -> (size,
 * mtime, hash, container) is filled from them: one by one (by id term)
 * for a small run, or for every document through two value iterators in
 * one pass (no document is opened) once a run looks up many ids or may
 * remove articles.
 *
 * The rules:
 *   - a file whose size and mtime match is skipped after stat() alone;
 *   - a changed file is re-read, and replaced only if its content hash
 *     changed (a touched file just gets its new stat recorded and counts
 *     as unchanged); a record with a known id replaces the old article
 *     when its hash differs, and gets its new sync record when it now
 *     comes from another file (also counted as unchanged);
 *   - an id met in two places in one run (two files, two lines): a
 *     warning naming both, and the later one wins; its record is flagged
 *     CTI_REC_DUP.  On the next run a differing version of a flagged id
 *     is held back to the end of the run rather than written at once:
 *     when the place that won before comes again with the indexed
 *     version, the held one is dropped, so a re-run over the same inputs
 *     writes nothing (instead of writing both versions in turn forever);
 *   - a record replacing the article that another file gave the index
 *     is a warning naming that file (and is flagged the same way).
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

uint32_t cti_sync_container(cti_index *ix, const char *path, size_t len,
                       const char *display)
{
    uint32_t k = ix->lastcont;
    if (!k || ix->conts[k - 1].len != len ||
        memcmp(ix->conts[k - 1].path, path, len)) {
        int created;
        if (ix->nconts == ix->capconts) {
            size_t nc = ix->capconts ? ix->capconts * 2 : 16;
            cti_sync_cont *n = realloc(ix->conts, nc * sizeof *n);
            if (!n)
                return 0;
            ix->conts = n;
            ix->capconts = nc;
        }
        cti_smap_ent *e = cti_smap_get(&ix->contmap, path, len, 1, &created);
        if (!e)
            return 0;
        if (created) {
            e->val = (uint32_t)ix->nconts;
            cti_sync_cont *c = &ix->conts[ix->nconts++];
            memset(c, 0, sizeof *c);
            c->path = e->key;
            c->len = len;
        }
        k = e->val + 1;
    }
    cti_sync_cont *c = &ix->conts[k - 1];
    if (display && !c->display)
        c->display = strdup(display); /* NULL: messages use the path */
    ix->lastcont = k;
    return k;
}

cti_status cti_sync_walked_file(cti_index *ix, const char *path,
                                int complete)
{
    uint32_t k = cti_sync_container(ix, path, strlen(path), NULL);
    if (!k)
        return cti_index_fail(ix, "cannot index", CTI_ENOMEM);
    ix->conts[k - 1].state |= CTI_CT_MET | (complete ? CTI_CT_COMPLETE : 0);
    ix->sweep = 1;
    return CTI_OK;
}

/* A sync record, parsed (pointers into the value). */
typedef struct record {
    char kind;            /* 'f', 'r' or 'j' */
    int64_t size, mtime;  /* 'f' */
    unsigned flags;       /* 'r' */
    const char *cont;     /* 'r': the container, clen bytes */
    size_t clen;
    const char *id;
    size_t idlen;
} record;

/* A decimal number at *p (a '-' first if 'sign'), followed by a space,
   which is skipped.  Returns 0, or -1 if there is none. */
static int number(const char **p, const char *end, int sign, int64_t *out)
{
    const char *q = *p;
    int neg = sign && q < end && *q == '-';
    uint64_t v = 0;
    q += neg;
    const char *digits = q;
    while (q < end && *q >= '0' && *q <= '9' && q - digits < 19)
        v = v * 10 + (uint64_t)(*q++ - '0');
    if (q == digits || q >= end || *q != ' ')
        return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    *p = q + 1;
    return 0;
}

/* Parse the CTI_SLOT_SOURCE value v[0, len) into *r; 0, or -1 if malformed. */
static int parse_record(const char *v, size_t len, record *r)
{
    const char *p = v + 2, *end = v + len;
    int64_t flags, clen;
    memset(r, 0, sizeof *r);
    r->size = r->mtime = -1;
    if (len < 3 || v[1] != ' ')
        return -1;
    r->kind = v[0];
    switch (r->kind) {
    case 'f':
        if (number(&p, end, 0, &r->size) || number(&p, end, 1, &r->mtime))
            return -1;
        break;
    case 'r':
        if (number(&p, end, 0, &flags) || number(&p, end, 0, &clen) ||
            clen >= end - p || p[clen] != ' ')
            return -1;
        r->flags = (unsigned)flags & 0xffu;
        r->cont = p;
        r->clen = (size_t)clen;
        p += clen + 1;
        break;
    case 'j':
        break;
    default:
        return -1;
    }
    if (p >= end)
        return -1;
    r->id = p;
    r->idlen = (size_t)(end - p);
    return 0;
}

/*
 * Put the sync record v[0, len) with content hash 'hash' into the map (a
 * malformed one is passed over).  Returns CTI_OK or CTI_ENOMEM.
 */
static cti_status sync_add(cti_index *ix, const char *v, size_t len,
                           uint64_t hash)
{
    record r;
    uint32_t cont = 0;
    if (parse_record(v, len, &r) < 0)
        return CTI_OK;
    if (r.kind == 'r' &&
        !(cont = cti_sync_container(ix, r.cont, r.clen, NULL)))
        return CTI_ENOMEM;
    cti_sync_ent *s = cti_sync_get(ix, r.id, r.idlen, 1);
    if (!s)
        return CTI_ENOMEM;
    if (s->state & (CTI_ST_INDEXED | CTI_ST_SEEN | CTI_ST_ARTICLE))
        return CTI_OK; /* known already: keep its state */
    s->kind = r.kind;
    s->size = r.size;
    s->mtime = r.mtime;
    s->hash = s->hash0 = hash;
    s->flags = (unsigned char)r.flags;
    s->cont = cont;
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

cti_sync_ent *cti_sync_find(cti_index *ix, const char *id, size_t len)
{
    cti_sync_ent *s = cti_sync_get(ix, id, len, 0);
    if (s || !ix->sync_db)
        return s;
    if (++ix->lookups > CTI_LOOKUPS_MAX) {
        if (cti_sync_read_all(ix) != CTI_OK)
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

cti_status cti_sync_read_all(cti_index *ix)
{
    cti_db *db = ix->sync_db;
    ix->sync_db = NULL;
    return db ? cti_sync_load(ix, db) : CTI_OK;
}

int cti_sync_want_file(cti_index *ix, const char *id, const struct stat *sb)
{
    if (ix->fatal)
        return 0;
    cti_sync_ent *s = cti_sync_find(ix, id, strlen(id));
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

/* How one article of a run is placed: its file and line. */
typedef struct place {
    int file;             /* a text file (the id is its path) */
    uint32_t cont;        /* a record: its collection (index + 1) */
    unsigned long line;
    const char *origin;   /* its file as named in messages */
    size_t bytes;         /* title and body bytes */
} place;

/* Where the version kept for 's' (id 'id') comes from, for messages. */
static const char *kept_where(const cti_index *ix, const cti_sync_ent *s,
                              const char *id)
{
    if (s->kind == 'f' || !s->cont)
        return id;
    const cti_sync_cont *c = &ix->conts[s->cont - 1];
    if (c->display)
        return c->display;
    return c->len ? c->path : "<stdin>";
}

/* "file[:line]" into buf. */
static const char *at(char *buf, size_t n, const char *file,
                      unsigned long line)
{
    if (line)
        snprintf(buf, n, "%s:%lu", file, line);
    else
        snprintf(buf, n, "%s", file);
    return buf;
}

/*
 * Warn that article 'a' (at 'p') has the id of the one at where:line,
 * met earlier in this run; 'same' when their contents are equal.
 */
static void warn_twice(cti_index *ix, const cti_article *a, const place *p,
                       const char *where, unsigned long line, int same)
{
    char here[1024], there[1024];
    ix->st.warnings++;
    if (ix->o.quiet)
        return;
    cti_report_say(ix->rep, "%s: id '%s' is also at %s; %s",
                   at(here, sizeof here, p->origin, p->line), a->id,
                   at(there, sizeof there, where, line),
                   same ? "same content, indexed once"
                        : "the later one is kept (--id-prefix or "
                          "--scoped-ids keep both)");
}

/* Warn that article 'a' replaces the one another file gave the index. */
static void warn_moved(cti_index *ix, const cti_article *a, const place *p,
                       const char *where)
{
    char here[1024];
    ix->st.warnings++;
    if (ix->o.quiet)
        return;
    cti_report_say(ix->rep, "%s: id '%s' replaces the article indexed from "
                   "%s (--id-prefix or --scoped-ids keep both)",
                   at(here, sizeof here, p->origin, p->line), a->id, where);
}

/* Record in 's' that article 'a' (at 'p') is the version kept. */
static void keep(cti_sync_ent *s, const cti_article *a, const place *p)
{
    s->hash = a->hash;
    s->kind = p->file ? 'f' : 'r';
    s->size = p->file ? a->size : -1;
    s->mtime = p->file ? a->mtime_ns : -1;
    s->cont = p->cont;
    s->line = (uint32_t)p->line; /* files are under 4 GiB */
}

/*
 * Hold article 'a' back to the end of the run (its strings move).
 * Returns 1 if held, 0 if not (over the memory budget for held articles,
 * or out of memory): then it is written at once.
 */
static int hold(cti_index *ix, cti_sync_ent *s, cti_article *a,
                const place *p)
{
    size_t budget = ((size_t)ix->o.memory_mb << 20) / 8;
    if (ix->held_bytes + p->bytes > budget)
        return 0;
    if (ix->nheld == ix->capheld) {
        size_t nc = ix->capheld ? ix->capheld * 2 : 16;
        cti_sync_held *n = realloc(ix->held, nc * sizeof *n);
        if (!n)
            return 0;
        ix->held = n;
        ix->capheld = nc;
    }
    char *origin = strdup(p->origin ? p->origin : "");
    cti_job *j = origin ? cti_bulk_job_new(a) : NULL;
    if (!j) {
        free(origin);
        return 0;
    }
    cti_sync_held *h = &ix->held[ix->nheld++];
    h->job = j;
    h->origin = origin;
    h->line = p->line;
    h->cont = p->cont;
    ix->held_bytes += j->bytes;
    s->held = (uint32_t)ix->nheld;
    return 1;
}

/* Release held version 'h'. */
static void unhold(cti_index *ix, cti_sync_held *h)
{
    ix->held_bytes -= h->job->bytes;
    cti_bulk_job_free(h->job);
    free(h->origin);
    h->job = NULL;
    h->origin = NULL;
}

/*
 * The first article with the id of entry 's' in this run (or the first
 * after a held one was dropped): count it as added, updated or unchanged
 * and write it if it must be.
 */
static cti_status first(cti_index *ix, cti_article *a, cti_sync_ent *s,
                        const place *p)
{
    int touched = 0, moved = 0;
    if (s->state & CTI_ST_INDEXED) {
        int same_place = p->file ? s->kind == 'f' && s->size == a->size &&
                                       s->mtime == a->mtime_ns
                                 : s->kind == 'r' && s->cont == p->cont;
        if (s->hash == a->hash && same_place) {
            ix->st.unchanged++;
            s->line = (uint32_t)p->line; /* files are under 4 GiB */
            return CTI_OK;
        }
        if (s->hash != a->hash && !p->file && (s->flags & CTI_REC_DUP) &&
            hold(ix, s, a, p))
            return CTI_OK;
        touched = s->hash == a->hash; /* same content, new stat or file */
        moved = !touched && !p->file && s->kind == 'r' && s->cont != p->cont;
        if (moved)
            warn_moved(ix, a, p, kept_where(ix, s, a->id));
        if (touched)
            ix->st.unchanged++;
        else
            ix->st.updated++;
    } else {
        ix->st.added++;
    }
    if (moved || (s->state & CTI_ST_TWICE))
        s->flags |= CTI_REC_DUP;
    keep(s, a, p);
    if (!touched)
        ix->st.bytes += p->bytes;
    return cti_index_write(ix, a, s, (s->state & CTI_ST_INDEXED) != 0);
}

/*
 * A later article with the id of one handled in this run: a warning
 * naming both places; the later one wins.
 */
static cti_status again(cti_index *ix, cti_article *a, cti_sync_ent *s,
                        const place *p)
{
    s->state |= CTI_ST_TWICE;
    warn_twice(ix, a, p, kept_where(ix, s, a->id), s->line,
               s->hash == a->hash);
    if (s->hash == a->hash)
        return CTI_OK;
    if (s->state & CTI_ST_INDEXED) {
        /* Count the id once, by how its final version differs. */
        int was = s->hash != s->hash0, now = a->hash != s->hash0;
        if (now && !was) {
            ix->st.unchanged--;
            ix->st.updated++;
        } else if (was && !now) {
            ix->st.updated--;
            ix->st.unchanged++;
        }
    }
    s->flags |= CTI_REC_DUP;
    keep(s, a, p);
    ix->st.bytes += p->bytes;
    if (ix->bulk && (s->state & CTI_ST_SEG))
        return cti_bulk_defer(ix, a);
    return cti_index_write(ix, a, s, 1);
}

/* A later article with the id of one held back: the held one is dropped. */
static cti_status supersede(cti_index *ix, cti_article *a, cti_sync_ent *s,
                            const place *p)
{
    cti_sync_held *h = &ix->held[s->held - 1];
    s->state |= CTI_ST_TWICE;
    warn_twice(ix, a, p, h->origin, h->line, h->job->a.hash == a->hash);
    unhold(ix, h);
    s->held = 0;
    return first(ix, a, s, p);
}

cti_status cti_sync_article(cti_index *ix, cti_article *a)
{
    place p;
    if (ix->fatal)
        return CTI_ESTATE;
    if (!a->id || !*a->id) {
        ix->st.failed++;
        return CTI_OK;
    }
    memset(&p, 0, sizeof p);
    p.file = a->line == 0 && a->size >= 0 && a->mtime_ns >= 0;
    p.line = a->line;
    p.origin = a->origin ? a->origin : a->id;
    p.bytes = a->body_len + (a->title ? strlen(a->title) : 0);
    if (p.file) {
        a->container = NULL;
    } else {
        /* The container is kept by its stable copy in the map, as the
           article may outlive the reader's string (bulk queue, held). */
        const char *c = a->container ? a->container : "";
        if (!(p.cont = cti_sync_container(ix, c, strlen(c),
                                     a->container ? a->origin : "<stdin>")))
            return cti_index_fail(ix, "cannot index", CTI_ENOMEM);
        a->container = ix->conts[p.cont - 1].path;
        ix->conts[p.cont - 1].state |= CTI_CT_MET;
    }
    size_t idlen = strlen(a->id);
    cti_sync_ent *s = cti_sync_find(ix, a->id, idlen);
    if (!s && ix->fatal)
        return CTI_ESTATE;
    if (!s && !(s = cti_sync_get(ix, a->id, idlen, 1)))
        return cti_index_fail(ix, "cannot index", CTI_ENOMEM);
    s->state |= CTI_ST_SEEN;
    if (s->held)
        return supersede(ix, a, s, &p);
    if (s->state & CTI_ST_ARTICLE)
        return again(ix, a, s, &p);
    s->state |= CTI_ST_ARTICLE;
    return first(ix, a, s, &p);
}

cti_status cti_sync_flush_held(cti_index *ix)
{
    cti_status st = CTI_OK;
    for (size_t i = 0; i < ix->nheld && st == CTI_OK && !ix->fatal; i++) {
        cti_sync_held *h = &ix->held[i];
        if (!h->job)
            continue;
        cti_article *a = &h->job->a;
        cti_sync_ent *s = cti_sync_get(ix, a->id, strlen(a->id), 0);
        place p = { 0, h->cont, h->line, h->origin, h->job->bytes };
        if (s) {
            s->held = 0;
            if (s->cont != h->cont)
                warn_moved(ix, a, &p, kept_where(ix, s, a->id));
            else
                s->flags &= (unsigned char)~CTI_REC_DUP; /* met once */
            ix->st.updated++;
            ix->st.bytes += p.bytes;
            keep(s, a, &p);
            st = cti_index_write(ix, a, s, 1);
        }
        unhold(ix, h);
    }
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
