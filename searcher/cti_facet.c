/*
 * cti_facet.c - counts by period and by name over every match, gathered
 * by a match spy during the search.
 *
 * Dates come from value slot CTI_SLOT_DATE ("YYYYMMDD", "00" for a part
 * not known), read without the document; a source or author facet also
 * needs the document data, whose record is decoded without its body.
 * A date becomes an integer key per kind (the year; months, days or
 * weeks since a fixed origin), so the empty periods between two keys are
 * the integers between them.  Names are counted in a hash table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_facet.h"
#include "cti_schema.h"
#include "cti_store.h"

/* Names longer than this are counted by their first bytes. */
#define MAX_NAME 200

static const struct {
    const char *name, *alias;
    cti_facet_kind kind;
} kinds_by_name[] = {
    { "date:decade", "decade", CTI_FACET_DECADE },
    { "date:year", "year", CTI_FACET_YEAR },
    { "date:month", "month", CTI_FACET_MONTH },
    { "date:week", "week", CTI_FACET_WEEK },
    { "date:day", "day", CTI_FACET_DAY },
    { "source", "source", CTI_FACET_SOURCE },
    { "author", "author", CTI_FACET_AUTHOR },
};
#define NKINDS (sizeof kinds_by_name / sizeof kinds_by_name[0])

int cti_facet_parse(const char *name, cti_facet_kind *out)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (!strcmp(name, kinds_by_name[i].name) ||
            !strcmp(name, kinds_by_name[i].alias)) {
            *out = kinds_by_name[i].kind;
            return 0;
        }
    return -1;
}

const char *cti_facet_name(cti_facet_kind k)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds_by_name[i].kind == k)
            return kinds_by_name[i].name;
    return "?";
}

int cti_facet_is_date(cti_facet_kind k)
{
    return k == CTI_FACET_DECADE || k == CTI_FACET_YEAR || k == CTI_FACET_MONTH ||
           k == CTI_FACET_WEEK || k == CTI_FACET_DAY;
}

/* ------------------------------------------------------------ calendar */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The date 'z' days from 1970-01-01. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* The Monday on or before day 'z' (1970-01-01 was a Thursday). */
static int64_t monday_of(int64_t z)
{
    int64_t wd = (z + 3) % 7; /* 0: Monday */
    if (wd < 0)
        wd += 7;
    return z - wd;
}

/* How a value "YYYYMMDD" reads: 0 undated, 1 year, 2 month, 3 day. */
static int parse_date(const char *v, size_t len, unsigned *y, unsigned *m,
                      unsigned *d)
{
    unsigned x[8];
    if (len < 8)
        return 0;
    for (int i = 0; i < 8; i++) {
        if (v[i] < '0' || v[i] > '9')
            return 0;
        x[i] = (unsigned)(v[i] - '0');
    }
    *y = x[0] * 1000 + x[1] * 100 + x[2] * 10 + x[3];
    *m = x[4] * 10 + x[5];
    *d = x[6] * 10 + x[7];
    if (*y == 0 || *m > 12 || *d > 31)
        return 0;
    return *m == 0 ? 1 : *d == 0 ? 2 : 3;
}

/* The precision a date facet needs (as parse_date() returns it). */
static int needs(cti_facet_kind k)
{
    return k == CTI_FACET_DECADE || k == CTI_FACET_YEAR ? 1
         : k == CTI_FACET_MONTH ? 2 : 3;
}

/* The key of a date for kind 'k' (the date is precise enough). */
static int64_t date_key(cti_facet_kind k, unsigned y, unsigned m, unsigned d)
{
    switch (k) {
    case CTI_FACET_DECADE: return y / 10;
    case CTI_FACET_YEAR: return y;
    case CTI_FACET_MONTH: return (int64_t)y * 12 + m - 1;
    case CTI_FACET_WEEK: return (monday_of(days_from_civil(y, m, d)) + 3) / 7;
    default: return days_from_civil(y, m, d);
    }
}

