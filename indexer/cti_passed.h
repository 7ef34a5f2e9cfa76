/*
 * cti_passed.h - the files cti-index passed over on purpose (binary,
 * empty, not text by their extension), remembered in the index folder
 * from run to run so that each is noticed once: when it is new or has
 * changed.  A run under cron says nothing about the same PDF every time.
 *
 * DIR/passed lists them, a record each: "SIZE MTIME_NS IDLEN" and a
 * newline, the id's bytes, a newline.  The run that holds the index's
 * writer lock reads it at its start and replaces it (atomically) at its
 * end.  A file that cannot be read is taken as empty: every file passed
 * over is noticed again, nothing worse.
 */
#ifndef CTI_PASSED_H
#define CTI_PASSED_H

#include <sys/stat.h>

#include "cti_xapian.h"

typedef struct cti_passed cti_passed;

/*
 * Read what the index folder 'dir' remembers.  Returns CTI_OK and *out
 * (free with cti_passed_free()), or CTI_ENOMEM with *out NULL.
 */
cti_status cti_passed_open(const char *dir, cti_passed **out);
void cti_passed_free(cti_passed *p);

/*
 * The file 'id' (its real path), with stat 'st', is passed over in this
 * run.  Returns 1 when it was passed over before with the same size and
 * modification time (no notice needed), 0 when it is new or changed (or
 * cannot be remembered, out of memory); it is remembered either way.
 */
int cti_passed_seen(cti_passed *p, const char *id, const struct stat *st);

/*
 * The folder 'dir' (absolute, with a trailing '/') was walked completely:
 * a file below it that was remembered but not passed over in this run is
 * gone or now indexed, and is forgotten when saving.
 */
void cti_passed_walked(cti_passed *p, const char *dir);

/*
 * Replace DIR/passed with the files passed over in this run and the ones
 * remembered from before that no complete walk of this run forgot.
 * Returns CTI_OK, or CTI_EIO (errno says why) when it cannot be written.
 */
cti_status cti_passed_save(cti_passed *p);

#endif /* CTI_PASSED_H */
