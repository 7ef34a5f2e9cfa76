/*
 * cti_text.h - an article's stored text, compressed with zstd against a
 * dictionary trained on the index's own articles.
 *
 * The text of an article (its body and page furniture) is kept in value
 * slot CTI_SLOT_TEXT as one zstd frame with a checksum, and its document
 * record (cti_store.h, version 3) says so.  A value is not compressed
 * again by Xapian, as the document record is: Xapian deflated every
 * record at zlib's level 6, and tried again on each compaction, which
 * cost 17% of the CPU of indexing news.  zstd is several times faster
 * than that and, with a dictionary, smaller: news articles of 5 KB
 * compress to 0.35 of their size against zlib's 0.45, short stories of
 * 1 KB to 0.37 against 0.52 (a short text alone has little to refer to,
 * and the dictionary holds what articles of the index share: phrases,
 * names, the site's furniture).
 *
 * The dictionary.  An index without one has its first articles'
 * texts compressed alone; they are also kept as samples, and once
 * CTI_TEXT_TRAIN_BYTES of them are in, a dictionary of up to
 * CTI_TEXT_DICT_BYTES is trained from them and used for every text after.
 * A quarter of a megabyte is enough: on short stories a dictionary
 * trained from 256 KB left texts at 0.380 of their size, from 1 MB at
 * 0.375, and the texts before it are compressed alone (0.52).
 * It is stored in the index's metadata under CTI_META_TEXT_DICT + its id
 * (8 hex digits), and CTI_META_TEXT_DICT names the one in use, which later
 * runs take up; a local index keeps a copy as a file too, which readers
 * map first (cti_dictfile.h).  Every zstd frame names its dictionary's id (0: none), so
 * a reader finds the dictionary of each text, whichever run wrote it.
 */
#ifndef CTI_TEXT_H
#define CTI_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "cti_xapian.h"

/* Metadata: "cti.text.dict" holds the id in use (8 hex digits);
   "cti.text.dict." + id each dictionary's bytes. */
#define CTI_META_TEXT_DICT "cti.text.dict"
#define CTI_TEXT_KEY_MAX 32

#define CTI_TEXT_LEVEL 3                 /* zstd's default level */
#define CTI_TEXT_DICT_BYTES (64u << 10)  /* the dictionary's size at most */
#define CTI_TEXT_TRAIN_BYTES (256u << 10) /* samples to train it from */
#define CTI_TEXT_SAMPLE_MAX (8u << 10)   /* of each text, its start at most */
#define CTI_TEXT_SAMPLES_MIN 32          /* and at least this many texts */

/* ------------------------------------------------------------ writing */

/* The dictionary of one index being written, shared by its threads. */
typedef struct cti_text_packer cti_text_packer;

/* One thread's compressor, using its packer's dictionary once ready. */
typedef struct cti_text_writer cti_text_writer;

/*
 * A packer for an index whose metadata holds 'dict' (len bytes, the
 * dictionary named by CTI_META_TEXT_DICT), or NULL when it holds none: a
 * dictionary is then trained from the texts packed.  Returns CTI_OK,
 * CTI_ENOMEM, or CTI_ECORRUPT for bytes that are not a zstd dictionary.
 */
cti_status cti_text_packer_new(const char *dict, size_t len,
                               cti_text_packer **out);

/*
 * A packer for the index 'db' (NULL: a new one): with the dictionary its
 * metadata names in use, if any.  Returns CTI_OK; CTI_ECORRUPT for a
 * dictionary that cannot be read, CTI_ENOMEM, or the shim's status, with
 * 'err' (if not NULL) saying why in at most errlen bytes.  With CTI_OK,
 * 'err' is empty, or warns that the dictionary the index names is missing
 * from it: the texts stored with it cannot be read, and a new one will be
 * trained from the texts packed now.
 */
cti_status cti_text_packer_open(cti_db *db, cti_text_packer **out,
                                char *err, size_t errlen);
