/*
 * cti_removal.c - what leaves the index, and the one path by which it
 * leaves.
 *
 * At the end of a run (cti_removal_run), an article indexed when the run
 * started and not met in it (an article indexed again stays) is deleted
 * when
 *   - it was marked by cti_removal_mark_id() or cti_removal_mark_path()
 *     (cti-index --remove);
 *   - it is a text file below a folder walked completely in this run;
 *   - it is a record of a collection file read completely in this run
 *     (the record is gone from the file);
 *   - it is a record of a collection file below a folder walked
 *     completely in this run, which the walk did not meet (the file is
 *     gone from the folder);
 *   - with --prune, its text file or collection file no longer exists
 *     (stat() says ENOENT or ENOTDIR; any other error keeps it).
 * A collection file read with an error keeps every record gone from it,
 * counted in its 'kept' (the router says how many).  Records of standard input and old "j"
 * records (which do not name their file) leave only when marked.
 *
 * Deciding is done first, without a lock, marking entries CTI_ST_DROP;
 * then every marked article is deleted under [pubmu] through
 * cti_removal_delete(), which forgets its spelling words too.
 */
#include "cti_indexer_int.h"
#include "cti_schema.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

cti_status cti_removal_delete(cti_index *ix, const char *id, size_t len)
{
    char idterm[CTI_IDTERM_MAX + 1];
    cti_status st;
    size_t itl = cti_schema_idterm(id, len, idterm);
    if ((st = cti_spelling_forget(ix, idterm, itl)) != CTI_OK ||
        (st = cti_db_delete(ix->main, idterm, itl)) != CTI_OK)
        return cti_index_fail(ix, "cannot delete", st);
    ix->main_dirty = 1;
    ix->st.removed++;
    if (++ix->pending >= ix->o.batch)
        return cti_index_commit(ix);
    return CTI_OK;
}

int cti_removal_mark_id(cti_index *ix, const char *id, size_t len)
{
    cti_sync_ent *s = cti_sync_find(ix, id, len);
    if (!s)
        return ix->fatal ? -1 : 0;
    if (!(s->state & CTI_ST_INDEXED))
        return 0;
    if (!(s->state & CTI_ST_DROP)) {
        s->state |= CTI_ST_DROP;
        ix->ndrop++;
    }
    return 1;
}

/* Is 'p' (n bytes) the path 'dir' (dl bytes) or below it? */
static int below(const char *p, size_t n, const char *dir, size_t dl)
{
    if (n < dl || memcmp(p, dir, dl))
        return 0;
    return n == dl || (dl > 0 && dir[dl - 1] == '/') || p[dl] == '/';
}

long cti_removal_mark_path(cti_index *ix, const char *path, int mark)
{
    size_t pl = strlen(path);
    long n = 0;
    if (cti_sync_read_all(ix) != CTI_OK)
        return -1;
    for (size_t i = 0; i < ix->ids.cap; i++) {
        const cti_smap_ent *e = &ix->ids.t[i];
        if (!e->key)
            continue;
        cti_sync_ent *s = &ix->ents[e->val];
        if (!(s->state & CTI_ST_INDEXED))
            continue;
        int hit = 0;
        if (s->kind == 'f')
            hit = below(e->key, e->len, path, pl);
        else if (s->kind == 'r' && s->cont) {
            const cti_sync_cont *c = &ix->conts[s->cont - 1];
            hit = c->len && below(c->path, c->len, path, pl);
        }
        if (!hit)
            continue;
        n++;
        if (mark && !(s->state & CTI_ST_DROP)) {
            s->state |= CTI_ST_DROP;
            ix->ndrop++;
        }
    }
    return n;
}

/* Is 'path' (n bytes) below a folder walked completely in this run? */
static int under_walked(cti_index *ix, const char *path, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (path[k - 1] == '/' && cti_smap_get(&ix->walked, path, k, 0, NULL))
            return 1;
    return 0;
}

