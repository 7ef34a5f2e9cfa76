/*
 * cti_view.h - one article, whole, with the query's matches highlighted:
 * what cti-search --show prints, as a page.
 *
 * The article is found by its id, its stored record read by the
 * searcher's whole-article reader (cti_fulltext.h: the body a window at a
 * time, highlighted with the same analyzer and rules as snippets) and
 * its title highlighted as in hits.  The highlight spec comes from the
 * query searched as --show searches it.
 */
#ifndef CTI_VIEW_H
#define CTI_VIEW_H

#include <stddef.h>
#include "cti_fulltext.h"
#include "cti_markup.h"
#include "cti_search.h"
#include "cti_webq.h"

/* Text beyond this many bytes is not put on the page. */
#define CTI_VIEW_MAX_TEXT (4u << 20)

typedef struct cti_view {
    char *data;           /* the stored record, read by 'ft' in place */
    size_t len;
    char *text;           /* its text kept apart (CTI_SLOT_TEXT), if it is */
    size_t textlen;
    cti_fulltext *ft;     /* the article's reader */
    cti_results *query;   /* the query's search, for its highlight spec */
    cti_snippet title;    /* the cleaned title and its spans */
    char date[11];        /* the date as ISO 8601 ("" when none) */
    int query_error;      /* 1: the query did not parse; nothing highlighted */
    cti_query_error qerr; /* why, when query_error */
} cti_view;

/*
 * Load the article 'id' (idlen bytes) of the index 's', highlighted for
 * the query 'q' (NUL-terminated, "" for none) parsed with 'flags'
 * (CTI_QUERY_*).  Returns CTI_OK and fills *out (release with
 * cti_view_release(), also after a failure), CTI_ENOTFOUND when the index
 * has no such article, or another status with 'err' saying why.  A query
 * with a syntax error is not a failure: out->query_error says so.
 */
cti_status cti_view_load(cti_search *s, const char *id, size_t idlen,
                         const char *q, unsigned flags, cti_view *out,
                         char *err, size_t errlen);
void cti_view_release(cti_view *v);

/*
 * The article page: 'v' loaded for the request 'w' (whose query, if any,
 * links back to the results), in an index of 'doccount' articles.  Reads
 * the article from its start.
 */
void cti_view_html(cti_markup *h, cti_view *v, const cti_webq *w,
                   uint32_t doccount);

#endif /* CTI_VIEW_H */
