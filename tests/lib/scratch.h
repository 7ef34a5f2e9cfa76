/*
 * scratch.h - a unit test's scratch folder: made under $TMPDIR (else
 * /tmp) with a name of its own, and removed with all it holds.  The
 * functions are static inline: a test may use some of them only.
 */
#ifndef CTI_TEST_SCRATCH_H
#define CTI_TEST_SCRATCH_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* The folder made last by scratch_make(). */
static char scratch_dir[256];

static inline int scratch_rm_one(const char *path, const struct stat *st,
                                 int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Make "$TMPDIR/cti-NAME-XXXXXX" into scratch_dir: 0, or -1. */
static inline int scratch_make(const char *name)
{
    const char *t = getenv("TMPDIR");
    snprintf(scratch_dir, sizeof scratch_dir, "%s/cti-%s-XXXXXX",
             t && *t ? t : "/tmp", name);
    return mkdtemp(scratch_dir) ? 0 : -1;
}

/* Remove 'dir' and everything in it: 0, or -1. */
static inline int scratch_remove_tree(const char *dir)
{
    return nftw(dir, scratch_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Remove scratch_dir and everything in it: 0, or -1. */
static inline int scratch_remove(void)
{
    return scratch_remove_tree(scratch_dir);
}

/* The path of 'name' in scratch_dir into buf (n bytes). */
static inline void scratch_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", scratch_dir, name);
}

#endif /* CTI_TEST_SCRATCH_H */
