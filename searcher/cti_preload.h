/*
 * cti_preload.h - the texts' dictionary, loaded while the query runs.
 *
 * The first hit whose text is decompressed loads the index's text
 * dictionary (cti_text.h): its file mapped (cti_dictfile.h), or where
 * there is none 64 KB of metadata (about 0.2 ms of a search in a fresh
 * process), and zstd's tables, all of it ahead of the first snippet.
 * Nothing of it depends on the query, so on a machine of more
 * than one CPU a thread of its own loads it, through a handle on the
 * index of its own (Xapian's are not shared between threads), while the
 * query runs on the other; the hits then find it loaded.
 *
 * Only a local index is preloaded: a remote shard would cost another
 * connection to its server.  Whatever the preload meets (a missing or
 * damaged dictionary, an index that cannot be opened again) is left for
 * the hits to meet and report as they would without it: the output is
 * the same with or without a preload, only the time changes.
 */
#ifndef CTI_PRELOAD_H
#define CTI_PRELOAD_H

#include "cti_search.h"

typedef struct cti_preload cti_preload;

/*
 * Whether a preload is worth its thread when the user did not say: the
 * articles of the index at 's' average CTI_PRELOAD_WORDS words or more.
 * A thread and a second handle on the index cost 0.15 to 0.3 ms of a
 * search on a machine of two virtual CPUs, about what the load it moves
 * off the query's path saves: measured over make bench's queries, pages
 * of news stories (200 to 800 words) came 0.3 ms sooner without one,
 * pages of State of the Union addresses (7,700 words) sooner with one.
 */
#define CTI_PRELOAD_WORDS 2000
int cti_preload_worth(cti_search *s);

/*
 * Start loading, on a new thread, the dictionary in use of the index at
 * 'path' (as cti_shard_open_search() opens it) into the text reader of
 * 's', a search open on that index.  Returns NULL when nothing was
 * started: an index with a remote part (cti_db_is_remote()), one CPU,
 * no memory, or no thread to be had.
 */
cti_preload *cti_preload_start(cti_search *s, const char *path);

/* Wait for the preload 'p' to end, and free it (NULL: nothing to do).
   Call it before reading texts through the search or freeing it. */
void cti_preload_finish(cti_preload *p);

#endif /* CTI_PRELOAD_H */
