/*
 * cti_search.c - open and check an index, run queries, count matches.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cti_search.h"
#include "cti_fingerprint.h"
#include "cti_schema.h"
#include "cti_shard.h"

struct cti_search {
    cti_db *db;
    cti_analyzer *a;
    uint32_t doccount;
    uint32_t copies; /* articles found to be copies (CTI_TERM_COPY) */
    cti_text_reader *tr; /* the stored texts' dictionaries, loaded as met */
};

char *cti_search_default_db(void)
{
    const char *env = getenv("CTI_DB");
    if (env && *env)
        return strdup(env);
    char *dir = getcwd(NULL, 0);
    if (!dir)
        return NULL;
    for (;;) {
        size_t n = strlen(dir);
        char *cand = malloc(n + 6);
        if (!cand)
            break;
        snprintf(cand, n + 6, "%s%s.cti", dir, n && dir[n - 1] == '/' ? "" : "/");
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode)) {
            free(dir);
            return cand;
        }
        free(cand);
        char *slash = strrchr(dir, '/');
        if (!slash || (slash == dir && dir[1] == '\0'))
            break;
        slash[slash == dir ? 1 : 0] = '\0';
    }
    free(dir);
    return NULL;
}

/*
 * A new analyzer for 'language' as searches use it.  A search is a
 * short-lived process that stems a few hundred words (snippets stem only
 * the words that start like a query stem), many of them the same word
 * again: a cache of 16 KB keeps those, where the indexer's 1 MB would
 * cost more page faults than it saves.  As cti_analyzer_new().
 */
static cti_status analyzer_new(const char *language, cti_analyzer **out)
{
    return cti_analyzer_new_sized(language, 256, out);
}

cti_status cti_search_open(const char *path, cti_search **out, char *err,
                           size_t errlen)
{
    return cti_search_open_partial(path, 0, out, err, errlen, NULL, 0);
}

cti_status cti_search_open_partial(const char *path, int partial,
                                   cti_search **out, char *err, size_t errlen,
                                   char *warn, size_t warnlen)
{
    cti_status st;
    char *schema = NULL, *lang = NULL;
    cti_search *s = NULL;
    struct stat sb;
    char msg[1024];
    unsigned skipped = 0;

    *out = NULL;
    if (errlen)
        err[0] = '\0';
    if (warnlen)
        warn[0] = '\0';
    /* "tcp:HOST:PORT" names one remote database (cti_shard.h). */
    if (strncmp(path, "tcp:", 4) != 0 && stat(path, &sb) != 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return CTI_ENOTFOUND;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return CTI_ENOMEM;
    }
    /* A stub of remote shards opens shard by shard (cti_shard.h). */
    st = cti_shard_open_search(path, partial, 0, &s->db, &skipped, msg,
                               sizeof msg);
    if (st == CTI_OK && skipped && warnlen)
        snprintf(warn, warnlen, "%s", msg);
    if (st != CTI_OK && st != CTI_ENOTFOUND) {
        snprintf(err, errlen, "%s", msg);
        goto fail;
    }
    if (st == CTI_ENOTFOUND) {
        snprintf(err, errlen, "not a cti index (no Xapian database there)");
        goto fail;
    }
    if (st != CTI_OK) {
        snprintf(err, errlen, "%s", cti_errmsg());
        goto fail;
    }
    st = cti_db_get_metadata(s->db, CTI_META_SCHEMA, &schema, NULL);
    if (st != CTI_OK) {
        snprintf(err, errlen, "%s", cti_db_errmsg(s->db));
        goto fail;
    }
    if (!schema[0]) {
        st = CTI_ENOTFOUND;
        snprintf(err, errlen, "not a cti index (a Xapian database without a cti schema)");
        goto fail;
    }
    if (strcmp(schema, CTI_SCHEMA_VERSION) != 0) {
        st = CTI_EVERSION;
        snprintf(err, errlen,
                 "the index has schema version %.20s, this cti-search reads "
                 "version %s; rebuild it with cti-index",
                 schema, CTI_SCHEMA_VERSION);
        goto fail;
    }
    st = cti_db_get_metadata(s->db, CTI_META_LANGUAGE, &lang, NULL);
    if (st != CTI_OK) {
        snprintf(err, errlen, "%s", cti_db_errmsg(s->db));
        goto fail;
    }
    st = analyzer_new(lang[0] ? lang : "english", &s->a);
    if (st == CTI_ENOMEM) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (st != CTI_OK) {
        st = CTI_EVERSION;
        snprintf(err, errlen, "the index's language '%.40s' is not one this "
                 "cti-search knows", lang);
        goto fail;
    }
    if (cti_text_reader_new(s->db, &s->tr) != CTI_OK) {
        st = CTI_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    st = cti_db_doccount(s->db, &s->doccount);
    if (st == CTI_OK)
        st = cti_db_termfreq(s->db, CTI_TERM_COPY, strlen(CTI_TERM_COPY),
                             &s->copies);
    if (st != CTI_OK) {
        snprintf(err, errlen, "%s", cti_db_errmsg(s->db));
        goto fail;
    }
    free(schema);
    free(lang);
    *out = s;
    return CTI_OK;
fail:
    free(schema);
    free(lang);
    cti_search_free(s);
    return st;
}

void cti_search_free(cti_search *s)
{
    if (!s)
        return;
    cti_analyzer_free(s->a);
    cti_text_reader_free(s->tr);
    cti_db_free(s->db);
    free(s);
}

cti_status cti_search_reopen(cti_search *s, char *err, size_t errlen)
{
    cti_status st = cti_db_reopen(s->db);
    if (st == CTI_OK)
        st = cti_db_doccount(s->db, &s->doccount);
    if (st == CTI_OK)
        st = cti_db_termfreq(s->db, CTI_TERM_COPY, strlen(CTI_TERM_COPY),
                             &s->copies);
    if (st != CTI_OK)
        snprintf(err, errlen, "%s", cti_db_errmsg(s->db));
    return st;
}

cti_analyzer *cti_search_analyzer(cti_search *s) { return s->a; }

cti_status cti_search_analyzer_new(cti_search *s, cti_analyzer **out)
{
    return analyzer_new(cti_analyzer_language(s->a), out);
}
cti_db *cti_search_db(cti_search *s) { return s->db; }
cti_text_reader *cti_search_text_reader(cti_search *s) { return s->tr; }

void cti_search_opts_default(cti_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->limit = 10;
    o->sort = CTI_SORT_RELEVANCE;
    /* Measured with bench/eval.sh on TIME and Cranfield (same settings
       for both): see man/cti-search.1, RANKING. */
    o->k1 = 1.5;
    o->b = 0.75;
    cti_rank_opts_default(&o->rank);
    o->prf_docs = 5;
    o->prf_terms = 10;
    o->prf_weight = 0.1;
    o->count_ms = CTI_COUNT_MS;
    o->count_max = CTI_COUNT_MAX;
}

void cti_results_free(cti_results *r)
{
    if (!r)
        return;
    cti_query_free(r->query);
    cti_mset_free(r->mset);
    cti_hl_spec_free(r->spec);
    free(r->order);
    free(r->similarity);
    free(r->similar);
    free(r);
}

/* ---------------------------------------------------------------- */
/* Pseudo-relevance feedback (--any)                                */
/* ---------------------------------------------------------------- */

/* Candidates whose idf is looked up, by frequency in the feedback documents. */
#define PRF_LOOKUPS 150

typedef struct cand {
    char *term;
    double tf;      /* sum over feedback documents of wdf / length */
    unsigned ndocs; /* feedback documents holding it */
    double score;
} cand;

static int cmp_cand_term(const void *a, const void *b)
{
    return strcmp(((const cand *)a)->term, ((const cand *)b)->term);
}

static int cmp_cand_score(const void *a, const void *b)
{
    double x = ((const cand *)a)->score, y = ((const cand *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int is_query_word(void *ctx, size_t start, size_t end,
                         const char *folded, const char *term)
{
    (void)start;
    (void)end;
    (void)folded;
    return !strcmp(ctx, term);
}

/* A term worth expanding with: a plain lower-case word of 3+ letters. */
static int expandable(const char *t, size_t len)
{
    if (len < 3 || len > 40)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (unsigned char)t[i] >= 0x80))
            return 0;
    return 1;
}

/* The candidate words of the feedback documents. */
typedef struct cands {
    cand *v;
    size_t n, cap;
} cands;

static void cands_free(cands *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].term);
    free(c->v);
}

