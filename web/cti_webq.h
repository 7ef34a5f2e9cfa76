/*
 * cti_webq.h - what a request asks for: its parameters, checked, and the
 * URLs that lead to other views.
 *
 * Every view has its own URL, built from the same few parameters:
 *   /?q=QUERY&any=1&sort=date|-date&offset=N&n=N     the search page
 *   /article?id=ID&q=QUERY&any=1                     one article
 *   /api/search?..., /api/article?...                the same as JSON
 * Parameters left at their defaults are left out of the URLs built here.
 */
#ifndef CTI_WEBQ_H
#define CTI_WEBQ_H

#include <stddef.h>
#include <stdint.h>
#include "cti_markup.h"

#define CTI_WEBQ_MAX_QUERY 1024    /* bytes of q */
#define CTI_WEBQ_MAX_ID 4096       /* bytes of id */
#define CTI_WEBQ_MAX_OFFSET 100000 /* deepest page start */
#define CTI_WEBQ_MAX_LIMIT 100     /* hits per page */
#define CTI_WEBQ_LIMIT 10          /* hits per page by default */

typedef struct cti_webq {
    const char *q;      /* the query ("" when none); not owned */
    size_t qlen;
    int any;            /* 1: natural language (cti-search --any) */
    int sort;           /* CTI_SORT_* (cti_search.h) */
    uint32_t offset;    /* first hit shown, from 0 */
    uint32_t limit;     /* hits per page */
    const char *id;     /* the article asked for (NULL: none); not owned */
    size_t idlen;
} cti_webq;

/*
 * How a parameter is read: the value of 'key' and its length in *len (the
 * value may hold NUL bytes), or NULL when the request does not have it.
 */
typedef const char *(*cti_webq_get_fn)(void *ctx, const char *key,
                                       size_t *len);

/*
 * Read and check the parameters through 'get'.  Unknown parameters are
 * ignored.  Returns CTI_OK and fills *out (pointing into what 'get'
 * returned), or CTI_EINVAL with a one-line message in 'err' naming the
 * parameter: q longer than CTI_WEBQ_MAX_QUERY bytes, not UTF-8 or holding
 * a NUL; id empty, longer than CTI_WEBQ_MAX_ID or holding a NUL; any not
 * 0/1; sort not relevance, date or -date; offset or n not a number in
 * range.  A q of spaces only is no query.
 */
cti_status cti_webq_parse(cti_webq_get_fn get, void *ctx, cti_webq *out,
                          char *err, size_t errlen);

/* The defaults: no query, no id, relevance, offset 0, CTI_WEBQ_LIMIT. */
void cti_webq_default(cti_webq *w);

/*
 * Append to 'h' the URL of 'path' ("/", "/article", ...) with the
 * parameters of 'w' that are not at their defaults, escaped for a quoted
 * attribute (parameters joined by "&amp;").  'with_id' adds w->id.
 */
void cti_webq_href(cti_markup *h, const char *path, const cti_webq *w,
                   int with_id);

#endif /* CTI_WEBQ_H */
