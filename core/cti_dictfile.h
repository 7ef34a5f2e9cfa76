/*
 * cti_dictfile.h - the stored texts' dictionary (cti_text.h) kept also as
 * a file in a local index's folder, which a search maps instead of
 * reading it from the index's metadata.
 *
 * Read through Xapian, the dictionary (64 KB) cost a search in a fresh
 * process 11 block reads and about 37 page faults: the bytes gathered
 * into a string item by item, then copied out.  Mapped, the pages a
 * search touches come straight from the page cache.  The metadata stays
 * the dictionary of record: remote shards and indexes without the file
 * read it there, and losing the file costs only that time.  The file,
 * CTI_DICTFILE_PREFIX + the id in 8 hex digits, is written whole under
 * a temporary name and renamed into place, never rewritten in place (so
 * a mapping of it stays whole), and a reader takes it only when its
 * header names the dictionary it looks for.
 */
#ifndef CTI_DICTFILE_H
#define CTI_DICTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "cti_xapian.h"

#define CTI_DICTFILE_PREFIX "text-dict-"
#define CTI_DICTFILE_MAX (1u << 20) /* larger: not a dictionary cti wrote */

/*
 * Keep dictionary 'id' (its len bytes) as a file in the folder 'dir',
 * unless its file there holds those bytes already (one that differs, as
 * a damaged one does, is written again).  Returns CTI_OK, CTI_ENOMEM, or
 * CTI_EIO with errno set.
 */
cti_status cti_dictfile_save(const char *dir, uint32_t id, const void *bytes,
                             size_t len);

/*
 * Map the file of dictionary 'id' in the folder 'dir', read-only: *bytes
 * and *len, for cti_dictfile_unmap().  Returns CTI_OK, or CTI_ENOTFOUND
 * when there is no such file, or it is empty, larger than
 * CTI_DICTFILE_MAX or cannot be mapped.  Whether its bytes are the
 * dictionary is the caller's to check.
 */
cti_status cti_dictfile_map(const char *dir, uint32_t id, const char **bytes,
                            size_t *len);

/* Undo cti_dictfile_map(). */
void cti_dictfile_unmap(const char *bytes, size_t len);

#endif /* CTI_DICTFILE_H */
