/*
 * cti_indexer_int.h - what the pieces of cti_indexer share; nothing
 * outside indexer/cti_*.c that implements cti_indexer.h includes it.
 *
 * The pieces, one noun each:
 *   cti_smap.c      a string-keyed hash map (ids, folders, spelling words)
 */
#ifndef CTI_INDEXER_INT_H
#define CTI_INDEXER_INT_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* cti_smap.c: a string-keyed hash map (open addressing, linear        */
/* probing).  Not thread-safe: each map says which lock guards it.     */
/* ------------------------------------------------------------------ */

typedef struct cti_smap_ent {
    char *key;      /* owned, NUL-terminated; NULL: empty slot */
    uint32_t len;
    uint32_t val;   /* payload: an index, or a count */
    uint32_t aux;   /* payload: e.g. the last document counted */
    uint64_t h;
} cti_smap_ent;

/* A zeroed cti_smap is an empty map; iterate over t[0 .. cap-1] with key set. */
typedef struct cti_smap {
    cti_smap_ent *t;
    size_t cap;     /* a power of two, or 0 */
    size_t n;       /* entries */
} cti_smap;

/*
 * Find key 'k' (n bytes) in 'm'.  With 'add', insert it when absent
 * (payload zeroed, *created set to 1 if 'created' is not NULL).  Returns
 * the entry, valid until the next insertion, or NULL when absent (or,
 * with 'add', when out of memory).
 */
cti_smap_ent *cti_smap_get(cti_smap *m, const char *k, size_t n, int add,
                           int *created);

/* Remove every entry of 'm', keeping its table for reuse. */
void cti_smap_clear(cti_smap *m);

/* Release every entry and the table; 'm' is an empty map afterwards. */
void cti_smap_free(cti_smap *m);

#endif /* CTI_INDEXER_INT_H */
