/*
 * cti_search.h - searching a cti index: open, check, run, count.
 *
 * cti-search's logic, callable from tests: open an index read-only
 * (checking that it is a cti index of this schema and taking its stemmer
 * language), parse and run a query with BM25, count its matches.
 */
#ifndef CTI_SEARCH_H
#define CTI_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "cti_xapian.h"
#include "cti_analyzer.h"
#include "cti_query.h"
#include "cti_snippet.h"
#include "cti_text.h"

typedef struct cti_search cti_search;

/*
 * Find the index to use when none is given: $CTI_DB if set, else the
 * nearest directory named ".cti" in the current directory or a parent.
 * Returns a new string (caller frees), or NULL when there is none (or on
 * no memory).
 */
char *cti_search_default_db(void);

/*
 * Open the index at 'path' for reading.  On success returns CTI_OK and a
 * new handle in *out (free with cti_search_free()).  Otherwise *out is
 * NULL, the status says what kind of failure (CTI_ENOTFOUND: missing or
 * not a cti index; CTI_EVERSION: another schema version; CTI_ERROR,
 * CTI_ECORRUPT, CTI_EIO, ...) and 'err' holds a one-line reason.
 */
cti_status cti_search_open(const char *path, cti_search **out, char *err,
                           size_t errlen);
/*
 * The same, for an index whose stub lists remote shards (cti_shard.h):
 * with 'partial', a shard that cannot be reached is left out and named in
 * 'warn' (empty when none was) instead of failing the open.
 */
cti_status cti_search_open_partial(const char *path, int partial,
                                   cti_search **out, char *err, size_t errlen,
                                   char *warn, size_t warnlen);
void cti_search_free(cti_search *s);

/*
 * Bring 's' up to date with the last state cti-index committed (a
 * long-lived reader calls it before each search, so new articles are
 * found).  Returns CTI_OK, or the failure's status with a reason in
 * 'err'; 's' should then be freed and the index opened again.
 */
cti_status cti_search_reopen(cti_search *s, char *err, size_t errlen);

/* The index's analyzer and database (owned by 's'). */
cti_analyzer *cti_search_analyzer(cti_search *s);
/* A new analyzer like the search's own (its language, its stem cache),
   for another thread (free it with cti_analyzer_free()).  CTI_OK, or
   CTI_ENOMEM with *out NULL. */
cti_status cti_search_analyzer_new(cti_search *s, cti_analyzer **out);
cti_db *cti_search_db(cti_search *s);
/* The reader of the index's stored texts kept apart (cti_text.h). */
cti_text_reader *cti_search_text_reader(cti_search *s);

/* Sort orders. */
#define CTI_SORT_RELEVANCE 0
#define CTI_SORT_DATE      1  /* oldest first */
#define CTI_SORT_DATE_DESC 2  /* newest first */

typedef struct cti_search_opts {
    unsigned flags;          /* CTI_QUERY_* */
    uint32_t offset, limit;  /* the page of hits */
    uint32_t check_at_least; /* count exactly up to this many (0: offset+limit) */
    double count_ms;         /* when the page's run leaves the count
                                uncertain: time allowed to count exactly
                                (0: no count pass, bounds only) */
    uint32_t count_max;      /* ... and only when the page's run leaves at
                                most this many articles possible (0: any
                                number) */
    int sort;                /* CTI_SORT_* */
    double k1, b;            /* BM25 */
    cti_rank_opts rank;
    /* CTI_QUERY_ANY ranked by relevance: pseudo-relevance feedback weighs
       up the articles holding the 'prf_terms' words most typical of the
       top 'prf_docs' hits, by 'prf_weight' (prf_docs 0: off); it adds no
       article to the matches. */
    unsigned prf_docs, prf_terms;
    double prf_weight;
    /* 1: every copy of a story is a hit; 0 (the default): copies are
       collapsed on their copy cluster (CTI_SLOT_CLUSTER), the best-ranked
       one shown, when the index holds any copy (CTI_TERM_COPY). */
    int no_collapse;
    /* A match spy on the run (NULL: none; see cti_enquire_set_spy()); with
       check_at_least UINT32_MAX it sees every matching article. */
    const cti_spy *spy;
    /* A walk over the page of hits (NULL: none; see cti_enquire_set_each()):
       each hit goes to it in rank order and the results' mset stays empty. */
    const cti_each *each;
    /* 1: the hits' stored texts are not fetched (no snippets are made
       from them); 0 (the default): each hit brings its CTI_SLOT_TEXT. */
    int no_text;
} cti_search_opts;

