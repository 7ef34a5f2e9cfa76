/*
 * cti_xapian.cc - the C API over libxapian (see cti_xapian.h).
 *
 * Every exported function is extern "C", catches Xapian::Error,
 * std::bad_alloc, std::exception and anything else, records a message
 * (per thread, and on the handle when there is one) and returns a
 * cti_status.  Only cti_* symbols are exported: the file is compiled with
 * -fvisibility=hidden and each entry point is marked CTI_API.
 */
#include "cti_xapian.h"
#include "cti_poscheck.h"
#include "cti_positions.h"

#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sys/stat.h>
#include <time.h>
#include <string>
#include <vector>

#define CTI_API extern "C" __attribute__((visibility("default")))

namespace {

thread_local std::string last_error;

/* How many times a reader reopens and retries after DatabaseModifiedError
   (the writer committed twice since the reader's snapshot).  A read of
   every article while a run commits every 5 articles is overtaken often:
   with positions per article the writer commits faster, and
   tests/long/t71's full reads failed in 2 runs of 3 with 5 retries, in
   none of 5 with 20. */
const int MODIFIED_RETRIES = 20;

} // namespace

/* cti_db.posfmt: where its databases keep positions (-1: not read yet). */
enum {
    POS_ARTICLE = 1,        /* a local database keeps them per article */
    POS_REMOTE = 2,         /* a remote database (positions in its table) */
    POS_REMOTE_ARTICLE = 4, /* a remote database keeps them per article */
    POS_SEVERAL = 8         /* several databases: the first's metadata
                               does not speak for all */
};

struct cti_db {
    Xapian::Database *rd;          /* always set: the readable view */
    int posfmt = -1;               /* POS_* of its databases; -1: not read */
    bool remote = false;           /* opened by cti_db_open_remote() */
    bool remote_parts = false;     /* it, or a shard of it, is remote */
    std::string remote_article;    /* a remote database keeping positions
                                      per article, for the message */
    Xapian::WritableDatabase *wr;  /* set for writable handles (rd == wr) */
    std::string err;
    std::string path;
    bool local_path;   /* read-only and opened from 'path' alone: reopening
                          may open the path afresh (a stub may have moved on) */
    std::string folder; /* read-only from a local path: its folder (the path,
                           or the stub file's); "" otherwise */
    /* Shards added by cti_db_add_shard(), and the path each was opened
       from ("" for a remote one), for cti_db_find_metadata(). */
    std::vector<std::pair<Xapian::Database, std::string>> shards;
};

/* A term of a document whose positions cti keeps
   (cti_doc_set_position_slot()). */
struct cti_docterm {
    uint64_t h;         /* docterm_hash() of its bytes */
    uint32_t off, len;  /* its bytes: arena[off, off + len) */
    uint32_t wdf;
    uint32_t npos;      /* postings, then (sealed) where they start in flat */
    uint32_t last;      /* the last position posted */
    uint32_t messy;     /* a position came at or before the one before */
};

struct cti_doc {
    Xapian::Document doc;
    int pos_slot = -1;    /* >= 0: positions go into this value as a blob */
    bool sealed = false;  /* 'terms' are in 'doc' already */
    /* With a position slot: the terms in the order met, found through
       'table' (open addressing: a term's index + 1, 0 empty; a power of
       two in size, at most half full), their bytes in 'arena', and every
       posting as (term, position) in the order added.  Nothing is
       allocated a term, and clearing keeps the room for the next
       document.  Once sealed, 'flat' holds each term's positions
       together, sorted, from terms[i].npos on. */
    std::vector<cti_docterm> terms;
    std::vector<uint32_t> table;
    std::string arena;
    std::vector<std::pair<uint32_t, uint32_t>> posts;
    std::vector<uint32_t> flat;
    std::vector<uint32_t> fill;  /* room for docterm_seal() */
};

namespace {

/* A hash of term [p, p + n) for cti_doc's table (multiply and fold, 8
   bytes a step). */
uint64_t docterm_hash(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    w = 0;
    std::memcpy(&w, p + i, n - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 32);
}

/* Where term [p, p + n) (hash h) is in doc->table: its slot, and *found. */
size_t docterm_slot(const cti_doc *doc, const char *p, size_t n, uint64_t h,
                    bool *found)
{
    size_t mask = doc->table.size() - 1, j = h & mask;
    for (;; j = (j + 1) & mask) {
        uint32_t k = doc->table[j];
        if (!k)
            break;
        const cti_docterm &t = doc->terms[k - 1];
        if (t.h == h && t.len == n && std::memcmp(doc->arena.data() + t.off, p, n) == 0) {
            *found = true;
            return j;
        }
    }
    *found = false;
    return j;
}

/* Double doc->table (or make it). */
void docterm_grow(cti_doc *doc)
{
    size_t cap = doc->table.empty() ? 1024 : doc->table.size() * 2;
    doc->table.assign(cap, 0);
    for (size_t i = 0; i < doc->terms.size(); ++i) {
        size_t j = doc->terms[i].h & (cap - 1);
        while (doc->table[j])
            j = (j + 1) & (cap - 1);
        doc->table[j] = static_cast<uint32_t>(i + 1);
    }
}

/* Add a posting of term [p, p + n) at 'pos' to doc's own positions. May throw. */
void docterm_post(cti_doc *doc, const char *p, size_t n, uint32_t pos, uint32_t wdfinc)
{
    if ((doc->terms.size() + 1) * 2 > doc->table.size())
        docterm_grow(doc);
    uint64_t h = docterm_hash(p, n);
    bool found;
    size_t j = docterm_slot(doc, p, n, h, &found);
    if (!found) {
        if (doc->arena.size() + n > UINT32_MAX || doc->terms.size() >= UINT32_MAX - 1)
            throw Xapian::InvalidArgumentError("too many terms in a document");
        doc->terms.push_back(cti_docterm{h, static_cast<uint32_t>(doc->arena.size()),
                                         static_cast<uint32_t>(n), 0, 0, 0, 0});
        doc->arena.append(p, n);
        doc->table[j] = static_cast<uint32_t>(doc->terms.size());
    }
    uint32_t k = found ? doc->table[j] - 1 : static_cast<uint32_t>(doc->terms.size() - 1);
    cti_docterm &t = doc->terms[k];
    if (t.npos && pos <= t.last)
        t.messy = 1;
    t.wdf += wdfinc;
    t.npos++;
    t.last = pos;
    doc->posts.emplace_back(k, pos);
}

/* Lay each term's positions out together in doc->flat, sorted and each
   once; terms[i].npos becomes where they start (the next term's start,
   or flat's end, is where they end). */
void docterm_seal(cti_doc *doc)
{
    size_t n = doc->terms.size();
    uint32_t at = 0;
    bool messy = false;
    doc->fill.resize(n);
    for (size_t i = 0; i < n; ++i) {
        uint32_t c = doc->terms[i].npos;
        doc->terms[i].npos = doc->fill[i] = at;
        at += c;
        messy = messy || doc->terms[i].messy;
    }
    doc->flat.resize(at);
    for (const auto &pp : doc->posts)
        doc->flat[doc->fill[pp.first]++] = pp.second;
    if (!messy)
        return;
    /* A field read again (a title kept apart) can repeat a position or
       go back: sorted, duplicates closed up. */
    uint32_t w = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t *b = doc->flat.data() + doc->terms[i].npos, *e = doc->flat.data() + doc->fill[i];
        if (doc->terms[i].messy) {
            std::sort(b, e);
            e = std::unique(b, e);
        }
        doc->terms[i].npos = w;
        for (uint32_t *q = b; q < e; ++q)
            doc->flat[w++] = *q;
    }
    doc->flat.resize(w);
}

} // namespace

/*
 * A query in two forms: 'q' as stock Xapian matches it (phrase and NEAR
 * on the position table; what a remote database gets), and 'qs', the same
 * with each phrase and NEAR matched by cti's PositionCheck, which reads
 * either kind of database.  'pats' is set when the query can stand in a
 * phrase or NEAR place (a term, a wildcard, an OR or SYNONYM of those).
 */
struct cti_xq {
    Xapian::Query q, qs;
    /* qs without the checks in 'deferred', on which every match depends
       (they sit only under AND, FILTER, the first of AND_MAYBE and
       AND_NOT, scaling): run as a match decider (cti_poscheck_decider()) */
    Xapian::Query qd;
    std::vector<std::shared_ptr<const cti_posspec>> deferred;
    /* qu: qs with no check at all (each phrase and NEAR as the AND of its
       words, never under a NOT), so that it weighs every document at
       least as much as qs; 'unchecked' the checks it leaves out.  qh: qd
       with its boosts (the non-first subqueries of an AND_MAYBE, which
       only add weight) in their qu form; 'boosts' the checks they leave
       out (cti_poscheck_boost_decider()). */
    Xapian::Query qu, qh;
    std::vector<std::shared_ptr<const cti_posspec>> unchecked, boosts;
    bool positional = false; /* qs holds a PositionCheck */
    bool filters = false;    /* ... on which the matches depend (not
                                only the weight of an AND_MAYBE) */
    bool placeable = false;
    std::vector<cti_pat> pats;
};

struct cti_termiter {
    Xapian::TermIterator it, end;
    std::string prefix;
    std::string cur;
    bool started;
    bool doc; /* a document's term list: report wdf, not termfreq */
};

struct cti_valiter {
    Xapian::ValueIterator it, end;
    std::string cur;
    bool started;
};

struct cti_enquire {
    cti_db *db;
    Xapian::Query query;
    std::vector<std::shared_ptr<const cti_posspec>> deferred; /* checks
                                to run as a match decider */
    size_t checks;          /* phrases and NEARs cti checks in it */
    Xapian::Query query_hi; /* with boosts: query with them unchecked */
    std::vector<std::shared_ptr<const cti_posspec>> boosts; /* ... their
                                checks, run after the weights */
    bool has_query;
    bool bm25_set;
    bool coord;             /* CoordWeight instead of BM25 */
    double k1, k2, k3, b, min_normlen;
    double time_limit;      /* seconds; 0: none */
    int sort_slot;          /* -1: relevance */
    bool sort_desc;
    int collapse_slot;      /* -1: off */
    unsigned collapse_max;
    cti_spy spy;            /* spy.fn and spy.id_fn NULL: none */
    cti_each each;          /* each.fn NULL: keep the hits */
    unsigned slots;         /* values fetched with each hit (bit per slot) */
    explicit cti_enquire(cti_db *d)
        : db(d), checks(0), has_query(false), bm25_set(false), coord(false), k1(1),
          k2(0), k3(1), b(0.5), min_normlen(0.5),
          time_limit(0), sort_slot(-1),
          sort_desc(false), collapse_slot(-1), collapse_max(0), spy(),
          each(), slots((1u << CTI_MSET_SLOTS) - 1) {}
};

