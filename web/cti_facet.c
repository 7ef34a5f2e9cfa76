/*
 * cti_facet.c - the timeline, the top sources and the top authors,
 * counted by a match spy.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_facet.h"
#include "cti_schema.h"
#include "cti_store.h"

/* Names longer than this are counted by their first bytes. */
#define MAX_NAME 200

/* ---------------------------------------------------------------- */
/* The cache: content hash -> source and author                     */
/* ---------------------------------------------------------------- */

typedef struct entry {
    uint64_t key;          /* 0: empty */
    char *source, *author; /* "" when the article has none */
} entry;

struct cti_facet_cache {
    pthread_rwlock_t lock; /* guards every field below */
    entry *slots;
    size_t cap, n, max;    /* cap: a power of two, at least 2 * max */
};

cti_status cti_facet_cache_new(size_t max, cti_facet_cache **out)
{
    cti_facet_cache *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return CTI_ENOMEM;
    c->max = max ? max : 1;
    c->cap = 16;
    while (c->cap < 2 * c->max)
        c->cap *= 2;
    c->slots = calloc(c->cap, sizeof *c->slots);
    if (!c->slots || pthread_rwlock_init(&c->lock, NULL) != 0) {
        free(c->slots);
        free(c);
        return CTI_ENOMEM;
    }
    *out = c;
    return CTI_OK;
}

void cti_facet_cache_free(cti_facet_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].source);
        free(c->slots[i].author);
    }
    free(c->slots);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

/* The slot of 'key': its entry, or the empty slot where it would go. */
static entry *cache_slot(const cti_facet_cache *c, uint64_t key)
{
    size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull) & (c->cap - 1);
    while (c->slots[i].key && c->slots[i].key != key)
        i = (i + 1) & (c->cap - 1);
    return &c->slots[i];
}

/* Keep 'e' (its strings are taken) unless the cache is full or has it. */
static void cache_put(cti_facet_cache *c, entry *e)
{
    entry *slot = cache_slot(c, e->key);
    if (slot->key || c->n >= c->max)
        return;
    *slot = *e;
    e->source = e->author = NULL;
    c->n++;
}

/* ---------------------------------------------------------------- */
/* What the spy collects                                            */
/* ---------------------------------------------------------------- */

/* The values of one field, one per match that has it. */
typedef struct names {
    char **v;
    size_t n, cap;
    uint32_t missing;
} names;

typedef struct seen {
    const cti_facet_cache *cache; /* read-locked during the run */
    uint32_t *months;             /* a month key per dated match */
    size_t nmonths, capmonths;
    names sources, authors;
    entry *misses;                /* read from records, for the cache */
    size_t nmisses, capmisses;
    uint32_t matches, undated;
    int nomem;
} seen;

static void names_clear(names *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->v[i]);
    free(n->v);
    memset(n, 0, sizeof *n);
}

/* Forget everything seen (the cache pointer stays). */
static void seen_clear(seen *c)
{
    const cti_facet_cache *cache = c->cache;
    names_clear(&c->sources);
    names_clear(&c->authors);
    for (size_t i = 0; i < c->nmisses; i++) {
        free(c->misses[i].source);
        free(c->misses[i].author);
    }
    free(c->misses);
    free(c->months);
    memset(c, 0, sizeof *c);
    c->cache = cache;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 256;
    void *a = realloc(*arr, ncap * size);
    if (!a)
        return -1;
    *arr = a;
    *cap = ncap;
    return 0;
}

/* Keep a copy of the 'len' bytes at 'v' (none: count it as missing). */
static int names_add(names *n, const char *v, size_t len)
{
    if (!len) {
        n->missing++;
        return 0;
    }
    char *name = strndup(v, len < MAX_NAME ? len : MAX_NAME);
    if (!name || grow((void **)&n->v, &n->cap, n->n, sizeof *n->v)) {
        free(name);
        return -1;
    }
    n->v[n->n++] = name;
    return 0;
}

/* "YYYYMMDD" (value slot 0) to YYYY * 100 + MM; 0 when there is none. */
static uint32_t month_key(const char *v, size_t len)
{
    uint32_t k = 0;
    if (len < 6)
        return 0;
    for (int i = 0; i < 6; i++) {
        if (v[i] < '0' || v[i] > '9')
            return 0;
        k = k * 10 + (uint32_t)(v[i] - '0');
    }
    return k % 100 > 12 ? 0 : k;
}

/* The 16 hex digits of the content hash; 0 when there are none. */
static uint64_t hash_key(const char *v, size_t len)
{
    uint64_t k = 0;
    if (len != 16)
        return 0;
    for (size_t i = 0; i < 16; i++) {
        int d = v[i] >= '0' && v[i] <= '9' ? v[i] - '0'
              : v[i] >= 'a' && v[i] <= 'f' ? v[i] - 'a' + 10 : -1;
        if (d < 0)
            return 0;
        k = k << 4 | (uint64_t)d;
    }
    return k;
}

/* Source and author from the stored record; kept for the cache too. */
static int read_record(seen *c, const cti_spy_doc *d, uint64_t key)
{
    size_t dlen;
    const char *data = cti_spy_doc_data(d, &dlen);
    cti_record rec; /* zeroed when it cannot be decoded */
    cti_record_decode(data, dlen, 0, &rec, NULL, 0);
    int rc = names_add(&c->sources, rec.source, rec.source_len) ||
             names_add(&c->authors, rec.author, rec.author_len);
    if (!rc && key && c->cache) {
        entry e = { key, strndup(rec.source ? rec.source : "", rec.source_len),
                    strndup(rec.author ? rec.author : "", rec.author_len) };
        if (!e.source || !e.author ||
            grow((void **)&c->misses, &c->capmisses, c->nmisses, sizeof e)) {
            free(e.source);
            free(e.author);
            rc = -1;
        } else {
            c->misses[c->nmisses++] = e;
        }
    }
    cti_record_release(&rec);
    return rc;
}

