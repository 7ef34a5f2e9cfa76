/*
 * cti_layout.h - the frame every HTML page shares: head, search bar,
 * footer, and the page shown for an error.
 */
#ifndef CTI_LAYOUT_H
#define CTI_LAYOUT_H

#include <stdint.h>
#include "cti_markup.h"
#include "cti_webq.h"

/*
 * Open a page: the document head (with 'title', untrusted, and the
 * style sheet, script and icon) and the search bar filled in from 'w'
 * (query, any, sort).  'focus' puts the focus in the search box.
 */
void cti_layout_open(cti_markup *h, const char *title, size_t titlelen,
                     const cti_webq *w, int focus);

/* Close the page: the footer (with the index's size) and the end tags. */
void cti_layout_close(cti_markup *h, uint32_t doccount);

/*
 * A whole page for an error: 'status' (400, 404, ...) and its message
 * (untrusted, escaped), under the search bar filled in from 'w' (NULL:
 * empty).
 */
void cti_layout_error(cti_markup *h, int status, const char *msg,
                      const cti_webq *w);

/* The reason phrase of an HTTP status ("Not Found"). */
const char *cti_layout_reason(int status);

#endif /* CTI_LAYOUT_H */
