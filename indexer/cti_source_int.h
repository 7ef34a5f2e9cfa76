/*
 * cti_source_int.h - what the pieces of cti_source.h share; nothing
 * outside them includes it.
 *
 * The pieces, one noun each:
 *   cti_source.c   the walk: folders (sorted, hidden entries skipped,
 *                  each walked once), the messages, the public calls
 *   cti_file.c     one regular file: its kind by name, opened, read
 *                  whole or as a stream, .gz inflated
 *   cti_content.c  a file's content into articles by its format: text,
 *                  web page, JSON lines, JSON, CSV; charsets and dates
 * A walk runs on one thread; every field below belongs to it.
 */
#ifndef CTI_SOURCE_INT_H
#define CTI_SOURCE_INT_H

#include "cti_source.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* Outcomes of reading one entry. */
#define CTI_WALK_SEEN 0    /* reported (article, skip, or a decision on
                              its content) */
#define CTI_WALK_UNSEEN 1  /* could not be looked at: the folder is not
                              complete */

/* What a file holds, by its name (cti_file.c). */
typedef enum cti_kind {
    CTI_KIND_TEXT, CTI_KIND_JSONL, CTI_KIND_JSON, CTI_KIND_CSV,
    CTI_KIND_TSV, CTI_KIND_HTML, CTI_KIND_SKIP
} cti_kind;

/* A folder by device and inode (an empty slot of the set is all zero). */
typedef struct cti_dirkey {
    dev_t dev;
    ino_t ino;
} cti_dirkey;

/* One walk: its options, callbacks, reused buffers and state. */
typedef struct cti_walker {
    size_t max_file, max_inflate;
    unsigned max_depth;
    cti_date_order date_order;
    const cti_fields *fields;
    const char *source;     /* default source, or NULL */
    char *conv;             /* an input converted to UTF-8 */
    const cti_source_cb *cb;
    void *ctx;
    char *buf;          /* file contents, or inflated data */
    size_t cap;
    char *zbuf;         /* compressed input of a .gz */
    size_t zcap;
    cti_dirkey *seen;   /* folders walked: open-addressing hash set */
    size_t nseen, seencap;
    int stop;           /* non-zero value returned by cb->article */
    int nomem;
    const char *cur_id;          /* the regular file being read, or NULL */
    const struct stat *cur_st;
    uint64_t cur_done;           /* bytes of it told to cb->consumed */
    uint64_t *measure;           /* not NULL: only add up file sizes here */
    const char *container; /* real path of the file being read, or NULL */
    unsigned long failed;  /* CTI_SOURCE_FAILED problems reported so far */
    int vanished;          /* the file being opened was gone */
    int unread;            /* the file being read was passed over unread */
} cti_walker;

/* ------------------------------------------------------------------ */
/* cti_source.c: the walk.                                             */
/* ------------------------------------------------------------------ */

/*
 * Say something about the input 'path' (record 'line', 0 if none):
 * 'skipped' is one of CTI_SOURCE_WARNING .. CTI_SOURCE_NOTE and the
 * message is formatted from 'fmt' (cut at 1 KiB).  A passed-over regular
 * file goes to cb->passed when there is one, the rest to cb->problem;
 * nothing is said while measuring.  Every CTI_SOURCE_FAILED is counted
 * in w->failed.
 */
void cti_source_report(cti_walker *w, const char *path, unsigned long line,
                       int skipped, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ------------------------------------------------------------------ */
/* cti_file.c: one regular file.                                       */
/* ------------------------------------------------------------------ */

/*
 * Read the regular file 'name' (opened relative to the folder 'dirfd',
 * or AT_FDCWD) as its name says: 'display' names it in messages, 'id' is
 * its real path and 'st' its stat.  While measuring, only adds its size
 * to *w->measure.  Tells cb->consumed its bytes and, for a collection
 * file, cb->walked_file whether all of it was read.  Returns
 * CTI_WALK_SEEN, or CTI_WALK_UNSEEN when it could not be looked at (an
 * open or read error, no memory; reported).
 */
int cti_file_visit(cti_walker *w, int dirfd, const char *name,
                   const char *display, const char *id,
                   const struct stat *st);

/*
 * Read JSON lines from the open descriptor 'fd' (a plain .jsonl file, or
 * standard input) in chunks until its end, delivering each line's
 * article; 'display' names it in messages.  A line longer than
 * w->max_file is reported and skipped.  Returns CTI_WALK_SEEN, or
 * CTI_WALK_UNSEEN after a read error or no memory (reported).
 */
int cti_file_stream(cti_walker *w, int fd, const char *display);

/* ------------------------------------------------------------------ */
/* cti_content.c: content into articles.                               */
/* ------------------------------------------------------------------ */

/*
 * Read the content data[0, len) of a file of kind 'k' (not JSON lines),
 * read whole or inflated: a UTF-16 byte order mark converts it, binary
 * data is passed over (w->unread set), then each kind goes to its reader
 * and every article found to cb->article.  'display' names the file in
 * messages, 'id' is its real path, 'st' its stat.  'data' must stay
 * valid during the call; w->conv may be replaced.  Returns
 * CTI_WALK_SEEN, or CTI_WALK_UNSEEN on no memory (reported).
 */
int cti_content_read(cti_walker *w, cti_kind k, const char *data,
                     size_t len, const char *display, const char *id,
                     const struct stat *st);

/*
 * Read the JSON lines in data[0, len), numbered from 1 (a last line
 * without "\n" counts), until the end or until cb->article stops the
 * walk.  Returns 0, or -1 on no memory (not reported: the caller says
 * it).
 */
int cti_content_lines(cti_walker *w, const char *data, size_t len,
                      const char *display);

/*
 * Read the one JSON line p[0, len), number 'line' of 'display': deliver
 * its article, or report why it has none.  A blank line is no article
 * and no problem.  Returns 0, or -1 on no memory (not reported).
 */
int cti_content_line(cti_walker *w, const char *p, size_t len,
                     const char *display, unsigned long line);

#endif /* CTI_SOURCE_INT_H */
