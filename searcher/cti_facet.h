/*
 * cti_facet.h - counts over every article a query matches: by year,
 * month, ISO week or day of their date, by source and by author.
 *
 * The counts come from a match spy on the search itself (cti_spy), so
 * they are exact and cover every match, not the page of hits shown.
 * cti-search --facet prints them (cti_chart.h draws the bars); any other
 * front end (a web page) calls the same function.
 */
#ifndef CTI_FACET_H
#define CTI_FACET_H

#include <stddef.h>
#include <stdint.h>
#include "cti_search.h"

typedef enum cti_facet_kind {
    CTI_FACET_DECADE,  /* date:decade  "2020s" */
    CTI_FACET_YEAR,    /* date:year    "2024" */
    CTI_FACET_MONTH,   /* date:month   "2024-07" */
    CTI_FACET_WEEK,    /* date:week    "2024-W29" (ISO 8601 week) */
    CTI_FACET_DAY,     /* date:day     "2024-07-15" */
    CTI_FACET_SOURCE,  /* source       as stored */
    CTI_FACET_AUTHOR   /* author       as stored */
} cti_facet_kind;

/* Most periods a date facet fills in between its first and last one. */
#define CTI_FACET_MAX_PERIODS 100000u

/*
 * The kind named 'name' ("date:decade", "date:year", "date:month",
 * "date:week", "date:day", "source" or "author"; "decade", "year",
 * "month", "week" and "day" alone too) into *out.  Returns 0, or -1 for an unknown name.
 */
int cti_facet_parse(const char *name, cti_facet_kind *out);

/* The name of 'k' as the user writes it ("date:month"); static. */
const char *cti_facet_name(cti_facet_kind k);

/* 1 for the five date kinds, else 0. */
int cti_facet_is_date(cti_facet_kind k);

typedef struct cti_facet_value {
    char *label;      /* the period ("2024-07") or the name as stored
                         (not cleaned: escape it before showing it) */
    uint32_t count;
} cti_facet_value;

typedef struct cti_facet {
    cti_facet_kind kind;
    /* Dates: every period from the first with a match to the last, oldest
       first, empty ones with count 0 (only the periods with matches when
       there would be more than CTI_FACET_MAX_PERIODS; 'gaps' is 0 then).
       Names: the most frequent first (ties by name), at most the limit. */
    cti_facet_value *v;
    size_t n;
    size_t distinct;   /* values (periods, names) with at least one match */
    int gaps;          /* dates: 1 when the empty periods are listed */
    uint32_t missing;  /* matches without the field (undated, no source) */
    uint32_t coarse;   /* dates: matches dated less precisely than the
                          facet asks (a year alone for date:month) */
} cti_facet;

typedef struct cti_facets {
    uint32_t matches;  /* the articles counted: every match */
    cti_facet *f;      /* one per kind asked for, in that order */
    size_t n;
} cti_facets;

/*
 * Count the articles matching 'query' (NULL: every article) in 's',
 * searched with 'o' (NULL:
 * defaults; its paging, spy and walk are ignored), for each of the
 * 'nkinds' kinds in 'kinds', keeping the 'limit' most frequent names of
 * a source or author facet (0: all).  Returns CTI_OK and *out (free with
 * cti_facets_free()); zero matches is CTI_OK too.  Otherwise returns the
 * search's status with *out NULL and 'err' saying why; a syntax error is
 * CTI_EINVAL with *qerr filled (when not NULL).
 */
cti_status cti_facets_count(cti_search *s, const char *query,
                            const cti_search_opts *o,
                            const cti_facet_kind *kinds, size_t nkinds,
                            size_t limit, cti_facets **out,
                            cti_query_error *qerr, char *err, size_t errlen);
void cti_facets_free(cti_facets *f);

#endif /* CTI_FACET_H */
