/*
 * cti_merge.c - the merge: every database the stub lists (the main
 * database and a bulk run's segments) compacted into a new main
 * database, which then becomes the only one listed.
 *
 * It ends a bulk run, recovers the segments of an interrupted one (at the
 * start of the next run), and does --compact.  The stub is replaced by
 * rename() only after the new database is complete, so a crash during a
 * merge leaves the index as it was, and the unlisted new database is
 * debris for the next run.
 */
#include "cti_indexer_int.h"

#include "cti_path.h"

#include <stdlib.h>
#include <string.h>

/* Free a list of n names and the list. */
static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* List only 'name' (taken over) in the stub; the old names go to *old. */
static cti_status list_only(cti_index *ix, char *name, char **oldmain,
                            char ***oldsegs, size_t *noldsegs)
{
    *oldmain = ix->mainname;
    *oldsegs = ix->segs;
    *noldsegs = ix->nsegs;
    ix->mainname = name;
    ix->segs = NULL;
    ix->nsegs = ix->capsegs = 0;
    cti_status st = cti_folder_stub_write(ix);
    if (st != CTI_OK)
        ix->fatal = 1;
    return st;
}

/*
 * Compact the databases 'names' (n, inside the index folder) into a new
 * main database, list only it in the stub, and remove the old ones.
 * ix->main must be closed.
 */
static cti_status merge_into_new_main(cti_index *ix, char **names, size_t n)
{
    char name[32];
    cti_status st = CTI_ENOMEM;
    const char **srcs = calloc(n ? n : 1, sizeof *srcs);
    char *dest = NULL, *keep = NULL, *oldmain = NULL, **oldsegs = NULL;
    size_t noldsegs = 0;
    int reported = 0;
    if (!srcs)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (!(srcs[i] = cti_folder_path(ix->dir, names[i])))
            goto done;
    snprintf(name, sizeof name, "db.%u", ix->gen++);
    if (!(dest = cti_folder_path(ix->dir, name)) || !(keep = strdup(name)))
        goto done;
    cti_path_remove_tree(dest);
    if ((st = cti_db_compact(srcs, n, dest, 0)) != CTI_OK) {
        cti_index_fail(ix, "cannot merge the index", st);
        reported = 1;
        cti_path_remove_tree(dest);
        goto done;
    }
    st = list_only(ix, keep, &oldmain, &oldsegs, &noldsegs);
    keep = NULL;
    reported = 1; /* the stub's writer says why it failed */
    if (st == CTI_OK)
        for (size_t i = 0; i < n; i++)
            cti_path_remove_tree(srcs[i]);
    free(oldmain);
    free_names(oldsegs, noldsegs);
done:
    if (st != CTI_OK && !reported)
        cti_index_fail(ix, "cannot merge the index", st);
    for (size_t i = 0; srcs && i < n; i++)
        free((char *)srcs[i]);
    free(srcs);
    free(dest);
    free(keep);
    return st;
}

cti_status cti_merge_all(cti_index *ix)
{
    cti_status st;
    if (ix->sync_db == ix->main)
        ix->sync_db = NULL; /* a merge ends the run: no lookups after it */
    if (ix->main) {
        st = cti_db_close(ix->main);
        ix->main = NULL;
        if (st != CTI_OK)
            return cti_index_fail(ix, "cannot commit", st);
    }
    /* The names of every listed database, main first. */
    char **names = malloc((ix->nsegs + 1) * sizeof *names);
    size_t n = 0;
    if (!names)
        return cti_index_fail(ix, "cannot merge the index", CTI_ENOMEM);
    if (ix->mainname)
        names[n++] = ix->mainname;
    for (size_t i = 0; i < ix->nsegs; i++)
        names[n++] = ix->segs[i];
    if (n == 0) {
        free(names); /* nothing listed yet: finish creates an empty index */
        return CTI_OK;
    }
    st = merge_into_new_main(ix, names, n);
    free(names);
    if (st != CTI_OK)
        return st;
    char *path = cti_folder_path(ix->dir, ix->mainname);
    if (!path)
        return cti_index_fail(ix, "cannot open the index", CTI_ENOMEM);
    st = cti_db_open(path, CTI_DB_OPEN, &ix->main);
    free(path);
    if (st != CTI_OK)
        return cti_index_fail(ix, "cannot open the index", st);
    return CTI_OK;
}
