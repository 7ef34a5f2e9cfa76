/*
 * cti_fulltext.h - one stored article read whole, piece by piece, with
 * the matches of a query highlighted.
 *
 * The body is inflated a window at a time (about a megabyte), so an
 * article of any size is shown in bounded memory beyond its stored
 * record.  Each window is analyzed with the same analyzer and highlight
 * rules as snippets (cti_snippet_spans()), with 64 KiB of text before and
 * after it as context, so a phrase or NEAR match across two windows is
 * still found (one spanning more than 64 KiB of text is not), and
 * cleaned as cti_snippet_clean_lines() does (lines kept).
 */
#ifndef CTI_FULLTEXT_H
#define CTI_FULLTEXT_H

#include <stddef.h>
#include "cti_analyzer.h"
#include "cti_snippet.h"
#include "cti_store.h"

typedef struct cti_fulltext cti_fulltext;

/*
 * Start reading the article whose stored record is the 'len' bytes at
 * 'data', its text kept apart in 'text' if it is (NULL: not; both must
 * outlive the reader), highlighting the body matches
 * of 'spec' (NULL: none) with analyzer 'a'.  Returns CTI_OK and *out
 * (free with cti_fulltext_free()); CTI_ECORRUPT for a record that cannot
 * be decoded, with 'err' saying why; CTI_ENOMEM.  *out is NULL on failure.
 */
cti_status cti_fulltext_open(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *data, size_t len,
                             const cti_record_text *text, cti_fulltext **out,
                             char *err, size_t errlen);
void cti_fulltext_free(cti_fulltext *f);

/* The article's fields (its body is NULL: read it with cti_fulltext_next()). */
const cti_record *cti_fulltext_record(const cti_fulltext *f);

/*
 * The next piece of the body: CTI_OK with *piece holding cleaned text and
 * the spans to highlight in it (owned by 'f', valid until the next call),
 * in order, a piece ending at a line end or a space when there is one;
 * CTI_DONE after the last piece; CTI_ECORRUPT when the stored body turns
 * out damaged (cti_fulltext_error() says how); CTI_ENOMEM.
 */
cti_status cti_fulltext_next(cti_fulltext *f, cti_snippet *piece);

/* Start the body over from its first byte.  Returns CTI_OK or CTI_ECORRUPT. */
cti_status cti_fulltext_rewind(cti_fulltext *f);

/* Parts of the body to read. */
#define CTI_FULLTEXT_ALL     0 /* every byte, as stored (the default) */
#define CTI_FULLTEXT_ARTICLE 1 /* without its ranges set aside as page
                                  boilerplate (cti_store.h) */
#define CTI_FULLTEXT_ASIDE   2 /* those ranges only, a blank line between */

/*
 * Read part 'part' (CTI_FULLTEXT_*) of the body from now on: call it
 * before the first cti_fulltext_next() or right after a rewind.
 */
void cti_fulltext_part(cti_fulltext *f, int part);

/* Why the last call failed ("" if it did not). */
const char *cti_fulltext_error(const cti_fulltext *f);

#endif /* CTI_FULLTEXT_H */
