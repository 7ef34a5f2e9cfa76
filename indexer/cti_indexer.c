/*
 * cti_indexer.c - articles into the index: documents, sync, bulk segments.
 *
 * Documents (the contract is cti_schema.h)
 *   Title stems are posted unprefixed and under "S" from position
 *   CTI_POS_TITLE (a title made from the body's opening: under "S" only;
 *   one that is the whole body: not at all), body stems unprefixed from
 *   CTI_POS_BODY (or right after a very long title); author stems under "A" and source stems under "XS"
 *   from position 1; dates as Y/M/D boolean terms and "YYYYMMDD" in
 *   CTI_SLOT_DATE; the id term "Q"+id; the data is a cti_store record.
 *   Its body stream is written at zlib level 0 by default: Xapian's
 *   docdata table compresses every record with zlib anyway, so the text is
 *   deflated once (as small as level 9 in the record, and 11% less CPU).
 *   Only stems are indexed (no unstemmed twins), which halves the postings
 *   of Xapian's TermGenerator.
 *
 * Sync record
 *   CTI_SLOT_SOURCE holds "f <size> <mtime_ns> <id>" for an article read
 *   from a file (its id is the file's absolute path) and "j <id>" for a
 *   JSON line; CTI_SLOT_HASH holds the 16 hex digits of the article's
 *   content hash.  A run starts by reading both slots of every document
 *   through two value iterators (one pass, no document is opened) into a
 *   hash map id -> (size, mtime, hash).  A file whose size and mtime match
 *   is skipped after stat() alone; a changed file is re-read and replaced
 *   only if its content hash changed (a touched file just gets its new
 *   stat recorded and counts as unchanged); a JSON line with a known id
 *   replaces the old article when its hash differs.  Files that were
 *   indexed under a folder that was walked completely and were not seen
 *   are deleted at the end of the run.  Within one run a later article
 *   with the id of an earlier one wins.
 *
 * Spelling
 *   Every distinct folded word of 3 to 32 bytes without digits in the
 *   title and body of a document adds 1 to the word's spelling frequency
 *   (so the frequency is the number of documents holding the word);
 *   replacing or deleting a document first removes its old words, read
 *   back from its stored record.  Words are counted in hash maps: the
 *   direct path writes them at each commit; a bulk run sums its segments'
 *   counts and writes them once, as a segment of their own merged with
 *   the rest; if the run is killed first, the recovery merge of the next
 *   run counts the words of its segments again from their records.
 *
 * Two write paths
 *   Direct: each article is analysed in the calling thread and replaced by
 *   id in the main database, committed every 'batch' articles.  Used for
 *   a few changes to an existing index.
 *   Bulk: articles are queued to worker threads, each building small
 *   segment databases (no fsync, no crash safety while open) in the index
 *   folder.  A closed segment is synced to disk and then listed in the
 *   stub, so readers see it and a crash keeps it; replaced and removed
 *   articles are deleted from the main database, committed before that.
 *   At the end the main database and every segment are compacted into a
 *   new main database and the stub is atomically replaced (rename) to list
 *   only it.  A run that starts on an empty index takes this path; a run
 *   on an existing index switches to it once the articles it adds reach a
 *   quarter of the index (at least 2000).
 *
 * Crash safety
 *   The stub only ever lists committed databases, and is replaced by
 *   rename.  After a kill, the index holds the main database and the
 *   segments completed so far; the next run removes unlisted debris,
 *   merges the listed segments into a new main database, and its sync
 *   pass re-indexes what is missing.
 */
#include "cti_indexer.h"

#include "cti_analyzer.h"
#include "cti_article.h"
#include "cti_path.h"
#include "cti_schema.h"
#include "cti_shard.h"
#include "cti_source.h"
#include "cti_store.h"
#include "cti_xapian.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STUB_NAME "XAPIANDB"
#define LOCK_NAME "lock"
#define SPELL_MIN 3
#define SPELL_MAX 32
#define DEFAULT_BATCH 2000
#define DEFAULT_MEMORY_MB 1024
#define SEGMENT_MB_DEFAULT 4
#define SWITCH_MIN 2000
#define LOOKUPS_MAX 64

/* ------------------------------------------------------------------ */
/* A string-keyed hash map (open addressing, linear probing).          */
/* ------------------------------------------------------------------ */

typedef struct smap_ent {
    char *key;      /* owned, NUL-terminated; NULL: empty slot */
    uint32_t len;
    uint32_t val;   /* payload: an index, or a count */
    uint32_t aux;   /* payload: e.g. the last document counted */
    uint64_t h;
} smap_ent;

typedef struct smap {
    smap_ent *t;
    size_t cap;     /* a power of two, or 0 */
    size_t n;
} smap;


static int smap_grow(smap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    smap_ent *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->t[i].key)
            continue;
        size_t j = m->t[i].h & (ncap - 1);
        while (nt[j].key)
            j = (j + 1) & (ncap - 1);
        nt[j] = m->t[i];
    }
    free(m->t);
    m->t = nt;
    m->cap = ncap;
    return 0;
}

/*
 * Find 'k' (n bytes).  With 'add', insert it (payload zeroed, *created
 * set) when absent.  Returns the entry (valid until the next insertion),
 * or NULL when absent (or, with 'add', out of memory).
 */
static smap_ent *smap_get(smap *m, const char *k, size_t n, int add,
                          int *created)
{
    if (created)
        *created = 0;
    if (add && (m->n + 1) * 4 > m->cap * 3 && smap_grow(m) < 0)
        return NULL;
    if (!m->cap)
        return NULL;
    uint64_t h = cti_shard_hash(k, n);
    size_t j = h & (m->cap - 1);
    while (m->t[j].key) {
        if (m->t[j].h == h && m->t[j].len == n && !memcmp(m->t[j].key, k, n))
            return &m->t[j];
        j = (j + 1) & (m->cap - 1);
    }
    if (!add)
        return NULL;
    char *key = malloc(n + 1);
    if (!key)
        return NULL;
    memcpy(key, k, n);
    key[n] = '\0';
    smap_ent *e = &m->t[j];
    e->key = key;
    e->len = (uint32_t)n;
    e->val = e->aux = 0;
    e->h = h;
    m->n++;
    if (created)
        *created = 1;
    return e;
}

/* Remove every entry, keeping the table. */
static void smap_clear(smap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->t[i].key);
        m->t[i].key = NULL;
    }
    m->n = 0;
}

static void smap_free(smap *m)
{
    smap_clear(m);
    free(m->t);
    m->t = NULL;
    m->cap = 0;
}

/* ------------------------------------------------------------------ */
/* The indexer                                                         */
/* ------------------------------------------------------------------ */

/* Sync entry states. */
#define ST_INDEXED 0x01 /* in the index when the run started (main database) */
#define ST_SEEN    0x02 /* met during this run (stat or article) */
#define ST_ARTICLE 0x04 /* an article with this id was handled this run */
#define ST_SEG     0x08 /* its current version went to a segment this run */

typedef struct sync_ent {
    int64_t size, mtime;  /* files: stat at indexing time; else -1 */
    uint64_t hash;        /* content hash */
    char kind;            /* 'f' file, 'j' JSON line, 0 unknown */
    unsigned char state;  /* ST_* */
} sync_ent;

typedef struct job {
    struct job *next;
    cti_article a;        /* owns its strings */
    size_t bytes;
} job;

typedef struct worker {
    struct cti_indexer *ix;
    pthread_t th;
    int started;
    cti_analyzer *an;
    cti_doc *doc;
    cti_db *seg;          /* open segment, or NULL */
    char *segname;        /* its name inside the index folder */
    size_t segbytes;      /* text bytes in it */
    smap spell;           /* word -> document frequency in the segment */
    uint32_t docno;
} worker;

struct cti_indexer {
    cti_indexer_opts o;
    FILE *err;
    char *dir;
    int lockfd;
    char language[64];
    double t0;
    cti_indexer_stats st;
    int fatal;            /* a fatal index error happened */
    int finished;

    /* Layout: the databases listed in the stub (names inside dir). */
    char *mainname;       /* main database, or NULL */
    char **segs;          /* published segments */
    size_t nsegs, capsegs;
    unsigned gen;         /* next generation number for names */
    unsigned rungen;      /* this run's generation (segment names) */
    unsigned segno;       /* segments named so far */
    cti_db *main;         /* the main database, writable, or NULL */
    uint32_t doccount0;   /* documents at the start */
    int main_dirty;       /* uncommitted changes in main */

    /* Sync state.  Small runs look ids up one by one (by their id term);
       after LOOKUPS_MAX lookups, or before removing articles, every
       record is read in one pass. */
    cti_db *sync_db;      /* where records not yet read are (NULL: all read) */
    unsigned lookups;
    smap ids;             /* id -> index into ents */
    sync_ent *ents;
    size_t nents, capents;
    smap walked;          /* folders walked completely ("/.../") */

    /* Direct path. */
    cti_analyzer *an;
    cti_doc *doc;
    smap spell;           /* word -> document frequency, not yet written */
    smap forget;          /* scratch: words of a document being removed */
    uint32_t docno;
    unsigned pending;     /* articles written since the last commit */
    uint64_t written;     /* articles written this run (both paths) */

    /* Bulk path. */
    int bulk;
    size_t seg_limit;     /* text bytes per segment */
    size_t q_limit;       /* text bytes queued */
    worker *workers;
    unsigned nworkers;    /* started */
    unsigned capworkers;  /* allocated */
    pthread_mutex_t mu;
    pthread_mutex_t pubmu; /* bulk: held while using 'main' and publishing */
    pthread_cond_t cv_job, cv_room, cv_done;
    unsigned running;     /* workers not yet finished */
    job *qhead, *qtail;
    size_t qbytes;
    int closing;
    char **done;          /* closed segments not yet published */
    size_t ndone, capdone;
    char *werr;           /* first worker error */
    smap gspell;          /* bulk: word -> documents, merged from segments */
    job *deferred;        /* later versions of ids already in a segment */
    job **deferred_tail;
    uint64_t wfailed;     /* articles workers failed to write */

    /* Progress. */
    double last_progress;
    int progress_shown;

    /* Sharded index (cti_shard.h): one indexer per shard, articles routed
       by cti_shard_pick() on their id; the parent writes nothing itself. */
    struct cti_indexer **shard;
    unsigned nshards;
    cti_shard_kind kind;  /* the parent's layout: DIR or FILE */
    int remote;           /* main is a remote database (xapian-tcpsrv) */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(struct cti_indexer *ix, const char *fmt, ...);
static int fatal_db(struct cti_indexer *ix, const char *what, cti_status st);

/* With --verbose: "cti-index: <what> at <seconds since the start>". */
#define PHASE(ix, what)                                                   \
    do {                                                                  \
        if ((ix)->o.verbose)                                              \
            say((ix), "%s: %s at %.2f s", (ix)->dir, (what),               \
                now() - (ix)->t0);                                        \
    } while (0)

/* Print "cti-index: <fmt>" on the error stream, clearing a progress line. */
static void say(cti_indexer *ix, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    if (ix->progress_shown) {
        fputs("\r\033[K", ix->err);
        ix->progress_shown = 0;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* Control characters (from file names, JSON ids...) are shown as
       \xHH, so a name cannot drive the terminal. */
    fputs("cti-index: ", ix->err);
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(ix->err, "\\x%02X", *p);
        else
            fputc(*p, ix->err);
    }
    fputc('\n', ix->err);
    fflush(ix->err);
}

static void progress(cti_indexer *ix, int force)
{
    if (!ix->o.progress || ix->o.quiet)
        return;
    double t = now();
    if (!force && t - ix->last_progress < 0.25)
        return;
    ix->last_progress = t;
    double secs = t - ix->t0;
    uint64_t queued = 0;
    if (ix->nworkers) {
        pthread_mutex_lock(&ix->mu);
        queued = ix->qbytes; /* read but not yet indexed */
        pthread_mutex_unlock(&ix->mu);
    }
    double mb = (ix->st.bytes - (queued < ix->st.bytes ? queued : 0)) / 1e6;
    fprintf(ix->err, "\r\033[Kcti-index: %" PRIu64 " new, %" PRIu64
            " updated, %" PRIu64 " unchanged, %.1f MB, %.1f MB/s",
            ix->st.added, ix->st.updated, ix->st.unchanged, mb,
            secs > 0 ? mb / secs : 0.0);
    fflush(ix->err);
    ix->progress_shown = 1;
}

static char *path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t n = a;
    if (n && p[n - 1] != '/')
        p[n++] = '/';
    memcpy(p + n, name, b + 1);
    return p;
}

