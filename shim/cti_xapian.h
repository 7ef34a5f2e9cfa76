/*
 * cti_xapian.h - the C API over libxapian.
 *
 * This is the one place where C meets C++: everything else in cti is C11
 * and talks to the index only through these functions.  No exception
 * crosses this boundary.  Every call that can fail returns a cti_status
 * (CTI_OK == 0) and leaves a message that the caller can print with
 * cti_errmsg() (per thread, always valid) or cti_db_errmsg() (per handle).
 *
 * Handles are opaque and come in new/free pairs; every *_free(NULL) is a
 * no-op.  A handle must only be used by one thread at a time.
 *
 * Naming: cti_db (a database, readable or writable), cti_doc (a document
 * being built), cti_xq (a Xapian query; the query *language* parser in
 * searcher/ has its own cti_query type), cti_enquire / cti_mset (running
 * a query and its results), cti_termiter / cti_valiter (iteration).
 */
#ifndef CTI_XAPIAN_H
#define CTI_XAPIAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cti_status {
    CTI_OK = 0,
    CTI_DONE,        /* an iterator is exhausted (not an error) */
    CTI_ERROR,       /* any other failure; see cti_errmsg() */
    CTI_ENOMEM,      /* out of memory */
    CTI_EINVAL,      /* bad argument (NULL handle, bad slot, bad query) */
    CTI_ENOTFOUND,   /* no such database, document or term */
    CTI_ELOCKED,     /* the database is locked by another writer */
    CTI_ECORRUPT,    /* the database is corrupt */
    CTI_EVERSION,    /* the database format is not supported */
    CTI_EMODIFIED,   /* the database changed under a reader, even after reopening */
    CTI_ENETWORK,    /* a remote shard could not be reached or timed out */
    CTI_EIO,         /* read/write failure: full disk, permissions, ... */
    CTI_ESTATE       /* call not valid now (e.g. write on a read-only db) */
} cti_status;

/* A static, human-readable name for a status ("ok", "database locked"...). */
const char *cti_status_str(cti_status st);

/*
 * The message of the last failing call on this thread (never NULL; empty
 * when nothing failed).  Valid until the next failing call on this thread.
 */
const char *cti_errmsg(void);

/* The version of libxapian in use, e.g. "1.4.22". Static string. */
const char *cti_xapian_version(void);

/* ------------------------------------------------------------------ */
/* Databases                                                          */
/* ------------------------------------------------------------------ */

typedef struct cti_db cti_db;
typedef struct cti_doc cti_doc;

/* Open modes for cti_db_open(). */
#define CTI_DB_READ            0x00 /* read-only; a stub file opens all its shards */
#define CTI_DB_CREATE_OR_OPEN  0x01 /* writable, created if missing */
#define CTI_DB_CREATE          0x02 /* writable, fail if it exists */
#define CTI_DB_OPEN            0x03 /* writable, must exist */
#define CTI_DB_CREATE_OR_OVERWRITE 0x04 /* writable, replace what is there */
#define CTI_DB_MODE_MASK       0x0f
/* Flags, or-ed into the mode (writable modes only). */
#define CTI_DB_WAIT_LOCK       0x10 /* wait for another writer instead of CTI_ELOCKED */
#define CTI_DB_NO_SYNC         0x20 /* don't fsync on commit (scratch segments) */
#define CTI_DB_DANGEROUS       0x40 /* update in place, no crash safety (scratch only) */

/*
 * Open (or create) the database at 'path'.  A path to a Xapian stub file
 * opens every database it lists, searched as one (read mode).
 *
 * On success returns CTI_OK and stores a new handle in *out; release it
 * with cti_db_close() or cti_db_free().  On failure sets *out to NULL and
 * returns CTI_ENOTFOUND (no database there), CTI_ELOCKED (another writer),
 * CTI_EVERSION, CTI_ECORRUPT, CTI_EIO or CTI_ERROR; cti_errmsg() says why.
 */
cti_status cti_db_open(const char *path, int mode, cti_db **out);

/*
 * 1 when 'db' is, or has among its shards, a database served remotely
 * (cti_db_open_remote()): no match spy and no counting time limit can run
 * there.
 */
int cti_db_is_remote(const cti_db *db);

/*
 * Open a database served by xapian-tcpsrv on host:port.  'timeout_ms' bounds
 * each network operation (0: Xapian's default).  'writable' asks for a
 * writable remote database (the server must be run with --writable).
 */
