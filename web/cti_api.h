/*
 * cti_api.h - the JSON API: /api/search and /api/article.
 *
 * /api/search answers with exactly what `cti-search --json` prints for the
 * same query and options (the same printer, writing to memory): one JSON
 * object per hit per line, nothing when nothing matched.  /api/article
 * answers with exactly what `cti-search --show ID --json [QUERY]` prints:
 * one object with the article's fields, its whole text and the offsets
 * of the query's matches in it.  An error is {"error": "..."} (with
 * "column" for a syntax error).
 */
#ifndef CTI_API_H
#define CTI_API_H

#include "cti_markup.h"
#include "cti_search.h"
#include "cti_webq.h"

/*
 * Search 's' for the request 'w' and append the JSON lines to 'out'.
 * Returns the HTTP status: 200 (also with no match), 400 for a syntax
 * error, 500 when the search failed; the body says why on error.
 */
int cti_api_search(cti_search *s, const cti_webq *w, cti_markup *out);

/* The article w->id as one JSON object: 200, 400 (no id), 404 or 500. */
int cti_api_article(cti_search *s, const cti_webq *w, cti_markup *out);

/* {"error": msg} and a newline, for any status. */
void cti_api_error(cti_markup *out, const char *msg);

/* The search options of a request, as cti-search sets them from its
   options (--any, --sort, --offset, -n). */
void cti_api_opts(const cti_webq *w, cti_search_opts *o);

#endif /* CTI_API_H */
