/*
 * cti_sharding.c - making a folder a sharded index, and merging one back.
 *
 * The layout itself (placement, stubs, reading them) is core/cti_shard.c;
 * only cti-index changes it.
 */
#include "cti_sharding.h"

#include "cti_path.h"
#include "cti_schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STUB_NAME "XAPIANDB"

/* Write a message into err (if any); returns 'st'. */
static cti_status fail(cti_status st, char *err, size_t errlen,
                       const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return st;
}

cti_status cti_shard_layout_create(const char *dir, unsigned n, char *err,
                                   size_t errlen)
{
    if (n < 2 || n > CTI_SHARD_MAX)
        return fail(CTI_EINVAL, err, errlen,
                    "a sharded index has 2 to %d shards, not %u",
                    CTI_SHARD_MAX, n);
    char *stub = cti_path_join(dir, STUB_NAME);
    char *text = malloc((size_t)n * 32 + 1);
    cti_status st = CTI_OK;
    if (!stub || !text) {
        st = fail(CTI_ENOMEM, err, errlen, "out of memory");
        goto done;
    }
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        st = fail(CTI_EIO, err, errlen, "cannot create '%s': %s", dir,
                  strerror(errno));
        goto done;
    }
    if (access(stub, F_OK) == 0) {
        st = fail(CTI_EINVAL, err, errlen, "'%s' already holds an index", dir);
        goto done;
    }
    size_t off = 0;
    for (unsigned i = 0; i < n; i++) {
        char name[16];
        cti_shard_name(i, name, sizeof name);
        char *sd = cti_path_join(dir, name);
        if (!sd) {
            st = fail(CTI_ENOMEM, err, errlen, "out of memory");
            goto done;
        }
        int bad = mkdir(sd, 0777) < 0 && errno != EEXIST;
        char *sstub = bad ? NULL : cti_path_join(sd, STUB_NAME);
        /* An empty stub: the shard opens as an empty database until its
           first database is listed; an existing one is kept. */
        if (!bad && (!sstub || (access(sstub, F_OK) < 0 &&
                                cti_path_write_atomic(sd, STUB_NAME, "") != CTI_OK)))
            bad = 1;
        free(sstub);
        if (bad) {
            st = fail(CTI_EIO, err, errlen, "cannot create shard '%s': %s", sd,
                      strerror(errno));
            free(sd);
            goto done;
        }
        free(sd);
        off += (size_t)sprintf(text + off, "auto %s\n", name);
    }
    if (cti_path_write_atomic(dir, STUB_NAME, text) != CTI_OK)
        st = fail(CTI_EIO, err, errlen, "cannot write '%s': %s", stub,
                  strerror(errno));
done:
    free(stub);
    free(text);
    return st;
}


cti_status cti_shard_unshard(const char *dir, unsigned n, const char *dbname,
                             char *err, size_t errlen)
{
    cti_status st = CTI_OK;
    char **srcs = calloc(n ? n : 1, sizeof *srcs);
    char *dest = cti_path_join(dir, dbname);
    char *text = malloc(strlen(dbname) + 8);
    cti_db *db = NULL;
    if (!srcs || !dest || !text) {
        st = fail(CTI_ENOMEM, err, errlen, "out of memory");
        goto done;
    }
    for (unsigned i = 0; i < n; i++) {
        char name[16];
        cti_shard_name(i, name, sizeof name);
        if (!(srcs[i] = cti_path_join(dir, name))) {
            st = fail(CTI_ENOMEM, err, errlen, "out of memory");
            goto done;
        }
    }
    cti_path_remove_tree(dest);
    st = cti_db_compact((const char *const *)srcs, n, dest, n > 8);
    if (st != CTI_OK) {
        fail(st, err, errlen, "cannot merge the shards of '%s': %s", dir,
             cti_errmsg());
        cti_path_remove_tree(dest);
        goto done;
    }
    /* The merged database is not a shard any more. */
    st = cti_db_open(dest, CTI_DB_OPEN, &db);
    if (st == CTI_OK &&
        ((st = cti_db_set_metadata(db, CTI_META_SHARDS, "", 0)) != CTI_OK ||
         (st = cti_db_set_metadata(db, CTI_META_SHARD, "", 0)) != CTI_OK))
        cti_db_free(db);
    else if (st == CTI_OK)
        st = cti_db_close(db); /* frees the handle in every case */
    db = NULL;
    if (st != CTI_OK) {
        fail(st, err, errlen, "cannot write '%s': %s", dest, cti_errmsg());
        cti_path_remove_tree(dest);
        goto done;
    }
    sprintf(text, "glass %s\n", dbname);
    if (cti_path_write_atomic(dir, STUB_NAME, text) != CTI_OK) {
        st = fail(CTI_EIO, err, errlen, "cannot write the stub of '%s': %s",
                  dir, strerror(errno));
        cti_path_remove_tree(dest);
        goto done;
    }
    for (unsigned i = 0; i < n; i++)
        cti_path_remove_tree(srcs[i]);
done:
    if (srcs)
        for (unsigned i = 0; i < n; i++)
            free(srcs[i]);
    free(srcs);
    free(dest);
    free(text);
    return st;
}