cti_status cti_db_open_remote(const char *host, unsigned port,
                              unsigned timeout_ms, int writable,
                              cti_db **out);

/*
 * Add the shards of the read-only handle 'shard' to the read-only handle
 * 'db', so both are searched as one (global statistics).  'shard' is not
 * consumed: the caller still frees it.
 */
cti_status cti_db_add_shard(cti_db *db, cti_db *shard);

/*
 * Xapian 1.4 commits a writable database by itself after a number of
 * changed documents (10,000 by default) that it reads from this
 * environment variable when the database is opened; it has no other
 * knob.  A program that decides itself when to commit sets it in main(),
 * before it opens any database and before it starts any thread; library
 * code never changes the environment.
 */
#define CTI_XAPIAN_FLUSH_ENV "XAPIAN_FLUSH_THRESHOLD"

/*
 * Commit pending changes (if writable) and free the handle.  Returns the
 * status of the final commit; the handle is freed in every case.
 */
cti_status cti_db_close(cti_db *db);

/*
 * Free the handle, ignoring errors.  For a writable database an open
 * transaction is cancelled; other pending changes may still be committed
 * by Xapian as it closes.  Call cti_db_commit() or cti_db_close() to know
 * whether changes were saved.
 */
void cti_db_free(cti_db *db);

/* The message of the last failing call on this handle ("" if none). */
const char *cti_db_errmsg(const cti_db *db);

/*
 * Bring a read-only handle up to the latest committed revision (a
 * long-lived reader, such as cti-web's, calls it before each request).
 */
cti_status cti_db_reopen(cti_db *db);

/* Statistics. */
cti_status cti_db_doccount(cti_db *db, uint32_t *out);
cti_status cti_db_lastdocid(cti_db *db, uint32_t *out);
/* The average length of its documents, in words (0 for an empty one). */
cti_status cti_db_avlength(cti_db *db, double *out);
/* Number of documents indexed by 'term' (0 if none). */
cti_status cti_db_termfreq(cti_db *db, const char *term, size_t len,
                           uint32_t *out);
/*
 * The documents indexed by 'term': *ids, *n of them in ascending order
 * (NULL and 0 when none; free() them).  Meant for a term of few
 * documents: it reads them all.  Terms asked for in order share the
 * blocks read on the way to them.
 */
cti_status cti_db_postings(cti_db *db, const char *term, size_t len,
                           uint32_t **ids, size_t *n);
/* How many databases db searches as one: its shards, or a bulk load's
   main database and segments (1 for a single database). */
size_t cti_db_parts(const cti_db *db);
/* The folder of a database opened read-only from a local path (the path
   itself, or the folder of the stub file it names); NULL for any other
   (remote, writable, or shards added by cti_db_add_shard()). */
const char *cti_db_folder(const cti_db *db);

/* ---- metadata (database-wide key/value strings) ---- */

/*
 * Where a database keeps its word positions: the metadata key
 * CTI_POSITIONS_META is CTI_POSITIONS_ARTICLE when each document's
 * positions are blobs in values CTI_POSITIONS_SLOT to CTI_POSITIONS_SLOT
 * + 127 (cti_doc_set_position_slot(), cti_positions.h), CTI_POSITIONS_TABLE or
 * missing when they are in Xapian's position table.  Phrase and NEAR
 * queries (cti_xq_combine()) match either, and a mix of local databases;
 * a remote database must keep them in the table (xapian-tcpsrv cannot
 * run cti's matching).
 */
#define CTI_POSITIONS_META    "cti.positions"
#define CTI_POSITIONS_ARTICLE "article"
#define CTI_POSITIONS_TABLE   "table"
#define CTI_POSITIONS_SLOT    8

/* Set 'key' to 'value' (len bytes); an empty value deletes the key. */
cti_status cti_db_set_metadata(cti_db *db, const char *key,
                               const char *value, size_t len);
/*
 * Get the value of 'key'.  On CTI_OK, *out is a NUL-terminated copy the
 * caller frees with free(), and *len (if not NULL) its length; a missing
 * key gives CTI_OK with an empty string.  Of several databases (shards, a
 * stub's segments) the first one's value is read.
 */
cti_status cti_db_get_metadata(cti_db *db, const char *key, char **out,
                               size_t *len);
