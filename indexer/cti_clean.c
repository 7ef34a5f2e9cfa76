/*
 * cti_clean.c - page boilerplate and copies, when an article is indexed.
 *
 * Sources
 *   An article's source, for template counts, is its source field, else
 *   the host of its url, else for a file the folder it is in
 *   (cti_boiler_source_key()); an article with none has no template.
 *
 * Counts
 *   The number of articles of a source holding a line is the term
 *   frequency of the line's term: in the lookup database, plus (bulk) the
 *   run's own articles counted in memory, plus the article itself.  The
 *   line is template for the article when that count reaches
 *   cti_boiler_threshold() of the source's article count (found the same
 *   way from the source's term).
 *
 * Copies
 *   A fingerprint (at least CTI_FINGERPRINT_MIN_SHINGLES word triples)
 *   gets its band terms; the candidates are the articles sharing a band
 *   with it: through an OR query of its bands on the lookup database (at
 *   most CANDIDATES of them), and (bulk) through the run's own band
 *   table.  The most similar candidate at least CTI_FINGERPRINT_COPY
 *   similar gives its cluster; without one the article starts a cluster
 *   named by the hash of its id term and its text.  Clusters are not
 *   joined: a copy of articles in two clusters goes to the most similar
 *   one's.  Joining them (the connected groups of copies) chained
 *   overlapping wire stories into clusters of thousands, each join a
 *   rebuild of the cluster's articles: on 40 MB of short stories, three
 *   times the indexing time and twice the index.  Looking up and
 *   registering in the run's table is one step under the run's lock, so
 *   two copies built at the same time by two threads always meet.  A story's cluster keeps its name while any of its
 *   copies stays, and an article rebuilt finds its own earlier version,
 *   so names are stable across runs; an article that found another gets
 *   CTI_TERM_COPY.  The shards of a sharded index share one table and
 *   look in every shard, so copies meet whichever shard they are in;
 *   template counts stay per shard.
 *
 * Settling
 *   Each line term touched in the run (held by an article added, replaced
 *   or removed) is checked once the run is written: when the count of the
 *   whole index makes it template, every article holding it without the
 *   line's "seen" term is rebuilt; when it is no longer template, every
 *   article with the "seen" term is.  When a source's threshold moved
 *   (its article count crossed a step), all its lines are checked.  In a
 *   bulk run only lines that can have changed are looked up: those held
 *   twice or more in the run, seen as template, held by a removed article,
 *   or of a source the index held before.
 */
#include "cti_clean.h"

#include "cti_fingerprint.h"
#include "cti_hash.h"
#include "cti_schema.h"

#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANDIDATES 64          /* copies looked at in the database */
#define BAND_WALK 64           /* latest articles of the run's band table
                                  taken per band */
#define SRC_MASK UINT64_C(0xffffffff)/* bits of the source key in terms */
#define BLK_MASK UINT64_C(0xffffffffffff)

/* ------------------------------------------------------------- maps */

/* uint64 -> uint32, open addressing; key 0 is stored as 1. */
typedef struct u64map {
    uint64_t *k;
    uint32_t *v;
    size_t cap, n;
} u64map;

static uint32_t *map_slot(u64map *m, uint64_t key, int add)
{
    if (!key)
        key = 1;
    if (add && 2 * (m->n + 1) > m->cap) {
        u64map g = { NULL, NULL, m->cap ? m->cap * 2 : 256, 0 };
        g.k = calloc(g.cap, sizeof *g.k);
        g.v = calloc(g.cap, sizeof *g.v);
        if (!g.k || !g.v) {
            free(g.k);
            free(g.v);
            return NULL;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->k[i])
                continue;
            size_t j = m->k[i] & (g.cap - 1);
            while (g.k[j])
                j = (j + 1) & (g.cap - 1);
            g.k[j] = m->k[i];
            g.v[j] = m->v[i];
            g.n++;
        }
        free(m->k);
        free(m->v);
        *m = g;
    }
    if (!m->cap)
        return NULL;
    size_t j = key & (m->cap - 1);
    while (m->k[j] && m->k[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->k[j]) {
        if (!add)
            return NULL;
        m->k[j] = key;
        m->n++;
    }
    return &m->v[j];
}

static uint32_t map_get(u64map *m, uint64_t key)
{
    uint32_t *v = map_slot(m, key, 0);
    return v ? *v : 0;
}

static void map_free(u64map *m)
{
    free(m->k);
    free(m->v);
    memset(m, 0, sizeof *m);
}

static uint64_t pair_key(uint64_t src, uint64_t blk)
{
    return cti_hash_mix64((src & SRC_MASK) * 0x9E3779B97F4A7C15ull ^ (blk & BLK_MASK));
}

/* ------------------------------------------------------------- state */

/* A line term touched in the run. */
typedef struct touched {
    uint64_t src, blk;
    uint32_t added;      /* articles of this run holding it */
    unsigned seen : 1;   /* one of them was built with it as template */
    unsigned removed : 1;/* an article holding it left the index */
} touched;

/* What the run knows of a source. */
typedef struct source {
    uint64_t src;
    uint32_t added, removed;
    uint32_t before;     /* its articles in the lookup database when first met */
    unsigned met : 1;    /* 'before' is known */
} source;