size_t cti_indexer_idterm(const char *id, size_t len, char *buf)
{
    size_t plen = strlen(CTI_PREFIX_ID);
    memcpy(buf, CTI_PREFIX_ID, plen);
    if (plen + len <= CTI_IDTERM_MAX) {
        memcpy(buf + plen, id, len);
        buf[plen + len] = '\0';
        return plen + len;
    }
    /* Keep a readable head, then '#' and the hash of the whole id. */
    size_t head = CTI_IDTERM_MAX - plen - 17;
    memcpy(buf + plen, id, head);
    snprintf(buf + plen + head, 18, "#%016" PRIx64, cti_shard_hash(id, len));
    return CTI_IDTERM_MAX;
}

/* ---- files ---- */


/* fsync every file in folder 'path' and the folder itself. */
static int sync_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fdatasync(fd) < 0)
            rc = -1;
        if (fd >= 0)
            close(fd);
    }
    if (fsync(dirfd(d)) < 0)
        rc = -1;
    closedir(d);
    return rc;
}

static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) < 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) < 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/* Is 'name' something the indexer creates (db.*, seg.*, tmp.*)? */
static int ours(const char *name)
{
    return !strncmp(name, "db.", 3) || !strncmp(name, "seg.", 4) ||
           !strncmp(name, "tmp.", 4) || !strcmp(name, STUB_NAME ".tmp");
}

/* The generation number in "db.N" or "seg.N.M", or 0. */
static unsigned name_gen(const char *name)
{
    const char *p = strchr(name, '.');
    return p ? (unsigned)strtoul(p + 1, NULL, 10) : 0;
}

/* Write the stub listing main (if any) and the published segments, atomically. */
static int stub_write(cti_indexer *ix)
{
    char *tmp = path_join(ix->dir, STUB_NAME ".tmp");
    char *fin = path_join(ix->dir, STUB_NAME);
    int rc = -1;
    FILE *f = NULL;
    if (!tmp || !fin)
        goto done;
    f = fopen(tmp, "w");
    if (!f)
        goto done;
    if (ix->mainname)
        fprintf(f, "glass %s\n", ix->mainname);
    for (size_t i = 0; i < ix->nsegs; i++)
        fprintf(f, "glass %s\n", ix->segs[i]);
    if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
        fclose(f);
        f = NULL;
        goto done;
    }
    if (fclose(f) != 0) {
        f = NULL;
        goto done;
    }
    f = NULL;
    if (rename(tmp, fin) < 0)
        goto done;
    sync_dir(ix->dir);
    rc = 0;
done:
    if (rc < 0)
        say(ix, "%s: cannot write the index list: %s", ix->dir,
            strerror(errno));
    free(tmp);
    free(fin);
    return rc;
}

/* Read the stub: fills mainname and segs.  Returns 1 if there is one, 0 if none, -1 on error. */
static int stub_read(cti_indexer *ix)
{
    char *fin = path_join(ix->dir, STUB_NAME);
    if (!fin)
        return -1;
    FILE *f = fopen(fin, "r");
    free(fin);
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[512];
    int rc = 1;
    while (fgets(line, sizeof line, f)) {
        char type[32], name[256];
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%31s %255s", type, name) != 2 || strchr(name, '/') ||
            (strncmp(name, "db.", 3) && strncmp(name, "seg.", 4))) {
            rc = -2;
            break;
        }
        char *dup = strdup(name);
        if (!dup) {
            rc = -1;
            break;
        }
        if (!ix->mainname && !strncmp(name, "db.", 3)) {
            ix->mainname = dup;
        } else {
            if (ix->nsegs == ix->capsegs) {
                size_t nc = ix->capsegs ? ix->capsegs * 2 : 16;
                char **ns = realloc(ix->segs, nc * sizeof *ns);
                if (!ns) {
                    free(dup);
                    rc = -1;
                    break;
                }
                ix->segs = ns;
                ix->capsegs = nc;
            }
            ix->segs[ix->nsegs++] = dup;
        }
        if (name_gen(name) >= ix->gen)
            ix->gen = name_gen(name) + 1;
    }
    fclose(f);
    return rc;
}

static int listed(cti_indexer *ix, const char *name)
{
    if (ix->mainname && !strcmp(ix->mainname, name))
        return 1;
    for (size_t i = 0; i < ix->nsegs; i++)
        if (!strcmp(ix->segs[i], name))
            return 1;
    return 0;
}

/*
 * Look at the index folder: refuse a folder that is not ours, remove
 * debris of an interrupted run, find the next generation number.
 */
static int scan_dir(cti_indexer *ix, int have_stub)
{
    DIR *d = opendir(ix->dir);
    if (!d) {
        say(ix, "cannot open index '%s': %s", ix->dir, strerror(errno));
        return -1;
    }
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, LOCK_NAME) ||
            !strcmp(n, STUB_NAME))
            continue;
        if (ours(n)) {
            if (name_gen(n) >= ix->gen)
                ix->gen = name_gen(n) + 1;
            if (!listed(ix, n)) {
                char *p = path_join(ix->dir, n);
                if (p)
                    cti_path_remove_tree(p);
                free(p);
            }
            continue;
        }
        if (!have_stub) {
            say(ix, "'%s' is not a cti index (it holds '%s'); "
                "give --db an empty or new folder", ix->dir, n);
            rc = -1;
            break;
        }
    }
    closedir(d);
    if (ix->gen == 0)
        ix->gen = 1;
    return rc;
}

/*
 * Before anything is created in it: refuse an existing folder that has no
 * index list and holds something the indexer did not make.
 */
static int refuse_foreign(cti_indexer *ix)
{
    char *stub = path_join(ix->dir, STUB_NAME);
    struct stat sb;
    int rc = 0;
    if (!stub || stat(stub, &sb) == 0) {
        free(stub);
        return stub ? 0 : -1;
    }
    free(stub);
    DIR *d = opendir(ix->dir);
    if (!d)
        return 0; /* missing: it will be created */
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, LOCK_NAME) ||
            ours(n) || !strncmp(n, "shard-", 6))
            continue;
        say(ix, "'%s' is not a cti index (it holds '%s'); "
            "give --db an empty or new folder", ix->dir, n);
        rc = -1;
        break;
    }
    closedir(d);
    return rc;
}

/* ---- sync map ---- */