namespace {

/* A Xapian match spy handing each document to a C callback. */
class CallbackSpy : public Xapian::MatchSpy {
    cti_spy spy_;
  public:
    explicit CallbackSpy(const cti_spy &s) : spy_(s) {}
    void operator()(const Xapian::Document &doc, double) override {
        if (spy_.id_fn) {
            spy_.id_fn(spy_.ctx, doc.get_docid());
            return;
        }
        std::string v = doc.get_value(static_cast<Xapian::valueno>(spy_.slot));
        if (spy_.want_data) {
            std::string d = doc.get_data();
            spy_.fn(spy_.ctx, v.data(), v.size(), d.data(), d.size());
        } else {
            spy_.fn(spy_.ctx, v.data(), v.size(), nullptr, 0);
        }
    }
};

/* Thrown by DeadlineSpy: the counting run is out of time. */
struct CountTimeout {};

/*
 * The time limit of a counting run, as a match spy: past the deadline
 * (looked at every 256 matches) it stops the run by throwing.  Xapian's
 * own Enquire::set_time_limit() has a timer thread set an "expired" flag
 * in the match's stack frame; when the timer fires as the match ends,
 * that write can land after the frame is gone, in whatever the caller
 * put there since.
 */
class DeadlineSpy : public Xapian::MatchSpy {
    std::chrono::steady_clock::time_point end_;
  public:
    Xapian::doccount seen = 0; /* matches seen: a lower bound */
    explicit DeadlineSpy(double seconds)
        : end_(std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(seconds))) {}
    void operator()(const Xapian::Document &, double) override {
        if ((++seen & 255) == 0 && std::chrono::steady_clock::now() >= end_)
            throw CountTimeout();
    }
};

} // namespace

struct cti_hit {
    uint32_t docid;
    uint32_t rank;
    double weight;
    uint32_t collapsed;     /* documents collapsed into this hit */
    std::string data;
    std::string values[CTI_MSET_SLOTS];
};

struct cti_mset {
    Xapian::MSet mset;
    std::vector<cti_hit> hits;
    uint32_t est, lower, upper;
    uint32_t uest, ulower, uupper;  /* before collapsing */
};

namespace {

/* Map an exception to a status, and record its message. */
cti_status set_error(cti_db *db, cti_status st, const std::string &msg)
{
    try {
        last_error = msg;
        if (db)
            db->err = msg;
    } catch (...) {
        /* Out of memory while recording the message: keep the status. */
    }
    return st;
}

cti_status from_xapian(cti_db *db, const Xapian::Error &e)
{
    std::string msg = e.get_msg();
    if (msg.empty())
        msg = e.get_type();
    const char *ctx = e.get_error_string();
    if (ctx && *ctx) {
        msg += " (";
        msg += ctx;
        msg += ")";
    }
    /* Where it happened, e.g. "remote:tcp(10.0.0.7:8100)": names the
       shard of a sharded or remote index that failed. */
    if (!e.get_context().empty()) {
        msg += " (";
        msg += e.get_context();
        msg += ")";
    }
    /* Xapian::Error is not polymorphic: classify by its type name. */
    static const struct {
        const char *type;
        cti_status st;
    } map[] = {
        {"DatabaseLockError", CTI_ELOCKED},
        {"DatabaseModifiedError", CTI_EMODIFIED},
        {"DatabaseVersionError", CTI_EVERSION},
        {"DatabaseCorruptError", CTI_ECORRUPT},
        {"DatabaseNotFoundError", CTI_ENOTFOUND},
        {"DatabaseOpeningError", CTI_ENOTFOUND},
        {"DocNotFoundError", CTI_ENOTFOUND},
        {"NetworkError", CTI_ENETWORK},
        {"NetworkTimeoutError", CTI_ENETWORK},
        {"InvalidArgumentError", CTI_EINVAL},
        {"InvalidOperationError", CTI_EINVAL},
        {"WildcardError", CTI_EINVAL},
        {"QueryParserError", CTI_EINVAL},
        {"RangeError", CTI_EINVAL},
        {"DatabaseCreateError", CTI_EIO},
        {"DatabaseError", CTI_EIO}, /* I/O failures: ENOSPC, EACCES */
    };
    cti_status st = CTI_ERROR;
    const char *type = e.get_type();
    for (const auto &m : map) {
        if (strcmp(type, m.type) == 0) {
            st = m.st;
            break;
        }
    }
    return set_error(db, st, msg);
}

/*
 * Run 'fn' with every exception turned into a status.  'db' (may be NULL)
 * receives the message too.
 */
template <typename F>
cti_status guard(cti_db *db, F fn)
{
    try {
        fn();
        return CTI_OK;
    } catch (const Xapian::Error &e) {
        return from_xapian(db, e);
    } catch (const std::bad_alloc &) {
        return set_error(db, CTI_ENOMEM, "out of memory");
    } catch (const std::exception &e) {
        return set_error(db, CTI_ERROR, e.what());
    } catch (...) {
        return set_error(db, CTI_ERROR, "unknown exception");
    }
}

int posfmt(cti_db *db);

cti_status need_writable(cti_db *db)
{
    if (!db)
        return set_error(nullptr, CTI_EINVAL, "no database handle");
    if (!db->wr)
        return set_error(db, CTI_ESTATE, "database is open read-only");
    return CTI_OK;
}

/* Copy 's' into a malloc'd NUL-terminated buffer. */
cti_status dup_out(cti_db *db, const std::string &s, char **out, size_t *len)
{
    char *p = static_cast<char *>(malloc(s.size() + 1));
    if (!p)
        return set_error(db, CTI_ENOMEM, "out of memory");
    memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    *out = p;
    if (len)
        *len = s.size();
    return CTI_OK;
}

bool file_exists(const std::string &p)
{
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

/* Pause between attempts to open an index that is being swapped. */
void short_pause(int attempt)
{
    struct timespec ts = {0, (attempt + 1) * 5L * 1000000L};
    nanosleep(&ts, nullptr);
}

/*
 * Bring a reader up to date.  A handle opened from a path is opened
 * afresh, so that a stub file (or a folder's XAPIANDB) that now lists
 * other databases - a writer merged its segments and swapped them in - is
 * read again; the databases it listed before may be gone.  Other handles
 * (remote, or shards added by hand) use Xapian's reopen().
 */
void refresh(cti_db *db)
{
    if (db->wr || !db->local_path) {
        db->rd->reopen();
        return;
    }
    db->posfmt = -1; /* read again: the path may hold another index now */
    for (int attempt = 0;; ++attempt) {
        try {
            Xapian::Database *fresh = new Xapian::Database(db->path);
            delete db->rd;
            db->rd = fresh;
            return;
        } catch (const Xapian::DatabaseOpeningError &) {
            if (attempt >= MODIFIED_RETRIES)
                throw;
        } catch (const Xapian::DatabaseModifiedError &) {
            if (attempt >= MODIFIED_RETRIES)
                throw;
        }
        short_pause(attempt);
    }
}

/*
 * Run a read 'fn' on db; on DatabaseModifiedError (the writer has moved on
 * twice since the reader's snapshot) refresh the handle and retry a few
 * times.  Other errors are returned as statuses.
 */
template <typename F>
cti_status with_retry(cti_db *db, F fn)
{
    cti_status st = CTI_OK;
    for (int attempt = 0; attempt <= MODIFIED_RETRIES; ++attempt) {
        st = guard(db, fn);
        if (st != CTI_EMODIFIED)
            return st;
        cti_status rst = guard(db, [&] { refresh(db); });
        if (rst != CTI_OK)
            return rst;
    }
    return st;
}


} // namespace

/* ------------------------------------------------------------------ */

CTI_API const char *cti_status_str(cti_status st)
{
    switch (st) {
    case CTI_OK: return "ok";
    case CTI_DONE: return "done";
    case CTI_ERROR: return "error";
    case CTI_ENOMEM: return "out of memory";
    case CTI_EINVAL: return "invalid argument";
    case CTI_ENOTFOUND: return "not found";
    case CTI_ELOCKED: return "database locked by another writer";
    case CTI_ECORRUPT: return "database corrupt";
    case CTI_EVERSION: return "unsupported database version";
    case CTI_EMODIFIED: return "database modified during read";
    case CTI_ENETWORK: return "network error";
    case CTI_EIO: return "I/O error";
    case CTI_ESTATE: return "operation not valid now";
    }
    return "unknown status";
}

CTI_API const char *cti_errmsg(void)
{
    return last_error.c_str();
}

CTI_API const char *cti_xapian_version(void)
{
    return Xapian::version_string();
}

CTI_API cti_status cti_db_open(const char *path, int mode, cti_db **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!path || !*path)
        return set_error(nullptr, CTI_EINVAL, "empty database path");
    cti_db *db = new (std::nothrow) cti_db();
    if (!db)
        return set_error(nullptr, CTI_ENOMEM, "out of memory");
    db->rd = nullptr;
    db->wr = nullptr;
    cti_status st = guard(nullptr, [&] {
        db->path = path;
        int m = mode & CTI_DB_MODE_MASK;
        if (m == CTI_DB_READ) {
            /* Give a precise message for the two common mistakes. */
            if (!file_exists(path))
                throw Xapian::DatabaseNotFoundError(
                    std::string("no such file or directory: ") + path);
            /* An index listed by a stub may be swapped while we open it
               (a database it named is removed): read the stub again. */
            struct stat pst;
            bool statted = ::stat(path, &pst) == 0;
            bool stub = (statted && S_ISREG(pst.st_mode)) ||
                        file_exists(std::string(path) + "/XAPIANDB");
            for (int attempt = 0;; ++attempt) {
                try {
                    db->rd = new Xapian::Database(path);
                    break;
                } catch (const Xapian::DatabaseOpeningError &) {
                    if (!stub || attempt >= MODIFIED_RETRIES ||
                        !file_exists(path))
                        throw;
                } catch (const Xapian::DatabaseModifiedError &) {
                    if (attempt >= MODIFIED_RETRIES)
                        throw;
                }
                short_pause(attempt);
            }
            db->local_path = true;
            if (statted && S_ISDIR(pst.st_mode)) {
                db->folder = path;
            } else if (statted) {
                size_t slash = db->path.find_last_of('/');
                db->folder = slash == std::string::npos ? std::string(".")
                                                        : db->path.substr(0, slash + 1);
            }
            return;
        }
        int action;
        switch (m) {
        case CTI_DB_CREATE_OR_OPEN: action = Xapian::DB_CREATE_OR_OPEN; break;
        case CTI_DB_CREATE: action = Xapian::DB_CREATE; break;
        case CTI_DB_OPEN: action = Xapian::DB_OPEN; break;
        case CTI_DB_CREATE_OR_OVERWRITE:
            action = Xapian::DB_CREATE_OR_OVERWRITE;
            break;
        default:
            throw Xapian::InvalidArgumentError("unknown open mode");
        }
        int flags = action;
        if (mode & CTI_DB_WAIT_LOCK)
            flags |= Xapian::DB_RETRY_LOCK;
        if (mode & CTI_DB_NO_SYNC)
            flags |= Xapian::DB_NO_SYNC;
        if (mode & CTI_DB_DANGEROUS)
            flags |= Xapian::DB_DANGEROUS;
        if (m == CTI_DB_OPEN && !file_exists(path))
            throw Xapian::DatabaseNotFoundError(
                std::string("no such file or directory: ") + path);
        db->wr = new Xapian::WritableDatabase(path, flags);
        db->rd = db->wr;
    });
    if (st != CTI_OK) {
        delete db;
        return st;
    }
    *out = db;
    return CTI_OK;
}

