/*
 * cti_path.h - file-system helpers shared by the indexer and the shard layout.
 */
#ifndef CTI_PATH_H
#define CTI_PATH_H

#include "cti_xapian.h"

/*
 * Join the folder 'dir' and the name 'name' with one '/' between them
 * (none added when 'dir' is empty or already ends in '/').  Returns a new
 * string the caller frees with free(), or NULL when out of memory.
 */
char *cti_path_join(const char *dir, const char *name);

/*
 * Replace the file dir/name with 'text' atomically: write dir/name.tmp,
 * fsync it, rename it over dir/name and fsync the folder, so a reader or
 * a crash sees either the old file or the new one.  Returns CTI_OK,
 * CTI_ENOMEM, or CTI_EIO with errno set (the temporary file is removed).
 */
cti_status cti_path_write_atomic(const char *dir, const char *name, const char *text);
/* cti_path_write_atomic() of 'len' bytes. */
cti_status cti_path_write_atomic_bytes(const char *dir, const char *name,
                                       const void *bytes, size_t len);

/*
 * Remove 'path' and, if it is a folder, everything below it (rm -rf;
 * symbolic links are removed, not followed).  A path that does not exist
 * is not an error.  Returns CTI_OK, or CTI_EIO with errno set.
 */
cti_status cti_path_remove_tree(const char *path);

#endif /* CTI_PATH_H */
