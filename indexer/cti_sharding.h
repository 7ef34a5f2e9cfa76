/*
 * cti_sharding.h - making a folder a sharded index, and merging one back.
 *
 * What a sharded index looks like is cti_shard.h; these change it, and
 * only cti-index calls them (under the index's writer lock).
 */
#ifndef CTI_SHARDING_H
#define CTI_SHARDING_H

#include <stddef.h>

#include "cti_shard.h"

/*
 * Lay out a new sharded index of 'n' (2 .. CTI_SHARD_MAX) shards in the
 * folder 'dir' (which may exist, but must hold no stub): the shard
 * folders, each with an empty stub (so readers see an empty shard), then
 * DIR/XAPIANDB, written atomically.  Returns CTI_OK, or CTI_EINVAL /
 * CTI_EIO with a message in 'err'.
 */
cti_status cti_shard_layout_create(const char *dir, unsigned n, char *err,
                                   size_t errlen);

/*
 * Merge the 'n' shards of the sharded index 'dir' into one compact
 * database DIR/<dbname> (Xapian's compactor; documents are renumbered),
 * drop cti.shards and cti.shard from it, atomically replace DIR/XAPIANDB with the
 * single line "glass <dbname>", then remove the shard folders.  The
 * caller holds the index's writer lock and has no shard open.  Returns
 * CTI_OK, or an error with a message in 'err' (the index is left as it
 * was unless the stub was already replaced).
 */
cti_status cti_shard_unshard(const char *dir, unsigned n, const char *dbname,
                             char *err, size_t errlen);

#endif /* CTI_SHARDING_H */