CTI_API cti_status cti_db_open_remote(const char *host, unsigned port,
                                      unsigned timeout_ms, int writable,
                                      cti_db **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!host || !*host || port == 0 || port > 65535)
        return set_error(nullptr, CTI_EINVAL, "bad remote host or port");
    cti_db *db = new (std::nothrow) cti_db();
    if (!db)
        return set_error(nullptr, CTI_ENOMEM, "out of memory");
    db->rd = nullptr;
    db->wr = nullptr;
    cti_status st = guard(nullptr, [&] {
        db->path = std::string(host) + ":" + std::to_string(port);
        db->remote = true;
        db->remote_parts = true;
        unsigned t = timeout_ms ? timeout_ms : 10000;
        if (writable) {
            db->wr = new Xapian::WritableDatabase(
                Xapian::Remote::open_writable(host, port, t, t));
            db->rd = db->wr;
        } else {
            db->rd = new Xapian::Database(Xapian::Remote::open(host, port, t, t));
        }
    });
    if (st != CTI_OK) {
        std::string msg = std::string("remote shard ") + host + ":" +
                          std::to_string(port) + ": " + last_error;
        set_error(nullptr, st, msg);
        delete db;
        return st;
    }
    *out = db;
    return CTI_OK;
}

CTI_API cti_status cti_db_add_shard(cti_db *db, cti_db *shard)
{
    if (!db || !shard)
        return set_error(db, CTI_EINVAL, "no database handle");
    if (db->wr)
        return set_error(db, CTI_ESTATE, "cannot add shards to a writable handle");
    return guard(db, [&] {
        int f = posfmt(db) | posfmt(shard) | POS_SEVERAL;
        if (db->remote_article.empty())
            db->remote_article = shard->remote_article;
        db->rd->add_database(*shard->rd);
        db->remote_parts = db->remote_parts || shard->remote_parts;
        db->shards.emplace_back(*shard->rd,
                                shard->remote ? std::string() : shard->path);
        db->posfmt = f;
        db->local_path = false;
        db->folder.clear();
    });
}

CTI_API const char *cti_db_folder(const cti_db *db)
{
    return db && !db->folder.empty() ? db->folder.c_str() : nullptr;
}

CTI_API int cti_db_is_remote(const cti_db *db)
{
    return db && db->remote_parts;
}

CTI_API cti_status cti_db_close(cti_db *db)
{
    if (!db)
        return CTI_OK;
    cti_status st = guard(db, [&] {
        if (db->wr)
            db->wr->commit();
        db->rd->close();
    });
    cti_db_free(db);
    return st;
}

CTI_API void cti_db_free(cti_db *db)
{
    if (!db)
        return;
    try {
        if (db->wr) {
            /* Without a commit, Xapian's destructor would commit:
               close() after cancelling an open transaction. */
            try {
                db->wr->cancel_transaction();
            } catch (...) {
            }
        }
        delete db->rd;
    } catch (...) {
    }
    delete db;
}

CTI_API const char *cti_db_errmsg(const cti_db *db)
{
    return db ? db->err.c_str() : "";
}

CTI_API cti_status cti_db_reopen(cti_db *db)
{
    if (!db)
        return set_error(nullptr, CTI_EINVAL, "no database handle");
    return guard(db, [&] { refresh(db); });
}