/* The label of key 'key' of kind 'k' into buf (at least 32 bytes). */
static void date_label(cti_facet_kind k, int64_t key, char *buf, size_t len)
{
    int64_t y;
    unsigned m, d;
    switch (k) {
    case CTI_FACET_DECADE:
        snprintf(buf, len, "%04llds", (long long)key * 10);
        break;
    case CTI_FACET_YEAR:
        snprintf(buf, len, "%04lld", (long long)key);
        break;
    case CTI_FACET_MONTH:
        snprintf(buf, len, "%04lld-%02u", (long long)(key / 12),
                 (unsigned)(key % 12) + 1);
        break;
    case CTI_FACET_WEEK: {
        /* ISO 8601: the week belongs to the year of its Thursday. */
        int64_t thu = key * 7; /* the Monday is key * 7 - 3 */
        civil_from_days(thu, &y, &m, &d);
        int64_t week = (thu - days_from_civil(y, 1, 1)) / 7 + 1;
        snprintf(buf, len, "%04lld-W%02u", (long long)y, (unsigned)week);
        break;
    }
    default:
        civil_from_days(key, &y, &m, &d);
        snprintf(buf, len, "%04lld-%02u-%02u", (long long)y, m, d);
        break;
    }
}

/* ------------------------------------------------------------- tallies */

/* One name and its count, in the open-addressing table of a tally. */
typedef struct slot {
    char *name;
    uint32_t count;
} slot;

/* What one facet has seen so far. */
typedef struct tally {
    cti_facet_kind kind;
    int64_t *keys;          /* dates: one key per dated match */
    size_t nkeys, capkeys;
    slot *tab;              /* names: power-of-two table */
    size_t tabsize, nnames;
    uint32_t missing, coarse;
} tally;

typedef struct seen {
    tally *t;
    size_t n;
    uint32_t matches;
    int want_data;
    int nomem;
} seen;

static void tally_clear(tally *t)
{
    for (size_t i = 0; i < t->tabsize; i++)
        free(t->tab[i].name);
    free(t->tab);
    free(t->keys);
    cti_facet_kind k = t->kind;
    memset(t, 0, sizeof *t);
    t->kind = k;
}

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

/* Double the table of 't' (or make its first one). */
static int tab_grow(tally *t)
{
    size_t size = t->tabsize ? t->tabsize * 2 : 64;
    slot *tab = calloc(size, sizeof *tab);
    if (!tab)
        return -1;
    for (size_t i = 0; i < t->tabsize; i++) {
        if (!t->tab[i].name)
            continue;
        size_t j = hash(t->tab[i].name, strlen(t->tab[i].name)) & (size - 1);
        while (tab[j].name)
            j = (j + 1) & (size - 1);
        tab[j] = t->tab[i];
    }
    free(t->tab);
    t->tab = tab;
    t->tabsize = size;
    return 0;
}

/* Count one more match named by the 'len' bytes at 'v'. */
static int count_name(tally *t, const char *v, size_t len)
{
    if (!v || !len) {
        t->missing++;
        return 0;
    }
    if (len > MAX_NAME)
        len = MAX_NAME;
    if ((t->nnames + 1) * 2 > t->tabsize && tab_grow(t))
        return -1;
    size_t j = hash(v, len) & (t->tabsize - 1);
    while (t->tab[j].name) {
        if (!strncmp(t->tab[j].name, v, len) && !t->tab[j].name[len]) {
            t->tab[j].count++;
            return 0;
        }
        j = (j + 1) & (t->tabsize - 1);
    }
    t->tab[j].name = strndup(v, len);
    if (!t->tab[j].name)
        return -1;
    t->tab[j].count = 1;
    t->nnames++;
    return 0;
}

