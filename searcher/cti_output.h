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
 * records nor builds snippets.
 */
#ifndef CTI_OUTPUT_H
#define CTI_OUTPUT_H

#include <stdio.h>
#include "cti_hit.h"
#include "cti_search.h"
#include "cti_snippet.h"

enum cti_out_format { CTI_OUT_HUMAN, CTI_OUT_JSON };

typedef struct cti_output_opts {
    int format;              /* enum cti_out_format */
    int color;               /* 1: ANSI colour and bold (human) */
    cti_hl_style style;      /* how highlights are shown (human) */
    const char *open, *close;/* markers for CTI_HL_STYLE_MARKERS */
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

/* "1,234" into buf (at least 32 bytes). */
const char *cti_output_count(uint32_t n, char *buf, size_t len);

#endif /* CTI_OUTPUT_H */
