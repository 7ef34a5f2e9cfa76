/*
 * cti_page.h - the search page: the query box, the hits with highlighted
 * snippets, exact counts, paging, sorting, did you mean, and the
 * timeline and top sources of every match, each a link that narrows the
 * query.  Without a query: a start page with examples.
 */
#ifndef CTI_PAGE_H
#define CTI_PAGE_H

#include "cti_markup.h"
#include "cti_search.h"
#include "cti_webq.h"

/*
 * Search 's' for the request 'w' and append the whole page to 'out'.
 * Returns the HTTP status: 200 (also with no match), 400 for a query
 * with a syntax error (the page says where), 500 when the search failed.
 */
int cti_page_search(cti_search *s, const cti_webq *w, cti_markup *out);

/*
 * The query 'q' (len bytes) narrowed by 'term' (a date: or source: term):
 * "q term", with q in parentheses when it has an OR that would otherwise
 * bind looser than the added term.  A new NUL-terminated string (caller
 * frees), or NULL on no memory.
 */
char *cti_page_narrow(const char *q, size_t len, const char *term);

#endif /* CTI_PAGE_H */
