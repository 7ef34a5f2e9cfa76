/*
 * cti_indexer_int.h - what the pieces of cti_indexer share; nothing
 * outside indexer/cti_*.c that implements cti_indexer.h includes it.
 *
 * The pieces, one noun each:
 *   cti_router.c    the public indexer: a router over the N indexes of --db
 *   cti_index.c     one index being written: open, write, finish
 *   cti_smap.c      a string-keyed hash map (ids, folders, spelling words)
 *   cti_report.c    messages, the progress line and the summary
 *   cti_folder.c    the index folder: lock, stub, debris
 *   cti_sync.c      the sync map and its rules (skip, replace, ids met twice)
 *   cti_removal.c   what leaves the index: files gone, records gone from
 *                   their file, --remove, --prune; the one delete path
 *   cti_docbuild.c  an article into a document: terms, values, record
 *   cti_spelling.c  the spelling data: counted, forgotten, recovered
 *   cti_bulk.c      the bulk path: worker threads building segments
 *   cti_merge.c     the merge of every listed database into a new main one
 * They build documents through cti_clean.h (page boilerplate and copies).
 */
#ifndef CTI_INDEXER_INT_H
#define CTI_INDEXER_INT_H

#include "cti_indexer.h"

#include "cti_analyzer.h"
#include "cti_article.h"
#include "cti_clean.h"
#include "cti_shard.h"
#include "cti_store.h"
#include "cti_text.h"
#include "cti_xapian.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ */
/* cti_smap.c: a string-keyed hash map (open addressing, linear        */
/* probing).  Not thread-safe: each map says which lock guards it.     */
/* ------------------------------------------------------------------ */

typedef struct cti_smap_ent {
    char *key;      /* owned, NUL-terminated; NULL: empty slot */
    uint32_t len;
    uint32_t val;   /* payload: an index, or a count */
    uint32_t aux;   /* payload: e.g. the last document counted */
    uint64_t h;
} cti_smap_ent;

/* A zeroed cti_smap is an empty map; iterate over t[0 .. cap-1] with key set. */
typedef struct cti_smap {
    cti_smap_ent *t;
    size_t cap;     /* a power of two, or 0 */
    size_t n;       /* entries */
} cti_smap;

/*
 * Find key 'k' (n bytes) in 'm'.  With 'add', insert it when absent
 * (payload zeroed, *created set to 1 if 'created' is not NULL).  Returns
 * the entry, valid until the next insertion, or NULL when absent (or,
 * with 'add', when out of memory).
 */
cti_smap_ent *cti_smap_get(cti_smap *m, const char *k, size_t n, int add,
                           int *created);

/* The hash cti_smap_get() files key k (n bytes) under. */
uint64_t cti_smap_hash(const char *k, size_t n);

/* cti_smap_get() of a key whose cti_smap_hash() is 'h'. */
cti_smap_ent *cti_smap_get_hashed(cti_smap *m, const char *k, size_t n,
                                  uint64_t h, int add, int *created);

/* Start loading the slot where a lookup of hash 'h' begins, so that the
   lookup, made a little later, need not wait for memory. */
void cti_smap_prefetch(const cti_smap *m, uint64_t h);

/* Remove every entry of 'm', keeping its table for reuse. */
void cti_smap_clear(cti_smap *m);

/* Release every entry and the table; 'm' is an empty map afterwards. */
void cti_smap_free(cti_smap *m);

/* ------------------------------------------------------------------ */
/* cti_report.c: messages, progress line, phases, summary.             */
/* ------------------------------------------------------------------ */

/*
 * The report of a run.  'mu' guards 'last', 'shown' and every write to
 * 'err'; the other fields are set before any worker starts and only read
 * afterwards.
 */