/* An article of this run, for copies built at the same time (bulk). */
typedef struct rundoc {
    cti_fingerprint fp;
    char key[16];
} rundoc;


/* What the lookups for an article's copies found. */
typedef struct keyset {
    int copy;            /* another article is a copy of it */
} keyset;

typedef struct bandent {
    uint64_t band;
    uint32_t doc, next;  /* next: entry index + 1, 0 at the end */
} bandent;

struct cti_clean_run {
    pthread_mutex_t mu;  /* guards everything below */
    int in_memory;
    int settling;        /* rebuilds of the settle step: nothing recorded */
    int all;             /* settle every line of the index */
    u64map blocks;       /* pair -> index + 1 into 'tl' */
    touched *tl;
    size_t ntl, captl;
    u64map srcs;         /* source -> index + 1 into 'sl' */
    source *sl;
    size_t nsl, capsl;
    u64map bands;        /* band hash -> first entry + 1 */
    bandent *be;
    size_t nbe, capbe;
    rundoc *docs;
    size_t ndocs, capdocs;
    u64map shared;       /* run_copy(): candidate + 1 -> index + 1 into 'cand' */
    struct candidate { uint32_t doc, bands, slot; } *cand;
    size_t ncand, capcand;
    struct cti_clean_run *copies; /* whose table copies go to (NULL: this) */
    pthread_cond_t all_here;
    unsigned sharers;    /* runs sharing this one's copies */
    unsigned here;       /* of them, those done adding articles */
};

struct cti_clean {
    cti_clean_run *run;
    cti_db *db;
    cti_db *copy_db;     /* where copies are looked up (NULL: db) */
    cti_boiler *b;
    uint64_t src;        /* the article's source key (0: none) */
    int in_db;
    uint32_t *counts;
    unsigned char *seen;
    size_t cap;
    cti_fingerprint_builder fb;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *x = realloc(*p, c * size);
    if (!x)
        return -1;
    *p = x;
    *cap = c;
    return 0;
}

cti_status cti_clean_run_new(int in_memory, cti_clean_run **out)
{
    cti_clean_run *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return CTI_ENOMEM;
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r);
        return CTI_ENOMEM;
    }
    if (pthread_cond_init(&r->all_here, NULL) != 0) {
        pthread_mutex_destroy(&r->mu);
        free(r);
        return CTI_ENOMEM;
    }
    r->in_memory = in_memory;
    *out = r;
    return CTI_OK;
}

void cti_clean_run_free(cti_clean_run *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->all_here);
    map_free(&r->blocks);
    map_free(&r->srcs);
    map_free(&r->bands);
    map_free(&r->shared);
    free(r->cand);
    free(r->tl);
    free(r->sl);
    free(r->be);
    free(r->docs);
    free(r);
}

void cti_clean_run_set_in_memory(cti_clean_run *run, int in_memory)
{
    pthread_mutex_lock(&run->mu);
    run->in_memory = in_memory;
    pthread_mutex_unlock(&run->mu);
}

cti_status cti_clean_new(cti_clean_run *run, cti_db *db, cti_clean **out)
{
    cti_clean *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c || cti_boiler_new(&c->b) != CTI_OK) {
        free(c);
        return CTI_ENOMEM;
    }
    c->run = run;
    c->db = db;
    *out = c;
    return CTI_OK;
}

void cti_clean_free(cti_clean *c)
{
    if (!c)
        return;
    cti_boiler_free(c->b);
    free(c->counts);
    free(c->seen);
    free(c);
}

void cti_clean_set_db(cti_clean *c, cti_db *db)
{
    if (c)
        c->db = db;
}

void cti_clean_set_copy_db(cti_clean *c, cti_db *db)
{
    if (c)
        c->copy_db = db;
}

void cti_clean_run_share_copies(cti_clean_run *run, cti_clean_run *shared)
{
    pthread_mutex_lock(&run->mu);
    cti_clean_run *was = run->copies;
    run->copies = shared;
    pthread_mutex_unlock(&run->mu);
    if (was) {
        pthread_mutex_lock(&was->mu);
        was->sharers--;
        pthread_cond_broadcast(&was->all_here);
        pthread_mutex_unlock(&was->mu);
    }
    if (shared) {
        pthread_mutex_lock(&shared->mu);
        shared->sharers++;
        pthread_mutex_unlock(&shared->mu);
    }
}

void cti_clean_run_done(cti_clean_run *run)
{
    cti_clean_run *cr = run->copies;
    if (!cr)
        return;
    pthread_mutex_lock(&cr->mu);
    cr->here++;
    pthread_cond_broadcast(&cr->all_here);
    while (cr->here < cr->sharers)
        pthread_cond_wait(&cr->all_here, &cr->mu);
    pthread_mutex_unlock(&cr->mu);
}