/* Append a copy of term t (tl bytes) seen 'wdf' times in one document. */
static cti_status cands_add(cands *c, const char *t, size_t tl, uint32_t wdf)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 1024;
        cand *x = realloc(c->v, ncap * sizeof *x);
        if (!x)
            return CTI_ENOMEM;
        c->v = x;
        c->cap = ncap;
    }
    c->v[c->n].term = strndup(t, tl);
    if (!c->v[c->n].term)
        return CTI_ENOMEM;
    c->v[c->n].tf = wdf;
    c->v[c->n].ndocs = 1;
    c->n++;
    return CTI_OK;
}

/* The top o->prf_docs hits of 'base' into *m. */
static cti_status feedback_docs(cti_search *s, const cti_xq *base,
                                const cti_search_opts *o, cti_mset **m)
{
    cti_enquire *e = NULL;
    cti_status st = cti_enquire_new(s->db, &e);
    if (st == CTI_OK)
        st = cti_enquire_set_query(e, base);
    if (st == CTI_OK)
        st = cti_enquire_set_bm25(e, o->k1, 0, 1, o->b, 0.5);
    if (st == CTI_OK)
        st = cti_enquire_run(e, 0, o->prf_docs, 0, m);
    cti_enquire_free(e);
    return st;
}

/*
 * Add the expandable words of document 'docid' to 'c', each with its
 * wdf divided by the document's length (its unprefixed terms' wdf sum).
 */
static cti_status doc_words(cti_search *s, uint32_t docid, cands *c)
{
    cti_termiter *it = NULL;
    const char *t;
    size_t tl, first = c->n;
    uint32_t wdf;
    double len = 0;
    cti_status st = cti_db_terms(s->db, NULL, docid, &it);
    if (st != CTI_OK)
        return st;
    while ((st = cti_termiter_next(it, &t, &tl, &wdf)) == CTI_OK) {
        if (t[0] >= 'A' && t[0] <= 'Z')
            continue;
        len += wdf;
        if (!expandable(t, tl))
            continue;
        st = cands_add(c, t, tl, wdf);
        if (st != CTI_OK)
            break;
    }
    cti_termiter_free(it);
    if (st != CTI_DONE)
        return st;
    for (size_t k = first; k < c->n; k++)
        c->v[k].tf /= len > 0 ? len : 1;
    return CTI_OK;
}

/* Merge the same term from several documents (summing tf and ndocs). */
static void cands_merge(cands *c)
{
    qsort(c->v, c->n, sizeof *c->v, cmp_cand_term);
    size_t w = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (w && !strcmp(c->v[w - 1].term, c->v[i].term)) {
            c->v[w - 1].tf += c->v[i].tf;
            c->v[w - 1].ndocs++;
            free(c->v[i].term);
        } else {
            c->v[w++] = c->v[i];
        }
    }
    c->n = w;
}

/*
 * Score the candidates found in two or more of the 'nd' feedback
 * documents: mean tf times idf, looking up the idf of the PRF_LOOKUPS
 * most frequent only (a lookup each); words of 'q', function words and
 * words in half the index or more score 0.  Sorted best first.
 */