/* Default time allowed to count the matches exactly (ms): see README, Output. */
#define CTI_COUNT_MS 10.0
/* Default most articles the page's run may leave possible for a counting
   pass to run: see README, Output. */
#define CTI_COUNT_MAX 1000

/* The defaults users get (limit 10, BM25 and ranking as measured). */
void cti_search_opts_default(cti_search_opts *o);

typedef struct cti_results {
    cti_query *query;        /* the parsed query */
    cti_mset *mset;          /* the page of hits */
    cti_hl_spec *spec;       /* what to highlight */
    uint32_t doccount;       /* documents in the index */
    uint32_t matches;        /* matching documents, copies of a story
                                counted once when collapsed (estimate
                                unless exact) */
    int exact;               /* 1 when 'matches' is exact */
    int collapsed;           /* 1 when copies were collapsed (the index
                                holds copies and they were asked to be) */
    int one_per_story;       /* 1 unless every copy was asked for: each
                                story is shown once (all of them are
                                when the index holds no copies) */
    uint32_t articles;       /* matching documents, every copy counted
                                (when not exact: at least this many) */
    int articles_exact;      /* 1 when 'articles' is exact */
    /* cti_search_similar() only: the order to show the hits in (indices
       into mset) and each hit's similarity to the article (by mset index). */
    size_t *order;
    size_t norder;
    double *similarity;
    /* With copies collapsed: each hit's matching copies (by mset index),
       counted exactly where the index names its stories (see
       count_similar() in cti_search.c); NULL: Xapian's collapse counts,
       the copies that reached the page's weights (a lower bound). */
    uint32_t *similar;
    uint32_t lower, upper;   /* true bounds: lower <= matches <= upper
                                (equal when exact) */
    double count_ms;         /* time spent counting after the page's run */
} cti_results;

/*
 * Parse 'text' and run it.  On CTI_OK *out holds the results (free with
 * cti_results_free(); zero hits is CTI_OK too).  A syntax error returns
 * CTI_EINVAL with *qerr filled (when not NULL); other failures return
 * their status with a reason in 'err'.  *out is NULL on failure.
 */
cti_status cti_search_run(cti_search *s, const char *text,
                          const cti_search_opts *o, cti_results **out,
                          cti_query_error *qerr, char *err, size_t errlen);
void cti_results_free(cti_results *r);

/*
 * The copies of the article 'id' (as cti-search prints it: its id, or
 * for a file its path, absolute or relative to the current directory):
 * the articles of its copy cluster and those whose fingerprint shares a
 * band with its own and is at least CTI_FINGERPRINT_COPY similar.  On
 * CTI_OK *out holds them (free with cti_results_free()) in r->order, most
 * similar first, with r->similarity; none is CTI_OK too.  An unknown id
 * is CTI_ENOTFOUND; other failures return their status; 'err' says why.
 */
cti_status cti_search_similar(cti_search *s, const char *id,
                              cti_results **out, char *err, size_t errlen);

/*
 * Count exactly the articles without a date (no date given, or one that
 * could not be read when indexed): among the matches of 'q' built with
 * 'rank' (NULL: defaults), or in the whole index when 'q' is NULL.
 * Returns CTI_OK with *out set, or an error status with a reason in err.
 */
cti_status cti_search_undated(cti_search *s, const cti_query *q,
                              const cti_rank_opts *rank, uint32_t *out,
                              char *err, size_t errlen);

#endif /* CTI_SEARCH_H */
