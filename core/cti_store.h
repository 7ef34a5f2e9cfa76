/*
 * cti_store.h - the document data record: metadata plus the deflated body.
 *
 * Every article's document data is one versioned record holding its id,
 * title, date, author, source, url and its body compressed with zlib.
 * cti-index encodes it; cti-search decodes it for output and snippets.
 */
#ifndef CTI_STORE_H
#define CTI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cti_xapian.h"

typedef struct cti_record {
    /* Each field points at 'len' bytes (not necessarily NUL-terminated
       when filled by the caller; NUL-terminated when filled by decode).
       NULL/0 means absent. */
    const char *id;     size_t id_len;
    const char *title;  size_t title_len;
    const char *date;   size_t date_len;   /* as given, e.g. "2024-07-15" */
    const char *author; size_t author_len;
    const char *source; size_t source_len;
    const char *url;    size_t url_len;
    const char *body;   size_t body_len;
    void *owned_;       /* set by decode; freed by cti_record_release() */
} cti_record;

/*
 * Encode 'r' into a new buffer (*out, *outlen; caller frees with free()).
 * 'level' is the zlib level for the body (-1: default).  Returns CTI_OK,
 * or with *out = NULL CTI_ENOMEM (no memory, for us or zlib) or CTI_ERROR
 * (zlib failed otherwise).
 */
cti_status cti_record_encode(const cti_record *r, int level, char **out,
                      size_t *outlen);

/*
 * Decode 'data' (len bytes from the index).  With 'want_body' the body is
 * inflated, otherwise r->body is NULL.  On success returns 0; the fields
 * point into a block owned by the record: release it with
 * cti_record_release(r).  Returns CTI_OK; CTI_ECORRUPT for a record that
 * is truncated, corrupt or of an unknown version, CTI_ENOMEM when out of
 * memory (*r is then zeroed), with 'err' (if not NULL) holding a message
 * of at most errlen bytes.
 */
cti_status cti_record_decode(const char *data, size_t len, int want_body,
                      cti_record *r, char *err, size_t errlen);
void cti_record_release(cti_record *r);

/* A record's body being inflated piece by piece (an article of any size
   in bounded memory). */
typedef struct cti_body_reader cti_body_reader;

/*
 * Decode the fields of 'data' into *r as cti_record_decode() does without
 * the body, and start a reader of the body in *out (free with
 * cti_body_reader_free(); release *r with cti_record_release()).  'data'
 * must stay valid until the reader is freed.  Returns 0, or -1 for a bad
 * record or no memory, with *r zeroed, *out NULL and 'err' (if not NULL)
 * saying why.
 */
int cti_record_open_body(const char *data, size_t len, cti_record *r,
                         cti_body_reader **out, char *err, size_t errlen);

/*
 * Inflate the next bytes of the body into 'buf' (at most 'cap').  Returns
 * how many (0 once the whole body was read, its length and checksum
 * checked), or -1 when the stream is corrupt, truncated or not of the
 * stored length, with 'err' (if not NULL) saying which.
 */
ptrdiff_t cti_body_read(cti_body_reader *b, char *buf, size_t cap, char *err,
                        size_t errlen);
void cti_body_reader_free(cti_body_reader *b);

#endif /* CTI_STORE_H */