/* Does the file 'path' no longer exist? */
static int gone_from_disk(const char *path)
{
    struct stat sb;
    return stat(path, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* Work out the states of the collections that removal depends on. */
static void look_at_collections(cti_index *ix)
{
    for (size_t i = 0; i < ix->nconts; i++) {
        cti_sync_cont *c = &ix->conts[i];
        c->kept = 0;
        if (!c->len)
            continue; /* standard input */
        if (!(c->state & CTI_CT_MET) && ix->walked.n &&
            under_walked(ix, c->path, c->len))
            c->state |= CTI_CT_UNDER;
        if (ix->o.prune && !(c->state & CTI_CT_MET) &&
            gone_from_disk(c->path))
            c->state |= CTI_CT_GONE;
    }
}

/* Must the article of entry 'e' leave the index? */
static int doomed(cti_index *ix, const cti_smap_ent *e)
{
    cti_sync_ent *s = &ix->ents[e->val];
    if (!(s->state & CTI_ST_INDEXED))
        return 0;
    if (s->state & CTI_ST_SEEN) {
        s->state &= (unsigned char)~CTI_ST_DROP; /* indexed again: it stays */
        return 0;
    }
    if (s->state & CTI_ST_DROP)
        return 1;
    if (s->kind == 'f')
        return (ix->walked.n && under_walked(ix, e->key, e->len)) ||
               (ix->o.prune && gone_from_disk(e->key));
    if (s->kind != 'r' || !s->cont)
        return 0;
    cti_sync_cont *c = &ix->conts[s->cont - 1];
    if (!c->len)
        return 0;
    if (c->state & (CTI_CT_COMPLETE | CTI_CT_UNDER | CTI_CT_GONE))
        return 1;
    if (c->state & CTI_CT_MET)
        c->kept++; /* gone from a file read with an error: kept */
    return 0;
}

/* Delete every entry marked CTI_ST_DROP ([pubmu] held). */
static cti_status delete_marked(cti_index *ix)
{
    cti_status st;
    for (size_t i = 0; i < ix->ids.cap; i++) {
        cti_smap_ent *e = &ix->ids.t[i];
        if (!e->key)
            continue;
        cti_sync_ent *s = &ix->ents[e->val];
        if ((s->state & (CTI_ST_DROP | CTI_ST_INDEXED)) !=
            (CTI_ST_DROP | CTI_ST_INDEXED))
            continue;
        if ((st = cti_removal_delete(ix, e->key, e->len)) != CTI_OK)
            return st;
        s->state &= (unsigned char)~(CTI_ST_INDEXED | CTI_ST_DROP);
    }
    return CTI_OK;
}

cti_status cti_removal_run(cti_index *ix)
{
    cti_status st;
    if (ix->fatal || !(ix->sweep || ix->walked.n || ix->o.prune || ix->ndrop))
        return CTI_OK;
    /* Every record first, to find the gone among those not met in this
       run; articles marked by id alone need no more than their own. */
    if ((ix->sweep || ix->walked.n || ix->o.prune) &&
        (st = cti_sync_read_all(ix)) != CTI_OK)
        return st;
    if (!ix->main)
        return CTI_OK;
    look_at_collections(ix);
    size_t n = 0;
    for (size_t i = 0; i < ix->ids.cap; i++) {
        cti_smap_ent *e = &ix->ids.t[i];
        if (e->key && doomed(ix, e)) {
            ix->ents[e->val].state |= CTI_ST_DROP;
            n++;
        }
    }
    if (!n)
        return CTI_OK;
    pthread_mutex_lock(&ix->pubmu);
    st = delete_marked(ix);
    pthread_mutex_unlock(&ix->pubmu);
    return st;
}

/*
 * Append the components of 'rel' to the absolute path in b[0, *n) (cap
 * bytes), "." dropped and ".." going up.  Returns 0, or -1 if too long.
 */
static int append_lexically(char *b, size_t *n, size_t cap, const char *rel)
{
    const char *p = rel;
    while (*p) {
        const char *q = strchr(p, '/');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        if (l == 2 && p[0] == '.' && p[1] == '.') {
            while (*n > 1 && b[*n - 1] != '/')
                (*n)--;
            if (*n > 1)
                (*n)--; /* the slash, unless it is the root */
        } else if (l && !(l == 1 && p[0] == '.')) {
            if (*n + 1 + l + 1 > cap)
                return -1;
            if (b[*n - 1] != '/')
                b[(*n)++] = '/';
            memcpy(b + *n, p, l);
            *n += l;
        }
        p += l + (q != NULL);
    }
    b[*n] = '\0';
    return 0;
}

char *cti_removal_resolve(const char *path)
{
    char *real = realpath(path, NULL);
    if (real || !*path)
        return real;
    /* Gone: made absolute lexically, then the real path of its nearest
       head that is still there, and the rest as written. */
    char b[2 * PATH_MAX];
    size_t n;
    if (path[0] == '/')
        strcpy(b, "/");
    else if (!getcwd(b, sizeof b))
        return NULL;
    n = strlen(b);
    if (append_lexically(b, &n, sizeof b, path) < 0)
        return NULL;
    for (size_t cut = n; cut > 0; cut--) {
        if (cut != n && b[cut] != '/')
            continue;
        char c = b[cut];
        b[cut] = '\0';
        char *head = realpath(b, NULL);
        b[cut] = c;
        if (!head)
            continue;
        size_t hl = strlen(head);
        char *out = malloc(hl + (n - cut) + 1);
        if (out) {
            memcpy(out, head, hl);
            /* head "/" and rest "/x": one slash */
            const char *rest = b + cut + (hl == 1 && b[cut] == '/');
            memcpy(out + hl, rest, strlen(rest) + 1);
        }
        free(head);
        return out;
    }
    return strdup(b);
}
