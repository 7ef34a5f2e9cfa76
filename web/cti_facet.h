/*
 * cti_facet.h - counts over every article a query matches: by month (the
 * timeline), by source and by author.
 *
 * The counts come from a match spy on the search itself (cti_spy), so
 * they are exact and cover every match, not the page of hits shown.  This
 * one function is all the web page needs from facets; when cti-search
 * counts by date and source itself (--facet), it is the one to replace.
 */
#ifndef CTI_FACET_H
#define CTI_FACET_H

#include <stddef.h>
#include <stdint.h>
#include "cti_search.h"

typedef struct cti_facet_month {
    uint32_t key;    /* YYYY * 100 + MM; MM is 0 for a date of a year only */
    uint32_t count;
} cti_facet_month;

typedef struct cti_facet_name {
    char *name;      /* as stored (not cleaned: escape before showing) */
    uint32_t count;
} cti_facet_name;

/* The most frequent values of a field (source or author). */
typedef struct cti_facet_names {
    cti_facet_name *v;  /* most frequent first (ties by name), at most 'top' */
    size_t n;
    size_t distinct;    /* how many values in all */
    uint32_t missing;   /* matches without a value */
} cti_facet_names;

typedef struct cti_facets {
    uint32_t matches;          /* articles counted */
    cti_facet_month *months;   /* by key, only months that have matches */
    size_t nmonths;
    uint32_t undated;          /* matches without a date */
    cti_facet_names sources;
    cti_facet_names authors;
} cti_facets;

/*
 * The source and author of articles by their content hash (value slot
 * CTI_SLOT_HASH, which covers every field): reading them from an
 * article's stored record means reading (and inflating) the whole record,
 * so each is read once and kept, for at most 'max' articles.  Safe to
 * share between threads (a read-write lock guards it).  Returns CTI_OK
 * and *out (free with cti_facet_cache_free()), or CTI_ENOMEM.
 */
typedef struct cti_facet_cache cti_facet_cache;
cti_status cti_facet_cache_new(size_t max, cti_facet_cache **out);
void cti_facet_cache_free(cti_facet_cache *c);

/*
 * Count the articles matching 'query' in 's' run with 'o' by month, by
 * source and by author, keeping the 'top' sources and authors; 'cache'
 * (NULL: none) saves reading the records of articles seen before.  With
 * 'page' NULL only the counts are made; otherwise the same run (one match
 * over every article) also gives the page of hits 'o' asks for (its
 * offset, limit and sort), with an exact count, in *page (free with
 * cti_results_free()).  Returns CTI_OK and *out (free with
 * cti_facets_free()), or the search's status with *out (and *page) NULL,
 * 'err' saying why, and *qerr filled for a syntax error.
 */
cti_status cti_facets_count(cti_search *s, const char *query,
                            const cti_search_opts *o, size_t top,
                            cti_facet_cache *cache, cti_facets **out,
                            cti_results **page, cti_query_error *qerr,
                            char *err, size_t errlen);
void cti_facets_free(cti_facets *f);

#endif /* CTI_FACET_H */