static sync_ent *ent_get(cti_indexer *ix, const char *id, size_t len,
                         int add)
{
    int created;
    smap_ent *e = smap_get(&ix->ids, id, len, add, &created);
    if (!e)
        return NULL;
    if (created) {
        if (ix->nents == ix->capents) {
            size_t nc = ix->capents ? ix->capents * 2 : 1024;
            sync_ent *ne = realloc(ix->ents, nc * sizeof *ne);
            if (!ne)
                return NULL; /* the key stays with val 0: harmless */
            ix->ents = ne;
            ix->capents = nc;
        }
        e->val = (uint32_t)ix->nents;
        sync_ent *s = &ix->ents[ix->nents++];
        memset(s, 0, sizeof *s);
        s->size = s->mtime = -1;
    }
    return &ix->ents[e->val];
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static uint64_t parse_hash(const char *v, size_t len)
{
    uint64_t h = 0;
    for (size_t i = 0; i < len && i < 16; i++) {
        int x = hexval((unsigned char)v[i]);
        if (x < 0)
            return 0;
        h = h << 4 | (uint64_t)x;
    }
    return h;
}

/* Parse a CTI_SLOT_SOURCE value into the map. */
static int sync_add(cti_indexer *ix, const char *v, size_t len, uint64_t hash)
{
    if (len < 3 || v[1] != ' ')
        return 0;
    char kind = v[0];
    const char *p = v + 2, *end = v + len;
    int64_t size = -1, mtime = -1;
    if (kind == 'f') {
        char *q;
        char buf[48];
        size_t n = (size_t)(end - p) < sizeof buf - 1 ? (size_t)(end - p)
                                                       : sizeof buf - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        size = strtoll(buf, &q, 10);
        if (*q != ' ')
            return 0;
        mtime = strtoll(q + 1, &q, 10);
        if (*q != ' ')
            return 0;
        p += (q + 1) - buf;
    } else if (kind != 'j') {
        return 0;
    }
    sync_ent *s = ent_get(ix, p, (size_t)(end - p), 1);
    if (!s)
        return -1;
    if (s->state & (ST_SEEN | ST_ARTICLE))
        return 0; /* met in this run before the full read: keep its state */
    s->kind = kind;
    s->size = size;
    s->mtime = mtime;
    s->hash = hash;
    s->state |= ST_INDEXED;
    return 0;
}

/* Load the sync records of every document (two value iterators, one pass). */
static int sync_load(cti_indexer *ix, cti_db *db)
{
    cti_valiter *vs = NULL, *vh = NULL;
    int rc = -1;
    cti_status s1, s2;
    if (cti_db_values(db, CTI_SLOT_SOURCE, &vs) != CTI_OK ||
        cti_db_values(db, CTI_SLOT_HASH, &vh) != CTI_OK)
        goto done;
    uint32_t dh = 0, ds;
    const char *h = NULL, *v;
    size_t hl = 0, vl;
    s2 = cti_valiter_next(vh, &dh, &h, &hl);
    while ((s1 = cti_valiter_next(vs, &ds, &v, &vl)) == CTI_OK) {
        while (s2 == CTI_OK && dh < ds)
            s2 = cti_valiter_next(vh, &dh, &h, &hl);
        if (s2 != CTI_OK && s2 != CTI_DONE)
            goto done;
        uint64_t hash = (s2 == CTI_OK && dh == ds) ? parse_hash(h, hl) : 0;
        if (sync_add(ix, v, vl, hash) < 0)
            goto done;
    }
    if (s1 != CTI_DONE)
        goto done;
    rc = 0;
done:
    if (rc < 0)
        say(ix, "%s: cannot read the index: %s", ix->dir, cti_errmsg());
    cti_valiter_free(vs);
    cti_valiter_free(vh);
    return rc;
}

/*
 * The sync entry of article 'id' (len bytes), or NULL when the index has
 * none.  Reads the record from the index when the map does not hold all
 * of them yet.  Returns NULL on errors too, with ix->fatal set.
 */
static sync_ent *sync_lookup(cti_indexer *ix, const char *id, size_t len)
{
    sync_ent *s = ent_get(ix, id, len, 0);
    if (s || !ix->sync_db)
        return s;
    if (++ix->lookups > LOOKUPS_MAX) {
        cti_db *db = ix->sync_db;
        ix->sync_db = NULL;
        if (sync_load(ix, db) < 0) {
            ix->fatal = 1;
            return NULL;
        }
        return ent_get(ix, id, len, 0);
    }
    char idterm[CTI_IDTERM_MAX + 1];
    size_t itl = cti_indexer_idterm(id, len, idterm);
    uint32_t docid;
    char *v = NULL, *h = NULL;
    size_t vl = 0, hl = 0;
    cti_status st = cti_db_find(ix->sync_db, idterm, itl, &docid);
    if (st == CTI_OK &&
        (st = cti_db_get_value(ix->sync_db, docid, CTI_SLOT_SOURCE, &v,
                               &vl)) == CTI_OK &&
        (st = cti_db_get_value(ix->sync_db, docid, CTI_SLOT_HASH, &h,
                               &hl)) == CTI_OK &&
        sync_add(ix, v, vl, parse_hash(h, hl)) < 0)
        st = CTI_ENOMEM;
    free(v);
    free(h);
    if (st != CTI_OK && st != CTI_ENOTFOUND) {
        fatal_db(ix, "cannot read the index", st);
        return NULL;
    }
    /* A miss is remembered too (an entry of state 0), so the id is not
       looked up again. */
    return ent_get(ix, id, len, st == CTI_ENOTFOUND);
}

/* Read every sync record not read yet (before removing articles). */
static int sync_complete(cti_indexer *ix)
{
    cti_db *db = ix->sync_db;
    ix->sync_db = NULL;
    if (db && sync_load(ix, db) < 0) {
        ix->fatal = 1;
        return -1;
    }
    return 0;
}

/* ---- documents ---- */

typedef struct build_ctx {
    cti_doc *doc;
    const char *prefix;
    size_t plen;
    int plain;         /* also post the unprefixed stem */
    smap *spell;       /* count distinct words here, or NULL */
    uint32_t docno;
    uint32_t lastpos;
    char buf[CTI_MAX_TOKEN * 4 + 16];
} build_ctx;

/* Count a folded word once per document in 'm' (val: documents, aux: last docno). */
static int spell_count(smap *m, const cti_token *t, uint32_t docno)
{
    if (t->flags & (CTI_TOK_NUMBER | CTI_TOK_CJK) || t->len < SPELL_MIN ||
        t->len > SPELL_MAX)
        return 0;
    smap_ent *e = smap_get(m, t->text, t->len, 1, NULL);
    if (!e)
        return CTI_ENOMEM;
    if (e->aux != docno || e->val == 0) {
        e->aux = docno;
        e->val++;
    }
    return 0;
}

static int on_token(void *vctx, const cti_token *t)
{
    build_ctx *c = vctx;
    cti_status st;
    c->lastpos = t->pos;
    if (c->spell) {
        int rc = spell_count(c->spell, t, c->docno);
        if (rc)
            return rc;
    }
    if (!c->doc || t->stemlen == 0)
        return 0;
    if (c->plain) {
        st = cti_doc_add_posting(c->doc, t->stem, t->stemlen, t->pos, 1);
        if (st != CTI_OK)
            return st;
    }
    if (c->plen) {
        size_t n = t->stemlen < sizeof c->buf - c->plen - 1
                       ? t->stemlen : sizeof c->buf - c->plen - 1;
        memcpy(c->buf, c->prefix, c->plen);
        memcpy(c->buf + c->plen, t->stem, n);
        st = cti_doc_add_posting(c->doc, c->buf, c->plen + n, t->pos, 1);
        if (st != CTI_OK)
            return st;
    }
    return 0;
}

static int analyze_field(cti_analyzer *an, build_ctx *c, const char *text,
                         size_t len, uint32_t pos0, const char *prefix,
                         int plain, smap *spell)
{
    if (!text || !len)
        return 0;
    c->prefix = prefix;
    c->plen = prefix ? strlen(prefix) : 0;
    c->plain = plain;
    c->spell = spell;
    return cti_analyze(an, text, len, pos0, on_token, c);
}

static cti_status add_bool(cti_doc *doc, const char *prefix, const char *s,
                           size_t n)
{
    char buf[32];
    size_t pl = strlen(prefix);
    memcpy(buf, prefix, pl);
    memcpy(buf + pl, s, n);
    return cti_doc_add_term(doc, buf, pl + n, 0);
}

/*
 * Build the document of article 'a' into 'doc' (cleared first), counting
 * its words into 'spell' under number 'docno'.  Returns 0 or a
 * cti_status / -1 (no memory, record encoding).
 */
static int doc_build(cti_analyzer *an, cti_doc *doc, const cti_article *a,
                     int zlevel, smap *spell, uint32_t docno)
{
    build_ctx c;
    int rc;
    char *data = NULL;
    size_t datalen = 0;
    memset(&c, 0, sizeof c);
    c.doc = doc;
    c.docno = docno;
    cti_doc_clear(doc);

    /* A title made from the body (no headline given) is posted once: the
       body holds its words.  An opening sentence stands as the headline
       (title prefix only); a whole text of 20 words or fewer is no
       headline at all, so only its spelling is counted (as the stored
       record's title is when the article leaves). */
    size_t tlen = a->title ? strlen(a->title) : 0;
    c.lastpos = 0;
    c.doc = a->title_from == CTI_TITLE_WHOLE ? NULL : doc;
    rc = analyze_field(an, &c, a->title, tlen, CTI_POS_TITLE, CTI_PREFIX_TITLE,
                       a->title_from == CTI_TITLE_GIVEN, spell);
    if (rc)
        return rc;
    c.doc = doc;
    if (a->title_from == CTI_TITLE_WHOLE)
        c.lastpos = 0;
    uint32_t body0 = CTI_POS_BODY;
    if (c.lastpos + 2 > body0)
        body0 = c.lastpos + 2;
    rc = analyze_field(an, &c, a->body, a->body_len, body0, NULL, 1, spell);
    if (rc)
        return rc;
    if (a->author && (rc = analyze_field(an, &c, a->author, strlen(a->author),
                                         1, CTI_PREFIX_AUTHOR, 0, NULL)))
        return rc;
    if (a->source && (rc = analyze_field(an, &c, a->source, strlen(a->source),
                                         1, CTI_PREFIX_SOURCE, 0, NULL)))
        return rc;

    char ymd[9];
    if (a->date && cti_date_normalize(a->date, ymd) == 0) {
        if ((rc = add_bool(doc, CTI_PREFIX_YEAR, ymd, 4)) ||
            (memcmp(ymd + 4, "00", 2) &&
             (rc = add_bool(doc, CTI_PREFIX_MONTH, ymd, 6))) ||
            (memcmp(ymd + 6, "00", 2) &&
             (rc = add_bool(doc, CTI_PREFIX_DATE, ymd, 8))) ||
            (rc = cti_doc_set_value(doc, CTI_SLOT_DATE, ymd, 8)))
            return rc;
    }

    size_t idlen = strlen(a->id);
    char idterm[CTI_IDTERM_MAX + 1];
    size_t itl = cti_indexer_idterm(a->id, idlen, idterm);
    if ((rc = cti_doc_add_term(doc, idterm, itl, 0)))
        return rc;

    /* Sync record and hash. */
    char head[64];
    int hl;
    if (a->size >= 0 && a->mtime_ns >= 0 && a->line == 0)
        hl = snprintf(head, sizeof head, "f %" PRId64 " %" PRId64 " ",
                      a->size, a->mtime_ns);
    else
        hl = snprintf(head, sizeof head, "j ");
    char *sv = malloc((size_t)hl + idlen);
    if (!sv)
        return CTI_ENOMEM;
    memcpy(sv, head, (size_t)hl);
    memcpy(sv + hl, a->id, idlen);
    rc = cti_doc_set_value(doc, CTI_SLOT_SOURCE, sv, (size_t)hl + idlen);
    free(sv);
    if (rc)
        return rc;
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, a->hash);
    if ((rc = cti_doc_set_value(doc, CTI_SLOT_HASH, hex, 16)))
        return rc;

    cti_record r;
    memset(&r, 0, sizeof r);
    r.id = a->id;
    r.id_len = idlen;
#define FIELD(f)                                                 \
    if (a->f) {                                                  \
        r.f = a->f;                                              \
        r.f##_len = strlen(a->f);                                \
    }
    FIELD(title)
    FIELD(date)
    FIELD(author)
    FIELD(source)
    FIELD(url)
#undef FIELD
    r.body = a->body;
    r.body_len = a->body ? a->body_len : 0;
    if (cti_record_encode(&r, zlevel, &data, &datalen) < 0)
        return -1;
    rc = cti_doc_set_data(doc, data, datalen);
    free(data);
    return rc;
}

/* Write the counted words to 'db' as spelling data and forget them. */
static int spell_flush(smap *m, cti_db *db)
{
    for (size_t i = 0; i < m->cap; i++) {
        smap_ent *e = &m->t[i];
        if (e->key && e->val) {
            cti_status st = cti_db_add_spelling(db, e->key, e->len, e->val);
            if (st != CTI_OK)
                return st;
        }
    }
    smap_clear(m);
    return 0;
}

/*
 * Before article 'idterm' leaves the main database: take its words out of
 * the spelling data (read back from its stored record).
 */
static int spell_forget(cti_indexer *ix, const char *idterm, size_t itl)
{
    uint32_t docid;
    char *data = NULL;
    size_t len;
    cti_record r;
    int rc = 0;
    cti_status st = cti_db_find(ix->main, idterm, itl, &docid);
    if (st == CTI_ENOTFOUND)
        return 0;
    if (st != CTI_OK)
        return st;
    if ((st = cti_db_get_data(ix->main, docid, &data, &len)) != CTI_OK)
        return st;
    if (cti_record_decode(data, len, 1, &r, NULL, 0) < 0) {
        free(data); /* not ours or corrupt: nothing to forget */
        return 0;
    }
    free(data);
    build_ctx c;
    memset(&c, 0, sizeof c);
    c.docno = 1;
    if ((rc = analyze_field(ix->an, &c, r.title, r.title_len, CTI_POS_TITLE,
                            NULL, 0, &ix->forget)) ||
        (rc = analyze_field(ix->an, &c, r.body, r.body_len, CTI_POS_BODY,
                            NULL, 0, &ix->forget)))
        goto done;
    for (size_t i = 0; i < ix->forget.cap; i++) {
        smap_ent *e = &ix->forget.t[i];
        if (e->key && (st = cti_db_remove_spelling(ix->main, e->key, e->len,
                                                   1)) != CTI_OK) {
            rc = st;
            goto done;
        }
    }
done:
    smap_clear(&ix->forget);
    cti_record_release(&r);
    return rc;
}

/* ---- the main database ---- */

static int set_meta(cti_db *db, const char *language)
{
    cti_status st = cti_db_set_metadata(db, CTI_META_SCHEMA,
                                        CTI_SCHEMA_VERSION,
                                        strlen(CTI_SCHEMA_VERSION));
    if (st == CTI_OK)
        st = cti_db_set_metadata(db, CTI_META_LANGUAGE, language,
                                 strlen(language));
    return st;
}

static int fatal_db(cti_indexer *ix, const char *what, cti_status st)
{
    say(ix, "%s: %s: %s (%s)", ix->dir, what, cti_errmsg(),
        cti_status_str(st));
    ix->fatal = 1;
    return -1;
}