CTI_API cti_status cti_db_doccount(cti_db *db, uint32_t *out)
{
    if (!db || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    return with_retry(db, [&] { *out = db->rd->get_doccount(); });
}

CTI_API cti_status cti_db_avlength(cti_db *db, double *out)
{
    if (!db || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    return with_retry(db, [&] { *out = db->rd->get_avlength(); });
}

CTI_API cti_status cti_db_lastdocid(cti_db *db, uint32_t *out)
{
    if (!db || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    return with_retry(db, [&] { *out = db->rd->get_lastdocid(); });
}

CTI_API cti_status cti_db_termfreq(cti_db *db, const char *term, size_t len,
                                   uint32_t *out)
{
    if (!db || !term || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    return with_retry(db, [&] {
        *out = db->rd->get_termfreq(std::string(term, len));
    });
}

CTI_API cti_status cti_db_postings(cti_db *db, const char *term, size_t len,
                                   uint32_t **ids, size_t *n)
{
    if (!db || !term || !ids || !n)
        return set_error(db, CTI_EINVAL, "bad argument");
    *ids = nullptr;
    *n = 0;
    std::vector<uint32_t> v;
    cti_status st = with_retry(db, [&] {
        v.clear();
        std::string t(term, len);
        /* Its frequency first: glass looks it up with the table's own
           cursor, which a posting list opened next starts from, so the
           blocks on the way to the term are read once, and a caller
           asking for terms in order reads the upper ones once for all. */
        if (!db->rd->get_termfreq(t))
            return;
        for (Xapian::PostingIterator p = db->rd->postlist_begin(t),
                                     end = db->rd->postlist_end(t);
             p != end; ++p)
            v.push_back(*p);
    });
    if (st != CTI_OK || v.empty())
        return st;
    uint32_t *out = static_cast<uint32_t *>(malloc(v.size() * sizeof *out));
    if (!out)
        return set_error(db, CTI_ENOMEM, "out of memory");
    memcpy(out, v.data(), v.size() * sizeof *out);
    *ids = out;
    *n = v.size();
    return CTI_OK;
}

CTI_API size_t cti_db_parts(const cti_db *db)
{
    return db ? db->rd->size() : 0;
}

CTI_API cti_status cti_db_set_metadata(cti_db *db, const char *key,
                                       const char *value, size_t len)
{
    cti_status st = need_writable(db);
    if (st != CTI_OK)
        return st;
    if (!key || !*key)
        return set_error(db, CTI_EINVAL, "empty metadata key");
    return guard(db, [&] {
        db->wr->set_metadata(key, value ? std::string(value, len) : std::string());
        if (strcmp(key, CTI_POSITIONS_META) == 0)
            db->posfmt = -1;
    });
}

CTI_API cti_status cti_db_get_metadata(cti_db *db, const char *key,
                                       char **out, size_t *len)
{
    if (!db || !key || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    *out = nullptr;
    std::string v;
    cti_status st = with_retry(db, [&] { v = db->rd->get_metadata(key); });
    if (st != CTI_OK)
        return st;
    return dup_out(db, v, out, len);
}

namespace {

/*
 * The value of 'key' in the databases that the stub at 'path' (a stub
 * file, or a folder holding one) lists, each in turn, stubs within stubs
 * too; "" when none has it or 'path' is no stub.  May throw.
 */
std::string stub_metadata(const std::string &path, const std::string &key,
                          int depth)
{
    struct stat sb;
    if (depth > 4 || stat(path.c_str(), &sb) != 0)
        return std::string();
    std::string stub = S_ISDIR(sb.st_mode) ? path + "/XAPIANDB" : path;
    std::string dir = S_ISDIR(sb.st_mode)
        ? path : path.substr(0, path.find_last_of('/') + 1);
    if (dir.empty())
        dir = ".";
    FILE *f = fopen(stub.c_str(), "r");
    if (!f)
        return std::string();
    std::string v;
    char line[4096];
    while (v.empty() && fgets(line, sizeof line, f)) {
        std::string l(line);
        while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
            l.pop_back();
        size_t sp = l.find(' ');
        if (l.empty() || l[0] == '#' || sp == std::string::npos ||
            l.compare(0, sp, "remote") == 0)
            continue;
        std::string target = l.substr(sp + 1);
        if (target.empty())
            continue;
        if (target[0] != '/')
            target = dir + "/" + target;
        struct stat tb;
        bool nested = stat((target + "/XAPIANDB").c_str(), &tb) == 0 ||
                      (stat(target.c_str(), &tb) == 0 && S_ISREG(tb.st_mode));
        v = nested ? stub_metadata(target, key, depth + 1)
                   : Xapian::Database(target).get_metadata(key);
    }
    fclose(f);
    return v;
}

} /* namespace */

CTI_API cti_status cti_db_find_metadata(cti_db *db, const char *key,
                                        char **out, size_t *len)
{
    if (!db || !key || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    *out = nullptr;
    std::string v;
    cti_status st = with_retry(db, [&] {
        v = db->rd->get_metadata(key);
        if (v.empty() && !db->remote)
            v = stub_metadata(db->path, key, 0);
        for (size_t i = 0; v.empty() && i < db->shards.size(); ++i) {
            v = db->shards[i].first.get_metadata(key);
            if (v.empty() && !db->shards[i].second.empty())
                v = stub_metadata(db->shards[i].second, key, 0);
        }
    });
    if (st != CTI_OK)
        return st;
    return dup_out(db, v, out, len);
}

namespace {

/*
 * Make 'doc' ready to store, carrying 'idterm' (if not NULL): with a
 * position slot, the terms of its postings are added with their wdf
 * (once), and the positions of every term, in term list order, are
 * written as blobs into the slot and the ones after it, one a part
 * (cti_positions.h).  May throw.
 */
const Xapian::Document &ready_doc(const cti_doc *cdoc, const std::string *idterm)
{
    cti_doc *doc = const_cast<cti_doc *>(cdoc);
    Xapian::Document &d = doc->doc;
    if (idterm) {
        Xapian::TermIterator t = d.termlist_begin();
        t.skip_to(*idterm);
        if (t == d.termlist_end() || *t != *idterm)
            d.add_boolean_term(*idterm);
    }
    if (doc->pos_slot < 0)
        return d;
    if (!doc->sealed) {
        docterm_seal(doc);
        std::string name;
        for (const auto &t : doc->terms) {
            name.assign(doc->arena, t.off, t.len);
            d.add_term(name, t.wdf);
        }
        doc->sealed = true;
    }
    struct blob_holder {
        cti_posblob b;
        blob_holder() { cti_posblob_init(&b); }
        ~blob_holder() { cti_posblob_free(&b); }
    } h;
    std::vector<cti_posterm> terms;
    terms.reserve(doc->terms.size());
    for (size_t i = 0; i < doc->terms.size(); ++i) {
        const cti_docterm &t = doc->terms[i];
        size_t end = i + 1 < doc->terms.size() ? doc->terms[i + 1].npos : doc->flat.size();
        terms.push_back(cti_posterm{doc->arena.data() + t.off, t.len,
                                    doc->flat.data() + t.npos, end - t.npos});
    }
    cti_status st = cti_posblob_build(&h.b, terms.data(), terms.size(),
                                      CTI_POSITIONS_WHOLE_MAX);
    if (st == CTI_ENOMEM)
        throw std::bad_alloc();
    if (st != CTI_OK)
        throw Xapian::InvalidArgumentError("bad positions in a document");
    for (unsigned p = 0; p < CTI_POSITIONS_PARTS; ++p)
        if (h.b.part[p + 1] > h.b.part[p])
            d.add_value(static_cast<Xapian::valueno>(doc->pos_slot) + p,
                        std::string(reinterpret_cast<const char *>(h.b.data) + h.b.part[p],
                                    h.b.part[p + 1] - h.b.part[p]));
    return d;
}

} // namespace

CTI_API cti_status cti_db_replace(cti_db *db, const char *idterm,
                                  size_t idlen, const cti_doc *doc,
                                  uint32_t *docid)
{
    cti_status st = need_writable(db);
    if (st != CTI_OK)
        return st;
    if (!idterm || idlen == 0 || !doc)
        return set_error(db, CTI_EINVAL, "replace needs an id term and a document");
    return guard(db, [&] {
        std::string term(idterm, idlen);
        /* Make sure the document carries its id term. */
        Xapian::docid id = db->wr->replace_document(term, ready_doc(doc, &term));
        if (docid)
            *docid = id;
    });
}

CTI_API cti_status cti_db_add(cti_db *db, const cti_doc *doc, uint32_t *docid)
{
    cti_status st = need_writable(db);
    if (st != CTI_OK)
        return st;
    if (!doc)
        return set_error(db, CTI_EINVAL, "no document");
    return guard(db, [&] {
        Xapian::docid id = db->wr->add_document(ready_doc(doc, nullptr));
        if (docid)
            *docid = id;
    });
}

CTI_API cti_status cti_db_delete(cti_db *db, const char *idterm, size_t idlen)
{
    cti_status st = need_writable(db);
    if (st != CTI_OK)
        return st;
    if (!idterm || idlen == 0)
        return set_error(db, CTI_EINVAL, "delete needs an id term");
    return guard(db, [&] { db->wr->delete_document(std::string(idterm, idlen)); });
}

CTI_API cti_status cti_db_commit(cti_db *db)
{
    cti_status st = need_writable(db);
    if (st != CTI_OK)
        return st;
    return guard(db, [&] { db->wr->commit(); });
}

CTI_API cti_status cti_db_add_spelling(cti_db *db, const char *word,
                                       size_t len, unsigned inc)
{
    cti_status st = need_writable(db);
    if (st != CTI_OK)
        return st;
    if (!word || len == 0)
        return set_error(db, CTI_EINVAL, "empty word");
    return guard(db, [&] { db->wr->add_spelling(std::string(word, len), inc); });
}

CTI_API cti_status cti_db_remove_spelling(cti_db *db, const char *word,
                                          size_t len, unsigned dec)
{
    cti_status st = need_writable(db);
    if (st != CTI_OK)
        return st;
    if (!word || len == 0)
        return set_error(db, CTI_EINVAL, "empty word");
    return guard(db, [&] {
        db->wr->remove_spelling(std::string(word, len), dec);
    });
}

CTI_API cti_status cti_db_spelling_suggest(cti_db *db, const char *word,
                                           size_t len, unsigned max_edit,
                                           char **out)
{
    if (!db || !word || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    *out = nullptr;
    std::string s;
    cti_status st = with_retry(db, [&] {
        s = db->rd->get_spelling_suggestion(std::string(word, len),
                                            max_edit ? max_edit : 2);
    });
    if (st != CTI_OK)
        return st;
    return dup_out(db, s, out, nullptr);
}

CTI_API cti_status cti_db_find(cti_db *db, const char *idterm, size_t idlen,
                               uint32_t *docid)
{
    if (!db || !idterm || !docid)
        return set_error(db, CTI_EINVAL, "bad argument");
    bool found = false;
    cti_status st = with_retry(db, [&] {
        std::string term(idterm, idlen);
        Xapian::PostingIterator p = db->rd->postlist_begin(term);
        found = p != db->rd->postlist_end(term);
        if (found)
            *docid = *p;
    });
    if (st != CTI_OK)
        return st;
    if (!found) {
        set_error(db, CTI_ENOTFOUND, "no document with that id");
        return CTI_ENOTFOUND;
    }
    return CTI_OK;
}

CTI_API cti_status cti_db_get_data(cti_db *db, uint32_t docid, char **out,
                                   size_t *len)
{
    if (!db || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    *out = nullptr;
    std::string s;
    cti_status st = with_retry(db, [&] { s = db->rd->get_document(docid).get_data(); });
    if (st != CTI_OK)
        return st;
    return dup_out(db, s, out, len);
}

CTI_API cti_status cti_db_with_data(cti_db *db, uint32_t docid,
                                    cti_data_fn fn, void *ctx)
{
    if (!db || !fn)
        return set_error(db, CTI_EINVAL, "bad argument");
    std::string s;
    cti_status st = with_retry(db, [&] { s = db->rd->get_document(docid).get_data(); });
    if (st != CTI_OK)
        return st;
    fn(ctx, s.data(), s.size());
    return CTI_OK;
}

CTI_API cti_status cti_db_get_value(cti_db *db, uint32_t docid, unsigned slot,
                                    char **out, size_t *len)
{
    if (!db || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    *out = nullptr;
    std::string s;
    cti_status st = with_retry(db, [&] {
        s = db->rd->get_document(docid, Xapian::DOC_ASSUME_VALID).get_value(slot);
    });
    if (st != CTI_OK)
        return st;
    return dup_out(db, s, out, len);
}

CTI_API cti_status cti_db_terms(cti_db *db, const char *prefix, uint32_t docid,
                                cti_termiter **out)
{
    if (!db || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    *out = nullptr;
    cti_termiter *it = new (std::nothrow) cti_termiter();
    if (!it)
        return set_error(db, CTI_ENOMEM, "out of memory");
    it->prefix = prefix ? prefix : "";
    it->started = false;
    it->doc = docid != 0;
    cti_status st = with_retry(db, [&] {
        if (docid) {
            it->it = db->rd->termlist_begin(docid);
            it->end = db->rd->termlist_end(docid);
            if (!it->prefix.empty())
                it->it.skip_to(it->prefix);
        } else {
            it->it = db->rd->allterms_begin(it->prefix);
            it->end = db->rd->allterms_end(it->prefix);
        }
    });
    if (st != CTI_OK) {
        delete it;
        return st;
    }
    *out = it;
    return CTI_OK;
}

CTI_API cti_status cti_db_spellings(cti_db *db, cti_termiter **out)
{
    if (!db || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    *out = nullptr;
    cti_termiter *it = new (std::nothrow) cti_termiter();
    if (!it)
        return set_error(db, CTI_ENOMEM, "out of memory");
    it->started = false;
    it->doc = false;
    cti_status st = with_retry(db, [&] {
        it->it = db->rd->spellings_begin();
        it->end = db->rd->spellings_end();
    });
    if (st != CTI_OK) {
        delete it;
        return st;
    }
    *out = it;
    return CTI_OK;
}

CTI_API cti_status cti_termiter_next(cti_termiter *it, const char **term,
                                     size_t *len, uint32_t *freq)
{
    if (!it)
        return set_error(nullptr, CTI_EINVAL, "no iterator");
    bool done = false;
    cti_status st = guard(nullptr, [&] {
        if (it->started)
            ++it->it;
        it->started = true;
        if (it->it == it->end) {
            done = true;
            return;
        }
        it->cur = *it->it;
        if (!it->prefix.empty() &&
            it->cur.compare(0, it->prefix.size(), it->prefix) != 0) {
            done = true; /* past the prefix (term lists are sorted) */
            return;
        }
        if (freq)
            *freq = it->doc ? it->it.get_wdf() : it->it.get_termfreq();
    });
    if (st != CTI_OK)
        return st;
    if (done)
        return CTI_DONE;
    if (term)
        *term = it->cur.c_str();
    if (len)
        *len = it->cur.size();
    return CTI_OK;
}

CTI_API cti_status cti_termiter_freq(cti_termiter *it, uint32_t *freq)
{
    if (!it || !freq)
        return set_error(nullptr, CTI_EINVAL, "bad argument");
    if (!it->started || it->it == it->end)
        return set_error(nullptr, CTI_ESTATE, "the iterator is on no term");
    return guard(nullptr, [&] {
        *freq = it->doc ? it->it.get_wdf() : it->it.get_termfreq();
    });
}

CTI_API void cti_termiter_free(cti_termiter *it)
{
    try {
        delete it;
    } catch (...) {
    }
}

CTI_API cti_status cti_db_values(cti_db *db, unsigned slot, cti_valiter **out)
{
    if (!db || !out)
        return set_error(db, CTI_EINVAL, "bad argument");
    *out = nullptr;
    cti_valiter *it = new (std::nothrow) cti_valiter();
    if (!it)
        return set_error(db, CTI_ENOMEM, "out of memory");
    it->started = false;
    cti_status st = with_retry(db, [&] {
        it->it = db->rd->valuestream_begin(slot);
        it->end = db->rd->valuestream_end(slot);
    });
    if (st != CTI_OK) {
        delete it;
        return st;
    }
    *out = it;
    return CTI_OK;
}

CTI_API cti_status cti_valiter_next(cti_valiter *it, uint32_t *docid,
                                    const char **value, size_t *len)
{
    if (!it)
        return set_error(nullptr, CTI_EINVAL, "no iterator");
    bool done = false;
    cti_status st = guard(nullptr, [&] {
        if (it->started)
            ++it->it;
        it->started = true;
        if (it->it == it->end) {
            done = true;
            return;
        }
        it->cur = *it->it;
        if (docid)
            *docid = it->it.get_docid();
    });
    if (st != CTI_OK)
        return st;
    if (done)
        return CTI_DONE;
    if (value)
        *value = it->cur.c_str();
    if (len)
        *len = it->cur.size();
    return CTI_OK;
}

CTI_API void cti_valiter_free(cti_valiter *it)
{
    try {
        delete it;
    } catch (...) {
    }
}

CTI_API cti_status cti_db_compact(const char *const *srcs, size_t n,
                                  const char *dest, int multipass)
{
    if (!srcs || n == 0 || !dest || !*dest)
        return set_error(nullptr, CTI_EINVAL, "compact needs sources and a destination");
    return guard(nullptr, [&] {
        Xapian::Database all;
        for (size_t i = 0; i < n; ++i)
            all.add_database(Xapian::Database(srcs[i]));
        unsigned flags = 0;
        if (multipass)
            flags |= Xapian::DBCOMPACT_MULTIPASS;
        all.compact(dest, flags);
    });
}

/* ------------------------------------------------------------------ */

CTI_API cti_status cti_doc_new(cti_doc **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    cti_doc *d = nullptr;
    cti_status st = guard(nullptr, [&] { d = new cti_doc(); });
    if (st == CTI_OK)
        *out = d;
    return st;
}

CTI_API void cti_doc_free(cti_doc *doc)
{
    try {
        delete doc;
    } catch (...) {
    }
}

CTI_API void cti_doc_clear(cti_doc *doc)
{
    if (!doc)
        return;
    try {
        doc->doc = Xapian::Document();
        /* A table grown far past this document's terms starts small again. */
        if (doc->table.size() > 4096 && doc->terms.size() * 16 < doc->table.size())
            std::vector<uint32_t>().swap(doc->table);
        else
            std::fill(doc->table.begin(), doc->table.end(), 0);
        doc->terms.clear();
        doc->arena.clear();
        doc->posts.clear();
        doc->flat.clear();
        doc->sealed = false;
    } catch (...) {
    }
}

CTI_API cti_status cti_doc_set_position_slot(cti_doc *doc, unsigned slot)
{
    if (!doc || slot == Xapian::BAD_VALUENO)
        return set_error(nullptr, CTI_EINVAL, "bad position slot");
    doc->pos_slot = static_cast<int>(slot);
    return CTI_OK;
}

CTI_API cti_status cti_doc_add_posting(cti_doc *doc, const char *term,
                                       size_t len, uint32_t pos,
                                       uint32_t wdfinc)
{
    if (!doc || !term || len == 0)
        return set_error(nullptr, CTI_EINVAL, "empty term");
    if (doc->sealed)
        return set_error(nullptr, CTI_ESTATE, "document already stored");
    return guard(nullptr, [&] {
        if (doc->pos_slot < 0) {
            doc->doc.add_posting(std::string(term, len), pos, wdfinc);
            return;
        }
        docterm_post(doc, term, len, pos, wdfinc);
    });
}

CTI_API cti_status cti_doc_add_term(cti_doc *doc, const char *term, size_t len,
                                    uint32_t wdfinc)
{
    if (!doc || !term || len == 0)
        return set_error(nullptr, CTI_EINVAL, "empty term");
    return guard(nullptr, [&] { doc->doc.add_term(std::string(term, len), wdfinc); });
}

CTI_API cti_status cti_doc_set_value(cti_doc *doc, unsigned slot,
                                     const char *value, size_t len)
{
    if (!doc || (!value && len))
        return set_error(nullptr, CTI_EINVAL, "bad value");
    return guard(nullptr, [&] {
        doc->doc.add_value(slot, value ? std::string(value, len) : std::string());
    });
}

CTI_API cti_status cti_doc_set_data(cti_doc *doc, const char *data, size_t len)
{
    if (!doc || (!data && len))
        return set_error(nullptr, CTI_EINVAL, "bad data");
    return guard(nullptr, [&] {
        doc->doc.set_data(data ? std::string(data, len) : std::string());
    });
}

/* ------------------------------------------------------------------ */

namespace {

/*
 * Store in *out a new query handle holding make()'s query ('make' may
 * throw; every exception becomes a status and *out stays NULL).
 */
template <typename F>
cti_status build_xq(cti_xq **out, F make)
{
    cti_xq *x = nullptr;
    cti_status st = guard(nullptr, [&] {
        x = new cti_xq();
        x->q = make();
        x->qs = x->qd = x->qu = x->qh = x->q;
    });
    if (st != CTI_OK) {
        delete x;
        return st;
    }
    *out = x;
    return CTI_OK;
}

/* After build_xq() gave 'st': a query of one place, the term (or every
   term with the prefix) text[0, len), for phrase and NEAR matching.
   Frees *out on failure. */
cti_status placed(cti_status st, cti_xq **out, const char *text, size_t len,
                  bool prefix)
{
    if (st == CTI_OK)
        st = guard(nullptr, [&] {
            (*out)->pats.push_back(cti_pat{std::string(text, len), prefix});
            (*out)->placeable = true;
        });
    if (st != CTI_OK) {
        cti_xq_free(*out);
        *out = nullptr;
    }
    return st;
}

} // namespace

CTI_API cti_status cti_xq_term(const char *term, size_t len, uint32_t wqf,
                               uint32_t pos, cti_xq **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!term || len == 0)
        return set_error(nullptr, CTI_EINVAL, "empty query term");
    cti_status st = build_xq(out, [&] {
        return Xapian::Query(std::string(term, len), wqf ? wqf : 1, pos);
    });
    return placed(st, out, term, len, false);
}

namespace {

/*
 * The deferred form of x = op(subs[0, n)) (xop, not a checked phrase):
 * the checks every match of x depends on (those of every sub of AND and
 * FILTER, of the first of AND_NOT and AND_MAYBE) left to a decider, the
 * others kept in place (the subs' qs).  May throw.
 */
void defer(cti_xq_op op, Xapian::Query::op xop, cti_xq *const *subs, size_t n,
           cti_xq *x)
{
    bool all = op == CTI_XQ_AND || op == CTI_XQ_FILTER;
    bool first = op == CTI_XQ_AND_NOT || op == CTI_XQ_AND_MAYBE;
    if (!x->positional || (!all && !first)) {
        x->qd = x->qs;
        return;
    }
    std::vector<Xapian::Query> vd;
    for (size_t i = 0; i < n; ++i) {
        bool take = all || i == 0;
        vd.push_back(take ? subs[i]->qd : subs[i]->qs);
        if (take)
            x->deferred.insert(x->deferred.end(), subs[i]->deferred.begin(),
                               subs[i]->deferred.end());
    }
    x->qd = Xapian::Query(xop, vd.begin(), vd.end());
}

void append(std::vector<std::shared_ptr<const cti_posspec>> &to,
            const std::vector<std::shared_ptr<const cti_posspec>> &from)
{
    to.insert(to.end(), from.begin(), from.end());
}

/*
 * The unchecked forms of x = op(subs[0, n)) (xop with window w, not a
 * checked phrase), after defer(): qu, every check of the subqueries that
 * only widen the matches or add weight left out (not those of a NOT, nor
 * under operators whose weight is no plain sum: those stay checked); qh,
 * qd with the AND_MAYBE boosts in their qu form.  May throw.
 */
void unchecked_forms(cti_xq_op op, Xapian::Query::op xop, cti_xq *const *subs,
                     size_t n, Xapian::termcount w, cti_xq *x)
{
    x->qu = x->qs;
    x->qh = x->qd;
    if (!x->positional)
        return;
    bool sum = op == CTI_XQ_AND || op == CTI_XQ_OR || op == CTI_XQ_FILTER ||
               op == CTI_XQ_AND_MAYBE || op == CTI_XQ_AND_NOT;
    if (sum) {
        std::vector<Xapian::Query> vu;
        for (size_t i = 0; i < n; ++i) {
            bool negated = op == CTI_XQ_AND_NOT && i > 0;
            vu.push_back(negated ? subs[i]->qs : subs[i]->qu);
            if (!negated)
                append(x->unchecked, subs[i]->unchecked);
        }
        x->qu = Xapian::Query(xop, vu.begin(), vu.end(), w);
    }
    /* qh follows defer(): the subqueries it took as qd, as qh. */
    bool all = op == CTI_XQ_AND || op == CTI_XQ_FILTER;
    bool first = op == CTI_XQ_AND_NOT || op == CTI_XQ_AND_MAYBE;
    if (!all && !first)
        return;
    std::vector<Xapian::Query> vh;
    for (size_t i = 0; i < n; ++i) {
        if (all || i == 0) {
            vh.push_back(subs[i]->qh);
            append(x->boosts, subs[i]->boosts);
        } else if (op == CTI_XQ_AND_MAYBE) {
            vh.push_back(subs[i]->qu);
            append(x->boosts, subs[i]->unchecked);
        } else {
            vh.push_back(subs[i]->qs);
        }
    }
    x->qh = Xapian::Query(xop, vh.begin(), vh.end(), w);
}

} // namespace

CTI_API cti_status cti_xq_combine(cti_xq_op op, cti_xq *const *subs, size_t n,
                                  uint32_t window, cti_xq **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!subs && n)
        return set_error(nullptr, CTI_EINVAL, "no subqueries");
    Xapian::Query::op xop;
    switch (op) {
    case CTI_XQ_AND: xop = Xapian::Query::OP_AND; break;
    case CTI_XQ_OR: xop = Xapian::Query::OP_OR; break;
    case CTI_XQ_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
    case CTI_XQ_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
    case CTI_XQ_FILTER: xop = Xapian::Query::OP_FILTER; break;
    case CTI_XQ_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
    case CTI_XQ_NEAR: xop = Xapian::Query::OP_NEAR; break;
    case CTI_XQ_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
    case CTI_XQ_MAX: xop = Xapian::Query::OP_MAX; break;
    case CTI_XQ_ELITE_SET: xop = Xapian::Query::OP_ELITE_SET; break;
    default: return set_error(nullptr, CTI_EINVAL, "unknown query operator");
    }
    for (size_t i = 0; i < n; ++i)
        if (!subs[i])
            return set_error(nullptr, CTI_EINVAL, "NULL subquery");
    cti_xq *x = nullptr;
    cti_status st = guard(nullptr, [&] {
        x = new cti_xq();
        std::vector<Xapian::Query> v, vs;
        v.reserve(n);
        vs.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            v.push_back(subs[i]->q);
            vs.push_back(subs[i]->qs);
            /* What the matches depend on: AND_MAYBE's first only. */
            if (op != CTI_XQ_AND_MAYBE || i == 0)
                x->filters = x->filters || subs[i]->filters;
            x->positional = x->positional || subs[i]->positional;
        }
        Xapian::termcount w = window;
        if ((op == CTI_XQ_PHRASE) && w == 0)
            w = static_cast<Xapian::termcount>(n);
        x->q = Xapian::Query(xop, v.begin(), v.end(), w);
        /* The PositionCheck form when every sub can stand in a place
           (else the stock form is used everywhere). */
        bool checked = (op == CTI_XQ_PHRASE || op == CTI_XQ_NEAR) && n > 1;
        std::vector<std::vector<cti_pat>> places;
        for (size_t i = 0; checked && i < n; ++i) {
            checked = subs[i]->placeable && !subs[i]->pats.empty();
            places.push_back(subs[i]->pats);
        }
        if (checked) {
            Xapian::Query words(Xapian::Query::OP_AND, v.begin(), v.end());
            auto spec = cti_poscheck_spec(op == CTI_XQ_NEAR, places, w);
            x->qs = Xapian::Query(Xapian::Query::OP_FILTER, words,
                                  cti_poscheck_query(spec));
            x->qd = x->qu = x->qh = words;
            x->deferred.push_back(spec);
            x->unchecked.push_back(spec);
            x->positional = x->filters = true;
        } else {
            x->qs = Xapian::Query(xop, vs.begin(), vs.end(), w);
            defer(op, xop, subs, n, x);
            unchecked_forms(op, xop, subs, n, w, x);
        }
        if (op == CTI_XQ_OR || op == CTI_XQ_SYNONYM) {
            x->placeable = n > 0;
            for (size_t i = 0; i < n; ++i) {
                x->placeable = x->placeable && subs[i]->placeable;
                x->pats.insert(x->pats.end(), subs[i]->pats.begin(),
                               subs[i]->pats.end());
            }
        }
    });
    if (st != CTI_OK) {
        delete x;
        return st;
    }
    *out = x;
    return CTI_OK;
}

CTI_API cti_status cti_xq_scale(const cti_xq *q, double factor, cti_xq **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!q || factor < 0)
        return set_error(nullptr, CTI_EINVAL, "bad scale");
    cti_status st = build_xq(out, [&] {
        return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor);
    });
    if (st == CTI_OK)
        st = guard(nullptr, [&] {
            (*out)->qs = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->qs, factor);
            (*out)->qd = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->qd, factor);
            (*out)->qu = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->qu, factor);
            (*out)->qh = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->qh, factor);
            (*out)->deferred = q->deferred;
            (*out)->unchecked = q->unchecked;
            (*out)->boosts = q->boosts;
            (*out)->positional = q->positional;
            (*out)->filters = q->filters;
        });
    if (st != CTI_OK) {
        cti_xq_free(*out);
        *out = nullptr;
    }
    return st;
}

CTI_API cti_status cti_xq_with_unchecked(const cti_xq *q, const cti_xq *hi,
                                         cti_xq **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!q || !hi)
        return set_error(nullptr, CTI_EINVAL, "NULL query");
    return guard(nullptr, [&] {
        std::unique_ptr<cti_xq> x(new cti_xq(*q));
        x->qh = hi->qh;
        *out = x.release();
    });
}

CTI_API cti_status cti_xq_wildcard(const char *prefix, size_t len,
                                   unsigned max_expansion, cti_xq_op op,
                                   cti_xq **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!prefix || len == 0)
        return set_error(nullptr, CTI_EINVAL, "empty wildcard prefix");
    Xapian::Query::op combiner =
        op == CTI_XQ_SYNONYM ? Xapian::Query::OP_SYNONYM : Xapian::Query::OP_OR;
    cti_status st = build_xq(out, [&] {
        return Xapian::Query(Xapian::Query::OP_WILDCARD,
                             std::string(prefix, len), max_expansion,
                             Xapian::Query::WILDCARD_LIMIT_ERROR, combiner);
    });
    return placed(st, out, prefix, len, true);
}