/*
 * As cti_db_get_metadata(), but a key the first database lacks is looked
 * for in every other one the handle reads: shards, and the databases
 * local stubs list (opened for the look, so slower: for keys each
 * database may hold on its own, such as the stored texts' dictionaries).
 */
cti_status cti_db_find_metadata(cti_db *db, const char *key, char **out,
                                size_t *len);

/* ---- writing ---- */

/*
 * Store 'doc', replacing every document indexed by the unique term
 * 'idterm' (added to the document if it lacks it).  *docid (if not NULL)
 * receives the document's id.
 */
cti_status cti_db_replace(cti_db *db, const char *idterm, size_t idlen,
                          const cti_doc *doc, uint32_t *docid);
/* Store 'doc' as a new document. */
cti_status cti_db_add(cti_db *db, const cti_doc *doc, uint32_t *docid);
/* Delete every document indexed by 'idterm'.  CTI_OK even if there is none. */
cti_status cti_db_delete(cti_db *db, const char *idterm, size_t idlen);

/* Make every change so far durable and visible to new readers. */
cti_status cti_db_commit(cti_db *db);


/* ---- spelling data ("did you mean") ---- */

cti_status cti_db_add_spelling(cti_db *db, const char *word, size_t len,
                               unsigned inc);
cti_status cti_db_remove_spelling(cti_db *db, const char *word, size_t len,
                                  unsigned dec);
/*
 * The best spelling correction for 'word' within 'max_edit' edits, from
 * the spelling data.  *out is a copy the caller frees (empty: none).
 */
cti_status cti_db_spelling_suggest(cti_db *db, const char *word, size_t len,
                                   unsigned max_edit, char **out);

/* ---- reading one document ---- */

/*
 * The id of the document indexed by the unique term 'idterm':
 * CTI_ENOTFOUND if none.  If several, the first.
 */
cti_status cti_db_find(cti_db *db, const char *idterm, size_t idlen,
                       uint32_t *docid);
/*
 * A document's data (*out, *len) or value in 'slot'.  The caller frees
 * *out with free(); *out is NUL-terminated for convenience.  A missing
 * document gives CTI_ENOTFOUND; a missing value an empty string.
 */
cti_status cti_db_get_data(cti_db *db, uint32_t docid, char **out,
                           size_t *len);
cti_status cti_db_get_value(cti_db *db, uint32_t docid, unsigned slot,
                            char **out, size_t *len);
/*
 * Call fn(ctx, data, len) once with document 'docid''s data, without
 * copying it: 'data' is valid only during the call.  For a large document
 * this needs half the memory of cti_db_get_data().  Returns CTI_OK after
 * the call, or the status of reading the data (CTI_ENOTFOUND for a
 * missing document), fn not called.
 */
typedef void (*cti_data_fn)(void *ctx, const char *data, size_t len);
cti_status cti_db_with_data(cti_db *db, uint32_t docid, cti_data_fn fn,
                            void *ctx);

/* ---- iteration ---- */

typedef struct cti_termiter cti_termiter;

/*
 * Iterate the terms of the whole database that start with 'prefix'
 * (NULL or "" for all), in byte order.  'docid' > 0 iterates that
 * document's terms instead (its term list), filtered by 'prefix'.
 */
cti_status cti_db_terms(cti_db *db, const char *prefix, uint32_t docid,
                        cti_termiter **out);
/*
 * Iterate the words of the spelling data, in byte order; *freq of each is
 * its spelling frequency.
 */
cti_status cti_db_spellings(cti_db *db, cti_termiter **out);
/*
 * Step: CTI_OK with *term (valid until the next call), *len and *freq
 * (termfreq for database terms, wdf for a document's terms, the frequency
 * for spelling words), CTI_DONE at
 * the end, or an error.  Any out pointer may be NULL.
 */
/*
 * The *freq cti_termiter_next() would have given for the term it stepped
 * to last (asked apart, it is looked up only for the terms that need
 * it): CTI_OK, CTI_ESTATE before the first step or past the end, or an
 * error.
 */
cti_status cti_termiter_freq(cti_termiter *it, uint32_t *freq);
cti_status cti_termiter_next(cti_termiter *it, const char **term,
                             size_t *len, uint32_t *freq);
void cti_termiter_free(cti_termiter *it);

typedef struct cti_valiter cti_valiter;

