/*
 * cti_output.h - the one printer of search results, human or JSON.
 *
 * Human: rank, title, id (relative to the current directory when below
 * it), date (ISO 8601), score, snippet, and a footer with the match count and the
 * time taken; colour only when asked (the caller decides from the TTY,
 * NO_COLOR and --color).  JSON: one object per hit per line, keys rank,
 * id, title, score, snippet, highlights ([start, end) byte offsets into
 * snippet), and date, date_text, author, source, url when known.
 *
 * The printer prints hits already loaded (cti_hit.h): it neither decodes
 * records nor builds snippets.  It also prints what the other modes
 * found: a count, ids, facets, one whole article, the index statistics
 * (one JSON object each, except ids: one object a line).
 */
#ifndef CTI_OUTPUT_H
#define CTI_OUTPUT_H

#include <stdio.h>
#include "cti_facet.h"
#include "cti_fulltext.h"
#include "cti_hit.h"
#include "cti_search.h"
#include "cti_snippet.h"
#include "cti_stats.h"

enum cti_out_format { CTI_OUT_HUMAN, CTI_OUT_JSON };

typedef struct cti_output_opts {
    int format;              /* enum cti_out_format */
    int color;               /* 1: ANSI colour and bold (human) */
    cti_hl_style style;      /* how highlights are shown (human) */
    const char *open, *close;/* markers for CTI_HL_STYLE_MARKERS */
    int hyperlinks;          /* 1: file ids as OSC 8 hyperlinks (human) */
    unsigned width;          /* columns of the terminal, 0 when the output
                                is not one (no wrapping, no bars) */
} cti_output_opts;

typedef struct cti_printer cti_printer;

/*
 * A printer writing to 'f' with 'o' (copied; the marker strings must
 * outlive the printer).  Returns CTI_OK and *out, or CTI_ENOMEM.
 */
cti_status cti_printer_new(FILE *f, const cti_output_opts *o,
                           cti_printer **out);
void cti_printer_free(cti_printer *p);

/*
 * Print the loaded hit 'h' (cti_hit_load()); it is not changed.  Returns
 * CTI_OK, CTI_ENOMEM, or CTI_EIO when writing failed (e.g. a closed pipe).
 */
cti_status cti_printer_hit(cti_printer *p, const cti_hit *h);

/*
 * End the output: the human footer ("3 matches, 1.2 ms"), nothing in
 * JSON, then flush.  Returns CTI_OK, or CTI_EIO when writing failed.
 */
cti_status cti_printer_footer(cti_printer *p, const cti_results *r,
                              double ms);

/*
 * The number of matching articles 'n' (-c): "1234" and a newline, or
 * {"matches":1234}.  Returns CTI_OK, or CTI_EIO when writing failed.
 */
cti_status cti_printer_count(cti_printer *p, uint32_t n);

/*
 * The id 'id' (len bytes) of the hit of rank 'rank' (1-based), for -l:
 * the id and a newline (control characters as \xNN, a hyperlink on a
 * terminal), or {"rank":1,"id":"..."}.  Returns CTI_OK, CTI_ENOMEM or
 * CTI_EIO.
 */
cti_status cti_printer_id(cti_printer *p, uint32_t rank, const char *id,
                          size_t len);

/*
 * The facets 'fs' counted over the matches of 'query': for people, each
 * facet's header and one row a value (aligned label, count and, on a
 * terminal, a bar in eighths of a column); in JSON one object,
 * {"query":..., "matches":N, "facets":{"date:year":{"values":[{"value":
 * "1790","count":3},...], "missing":0, ...}}}.  Returns CTI_OK,
 * CTI_ENOMEM or CTI_EIO.
 */
cti_status cti_printer_facets(cti_printer *p, const cti_facets *fs,
                              const char *query);

/*
 * The whole article read by 'ft' with its highlighted title 'title' and
 * its date as read when indexed, ISO 8601 ('date', "" when none): for
 * people a header (title, date, author, source, url, id) and the text,
 * wrapped to the terminal's width on one; in JSON one object with id,
 * title, date, date_text (as written), the other fields known, text and
 * highlights ([start, end) byte offsets into text).  The text is read piece by piece (JSON reads it
 * twice: the text, then the highlights).  Returns CTI_OK, CTI_ECORRUPT
 * (cti_fulltext_error() says why), CTI_ENOMEM or CTI_EIO.
 */
cti_status cti_printer_article(cti_printer *p, const cti_snippet *title,
                               const char *date, cti_fulltext *ft);

/*
 * The statistics 'st' of the index at 'path': aligned lines for people,
 * one object in JSON (keys in man cti-search, the article count under
 * "articles").  Returns CTI_OK, CTI_ENOMEM or CTI_EIO.
 */
cti_status cti_printer_stats(cti_printer *p, const cti_stats *st,
                             const char *path);

/* End the output of a mode other than a search: flush.  CTI_OK or CTI_EIO. */
cti_status cti_printer_end(cti_printer *p);

/*
 * Write 's' for a terminal: control characters (C0, DEL, C1) appear as
 * \xNN so a name cannot carry escape sequences to the screen.
 */
void cti_output_put_clean(FILE *f, const char *s);

/* "1,234" into buf (at least 32 bytes). */
const char *cti_output_count(uint32_t n, char *buf, size_t len);

#endif /* CTI_OUTPUT_H */