/* The run's record of source 'src' (added when absent); NULL: no memory. [mu] */
static source *run_source(cti_clean_run *r, uint64_t src)
{
    uint32_t *v = map_slot(&r->srcs, src & SRC_MASK, 1);
    if (!v)
        return NULL;
    if (!*v) {
        if (grow((void **)&r->sl, &r->capsl, r->nsl, sizeof *r->sl))
            return NULL;
        memset(&r->sl[r->nsl], 0, sizeof *r->sl);
        r->sl[r->nsl].src = src & SRC_MASK;
        *v = (uint32_t)++r->nsl;
    }
    return &r->sl[*v - 1];
}

/* The run's record of line 'blk' of 'src' (added when absent). [mu] */
static touched *run_touched(cti_clean_run *r, uint64_t src, uint64_t blk)
{
    uint32_t *v = map_slot(&r->blocks, pair_key(src, blk), 1);
    if (!v)
        return NULL;
    if (!*v) {
        if (grow((void **)&r->tl, &r->captl, r->ntl, sizeof *r->tl))
            return NULL;
        memset(&r->tl[r->ntl], 0, sizeof *r->tl);
        r->tl[r->ntl].src = src & SRC_MASK;
        r->tl[r->ntl].blk = blk & BLK_MASK;
        *v = (uint32_t)++r->ntl;
    }
    return &r->tl[*v - 1];
}

/* ------------------------------------------------------------ terms */

static size_t source_term(uint64_t src, char buf[CTI_BOILER_TERM_MAX])
{
    return (size_t)snprintf(buf, CTI_BOILER_TERM_MAX, "%s%08" PRIx64,
                            CTI_PREFIX_BLOCK, src & SRC_MASK);
}

/* The prefix of the verdict terms of source 'src' (seen_term()). */
static size_t seen_source_term(uint64_t src, char buf[CTI_BOILER_TERM_MAX])
{
    return (size_t)snprintf(buf, CTI_BOILER_TERM_MAX, "%s%08" PRIx64,
                            CTI_PREFIX_SEEN, src & SRC_MASK);
}

static size_t seen_term(uint64_t src, uint64_t blk,
                        char buf[CTI_BOILER_TERM_MAX + 4])
{
    return (size_t)snprintf(buf, CTI_BOILER_TERM_MAX + 4,
                            "%s%08" PRIx64 "%012" PRIx64, CTI_PREFIX_SEEN,
                            src & SRC_MASK, blk & BLK_MASK);
}

static cti_status termfreq(cti_db *db, const char *t, size_t n, uint32_t *f)
{
    *f = 0;
    return db ? cti_db_termfreq(db, t, n, f) : CTI_OK;
}

/* ------------------------------------------------------- step 1 */

/* The folder of a file article's id, into buf; NULL for other articles. */
static const char *article_dir(const cti_article *a, char *buf, size_t n)
{
    if (!a->id || a->line != 0 || a->id[0] != '/' || strlen(a->id) >= n)
        return NULL;
    memcpy(buf, a->id, strlen(a->id) + 1);
    return dirname(buf);
}

/* Articles of source c->src: the database's, the run's, this one. */
static cti_status count_source(cti_clean *c, uint32_t *n)
{
    char t[CTI_BOILER_TERM_MAX];
    cti_status st = termfreq(c->db, t, source_term(c->src, t), n);
    if (st != CTI_OK)
        return st;
    cti_clean_run *r = c->run;
    pthread_mutex_lock(&r->mu);
    source *s = run_source(r, c->src);
    if (s && !s->met) {
        s->before = *n;
        s->met = 1;
    }
    if (s && r->in_memory)
        *n += s->added;
    pthread_mutex_unlock(&r->mu);
    if (!s)
        return CTI_ENOMEM;
    *n += !c->in_db;
    return CTI_OK;
}

/* Articles of the source holding candidate line 'blk', this one included. */
static cti_status count_line(cti_clean *c, uint64_t blk, uint32_t *n)
{
    char t[CTI_BOILER_TERM_MAX];
    cti_status st = termfreq(c->db, t, cti_boiler_term(c->src, blk, t), n);
    if (st != CTI_OK)
        return st;
    cti_clean_run *r = c->run;
    if (r->in_memory) {
        pthread_mutex_lock(&r->mu);
        uint32_t v = map_get(&r->blocks, pair_key(c->src, blk));
        if (v)
            *n += r->tl[v - 1].added;
        pthread_mutex_unlock(&r->mu);
    }
    *n += !c->in_db;
    return CTI_OK;
}

cti_status cti_clean_article(cti_clean *c, const cti_article *a, int in_db)
{
    char dirbuf[4096];
    cti_status st;
    c->in_db = in_db;
    cti_fingerprint_begin(&c->fb);
    if ((st = cti_boiler_scan(c->b, a->body, a->body_len)) != CTI_OK)
        return st;
    c->src = cti_boiler_source_key(a->source, a->url,
                                   article_dir(a, dirbuf, sizeof dirbuf));
    size_t nc = cti_boiler_ncandidates(c->b);
    if (!c->src || !nc)
        return CTI_OK;
    if (nc > c->cap) {
        uint32_t *x = realloc(c->counts, nc * sizeof *x);
        if (x)
            c->counts = x;
        unsigned char *y = realloc(c->seen, nc);
        if (y)
            c->seen = y;
        if (!x || !y)
            return CTI_ENOMEM;
        c->cap = nc;
    }
    uint32_t articles;
    if ((st = count_source(c, &articles)) != CTI_OK)
        return st;
    uint32_t threshold = cti_boiler_threshold(articles);
    for (size_t i = 0; i < nc; i++) {
        if ((st = count_line(c, cti_boiler_candidate(c->b, i),
                             &c->counts[i])) != CTI_OK)
            return st;
        c->seen[i] = c->counts[i] >= threshold;
    }
    return cti_boiler_apply_template(c->b, c->counts, threshold);
}