static cti_status cands_score(cti_search *s, const cti_query *q, cands *cs,
                              size_t nd)
{
    cand *c = cs->v;
    size_t nc = cs->n;
    for (size_t i = 0; i < nc; i++)
        c[i].score = c[i].ndocs < 2 ? 0 : c[i].tf;
    qsort(c, nc, sizeof *c, cmp_cand_score);
    size_t nlook = nc < PRF_LOOKUPS ? nc : PRF_LOOKUPS;
    for (size_t i = 0; i < nc; i++) {
        if (i >= nlook || c[i].score == 0) {
            c[i].score = 0;
            continue;
        }
        c[i].score = 0;
        if (cti_query_is_stopword(c[i].term) ||
            cti_query_words(q, is_query_word, c[i].term))
            continue;
        uint32_t df = 0;
        cti_status st = cti_db_termfreq(s->db, c[i].term, strlen(c[i].term), &df);
        if (st != CTI_OK)
            return st;
        if (df == 0 || df * 2 > s->doccount)
            continue;
        c[i].score = c[i].tf / (double)nd * log((double)s->doccount / df);
    }
    qsort(c, nc, sizeof *c, cmp_cand_score);
    return CTI_OK;
}

/*
 * 'base' OR the first nsel candidates of 'c' (best first), each weighted
 * o->prf_weight times its score relative to the best.
 */
static cti_status expansion(const cti_xq *base, const cand *c, size_t nsel,
                            const cti_search_opts *o, cti_xq **out)
{
    cti_status st = CTI_OK;
    cti_xq **subs = calloc(nsel, sizeof *subs);
    if (!subs)
        return CTI_ENOMEM;
    for (size_t i = 0; i < nsel && st == CTI_OK; i++) {
        cti_xq *t = NULL;
        st = cti_xq_term(c[i].term, strlen(c[i].term), 1, 0, &t);
        if (st == CTI_OK) {
            st = cti_xq_scale(t, o->prf_weight * c[i].score / c[0].score,
                              &subs[i]);
            cti_xq_free(t);
        }
    }
    if (st == CTI_OK) {
        cti_xq *exp = NULL;
        st = cti_xq_combine(CTI_XQ_OR, subs, nsel, 0, &exp);
        if (st == CTI_OK) {
            cti_xq *pair[2] = { (cti_xq *)base, exp };
            st = cti_xq_combine(CTI_XQ_AND_MAYBE, pair, 2, 0, out);
            cti_xq_free(exp);
        }
    }
    for (size_t i = 0; i < nsel; i++)
        cti_xq_free(subs[i]);
    free(subs);
    return st;
}

/*
 * The query 'base' weighted up by the words most typical of its top hits
 * (AND_MAYBE: they reorder the articles holding the words asked for and
 * add none, so the count stays that of the words asked for): for each
 * candidate, the mean of wdf/length over the feedback documents times its
 * idf; words of the query and function words are left out.  *out is NULL
 * when there is nothing to add.
 */
static cti_status expand(cti_search *s, const cti_query *q, const cti_xq *base,
                         const cti_search_opts *o, cti_xq **out)
{
    cti_mset *m = NULL;
    cands c = { NULL, 0, 0 };
    size_t nd = 0, nsel = 0;

    *out = NULL;
    cti_status st = feedback_docs(s, base, o, &m);
    if (st == CTI_OK)
        nd = cti_mset_size(m);
    for (size_t i = 0; st == CTI_OK && nd >= 2 && i < nd; i++)
        st = doc_words(s, cti_mset_docid(m, i), &c);
    if (st != CTI_OK || nd < 2)
        goto done;
    cands_merge(&c);
    st = cands_score(s, q, &c, nd);
    if (st != CTI_OK)
        goto done;
    while (nsel < c.n && nsel < o->prf_terms && c.v[nsel].score > 0)
        nsel++;
    if (nsel > 0)
        st = expansion(base, c.v, nsel, o, out);
done:
    cands_free(&c);
    cti_mset_free(m);
    return st;
}

/* ---------------------------------------------------------------- */
/* Counting                                                         */
/* ---------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The distinct copy clusters among the matches a spy sees (CTI_SLOT_CLUSTER):
 * each cluster once, each article without one on its own.
 */
typedef struct stories {
    uint64_t *k;         /* open addressing, 0 empty */
    uint32_t *c;         /* ... the articles seen with each */
    size_t cap, n;
    uint32_t single;     /* articles without a cluster */
    uint32_t total;      /* articles seen */
    int nomem;
} stories;

static uint64_t story_hash(const char *value, size_t vlen)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < vlen; i++)
        h = (h ^ (unsigned char)value[i]) * 0x100000001b3ull;
    return h | 1;
}

/* The slot of 'value' in st: its own, or the empty one it would take. */
static size_t story_slot(const stories *st, const char *value, size_t vlen)
{
    uint64_t h = story_hash(value, vlen);
    size_t j = h & (st->cap - 1);
    while (st->k[j] && st->k[j] != h)
        j = (j + 1) & (st->cap - 1);
    return j;
}

static void stories_add(void *ctx, const char *value, size_t vlen,
                        const char *data, size_t dlen)
{
    stories *st = ctx;
    (void)data;
    (void)dlen;
    if (!value) { /* the run starts over */
        if (st->k)
            memset(st->k, 0, st->cap * sizeof *st->k);
        st->n = st->single = st->total = 0;
        return;
    }
    if (st->nomem)
        return;
    st->total++;
    if (!vlen) {
        st->single++;
        return;
    }
    if (2 * (st->n + 1) > st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 1024;
        uint64_t *k = calloc(cap, sizeof *k);
        uint32_t *c = calloc(cap, sizeof *c);
        if (!k || !c) {
            free(k);
            free(c);
            st->nomem = 1;
            return;
        }
        for (size_t i = 0; i < st->cap; i++)
            if (st->k[i]) {
                size_t j = st->k[i] & (cap - 1);
                while (k[j])
                    j = (j + 1) & (cap - 1);
                k[j] = st->k[i];
                c[j] = st->c[i];
            }
        free(st->k);
        free(st->c);
        st->k = k;
        st->c = c;
        st->cap = cap;
    }
    size_t j = story_slot(st, value, vlen);
    if (!st->k[j]) {
        st->k[j] = story_hash(value, vlen);
        st->c[j] = 0;
        st->n++;
    }
    st->c[j]++;
}

