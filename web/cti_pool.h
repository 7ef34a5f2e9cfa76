/*
 * cti_pool.h - open handles on one index, shared by the server's threads.
 *
 * A search handle is used by one thread at a time; opening one costs
 * more than a search.  The pool keeps the idle handles; a request takes
 * one, brought up to date with what cti-index last committed (so new
 * articles are found without a restart), and gives it back.  A handle
 * that cannot be brought up to date (the index was rebuilt, merged or
 * moved) is closed and the index opened again.  The pool's lock guards
 * its list of idle handles only.
 */
#ifndef CTI_POOL_H
#define CTI_POOL_H

#include <stddef.h>
#include "cti_search.h"

typedef struct cti_pool cti_pool;

/*
 * A pool on the index at 'path' keeping at most 'max_idle' idle handles.
 * The index is opened once here, so a path that is not an index fails at
 * once: returns CTI_OK and *out, or the open's status (*out NULL) with
 * the reason in 'err'.  Free with cti_pool_free().
 */
cti_status cti_pool_new(const char *path, unsigned max_idle, cti_pool **out,
                        char *err, size_t errlen);
/* Close every idle handle and free the pool (taken ones must be back). */
void cti_pool_free(cti_pool *p);

/*
 * Take a handle up to date with the index's last commit.  Returns CTI_OK
 * and *out, or the status of a failed open (*out NULL) with the reason
 * in 'err'.  Safe from any thread.
 */
cti_status cti_pool_take(cti_pool *p, cti_search **out, char *err,
                         size_t errlen);
/* Give back a handle taken from 'p' (NULL: nothing). */
void cti_pool_give(cti_pool *p, cti_search *s);

/* The path the pool serves (owned by the pool). */
const char *cti_pool_path(const cti_pool *p);

#endif /* CTI_POOL_H */
