/*
 * index_fixture.h - a scratch index built from JSON lines, opened for
 * searching, for the unit tests of what cti-search reads from an index.
 */
#ifndef INDEX_FIXTURE_H
#define INDEX_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti_indexer.h"
#include "cti_search.h"

typedef struct index_fixture {
    char dir[64];
    char db[96];
    cti_search *s;
} index_fixture;

static int index_fixture_rm(const char *p, const struct stat *sb, int flag,
                            struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void index_fixture_free(index_fixture *fx)
{
    if (!fx)
        return;
    cti_search_free(fx->s);
    nftw(fx->dir, index_fixture_rm, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
}

/* Index the JSON lines 'jsonl' into a new scratch index of 'shards'
   shards (0: one database) and open it; NULL when anything fails. */
static index_fixture *index_fixture_new_sharded(const char *jsonl,
                                                unsigned shards)
{
    index_fixture *fx = calloc(1, sizeof *fx);
    char in[128], err[256];
    cti_indexer_opts o;
    cti_indexer *ix = NULL;
    cti_indexer_stats st;
    if (!fx)
        return NULL;
    strcpy(fx->dir, "/tmp/cti-test-index-XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return NULL;
    }
    snprintf(in, sizeof in, "%s/in.jsonl", fx->dir);
    snprintf(fx->db, sizeof fx->db, "%s/db", fx->dir);
    FILE *f = fopen(in, "w");
    if (!f || fputs(jsonl, f) < 0 || fclose(f) != 0)
        goto fail;
    cti_indexer_opts_init(&o);
    o.db = fx->db;
    o.quiet = 1;
    o.shards = shards;
    if (cti_indexer_new(&o, &ix) != 0)
        goto fail;
    int rc = cti_indexer_add_path(ix, in) || cti_indexer_finish(ix, &st);
    cti_indexer_free(ix);
    if (rc || cti_search_open(fx->db, &fx->s, err, sizeof err) != CTI_OK)
        goto fail;
    return fx;
fail:
    index_fixture_free(fx);
    return NULL;
}

/* index_fixture_new_sharded() of one database. */
static index_fixture *index_fixture_new(const char *jsonl)
{
    return index_fixture_new_sharded(jsonl, 0);
}

#endif /* INDEX_FIXTURE_H */