/* The articles of the story 'value' the spy saw (0: none). */
static uint32_t stories_seen(const stories *st, const char *value, size_t vlen)
{
    if (!st->cap || !vlen)
        return 0;
    size_t j = story_slot(st, value, vlen);
    return st->k[j] ? st->c[j] : 0;
}

/*
 * Count the matches of r->query exactly, within 'seconds' (0: no limit):
 * the query without its ranking boosts and without weights (only which
 * articles match: no phrase boost's positions are read), restricted to
 * the articles 'within' matches (NULL: all), up to 'check' of them
 * checked; past the time limit Xapian stops checking and gives bounds.
 * Narrows *lower and *upper (articles); 'spy' (NULL: none) sees them.
 */
static cti_status count_exactly(cti_search *s, cti_results *r, cti_xq *within,
                                double seconds, uint32_t check,
                                const cti_spy *spy, uint32_t *lower,
                                uint32_t *upper)
{
    cti_rank_opts none = { 0 };
    cti_xq *xq = NULL, *bool_q = NULL, *both = NULL;
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    cti_status st = cti_query_to_xq(r->query, &none, &xq);
    if (st == CTI_OK)
        st = cti_xq_scale(xq, 0, &bool_q);
    cti_xq *pair[2] = { bool_q, within };
    if (st == CTI_OK && within)
        st = cti_xq_combine(CTI_XQ_FILTER, pair, 2, 0, &both);
    if (st == CTI_OK)
        st = cti_enquire_new(s->db, &e);
    if (st == CTI_OK)
        st = cti_enquire_set_query(e, within ? both : bool_q);
    if (st == CTI_OK)
        st = cti_enquire_set_time_limit(e, seconds);
    if (st == CTI_OK && spy)
        st = cti_enquire_set_spy(e, spy);
    if (st == CTI_OK)
        st = cti_enquire_run(e, 0, 0, check, &m);
    if (st == CTI_OK) {
        uint32_t lo = cti_mset_matches_lower(m), hi = cti_mset_matches_upper(m);
        if (lo > *lower)
            *lower = lo;
        if (hi < *upper)
            *upper = hi;
    }
    cti_mset_free(m);
    cti_enquire_free(e);
    cti_xq_free(both);
    cti_xq_free(bool_q);
    cti_xq_free(xq);
    return st;
}

/*
 * Whether a counting pass may run, 'upper' articles being possible: the
 * options allow it (o->count_ms), and it costs little (at most
 * o->count_max articles possible: its cost follows the candidates it
 * checks, a value read and often a position check each).
 */
static int worth_counting(const cti_search_opts *o, uint32_t upper)
{
    return o->count_ms > 0 && (!o->count_max || upper <= o->count_max);
}

/*
 * When few enough articles can match that a counting pass would follow
 * the page's run (worth_counting()), raise *check to the most that can
 * match, so that the run itself looks at every match, and set *all: the
 * spy that run then carries counts the articles and their stories
 * exactly, and the second run over the same postings, values and
 * positions is saved.  The bound comes from the query's terms'
 * frequencies (cti_enquire_match_bound()), or, for a query with a part
 * they do not bound (a wildcard, a date range), from its posting lists
 * (a run of no hits, which reads none of them through).  *check is left
 * as it is otherwise.
 */
static cti_status check_all_countable(cti_search *s, cti_enquire *e,
                                      const cti_search_opts *o,
                                      uint32_t *check, int *all)
{
    cti_mset *m = NULL;
    uint32_t upper = 0;
    int known = 0;
    *all = 0;
    if (o->spy || o->each || *check == UINT32_MAX ||
        !worth_counting(o, *check + 1) || cti_db_is_remote(s->db))
        return CTI_OK;
    cti_status st = cti_enquire_match_bound(e, &upper, &known);
    if (st == CTI_OK && !known) {
        st = cti_enquire_run(e, 0, 0, 0, &m);
        if (st == CTI_OK)
            upper = cti_mset_uncollapsed_upper(m);
        cti_mset_free(m);
    }
    if (st == CTI_OK && upper > *check && worth_counting(o, upper)) {
        *check = upper;
        *all = 1;
    }
    return st;
}

/*
 * Each hit's matching copies (r->similar): seen[i], the articles of hit
 * i's story counted (0: not counted), less the hit, or Xapian's collapse
 * count where that is more.  'seen' NULL: the counts of the spy 'st'.
 */
static cti_status similar_seen(cti_results *r, const stories *st,
                               const uint32_t *seen)
{
    size_t n = cti_mset_size(r->mset);
    uint32_t *sim = malloc((n ? n : 1) * sizeof *sim);
    if (!sim)
        return CTI_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t kl = 0;
        const char *k = cti_mset_value(r->mset, i, CTI_SLOT_CLUSTER, &kl);
        uint32_t got = seen ? seen[i] : kl ? stories_seen(st, k, kl) : 0;
        sim[i] = cti_mset_collapse_count(r->mset, i);
        if (got && got - 1 > sim[i])
            sim[i] = got - 1;
    }
    free(r->similar);
    r->similar = sim;
    return CTI_OK;
}

/*
 * With copies collapsed, the stories (r->lower, r->upper, r->matches) and
 * every article (r->articles): when every story is on this first page and
 * their count is exact, the articles are each hit and the copies
 * collapsed into it; when the page's run bounds both exactly, they are
 * the counts; else, when worth_counting(), one run without collapsing
 * counts the articles and, through a spy on the copy clusters, the
 * stories: exact when the spy saw every match within o->count_ms
 * (articles counted exactly are not enough: past the time limit a term's
 * own frequency can still make them exact); else true bounds (the
 * stories the spy saw are at least that many, and there are at least as
 * many articles as known).  'all': what the page's run saw when it looked
 * at every match (check_all_countable()), the exact counts; else NULL.
 */