const cti_boiler_range *cti_clean_ranges(const cti_clean *c, size_t *n)
{
    return cti_boiler_ranges(c->b, n);
}

void cti_clean_word(cti_clean *c, const char *stem, size_t len)
{
    cti_fingerprint_add(&c->fb, stem, len);
}

/* ------------------------------------------------------- step 3 */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Record the article's lines in the run: counts (bulk) and touched. */
static cti_status record_lines(cti_clean *c, const uint64_t *blk,
                               const unsigned char *seen, size_t n)
{
    cti_clean_run *r = c->run;
    cti_status st = CTI_OK;
    pthread_mutex_lock(&r->mu);
    if (!r->settling) {
        source *s = run_source(r, c->src);
        if (s)
            s->added += !c->in_db;
        for (size_t i = 0; s && i < n; i++) {
            touched *t = run_touched(r, c->src, blk[i]);
            if (!t) {
                s = NULL;
                break;
            }
            t->added += !c->in_db;
            t->seen |= seen[i];
        }
        if (!s)
            st = CTI_ENOMEM;
    }
    pthread_mutex_unlock(&r->mu);
    return st;
}

/* The source term, one term per distinct line and its "seen" term. */
static cti_status add_line_terms(cti_clean *c, cti_doc *doc)
{
    size_t nc = cti_boiler_ncandidates(c->b), n = 0;
    char t[CTI_BOILER_TERM_MAX + 4];
    cti_status st = cti_doc_add_term(doc, t, source_term(c->src, t), 0);
    if (st != CTI_OK || !nc)
        return st != CTI_OK ? st : record_lines(c, NULL, NULL, 0);
    /* Distinct lines, each with its verdict (seen if any copy was). */
    uint64_t *blk = malloc(nc * sizeof *blk);
    unsigned char *seen = malloc(nc);
    if (!blk || !seen) {
        st = CTI_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < nc; i++)
        blk[i] = (cti_boiler_candidate(c->b, i) & BLK_MASK) << 1 | c->seen[i];
    qsort(blk, nc, sizeof *blk, cmp_u64);
    for (size_t i = 0; i < nc; i++) {
        uint64_t b = blk[i] >> 1;
        if (n && blk[n - 1] == b) {
            seen[n - 1] |= blk[i] & 1;
            continue;
        }
        seen[n] = blk[i] & 1;
        blk[n++] = b;
    }
    for (size_t i = 0; i < n && st == CTI_OK; i++) {
        st = cti_doc_add_term(doc, t, cti_boiler_term(c->src, blk[i], t), 0);
        if (st == CTI_OK && seen[i])
            st = cti_doc_add_term(doc, t, seen_term(c->src, blk[i], t), 0);
    }
    if (st == CTI_OK)
        st = record_lines(c, blk, seen, n);
done:
    free(blk);
    free(seen);
    return st;
}

/* The best copy among the database's articles sharing a band. */
static cti_status db_copy(cti_clean *c, const cti_fingerprint *fp,
                          const char *idterm, size_t itl, double *best,
                          char key[16], keyset *ks)
{
    cti_xq *subs[2 * CTI_FINGERPRINT_BANDS], *q = NULL;
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    size_t n = 0;
    uint32_t docs = 0;
    cti_db *db = c->copy_db ? c->copy_db : c->db;
    cti_status st = db ? cti_db_doccount(db, &docs) : CTI_OK;
    if (st != CTI_OK || !docs)
        return st;
    /* Its bands as this build names them, and as indexes written before
       did (an article shares a band with another in one of the two). */
    for (unsigned k = 0; k < 2 * CTI_FINGERPRINT_BANDS && st == CTI_OK; k++) {
        char t[CTI_FINGERPRINT_TERM_MAX];
        size_t tl = cti_fingerprint_band_term(fp, k / 2, k & 1, t);
        st = cti_xq_term(t, tl, 1, 0, &subs[n]);
        n += st == CTI_OK;
    }
    if (st == CTI_OK)
        st = cti_xq_combine(CTI_XQ_OR, subs, n, 0, &q);
    if (st == CTI_OK)
        st = cti_enquire_new(db, &e);
    if (st == CTI_OK)
        st = cti_enquire_set_query(e, q);
    /* The candidates sharing the most bands first: past CANDIDATES, those
       sharing one band by chance are left out, not the copies. */
    if (st == CTI_OK)
        st = cti_enquire_set_coord(e);
    if (st == CTI_OK)
        st = cti_enquire_run(e, 0, CANDIDATES, 0, &m);
    /* Its own earlier version names its cluster, but is no copy. */
    uint32_t self = 0;
    if (st == CTI_OK && cti_mset_size(m) &&
        (st = cti_db_find(db, idterm, itl, &self)) == CTI_ENOTFOUND)
        st = CTI_OK;
    for (size_t i = 0; st == CTI_OK && i < cti_mset_size(m); i++) {
        size_t vl, kl;
        const char *v = cti_mset_value(m, i, CTI_SLOT_FINGERPRINT, &vl);
        const char *k = cti_mset_value(m, i, CTI_SLOT_CLUSTER, &kl);
        cti_fingerprint other;
        if (!kl || kl >= 16 || cti_fingerprint_decode(v, vl, &other) != 0)
            continue;
        double sim = cti_fingerprint_similarity(fp, &other);
        if (sim < CTI_FINGERPRINT_COPY)
            continue;
        ks->copy |= cti_mset_docid(m, i) != self;
        if (sim > *best) {
            *best = sim;
            memcpy(key, k, kl);
            key[kl] = '\0';
        }
    }
    for (size_t i = 0; i < n; i++)
        cti_xq_free(subs[i]);
    cti_xq_free(q);
    cti_mset_free(m);
    cti_enquire_free(e);
    return st;
}

