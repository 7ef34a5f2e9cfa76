/*
 * cti_pool.c - idle search handles behind a lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_pool.h"

struct cti_pool {
    char *path;
    pthread_mutex_t lock; /* guards idle and nidle */
    cti_search **idle;
    unsigned nidle, max_idle;
};

cti_status cti_pool_new(const char *path, unsigned max_idle, cti_pool **out,
                        char *err, size_t errlen)
{
    cti_pool *p = calloc(1, sizeof *p);
    cti_search *s = NULL;
    cti_status st = CTI_ENOMEM;
    *out = NULL;
    if (!p)
        goto nomem;
    p->max_idle = max_idle ? max_idle : 1;
    p->path = strdup(path);
    p->idle = calloc(p->max_idle, sizeof *p->idle);
    if (!p->path || !p->idle)
        goto nomem;
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        goto nomem;
    st = cti_search_open(path, &s, err, errlen);
    if (st != CTI_OK) {
        pthread_mutex_destroy(&p->lock);
        goto fail;
    }
    p->idle[p->nidle++] = s;
    *out = p;
    return CTI_OK;
nomem:
    snprintf(err, errlen, "out of memory");
fail:
    if (p) {
        free(p->path);
        free(p->idle);
        free(p);
    }
    return st;
}

void cti_pool_free(cti_pool *p)
{
    if (!p)
        return;
    for (unsigned i = 0; i < p->nidle; i++)
        cti_search_free(p->idle[i]);
    pthread_mutex_destroy(&p->lock);
    free(p->idle);
    free(p->path);
    free(p);
}

cti_status cti_pool_take(cti_pool *p, cti_search **out, char *err,
                         size_t errlen)
{
    cti_search *s = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->nidle)
        s = p->idle[--p->nidle];
    pthread_mutex_unlock(&p->lock);
    /* A handle that cannot follow the index is replaced by a new one. */
    if (s && cti_search_reopen(s, err, errlen) != CTI_OK) {
        cti_search_free(s);
        s = NULL;
    }
    if (s) {
        *out = s;
        return CTI_OK;
    }
    return cti_search_open(p->path, out, err, errlen);
}

void cti_pool_give(cti_pool *p, cti_search *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&p->lock);
    if (p->nidle < p->max_idle) {
        p->idle[p->nidle++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    cti_search_free(s);
}

const char *cti_pool_path(const cti_pool *p)
{
    return p->path;
}