typedef struct cti_report {
    pthread_mutex_t mu;
    FILE *err;          /* the error stream (never NULL) */
    int progress;       /* show a progress line (and not quiet) */
    int quiet;          /* no warnings, no summary */
    int verbose;        /* report the phases of the run */
    double t0;          /* the start of the run (cti_report_now() clock) */
    double last;        /* mu: when the progress line was last drawn */
    int shown;          /* mu: a progress line is on the stream */
    /* Sums the counts the progress line shows into *sum, and the bytes
       read but not yet indexed into *queued (called without mu). */
    void (*count)(void *ctx, cti_indexer_stats *sum, uint64_t *queued);
    void *count_ctx;
    /* The walking thread's: the input bytes expected in all ('total', 0:
       not known) and the ones gone through ('done'), for the percentage
       and the time left. */
    uint64_t total, done;
} cti_report;

/* Seconds on a monotonic clock. */
double cti_report_now(void);

/*
 * Set up report 'r' on the stream 'err' (NULL: stderr), with a progress
 * line if 'progress' and not 'quiet'; its clock starts now.  Release it
 * with cti_report_destroy().
 */
void cti_report_init(cti_report *r, FILE *err, int progress, int quiet,
                     int verbose);
void cti_report_destroy(cti_report *r);

/*
 * Print "cti-index: <fmt>" and a newline on the error stream, clearing a
 * progress line first; control characters are shown as \xHH.  Any thread.
 */