void cti_text_packer_free(cti_text_packer *p);

/*
 * The packer's dictionary for storing: its metadata key (into key, of
 * CTI_TEXT_KEY_MAX bytes), its id as 8 hex digits (into id, 9 bytes) and
 * its bytes (*bytes, *len: valid while the packer lives).  Returns 1, or
 * 0 when there is none yet.  Any thread may call it.
 */
int cti_text_packer_dict(cti_text_packer *p, char *key, char *id,
                         const char **bytes, size_t *len);

/* The id of the packer's dictionary (0: none yet). */
uint32_t cti_text_packer_dict_id(cti_text_packer *p);

/* Store the packer's dictionary, if it has one, in db's metadata (both
   keys; committed with db).  Returns CTI_OK or the shim's status. */
cti_status cti_text_packer_store(cti_text_packer *p, cti_db *db);

cti_status cti_text_writer_new(cti_text_packer *p, cti_text_writer **out);
void cti_text_writer_free(cti_text_writer *w);

/*
 * Compress text[0..len) into a new frame (*out, *outlen; free()).  Uses
 * the dictionary if the packer has one; otherwise the text is also kept
 * as a sample, and the call that brings the samples to
 * CTI_TEXT_TRAIN_BYTES trains the dictionary (a fraction of a second;
 * other threads go on without it meanwhile).  A dictionary that cannot
 * be trained from the samples (too few, too alike) is not tried again.
 * Returns CTI_OK or CTI_ENOMEM.
 */
cti_status cti_text_pack(cti_text_writer *w, const char *text, size_t len,
                         char **out, size_t *outlen);

/* ------------------------------------------------------------ reading */

/* The dictionaries of one database (any number of shards), loaded from
   its metadata as texts name them.  Safe to share between threads. */
typedef struct cti_text_reader cti_text_reader;

/* A reader of db's texts (db must outlive it).  CTI_OK or CTI_ENOMEM. */
cti_status cti_text_reader_new(cti_db *db, cti_text_reader **out);
void cti_text_reader_free(cti_text_reader *r);

/*
 * Load into r, ahead of the texts that name it, the dictionary that the
 * index names in use, and a decompression context: 'from' is another
 * handle on r's index, its caller's own, so that this may run on a thread
 * beside those reading r's database.  A dictionary that cannot be loaded
 * is left for the text that names it to report.  Returns CTI_OK (also
 * when the index names none), or the status of what failed.
 */
cti_status cti_text_reader_preload(cti_text_reader *r, cti_db *from);

/*
 * Decompress the frame f[0..flen) into out, which holds exactly 'len'
 * bytes of text (the record's body length).  Returns CTI_OK; CTI_ECORRUPT
 * for a frame that is damaged, of another length, fails its checksum or
 * names a dictionary the index does not hold; CTI_ENOMEM.  'err' (if not
 * NULL) then says why in at most errlen bytes.
 */
cti_status cti_text_unpack(cti_text_reader *r, const char *f, size_t flen,
                           char *out, size_t len, char *err, size_t errlen);

/* A text being decompressed piece by piece (bounded memory). */
typedef struct cti_text_stream cti_text_stream;

/*
 * Start decompressing the frame f[0..flen) (which must stay valid until
 * the stream is freed) of a text of 'len' bytes.  Returns CTI_OK, or as
 * cti_text_unpack() for a frame whose dictionary is missing.
 */
cti_status cti_text_stream_open(cti_text_reader *r, const char *f,
                                size_t flen, uint64_t len,
                                cti_text_stream **out, char *err,
                                size_t errlen);

/*
 * Read up to 'cap' next bytes of the text into buf.  Returns how many (0
 * at its end, checked to be exactly 'len' with a right checksum), or -1
 * with 'err' saying why for a damaged frame.
 */
ptrdiff_t cti_text_stream_read(cti_text_stream *s, char *buf, size_t cap,
                               char *err, size_t errlen);
void cti_text_stream_free(cti_text_stream *s);

#endif
