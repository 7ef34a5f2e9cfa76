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
    size_t source_len, author_len;
} entry;

struct cti_facet_cache {
    pthread_rwlock_t lock; /* guards every field below */
    entry *slots;
    size_t cap, n, max;    /* cap: a power of two, kept above 2 * n */
};

cti_status cti_facet_cache_new(size_t max, cti_facet_cache **out)
{
    cti_facet_cache *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return CTI_ENOMEM;
    c->max = max ? max : 1;
    c->cap = 1024;
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

/* The slot of 'key' in 'slots' (cap of them): its entry, or the empty
   slot where it would go. */
static entry *slot_of(entry *slots, size_t cap, uint64_t key)
{
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
    while (slots[i].key && slots[i].key != key)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static const entry *cache_get(const cti_facet_cache *c, uint64_t key)
{
    const entry *e = slot_of(c->slots, c->cap, key);
    return e->key ? e : NULL;
}

/* Twice the slots; -1 on no memory (the cache stays as it was). */
static int cache_grow(cti_facet_cache *c)
{
    size_t cap = c->cap * 2;
    entry *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].key)
            *slot_of(slots, cap, c->slots[i].key) = c->slots[i];
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
    return 0;
}

/* Keep 'e' (its strings are taken) unless the cache is full or has it. */
static void cache_put(cti_facet_cache *c, entry *e)
{
    if (c->n >= c->max || (2 * (c->n + 1) > c->cap && cache_grow(c)))
        return;
    entry *slot = slot_of(c->slots, c->cap, e->key);
    if (slot->key)
        return;
    *slot = *e;
    e->source = e->author = NULL;
    c->n++;
}

/* ---------------------------------------------------------------- */
/* What the spy collects                                            */
/* ---------------------------------------------------------------- */

/* A value of a field and how many matches have it. */
typedef struct tally {
    char *name;        /* NULL: an empty slot */
    size_t len;
    uint64_t hash;
    uint32_t count;
} tally;

/* The values of one field: a hash table of tallies. */
typedef struct names {
    tally *t;
    size_t n, cap;     /* cap: 0 or a power of two, kept above 2 * n */
    uint32_t missing;  /* matches without a value */
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
    for (size_t i = 0; i < n->cap; i++)
        free(n->t[i].name);
    free(n->t);
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

static uint64_t name_hash(const char *v, size_t len)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)v[i]) * 1099511628211ull;
    return h;
}

static tally *tally_slot(tally *t, size_t cap, uint64_t h, const char *v,
                         size_t len)
{
    size_t i = (size_t)h & (cap - 1);
    while (t[i].name && !(t[i].hash == h && t[i].len == len &&
                          !memcmp(t[i].name, v, len)))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

static int names_grow(names *n)
{
    size_t cap = n->cap ? n->cap * 2 : 64;
    tally *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < n->cap; i++)
        if (n->t[i].name)
            *tally_slot(t, cap, n->t[i].hash, n->t[i].name, n->t[i].len) = n->t[i];
    free(n->t);
    n->t = t;
    n->cap = cap;
    return 0;
}

/* Count the value of 'len' bytes at 'v' (none: count it as missing). */
static int names_add(names *n, const char *v, size_t len)
{
    if (!len) {
        n->missing++;
        return 0;
    }
    len = len < MAX_NAME ? len : MAX_NAME;
    if (2 * (n->n + 1) > n->cap && names_grow(n))
        return -1;
    uint64_t h = name_hash(v, len);
    tally *t = tally_slot(n->t, n->cap, h, v, len);
    if (!t->name) {
        if (!(t->name = strndup(v, len)))
            return -1;
        t->len = len;
        t->hash = h;
        n->n++;
    }
    t->count++;
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
                    strndup(rec.author ? rec.author : "", rec.author_len),
                    rec.source_len, rec.author_len };
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
    const entry *e = key && c->cache ? cache_get(c->cache, key) : NULL;
    if (e) {
        if (names_add(&c->sources, e->source, e->source_len) ||
            names_add(&c->authors, e->author, e->author_len))
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

/* The tallies, most frequent first, the 'top' of them kept. */
static cti_status count_names(names *c, cti_facet_names *f, size_t top)
{
    cti_facet_name *all = calloc(c->n ? c->n : 1, sizeof *all);
    size_t n = 0;
    if (!all)
        return CTI_ENOMEM;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->t[i].name)
            continue;
        all[n].name = c->t[i].name;
        all[n++].count = c->t[i].count;
        c->t[i].name = NULL; /* moved */
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
   read from records in it.  The results go to *page when asked for. */
static cti_status spy_run(cti_search *s, const char *query,
                          const cti_search_opts *o, cti_facet_cache *cache,
                          seen *c, cti_results **page, cti_query_error *qerr,
                          char *err, size_t errlen)
{
    cti_spy sp = { spy, c };
    cti_search_opts so = *o;
    cti_results *r = NULL;
    if (!page) {
        so.offset = 0;
        so.limit = 0;
    }
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
    if (page)
        *page = r;
    else
        cti_results_free(r);
    return st;
}

cti_status cti_facets_count(cti_search *s, const char *query,
                            const cti_search_opts *o, size_t top,
                            cti_facet_cache *cache, cti_facets **out,
                            cti_results **page, cti_query_error *qerr,
                            char *err, size_t errlen)
{
    seen c;
    cti_facets *f = NULL;
    cti_status st;

    memset(&c, 0, sizeof c);
    c.cache = cache;
    *out = NULL;
    st = spy_run(s, query, o, cache, &c, page, qerr, err, errlen);
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
        if (page) {
            cti_results_free(*page);
            *page = NULL;
        }
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