void cti_report_say(cti_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* With --verbose: "cti-index: <dir>: <what> at <seconds since the start>". */
void cti_report_phase(cti_report *r, const char *dir, const char *what);

/*
 * Redraw the progress line from r->count, at most four times a second
 * unless 'force'.  Nothing without a progress line or a count function.
 */
void cti_report_progress(cti_report *r, int force);

/* Replace the progress line by "cti-index: <fmt>" (no newline), if shown. */
void cti_report_line(cti_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clear the progress line, if one is shown. */
void cti_report_clear(cti_report *r);

/* ------------------------------------------------------------------ */
/* The index being written                                             */
/* ------------------------------------------------------------------ */

#define CTI_STUB_NAME "XAPIANDB"  /* the stub listing the index's databases */
#define CTI_LOCK_NAME "lock"      /* the writer lock (flock) */
#define CTI_UNSETTLED_NAME "unsettled" /* a run changed articles and has not
                                          settled their template lines yet */
#define CTI_SPELL_MIN 3           /* spelling words: 3 to 32 bytes */
#define CTI_SPELL_MAX 32
#define CTI_DEFAULT_BATCH 2000    /* direct path: articles per commit */
#define CTI_DEFAULT_MEMORY_MB 1024
#define CTI_SEGMENT_MB_DEFAULT 4  /* a worker's first segment (CTI_SEGMENT_MB) */
#define CTI_SEGMENT_MB_MAX 64     /* ... each next one 4 times its last, to this */
#define CTI_FLUSH_KB 1024         /* text per flush of a segment (cti_bulk.c) */
#define CTI_FLUSH_KB_TABLE 256    /* ... with positions in Xapian's table */
#define CTI_SWITCH_MIN 2000       /* articles before a run may turn bulk */
#define CTI_LOOKUPS_MAX 64        /* single sync lookups before a full read */

/* Sync entry states. */
#define CTI_ST_INDEXED 0x01 /* in the index when the run started (main database) */
#define CTI_ST_SEEN    0x02 /* met during this run (stat or article) */
#define CTI_ST_ARTICLE 0x04 /* an article with this id was handled this run */
#define CTI_ST_SEG     0x08 /* its current version went to a segment this run */
#define CTI_ST_DROP    0x10 /* to be deleted at the end of the run */
#define CTI_ST_TWICE   0x20 /* met in more than one place in this run */

/* Flags of a record's sync record ("r FLAGS ..."). */
#define CTI_REC_DUP 1u /* the id was met in more than one place: a version
                          that differs waits for the end of the next run,
                          where a later place may still win */

/* What the index knew of an article when the run started, and since. */
typedef struct cti_sync_ent {
    int64_t size, mtime;  /* files: stat at indexing time; else -1 */
    uint64_t hash;        /* content hash of the version kept */
    uint64_t hash0;       /* content hash in the index at the start */
    uint32_t line;        /* line of the version kept, when met this run */
    uint32_t cont;        /* its collection file: ix->conts index + 1;
                             0 for a text file or an old "j" record */
    uint32_t held;        /* ix->held index + 1 of a version held back */
    char kind;            /* 'f' file, 'r' record, 'j' old record, 0 unknown */
    unsigned char state;  /* CTI_ST_* */
    unsigned char flags;  /* CTI_REC_* */
} cti_sync_ent;

/* Collection states (cti_sync_cont.state). */
#define CTI_CT_MET      0x01 /* read, or tried, in this run */
#define CTI_CT_COMPLETE 0x02 /* every record of it read in this run */
#define CTI_CT_UNDER    0x04 /* below a folder walked completely */
#define CTI_CT_GONE     0x08 /* no longer exists (looked at by --prune) */

/* A collection file that records come from; path "" is standard input. */
typedef struct cti_sync_cont {
    const char *path;     /* real path: the key in ix->contmap (owned there) */
    size_t len;
    char *display;        /* as named in this run's messages, or NULL */
    unsigned long kept;   /* records gone from it but kept (an incomplete read) */
    unsigned char state;  /* CTI_CT_* */
} cti_sync_cont;

/* An article queued for the bulk workers (or deferred to the end). */
typedef struct cti_job {
    struct cti_job *next;
    cti_article a;        /* owns its strings */
    size_t bytes;         /* title and body bytes */
} cti_job;

/* A version held back to the end of the run (see CTI_REC_DUP). */
typedef struct cti_sync_held {
    cti_job *job;         /* the article, or NULL once done with */
    char *origin;         /* its file as named in messages (owned) */
    unsigned long line;
    uint32_t cont;
} cti_sync_held;

/* A bulk worker thread: every field is its own, but 'ix' is shared. */
typedef struct cti_worker {
    struct cti_index *ix;
    pthread_t th;
    int started;          /* th is running or not yet joined */
    cti_analyzer *an;
    cti_doc *doc;
    cti_db *seg;          /* open segment, or NULL */
    char *segname;        /* its name inside the index folder */
    size_t segbytes;      /* text bytes in it */
    size_t seglimit;      /* text bytes at which it closes */
    size_t flushbytes;    /* text bytes added since its last flush */
    cti_smap spell;       /* word -> document frequency in the segment */
    uint32_t docno;
    cti_clean *clean;     /* boilerplate and copies, or NULL (--no-clean) */
    cti_db *look;         /* the main database as committed, for 'clean' */
    cti_db *copy_look;    /* a shard: its whole sharded index, for copies */
    cti_text_writer *tw;  /* its compressor of stored texts */
} cti_worker;

/*
 * One index being written: a folder (its stub, main database, segments
 * and lock), or a remote database.
 *
 * Threads and locks.  The calling thread runs everything but the bulk
 * workers (cti_bulk.c).  Fields marked
 *   [mu]      are guarded by 'mu' once workers exist;
 *   [pubmu]   by 'pubmu' (taken on the direct path too, uncontended
 *             there): a bulk worker publishing its segment commits 'main'
 *             and rewrites the stub;
 *   [set]     are set before the workers start and only read afterwards;
 *   [caller]  belong to the calling thread alone;
 *   [atomic]  are read and written with C11 atomics by any thread.
 * Lock order: pubmu, then mu, then the report's mutex.
 */
typedef struct cti_index cti_index;
struct cti_index {
    cti_indexer_opts o;   /* [set] */
    char *dir;            /* [set] the folder, or the remote's label */
    int lockfd;           /* [caller] */
    char language[64];    /* [set] */
    int pos_article;      /* [set] 1: positions as one blob per article
                             (CTI_POSITIONS_ARTICLE), 0: in the table */
    cti_indexer_stats st; /* [caller]; st.segments [pubmu] */
    atomic_int fatal;     /* [atomic] a fatal index error happened */
    int finished;         /* [caller] */

    /* Layout: the databases listed in the stub (names inside dir). */
    char *mainname;       /* [pubmu] main database, or NULL */
    char **segs;          /* [pubmu] published segments */
    size_t nsegs, capsegs;/* [pubmu] */
    unsigned gen;         /* [caller] next generation number for names */
    unsigned rungen;      /* [set] this run's generation (segment names) */
    unsigned segno;       /* [mu] segments named so far */
    cti_db *main;         /* [pubmu] the main database, writable, or NULL */
    uint32_t doccount0;   /* [set] documents at the start */
    int main_dirty;       /* [pubmu] uncommitted changes in main */

    /* Sync state (cti_sync.c), all [caller].  Small runs look ids up one
       by one (by their id term); after CTI_LOOKUPS_MAX lookups, or before
       removing articles, every record is read in one pass. */
    cti_db *sync_db;      /* where records not yet read are: 'main' (used
                             under pubmu), or NULL when all are read */
    unsigned lookups;
    cti_smap ids;         /* id -> index into ents */
    cti_sync_ent *ents;
    size_t nents, capents;
    cti_smap walked;      /* folders walked completely ("/.../") */
    cti_smap contmap;     /* collection path -> index into conts */
    cti_sync_cont *conts;
    size_t nconts, capconts;
    uint32_t lastcont;    /* the collection last looked up (index + 1) */
    cti_sync_held *held;  /* versions held back to the end of the run */
    size_t nheld, capheld, held_bytes;
    size_t ndrop;         /* entries marked CTI_ST_DROP */
    int sweep;            /* collections were read: the end of the run
                             reads every record to find what left them */

    /* Direct path, and updates during a bulk run. */
    cti_analyzer *an;     /* [pubmu] */
    cti_doc *doc;         /* [pubmu] */
    cti_smap spell;       /* [pubmu] word -> documents, not yet written */
    cti_smap forget;      /* [pubmu] scratch: words of a document leaving */
    uint32_t docno;       /* [pubmu] */
    unsigned pending;     /* [pubmu] articles written since the last commit */
    uint64_t written;     /* [caller] articles written this run (both paths) */

    /* Stored texts (cti_text.h). */
    cti_text_packer *text;/* [set] their dictionary (locks itself) */
    cti_text_writer *tw;  /* [pubmu] the direct path's compressor */
    cti_text_reader *tr;  /* [pubmu] reads main's texts, made when needed */
    uint32_t text_in_main;/* [pubmu] the dictionary id main holds */

    /* Boilerplate and copies (cti_clean.h); NULL with --no-clean. */
    cti_clean_run *clean_run; /* [set] shared with the workers */
    cti_clean *clean;     /* [pubmu] the direct path's, looking in 'main' */
    char *copy_path;      /* [set] a shard: its sharded index, where copies
                             are looked up (each thread its own handle) */
    cti_db *copy_look;    /* [pubmu] the direct path's handle on it */

    /* Bulk path (cti_bulk.c). */
    int bulk;             /* [caller] the bulk path is on */
    size_t seg_limit;     /* [set] text bytes of a worker's first segment */
    size_t seg_max;       /* [set] ... and of its largest */
    size_t q_limit;       /* [set] text bytes queued */
    cti_worker *workers;  /* [set] */
    unsigned nworkers;    /* [set] started */
    unsigned capworkers;  /* [set] allocated */
    pthread_mutex_t mu;
    pthread_mutex_t pubmu;
    pthread_cond_t cv_job, cv_room, cv_done; /* with mu */
    unsigned running;     /* [mu] workers not yet finished */
    cti_job *qhead, *qtail; /* [mu] the queue */
    size_t qbytes;        /* [mu] text bytes queued */
    int closing;          /* [mu] no more jobs will come */
    char **done;          /* [mu] closed segments not yet published */
    size_t ndone, capdone;/* [mu] */
    char *werr;           /* [mu] the first worker error */
    cti_smap gspell;      /* [mu] word -> documents, summed from segments */
    cti_job *deferred;    /* [caller] later versions of ids in a segment */
    cti_job **deferred_tail; /* [caller] */

    cti_report *rep;      /* [set] the router's: messages, progress line */
    int remote;           /* [set] main is a remote database (xapian-tcpsrv) */
};

/* ------------------------------------------------------------------ */
/* cti_folder.c: the index folder, its lock, its stub and its debris.  */
/* ------------------------------------------------------------------ */

/* "dir/name" in new memory (caller frees with free()), or NULL. */
char *cti_folder_path(const char *dir, const char *name);

/*
 * Get the folder 'dir' ready to be written and take its writer lock into
 * *lockfd: refuse a file, or a folder with no stub that holds something
 * the indexer did not make; create it if missing; flock its lock file,
 * waiting for another writer if 'wait' (saying so unless 'quiet'; the
 * report's clock then restarts).  Returns CTI_OK, or CTI_EINVAL (not an
 * index folder), CTI_ELOCKED (another writer, and not 'wait'), CTI_EIO or
 * CTI_ENOMEM, each reported on 'rep'.
 */
cti_status cti_folder_claim(cti_report *rep, const char *dir, int wait,
                            int quiet, int *lockfd);

/*
 * Read ix->dir's stub into ix->mainname and ix->segs (and raise ix->gen
 * past every name).  *have is 1 when there is a stub, else 0.  Returns
 * CTI_OK, CTI_ECORRUPT (a bad line), CTI_EIO or CTI_ENOMEM, reported.
 */
cti_status cti_folder_stub_read(cti_index *ix, int *have);

/*
 * Write the stub listing ix->mainname (if any) and ix->segs: to a
 * temporary file, synced, then renamed over the stub.  Returns CTI_OK, or
 * CTI_EIO / CTI_ENOMEM after reporting the reason (errno's).  [pubmu]
 */
cti_status cti_folder_stub_write(cti_index *ix);

/* Append segment 'name' (taken over, freed on failure) to ix->segs: CTI_OK or CTI_ENOMEM. [pubmu] */
cti_status cti_folder_add_seg(cti_index *ix, char *name);

/*
 * Remove the debris of an interrupted run (names the indexer makes that
 * the stub does not list) and raise ix->gen past every name.  Without a
 * stub ('have_stub' 0), anything else in the folder is refused
 * (CTI_EINVAL).  Returns CTI_OK, CTI_EINVAL or CTI_EIO, reported.
 */
cti_status cti_folder_scan(cti_index *ix, int have_stub);

/* Less free space than this in the index's file system counts as full. */
#define CTI_FOLDER_FULL_BYTES (64u << 10)

/*
 * Is the file system of 'dir' full (less than CTI_FOLDER_FULL_BYTES
 * left)?  A write error found there is reported as a full disk: Xapian
 * may only say what went wrong as it tried to roll back.
 */
int cti_folder_full(const char *dir);

/*
 * Does the folder 'dir' hold the marker 'name' (an empty file)?  1 or 0.
 */
int cti_folder_marked(const char *dir, const char *name);

/*
 * Put the marker 'name' in folder 'dir' ('on') or take it away, durably
 * (the file and the folder synced) before returning.  CTI_OK, or CTI_EIO
 * or CTI_ENOMEM (errno set).
 */
cti_status cti_folder_mark(const char *dir, const char *name, int on);

/* fsync every file in folder 'path', then the folder: CTI_OK or CTI_EIO (errno set). */
cti_status cti_folder_sync_tree(const char *path);

/* ------------------------------------------------------------------ */
/* cti_sync.c: the sync map and its rules.  [caller] throughout.       */
/* ------------------------------------------------------------------ */

/*
 * The sync entry of 'id' (len bytes) in the map, or NULL when absent.
 * With 'add', a missing one is created (size and mtime -1, state 0);
 * NULL then means out of memory.  Valid until the next addition.
 */
cti_sync_ent *cti_sync_get(cti_index *ix, const char *id, size_t len,
                           int add);

/*
 * Read the sync records of every document of 'db' into the map (one
 * pass over two value slots).  Returns CTI_OK, or the error after
 * reporting it and setting ix->fatal.
 */
cti_status cti_sync_load(cti_index *ix, cti_db *db);

/*
 * Should the file of id 'id' with stat 'sb' be read?  0 when it is
 * unchanged since it was indexed (counted), was met before in this run,
 * or after a fatal error; else 1.
 */
int cti_sync_want_file(cti_index *ix, const char *id, const struct stat *sb);

/*
 * Count article 'a' as added, updated or unchanged and write it if it
 * must be (its strings may be moved out).  An article without an id is
 * counted as failed.  Returns CTI_OK, or an error after which nothing
 * more can be written (reported, ix->fatal set).
 */
cti_status cti_sync_article(cti_index *ix, cti_article *a);

/*
 * The entry of article 'id' (len bytes), reading its record from the
 * index when the map does not hold every record yet.  The index holds
 * the article when the entry has CTI_ST_INDEXED (an entry of state 0
 * remembers a miss).  NULL when the map holds every record and none for
 * 'id', or after an error (ix->fatal then set).
 */
cti_sync_ent *cti_sync_find(cti_index *ix, const char *id, size_t len);

/*
 * Make sure the map holds every record of the index (one pass, once).
 * Returns CTI_OK or a reported, fatal error.
 */
cti_status cti_sync_read_all(cti_index *ix);

/*
 * The collection file 'path' (len bytes, real path; "" for standard
 * input), added if new: returns its ix->conts index + 1, or 0 when out
 * of memory.  'display' (may be NULL) names it in messages; the first
 * one given in a run is kept.  The path stays valid until the index is
 * freed.
 */
uint32_t cti_sync_container(cti_index *ix, const char *path, size_t len,
                       const char *display);

/*
 * The collection file 'path' was read in this run: completely (every
 * record without an error) if 'complete'.  Returns CTI_OK or CTI_ENOMEM
 * (reported, fatal).
 */
cti_status cti_sync_walked_file(cti_index *ix, const char *path,
                                int complete);

/*
 * Write the versions held back during the run (CTI_REC_DUP) that no
 * later place took over.  Returns CTI_OK or a reported, fatal error.
 */
cti_status cti_sync_flush_held(cti_index *ix);

/*
 * After a write failed (a full disk, say), count what this run really
 * saved: each article handled in this run is looked up in the index as
 * it is on disk now, and one whose new version is not there is counted
 * as failed instead of added or updated, so the summary never claims
 * articles a failed commit lost.  Also sets st.articles from the disk.
 */
void cti_sync_reconcile(cti_index *ix);

/* ------------------------------------------------------------------ */
/* cti_removal.c: what leaves the index.  [caller] throughout.         */
/* ------------------------------------------------------------------ */

/*
 * Mark article 'id' (len bytes) for deletion at the end of the run.
 * Returns 1 if the index holds it, 0 if not, -1 after a fatal error.
 */
int cti_removal_mark_id(cti_index *ix, const char *id, size_t len);

/*
 * Count, and mark for deletion if 'mark', every article indexed from the
 * absolute path 'path': the text file of that path, the records of that
 * collection file, everything from files below that folder.  Returns the
 * count, or -1 after a fatal error (reading the records).
 */
long cti_removal_mark_path(cti_index *ix, const char *path, int mark);

/*
 * At the end of a run, delete what leaves the index: articles marked,
 * text files gone from a folder walked completely, records gone from a
 * collection read completely, collections gone from a folder walked
 * completely, and with --prune every article whose file no longer
 * exists.  Returns CTI_OK or a reported, fatal error.
 */
cti_status cti_removal_run(cti_index *ix);

/*
 * The absolute path a user means by 'path', as indexing would name it:
 * its real path; for a path that no longer exists, the real path of its
 * nearest existing folder and the rest made absolute lexically ("." and
 * ".." resolved).  New memory (free() it), or NULL (empty path, no
 * memory).
 */
char *cti_removal_resolve(const char *path);

/*
 * Delete article 'id' (len bytes) from the main database: its spelling
 * words are forgotten, it is counted as removed, and a full batch is
 * committed.  Every deletion of the indexer goes through here.
 * Returns CTI_OK or a reported, fatal error.  [pubmu] held.
 */
cti_status cti_removal_delete(cti_index *ix, const char *id, size_t len);

/* ------------------------------------------------------------------ */
/* cti_index.c: one index being written.                               */
/* ------------------------------------------------------------------ */

/* How the shards of a sharded index find copies across each other. */
typedef struct cti_index_share {
    cti_clean_run *copies; /* the table every shard keeps its articles in */
    const char *path;      /* the sharded index (--db), to look copies up */
} cti_index_share;

/*
 * Open one index for writing with options 'o' (o->shards and o->progress
 * are the router's business): the folder 'dir', or with 'host' the
 * remote database host:port ('dir' then names it in messages).  Unless
 * 'as_shard', a shard of a sharded index is refused; 'share' (NULL for
 * an index on its own) must outlive the index.  Messages go to 'rep',
 * which must outlive the index.  Returns CTI_OK and the index in *out
 * (free with cti_index_free()), or a reported error and NULL.
 */
cti_status cti_index_open(const cti_indexer_opts *o, const char *dir,
                          const char *host, unsigned port, int as_shard,
                          const cti_index_share *share, cti_report *rep,
                          cti_index **out);

/*
 * Finish the run of 'ix': write the versions held back, remove what
 * leaves the index (cti_removal.c), end the bulk path
 * (merge), compact if asked, commit; ix->st then holds its counts.
 * Returns CTI_OK or the first failure (reported).  Once.
 */
cti_status cti_index_finish(cti_index *ix);

/* Release 'ix' and its lock; unfinished work is abandoned.  NULL: no-op. */
void cti_index_free(cti_index *ix);

/*
 * Report "<dir>: <what>: <reason>" for the failure 'st' of a shim call
 * (its message) or of our own (CTI_ENOMEM), and mark 'ix' fatal.
 * Returns 'st' (CTI_ERROR for CTI_OK).  Any thread.
 */
cti_status cti_index_fail(cti_index *ix, const char *what, cti_status st);

/*
 * Write article 'a' on the current path (direct, or to the bulk
 * workers); 's' is its sync entry.  'in_main' says an older version is
 * in the main database.  Returns CTI_OK or a reported, fatal error.
 */
cti_status cti_index_write(cti_index *ix, cti_article *a, cti_sync_ent *s,
                           int in_main);

/* Commit the main database's pending changes and spelling, and the
   stored texts' dictionary if main lacks it. [pubmu] */
cti_status cti_index_commit(cti_index *ix);

/* Make ix->tr, the reader of main's stored texts, if it is not made yet
   (and there is a main).  CTI_OK or CTI_ENOMEM. [pubmu] */
cti_status cti_index_text_reader(cti_index *ix);

/*
 * A shard of a sharded index: a new read handle on the whole sharded
 * index as committed, where copies are looked up (free it with
 * cti_db_free()); NULL for an index that is no shard, or when it cannot
 * be opened (nothing written yet).
 */
cti_db *cti_index_copy_look(cti_index *ix);

/* Record the schema version, the language and the positions format of
   'ix' in the metadata of 'db'. */
cti_status cti_index_stamp(const cti_index *ix, cti_db *db);
/* Make 'doc' keep its positions as ix's format says. */
cti_status cti_index_doc_format(const cti_index *ix, cti_doc *doc);


/* ------------------------------------------------------------------ */
/* cti_docbuild.c: an article into a document.                         */
/* ------------------------------------------------------------------ */

/*
 * Build the document of article 'a' into 'doc' (cleared first): terms,
 * values (its sync record with the flags 'rflags', CTI_REC_*) and the
 * stored record (the text apart through 'tw', or with 'tw' NULL deflated
 * at 'zlevel' in the record); count its words into
 * 'spell' (if not NULL) as document number 'docno'.  With 'cl', its page
 * boilerplate is set aside and its copies looked for (cti_clean.h;
 * 'in_db': the article is in the index already).  Returns CTI_OK,
 * CTI_ENOMEM, or the status of a failed shim call.
 */
cti_status cti_docbuild_article(cti_analyzer *an, cti_doc *doc,
                                const cti_article *a, unsigned rflags,
                                int zlevel, cti_text_writer *tw,
                                cti_smap *spell, uint32_t docno,
                                cti_clean *cl, int in_db);

/*
 * Count the spelling words of a title and a body (either may be NULL
 * with length 0) into 'spell' as document number 'docno', leaving out
 * the body's set-aside ranges aside[0..naside).  Returns CTI_OK or
 * CTI_ENOMEM.
 */
cti_status cti_docbuild_words(cti_analyzer *an, const char *title,
                              size_t title_len, const char *body,
                              size_t body_len, const cti_record_range *aside,
                              size_t naside, cti_smap *spell, uint32_t docno);

/* ------------------------------------------------------------------ */
/* cti_spelling.c: the spelling data.                                  */
/* ------------------------------------------------------------------ */

/* Is token 't' a spelling word (CTI_SPELL_MIN to CTI_SPELL_MAX bytes,
   no digits, not CJK)? */
int cti_spelling_word(const cti_token *t);

/*
 * Count spelling word 'w' (n bytes, cti_smap_hash() 'h') once for
 * document 'docno' in 'm' (val: documents, aux: the last document
 * counted).  Returns CTI_OK or CTI_ENOMEM.
 */
cti_status cti_spelling_add(cti_smap *m, const char *w, size_t n, uint64_t h,
                            uint32_t docno);

/* Add the counts of 'm' to the spelling data of 'db', then empty 'm'. */
cti_status cti_spelling_flush(cti_smap *m, cti_db *db);

/*
 * Before article 'idterm' (itl bytes) leaves the main database: take its
 * words out of the spelling data (read back from its stored record).
 * Returns CTI_OK or the failed call's status (not reported). [pubmu]
 */
cti_status cti_spelling_forget(cti_index *ix, const char *idterm,
                               size_t itl);

/*
 * Write a bulk run's summed counts (ix->gspell) into a segment of their
 * own, listed with the others, so the final merge packs them too.
 * Returns CTI_OK or a reported, fatal error.  After the workers stopped.
 */
cti_status cti_spelling_segment(cti_index *ix);

/*
 * An interrupted bulk run wrote no spelling data for the articles in its
 * listed segments: count their words again from their stored records,
 * into a spelling segment the recovery merge takes along.  Returns
 * CTI_OK or a reported, fatal error.
 */
cti_status cti_spelling_recover(cti_index *ix);

/* ------------------------------------------------------------------ */
/* cti_bulk.c: the bulk path.                                          */
/* ------------------------------------------------------------------ */

/*
 * Set up the bulk path's locks, queue and sizes (from ix->o.memory_mb,
 * ix->o.jobs and CTI_SEGMENT_MB).  Undone by cti_bulk_free().
 */
void cti_bulk_init(cti_index *ix);

/*
 * Commit the direct path's work and start the workers: the bulk path is
 * on.  Returns CTI_OK or a reported, fatal error.
 */
cti_status cti_bulk_start(cti_index *ix);

/*
 * Queue article 'a' (its strings move into the queue) for the workers,
 * waiting while the queue is full, and publish the segments closed so
 * far.  Returns CTI_OK, or an error after which nothing more can be
 * written (reported now or by cti_bulk_stop()).
 */
cti_status cti_bulk_push(cti_index *ix, cti_article *a);

/*
 * Stop the workers once the queue is empty (they close their segments),
 * publishing segments as they are completed; report the first worker
 * error.  Returns CTI_OK, or an error status if anything failed.
 */
cti_status cti_bulk_stop(cti_index *ix);

/* Keep article 'a' (its strings moved) to be written after the merge. */
cti_status cti_bulk_defer(cti_index *ix, cti_article *a);

/* After the merge: write the deferred articles on the direct path. */
cti_status cti_bulk_write_deferred(cti_index *ix);

/* Stop the workers at once (queued work is dropped) and free the path. */
void cti_bulk_free(cti_index *ix);

/*
 * A new job taking over the strings of article 'a' (its fields are left
 * NULL; a->origin is not kept).  NULL when out of memory ('a' intact).
 * Free it with cti_bulk_job_free().
 */
cti_job *cti_bulk_job_new(cti_article *a);
void cti_bulk_job_free(cti_job *j);

/* ------------------------------------------------------------------ */
/* cti_merge.c: the merge.                                             */
/* ------------------------------------------------------------------ */

/*
 * Close the main database, compact it and every listed segment into a
 * new main database db.<gen>, list only that one and remove the old
 * ones, then reopen it writable as ix->main.  With nothing listed, does
 * nothing.  The workers must be stopped.  Returns CTI_OK or a reported,
 * fatal error (the stub then still lists the old databases).
 */
cti_status cti_merge_all(cti_index *ix);

#endif /* CTI_INDEXER_INT_H */
