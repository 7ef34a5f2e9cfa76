/*
 * cti_path.h - file-system helpers shared by the indexer and the shard layout.
 */
#ifndef CTI_PATH_H
#define CTI_PATH_H

/*
 * Remove 'path' and, if it is a folder, everything below it (rm -rf;
 * symbolic links are removed, not followed).  A path that does not exist
 * is not an error.  Returns 0, or -1 with errno set.
 */
int cti_path_remove_tree(const char *path);

#endif /* CTI_PATH_H */
