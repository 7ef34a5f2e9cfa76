/*
 * cti_hits.h - the hits of a page, loaded side by side.
 *
 * Loading a hit (cti_hit_load()) decompresses its text and builds its
 * snippet: nearly all of what a search with snippets costs beyond the
 * match itself, and each hit's is its own.  A page's hits are loaded by
 * a few threads taking the next hit not yet taken, each with an analyzer
 * of its own; the texts' dictionaries and the decompression contexts
 * are shared through the search's text reader, which is safe to share.
 * The hits come out the same, in the same places, whatever the number
 * of threads: only the time changes.
 */
#ifndef CTI_HITS_H
#define CTI_HITS_H

#include <stddef.h>

#include "cti_hit.h"

/* Most threads loading one page. */
#define CTI_HITS_JOBS_MAX 16

/*
 * The threads worth using for hits [first, first + n) of 'r' loaded with
 * 'o' when the user did not say: on a machine of more than one CPU, two
 * when there are snippets to build for at least two hits and their
 * stored records and texts come to CTI_HITS_HELPER_BYTES or more; else
 * one.  A helper thread costs 0.15 to 0.3 ms to start and wake on a
 * machine of two virtual CPUs: measured over make bench's queries, ten
 * news stories (0.4 to 1.5 KB stored each) load sooner on one thread,
 * ten State of the Union addresses (13 KB each) sooner on two.
 */
#define CTI_HITS_HELPER_BYTES (48u << 10)
unsigned cti_hits_jobs_default(const cti_results *r, size_t first, size_t n,
                               const cti_hit_opts *o);

/*
 * Load hits [first, first + n) of the results 'r' of a search in 's',
 * with 'o' (NULL: defaults), into out[0, n), on up to 'jobs' threads
 * (this one among them; 0 or 1: this one alone).  This thread loads with
 * o's analyzer (NULL: the search's own); each helper thread makes its own
 * (cti_search_analyzer_new()) once started, for this call only.  Each
 * out[k] is loaded by cti_hit_load(), and its status goes to st[k]:
 * release every out[k] with cti_hit_release() whatever its status.  A
 * helper thread that cannot be started or given an analyzer leaves its
 * share to the others.
 */
void cti_hits_load(cti_search *s, const cti_results *r, size_t first,
                   size_t n, const cti_hit_opts *o, unsigned jobs,
                   cti_hit *out, cti_status *st);

#endif /* CTI_HITS_H */
