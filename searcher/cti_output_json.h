/*
 * cti_output_json.h - one hit as a line of JSON (cti_output.h's JSON format).
 */
#ifndef CTI_OUTPUT_JSON_H
#define CTI_OUTPUT_JSON_H

#include <stdio.h>
#include "cti_facet.h"
#include "cti_fulltext.h"
#include "cti_hit.h"
#include "cti_stats.h"

/*
 * Write the loaded hit 'h' to 'f' as one JSON object and a newline, keys
 * in this order: rank, id, title, score, date (ISO 8601: "2024-07-15",
 * "2024-07" or "2024", as read when indexed), date_text (the date as the
 * article wrote it), author, source, url (these six only when known),
 * snippet, highlights ([start, end) byte offsets into snippet).  Invalid UTF-8 becomes U+FFFD.  Returns CTI_OK,
 * CTI_ENOMEM, or CTI_EIO when writing failed.
 */
cti_status cti_output_json_hit(FILE *f, const cti_hit *h);

/* {"matches":N} and a newline.  CTI_OK, CTI_ENOMEM or CTI_EIO. */
cti_status cti_output_json_count(FILE *f, uint32_t n);

/* {"rank":R,"id":"..."} and a newline.  CTI_OK, CTI_ENOMEM or CTI_EIO. */
cti_status cti_output_json_id(FILE *f, uint32_t rank, const char *id,
                              size_t len);

/*
 * The facets as one object and a newline: query, matches, and under
 * "facets" an object per facet name with "values" (objects with "value"
 * and "count"; dates: every period from the first to the last, names:
 * the most frequent first), "distinct", "missing", and for dates
 * "coarse" (dated less precisely than the facet).  CTI_OK, CTI_ENOMEM or
 * CTI_EIO.
 */
cti_status cti_output_json_facets(FILE *f, const cti_facets *fs,
                                  const char *query);

/*
 * The article of 'ft' as one object and a newline: id, title, date (ISO
 * 8601 'date', when not ""), date_text (as written), author, source, url
 * (when known), text (cleaned, lines kept) and
 * highlights ([start, end) byte offsets into text), written as the body
 * is read (twice: the text, then the highlights).  CTI_OK, CTI_ECORRUPT,
 * CTI_ENOMEM or CTI_EIO.
 */
cti_status cti_output_json_article(FILE *f, const char *date, cti_fulltext *ft);

/* The statistics as one object and a newline.  CTI_OK, CTI_ENOMEM or CTI_EIO. */
cti_status cti_output_json_stats(FILE *f, const cti_stats *st,
                                 const char *path);

#endif /* CTI_OUTPUT_JSON_H */
