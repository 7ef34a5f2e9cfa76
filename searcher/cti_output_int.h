/*
 * cti_output_int.h - what the printer's files share; nothing else
 * includes it.
 *
 * cti_output.c holds the printer and prints hits, counts and ids;
 * cti_output_json.c prints everything as JSON; cti_output_facet.c,
 * cti_output_article.c and cti_output_stats.c print facets, a whole
 * article and the index statistics for people.
 */
#ifndef CTI_OUTPUT_INT_H
#define CTI_OUTPUT_INT_H

#include <stdio.h>
#include "cti_output.h"

#define CTI_BOLD "\033[1m"
#define CTI_DIM "\033[2m"
#define CTI_PATHC "\033[35m"
#define CTI_RESET "\033[0m"
/* A match in a bold title: red, then the default colour (still bold). */
#define CTI_TITLE_ON "\033[31m"
#define CTI_TITLE_OFF "\033[39m"

struct cti_printer {
    FILE *f;
    cti_output_opts o;
    char *cwd;          /* the current directory, or NULL */
    size_t cwdlen;
    char *host;         /* this machine's name for file:// links, or NULL */
};

/*
 * Write the article id 'id': relative to the current directory when
 * 'relative' and below it, and, when the printer makes hyperlinks and
 * the id is a file's absolute path, as an OSC 8 link to that file.
 */
void cti_output_put_id(const cti_printer *p, const char *id, int relative);

/* The columns the 'n' bytes of UTF-8 at 's' take on a terminal. */
size_t cti_output_columns(const char *s, size_t n);

/* The human printers of cti_output_facet.c, _article.c and _stats.c. */
cti_status cti_output_human_facets(cti_printer *p, const cti_facets *fs,
                                   const char *query);
cti_status cti_output_human_article(cti_printer *p, const cti_snippet *title,
                                    const char *date, cti_fulltext *ft);
cti_status cti_output_human_stats(cti_printer *p, const cti_stats *st,
                                  const char *path);

#endif /* CTI_OUTPUT_INT_H */