/* The best copy among the run's articles (each compared once). [mu] */
/* More shared bands first, then the earlier article. */
static int by_bands(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    if (x->bands != y->bands)
        return x->bands < y->bands ? 1 : -1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

/*
 * The best copy among the run's articles sharing a band with 'fp', as the
 * database lookup does it: the CANDIDATES sharing the most bands, each
 * compared once.  A shingle common to a corpus (a phrase of its speeches,
 * say) can be the minimum of a bin for thousands of articles, which then
 * share that band by chance: ranked by shared bands, copies come before
 * them, and the work is one count per shared band rather than a
 * comparison.  Each band's list is walked to its BAND_WALK latest
 * articles only: a band held by more is a common shingle's, and the
 * copies of a story share its other bands too.  Measured on 200 MB of
 * generated news, whose bands are held by up to 1,752 articles: finding
 * copies in the run took 7% of the indexing CPU time before (every
 * sharer compared), 3% now; 36,907 stories instead of 36,631 among its
 * 44,030 articles (copies sharing a single band with it, crowded out by
 * chance sharers); the same clusters on bench/dupset.  [mu]
 */
static cti_status run_copy(cti_clean_run *r, const cti_fingerprint *fp,
                           const uint64_t *bands, double *best, char key[16],
                           keyset *ks)
{
    r->ncand = 0;
    size_t cap0 = r->shared.cap;
    for (unsigned b = 0; b < CTI_FINGERPRINT_BANDS; b++) {
        uint32_t e = map_get(&r->bands, bands[b]);
        for (unsigned walked = 0; e && walked < BAND_WALK;
             e = r->be[e - 1].next, walked++) {
            uint32_t doc = r->be[e - 1].doc;
            size_t before = r->shared.n;
            uint32_t *slot = map_slot(&r->shared, (uint64_t)doc + 2, 1);
            if (!slot)
                return CTI_ENOMEM;
            if (r->shared.n == before) {
                r->cand[*slot - 1].bands++;
                continue;
            }
            if (grow((void **)&r->cand, &r->capcand, r->ncand, sizeof *r->cand))
                return CTI_ENOMEM;
            r->cand[r->ncand] = (struct candidate){
                doc, 1, (uint32_t)(slot - r->shared.v) };
            *slot = (uint32_t)++r->ncand;
        }
    }
    /* Empty the map for the next article: by the slots taken, unless it
       grew (and moved them) on the way. */
    if (r->shared.cap != cap0) {
        memset(r->shared.k, 0, r->shared.cap * sizeof *r->shared.k);
    } else {
        for (size_t i = 0; i < r->ncand; i++)
            r->shared.k[r->cand[i].slot] = 0;
    }
    r->shared.n = 0;
    if (r->ncand > CANDIDATES)
        qsort(r->cand, r->ncand, sizeof *r->cand, by_bands);
    size_t n = r->ncand < CANDIDATES ? r->ncand : CANDIDATES;
    for (size_t i = 0; i < n; i++) {
        const rundoc *d = &r->docs[r->cand[i].doc];
        double sim = cti_fingerprint_similarity(fp, &d->fp);
        if (sim < CTI_FINGERPRINT_COPY)
            continue;
        ks->copy = 1;
        if (sim > *best) {
            *best = sim;
            memcpy(key, d->key, 16);
        }
    }
    return CTI_OK;
}

static cti_status run_register(cti_clean_run *r, const cti_fingerprint *fp,
                               const uint64_t *bands, const char key[16])
{
    if (grow((void **)&r->docs, &r->capdocs, r->ndocs, sizeof *r->docs))
        return CTI_ENOMEM;
    uint32_t d = (uint32_t)r->ndocs++;
    r->docs[d].fp = *fp;
    memcpy(r->docs[d].key, key, 16);
    for (unsigned b = 0; b < CTI_FINGERPRINT_BANDS; b++) {
        uint32_t *head = map_slot(&r->bands, bands[b], 1);
        if (!head || grow((void **)&r->be, &r->capbe, r->nbe, sizeof *r->be))
            return CTI_ENOMEM;
        r->be[r->nbe] = (bandent){ bands[b], d, *head };
        *head = (uint32_t)++r->nbe;
    }
    return CTI_OK;
}

/*
 * The key of a new story (CTI_SLOT_CLUSTER) from the hash h: 48 bits of
 * it as six digits of base 255, each byte one more than its digit, so
 * that the key is a C string.  The slot is read for every match a page
 * collapses, and its value stream holds about 1.7 times the articles a
 * block that twelve hex digits gave it (keys of older indexes are those
 * digits: a copy takes its story's key as it is).
 */
static void story_key(uint64_t h, char key[16])
{
    uint64_t n = (h & BLK_MASK) % UINT64_C(274941996890625);   /* 255^6 */
    for (int i = 5; i >= 0; i--) {
        key[i] = (char)(n % 255 + 1);
        n /= 255;
    }
    key[6] = '\0';
}

/* The fingerprint, its band terms and the article's copy cluster. */
static cti_status add_fingerprint(cti_clean *c, cti_doc *doc,
                                  const char *idterm, size_t itl)
{
    cti_fingerprint fp;
    if (cti_fingerprint_end(&c->fb, &fp) != 0)
        return CTI_OK; /* too short to tell its copies */
    char enc[CTI_FINGERPRINT_BYTES], t[CTI_FINGERPRINT_TERM_MAX];
    uint64_t bands[CTI_FINGERPRINT_BANDS];
    cti_status st;
    cti_fingerprint_encode(&fp, enc);
    if ((st = cti_doc_set_value(doc, CTI_SLOT_FINGERPRINT, enc, sizeof enc)))
        return st;
    for (unsigned b = 0; b < CTI_FINGERPRINT_BANDS; b++) {
        size_t tl = cti_fingerprint_band_term(&fp, b, 0, t);
        bands[b] = cti_fingerprint_band(&fp, b) ^ (uint64_t)(b + 1) << 48;
        if ((st = cti_doc_add_term(doc, t, tl, 0)) != CTI_OK)
            return st;
    }
    double best = 0;
    char key[16];
    keyset ks = { 0 };
    /* Without a copy: a cluster of its own, named by its id and text (an
       article rewritten as another story leaves its old copies). */
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < itl; i++)
        h = (h ^ (unsigned char)idterm[i]) * 0x100000001b3ull;
    h ^= cti_fingerprint_band(&fp, 0);
    story_key(cti_hash_mix64(h), key);
    if ((st = db_copy(c, &fp, idterm, itl, &best, key, &ks)) != CTI_OK)
        return st;
    cti_clean_run *r = c->run, *cr = r->copies ? r->copies : r;
    int settling = r->settling;
    pthread_mutex_lock(&cr->mu);
    if (r->in_memory || r->copies)
        st = run_copy(cr, &fp, bands, &best, key, &ks);
    if (st == CTI_OK && (r->in_memory || r->copies) && !settling)
        st = run_register(cr, &fp, bands, key);
    pthread_mutex_unlock(&cr->mu);
    if (st != CTI_OK)
        return st;
    if (ks.copy &&
        (st = cti_doc_add_term(doc, CTI_TERM_COPY, strlen(CTI_TERM_COPY), 0)))
        return st;
    char story[sizeof CTI_PREFIX_STORY + 16];
    int sl = snprintf(story, sizeof story, "%s%s", CTI_PREFIX_STORY, key);
    if ((st = cti_doc_add_term(doc, story, (size_t)sl, 0)) != CTI_OK)
        return st;
    return cti_doc_set_value(doc, CTI_SLOT_CLUSTER, key, strlen(key));
}

