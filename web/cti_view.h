/*
 * cti_view.h - one article, whole, with the query's matches highlighted.
 *
 * The article is found by its id, its stored record decoded (cti_store)
 * and its text split into paragraphs (at blank lines, or at line breaks
 * when it has no blank line); each paragraph and the title are
 * highlighted by the snippet code (cti_snippet_title(): same analyzer,
 * same rules as snippets; title: terms only in the title).  When
 * cti-search shows an article itself (--show), loading is the part to
 * replace.
 */
#ifndef CTI_VIEW_H
#define CTI_VIEW_H

#include <stddef.h>
#include "cti_markup.h"
#include "cti_search.h"
#include "cti_snippet.h"
#include "cti_store.h"
#include "cti_webq.h"

/* Text beyond this many bytes of the body is not shown. */
#define CTI_VIEW_MAX_BODY (4u << 20)

typedef struct cti_view {
    cti_record rec;    /* the stored fields (body: the stored text) */
    cti_snippet title; /* the cleaned title and its spans */
    cti_snippet text;  /* the cleaned paragraphs joined by "\n\n", and the
                          spans of the matches in it */
    int truncated;     /* 1: the body was longer than CTI_VIEW_MAX_BODY */
    int query_error;   /* 1: the query did not parse; nothing highlighted */
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
 * links back to the results), in an index of 'doccount' articles.
 */
void cti_view_html(cti_markup *h, const cti_view *v, const cti_webq *w,
                   uint32_t doccount);

#endif /* CTI_VIEW_H */
