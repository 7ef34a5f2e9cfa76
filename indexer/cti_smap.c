/*
 * cti_smap.c - a string-keyed hash map: open addressing, linear probing,
 * FNV-1a hashes (cti_shard_hash), grown at three quarters full.
 */
#include "cti_indexer_int.h"

#include "cti_shard.h"

#include <stdlib.h>
#include <string.h>

/* Double the table (or make the first); -1 when out of memory. */
static int grow(cti_smap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    cti_smap_ent *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->t[i].key)
            continue;
        size_t j = m->t[i].h & (ncap - 1);
        while (nt[j].key)
            j = (j + 1) & (ncap - 1);
        nt[j] = m->t[i];
    }
    free(m->t);
    m->t = nt;
    m->cap = ncap;
    return 0;
}

uint64_t cti_smap_hash(const char *k, size_t n)
{
    return cti_shard_hash(k, n);
}

void cti_smap_prefetch(const cti_smap *m, uint64_t h)
{
    if (m->cap)
        __builtin_prefetch(&m->t[h & (m->cap - 1)]);
}

cti_smap_ent *cti_smap_get(cti_smap *m, const char *k, size_t n, int add,
                           int *created)
{
    return cti_smap_get_hashed(m, k, n, cti_smap_hash(k, n), add, created);
}

cti_smap_ent *cti_smap_get_hashed(cti_smap *m, const char *k, size_t n,
                                  uint64_t h, int add, int *created)
{
    if (created)
        *created = 0;
    if (add && (m->n + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return NULL;
    if (!m->cap)
        return NULL;
    size_t j = h & (m->cap - 1);
    while (m->t[j].key) {
        if (m->t[j].h == h && m->t[j].len == n && !memcmp(m->t[j].key, k, n))
            return &m->t[j];
        j = (j + 1) & (m->cap - 1);
    }
    if (!add)
        return NULL;
    char *key = malloc(n + 1);
    if (!key)
        return NULL;
    memcpy(key, k, n);
    key[n] = '\0';
    cti_smap_ent *e = &m->t[j];
    e->key = key;
    e->len = (uint32_t)n;
    e->val = e->aux = 0;
    e->h = h;
    m->n++;
    if (created)
        *created = 1;
    return e;
}

void cti_smap_clear(cti_smap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->t[i].key);
        m->t[i].key = NULL;
    }
    m->n = 0;
}

void cti_smap_free(cti_smap *m)
{
    cti_smap_clear(m);
    free(m->t);
    m->t = NULL;
    m->cap = 0;
}