cti_status cti_clean_finish(cti_clean *c, cti_doc *doc, const char *idterm,
                            size_t itl)
{
    cti_status st = CTI_OK;
    if (c->src)
        st = add_line_terms(c, doc);
    if (st == CTI_OK)
        st = add_fingerprint(c, doc, idterm, itl);
    return st;
}

/* ------------------------------------------------------ leaving */

cti_status cti_clean_leaving(cti_clean_run *run, cti_db *db, uint32_t docid)
{
    cti_termiter *it = NULL;
    const char *t;
    size_t tl;
    size_t pl = strlen(CTI_PREFIX_BLOCK);
    if (run->settling)
        return CTI_OK;
    cti_status st = cti_db_terms(db, CTI_PREFIX_BLOCK, docid, &it);
    if (st == CTI_ENOTFOUND)
        return CTI_OK;
    pthread_mutex_lock(&run->mu);
    while (st == CTI_OK && (st = cti_termiter_next(it, &t, &tl, NULL)) == CTI_OK) {
        if (tl != pl + 8 && tl != pl + 20)
            continue;
        char hex[21];
        memcpy(hex, t + pl, tl - pl);
        hex[tl - pl] = '\0';
        uint64_t blk = tl == pl + 20 ? strtoull(hex + 8, NULL, 16) : 0;
        hex[8] = '\0';
        uint64_t src = strtoull(hex, NULL, 16);
        if (tl == pl + 8) {
            source *s = run_source(run, src);
            if (s)
                s->removed++;
            st = s ? CTI_OK : CTI_ENOMEM;
        } else {
            touched *x = run_touched(run, src, blk);
            if (x)
                x->removed = 1;
            st = x ? CTI_OK : CTI_ENOMEM;
        }
    }
    pthread_mutex_unlock(&run->mu);
    cti_termiter_free(it);
    return st == CTI_DONE ? CTI_OK : st;
}

