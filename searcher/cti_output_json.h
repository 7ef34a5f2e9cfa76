/*
 * cti_output_json.h - one hit as a line of JSON (cti_output.h's JSON format).
 */
#ifndef CTI_OUTPUT_JSON_H
#define CTI_OUTPUT_JSON_H

#include <stdio.h>
#include "cti_hit.h"

/*
 * Write the loaded hit 'h' to 'f' as one JSON object and a newline, keys
 * in this order: rank, id, title, score, date (ISO 8601: "2024-07-15",
 * "2024-07" or "2024", as read when indexed), date_text (the date as the
 * article wrote it), author, source, url (these six only when known),
 * snippet, highlights ([start, end) byte offsets into snippet).  Invalid UTF-8 becomes U+FFFD.  Returns CTI_OK,
 * CTI_ENOMEM, or CTI_EIO when writing failed.
 */
cti_status cti_output_json_hit(FILE *f, const cti_hit *h);

#endif /* CTI_OUTPUT_JSON_H */
