/*
 * cti_facet.c - the timeline and the top sources, counted by a match spy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_facet.h"
#include "cti_schema.h"
#include "cti_store.h"

/* Names longer than this are counted by their first bytes. */
#define MAX_NAME 200

/* The values of one field, one per match that has it. */
typedef struct names {
    char **v;
    size_t n, cap;
    uint32_t missing;
} names;

/* What the spy collects: a month key, a source and an author per match. */
typedef struct seen {
    uint32_t *months;
    size_t nmonths, capmonths;
    names sources, authors;
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

static void seen_clear(seen *c)
{
    names_clear(&c->sources);
    names_clear(&c->authors);
    free(c->months);
    memset(c, 0, sizeof *c);
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

static void spy(void *ctx, const char *value, size_t vlen, const char *data,
                size_t dlen)
{
    seen *c = ctx;
    if (!value) { /* the run starts over */
        seen_clear(c);
        return;
    }
    if (c->nomem)
        return;
    c->matches++;
    uint32_t k = month_key(value, vlen);
    if (!k) {
        c->undated++;
    } else if (grow((void **)&c->months, &c->capmonths, c->nmonths,
                    sizeof *c->months)) {
        c->nomem = 1;
        return;
    } else {
        c->months[c->nmonths++] = k;
    }
    cti_record rec; /* zeroed when it cannot be decoded */
    cti_record_decode(data, dlen, 0, &rec, NULL, 0);
    if (names_add(&c->sources, rec.source, rec.source_len) ||
        names_add(&c->authors, rec.author, rec.author_len))
        c->nomem = 1;
    cti_record_release(&rec);
}

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

cti_status cti_facets_count(cti_search *s, const char *query,
                            const cti_search_opts *o, size_t top,
                            cti_facets **out, cti_query_error *qerr,
                            char *err, size_t errlen)
{
    seen c;
    cti_spy sp = { CTI_SLOT_DATE, 1, spy, &c };
    cti_search_opts so = *o;
    cti_results *r = NULL;
    cti_facets *f = NULL;
    cti_status st;

    memset(&c, 0, sizeof c);
    *out = NULL;
    so.offset = 0;
    so.limit = 0;
    so.check_at_least = UINT32_MAX;
    so.spy = &sp;
    st = cti_search_run(s, query, &so, &r, qerr, err, errlen);
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
    cti_results_free(r);
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