/* Iterate, in docid order, every document that has a value in 'slot'. */
cti_status cti_db_values(cti_db *db, unsigned slot, cti_valiter **out);
/* Step: CTI_OK with *docid and *value (valid until the next call), CTI_DONE at the end. */
cti_status cti_valiter_next(cti_valiter *it, uint32_t *docid,
                            const char **value, size_t *len);
void cti_valiter_free(cti_valiter *it);

/* ---- compaction ---- */

/*
 * Merge the databases at 'srcs' (n paths) into one compact database at
 * 'dest' (which must not exist), renumbering documents.  'multipass'
 * trades time for a smaller result when n is large.
 */
cti_status cti_db_compact(const char *const *srcs, size_t n,
                          const char *dest, int multipass);

/* ------------------------------------------------------------------ */
/* Documents                                                          */
/* ------------------------------------------------------------------ */

cti_status cti_doc_new(cti_doc **out);
void cti_doc_free(cti_doc *doc);
/* Empty the document for reuse (keeps its allocation). */
void cti_doc_clear(cti_doc *doc);

/*
 * Keep the positions of 'doc' (and of what it holds after each
 * cti_doc_clear()) out of Xapian's position table: cti_doc_add_posting()
 * raises the term's wdf as before (so weights and the document length do
 * not change) and remembers the position, and storing the document
 * (cti_db_add(), cti_db_replace()) writes the positions of all its terms
 * as blobs (cti_positions.h) into values 'slot' to 'slot' + 127, one a
 * part of its terms.  Postings cannot be
 * added after the document is stored, until cti_doc_clear().
 */
cti_status cti_doc_set_position_slot(cti_doc *doc, unsigned slot);
/* Add 'term' at word position 'pos' (from 1), raising its wdf by 'wdfinc'. */
cti_status cti_doc_add_posting(cti_doc *doc, const char *term, size_t len,
                               uint32_t pos, uint32_t wdfinc);
/* Add 'term' without a position, raising its wdf by 'wdfinc' (0: boolean term). */
cti_status cti_doc_add_term(cti_doc *doc, const char *term, size_t len,
                            uint32_t wdfinc);
/* Set value 'slot' to 'value' (len bytes). */
cti_status cti_doc_set_value(cti_doc *doc, unsigned slot, const char *value,
                             size_t len);
/* Set the document data (opaque bytes). */
cti_status cti_doc_set_data(cti_doc *doc, const char *data, size_t len);

/* ------------------------------------------------------------------ */
/* Queries                                                            */
/* ------------------------------------------------------------------ */

typedef struct cti_xq cti_xq;

/* Operators for cti_xq_combine(). */
typedef enum cti_xq_op {
    CTI_XQ_AND,
    CTI_XQ_OR,
    CTI_XQ_AND_NOT,    /* first AND NOT (any of the rest) */
    CTI_XQ_AND_MAYBE,  /* first, weighted up by the rest when they match */
    CTI_XQ_FILTER,     /* first, restricted to the rest, no extra weight */
    CTI_XQ_PHRASE,     /* subqueries in order within 'window' positions (0: exact) */
    CTI_XQ_NEAR,       /* subqueries in any order within 'window' positions */
    CTI_XQ_SYNONYM,    /* any of them, weighted as one term */
    CTI_XQ_MAX,        /* any of them, weight of the best */
    CTI_XQ_ELITE_SET   /* any of them, weighted by the best 'window' terms */
} cti_xq_op;

/*
 * Constructors.  Each returns CTI_OK and a new query in *out (free with
 * cti_xq_free()), or an error status with *out = NULL.  Queries are
 * immutable values: combining copies the subqueries (cheaply, by
 * reference count), so the caller still frees what it passed in.
 */

/* A term, with within-query frequency 'wqf' (1 normally) and query position 'pos' (0: none). */
cti_status cti_xq_term(const char *term, size_t len, uint32_t wqf,
                       uint32_t pos, cti_xq **out);
/* Combine 'n' subqueries; 'window' is for PHRASE/NEAR/ELITE_SET (0: default). */
cti_status cti_xq_combine(cti_xq_op op, cti_xq *const *subs, size_t n,
                          uint32_t window, cti_xq **out);
/* Multiply the weight of 'q' by 'factor' (0: boolean, no weight). */
cti_status cti_xq_scale(const cti_xq *q, double factor, cti_xq **out);
/*
 * 'q' with 'hi' as its form that counts every boost as present (the
 * subqueries of its AND_MAYBEs that only add weight, phrases and NEARs
 * checked after the weights: cti_enquire_run()).  Without it, that form
 * is q with each boost as the AND of its words, whose postings are then
 * read twice, once for q and once for the boost.  The caller vouches that
 * 'hi' matches the documents q matches and weighs each one as q does when
 * every boost holds: q's words weighted up by the boosts they are in,
 * say.
 */