/* Create a new, empty main database db.<gen> (not yet listed). */
static int main_create(cti_indexer *ix)
{
    char name[32];
    snprintf(name, sizeof name, "db.%u", ix->gen++);
    char *path = path_join(ix->dir, name);
    if (!path)
        return -1;
    cti_status st = cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE, &ix->main);
    free(path);
    if (st != CTI_OK)
        return fatal_db(ix, "cannot create the index", st);
    if ((st = set_meta(ix->main, ix->language)) != CTI_OK ||
        (st = cti_db_commit(ix->main)) != CTI_OK)
        return fatal_db(ix, "cannot write the index", st);
    ix->mainname = strdup(name);
    return ix->mainname ? stub_write(ix) : -1;
}

/* Commit the main database's pending changes (and direct-path spelling). */
static int main_commit(cti_indexer *ix)
{
    cti_status st;
    if (!ix->main)
        return 0;
    if (ix->spell.n && (st = spell_flush(&ix->spell, ix->main)) != CTI_OK)
        return fatal_db(ix, "cannot write spelling data", st);
    if (!ix->main_dirty && !ix->pending)
        return 0;
    if ((st = cti_db_commit(ix->main)) != CTI_OK)
        return fatal_db(ix, "cannot commit", st);
    ix->main_dirty = 0;
    ix->pending = 0;
    return 0;
}

/*
 * Compact the databases 'names' (n, inside the index folder) into a new
 * main database, list only it in the stub, and remove the old ones.
 * ix->main must be closed.
 */
static int merge_into_new_main(cti_indexer *ix, char **names, size_t n)
{
    char name[32];
    int rc = -1;
    const char **srcs = calloc(n ? n : 1, sizeof *srcs);
    char *dest = NULL;
    if (!srcs)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(srcs[i] = path_join(ix->dir, names[i])))
            goto done;
    snprintf(name, sizeof name, "db.%u", ix->gen++);
    if (!(dest = path_join(ix->dir, name)))
        goto done;
    cti_path_remove_tree(dest);
    cti_status st = cti_db_compact(srcs, n, dest, 0);
    if (st != CTI_OK) {
        fatal_db(ix, "cannot merge the index", st);
        cti_path_remove_tree(dest);
        goto done;
    }
    char *keep = strdup(name);
    if (!keep)
        goto done;
    /* Swap: the old names stay in 'names' until removed below. */
    char *oldmain = ix->mainname;
    char **oldsegs = ix->segs;
    size_t noldsegs = ix->nsegs;
    ix->mainname = keep;
    ix->segs = NULL;
    ix->nsegs = ix->capsegs = 0;
    if (stub_write(ix) < 0) {
        ix->fatal = 1;
        free(oldmain);
        for (size_t i = 0; i < noldsegs; i++)
            free(oldsegs[i]);
        free(oldsegs);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        cti_path_remove_tree(srcs[i]);
    free(oldmain);
    for (size_t i = 0; i < noldsegs; i++)
        free(oldsegs[i]);
    free(oldsegs);
    rc = 0;
done:
    for (size_t i = 0; i < n; i++)
        free((char *)srcs[i]);
    free(srcs);
    free(dest);
    return rc;
}

/* The names of every listed database (main first); caller frees the array only. */
static char **listed_names(cti_indexer *ix, size_t *n)
{
    char **v = malloc((ix->nsegs + 1) * sizeof *v);
    if (!v)
        return NULL;
    size_t k = 0;
    if (ix->mainname)
        v[k++] = ix->mainname;
    for (size_t i = 0; i < ix->nsegs; i++)
        v[k++] = ix->segs[i];
    *n = k;
    return v;
}

/* Merge everything listed into a new main database; reopen it writable. */
static int merge_all(cti_indexer *ix)
{
    size_t n;
    if (ix->sync_db == ix->main)
        ix->sync_db = NULL; /* a merge ends the run: no lookups after it */
    if (ix->main) {
        cti_status st = cti_db_close(ix->main);
        ix->main = NULL;
        if (st != CTI_OK)
            return fatal_db(ix, "cannot commit", st);
    }
    char **names = listed_names(ix, &n);
    if (!names)
        return -1;
    if (n == 0) {
        free(names); /* nothing listed yet: finish creates an empty index */
        return 0;
    }
    int rc = merge_into_new_main(ix, names, n);
    free(names);
    if (rc < 0)
        return -1;
    char *path = path_join(ix->dir, ix->mainname);
    if (!path)
        return -1;
    cti_status st = cti_db_open(path, CTI_DB_OPEN, &ix->main);
    free(path);
    if (st != CTI_OK)
        return fatal_db(ix, "cannot open the index", st);
    return 0;
}

/* ---- bulk path: workers and segments ---- */

static void werror(cti_indexer *ix, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&ix->mu);
    if (!ix->werr)
        ix->werr = strdup(msg);
    pthread_mutex_unlock(&ix->mu);
}

/* Close the worker's segment: spelling, metadata, commit, sync, hand it over. */
static int seg_close(worker *w)
{
    cti_indexer *ix = w->ix;
    cti_status st = CTI_OK;
    int rc = 0;
    if (!w->seg)
        return 0;
    if ((st = set_meta(w->seg, ix->language)) != CTI_OK) {
        werror(ix, "cannot write segment %s: %s", w->segname, cti_errmsg());
        cti_db_free(w->seg);
        rc = -1;
    } else if ((st = cti_db_close(w->seg)) != CTI_OK) {
        werror(ix, "cannot write segment %s: %s", w->segname, cti_errmsg());
        rc = -1;
    }
    /* Spelling counts go to the run's map: written once, at the end. */
    pthread_mutex_lock(&ix->mu);
    for (size_t i = 0; rc == 0 && i < w->spell.cap; i++) {
        smap_ent *e = &w->spell.t[i], *g;
        if (!e->key)
            continue;
        if (!(g = smap_get(&ix->gspell, e->key, e->len, 1, NULL))) {
            werror(ix, "out of memory");
            rc = -1;
        } else {
            g->val += e->val;
        }
    }
    pthread_mutex_unlock(&ix->mu);
    smap_clear(&w->spell);
    w->seg = NULL;
    char *path = path_join(ix->dir, w->segname);
    if (rc == 0 && (!path || sync_tree(path) < 0)) {
        werror(ix, "cannot sync segment %s: %s", w->segname, strerror(errno));
        rc = -1;
    }
    free(path);
    pthread_mutex_lock(&ix->mu);
    if (rc == 0 && ix->ndone == ix->capdone) {
        size_t nc = ix->capdone ? ix->capdone * 2 : 16;
        char **nd = realloc(ix->done, nc * sizeof *nd);
        if (nd) {
            ix->done = nd;
            ix->capdone = nc;
        } else {
            rc = -1;
        }
    }
    if (rc == 0) {
        ix->done[ix->ndone++] = w->segname;
        w->segname = NULL;
        pthread_cond_signal(&ix->cv_done);
    }
    if (rc < 0)
        ix->fatal = 1;
    pthread_mutex_unlock(&ix->mu);
    free(w->segname); /* a failed segment is debris for the next run */
    w->segname = NULL;
    w->segbytes = 0;
    return rc;
}

static int seg_open(worker *w)
{
    cti_indexer *ix = w->ix;
    char name[48];
    pthread_mutex_lock(&ix->mu);
    unsigned k = ix->segno++;
    pthread_mutex_unlock(&ix->mu);
    snprintf(name, sizeof name, "seg.%u.%u", ix->rungen, k);
    char *path = path_join(ix->dir, name);
    if (!path || !(w->segname = strdup(name))) {
        free(path);
        werror(ix, "out of memory");
        return -1;
    }
    cti_status st = cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE |
                                          CTI_DB_NO_SYNC | CTI_DB_DANGEROUS,
                                &w->seg);
    free(path);
    if (st != CTI_OK) {
        werror(ix, "cannot create segment %s: %s", name, cti_errmsg());
        free(w->segname);
        w->segname = NULL;
        return -1;
    }
    return 0;
}

static int publish(cti_indexer *ix);

static void *worker_main(void *arg)
{
    worker *w = arg;
    cti_indexer *ix = w->ix;
    int broken = 0;
    for (;;) {
        pthread_mutex_lock(&ix->mu);
        while (!ix->qhead && !ix->closing)
            pthread_cond_wait(&ix->cv_job, &ix->mu);
        job *j = ix->qhead;
        if (j) {
            ix->qhead = j->next;
            if (!ix->qhead)
                ix->qtail = NULL;
            ix->qbytes -= j->bytes;
            pthread_cond_signal(&ix->cv_room);
        }
        broken |= ix->fatal;
        pthread_mutex_unlock(&ix->mu);
        if (!j)
            break;
        if (!broken && !w->seg && seg_open(w) < 0)
            broken = 1;
        if (!broken) {
            int rc = doc_build(w->an, w->doc, &j->a, ix->o.zlevel, &w->spell,
                               ++w->docno);
            cti_status st = rc ? (cti_status)rc : cti_db_add(w->seg, w->doc,
                                                             NULL);
            if (st != CTI_OK) {
                werror(ix, "%s: cannot index: %s", j->a.id, cti_errmsg());
                broken = 1;
            } else {
                w->segbytes += j->bytes;
                if (w->segbytes >= ix->seg_limit &&
                    (seg_close(w) < 0 || publish(ix) < 0))
                    broken = 1;
            }
        }
        if (broken) {
            pthread_mutex_lock(&ix->mu);
            ix->fatal = 1;
            ix->wfailed++;
            pthread_mutex_unlock(&ix->mu);
        }
        cti_article_release(&j->a);
        free(j);
    }
    if (!broken)
        seg_close(w);
    else if (w->seg) {
        cti_db_free(w->seg);
        w->seg = NULL;
    }
    pthread_mutex_lock(&ix->mu);
    ix->running--;
    pthread_cond_signal(&ix->cv_done);
    pthread_mutex_unlock(&ix->mu);
    return NULL;
}

static int bulk_start(cti_indexer *ix)
{
    unsigned n = ix->o.jobs;
    if (n == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (unsigned)c : 1;
    }
    if (n > 64)
        n = 64;
    /* Commit direct-path work first: segments must not hold older copies. */
    if (main_commit(ix) < 0)
        return -1;
    ix->workers = calloc(n, sizeof *ix->workers);
    if (!ix->workers)
        return -1;
    ix->capworkers = n;
    ix->rungen = ix->gen++;
    ix->bulk = 1;
    ix->st.bulk = 1;
    for (unsigned i = 0; i < n; i++) {
        worker *w = &ix->workers[i];
        w->ix = ix;
        if (cti_analyzer_new(ix->language, &w->an) != 0 ||
            cti_doc_new(&w->doc) != CTI_OK) {
            say(ix, "out of memory");
            ix->fatal = 1;
            return -1;
        }
        if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
            say(ix, "cannot start a worker thread");
            ix->fatal = 1;
            return -1;
        }
        w->started = 1;
        ix->nworkers++;
        pthread_mutex_lock(&ix->mu);
        ix->running++;
        pthread_mutex_unlock(&ix->mu);
    }
    return 0;
}

/* List the segments closed so far in the stub (after committing main). */
static int publish(cti_indexer *ix)
{
    pthread_mutex_lock(&ix->pubmu);
    pthread_mutex_lock(&ix->mu);
    size_t n = ix->ndone;
    char **d = ix->done;
    ix->done = NULL;
    ix->ndone = ix->capdone = 0;
    pthread_mutex_unlock(&ix->mu);
    if (!n) {
        pthread_mutex_unlock(&ix->pubmu);
        return 0;
    }
    int rc = main_commit(ix);
    for (size_t i = 0; i < n; i++) {
        if (ix->nsegs == ix->capsegs) {
            size_t nc = ix->capsegs ? ix->capsegs * 2 : 16;
            char **ns = realloc(ix->segs, nc * sizeof *ns);
            if (!ns) {
                free(d[i]); /* unlisted: removed as debris later */
                rc = -1;
                continue;
            }
            ix->segs = ns;
            ix->capsegs = nc;
        }
        ix->segs[ix->nsegs++] = d[i];
        ix->st.segments++;
    }
    free(d);
    if (rc == 0)
        rc = stub_write(ix);
    pthread_mutex_unlock(&ix->pubmu);
    return rc;
}