static cti_status count_stories(cti_search *s, cti_results *r,
                                const cti_search_opts *o, const stories *all)
{
    size_t n = cti_mset_size(r->mset);
    if (all) { /* the page's run saw every match */
        r->lower = r->upper = (uint32_t)all->n + all->single;
        r->articles = all->total;
        r->articles_exact = 1;
        return similar_seen(r, all, NULL);
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += 1 + (uint64_t)cti_mset_collapse_count(r->mset, i);
    r->articles = (uint32_t)sum + o->offset;
    r->articles_exact = 0;
    if (o->offset == 0 && r->lower == r->upper && n == r->lower) {
        r->articles_exact = 1;
        return CTI_OK;
    }
    uint32_t alo = cti_mset_uncollapsed_lower(r->mset);
    uint32_t ahi = cti_mset_uncollapsed_upper(r->mset);
    stories st = { NULL, NULL, 0, 0, 0, 0, 0 };
    cti_status rc = CTI_OK;
    int counting = (r->lower != r->upper || alo != ahi) && worth_counting(o, ahi);
    if (counting) {
        /* A remote shard runs no spy: the articles are counted, the
           stories keep the page's bounds. */
        double t0 = now_ms();
        cti_spy spy = { CTI_SLOT_CLUSTER, 0, stories_add, &st, NULL };
        rc = count_exactly(s, r, NULL, o->count_ms / 1000.0, s->doccount ? s->doccount : 1,
                           cti_db_is_remote(s->db) ? NULL : &spy,
                           &alo, &ahi);
        if (rc == CTI_OK && st.nomem)
            rc = CTI_ENOMEM;
        r->count_ms = now_ms() - t0;
    }
    if (rc == CTI_OK && counting) {
        uint32_t seen = (uint32_t)st.n + st.single;
        if (alo == ahi && st.total == alo) {
            /* the spy saw every match: the stories are exact */
            r->lower = r->upper = seen;
            rc = similar_seen(r, &st, NULL);
        } else {
            if (seen > r->lower)
                r->lower = seen;
            if (ahi < r->upper)
                r->upper = ahi;
        }
    }
    free(st.k);
    free(st.c);
    if (alo > r->articles)
        r->articles = alo;
    r->articles_exact = alo == ahi && r->articles == alo;
    return rc;
}

/*
 * The match count of r: the page's run gives bounds (exact when it had to
 * look at every match); when they differ and o allows it, count exactly.
 * r->matches is the count, or the estimate kept within the bounds; with
 * copies collapsed it counts stories, and r->articles every article.
 * 'all' as for count_stories().
 */
static cti_status count(cti_search *s, cti_results *r, const cti_search_opts *o,
                        const stories *all)
{
    cti_status st = CTI_OK;
    r->lower = cti_mset_matches_lower(r->mset);
    r->upper = cti_mset_matches_upper(r->mset);
    r->matches = cti_mset_matches_estimated(r->mset);
    if (r->collapsed) {
        st = count_stories(s, r, o, all);
    } else if (all) {
        r->lower = r->upper = all->total;
    } else if (r->lower != r->upper && worth_counting(o, r->upper)) {
        double t0 = now_ms();
        st = count_exactly(s, r, NULL, o->count_ms / 1000.0, s->doccount ? s->doccount : 1,
                           NULL, &r->lower, &r->upper);
        r->count_ms = now_ms() - t0;
    }
    if (r->upper < r->lower) /* cannot happen; never print a false range */
        r->upper = r->lower;
    if (r->matches < r->lower)
        r->matches = r->lower;
    if (r->matches > r->upper)
        r->matches = r->upper;
    r->exact = r->lower == r->upper;
    if (!r->collapsed) {
        r->articles = r->matches;
        r->articles_exact = r->exact;
    }
    return st;
}

/* The articles of the stories count_similar() counts: each by document
   id, with the hit of its story; and what the count saw of each hit. */
typedef struct copy_of {
    uint32_t docid;
    uint32_t hit;
} copy_of;

typedef struct copies {
    copy_of *v;     /* sorted by docid */
    size_t n, cap;
    uint32_t *seen; /* per hit: its story's articles that matched (during
                       the run the others; its own added after) */
    size_t nhits;
    uint8_t *asked; /* per hit: its story's other articles are in v */
} copies;

static int copy_cmp(const void *x, const void *y)
{
    const copy_of *a = x, *b = y;
    if (a->docid != b->docid)
        return a->docid < b->docid ? -1 : 1;
    return a->hit < b->hit ? -1 : a->hit > b->hit;
}

static int docid_cmp(const void *key, const void *elem)
{
    uint32_t d = *(const uint32_t *)key, e = ((const copy_of *)elem)->docid;
    return d < e ? -1 : d > e;
}

/* The spy of count_similar(): a matching article counts for its story's
   hit, every one of them should two hits share a story (docid 0: the run
   starts over). */
static void copies_seen(void *ctx, uint32_t docid)
{
    copies *c = ctx;
    if (!docid) {
        memset(c->seen, 0, c->nhits * sizeof *c->seen);
        return;
    }
    const copy_of *f = bsearch(&docid, c->v, c->n, sizeof *c->v, docid_cmp);
    if (!f)
        return;
    const copy_of *end = c->v + c->n;
    while (f > c->v && f[-1].docid == docid)
        f--;
    for (; f < end && f->docid == docid; f++)
        c->seen[f->hit]++;
}

/* Add the n articles 'ids' of hit 'hit''s story to c, but the hit's own
   article 'self': the page's run matched it already. */
static cti_status copies_add(copies *c, const uint32_t *ids, size_t n, size_t hit,
                             uint32_t self)
{
    if (c->n + n > c->cap) {
        size_t cap = c->cap ? c->cap : 64;
        while (cap < c->n + n)
            cap *= 2;
        copy_of *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return CTI_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        if (ids[i] != self)
            c->v[c->n++] = (copy_of){ ids[i], (uint32_t)hit };
    c->asked[hit] = 1;
    return CTI_OK;
}

/* The query's matches among the articles of c (sorted): the articles
   themselves (cti_xq_docs()), for an index of one database. */
static cti_status copies_query(const copies *c, cti_xq **out)
{
    uint32_t *ids = malloc(c->n * sizeof *ids);
    size_t n = 0;
    if (!ids)
        return CTI_ENOMEM;
    for (size_t i = 0; i < c->n; i++)
        if (!n || ids[n - 1] != c->v[i].docid)
            ids[n++] = c->v[i].docid;
    cti_status st = cti_xq_docs(ids, n, out);
    free(ids);
    return st;
}

/* A hit's story (its copy cluster key), for count_similar(). */
typedef struct story_key {
    const char *k;
    size_t len;
    size_t hit;
} story_key;

static int story_key_cmp(const void *x, const void *y)
{
    const story_key *a = x, *b = y;
    int c = memcmp(a->k, b->k, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/*
 * Each hit's matching copies, exactly (r->similar).  Xapian counts as
 * collapsed only the copies that reached the page's weights: on a common
 * word, a story of ten matching copies showed "0 similar".  A story's
 * articles hold its term (CTI_PREFIX_STORY + key): a story held by one
 * article has no copies; the articles of the others are read from their
 * terms' postings and counted by one run of the query, without weights
 * or boosts, over those articles only.  On an index of one database the
 * run is given the articles themselves and a spy tells the stories apart
 * by document id, reading nothing; over shards (whose spies see each
 * shard's own ids) it is given the stories' terms and the spy reads each
 * match's story.  In an index written before the terms, a story keeps
 * Xapian's count where that is more (its older articles hold no term);
 * so does every story over a database with a remote part, which runs no
 * spy.
 */
static cti_status count_similar(cti_search *s, cti_results *r)
{
    size_t n = cti_mset_size(r->mset), nt = 0;
    /* Stories counted exactly by the page's run: it saw every match, and
       its collapse counts are whole. */
    if (!n || !r->collapsed || r->similar || cti_db_is_remote(s->db) ||
        cti_mset_matches_lower(r->mset) == cti_mset_matches_upper(r->mset))
        return CTI_OK;
    int one = cti_db_parts(s->db) == 1;
    cti_xq **terms = one ? NULL : calloc(n, sizeof *terms);
    cti_xq *any = NULL;
    copies c = { NULL, 0, 0, one ? calloc(n, sizeof(uint32_t)) : NULL, n,
                 one ? calloc(n, 1) : NULL };
    uint64_t most = 0;
    /* The stories' terms in order: each lookup walks down from the
       blocks the one before read. */
    story_key *keys = malloc(n * sizeof *keys);
    size_t nk = 0;
    cti_status st = (terms || (c.seen && c.asked)) && keys ? CTI_OK : CTI_ENOMEM;
    for (size_t i = 0; st == CTI_OK && i < n; i++) {
        keys[nk].k = cti_mset_value(r->mset, i, CTI_SLOT_CLUSTER, &keys[nk].len);
        keys[nk].hit = i;
        nk += keys[nk].len && keys[nk].len <= 31;
    }
    if (st == CTI_OK)
        qsort(keys, nk, sizeof *keys, story_key_cmp);
    for (size_t j = 0; st == CTI_OK && j < nk; j++) {
        size_t kl = keys[j].len, tf = 0, i = keys[j].hit;
        const char *k = keys[j].k;
        char term[sizeof CTI_PREFIX_STORY + 32];
        uint32_t *ids = NULL;
        int tl = snprintf(term, sizeof term, "%s%.*s", CTI_PREFIX_STORY, (int)kl, k);
        /* Every other article holding it collapsed into the hit already
           (or one article holds it: no copies; Xapian's count is 0 then,
           or, for a story begun before the terms, the copies it saw): the
           count is whole, and a count could find no more. */
        st = cti_db_postings(s->db, term, (size_t)tl, &ids, &tf);
        if (st == CTI_OK && tf > 1 + (uint64_t)cti_mset_collapse_count(r->mset, i)) {
            most += tf;
            st = one ? copies_add(&c, ids, tf, i, cti_mset_docid(r->mset, i))
                     : cti_xq_term(term, (size_t)tl, 1, 0, &terms[nt++]);
        }
        free(ids);
    }
    /* Every article of those stories checked: their counts are exact. */
    uint32_t lo = 0, hi = UINT32_MAX;
    stories seen = { NULL, NULL, 0, 0, 0, 0, 0 };
    cti_spy by_id = { 0, 0, NULL, &c, copies_seen };
    cti_spy by_story = { CTI_SLOT_CLUSTER, 0, stories_add, &seen, NULL };
    if (st == CTI_OK && most && one) {
        qsort(c.v, c.n, sizeof *c.v, copy_cmp);
        st = copies_query(&c, &any);
    } else if (st == CTI_OK && most) {
        st = cti_xq_combine(CTI_XQ_OR, terms, nt, 0, &any);
    }
    if (st == CTI_OK && most)
        st = count_exactly(s, r, any, 0, most > UINT32_MAX ? UINT32_MAX : (uint32_t)most,
                           one ? &by_id : &by_story, &lo, &hi);
    if (st == CTI_OK && seen.nomem)
        st = CTI_ENOMEM;
    /* The hits themselves, not checked again, match. */
    for (size_t i = 0; st == CTI_OK && most && one && i < n; i++)
        c.seen[i] += c.asked[i];
    if (st == CTI_OK && most)
        st = similar_seen(r, &seen, c.seen);
    for (size_t i = 0; terms && i < nt; i++)
        cti_xq_free(terms[i]);
    free(terms);
    free(keys);
    free(c.v);
    free(c.seen);
    free(c.asked);
    free(seen.k);
    free(seen.c);
    cti_xq_free(any);
    return st;
}

cti_status cti_search_run(cti_search *s, const char *text,
                          const cti_search_opts *o, cti_results **out,
                          cti_query_error *qerr, char *err, size_t errlen)
{
    cti_search_opts def;
    cti_results *r = NULL;
    cti_xq *xq = NULL;
    cti_enquire *e = NULL;
    stories seen = { NULL, NULL, 0, 0, 0, 0, 0 };
    int all = 0;
    cti_status st;

    *out = NULL;
    if (errlen)
        err[0] = '\0';
    if (!o) {
        cti_search_opts_default(&def);
        o = &def;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return CTI_ENOMEM;
    }
    r->doccount = s->doccount;
    st = cti_query_parse(text, s->a, o->flags, &r->query, qerr);
    if (st != CTI_OK) {
        if (st == CTI_EINVAL && qerr)
            snprintf(err, errlen, "%s", qerr->msg);
        else
            snprintf(err, errlen, "%s", cti_status_str(st));
        goto done;
    }
    st = cti_query_to_xq(r->query, &o->rank, &xq);
    if (st != CTI_OK) {
        snprintf(err, errlen, "%s", cti_errmsg());
        goto done;
    }
    if ((o->flags & CTI_QUERY_ANY) && o->prf_docs && o->prf_terms &&
        o->prf_weight > 0 && o->sort == CTI_SORT_RELEVANCE) {
        cti_xq *x2 = NULL;
        st = expand(s, r->query, xq, o, &x2);
        if (st != CTI_OK) {
            snprintf(err, errlen, "%s", cti_errmsg());
            goto done;
        }
        if (x2) {
            cti_xq_free(xq);
            xq = x2;
        }
    }
    st = cti_enquire_new(s->db, &e);
    if (st == CTI_OK)
        st = cti_enquire_set_query(e, xq);
    if (st == CTI_OK)
        st = cti_enquire_set_bm25(e, o->k1, 0, 1, o->b, 0.5);
    if (st == CTI_OK && o->sort != CTI_SORT_RELEVANCE)
        st = cti_enquire_set_sort_by_value(e, CTI_SLOT_DATE,
                                           o->sort == CTI_SORT_DATE_DESC);
    /* Collapsing costs a value read per match: only when there are copies. */
    r->one_per_story = !o->no_collapse && !o->each;
    r->collapsed = r->one_per_story && s->copies > 0;
    if (st == CTI_OK && r->collapsed)
        st = cti_enquire_set_collapse(e, CTI_SLOT_CLUSTER, 1);
    if (st == CTI_OK && o->spy)
        st = cti_enquire_set_spy(e, o->spy);
    if (st == CTI_OK && o->each)
        st = cti_enquire_set_each(e, o->each);
    /* A hit shows its date and its snippet's text (cti_hit.c), and with
       copies collapsed its story (count_similar()); the other values are
       not read. */
    if (st == CTI_OK)
        st = cti_enquire_set_slots(e, 1u << CTI_SLOT_DATE |
                                          (o->no_text ? 0 : 1u << CTI_SLOT_TEXT) |
                                          (r->collapsed ? 1u << CTI_SLOT_CLUSTER : 0));
    if (st == CTI_OK) {
        uint32_t check = o->check_at_least;
        if (!check) {
            /* The page, as Xapian's own default: every candidate looked at
               past it would be weighed, collapsed and position-checked
               only to raise the footer's lower bound (on short stories
               "state of the union" read 862 blocks, 534 without). */
            uint64_t c = (uint64_t)o->offset + o->limit;
            check = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
            st = check_all_countable(s, e, o, &check, &all);
        }
        if (st == CTI_OK && all) {
            cti_spy spy = { CTI_SLOT_CLUSTER, 0, stories_add, &seen, NULL };
            st = cti_enquire_set_spy(e, &spy);
        }
        if (st == CTI_OK)
            st = cti_enquire_run(e, o->offset, o->limit, check, &r->mset);
    }
    if (st == CTI_OK && seen.nomem) {
        st = CTI_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (st != CTI_OK) {
        snprintf(err, errlen, "%s", cti_errmsg());
        goto done;
    }
    st = count(s, r, o, all ? &seen : NULL);
    if (st == CTI_OK)
        st = count_similar(s, r);
    if (st != CTI_OK) {
        snprintf(err, errlen, "%s", cti_errmsg());
        goto done;
    }
    st = cti_query_highlights(r->query, r->mset, s->doccount, &r->spec);
    if (st != CTI_OK)
        snprintf(err, errlen, "out of memory");
done:
    free(seen.k);
    free(seen.c);
    cti_enquire_free(e);
    cti_xq_free(xq);
    if (st != CTI_OK) {
        cti_results_free(r);
        return st;
    }
    *out = r;
    return CTI_OK;
}

cti_status cti_search_undated(cti_search *s, const cti_query *q,
                              const cti_rank_opts *rank, uint32_t *out,
                              char *err, size_t errlen)
{
    cti_xq *parts[2] = { NULL, NULL }, *xq = NULL;
    cti_enquire *e = NULL;
    cti_mset *m = NULL;
    cti_status st;

    *out = 0;
    /* A dated article has a "YYYYMMDD" value: every one is >= "0". */
    st = q ? cti_query_to_xq(q, rank, &parts[0]) : cti_xq_match_all(&parts[0]);
    if (st == CTI_OK)
        st = cti_xq_value_range(CTI_SLOT_DATE, "0", NULL, &parts[1]);
    if (st == CTI_OK)
        st = cti_xq_combine(CTI_XQ_AND_NOT, parts, 2, 0, &xq);
    if (st == CTI_OK)
        st = cti_enquire_new(s->db, &e);
    if (st == CTI_OK)
        st = cti_enquire_set_query(e, xq);
    if (st == CTI_OK)
        st = cti_enquire_run(e, 0, 0, s->doccount ? s->doccount : 1, &m);
    if (st == CTI_OK)
        *out = cti_mset_matches_lower(m);
    else if (errlen)
        snprintf(err, errlen, "%s", cti_errmsg());
    cti_mset_free(m);
    cti_enquire_free(e);
    cti_xq_free(xq);
    cti_xq_free(parts[0]);
    cti_xq_free(parts[1]);
    return st;
}

/* ---------------------------------------------------------------- */
/* Copies                                                           */
/* ---------------------------------------------------------------- */

/* The document of article 'id', trying it as a path too. */
static cti_status find_article(cti_search *s, const char *id, uint32_t *docid)
{
    char term[CTI_IDTERM_MAX + 1];
    size_t n = cti_schema_idterm(id, strlen(id), term);
    cti_status st = cti_db_find(s->db, term, n, docid);
    if (st != CTI_ENOTFOUND)
        return st;
    char *real = realpath(id, NULL);
    if (!real)
        return CTI_ENOTFOUND;
    n = cti_schema_idterm(real, strlen(real), term);
    free(real);
    return cti_db_find(s->db, term, n, docid);
}

/* The query for the copies of article 'docid': the band terms it holds
   (whichever way the index named them when it was written), its
   cluster. */
static cti_status similar_query(cti_db *db, uint32_t docid, const char *key,
                                size_t keylen, cti_xq **out)
{
    cti_xq *subs[CTI_FINGERPRINT_BANDS + 1] = { NULL };
    size_t n = 0;
    cti_termiter *it = NULL;
    cti_status st = cti_db_terms(db, CTI_PREFIX_BAND, docid, &it);
    if (st == CTI_ENOTFOUND)
        st = CTI_OK;
    while (st == CTI_OK && it && n < CTI_FINGERPRINT_BANDS) {
        const char *t;
        size_t tl;
        if ((st = cti_termiter_next(it, &t, &tl, NULL)) == CTI_DONE) {
            st = CTI_OK;
            break;
        }
        if (st == CTI_OK)
            st = cti_xq_term(t, tl, 1, 0, &subs[n]);
        n += st == CTI_OK;
    }
    cti_termiter_free(it);
    if (st == CTI_OK && keylen) {
        char *k = strndup(key, keylen);
        st = k ? cti_xq_value_range(CTI_SLOT_CLUSTER, k, k, &subs[n]) : CTI_ENOMEM;
        n += st == CTI_OK;
        free(k);
    }
    if (st == CTI_OK)
        st = cti_xq_combine(CTI_XQ_OR, subs, n, 0, out);
    for (size_t i = 0; i < n; i++)
        cti_xq_free(subs[i]);
    return st;
}

static int cmp_similarity(const void *a, const void *b, void *ctx)
{
    const double *sim = ctx;
    double x = sim[*(const size_t *)a], y = sim[*(const size_t *)b];
    if (x != y)
        return x < y ? 1 : -1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Keep the hits of r->mset that are copies of the article 'self'. */
static cti_status keep_copies(cti_results *r, uint32_t self,
                              const cti_fingerprint *fp, const char *key,
                              size_t keylen)
{
    size_t n = cti_mset_size(r->mset);
    r->order = calloc(n ? n : 1, sizeof *r->order);
    r->similarity = calloc(n ? n : 1, sizeof *r->similarity);
    if (!r->order || !r->similarity)
        return CTI_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t vl, kl;
        const char *v = cti_mset_value(r->mset, i, CTI_SLOT_FINGERPRINT, &vl);
        const char *k = cti_mset_value(r->mset, i, CTI_SLOT_CLUSTER, &kl);
        cti_fingerprint other;
        double sim = 0;
        if (fp && cti_fingerprint_decode(v, vl, &other) == 0)
            sim = cti_fingerprint_similarity(fp, &other);
        int same = keylen && kl == keylen && !memcmp(k, key, kl);
        r->similarity[i] = sim;
        if (cti_mset_docid(r->mset, i) != self &&
            (same || sim >= CTI_FINGERPRINT_COPY))
            r->order[r->norder++] = i;
    }
    qsort_r(r->order, r->norder, sizeof *r->order, cmp_similarity,
            r->similarity);
    return CTI_OK;
}

cti_status cti_search_similar(cti_search *s, const char *id,
                              cti_results **out, char *err, size_t errlen)
{
    cti_results *r = NULL;
    cti_xq *xq = NULL;
    cti_enquire *e = NULL;
    char *fpv = NULL, *key = NULL;
    size_t fpl = 0, keyl = 0;
    cti_fingerprint fp;
    uint32_t docid;
    cti_status st;

    *out = NULL;
    if (errlen)
        err[0] = '\0';
    st = find_article(s, id, &docid);
    if (st == CTI_ENOTFOUND) {
        snprintf(err, errlen, "no article with id '%s' in the index", id);
        return st;
    }
    if (st == CTI_OK)
        st = cti_db_get_value(s->db, docid, CTI_SLOT_FINGERPRINT, &fpv, &fpl);
    if (st == CTI_OK)
        st = cti_db_get_value(s->db, docid, CTI_SLOT_CLUSTER, &key, &keyl);
    int have_fp = st == CTI_OK && cti_fingerprint_decode(fpv, fpl, &fp) == 0;
    r = st == CTI_OK ? calloc(1, sizeof *r) : NULL;
    if (st == CTI_OK && !r)
        st = CTI_ENOMEM;
    /* An article too short for a fingerprint has no copies. */
    int none = !have_fp && !keyl;
    if (st == CTI_OK && !none)
        st = similar_query(s->db, docid, key, keyl, &xq);
    if (st == CTI_OK && !none)
        st = cti_enquire_new(s->db, &e);
    if (st == CTI_OK && !none)
        st = cti_enquire_set_query(e, xq);
    if (st == CTI_OK && !none)
        st = cti_enquire_run(e, 0, s->doccount, 0, &r->mset);
    if (st == CTI_OK && !(r->spec = cti_hl_spec_new()))
        st = CTI_ENOMEM;
    if (st == CTI_OK)
        st = keep_copies(r, docid, have_fp ? &fp : NULL, key, keyl);
    if (st != CTI_OK)
        snprintf(err, errlen, "%s", st == CTI_ENOMEM ? "out of memory"
                                                     : cti_errmsg());
    else
        r->doccount = s->doccount;
    cti_enquire_free(e);
    cti_xq_free(xq);
    free(fpv);
    free(key);
    if (st != CTI_OK) {
        cti_results_free(r);
        return st;
    }
    r->matches = r->articles = (uint32_t)r->norder;
    r->exact = r->articles_exact = 1;
    *out = r;
    return CTI_OK;
}