/* Count one more match with the date value 'v'. */
static int count_date(tally *t, const char *v, size_t len)
{
    unsigned y, m, d;
    int prec = parse_date(v, len, &y, &m, &d);
    if (!prec) {
        t->missing++;
        return 0;
    }
    if (prec < needs(t->kind)) {
        t->coarse++;
        return 0;
    }
    if (t->nkeys == t->capkeys) {
        size_t cap = t->capkeys ? t->capkeys * 2 : 256;
        int64_t *k = realloc(t->keys, cap * sizeof *k);
        if (!k)
            return -1;
        t->keys = k;
        t->capkeys = cap;
    }
    t->keys[t->nkeys++] = date_key(t->kind, y, m, d);
    return 0;
}

/* The match spy: every matching document goes through here. */
static void spy(void *ctx, const char *value, size_t vlen, const char *data,
                size_t dlen)
{
    seen *c = ctx;
    if (!value) { /* the run starts over */
        for (size_t i = 0; i < c->n; i++)
            tally_clear(&c->t[i]);
        c->matches = 0;
        c->nomem = 0;
        return;
    }
    if (c->nomem)
        return;
    c->matches++;
    cti_record rec; /* zeroed when it cannot be decoded */
    memset(&rec, 0, sizeof rec);
    if (c->want_data)
        cti_record_decode(data, dlen, NULL, 0, &rec, NULL, 0);
    for (size_t i = 0; i < c->n && !c->nomem; i++) {
        tally *t = &c->t[i];
        int rc;
        if (t->kind == CTI_FACET_SOURCE)
            rc = count_name(t, rec.source, rec.source_len);
        else if (t->kind == CTI_FACET_AUTHOR)
            rc = count_name(t, rec.author, rec.author_len);
        else
            rc = count_date(t, value, vlen);
        c->nomem = rc != 0;
    }
    cti_record_release(&rec);
}

/* ------------------------------------------------------------- results */

static int cmp_key(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_value(const void *a, const void *b)
{
    const cti_facet_value *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->label, y->label);
}

/* Append (label of 'key', count) to f->v, which has room. */
static int put_period(cti_facet *f, int64_t key, uint32_t count)
{
    char label[32];
    date_label(f->kind, key, label, sizeof label);
    f->v[f->n].label = strdup(label);
    if (!f->v[f->n].label)
        return -1;
    f->v[f->n++].count = count;
    return 0;
}

/* The periods of the date tally 't': runs of equal keys, gaps filled. */
static cti_status date_results(tally *t, cti_facet *f)
{
    if (t->nkeys)
        qsort(t->keys, t->nkeys, sizeof *t->keys, cmp_key);
    size_t distinct = 0;
    for (size_t i = 0; i < t->nkeys; i++)
        distinct += i == 0 || t->keys[i] != t->keys[i - 1];
    f->distinct = distinct;
    uint64_t span = t->nkeys ? (uint64_t)(t->keys[t->nkeys - 1] - t->keys[0]) + 1 : 0;
    f->gaps = span <= CTI_FACET_MAX_PERIODS;
    size_t rows = f->gaps ? (size_t)span : distinct;
    f->v = calloc(rows ? rows : 1, sizeof *f->v);
    if (!f->v)
        return CTI_ENOMEM;
    for (size_t i = 0; i < t->nkeys;) {
        size_t j = i;
        while (j < t->nkeys && t->keys[j] == t->keys[i])
            j++;
        if (f->gaps && f->n) /* the empty periods before this one */
            for (int64_t k = t->keys[0] + (int64_t)f->n; k < t->keys[i]; k++)
                if (put_period(f, k, 0))
                    return CTI_ENOMEM;
        if (put_period(f, t->keys[i], (uint32_t)(j - i)))
            return CTI_ENOMEM;
        i = j;
    }
    return CTI_OK;
}

/* The names of the tally 't', most frequent first, 'limit' kept (0: all). */
static cti_status name_results(tally *t, cti_facet *f, size_t limit)
{
    f->v = calloc(t->nnames ? t->nnames : 1, sizeof *f->v);
    if (!f->v)
        return CTI_ENOMEM;
    for (size_t i = 0; i < t->tabsize; i++) {
        if (!t->tab[i].name)
            continue;
        f->v[f->n].label = t->tab[i].name;
        f->v[f->n++].count = t->tab[i].count;
        t->tab[i].name = NULL; /* moved */
    }
    qsort(f->v, f->n, sizeof *f->v, cmp_value);
    f->distinct = f->n;
    while (limit && f->n > limit)
        free(f->v[--f->n].label);
    return CTI_OK;
}