cti_status cti_xq_with_unchecked(const cti_xq *q, const cti_xq *hi,
                                 cti_xq **out);
/*
 * Every term starting with 'prefix' (which includes any field prefix),
 * combined by 'op' (CTI_XQ_OR or CTI_XQ_SYNONYM); at most 'max_expansion'
 * terms (0: no limit; more than that is CTI_EINVAL when run, with a message).
 */
cti_status cti_xq_wildcard(const char *prefix, size_t len,
                           unsigned max_expansion, cti_xq_op op,
                           cti_xq **out);
/* Documents whose value in 'slot' is within [lo, hi]; NULL lo or hi: open. */
cti_status cti_xq_value_range(unsigned slot, const char *lo, const char *hi,
                              cti_xq **out);
cti_status cti_xq_match_all(cti_xq **out);
/*
 * The documents ids[0, n) (ascending, each once: CTI_EINVAL otherwise),
 * adding no weight: for a database of one part (cti_db_parts() 1, not
 * remote), whose document ids they are.
 */
cti_status cti_xq_docs(const uint32_t *ids, size_t n, cti_xq **out);
void cti_xq_free(cti_xq *q);
/* A readable description (Xapian's get_description()); caller frees. NULL on ENOMEM. */
char *cti_xq_describe(const cti_xq *q);

/* ------------------------------------------------------------------ */
/* Running queries                                                    */
/* ------------------------------------------------------------------ */

typedef struct cti_enquire cti_enquire;
typedef struct cti_mset cti_mset;

/* An enquire on 'db' (which must outlive it). */
cti_status cti_enquire_new(cti_db *db, cti_enquire **out);
void cti_enquire_free(cti_enquire *e);
cti_status cti_enquire_set_query(cti_enquire *e, const cti_xq *q);
/* BM25 parameters (Xapian defaults: k1 1, k2 0, k3 1, b 0.5, min_normlen 0.5). */
cti_status cti_enquire_set_bm25(cti_enquire *e, double k1, double k2,
                                double k3, double b, double min_normlen);
/*
 * Stop counting matches exactly after 'seconds' (0: no limit): past it the
 * run goes on as if check_at_least were 0, so the page of hits is still
 * the best one and the counts become bounds (lower < upper).  A database
 * with a remote part (cti_db_is_remote()) has no limit: the run counts
 * to check_at_least.
 */
cti_status cti_enquire_set_time_limit(cti_enquire *e, double seconds);
/*
 * Weigh each match by how many of the query's subqueries it matches
 * (Xapian's CoordWeight) instead of BM25: an OR of boolean terms then
 * ranks first the documents holding the most of them.
 */
cti_status cti_enquire_set_coord(cti_enquire *e);
/* Order by the value in 'slot' (then by relevance); 'descending' != 0 for newest first. */
cti_status cti_enquire_set_sort_by_value(cti_enquire *e, unsigned slot,
                                         int descending);
/* Keep at most 'max' hits per distinct value in 'slot' (max 0: off); a
   document without a value there is never collapsed.  A match spy still
   sees every matching document. */
cti_status cti_enquire_set_collapse(cti_enquire *e, unsigned slot,
                                    unsigned max);

/*
 * A match spy: fn(ctx, value, vlen, data, dlen) is called once for every
 * document the match looks at - every matching document when the run's
 * check_at_least is at least the number of matches - with its value in
 * 'slot' ("" if none) and, when 'want_data' is set, its data (NULL
 * otherwise).  When a run is retried because the database changed, fn is
 * first called with value NULL: forget what was seen.  fn must not call
 * into the shim.  A database with a remote part refuses a spy: the run
 * fails with CTI_EINVAL, saying so (xapian-tcpsrv runs no cti code).
 */
typedef void (*cti_spy_fn)(void *ctx, const char *value, size_t vlen,
                           const char *data, size_t dlen);
/* A spy of document ids: id_fn(ctx, docid), nothing read; docid 0: forget
   what was seen (the run is retried). */
