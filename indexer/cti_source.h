/*
 * cti_source.h - finding and reading articles: files, folders, .gz, text,
 * web pages, JSON lines, JSON, CSV and TSV.
 *
 * cti_source_walk() visits one PATH given to cti-index and reports what it
 * finds through callbacks, so the indexer decides (after a stat() alone)
 * whether a file needs reading at all.  Each article it reports is
 * complete: its charset converted, its date read (a->ymd), its source
 * defaulted.
 */
#ifndef CTI_SOURCE_H
#define CTI_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "cti_article.h"
#include "cti_date.h"
#include "cti_fields.h"

typedef struct cti_source_opts {
    size_t max_file_bytes;  /* larger inputs are refused with a message (0: 1 GiB) */
    size_t max_inflate;     /* cap on what one .gz may inflate to (0: 1 GiB) */
    unsigned max_depth;     /* folder depth limit (0: 256) */
    cti_date_order date_order;  /* "03/04/2005": CTI_DATE_MDY (0) or _DMY */
    const cti_fields *fields;   /* field names of JSON lines, JSON and CSV
                                   records (NULL: the built-in names) */
    const char *source;     /* the source of articles that name none (NULL) */
} cti_source_opts;

/* Values of the 'skipped' argument of cti_source_cb.problem. */
#define CTI_SOURCE_WARNING 0  /* indexed, with a warning */
#define CTI_SOURCE_FAILED  1  /* not indexed: an error */
#define CTI_SOURCE_PASSED  2  /* not indexed on purpose: a notice */
#define CTI_SOURCE_UNDATED 3  /* indexed without its date, which could not
                                 be read: a warning */
#define CTI_SOURCE_NOTE    4  /* indexed as it should be; said for the
                                 user's information (a charset guessed) */

typedef struct cti_source_cb {
    /*
     * A text file found (given or met in a folder): 'id' is its absolute
     * path (the article id), 'st' its stat.  Return 1 to read it, 0 to
     * skip it (unchanged).  NULL: read everything.  Called before the file
     * is opened; the id is the real path (symlinks resolved), the same
     * whatever the current directory.  Called for text files and web
     * pages; not for JSON lines, JSON and CSV files (always read: their
     * articles carry their own ids), nor for files skipped by their
     * extension.
     */
    int (*want_file)(void *ctx, const char *id, const struct stat *st);
    /*
     * An article read.  The callee may keep the article by moving its
     * fields out (setting them to NULL); the walker releases what is left.
     * A non-zero return stops the walk with that value.
     */
    int (*article)(void *ctx, cti_article *a);
    /*
     * Something to say about one input: 'path' (as given), 'line' (of
     * the record, 0 if none), a message.  'skipped' is 1 when the input
     * was not indexed (an error), 0 for a warning (e.g. repaired UTF-8),
     * CTI_SOURCE_PASSED (2) when it was passed over on purpose and not
     * indexed (binary or non-text file, empty file, symlink loop, a file
     * that vanished): a notice rather than a failure;
     * CTI_SOURCE_UNDATED (3) for an article indexed without the date it
     * gives, which could not be read (a warning); CTI_SOURCE_NOTE (4)
     * for a note on an input indexed as it should be.
     */
    void (*problem)(void *ctx, const char *path, unsigned long line,
                    const char *msg, int skipped);
    /*
     * A folder was walked completely (every entry below it was reported):
     * 'dir' is its absolute path with a trailing '/'.  Articles whose id
     * starts with it and that were not reported during this walk are gone.
     */
    void (*walked_dir)(void *ctx, const char *dir);
    /*
     * A regular file passed over on purpose (CTI_SOURCE_PASSED: empty,
     * binary, not text by its extension): 'path' and 'msg' as for
     * problem, 'id' its real path and 'st' its stat, so the callee can
     * tell a file it was told about before.  NULL: such files go to
     * problem like the rest.
     */
    void (*passed)(void *ctx, const char *path, const char *msg,
                   const char *id, const struct stat *st);
    /*
     * 'bytes' more of the input files are done with (read, or skipped
     * after a stat): all of a file once it is, a JSON lines file also as
     * it is read.  They add up to what cti_source_measure() counts.
     * NULL: not told.
     */
    void (*consumed)(void *ctx, uint64_t bytes);
    /*
     * A collection file (JSON lines, JSON, CSV or TSV: one holding
     * records) was read: 'path' is its real path.  'complete' is 1 when
     * every record of it was read and delivered without an error (an
     * empty file too), 0 when the read stopped early, a record failed or
     * the file was passed over as binary data.
     * Articles once read from 'path' and not delivered in this walk are
     * gone from it only when 'complete'.  Not called for standard input,
     * nor for a file that vanished before it could be opened.
     */
    void (*walked_file)(void *ctx, const char *path, int complete);
} cti_source_cb;

/*
 * Walk 'path': a text file, a web page, a JSON lines, JSON, CSV or TSV
 * file, any of them gzipped, a folder (recursively; hidden entries and
 * symlink loops skipped), or "-" for JSON lines on standard input.
 * 'opts' may be NULL (the defaults).  Returns 0 when the walk ran to the
 * end (problems with single inputs go to cb->problem), the non-zero value
 * an article callback returned, or -1 when 'path' itself cannot be read
 * (after reporting it through cb->problem).
 */
int cti_source_walk(const char *path, const cti_source_opts *opts,
                    const cti_source_cb *cb, void *ctx);

/*
 * The bytes cti_source_walk() would go through for 'path' into *bytes:
 * the sizes of the regular files it would visit (a .gz file as stored),
 * found the same way but without opening a file or reporting anything.
 * Returns 0, or -1 when it cannot be known (standard input, a path that
 * cannot be read, no memory), *bytes then 0.
 */
int cti_source_measure(const char *path, const cti_source_opts *opts,
                       uint64_t *bytes);

/* 1 if the first bytes of a file look binary (NUL bytes, mostly non-text). */
int cti_source_is_binary(const char *data, size_t len);

#endif /* CTI_SOURCE_H */