CTI_API cti_status cti_xq_value_range(unsigned slot, const char *lo,
                                      const char *hi, cti_xq **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    return build_xq(out, [&] {
        if (lo && hi)
            return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi);
        if (lo)
            return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo);
        if (hi)
            return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi);
        return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, std::string());
    });
}

CTI_API cti_status cti_xq_match_all(cti_xq **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    return build_xq(out, [] { return Xapian::Query::MatchAll; });
}

CTI_API void cti_xq_free(cti_xq *q)
{
    try {
        delete q;
    } catch (...) {
    }
}

CTI_API char *cti_xq_describe(const cti_xq *q)
{
    if (!q)
        return nullptr;
    char *out = nullptr;
    guard(nullptr, [&] {
        std::string s = q->q.get_description();
        dup_out(nullptr, s, &out, nullptr);
    });
    return out;
}

/* ------------------------------------------------------------------ */

CTI_API cti_status cti_enquire_new(cti_db *db, cti_enquire **out)
{
    if (!out)
        return set_error(db, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!db)
        return set_error(nullptr, CTI_EINVAL, "no database handle");
    cti_enquire *e = nullptr;
    cti_status st = guard(db, [&] { e = new cti_enquire(db); });
    if (st == CTI_OK)
        *out = e;
    return st;
}

