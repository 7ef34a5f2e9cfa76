/*
 * cti_store.h - the document data record: metadata plus the body.
 *
 * Every article's document data is one versioned record holding its id,
 * title, date, author, source, url and its body: compressed with zlib in
 * the record (versions 1 and 2), or kept apart in value slot
 * CTI_SLOT_TEXT by cti_text.h (version 3, what cti-index writes).
 * cti-index encodes it; cti-search decodes it for output and snippets.
 */
#ifndef CTI_STORE_H
#define CTI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cti_text.h"
#include "cti_xapian.h"

/* A range of the body set aside as page boilerplate: bytes [start, end),
   and what it is (a cti_boiler_kind of indexer/cti_boiler.h, 1 to 255). */
typedef struct cti_record_range {
    size_t start, end;
    unsigned kind;
} cti_record_range;

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
    /* The body's set-aside ranges: sorted, not overlapping, within the
       body (checked by decode even without the body). */
    const cti_record_range *aside; size_t naside;
    void *owned_;       /* set by decode; freed by cti_record_release() */
} cti_record;

/*
 * Encode 'r' into a new buffer (*out, *outlen; caller frees with free()).
 * 'level' is the zlib level for the body (-1: default).  Returns CTI_OK,
 * or with *out = NULL CTI_ENOMEM (no memory, for us or zlib), CTI_EINVAL
 * (set-aside ranges not sorted within the body, or of kind 0) or
 * CTI_ERROR (zlib failed otherwise).
 */
cti_status cti_record_encode(const cti_record *r, int level, char **out,
                      size_t *outlen);

/*
 * Encode 'r' as a record whose body is kept apart (version 3): the same
 * fields and ranges, and the body's length alone.  The body goes to
 * CTI_SLOT_TEXT through cti_text_pack().  Returns as cti_record_encode().
 */
cti_status cti_record_encode_apart(const cti_record *r, char **out,
                                   size_t *outlen);

/* The text of a record that keeps it apart: the value of CTI_SLOT_TEXT
   ('frame' NULL or 'len' 0 when the document has none) and the reader of
   its index's dictionaries. */
typedef struct cti_record_text {
    const char *frame;
    size_t len;
    cti_text_reader *reader;
} cti_record_text;

/*
 * Decode 'data' (len bytes from the index).  With 'want_body' the body is
 * inflated (from 'text' for a record that keeps it apart; 'text' may be
 * NULL otherwise), otherwise r->body is NULL.  On success returns 0; the fields
 * point into a block owned by the record: release it with
 * cti_record_release(r).  Returns CTI_OK; CTI_ECORRUPT for a record that
 * is truncated, corrupt or of an unknown version, CTI_ENOMEM when out of
 * memory (*r is then zeroed), with 'err' (if not NULL) holding a message
 * of at most errlen bytes.
 */
cti_status cti_record_decode(const char *data, size_t len,
                             const cti_record_text *text, int want_body,
                             cti_record *r, char *err, size_t errlen);
void cti_record_release(cti_record *r);

/*
 * Read the record of document 'docid' of 'db' into *r as
 * cti_record_decode() does, with the body (want_body) from wherever it
 * is kept; 'tr' reads db's texts kept apart (NULL: a reader of its own
 * for this call).  Returns CTI_OK, CTI_ENOTFOUND for no such document,
 * or as cti_record_decode() (err then says why).
 */
cti_status cti_record_read(cti_db *db, cti_text_reader *tr, uint32_t docid,
                           int want_body, cti_record *r, char *err,
                           size_t errlen);

/* A static name for the kind of a set-aside range ("navigation",
   "comments"...; those of cti_boiler_kind), or "boilerplate". */
const char *cti_record_kind_name(unsigned kind);

/* A record's body being inflated piece by piece (an article of any size
   in bounded memory). */
typedef struct cti_body_reader cti_body_reader;

/*
 * Decode the fields of 'data' into *r as cti_record_decode() does without
 * the body, and start a reader of the body (in 'text' for a record that
 * keeps it apart) in *out (free with cti_body_reader_free(); release *r
 * with cti_record_release()).  'data' and the text must stay valid until
 * the reader is freed.  Returns 0, or -1 for a bad
 * record or no memory, with *r zeroed, *out NULL and 'err' (if not NULL)
 * saying why.
 */
int cti_record_open_body(const char *data, size_t len,
                         const cti_record_text *text, cti_record *r,
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
