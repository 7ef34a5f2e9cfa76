/*
 * cti_passed.c - the files passed over, remembered between runs.
 */
#include "cti_passed.h"
#include "cti_indexer_int.h"
#include "cti_path.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_NAME "passed"
#define MAX_ID (1u << 20)   /* longer ids in the file: it is damaged */

/* One file remembered: its stat, and whether this run passed it over. */
typedef struct rec {
    int64_t size, mtime_ns;
    int seen;
} rec;

struct cti_passed {
    char *dir;
    cti_smap ids;           /* id -> index into recs (val) */
    rec *recs;
    size_t n, cap;
    cti_smap walked;        /* folders walked completely in this run */
};

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* The record of 'id' (added, not seen, when absent); NULL: no memory. */
static rec *get(cti_passed *p, const char *id, size_t len)
{
    int created = 0;
    if (p->n == p->cap) { /* room first: an entry always has its record */
        size_t cap = p->cap ? p->cap * 2 : 64;
        rec *r = realloc(p->recs, cap * sizeof *r);
        if (!r)
            return NULL;
        p->recs = r;
        p->cap = cap;
    }
    cti_smap_ent *e = cti_smap_get(&p->ids, id, len, 1, &created);
    if (!e)
        return NULL;
    if (!created)
        return &p->recs[e->val];
    e->val = (uint32_t)p->n;
    memset(&p->recs[p->n], 0, sizeof p->recs[0]);
    return &p->recs[p->n++];
}

/* Read DIR/passed into p; a damaged file ends the reading where it is. */
static cti_status load(cti_passed *p, FILE *f)
{
    long long size, mt;
    unsigned long len;
    char *id = NULL;
    cti_status st = CTI_OK;
    while (fscanf(f, "%lld %lld %lu", &size, &mt, &len) == 3 && len < MAX_ID &&
           fgetc(f) == '\n') {
        char *b = realloc(id, len + 1);
        if (!b) {
            st = CTI_ENOMEM;
            break;
        }
        id = b;
        if (fread(id, 1, len, f) != len || fgetc(f) != '\n')
            break;
        id[len] = '\0';
        rec *r = get(p, id, len);
        if (!r) {
            st = CTI_ENOMEM;
            break;
        }
        r->size = size;
        r->mtime_ns = mt;
    }
    free(id);
    return st;
}

cti_status cti_passed_open(const char *dir, cti_passed **out)
{
    cti_passed *p = calloc(1, sizeof *p);
    char *path = NULL;
    cti_status st = CTI_ENOMEM;
    *out = NULL;
    if (!p || !(p->dir = strdup(dir)) ||
        asprintf(&path, "%s/%s", dir, FILE_NAME) < 0) {
        path = NULL;
        goto done;
    }
    FILE *f = fopen(path, "r");
    st = f ? load(p, f) : CTI_OK;
    if (f)
        fclose(f);
done:
    free(path);
    if (st != CTI_OK) {
        cti_passed_free(p);
        return st;
    }
    *out = p;
    return CTI_OK;
}

void cti_passed_free(cti_passed *p)
{
    if (!p)
        return;
    cti_smap_free(&p->ids);
    cti_smap_free(&p->walked);
    free(p->recs);
    free(p->dir);
    free(p);
}

int cti_passed_seen(cti_passed *p, const char *id, const struct stat *st)
{
    size_t len = strlen(id);
    int known = cti_smap_get(&p->ids, id, len, 0, NULL) != NULL;
    rec *r = get(p, id, len);
    if (!r)
        return 0;
    int same = known && r->size == (int64_t)st->st_size &&
               r->mtime_ns == mtime_ns(st);
    r->size = (int64_t)st->st_size;
    r->mtime_ns = mtime_ns(st);
    r->seen = 1;
    return same;
}

void cti_passed_walked(cti_passed *p, const char *dir)
{
    cti_smap_get(&p->walked, dir, strlen(dir), 1, NULL);
}

/* 1 if 'id' is below a folder walked completely in this run. */
static int below_walked(cti_passed *p, const char *id)
{
    for (const char *s = strchr(id + 1, '/'); s; s = strchr(s + 1, '/'))
        if (cti_smap_get(&p->walked, id, (size_t)(s - id) + 1, 0, NULL))
            return 1;
    return 0;
}

/* Write the records to keep into 'f'. */
static int write_records(cti_passed *p, FILE *f)
{
    for (size_t i = 0; i < p->ids.cap; i++) {
        const cti_smap_ent *e = &p->ids.t[i];
        if (!e->key)
            continue;
        const rec *r = &p->recs[e->val];
        if (!r->seen && below_walked(p, e->key))
            continue; /* gone, or indexed now */
        if (fprintf(f, "%" PRId64 " %" PRId64 " %" PRIu32 "\n", r->size,
                    r->mtime_ns, e->len) < 0 ||
            fwrite(e->key, 1, e->len, f) != e->len || fputc('\n', f) == EOF)
            return -1;
    }
    return 0;
}

cti_status cti_passed_save(cti_passed *p)
{
    char *text = NULL;
    size_t len = 0;
    cti_status st = CTI_EIO;
    /* Ids are paths: no NUL inside, so the records make one string. */
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return CTI_EIO;
    int ok = write_records(p, f) == 0;
    if (fclose(f) != 0 || !text)
        ok = 0;
    if (ok && cti_path_write_atomic(p->dir, FILE_NAME, text) == 0)
        st = CTI_OK;
    free(text);
    return st;
}
