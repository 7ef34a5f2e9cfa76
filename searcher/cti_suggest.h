/*
 * cti_suggest.h - "did you mean": the spelling of a query that finds
 * articles.
 *
 * Every word of the query (single words, words of phrases and NEAR
 * groups, field words; not prefixes or words shorter than 3 letters) gets
 * its closest words from the index's spelling data (1 edit for words of
 * up to 4 letters, else 2).  Corrected queries are tried fewest changes
 * and fewest edits first, as whole queries: the first that finds articles
 * wins, and among equally near ones the one that finds the most, that is
 * whose words occur together most often.  A word the index holds may be
 * corrected too ("Jarred Kushner": both words exist, never together).
 * With --any (words OR-ed, so the question as typed matches as soon as one
 * word does), only the words no article holds are corrected, each to the
 * candidate found most often with the question's other words.
 */
#ifndef CTI_SUGGEST_H
#define CTI_SUGGEST_H

#include <stdint.h>
#include "cti_search.h"

typedef struct cti_suggestion {
    char *text;       /* the corrected query (its typed case kept), or NULL
                         when no correction finds anything */
    uint32_t matches; /* about how many articles 'text' finds */
    char *unknown;    /* the words of the query no article holds, as typed,
                         quoted and comma-separated ("'investigaton'"), or
                         NULL when there are none */
} cti_suggestion;

/*
 * The suggestion for 'text' parsed with 'flags' (CTI_QUERY_*), searched in
 * 's'.  Returns CTI_OK with *out filled (its fields may all be NULL),
 * CTI_EINVAL when 'text' does not parse, CTI_ENOMEM, or an index error.
 * Release *out with cti_suggestion_release() in every case.
 */
cti_status cti_suggest(cti_search *s, const char *text, unsigned flags,
                       cti_suggestion *out);

void cti_suggestion_release(cti_suggestion *sg);

#endif /* CTI_SUGGEST_H */