/*
 * A new job holding article 'a': its strings move into the job (the
 * caller's fields are left NULL).  NULL when out of memory.
 */
static job *job_take(cti_article *a)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->a = *a;
    j->a.origin = NULL;
    a->id = a->title = a->date = a->author = a->source = a->url = a->body =
        NULL;
    j->bytes = j->a.body_len + (j->a.title ? strlen(j->a.title) : 0);
    return j;
}

/* Wait on 'cv' for at most a quarter of a second; 1 if the time ran out. */
static int wait_a_while(pthread_cond_t *cv, pthread_mutex_t *mu)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 250000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return pthread_cond_timedwait(cv, mu, &ts) == ETIMEDOUT;
}

/*
 * Wait on 'cv' (ix->mu held).  When a progress line is shown, wake up
 * now and then to keep it moving while the workers catch up.
 */
static void wait_showing_progress(cti_indexer *ix, pthread_cond_t *cv)
{
    if (ix->o.progress && !ix->o.quiet) {
        if (wait_a_while(cv, &ix->mu)) {
            pthread_mutex_unlock(&ix->mu);
            progress(ix, 0);
            pthread_mutex_lock(&ix->mu);
        }
    } else {
        pthread_cond_wait(cv, &ix->mu);
    }
}

/* Hand article 'a' (its strings moved into a job) to the workers. */
static int bulk_push(cti_indexer *ix, cti_article *a)
{
    job *j = job_take(a);
    if (!j)
        return -1;
    pthread_mutex_lock(&ix->mu);
    while (ix->qbytes > ix->q_limit && !ix->fatal)
        wait_showing_progress(ix, &ix->cv_room);
    int fatal = ix->fatal;
    if (!fatal) {
        if (ix->qtail)
            ix->qtail->next = j;
        else
            ix->qhead = j;
        ix->qtail = j;
        ix->qbytes += j->bytes;
        pthread_cond_signal(&ix->cv_job);
    }
    pthread_mutex_unlock(&ix->mu);
    if (fatal) {
        cti_article_release(&j->a);
        free(j);
        return -1;
    }
    return publish(ix);
}

/*
 * Write the run's spelling counts into a segment of their own, so the
 * final merge packs them with everything else.
 */
static int spell_segment(cti_indexer *ix)
{
    char name[48];
    cti_db *db = NULL;
    snprintf(name, sizeof name, "seg.%u.spelling", ix->rungen);
    char *path = path_join(ix->dir, name);
    char *keep = strdup(name);
    cti_status st = CTI_ENOMEM;
    int rc = -1;
    if (!path || !keep)
        goto done;
    cti_path_remove_tree(path);
    st = cti_db_open(path, CTI_DB_CREATE_OR_OVERWRITE | CTI_DB_NO_SYNC |
                               CTI_DB_DANGEROUS, &db);
    if (st == CTI_OK && (st = spell_flush(&ix->gspell, db)) == CTI_OK &&
        (st = set_meta(db, ix->language)) == CTI_OK) {
        st = cti_db_close(db);
        db = NULL;
    }
    if (st != CTI_OK)
        goto done;
    if (ix->nsegs == ix->capsegs) {
        size_t nc = ix->capsegs ? ix->capsegs * 2 : 16;
        char **ns = realloc(ix->segs, nc * sizeof *ns);
        if (!ns)
            goto done;
        ix->segs = ns;
        ix->capsegs = nc;
    }
    ix->segs[ix->nsegs++] = keep;
    keep = NULL;
    rc = 0;
done:
    if (rc < 0)
        fatal_db(ix, "cannot write spelling data", st);
    cti_db_free(db);
    free(path);
    free(keep);
    return rc;
}

/*
 * An interrupted bulk run wrote no spelling data for the articles in its
 * segments: count their words again from their stored records, into a
 * spelling segment that the recovery merge takes along.
 */
static int spell_recover(cti_indexer *ix)
{
    uint32_t docno = 0;
    ix->rungen = ix->gen++;
    for (size_t i = 0; i < ix->nsegs; i++) {
        char *path = path_join(ix->dir, ix->segs[i]);
        cti_db *db = NULL;
        uint32_t last = 0;
        cti_status st = path ? cti_db_open(path, CTI_DB_READ, &db)
                             : CTI_ENOMEM;
        free(path);
        if (st == CTI_OK)
            st = cti_db_lastdocid(db, &last);
        for (uint32_t d = 1; st == CTI_OK && d <= last; d++) {
            char *data = NULL;
            size_t len = 0;
            cti_record r;
            st = cti_db_get_data(db, d, &data, &len);
            if (st == CTI_ENOTFOUND) {
                st = CTI_OK;
                continue;
            }
            if (st != CTI_OK)
                break;
            if (cti_record_decode(data, len, 1, &r, NULL, 0) == 0) {
                build_ctx c;
                memset(&c, 0, sizeof c);
                c.docno = ++docno;
                int rc = analyze_field(ix->an, &c, r.title, r.title_len,
                                       CTI_POS_TITLE, NULL, 0, &ix->gspell);
                if (!rc)
                    rc = analyze_field(ix->an, &c, r.body, r.body_len,
                                       CTI_POS_BODY, NULL, 0, &ix->gspell);
                if (rc)
                    st = CTI_ENOMEM;
                cti_record_release(&r);
            }
            free(data);
        }
        cti_db_free(db);
        if (st != CTI_OK)
            return fatal_db(ix, "cannot read an interrupted run's segment", st);
    }
    return ix->gspell.n ? spell_segment(ix) : 0;
}

/* Stop the workers (they close their segments) and publish what they built. */
static int bulk_stop(cti_indexer *ix)
{
    int rc = 0;
    pthread_mutex_lock(&ix->mu);
    ix->closing = 1;
    pthread_cond_broadcast(&ix->cv_job);
    /* Publish segments as they are completed, until every worker is done. */
    while (ix->running) {
        while (ix->running && !ix->ndone)
            wait_showing_progress(ix, &ix->cv_done);
        pthread_mutex_unlock(&ix->mu);
        if (publish(ix) < 0)
            rc = -1;
        progress(ix, 0);
        pthread_mutex_lock(&ix->mu);
    }
    pthread_mutex_unlock(&ix->mu);
    for (unsigned i = 0; i < ix->nworkers; i++)
        if (ix->workers[i].started) {
            pthread_join(ix->workers[i].th, NULL);
            ix->workers[i].started = 0;
        }
    if (ix->werr)
        say(ix, "%s: %s", ix->dir, ix->werr);
    return publish(ix) < 0 || rc < 0 || ix->fatal ? -1 : 0;
}

/* ---- articles ---- */

/*
 * Write article 'a' on the current path.  'in_main' says an older version
 * is in the main database (indexed before this run, or written directly
 * earlier in this run).
 */
static int write_article(cti_indexer *ix, cti_article *a, sync_ent *s,
                         int in_main)
{
    char idterm[CTI_IDTERM_MAX + 1];
    size_t itl = cti_indexer_idterm(a->id, strlen(a->id), idterm);
    int rc;
    cti_status st;

    if (ix->bulk)
        pthread_mutex_lock(&ix->pubmu);
    rc = in_main && ix->main ? spell_forget(ix, idterm, itl) : 0;
    if (ix->bulk)
        pthread_mutex_unlock(&ix->pubmu);
    if (rc)
        return fatal_db(ix, "cannot update spelling data", (cti_status)rc);

    if (!ix->bulk && !ix->finished && ix->o.bulk != CTI_BULK_NEVER &&
        (ix->o.bulk == CTI_BULK_ALWAYS ||
         ix->written >= (ix->doccount0 / 4 > SWITCH_MIN ? ix->doccount0 / 4
                                                        : SWITCH_MIN)) &&
        bulk_start(ix) < 0)
        return -1;

    if (ix->bulk && in_main && ix->main) {
        /*
         * An update during a bulk run is replaced in the main database
         * itself: one commit swaps the old version for the new, so readers
         * always see exactly one of them.  (Deleting it from main and
         * sending the new version to a segment would leave a moment, from
         * main's commit until the segment is listed, with neither.)
         */
        pthread_mutex_lock(&ix->pubmu); /* publish() flushes ix->spell */
        rc = doc_build(ix->an, ix->doc, a, ix->o.zlevel, &ix->spell,
                       ++ix->docno);
        if (rc) {
            pthread_mutex_unlock(&ix->pubmu);
            return fatal_db(ix, "cannot build document", (cti_status)rc);
        }
        st = cti_db_replace(ix->main, idterm, itl, ix->doc, NULL);
        ix->main_dirty = 1;
        rc = st == CTI_OK && ++ix->pending >= ix->o.batch ? main_commit(ix)
                                                          : 0;
        pthread_mutex_unlock(&ix->pubmu);
        if (st != CTI_OK)
            return fatal_db(ix, "cannot write", st);
        ix->written++;
        return rc;
    }
    if (ix->bulk) {
        s->state |= ST_SEG;
        ix->written++;
        return bulk_push(ix, a);
    }

    if (!ix->main && main_create(ix) < 0)
        return -1;
    rc = doc_build(ix->an, ix->doc, a, ix->o.zlevel, &ix->spell, ++ix->docno);
    if (rc)
        return fatal_db(ix, "cannot build document", (cti_status)rc);
    if ((st = cti_db_replace(ix->main, idterm, itl, ix->doc, NULL)) != CTI_OK)
        return fatal_db(ix, "cannot write", st);
    ix->written++;
    if (++ix->pending >= ix->o.batch)
        return main_commit(ix);
    return 0;
}

/* Defer a later version of an id whose earlier version is in a segment. */
static void defer_article(cti_indexer *ix, cti_article *a)
{
    job *j = job_take(a);
    if (!j) {
        ix->st.failed++;
        return;
    }
    *ix->deferred_tail = j;
    ix->deferred_tail = &j->next;
}

/* The progress line of a sharded index: the sums of its shards. */
static void shards_progress(cti_indexer *ix)
{
    cti_indexer_stats keep = ix->st;
    for (unsigned i = 0; i < ix->nshards; i++) {
        ix->st.added += ix->shard[i]->st.added;
        ix->st.updated += ix->shard[i]->st.updated;
        ix->st.unchanged += ix->shard[i]->st.unchanged;
        ix->st.bytes += ix->shard[i]->st.bytes;
    }
    progress(ix, 0);
    ix->st = keep;
    /* A shard's message first clears the line. */
    for (unsigned i = 0; i < ix->nshards; i++)
        ix->shard[i]->progress_shown |= ix->progress_shown;
}

static int cb_want_file(void *ctx, const char *id, const struct stat *sb)
{
    cti_indexer *ix = ctx;
    if (ix->nshards) {
        int want = cb_want_file(ix->shard[cti_shard_pick(id, strlen(id),
                                                         ix->nshards)], id, sb);
        shards_progress(ix);
        return want;
    }
    if (ix->fatal)
        return 0;
    sync_ent *s = sync_lookup(ix, id, strlen(id));
    if (!s)
        return ix->fatal ? 0 : 1;
    if (s->state & ST_SEEN)
        return 0; /* met twice in this run (a folder and a file in it) */
    s->state |= ST_SEEN;
    int64_t mt = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    if ((s->state & ST_INDEXED) && s->kind == 'f' && s->size == sb->st_size &&
        s->mtime == mt) {
        ix->st.unchanged++;
        progress(ix, 0);
        return 0;
    }
    return 1;
}