typedef void (*cti_spy_id_fn)(void *ctx, uint32_t docid);
typedef struct cti_spy {
    unsigned slot;
    int want_data;
    cti_spy_fn fn;
    void *ctx;
    cti_spy_id_fn id_fn;  /* set: called instead of fn, nothing read */
} cti_spy;
/* Spy on the next runs of 'e' with a copy of *spy (NULL: no spy). */
cti_status cti_enquire_set_spy(cti_enquire *e, const cti_spy *spy);

/*
 * Fetch with each hit of the next runs of 'e' only the values of the
 * slots whose bit is set in 'slots' (bit s for slot s, below
 * CTI_MSET_SLOTS; by default all of them): each one is a lookup of its
 * own.  cti_mset_value() gives "" for the others.
 */
cti_status cti_enquire_set_slots(cti_enquire *e, unsigned slots);

/*
 * A walk over the page of hits: instead of keeping the hits in the
 * cti_mset, a run hands each one, in rank order, to fn(ctx, value, vlen)
 * with its value in 'slot' ("" if none); the document data is never read
 * and the mset holds only the match counts.  The walk stops early when fn
 * returns nonzero (the run still returns CTI_OK).  If the database
 * changes during the walk, the run is retried and the walk goes on from
 * the first hit not yet handed over.  fn must not call into the shim.
 */
typedef int (*cti_each_fn)(void *ctx, const char *value, size_t vlen);
typedef struct cti_each {
    unsigned slot;
    cti_each_fn fn;
    void *ctx;
} cti_each;
/* Walk the hits of the next runs of 'e' with a copy of *each (NULL: keep them). */
cti_status cti_enquire_set_each(cti_enquire *e, const cti_each *each);

/*
 * An upper bound on the documents the query of 'e' matches, from its
 * terms' frequencies alone, running nothing: *upper, with *known 1; or
 * *known 0 when a part of the query has no such bound (a wildcard, a
 * value range, a list of documents, a position check run inside the
 * query), for which only a run (cti_mset_uncollapsed_upper()) tells.
 */
cti_status cti_enquire_match_bound(cti_enquire *e, uint32_t *upper, int *known);

/*
 * Run the query: hits [offset, offset+limit).  'check_at_least' makes
 * the match count exact up to that many (0: just enough for the page).
 * The data of every hit is fetched here, so reading it later never meets
 * a concurrent writer.  If the database is modified during the run, the
 * handle is reopened and the run retried (a few times, then CTI_EMODIFIED).
 */
cti_status cti_enquire_run(cti_enquire *e, uint32_t offset, uint32_t limit,
                           uint32_t check_at_least, cti_mset **out);

void cti_mset_free(cti_mset *m);
/* Number of hits in this page. */
size_t cti_mset_size(const cti_mset *m);
/* Match counts over the whole result: estimate and bounds (exact when lower == upper). */
uint32_t cti_mset_matches_estimated(const cti_mset *m);
uint32_t cti_mset_matches_lower(const cti_mset *m);
uint32_t cti_mset_matches_upper(const cti_mset *m);
/* The same counts before collapsing (cti_enquire_set_collapse()): the
   matching documents rather than the distinct collapse keys. */
uint32_t cti_mset_uncollapsed_estimated(const cti_mset *m);
uint32_t cti_mset_uncollapsed_lower(const cti_mset *m);
uint32_t cti_mset_uncollapsed_upper(const cti_mset *m);
/* Per hit i (0-based within the page). */
uint32_t cti_mset_docid(const cti_mset *m, size_t i);
uint32_t cti_mset_rank(const cti_mset *m, size_t i); /* 0-based over the whole result */
double cti_mset_weight(const cti_mset *m, size_t i);
/* With collapsing on: how many other matching documents with hit i's
   collapse key were left out (a lower bound: exact when the match
   counted every document, as with a large check_at_least). */
uint32_t cti_mset_collapse_count(const cti_mset *m, size_t i);
/* The hit's document data; valid until cti_mset_free(). */
const char *cti_mset_data(const cti_mset *m, size_t i, size_t *len);
/* The hit's value in 'slot' (fetched at run time for the slots below
   CTI_MSET_SLOTS that cti_enquire_set_slots() left on; "" if none). */
#define CTI_MSET_SLOTS 8
const char *cti_mset_value(const cti_mset *m, size_t i, unsigned slot,
                           size_t *len);
/* Statistics of a query term in the searched databases (0 if unknown). */
uint32_t cti_mset_termfreq(const cti_mset *m, const char *term, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CTI_XAPIAN_H */