/* ------------------------------------------------------ settling */

typedef struct docset {
    uint32_t *v;
    size_t n, cap;
} docset;

/* Add the documents matching 'q' in 'db' to 'ds'. */
static cti_status collect(cti_db *db, cti_xq *q, docset *ds)
{
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    uint32_t docs = 0;
    cti_status st = cti_db_doccount(db, &docs);
    if (st == CTI_OK)
        st = cti_enquire_new(db, &e);
    if (st == CTI_OK)
        st = cti_enquire_set_query(e, q);
    if (st == CTI_OK)
        st = cti_enquire_run(e, 0, docs, 0, &m);
    for (size_t i = 0; st == CTI_OK && i < cti_mset_size(m); i++) {
        if (grow((void **)&ds->v, &ds->cap, ds->n, sizeof *ds->v))
            st = CTI_ENOMEM;
        else
            ds->v[ds->n++] = cti_mset_docid(m, i);
    }
    cti_mset_free(m);
    cti_enquire_free(e);
    return st;
}

/* Line 'blk' of 'src', held by 'held' articles and judged template in
   'seen' of them, against 'threshold': collect whom to rebuild. */
static cti_status judge_line(cti_db *db, uint64_t src, uint64_t blk,
                             uint32_t held, uint32_t seen, uint32_t threshold,
                             docset *ds)
{
    int tpl = held >= threshold;
    if ((tpl && seen == held) || (!tpl && seen == 0))
        return CTI_OK;
    char bt[CTI_BOILER_TERM_MAX], stt[CTI_BOILER_TERM_MAX + 4];
    size_t bl = cti_boiler_term(src, blk, bt), sl = seen_term(src, blk, stt);
    cti_xq *a = NULL, *b = NULL, *q = NULL;
    cti_status st = cti_xq_term(stt, sl, 1, 0, &b);
    if (st == CTI_OK && tpl) {
        st = cti_xq_term(bt, bl, 1, 0, &a);
        cti_xq *pair[2] = { a, b };
        if (st == CTI_OK)
            st = cti_xq_combine(CTI_XQ_AND_NOT, pair, 2, 0, &q);
    }
    if (st == CTI_OK)
        st = collect(db, q ? q : b, ds);
    cti_xq_free(a);
    cti_xq_free(b);
    cti_xq_free(q);
    return st;
}

/* Check line 'blk' of 'src' against the counts; collect whom to rebuild. */
static cti_status check_line(cti_db *db, uint64_t src, uint64_t blk,
                             uint32_t threshold, docset *ds)
{
    char bt[CTI_BOILER_TERM_MAX], stt[CTI_BOILER_TERM_MAX + 4];
    size_t bl = cti_boiler_term(src, blk, bt), sl = seen_term(src, blk, stt);
    uint32_t held, seen;
    cti_status st = cti_db_termfreq(db, bt, bl, &held);
    if (st == CTI_OK)
        st = cti_db_termfreq(db, stt, sl, &seen);
    if (st != CTI_OK)
        return st;
    return judge_line(db, src, blk, held, seen, threshold, ds);
}

/* A line and how many articles a term of it is in. */
typedef struct line_freq {
    uint64_t blk;
    uint32_t freq;
} line_freq;

/*
 * The lines of the terms 'prefix' + 12 hex digits in 'db' into *out
 * (*n of them, grown with free()), in the order of their numbers: the
 * byte order of fixed-width lowercase hex.
 */
static cti_status walk_lines(cti_db *db, const char *prefix, size_t pl,
                             line_freq **out, size_t *n)
{
    cti_termiter *it = NULL;
    const char *t;
    size_t tl, cap = 0;
    uint32_t tf;
    *out = NULL;
    *n = 0;
    cti_status st = cti_db_terms(db, prefix, 0, &it);
    while (st == CTI_OK && (st = cti_termiter_next(it, &t, &tl, &tf)) == CTI_OK) {
        if (tl != pl + 12)
            continue;
        if (grow((void **)out, &cap, *n, sizeof **out)) {
            st = CTI_ENOMEM;
            break;
        }
        char hex[13];
        memcpy(hex, t + pl, 12);
        hex[12] = '\0';
        (*out)[*n].blk = strtoull(hex, NULL, 16);
        (*out)[(*n)++].freq = tf;
    }
    cti_termiter_free(it);
    return st == CTI_DONE ? CTI_OK : st;
}

/*
 * Every line of source 'src' in 'db' (its threshold moved).  The counts
 * come from two walks of the source's terms in order, its lines' then
 * their verdicts': looked up a line at a time, the two terms of a line
 * lie apart in the table and each lookup reads its blocks again (1 s
 * at the end of a 200 MB load).
 */