static int cb_article(void *ctx, cti_article *a)
{
    cti_indexer *ix = ctx;
    if (ix->nshards && a->id && *a->id) {
        int rc = cb_article(ix->shard[cti_shard_pick(a->id, strlen(a->id),
                                                     ix->nshards)], a);
        shards_progress(ix);
        return rc;
    }
    if (ix->fatal)
        return -1;
    if (!a->id || !*a->id) {
        ix->st.failed++;
        return 0;
    }
    sync_ent *s = sync_lookup(ix, a->id, strlen(a->id));
    if (!s && ix->fatal)
        return -1;
    if (!s)
        s = ent_get(ix, a->id, strlen(a->id), 1);
    if (!s) {
        say(ix, "out of memory");
        ix->fatal = 1;
        return -1;
    }
    int file = a->line == 0 && a->size >= 0 && a->mtime_ns >= 0;
    int again = (s->state & ST_ARTICLE) != 0;
    s->state |= ST_SEEN;
    size_t bytes = a->body_len + (a->title ? strlen(a->title) : 0);

    if (again) {
        /* A later article with the id of one handled in this run wins. */
        if (s->hash == a->hash) {
            ix->st.unchanged++;
            return 0;
        }
        s->hash = a->hash;
        ix->st.updated++;
        ix->st.bytes += bytes;
        if (ix->bulk && (s->state & ST_SEG)) {
            defer_article(ix, a);
            return 0;
        }
        return write_article(ix, a, s, 1) < 0 ? -1 : 0;
    }
    s->state |= ST_ARTICLE;
    int touched = 0;
    if (s->state & ST_INDEXED) {
        if (s->hash == a->hash &&
            (!file || (s->size == a->size && s->mtime == a->mtime_ns))) {
            ix->st.unchanged++;
            progress(ix, 0);
            return 0;
        }
        touched = s->hash == a->hash; /* same content, new stat: record it */
        if (touched)
            ix->st.unchanged++;
        else
            ix->st.updated++;
    } else {
        ix->st.added++;
    }
    s->hash = a->hash;
    s->kind = file ? 'f' : 'j';
    s->size = file ? a->size : -1;
    s->mtime = file ? a->mtime_ns : -1;
    if (!touched)
        ix->st.bytes += bytes;
    int rc = write_article(ix, a, s, (s->state & ST_INDEXED) != 0);
    progress(ix, 0);
    return rc < 0 ? -1 : 0;
}

static void cb_problem(void *ctx, const char *path, unsigned long line,
                       const char *msg, int skipped)
{
    cti_indexer *ix = ctx;
    if (skipped == 1)
        ix->st.failed++;
    else if (skipped == 0)
        ix->st.warnings++;
    else
        ix->st.skipped++;
    if (skipped != 1 && ix->o.quiet)
        return;
    if (line)
        say(ix, "%s:%lu: %s", path, line, msg);
    else
        say(ix, "%s: %s", path, msg);
}

static void cb_walked_dir(void *ctx, const char *dir)
{
    cti_indexer *ix = ctx;
    for (unsigned i = 0; i < ix->nshards; i++)
        cb_walked_dir(ix->shard[i], dir);
    if (!smap_get(&ix->walked, dir, strlen(dir), 1, NULL))
        ix->fatal = 1;
}

/* Delete indexed file articles under a walked folder that were not seen. */
static int remove_gone_locked(cti_indexer *ix);

static int remove_gone(cti_indexer *ix)
{
    if (ix->walked.n && sync_complete(ix) < 0)
        return -1;
    if (ix->bulk)
        pthread_mutex_lock(&ix->pubmu);
    int rc = remove_gone_locked(ix);
    if (ix->bulk)
        pthread_mutex_unlock(&ix->pubmu);
    return rc;
}

static int remove_gone_locked(cti_indexer *ix)
{
    if (!ix->walked.n || !ix->main)
        return 0;
    for (size_t i = 0; i < ix->ids.cap; i++) {
        smap_ent *e = &ix->ids.t[i];
        if (!e->key)
            continue;
        sync_ent *s = &ix->ents[e->val];
        if (!(s->state & ST_INDEXED) || (s->state & ST_SEEN) || s->kind != 'f')
            continue;
        int gone = 0;
        for (size_t k = 1; k < e->len && !gone; k++)
            if (e->key[k - 1] == '/' &&
                smap_get(&ix->walked, e->key, k, 0, NULL))
                gone = 1;
        if (!gone)
            continue;
        char idterm[CTI_IDTERM_MAX + 1];
        size_t itl = cti_indexer_idterm(e->key, e->len, idterm);
        int rc = spell_forget(ix, idterm, itl);
        cti_status st = rc ? (cti_status)rc
                           : cti_db_delete(ix->main, idterm, itl);
        if (st != CTI_OK)
            return fatal_db(ix, "cannot delete", st);
        s->state &= (unsigned char)~ST_INDEXED;
        ix->main_dirty = 1;
        ix->st.removed++;
        if (++ix->pending >= ix->o.batch && main_commit(ix) < 0)
            return -1;
    }
    return 0;
}

/* ---- public API ---- */

void cti_indexer_opts_init(cti_indexer_opts *o)
{
    memset(o, 0, sizeof *o);
    o->bulk = CTI_BULK_AUTO;
    o->zlevel = -1;
}

