/*
 * cti_markup.h - building HTML (and other text replies) in memory, with the
 * escaping every untrusted string goes through.
 *
 * A cti_markup is a growable byte buffer.  Appending never fails visibly:
 * on no memory the buffer remembers it, stops growing and
 * cti_markup_status() says CTI_ENOMEM, so a page is built with plain calls
 * and checked once at the end.
 *
 * What is untrusted (article titles, text, ids, urls, dates, the query)
 * goes through cti_markup_text() (element text and quoted attribute
 * values) or cti_markup_url() (one component of a URL's query string);
 * cti_markup_raw() and cti_markup_printf() are for the page's own markup.
 */
#ifndef CTI_MARKUP_H
#define CTI_MARKUP_H

#include <stddef.h>
#include "cti_xapian.h"

typedef struct cti_markup {
    char *buf;     /* NUL-terminated when len > 0 */
    size_t len, cap;
    int nomem;     /* 1 once an append failed */
} cti_markup;

/* An empty buffer (nothing allocated yet). */
void cti_markup_init(cti_markup *h);
/* Free the buffer and make 'h' empty again. */
void cti_markup_release(cti_markup *h);
/* CTI_OK, or CTI_ENOMEM when an append failed since cti_markup_init(). */
cti_status cti_markup_status(const cti_markup *h);
/*
 * Hand the bytes over: returns the malloc'd buffer (NUL-terminated, the
 * caller frees it with free()) and its length in *len, and leaves 'h'
 * empty.  Returns NULL (and frees everything) after a failed append.
 */
char *cti_markup_take(cti_markup *h, size_t *len);

/* Append trusted markup as is. */
void cti_markup_raw(cti_markup *h, const char *s);
void cti_markup_rawn(cti_markup *h, const char *s, size_t n);
/* Append trusted markup built with printf (only numbers and own strings). */
void cti_markup_printf(cti_markup *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Append 'n' bytes of untrusted text, safe in element content and in
 * attribute values quoted with " or ': & < > " ' become character
 * references, invalid UTF-8 and control characters (C0 but tab and
 * newline, DEL, C1) become U+FFFD, and the bidi controls that can reorder
 * what is shown around them are dropped (controls and bidi controls as
 * core/cti_escape.h defines them).
 */
void cti_markup_text(cti_markup *h, const char *s, size_t n);
/* The same for a NUL-terminated string (NULL: nothing). */
void cti_markup_str(cti_markup *h, const char *s);

/*
 * Append 'n' bytes percent-encoded as one component of a URL query
 * string: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX (a space
 * too), so the result can also go inside a quoted attribute as is.
 */
void cti_markup_url(cti_markup *h, const char *s, size_t n);

/* 1 when the 'n' bytes at 's' are valid UTF-8 (no overlongs, no
   surrogates, nothing above U+10FFFF) without NUL bytes. */
int cti_markup_valid_utf8(const char *s, size_t n);

#endif /* CTI_MARKUP_H */