static void facet_release(cti_facet *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].label);
    free(f->v);
}

void cti_facets_free(cti_facets *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        facet_release(&f->f[i]);
    free(f->f);
    free(f);
}

/* Turn what the spy saw into *out. */
static cti_status results(seen *c, size_t limit, cti_facets **out)
{
    cti_facets *fs = calloc(1, sizeof *fs);
    cti_status st = CTI_ENOMEM;
    if (!fs || !(fs->f = calloc(c->n ? c->n : 1, sizeof *fs->f)))
        goto done;
    fs->n = c->n;
    fs->matches = c->matches;
    st = CTI_OK;
    for (size_t i = 0; i < c->n && st == CTI_OK; i++) {
        tally *t = &c->t[i];
        cti_facet *f = &fs->f[i];
        f->kind = t->kind;
        f->missing = t->missing;
        f->coarse = t->coarse;
        st = cti_facet_is_date(t->kind) ? date_results(t, f)
                                        : name_results(t, f, limit);
    }
done:
    if (st != CTI_OK) {
        cti_facets_free(fs);
        fs = NULL;
    }
    *out = fs;
    return st;
}

/* Run the spy 'sp' over every article of 's'. */
static cti_status spy_all(cti_search *s, const cti_spy *sp, char *err,
                          size_t errlen)
{
    cti_enquire *e = NULL;
    cti_xq *all = NULL;
    cti_mset *m = NULL;
    cti_status st = cti_xq_match_all(&all);
    if (st == CTI_OK)
        st = cti_enquire_new(cti_search_db(s), &e);
    if (st == CTI_OK)
        st = cti_enquire_set_query(e, all);
    if (st == CTI_OK)
        st = cti_enquire_set_spy(e, sp);
    if (st == CTI_OK)
        st = cti_enquire_run(e, 0, 0, UINT32_MAX, &m);
    if (st != CTI_OK)
        snprintf(err, errlen, "%s", cti_errmsg());
    cti_mset_free(m);
    cti_enquire_free(e);
    cti_xq_free(all);
    return st;
}

cti_status cti_facets_count(cti_search *s, const char *query,
                            const cti_search_opts *o,
                            const cti_facet_kind *kinds, size_t nkinds,
                            size_t limit, cti_facets **out,
                            cti_query_error *qerr, char *err, size_t errlen)
{
    seen c = { NULL, 0, 0, 0, 0 };
    cti_spy sp = { CTI_SLOT_DATE, 0, spy, &c, NULL };
    cti_search_opts so;
    cti_results *r = NULL;
    cti_status st = CTI_ENOMEM;

    *out = NULL;
    if (o)
        so = *o;
    else
        cti_search_opts_default(&so);
    c.t = calloc(nkinds ? nkinds : 1, sizeof *c.t);
    if (!c.t)
        goto done;
    c.n = nkinds;
    for (size_t i = 0; i < nkinds; i++) {
        c.t[i].kind = kinds[i];
        c.want_data |= !cti_facet_is_date(kinds[i]);
    }
    sp.want_data = c.want_data;
    so.offset = 0;
    so.limit = 0;
    so.check_at_least = UINT32_MAX; /* the spy sees every match */
    so.spy = &sp;
    so.each = NULL;
    if (query)
        st = cti_search_run(s, query, &so, &r, qerr, err, errlen);
    else
        st = spy_all(s, &sp, err, errlen);
    if (st != CTI_OK)
        goto done;
    st = c.nomem ? CTI_ENOMEM : results(&c, limit, out);
done:
    if (st == CTI_ENOMEM)
        snprintf(err, errlen, "out of memory");
    cti_results_free(r);
    for (size_t i = 0; i < c.n; i++)
        tally_clear(&c.t[i]);
    free(c.t);
    return st;
}