static void spy(void *ctx, const cti_spy_doc *d)
{
    seen *c = ctx;
    size_t len;
    if (!d) { /* the run starts over */
        seen_clear(c);
        return;
    }
    if (c->nomem)
        return;
    c->matches++;
    const char *v = cti_spy_doc_value(d, CTI_SLOT_DATE, &len);
    uint32_t month = month_key(v, len);
    if (!month) {
        c->undated++;
    } else if (grow((void **)&c->months, &c->capmonths, c->nmonths,
                    sizeof *c->months)) {
        c->nomem = 1;
        return;
    } else {
        c->months[c->nmonths++] = month;
    }
    v = cti_spy_doc_value(d, CTI_SLOT_HASH, &len);
    uint64_t key = hash_key(v, len);
    const entry *e = key && c->cache ? cache_slot(c->cache, key) : NULL;
    if (e && e->key) {
        if (names_add(&c->sources, e->source, strlen(e->source)) ||
            names_add(&c->authors, e->author, strlen(e->author)))
            c->nomem = 1;
    } else if (read_record(c, d, key)) {
        c->nomem = 1;
    }
}

/* ---------------------------------------------------------------- */
/* Counting                                                         */
/* ---------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_count(const void *a, const void *b)
{
    const cti_facet_name *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Runs of equal month keys into counts. */
static cti_status count_months(seen *c, cti_facets *f)
{
    if (c->nmonths)
        qsort(c->months, c->nmonths, sizeof *c->months, cmp_u32);
    f->months = calloc(c->nmonths ? c->nmonths : 1, sizeof *f->months);
    if (!f->months)
        return CTI_ENOMEM;
    for (size_t i = 0; i < c->nmonths; i++) {
        if (f->nmonths && f->months[f->nmonths - 1].key == c->months[i])
            f->months[f->nmonths - 1].count++;
        else
            f->months[f->nmonths++] = (cti_facet_month){ c->months[i], 1 };
    }
    return CTI_OK;
}

/* Runs of equal names into counts, the 'top' most frequent kept. */
static cti_status count_names(names *c, cti_facet_names *f, size_t top)
{
    if (c->n)
        qsort(c->v, c->n, sizeof *c->v, cmp_str);
    cti_facet_name *all = calloc(c->n ? c->n : 1, sizeof *all);
    size_t n = 0;
    if (!all)
        return CTI_ENOMEM;
    for (size_t i = 0; i < c->n; i++) {
        if (n && !strcmp(all[n - 1].name, c->v[i])) {
            all[n - 1].count++;
        } else {
            all[n].name = c->v[i];
            c->v[i] = NULL; /* moved */
            all[n++].count = 1;
        }
    }
    if (n)
        qsort(all, n, sizeof *all, cmp_count);
    f->distinct = n;
    f->n = n < top ? n : top;
    for (size_t i = f->n; i < n; i++)
        free(all[i].name);
    f->v = all;
    f->missing = c->missing;
    return CTI_OK;
}

static void names_free(cti_facet_names *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].name);
    free(f->v);
}

/* Run the search with the spy, the cache read-locked; then keep what was
   read from records in it. */
static cti_status spy_run(cti_search *s, const char *query,
                          const cti_search_opts *o, cti_facet_cache *cache,
                          seen *c, cti_query_error *qerr, char *err,
                          size_t errlen)
{
    cti_spy sp = { spy, c };
    cti_search_opts so = *o;
    cti_results *r = NULL;
    so.offset = 0;
    so.limit = 0;
    so.check_at_least = UINT32_MAX;
    so.spy = &sp;
    if (cache)
        pthread_rwlock_rdlock(&cache->lock);
    cti_status st = cti_search_run(s, query, &so, &r, qerr, err, errlen);
    if (cache) {
        pthread_rwlock_unlock(&cache->lock);
        pthread_rwlock_wrlock(&cache->lock);
        for (size_t i = 0; st == CTI_OK && i < c->nmisses; i++)
            cache_put(cache, &c->misses[i]);
        pthread_rwlock_unlock(&cache->lock);
    }
    cti_results_free(r);
    return st;
}

cti_status cti_facets_count(cti_search *s, const char *query,
                            const cti_search_opts *o, size_t top,
                            cti_facet_cache *cache, cti_facets **out,
                            cti_query_error *qerr, char *err, size_t errlen)
{
    seen c;
    cti_facets *f = NULL;
    cti_status st;

    memset(&c, 0, sizeof c);
    c.cache = cache;
    *out = NULL;
    st = spy_run(s, query, o, cache, &c, qerr, err, errlen);
    if (st != CTI_OK)
        goto done;
    st = CTI_ENOMEM;
    f = calloc(1, sizeof *f);
    if (c.nomem || !f)
        goto done;
    f->matches = c.matches;
    f->undated = c.undated;
    st = count_months(&c, f);
    if (st == CTI_OK)
        st = count_names(&c.sources, &f->sources, top);
    if (st == CTI_OK)
        st = count_names(&c.authors, &f->authors, top);
done:
    if (st == CTI_ENOMEM)
        snprintf(err, errlen, "out of memory");
    if (st != CTI_OK) {
        cti_facets_free(f);
        f = NULL;
    }
    seen_clear(&c);
    *out = f;
    return st;
}

void cti_facets_free(cti_facets *f)
{
    if (!f)
        return;
    names_free(&f->sources);
    names_free(&f->authors);
    free(f->months);
    free(f);
}