CTI_API void cti_enquire_free(cti_enquire *e)
{
    try {
        delete e;
    } catch (...) {
    }
}

namespace {

/* The POS_* bits of 'db' (read from its metadata once; may throw). */
int posfmt(cti_db *db)
{
    if (db->posfmt >= 0)
        return db->posfmt;
    int f = db->remote ? POS_REMOTE : 0;
    if (db->rd->get_metadata(CTI_POSITIONS_META) == CTI_POSITIONS_ARTICLE) {
        f |= db->remote ? POS_REMOTE_ARTICLE : POS_ARTICLE;
        if (db->remote)
            db->remote_article = db->path;
    }
    if (db->rd->size() > 1)
        f |= POS_SEVERAL;
    db->posfmt = f;
    return f;
}

/*
 * The form of 'q' to run on 'db': the stock one when its databases all
 * keep positions in the table, or when one is remote (where only stock
 * Xapian runs); the PositionCheck one when a local database keeps them
 * per article, or when several are searched as one (the first's metadata
 * does not speak for the rest; PositionCheck reads both kinds).  A
 * phrase or NEAR that decides the matches cannot be answered by a remote
 * database keeping positions per article (InvalidArgumentError, naming
 * the fix); one that only weighs (the proximity of an AND_MAYBE) then
 * adds nothing there.
 */
Xapian::Query pick_form(cti_db *db, const cti_xq *q)
{
    if (!q->positional)
        return q->q;
    int f = posfmt(db);
    if (!(f & POS_REMOTE))
        return (f & (POS_ARTICLE | POS_SEVERAL)) ? q->qs : q->q;
    if (q->filters && (f & POS_REMOTE_ARTICLE))
        throw Xapian::InvalidArgumentError(
            "phrase and NEAR searches cannot run on the remote shard " +
            db->remote_article + ": it keeps positions per article, which "
            "xapian-tcpsrv cannot match (create it with cti-index "
            "--positions table)");
    if (q->filters && (f & POS_ARTICLE))
        throw Xapian::InvalidArgumentError(
            "phrase and NEAR searches cannot run over remote shards together "
            "with local ones that keep positions per article (create the "
            "local ones with cti-index --positions table)");
    return q->q;
}

} // namespace

CTI_API cti_status cti_enquire_set_query(cti_enquire *e, const cti_xq *q)
{
    if (!e || !q)
        return set_error(e ? e->db : nullptr, CTI_EINVAL, "bad argument");
    return guard(e->db, [&] {
        e->query = pick_form(e->db, q);
        e->checks = q->unchecked.size();
        e->deferred.clear();
        e->boosts.clear();
        /* One local database keeping positions per article: the checks
           every match depends on run after the weights (a decider sees
           one database's documents in order; several keep them in
           place). */
        if ((posfmt(e->db) & (POS_ARTICLE | POS_SEVERAL | POS_REMOTE)) == POS_ARTICLE &&
            !q->deferred.empty()) {
            e->query = q->qd;
            e->deferred = q->deferred;
        }
        /* Boosts checked after the weights, on the same condition. */
        if ((posfmt(e->db) & (POS_ARTICLE | POS_SEVERAL | POS_REMOTE)) == POS_ARTICLE &&
            !q->boosts.empty()) {
            e->query_hi = q->qh;
            e->boosts = q->boosts;
        }
        e->has_query = true;
    });
}

CTI_API cti_status cti_enquire_set_bm25(cti_enquire *e, double k1, double k2,
                                        double k3, double b,
                                        double min_normlen)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    if (k1 < 0 || k2 < 0 || k3 < 0 || b < 0 || b > 1 || min_normlen < 0)
        return set_error(e->db, CTI_EINVAL,
                         "BM25 parameters must be >= 0, and b at most 1");
    e->bm25_set = true;
    e->k1 = k1;
    e->k2 = k2;
    e->k3 = k3;
    e->b = b;
    e->min_normlen = min_normlen;
    return CTI_OK;
}

CTI_API cti_status cti_enquire_set_coord(cti_enquire *e)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    e->coord = true;
    return CTI_OK;
}

CTI_API cti_status cti_enquire_set_time_limit(cti_enquire *e, double seconds)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    if (seconds < 0)
        return set_error(e->db, CTI_EINVAL, "a time limit must be >= 0");
    e->time_limit = seconds;
    return CTI_OK;
}

CTI_API cti_status cti_enquire_set_sort_by_value(cti_enquire *e, unsigned slot,
                                                 int descending)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    e->sort_slot = static_cast<int>(slot);
    e->sort_desc = descending != 0;
    return CTI_OK;
}

CTI_API cti_status cti_enquire_set_sort_by_relevance(cti_enquire *e)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    e->sort_slot = -1;
    return CTI_OK;
}

CTI_API cti_status cti_enquire_set_collapse(cti_enquire *e, unsigned slot,
                                            unsigned max)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    e->collapse_slot = max ? static_cast<int>(slot) : -1;
    e->collapse_max = max;
    return CTI_OK;
}

CTI_API cti_status cti_enquire_set_spy(cti_enquire *e, const cti_spy *spy)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    if (spy && !spy->fn && !spy->id_fn)
        return set_error(e->db, CTI_EINVAL, "a spy needs a function");
    e->spy = spy ? *spy : cti_spy();
    return CTI_OK;
}

CTI_API cti_status cti_enquire_set_slots(cti_enquire *e, unsigned slots)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    e->slots = slots & ((1u << CTI_MSET_SLOTS) - 1);
    return CTI_OK;
}

CTI_API cti_status cti_enquire_set_each(cti_enquire *e, const cti_each *each)
{
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    if (each && !each->fn)
        return set_error(e->db, CTI_EINVAL, "a walk needs a function");
    e->each = each ? *each : cti_each();
    return CTI_OK;
}