static cti_status check_source(cti_db *db, uint64_t src, uint32_t threshold,
                               docset *ds)
{
    char pre[CTI_BOILER_TERM_MAX], spre[CTI_BOILER_TERM_MAX];
    size_t pl = source_term(src, pre);
    size_t sl = seen_source_term(src, spre);
    line_freq *held = NULL, *seen = NULL;
    size_t nh = 0, ns = 0;
    cti_status st = walk_lines(db, pre, pl, &held, &nh);
    if (st == CTI_OK)
        st = walk_lines(db, spre, sl, &seen, &ns);
    for (size_t i = 0, j = 0; st == CTI_OK && i < nh; i++) {
        while (j < ns && seen[j].blk < held[i].blk)
            j++;
        uint32_t sn = j < ns && seen[j].blk == held[i].blk ? seen[j].freq : 0;
        st = judge_line(db, src, held[i].blk, held[i].freq, sn, threshold, ds);
    }
    free(held);
    free(seen);
    return st;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void cti_clean_run_settle_all(cti_clean_run *run)
{
    pthread_mutex_lock(&run->mu);
    run->all = 1;
    pthread_mutex_unlock(&run->mu);
}

/* Every line of every source of 'db', each against its source's
   threshold now. */
static cti_status check_all(cti_db *db, docset *ds)
{
    size_t pl = strlen(CTI_PREFIX_BLOCK);
    cti_termiter *it = NULL;
    const char *t;
    size_t tl;
    uint32_t tf;
    uint64_t *srcs = NULL;
    uint32_t *counts = NULL;
    size_t n = 0, cap = 0, ccap = 0;
    cti_status st = cti_db_terms(db, CTI_PREFIX_BLOCK, 0, &it);
    while (st == CTI_OK && (st = cti_termiter_next(it, &t, &tl, &tf)) == CTI_OK) {
        if (tl != pl + 8)
            continue; /* a line, not a source */
        if (grow((void **)&srcs, &cap, n, sizeof *srcs) ||
            grow((void **)&counts, &ccap, n, sizeof *counts)) {
            st = CTI_ENOMEM;
            break;
        }
        char hex[9];
        memcpy(hex, t + pl, 8);
        hex[8] = '\0';
        srcs[n] = strtoull(hex, NULL, 16);
        counts[n++] = tf;
    }
    cti_termiter_free(it);
    if (st == CTI_DONE)
        st = CTI_OK;
    for (size_t i = 0; st == CTI_OK && i < n; i++)
        st = check_source(db, srcs[i], cti_boiler_threshold(counts[i]), ds);
    free(srcs);
    free(counts);
    return st;
}

/* Could line 't' have changed its verdict in this run? */
static int worth_checking(const cti_clean_run *r, const touched *t,
                          const source *s)
{
    if (!r->in_memory)
        return 1;
    return t->added >= 2 || t->seen || t->removed || !s || s->before > 0 ||
           s->removed > 0;
}

cti_status cti_clean_settle(cti_clean_run *run, cti_db *db,
                            cti_clean_rebuild_fn rebuild, void *ctx,
                            uint64_t *rebuilt)
{
    docset ds = { NULL, 0, 0 };
    cti_status st = CTI_OK;
    *rebuilt = 0;
    /* Thresholds per source now, and the sources whose threshold moved. */
    uint32_t *thr = calloc(run->nsl ? run->nsl : 1, sizeof *thr);
    if (!thr)
        return CTI_ENOMEM;
    for (size_t i = 0; st == CTI_OK && i < run->nsl; i++) {
        source *s = &run->sl[i];
        char t[CTI_BOILER_TERM_MAX];
        uint32_t now;
        st = cti_db_termfreq(db, t, source_term(s->src, t), &now);
        thr[i] = cti_boiler_threshold(now);
        int64_t before = (int64_t)now - s->added + s->removed;
        if (st == CTI_OK && before >= 0 &&
            cti_boiler_threshold((uint32_t)before) != thr[i])
            st = check_source(db, s->src, thr[i], &ds);
    }
    if (st == CTI_OK && run->all)
        st = check_all(db, &ds);
    for (size_t i = 0; st == CTI_OK && !run->all && i < run->ntl; i++) {
        touched *t = &run->tl[i];
        uint32_t v = map_get(&run->srcs, t->src);
        source *s = v ? &run->sl[v - 1] : NULL;
        if (worth_checking(run, t, s))
            st = check_line(db, t->src, t->blk,
                            v ? thr[v - 1] : CTI_BOILER_TEMPLATE_MIN, &ds);
    }
    free(thr);
    /* Rebuild each once, in document order, recording nothing new. */
    if (ds.n)
        qsort(ds.v, ds.n, sizeof *ds.v, cmp_u32);
    pthread_mutex_lock(&run->mu);
    run->settling = 1;
    run->in_memory = 0;
    pthread_mutex_unlock(&run->mu);
    for (size_t i = 0; st == CTI_OK && i < ds.n; i++) {
        if (i && ds.v[i] == ds.v[i - 1])
            continue;
        st = rebuild(ctx, ds.v[i]);
        *rebuilt += st == CTI_OK;
    }
    pthread_mutex_lock(&run->mu);
    run->settling = 0;
    pthread_mutex_unlock(&run->mu);
    free(ds.v);
    return st;
}