static int take_lock(cti_indexer *ix)
{
    char *p = path_join(ix->dir, LOCK_NAME);
    if (!p)
        return -1;
    ix->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    free(p);
    if (ix->lockfd < 0) {
        say(ix, "cannot open index '%s': %s", ix->dir, strerror(errno));
        return -1;
    }
    if (flock(ix->lockfd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    ix->t0 = 0; /* the clock starts once the lock is ours */
    if (errno != EWOULDBLOCK) {
        say(ix, "cannot lock index '%s': %s", ix->dir, strerror(errno));
        return -1;
    }
    if (!ix->o.wait) {
        say(ix, "index '%s' is being written by another cti-index "
            "(use --wait to wait for it)", ix->dir);
        return -1;
    }
    if (!ix->o.quiet)
        say(ix, "waiting for another cti-index writing '%s'", ix->dir);
    while (flock(ix->lockfd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            say(ix, "cannot lock index '%s': %s", ix->dir, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/*
 * Open the listed databases for reading (or use 'use', e.g. a remote
 * main database): check schema and language, load the sync map.
 */
static int check_and_load(cti_indexer *ix, cti_db *use)
{
    cti_db *db = use;
    char *schema = NULL, *lang = NULL;
    int rc = -1;
    cti_status st = use ? CTI_OK : cti_db_open(ix->dir, CTI_DB_READ, &db);
    if (st != CTI_OK) {
        say(ix, "cannot open index '%s': %s", ix->dir, cti_errmsg());
        goto done;
    }
    if (cti_db_get_metadata(db, CTI_META_SCHEMA, &schema, NULL) != CTI_OK ||
        cti_db_get_metadata(db, CTI_META_LANGUAGE, &lang, NULL) != CTI_OK) {
        say(ix, "cannot read index '%s': %s", ix->dir, cti_errmsg());
        goto done;
    }
    if (strcmp(schema, CTI_SCHEMA_VERSION)) {
        say(ix, "index '%s' has schema version '%s'; this cti-index writes "
            "version %s (re-create the index)", ix->dir, schema,
            CTI_SCHEMA_VERSION);
        goto done;
    }
    if (ix->o.language && strcmp(ix->o.language, lang)) {
        say(ix, "index '%s' was built for language '%s', not '%s' "
            "(use another --db for another language)", ix->dir, lang,
            ix->o.language);
        goto done;
    }
    if (!*lang || strlen(lang) >= sizeof ix->language) {
        say(ix, "index '%s' records no language", ix->dir);
        goto done;
    }
    strcpy(ix->language, lang);
    if (cti_db_doccount(db, &ix->doccount0) != CTI_OK)
        goto done;
    if (use)
        ix->sync_db = use; /* read records as they are needed */
    else if (sync_load(ix, db) < 0)
        goto done;
    rc = 0;
done:
    free(schema);
    free(lang);
    if (!use)
        cti_db_free(db);
    return rc;
}

/* ---- sharded and remote indexes (cti_shard.h) ---- */

/*
 * Refuse to write one shard of a sharded index on its own (its articles
 * would bypass placement), unless its sharded index opened it
 * (o.shards == 1).  'db' is the open database, or NULL to open ix->dir.
 * Returns 0, or -1 (reported).
 */
static int not_a_lone_shard(cti_indexer *ix, cti_db *db)
{
    cti_db *own = NULL;
    char *k = NULL;
    int rc = 0;
    if (ix->o.shards == 1)
        return 0;
    if (!db && cti_db_open(ix->dir, CTI_DB_READ, &own) != CTI_OK)
        return 0; /* the usual checks follow */
    if (cti_db_get_metadata(db ? db : own, CTI_META_SHARD, &k, NULL) ==
            CTI_OK && *k) {
        say(ix, "'%s' is shard %s of a sharded index: index through the "
            "index folder, or a stub listing all its shards in order",
            ix->dir, k);
        rc = -1;
    }
    free(k);
    cti_db_free(own);
    return rc;
}

/*
 * Open the remote database 't' (a writable xapian-tcpsrv) as the main
 * database: no folder, lock or segments; every change is written
 * directly.  Returns 0 or -1 (reported).
 */
static int remote_open(cti_indexer *ix, const cti_shard_target *t)
{
    char *schema = NULL;
    uint32_t n = 0;
    int rc = -1;
    ix->remote = 1;
    ix->o.bulk = CTI_BULK_NEVER;
    if (ix->o.compact) {
        say(ix, "cannot compact the remote database '%s': run xapian-compact "
            "where it is served", ix->dir);
        return -1;
    }
    cti_status st = cti_db_open_remote(t->host, t->port, 0, 1, &ix->main);
    if (st != CTI_OK) {
        say(ix, "cannot open index '%s': %s", ix->dir, cti_errmsg());
        return -1;
    }
    if (not_a_lone_shard(ix, ix->main) < 0)
        goto done;
    if (cti_db_get_metadata(ix->main, CTI_META_SCHEMA, &schema, NULL) !=
            CTI_OK ||
        cti_db_doccount(ix->main, &n) != CTI_OK) {
        say(ix, "cannot read index '%s': %s", ix->dir, cti_errmsg());
        goto done;
    }
    if (*schema) {
        rc = check_and_load(ix, ix->main);
    } else if (n == 0) {
        snprintf(ix->language, sizeof ix->language, "%s",
                 ix->o.language ? ix->o.language : "english");
        if ((st = set_meta(ix->main, ix->language)) != CTI_OK) {
            say(ix, "cannot write index '%s': %s", ix->dir, cti_errmsg());
            goto done;
        }
        ix->main_dirty = 1;
        rc = 0;
    } else {
        say(ix, "'%s' is not a cti index (a Xapian database without a cti "
            "schema)", ix->dir);
    }
done:
    free(schema);
    return rc;
}

/*
 * Look at what o->db names (cti_shard_layout_read).  Returns 0 for a
 * local index of one database (the caller sets it up), 1 when 'ix' was
 * set up as a remote database or as the parent of one indexer per shard
 * (creating the layout of a new sharded index), -1 on failure (reported).
 */
static int layout_open(cti_indexer *ix, const cti_indexer_opts *o)
{
    cti_shard_layout lay;
    char err[512];
    int rc = -1;
    unsigned want = o->shards > 1 ? o->shards : 0;
    if (cti_shard_layout_read(o->db, &lay, err, sizeof err) != CTI_OK) {
        say(ix, "cannot open index '%s': %s", o->db, err);
        return -1;
    }
    if (lay.kind == CTI_SHARD_NONE && !want) {
        rc = 0;
        goto done;
    }
    if (lay.kind == CTI_SHARD_SINGLE) {
        if (want)
            say(ix, "index '%s' is not sharded; --shards applies to a new "
                "index (give --db a new folder)", o->db);
        else
            rc = not_a_lone_shard(ix, NULL);
        goto done;
    }
    if (lay.kind != CTI_SHARD_NONE && want && want != lay.n) {
        say(ix, "index '%s' has %u shards, not %u (the number of shards of "
            "an index never changes)", o->db, lay.n, want);
        goto done;
    }
    if (lay.kind == CTI_SHARD_TCP ||
        (lay.kind == CTI_SHARD_FILE && lay.n == 1 && lay.t[0].host)) {
        rc = remote_open(ix, &lay.t[0]) < 0 ? -1 : 1;
        goto done;
    }
    if (lay.kind == CTI_SHARD_FILE && o->compact) {
        say(ix, "cannot compact '%s': compact each database it lists where "
            "it lives (xapian-compact)", o->db);
        goto done;
    }
    ix->kind = lay.kind == CTI_SHARD_FILE ? CTI_SHARD_FILE : CTI_SHARD_DIR;
    if (ix->kind == CTI_SHARD_DIR) {
        if (refuse_foreign(ix) < 0)
            goto done;
        if (make_dirs(ix->dir) < 0) {
            say(ix, "cannot create index '%s': %s", ix->dir, strerror(errno));
            goto done;
        }
        if (take_lock(ix) < 0)
            goto done;
        if (lay.kind == CTI_SHARD_NONE) {
            if (cti_shard_layout_create(ix->dir, want, err, sizeof err) !=
                    CTI_OK ||
                cti_shard_layout_read(ix->dir, &lay, err, sizeof err) !=
                    CTI_OK) {
                say(ix, "cannot create index '%s': %s", ix->dir, err);
                goto done;
            }
        }
    }
    if (!(ix->shard = calloc(lay.n, sizeof *ix->shard)))
        goto done;
    unsigned jobs = o->jobs;
    if (!jobs) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 ? (unsigned)c : 1;
    }
    unsigned mem = o->memory_mb ? o->memory_mb : DEFAULT_MEMORY_MB;
    for (unsigned i = 0; i < lay.n; i++) {
        cti_shard_target *t = &lay.t[i];
        cti_indexer_opts so = *o;
        char tcp[320];
        so.shards = 1; /* a shard, opened by its sharded index */
        so.compact = 0;
        so.progress = 0;
        so.err = ix->err;
        so.jobs = jobs / lay.n ? jobs / lay.n : 1;
        so.memory_mb = mem / lay.n > 32 ? mem / lay.n : 32;
        if (t->host) {
            int v6 = strchr(t->host, ':') != NULL;
            snprintf(tcp, sizeof tcp, "tcp:%s%s%s:%u", v6 ? "[" : "",
                     t->host, v6 ? "]" : "", t->port);
            so.db = tcp;
        } else {
            so.db = t->path;
        }
        if (cti_indexer_new(&so, &ix->shard[i]) < 0)
            goto done;
        ix->nshards++;
        /* Each shard knows its number: a stub listing them out of order
           would send articles to the wrong shard. */
        char *k = NULL;
        cti_db *db = ix->shard[i]->main;
        if (db && cti_db_get_metadata(db, CTI_META_SHARD, &k, NULL) == CTI_OK &&
            *k && strtoul(k, NULL, 10) != i) {
            say(ix, "index '%s': %s is shard %s, not shard %u (list the "
                "shards in order)", o->db, t->label, k, i);
            free(k);
            goto done;
        }
        free(k);
        if (strcmp(ix->shard[i]->language, ix->shard[0]->language)) {
            say(ix, "index '%s': shard %u has language '%s', shard 0 '%s'",
                o->db, i, ix->shard[i]->language, ix->shard[0]->language);
            goto done;
        }
    }
    snprintf(ix->language, sizeof ix->language, "%s", ix->shard[0]->language);
    /* Shard 0 records how many shards there are: the stub must agree. */
    char *v = NULL;
    cti_db *db0 = ix->shard[0]->main;
    if (db0 && cti_db_get_metadata(db0, CTI_META_SHARDS, &v, NULL) == CTI_OK &&
        *v && strtoul(v, NULL, 10) != lay.n) {
        say(ix, "index '%s' lists %u shards but its first shard belongs to "
            "an index of %s", o->db, lay.n, v);
        free(v);
        goto done;
    }
    free(v);
    rc = 1;
done:
    cti_shard_layout_free(&lay);
    return rc;
}

/* One shard finishing (its last segments, its merge) in a thread. */
typedef struct shard_end {
    cti_indexer *ix;
    cti_indexer_stats st;
    int rc;
    pthread_t th;
    int started;
} shard_end;

static void *shard_end_main(void *arg)
{
    shard_end *e = arg;
    e->rc = cti_indexer_finish(e->ix, &e->st);
    return NULL;
}

/* Finish every shard, record the shard count, merge them with --compact. */
static int shards_finish(cti_indexer *ix, cti_indexer_stats *out)
{
    cti_indexer_stats st = ix->st;
    int rc = 0;
    /* The shards are independent: they finish side by side. */
    shard_end *ends = calloc(ix->nshards, sizeof *ends);
    if (!ends) {
        say(ix, "out of memory");
        return -1;
    }
    for (unsigned i = 0; i < ix->nshards; i++) {
        ends[i].ix = ix->shard[i];
        ends[i].started = pthread_create(&ends[i].th, NULL, shard_end_main,
                                         &ends[i]) == 0;
        if (!ends[i].started)
            shard_end_main(&ends[i]);
    }
    for (unsigned i = 0; i < ix->nshards; i++)
        if (ends[i].started)
            pthread_join(ends[i].th, NULL);
    for (unsigned i = 0; i < ix->nshards; i++) {
        cti_indexer_stats s = ends[i].st;
        int r = ends[i].rc;
        if (r < 0)
            rc = -1;
        else if (r > 0 && rc == 0)
            rc = 1;
        st.added += s.added;
        st.updated += s.updated;
        st.unchanged += s.unchanged;
        st.removed += s.removed;
        st.failed += s.failed;
        st.warnings += s.warnings;
        st.articles += s.articles;
        st.bytes += s.bytes;
        st.bulk |= s.bulk;
        st.segments += s.segments;
    }
    free(ends);
    /* Record N in shard 0 and its number in every shard. */
    for (unsigned i = 0; rc >= 0 && ix->nshards > 1 && i < ix->nshards; i++) {
        cti_db *db = ix->shard[i]->main;
        char v[16], k[16];
        cti_status s = CTI_OK;
        if (!db)
            continue;
        snprintf(v, sizeof v, "%u", ix->nshards);
        snprintf(k, sizeof k, "%u", i);
        if (i == 0)
            s = cti_db_set_metadata(db, CTI_META_SHARDS, v, strlen(v));
        if (s == CTI_OK)
            s = cti_db_set_metadata(db, CTI_META_SHARD, k, strlen(k));
        if (s == CTI_OK)
            s = cti_db_commit(db);
        if (s != CTI_OK)
            rc = fatal_db(ix, "cannot write the shard numbers", s);
    }
    if (rc >= 0 && ix->o.compact && ix->kind == CTI_SHARD_DIR) {
        /* Close the shards, then merge them into one database. */
        char err[512];
        unsigned n = ix->nshards;
        for (unsigned i = 0; i < n; i++) {
            cti_indexer_free(ix->shard[i]);
            ix->shard[i] = NULL;
        }
        if (cti_shard_unshard(ix->dir, n, "db.1", err, sizeof err) != CTI_OK) {
            say(ix, "%s", err);
            rc = -1;
        }
    }
    st.seconds = now() - ix->t0;
    if (ix->progress_shown) {
        fputs("\r\033[K", ix->err);
        ix->progress_shown = 0;
    }
    if (out)
        *out = st;
    return rc;
}

int cti_indexer_new(const cti_indexer_opts *o, cti_indexer **out)
{
    cti_indexer *ix = calloc(1, sizeof *ix);
    *out = NULL;
    if (!ix)
        return -1;
    ix->o = *o;
    ix->err = o->err ? o->err : stderr;
    ix->lockfd = -1;
    ix->t0 = now();
    ix->deferred_tail = &ix->deferred;
    pthread_mutex_init(&ix->mu, NULL);
    pthread_mutex_init(&ix->pubmu, NULL);
    pthread_cond_init(&ix->cv_job, NULL);
    pthread_cond_init(&ix->cv_room, NULL);
    pthread_cond_init(&ix->cv_done, NULL);
    if (ix->o.zlevel < 0 || ix->o.zlevel > 9)
        ix->o.zlevel = 0;
    if (!ix->o.batch)
        ix->o.batch = DEFAULT_BATCH;
    if (!ix->o.memory_mb)
        ix->o.memory_mb = DEFAULT_MEMORY_MB;
    {
        /* Segments: about 12 bytes of memory per byte of text while
           building, but small segments are faster (cache-friendly), so
           cap them; the queue takes an eighth of the budget. */
        size_t budget = (size_t)ix->o.memory_mb << 20;
        unsigned jobs = ix->o.jobs ? ix->o.jobs : 2;
        ix->q_limit = budget / 16 < (16u << 20) ? budget / 16 : (16u << 20);
        size_t seg = (budget - ix->q_limit - (64u << 20)) / jobs / 12;
        const char *env = getenv("CTI_SEGMENT_MB");
        size_t cap = (size_t)(env && atoi(env) > 0 ? atoi(env)
                                                   : SEGMENT_MB_DEFAULT) << 20;
        if (budget <= (96u << 20))
            seg = 1u << 20;
        ix->seg_limit = seg < cap ? seg : cap;
        if (ix->seg_limit < (256u << 10))
            ix->seg_limit = 256u << 10;
    }
    if (!o->db || !*o->db) {
        say(ix, "no index folder given");
        goto fail;
    }
    if (o->language && !cti_analyzer_language_ok(o->language)) {
        say(ix, "unknown language '%s'", o->language);
        goto fail;
    }
    if (!(ix->dir = strdup(o->db)))
        goto fail;
    switch (layout_open(ix, o)) {
    case -1:
        goto fail;
    case 1:
        if (ix->nshards) {
            *out = ix;
            return 0;
        }
        goto set_up; /* remote: no folder, lock or segments */
    }
    struct stat sb;
    if (stat(ix->dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        say(ix, "'%s' is not a folder (an index is a folder)", ix->dir);
        goto fail;
    }
    if (refuse_foreign(ix) < 0)
        goto fail;
    if (make_dirs(ix->dir) < 0) {
        say(ix, "cannot create index '%s': %s", ix->dir, strerror(errno));
        goto fail;
    }
    if (take_lock(ix) < 0)
        goto fail;
    if (ix->t0 == 0)
        ix->t0 = now();
    int have = stub_read(ix);
    if (have < 0) {
        say(ix, "'%s' is not a cti index (bad %s)", ix->dir, STUB_NAME);
        goto fail;
    }
    if (scan_dir(ix, have) < 0)
        goto fail;
    if (have && !ix->mainname && !ix->nsegs)
        have = 0;
    if (have && !ix->nsegs) {
        char *path = path_join(ix->dir, ix->mainname);
        cti_status st = path ? cti_db_open(path, CTI_DB_OPEN, &ix->main)
                             : CTI_ENOMEM;
        free(path);
        if (st != CTI_OK) {
            say(ix, "cannot open index '%s': %s", ix->dir, cti_errmsg());
            goto fail;
        }
        if (check_and_load(ix, ix->main) < 0)
            goto fail;
    } else if (have) {
        if (check_and_load(ix, NULL) < 0)
            goto fail;
        PHASE(ix, "sync records read");
    } else {
        const char *l = o->language ? o->language : "english";
        snprintf(ix->language, sizeof ix->language, "%s", l);
    }
set_up:
    if (cti_analyzer_new(ix->language, &ix->an) != 0 ||
        cti_doc_new(&ix->doc) != CTI_OK) {
        say(ix, "cannot set up the analyzer for '%s'", ix->language);
        goto fail;
    }
    /* We commit ourselves: batches on the direct path, segment size on
       the bulk path. */
    cti_set_flush_threshold(1u << 30);
    if (ix->nsegs || (ix->mainname && !strncmp(ix->mainname, "seg.", 4))) {
        if (!o->quiet)
            say(ix, "%s: merging %zu segment(s) left by an interrupted run",
                ix->dir, ix->nsegs);
        if (spell_recover(ix) < 0 || merge_all(ix) < 0)
            goto fail;
    } else if (ix->mainname && !ix->main) {
        char *path = path_join(ix->dir, ix->mainname);
        cti_status st = path ? cti_db_open(path, CTI_DB_OPEN, &ix->main)
                             : CTI_ENOMEM;
        free(path);
        if (st != CTI_OK) {
            say(ix, "cannot open index '%s': %s", ix->dir, cti_errmsg());
            goto fail;
        }
    }
    if (ix->o.bulk == CTI_BULK_ALWAYS ||
        (ix->o.bulk == CTI_BULK_AUTO && ix->doccount0 == 0)) {
        if (bulk_start(ix) < 0)
            goto fail;
    }
    PHASE(ix, "index open");
    *out = ix;
    return 0;
fail:
    cti_indexer_free(ix);
    return -1;
}

int cti_indexer_add_path(cti_indexer *ix, const char *path)
{
    cti_source_opts so;
    cti_source_cb cb;
    if (ix->fatal || ix->finished)
        return -1;
    memset(&so, 0, sizeof so);
    memset(&cb, 0, sizeof cb);
    cb.want_file = cb_want_file;
    cb.article = cb_article;
    cb.problem = cb_problem;
    cb.walked_dir = cb_walked_dir;
    cti_source_walk(path, &so, &cb, ix);
    for (unsigned i = 0; i < ix->nshards; i++)
        ix->fatal |= ix->shard[i]->fatal;
    return ix->fatal ? -1 : 0;
}

/*
 * After a write failed (a full disk, say), count what this run really
 * saved: each article handled in this run is looked up in the index as it
 * is on disk now, and one whose new version is not there is counted as
 * failed instead of added or updated.  The summary then never claims
 * articles that a failed commit lost.
 */
static void reconcile_after_failure(cti_indexer *ix)
{
    cti_db *db = NULL;
    if (cti_db_open(ix->dir, CTI_DB_READ, &db) != CTI_OK)
        db = NULL;
    uint64_t added = 0, updated = 0, lost = 0;
    for (size_t i = 0; i < ix->ids.cap; i++) {
        smap_ent *e = &ix->ids.t[i];
        if (!e->key)
            continue;
        sync_ent *s = &ix->ents[e->val];
        if (!(s->state & ST_ARTICLE))
            continue;
        int saved = 0;
        char idterm[CTI_IDTERM_MAX + 1];
        size_t itl = cti_indexer_idterm(e->key, e->len, idterm);
        uint32_t docid;
        if (db && cti_db_find(db, idterm, itl, &docid) == CTI_OK) {
            char *v = NULL, hex[17];
            size_t vl = 0;
            snprintf(hex, sizeof hex, "%016" PRIx64, s->hash);
            if (cti_db_get_value(db, docid, CTI_SLOT_HASH, &v, &vl) == CTI_OK)
                saved = vl == 16 && memcmp(v, hex, 16) == 0;
            free(v);
        }
        if (!saved)
            lost++;
        else if (s->state & ST_INDEXED)
            updated++;
        else
            added++;
    }
    if (lost) {
        /* 'unchanged' keeps its count: those articles were already saved */
        uint64_t claimed = ix->st.added + ix->st.updated;
        ix->st.added = added < ix->st.added ? added : ix->st.added;
        ix->st.updated = claimed - ix->st.added > updated
                             ? updated
                             : claimed - ix->st.added;
        ix->st.failed += lost;
    }
    uint32_t ndocs = 0;
    if (db && cti_db_doccount(db, &ndocs) == CTI_OK)
        ix->st.articles = ndocs;
    cti_db_free(db);
}

int cti_indexer_finish(cti_indexer *ix, cti_indexer_stats *out)
{
    int rc = 0;
    if (ix->finished)
        return -1;
    ix->finished = 1;
    if (ix->nshards)
        return shards_finish(ix, out);
    if (!ix->fatal && remove_gone(ix) < 0)
        rc = -1;
    if (ix->bulk) {
        if (bulk_stop(ix) < 0)
            rc = -1;
        PHASE(ix, "segments built");
        if (ix->o.progress && !ix->o.quiet && ix->nsegs) {
            fprintf(ix->err, "\r\033[Kcti-index: merging %zu segments",
                    ix->nsegs);
            fflush(ix->err);
            ix->progress_shown = 1;
        }
        if (rc == 0 && ix->gspell.n && spell_segment(ix) < 0)
            rc = -1;
        if (rc == 0 && (ix->nsegs || ix->o.compact) && merge_all(ix) < 0)
            rc = -1;
        PHASE(ix, "merged");
        /* Later versions of ids that went to a segment. */
        while (rc == 0 && ix->deferred) {
            job *j = ix->deferred;
            ix->deferred = j->next;
            ix->bulk = 0;
            sync_ent *s = ent_get(ix, j->a.id, strlen(j->a.id), 0);
            if (s) {
                if (write_article(ix, &j->a, s, 1) < 0)
                    rc = -1;
            }
            cti_article_release(&j->a);
            free(j);
        }
        ix->bulk = 0;
    } else if (rc == 0 && ix->o.compact && ix->main) {
        if (main_commit(ix) < 0 || merge_all(ix) < 0)
            rc = -1;
    }
    if (rc == 0 && !ix->fatal && !ix->main && !ix->mainname &&
        main_create(ix) < 0)
        rc = -1;
    if (rc == 0 && !ix->fatal && main_commit(ix) < 0)
        rc = -1;
    PHASE(ix, "committed");
    uint32_t ndocs = 0;
    if (ix->main && cti_db_doccount(ix->main, &ndocs) == CTI_OK)
        ix->st.articles = ndocs;
    if (ix->fatal) {
        rc = -1;
        reconcile_after_failure(ix);
    }
    ix->st.failed += ix->wfailed;
    PHASE(ix, "done");
    ix->st.seconds = now() - ix->t0;
    if (ix->progress_shown) {
        fputs("\r\033[K", ix->err);
        ix->progress_shown = 0;
    }
    if (out)
        *out = ix->st;
    if (rc < 0)
        return -1;
    return ix->st.failed ? 1 : 0;
}

void cti_indexer_free(cti_indexer *ix)
{
    if (!ix)
        return;
    for (unsigned i = 0; i < ix->nshards; i++)
        cti_indexer_free(ix->shard[i]);
    free(ix->shard);
    if (ix->nworkers) {
        pthread_mutex_lock(&ix->mu);
        ix->closing = 1;
        ix->fatal = 1; /* abandon: workers drop what is queued */
        pthread_cond_broadcast(&ix->cv_job);
        pthread_mutex_unlock(&ix->mu);
        for (unsigned i = 0; i < ix->nworkers; i++) {
            worker *w = &ix->workers[i];
            if (w->started)
                pthread_join(w->th, NULL);
        }
    }
    for (unsigned i = 0; i < ix->capworkers; i++) {
        worker *w = &ix->workers[i];
        cti_db_free(w->seg);
        free(w->segname);
        cti_analyzer_free(w->an);
        cti_doc_free(w->doc);
        smap_free(&w->spell);
    }
    free(ix->workers);
    while (ix->qhead) {
        job *j = ix->qhead;
        ix->qhead = j->next;
        cti_article_release(&j->a);
        free(j);
    }
    while (ix->deferred) {
        job *j = ix->deferred;
        ix->deferred = j->next;
        cti_article_release(&j->a);
        free(j);
    }
    for (size_t i = 0; i < ix->ndone; i++)
        free(ix->done[i]);
    free(ix->done);
    free(ix->werr);
    if (ix->main) {
        if (ix->pending || ix->main_dirty)
            cti_db_free(ix->main); /* uncommitted work is abandoned */
        else
            cti_db_close(ix->main);
    }
    cti_analyzer_free(ix->an);
    cti_doc_free(ix->doc);
    smap_free(&ix->spell);
    smap_free(&ix->gspell);
    smap_free(&ix->forget);
    smap_free(&ix->ids);
    smap_free(&ix->walked);
    free(ix->ents);
    free(ix->mainname);
    for (size_t i = 0; i < ix->nsegs; i++)
        free(ix->segs[i]);
    free(ix->segs);
    free(ix->dir);
    if (ix->lockfd >= 0)
        close(ix->lockfd);
    pthread_mutex_destroy(&ix->mu);
    pthread_mutex_destroy(&ix->pubmu);
    pthread_cond_destroy(&ix->cv_job);
    pthread_cond_destroy(&ix->cv_room);
    pthread_cond_destroy(&ix->cv_done);
    free(ix);
}

void cti_indexer_stats_print(const cti_indexer_stats *st, int json, FILE *f)
{
    double mbs = st->seconds > 0 ? st->bytes / 1e6 / st->seconds : 0.0;
    if (json) {
        json_t *o = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:b, s:i}",
            "added", (json_int_t)st->added, "updated", (json_int_t)st->updated,
            "unchanged", (json_int_t)st->unchanged,
            "removed", (json_int_t)st->removed,
            "failed", (json_int_t)st->failed,
            "warnings", (json_int_t)st->warnings,
            "skipped", (json_int_t)st->skipped,
            "articles", (json_int_t)st->articles,
            "bytes", (json_int_t)st->bytes,
            "seconds", (double)(long long)(st->seconds * 1000 + 0.5) / 1000,
            "mb_per_s", (double)(long long)(mbs * 100 + 0.5) / 100,
            "bulk", st->bulk, "segments", (int)st->segments);
        if (o) {
            json_dumpf(o, f, JSON_COMPACT | JSON_REAL_PRECISION(10));
            fputc('\n', f);
            json_decref(o);
        }
        fflush(f);
        return;
    }
    fprintf(f, "cti-index: %" PRIu64 " added, %" PRIu64 " updated, %" PRIu64
            " unchanged, %" PRIu64 " removed, %" PRIu64 " failed; %" PRIu64
            " articles in the index; %.1f MB in %.2f s (%.1f MB/s)\n",
            st->added, st->updated, st->unchanged, st->removed, st->failed,
            st->articles, st->bytes / 1e6, st->seconds, mbs);
    fflush(f);
}