namespace {

/*
 * Hand the hits of 'ms' from rank position 'from' on to the walk 'w',
 * counting them in *handed; stop when fn asks to.
 */
void walk_hits(const Xapian::MSet &ms, const cti_each &w, size_t *handed)
{
    Xapian::valueno slot = static_cast<Xapian::valueno>(w.slot);
    Xapian::MSetIterator i = ms.begin();
    for (size_t k = 0; k < *handed && i != ms.end(); ++k)
        ++i;
    for (; i != ms.end(); ++i) {
        std::string v = i.get_document().get_value(slot);
        ++*handed;
        if (w.fn(w.ctx, v.data(), v.size()))
            break;
    }
}

/* Set up 'q' to run 'query' as e asks (weights, order, collapsing). */
void setup_enquire(const cti_enquire *e, Xapian::Enquire &q,
                   const Xapian::Query &query)
{
    q.set_query(query);
    if (e->coord)
        q.set_weighting_scheme(Xapian::CoordWeight());
    else if (e->bm25_set)
        q.set_weighting_scheme(Xapian::BM25Weight(e->k1, e->k2, e->k3, e->b,
                                                  e->min_normlen));
    if (e->sort_slot >= 0)
        q.set_sort_by_value_then_relevance(
            static_cast<Xapian::valueno>(e->sort_slot), e->sort_desc);
    if (e->collapse_slot >= 0)
        q.set_collapse_key(static_cast<Xapian::valueno>(e->collapse_slot),
                           e->collapse_max);
}

/* Append the hit at i (its rank, its collapse count) to m->hits and its
   document to 'docs'; load_hits() reads what the hit shows.  The value of
   e's collapse slot is the hit's collapse key, read already. */
void add_hit(cti_mset *m, std::vector<Xapian::Document> &docs,
             const Xapian::MSetIterator &i, uint32_t rank, uint32_t collapsed,
             const cti_enquire *e)
{
    cti_hit h;
    h.docid = *i;
    h.rank = rank;
    h.weight = i.get_weight();
    h.collapsed = collapsed;
    if (e->collapse_slot >= 0 && e->collapse_slot < CTI_MSET_SLOTS &&
        (e->slots & (1u << e->collapse_slot)))
        h.values[e->collapse_slot] = i.get_collapse_key();
    docs.push_back(i.get_document());
    m->hits.push_back(std::move(h));
}

/*
 * The data and the values of e->slots (but the collapse key) of the hits
 * of m whose documents 'docs' add_hit() kept, read one table and one slot
 * at a time, in docid order.  Each lookup is a walk down a B-tree from
 * the blocks the last one left cached: alternating the data, the date
 * and the text of one hit after another would read the upper blocks of
 * each again for every hit.
 */
void load_hits(cti_mset *m, std::vector<Xapian::Document> &docs,
               const cti_enquire *e)
{
    std::vector<size_t> order(docs.size());
    for (size_t k = 0; k < order.size(); ++k)
        order[k] = k;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return m->hits[a].docid < m->hits[b].docid;
    });
    for (size_t k : order)
        m->hits[k].data = docs[k].get_data();
    for (unsigned s = 0; s < CTI_MSET_SLOTS; ++s)
        if ((e->slots & (1u << s)) && static_cast<int>(s) != e->collapse_slot)
            for (size_t k : order)
                m->hits[k].values[s] = docs[k].get_value(s);
    docs.clear();
}

/* The documents of a sorted list, as a posting source adding no weight. */
class DocList : public Xapian::PostingSource {
    std::shared_ptr<const std::vector<Xapian::docid>> ids_;
    size_t i_ = 0;
    bool started_ = false;
  public:
    explicit DocList(std::shared_ptr<const std::vector<Xapian::docid>> ids)
        : ids_(std::move(ids)) {}
    Xapian::PostingSource *clone() const override { return new DocList(ids_); }
    void init(const Xapian::Database &) override
    {
        i_ = 0;
        started_ = false;
    }
    Xapian::doccount get_termfreq_min() const override { return ids_->size(); }
    Xapian::doccount get_termfreq_est() const override { return ids_->size(); }
    Xapian::doccount get_termfreq_max() const override { return ids_->size(); }
    void next(double) override
    {
        i_ += started_;
        started_ = true;
    }
    void skip_to(Xapian::docid did, double) override
    {
        started_ = true;
        i_ = std::lower_bound(ids_->begin() + i_, ids_->end(), did) - ids_->begin();
    }
    bool at_end() const override { return started_ && i_ >= ids_->size(); }
    Xapian::docid get_docid() const override { return (*ids_)[i_]; }
};

} // namespace

CTI_API cti_status cti_xq_docs(const uint32_t *ids, size_t n, cti_xq **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!ids && n)
        return set_error(nullptr, CTI_EINVAL, "no document ids");
    for (size_t i = 0; i < n; ++i)
        if (ids[i] == 0 || (i > 0 && ids[i] <= ids[i - 1]))
            return set_error(nullptr, CTI_EINVAL,
                             "document ids out of order or repeated");
    return build_xq(out, [&] {
        auto v = std::make_shared<const std::vector<Xapian::docid>>(ids, ids + n);
        return Xapian::Query((new DocList(std::move(v)))->release());
    });
}

namespace {

/* Below this many possible matches (cti_poscheck_most()), checking the
   boosts of every match costs less than boosted_mset()'s two runs. */
const Xapian::doccount BOOST_MIN_MATCHES = 256;

/* A hit of either run of boosted_mset(), before the page is cut. */
struct Candidate {
    Xapian::MSetIterator it;
    double wt;
    Xapian::docid did;
    std::string key;          /* collapse key; empty: none */
    Xapian::doccount collapsed;
};

/* The candidates of 'ms' appended to 'out'. */
void candidates(const Xapian::MSet &ms, bool collapsing, std::vector<Candidate> &out)
{
    for (Xapian::MSetIterator i = ms.begin(); i != ms.end(); ++i)
        out.push_back(Candidate{i, i.get_weight(), *i,
                                collapsing ? i.get_collapse_key() : std::string(),
                                i.get_collapse_count()});
}

/* 'est' scaled by 'num'/'den' (den 0: est), kept within [lo, hi]. */
Xapian::doccount rescaled(Xapian::doccount est, Xapian::doccount num,
                          Xapian::doccount den, Xapian::doccount lo,
                          Xapian::doccount hi)
{
    double v = den ? static_cast<double>(est) * num / den : est;
    Xapian::doccount r = v > hi ? hi : static_cast<Xapian::doccount>(v + 0.5);
    return std::max(lo, std::min(r, hi));
}

/*
 * The page [offset, offset + limit) of a query with boosts (e->boosts:
 * phrases and NEARs that only add weight), their positions read only for
 * the documents whose weight could put them in the page, exactly as the
 * query would rank them with every boost checked:
 *
 *   1. e->query_hi, where every boost counts as present (each document
 *      weighs at least its true weight), with a decider that accepts a
 *      document holding every boost (its weight is then its true one) and
 *      sets the others aside (cti_poscheck_boost_decider()).  The matcher
 *      asks the decider only about documents that could still enter the
 *      page, so a document missing from it weighs less than the page's
 *      last, with or without its boosts; each one that could enter it
 *      truly was set aside or accepted.
 *   2. e->query (boosts checked) over the documents set aside only: their
 *      true weights.
 *
 * The two pages merged (by weight, then docid, as Xapian orders them;
 * collapsing copies across them) are the page.  Counts: the matches are
 * those accepted and set aside plus the ones weighed too low, so the
 * bounds of run 1 are widened by those set aside (which its decider took
 * out); exact when both runs saw everything.
 */
bool boosted_mset(const cti_enquire *e, const Xapian::Database &db,
                  uint32_t offset, uint32_t limit, Xapian::doccount most,
                  cti_poscheck_memo &memo, cti_mset *m)
{
    uint64_t w64 = static_cast<uint64_t>(offset) + limit;
    Xapian::doccount want = w64 > UINT32_MAX ? UINT32_MAX
                                             : static_cast<Xapian::doccount>(w64);
    bool collapsing = e->collapse_slot >= 0;
    cti_boost_seen seen;
    Xapian::Enquire hi(db);
    setup_enquire(e, hi, e->query_hi);
    auto decider = cti_poscheck_boost_decider(db, e->deferred, e->boosts, &seen,
                                              want, most);
    /* Checking no more than the page needs: the weights of the page's
       hits bar the others from the decider as soon as it is full. */
    Xapian::MSet m1;
    try {
        m1 = hi.get_mset(0, want, want, nullptr, decider.get());
    } catch (const cti_boost_rare &) {
        return false;
    }
    Xapian::doccount held = seen.held;
    Xapian::doccount aside = static_cast<Xapian::doccount>(seen.missed.size());
    Xapian::MSet m2;
    if (aside) {
        auto ids = std::make_shared<const std::vector<Xapian::docid>>(
            std::move(seen.missed));
        memo.seal(); /* each document set aside was checked */
        Xapian::Enquire lo(db);
        setup_enquire(e, lo, Xapian::Query(Xapian::Query::OP_FILTER, e->query,
                                           Xapian::Query((new DocList(ids))->release())));
        /* With the page of run 1 full, a document weighing less than its
           last cannot enter it. */
        if (m1.size() == want)
            lo.set_cutoff(0, m1[want - 1].get_weight());
        m2 = lo.get_mset(0, want, aside);
    }
    std::vector<Candidate> all;
    candidates(m1, collapsing, all);
    candidates(m2, collapsing, all);
    std::sort(all.begin(), all.end(), [](const Candidate &a, const Candidate &b) {
        return a.wt != b.wt ? a.wt > b.wt : a.did < b.did;
    });
    if (collapsing) { /* a story in both runs: its best copy, counting the other */
        std::unordered_map<std::string, size_t> first;
        size_t k = 0;
        for (size_t j = 0; j < all.size(); ++j) {
            if (!all[j].key.empty()) {
                auto f = first.emplace(all[j].key, k);
                if (!f.second) {
                    all[f.first->second].collapsed += all[j].collapsed + 1;
                    continue;
                }
            }
            if (k != j)
                all[k] = all[j];
            k++;
        }
        all.resize(k);
    }
    bool complete = m1.size() < want && m2.size() < want;
    Xapian::doccount found = static_cast<Xapian::doccount>(all.size());
    /* Articles. */
    Xapian::doccount ulo = std::max(m1.get_uncollapsed_matches_lower_bound(),
                                    held + aside);
    Xapian::doccount uhi = m1.get_uncollapsed_matches_upper_bound() + aside;
    if (complete)
        ulo = uhi = held + aside;
    uhi = std::max(uhi, ulo);
    m->ulower = ulo;
    m->uupper = uhi;
    m->uest = rescaled(m1.get_uncollapsed_matches_estimated(), held + aside, held,
                       ulo, uhi);
    /* Stories. */
    if (collapsing) {
        Xapian::doccount lo = std::max({m1.get_matches_lower_bound(),
                                        m2.get_matches_lower_bound(), found});
        Xapian::doccount up = m1.get_matches_upper_bound() + aside;
        if (complete)
            lo = up = found;
        up = std::max(up, lo);
        m->lower = lo;
        m->upper = up;
        m->est = rescaled(m1.get_matches_estimated(), held + aside, held, lo, up);
    } else {
        m->lower = m->ulower;
        m->upper = m->uupper;
        m->est = m->uest;
    }
    m->mset = m1;
    m->hits.clear();
    std::vector<Xapian::Document> docs;
    for (size_t j = offset; j < all.size() && j < want; ++j)
        add_hit(m, docs, all[j].it, static_cast<uint32_t>(j), all[j].collapsed, e);
    load_hits(m, docs, e);
    return true;
}

/*
 * An upper bound on the documents q matches, at most 'all': a term's
 * frequency, the least of its subqueries' bounds under an operator that
 * needs every one (AND, FILTER, PHRASE, NEAR), their sum under one that
 * takes any (OR, XOR, SYNONYM, MAX, ELITE_SET), the first's under
 * AND_NOT, AND_MAYBE and a scaling.  False when some part has none (a
 * wildcard, a value range, a posting source).  May throw.
 */
bool match_bound(const Xapian::Database &db, const Xapian::Query &q,
                 Xapian::doccount all, Xapian::doccount &out)
{
    using Q = Xapian::Query;
    const size_t n = q.get_num_subqueries();
    switch (q.get_type()) {
    case Q::LEAF_TERM:
        out = std::min(all, db.get_termfreq(*q.get_terms_begin()));
        return true;
    case Q::LEAF_MATCH_ALL:
        out = all;
        return true;
    case Q::LEAF_MATCH_NOTHING:
        out = 0;
        return true;
    case Q::OP_AND_NOT:
    case Q::OP_AND_MAYBE:
    case Q::OP_SCALE_WEIGHT:
        return n > 0 && match_bound(db, q.get_subquery(0), all, out);
    case Q::OP_AND:
    case Q::OP_FILTER:
    case Q::OP_PHRASE:
    case Q::OP_NEAR:
    case Q::OP_OR:
    case Q::OP_XOR:
    case Q::OP_SYNONYM:
    case Q::OP_MAX:
    case Q::OP_ELITE_SET: {
        const bool every = q.get_type() == Q::OP_AND || q.get_type() == Q::OP_FILTER ||
                           q.get_type() == Q::OP_PHRASE || q.get_type() == Q::OP_NEAR;
        uint64_t acc = every ? all : 0;
        for (size_t i = 0; i < n; ++i) {
            Xapian::doccount b = 0;
            if (!match_bound(db, q.get_subquery(i), all, b))
                return false;
            acc = every ? std::min<uint64_t>(acc, b) : acc + b;
        }
        out = static_cast<Xapian::doccount>(std::min<uint64_t>(acc, all));
        return true;
    }
    default:
        return false;
    }
}

} // namespace

