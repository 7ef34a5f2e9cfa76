/*
 * cti_preload.c - the texts' dictionary, loaded while the query runs.
 */
#include "cti_preload.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti_shard.h"

struct cti_preload {
    pthread_t t;
    char *path;
    cti_text_reader *tr;
};

static void *run(void *arg)
{
    cti_preload *p = arg;
    cti_db *db = NULL;
    unsigned skipped = 0;
    char msg[256];
    if (cti_shard_open_search(p->path, 1, 0, &db, &skipped, msg, sizeof msg) ==
        CTI_OK)
        cti_text_reader_preload(p->tr, db);
    cti_db_free(db);
    return NULL;
}

int cti_preload_worth(cti_search *s)
{
    double words = 0;
    return s && cti_db_avlength(cti_search_db(s), &words) == CTI_OK &&
           words >= CTI_PRELOAD_WORDS;
}

cti_preload *cti_preload_start(cti_search *s, const char *path)
{
    cti_text_reader *tr = s ? cti_search_text_reader(s) : NULL;
    if (!path || !tr || cti_db_is_remote(cti_search_db(s)) ||
        sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return NULL;
    cti_preload *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        free(p);
        return NULL;
    }
    p->tr = tr;
    if (pthread_create(&p->t, NULL, run, p) != 0) {
        free(p->path);
        free(p);
        return NULL;
    }
    return p;
}

void cti_preload_finish(cti_preload *p)
{
    if (!p)
        return;
    pthread_join(p->t, NULL);
    free(p->path);
    free(p);
}