CTI_API cti_status cti_enquire_match_bound(cti_enquire *e, uint32_t *upper,
                                           int *known)
{
    if (!e || !upper || !known)
        return set_error(e ? e->db : nullptr, CTI_EINVAL, "bad argument");
    *upper = 0;
    *known = 0;
    if (!e->has_query)
        return set_error(e->db, CTI_ESTATE, "no query set");
    return with_retry(e->db, [&] {
        Xapian::doccount b = 0;
        *known = match_bound(*e->db->rd, e->query, e->db->rd->get_doccount(), b);
        *upper = *known ? b : 0;
    });
}

CTI_API cti_status cti_enquire_run(cti_enquire *e, uint32_t offset,
                                   uint32_t limit, uint32_t check_at_least,
                                   cti_mset **out)
{
    if (!out)
        return set_error(nullptr, CTI_EINVAL, "no output pointer");
    *out = nullptr;
    if (!e)
        return set_error(nullptr, CTI_EINVAL, "no enquire handle");
    if (!e->has_query)
        return set_error(e->db, CTI_ESTATE, "no query set");
    cti_mset *m = new (std::nothrow) cti_mset();
    if (!m)
        return set_error(e->db, CTI_ENOMEM, "out of memory");
    cti_db *db = e->db;
    /* xapian-tcpsrv runs none of cti's code: a spy cannot run there, and
       a counting run over a remote shard has no time limit (it counts to
       check_at_least, which the caller keeps small). */
    const bool spying = e->spy.fn || e->spy.id_fn;
    if (db->remote_parts && spying) {
        delete m;
        return set_error(db, CTI_EINVAL, "counting by value cannot run on a "
                         "remote shard: xapian-tcpsrv runs no cti code (use "
                         "local shards for this)");
    }
    const double time_limit = db->remote_parts ? 0 : e->time_limit;
    bool ran_before = false; /* an earlier attempt may have fed the spy */
    size_t handed = 0;       /* hits handed to the walk so far */
    cti_status st = with_retry(db, [&] {
        /* A fresh Enquire each attempt: the database may have been reopened. */
        /* One database keeping positions per article, and checks with
           readers of their own (a decider's share them already): they
           share what they read (two boosts checked in place). */
        std::unique_ptr<cti_poscheck_share> share;
        if (e->checks > 1 && e->checks > e->deferred.size() &&
            (posfmt(db) & (POS_ARTICLE | POS_SEVERAL | POS_REMOTE)) == POS_ARTICLE)
            share.reset(new cti_poscheck_share(*db->rd));
        /* Boosts checked after the weights: only for a page in order of
           relevance, with nothing that must see every match. */
        std::unique_ptr<cti_poscheck_memo> memo;
        Xapian::doccount most = 0; /* at most how many hold the boosts */
        if (!e->boosts.empty() && limit > 0 && e->sort_slot < 0 && !spying &&
            !e->each.fn && e->time_limit <= 0) {
            most = db->rd->get_doccount();
            for (const auto &sp : e->boosts)
                most = std::min(most, cti_poscheck_most(*db->rd, *sp));
        }
        if (most >= BOOST_MIN_MATCHES) {
            std::vector<std::shared_ptr<const cti_posspec>> all = e->deferred;
            all.insert(all.end(), e->boosts.begin(), e->boosts.end());
            memo.reset(new cti_poscheck_memo(all));
            if (boosted_mset(e, *db->rd, offset, limit, most, *memo, m))
                return;
            /* Too few hold the boosts: one run checking them in place,
               the documents already checked not read again. */
            memo->freeze();
        }
        CallbackSpy spy(e->spy); /* outlives enq, which points to it */
        DeadlineSpy deadline(time_limit);
        auto setup = [&](Xapian::Enquire &q) { setup_enquire(e, q, e->query); };
        Xapian::Enquire enq(*db->rd);
        std::unique_ptr<Xapian::MatchDecider> decider, quick_decider;
        if (!e->deferred.empty())
            decider = cti_poscheck_decider(*db->rd, e->deferred);
        if (spying) {
            if (ran_before && e->spy.id_fn)
                e->spy.id_fn(e->spy.ctx, 0);
            else if (ran_before)
                e->spy.fn(e->spy.ctx, nullptr, 0, nullptr, 0);
            ran_before = true;
            enq.add_matchspy(&spy);
        }
        if (time_limit > 0)
            enq.add_matchspy(&deadline);
        setup(enq);
        m->hits.clear();
        bool timed_out = false;
        try {
            m->mset = enq.get_mset(offset, limit, check_at_least, nullptr,
                                   decider.get());
        } catch (const CountTimeout &) {
            timed_out = true;
        }
        if (timed_out) {
            /* The page without counting; the matches seen bound the count. */
            Xapian::Enquire quick(*db->rd);
            setup(quick);
            if (!e->deferred.empty())
                quick_decider = cti_poscheck_decider(*db->rd, e->deferred);
            m->mset = quick.get_mset(offset, limit, Xapian::doccount(0), nullptr,
                                     quick_decider.get());
        }
        /* No MSet::fetch(): in Xapian 1.4.22 it crashes for a page that
           does not start at the first hit; documents are read one by one. */
        if (e->each.fn)
            walk_hits(m->mset, e->each, &handed);
        else
            m->hits.reserve(m->mset.size());
        std::vector<Xapian::Document> docs;
        for (Xapian::MSetIterator i = m->mset.begin();
             !e->each.fn && i != m->mset.end(); ++i)
            add_hit(m, docs, i, i.get_rank(), i.get_collapse_count(), e);
        load_hits(m, docs, e);
        m->est = m->mset.get_matches_estimated();
        m->lower = m->mset.get_matches_lower_bound();
        m->upper = m->mset.get_matches_upper_bound();
        m->uest = m->mset.get_uncollapsed_matches_estimated();
        m->ulower = m->mset.get_uncollapsed_matches_lower_bound();
        m->uupper = m->mset.get_uncollapsed_matches_upper_bound();
        if (timed_out) {
            m->ulower = std::max<uint32_t>(m->ulower, deadline.seen);
            m->uupper = std::max(m->uupper, m->ulower);
            m->uest = std::min(std::max(m->uest, m->ulower), m->uupper);
            if (e->collapse_slot < 0) {
                m->lower = m->ulower;
                m->upper = m->uupper;
                m->est = m->uest;
            }
        }
        if (e->each.fn)
            m->mset = Xapian::MSet(); /* the walk is over: free its items */
    });
    if (st != CTI_OK) {
        delete m;
        return st;
    }
    *out = m;
    return CTI_OK;
}

CTI_API void cti_mset_free(cti_mset *m)
{
    try {
        delete m;
    } catch (...) {
    }
}

CTI_API size_t cti_mset_size(const cti_mset *m)
{
    return m ? m->hits.size() : 0;
}

CTI_API uint32_t cti_mset_matches_estimated(const cti_mset *m)
{
    return m ? m->est : 0;
}

CTI_API uint32_t cti_mset_matches_lower(const cti_mset *m)
{
    return m ? m->lower : 0;
}

CTI_API uint32_t cti_mset_matches_upper(const cti_mset *m)
{
    return m ? m->upper : 0;
}

CTI_API uint32_t cti_mset_uncollapsed_estimated(const cti_mset *m)
{
    return m ? m->uest : 0;
}

CTI_API uint32_t cti_mset_uncollapsed_lower(const cti_mset *m)
{
    return m ? m->ulower : 0;
}

CTI_API uint32_t cti_mset_uncollapsed_upper(const cti_mset *m)
{
    return m ? m->uupper : 0;
}

CTI_API uint32_t cti_mset_collapse_count(const cti_mset *m, size_t i)
{
    return m && i < m->hits.size() ? m->hits[i].collapsed : 0;
}

CTI_API uint32_t cti_mset_docid(const cti_mset *m, size_t i)
{
    return m && i < m->hits.size() ? m->hits[i].docid : 0;
}

CTI_API uint32_t cti_mset_rank(const cti_mset *m, size_t i)
{
    return m && i < m->hits.size() ? m->hits[i].rank : 0;
}

CTI_API double cti_mset_weight(const cti_mset *m, size_t i)
{
    return m && i < m->hits.size() ? m->hits[i].weight : 0.0;
}

CTI_API const char *cti_mset_data(const cti_mset *m, size_t i, size_t *len)
{
    if (!m || i >= m->hits.size()) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = m->hits[i].data.size();
    return m->hits[i].data.c_str();
}

CTI_API const char *cti_mset_value(const cti_mset *m, size_t i, unsigned slot,
                                   size_t *len)
{
    if (!m || i >= m->hits.size() || slot >= CTI_MSET_SLOTS) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = m->hits[i].values[slot].size();
    return m->hits[i].values[slot].c_str();
}

CTI_API uint32_t cti_mset_termfreq(const cti_mset *m, const char *term,
                                   size_t len)
{
    if (!m || !term)
        return 0;
    uint32_t f = 0;
    guard(nullptr, [&] { f = m->mset.get_termfreq(std::string(term, len)); });
    return f;
}
