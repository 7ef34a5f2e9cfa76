/*
 * cti-search - search a cti index.  Options in (cti_options.c), one mode
 * run, results out; the work is in cti_search.c, cti_hit.c and
 * cti_output.c.  A new mode is a function and a line in 'modes'.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cti_facet.h"
#include "cti_fulltext.h"
#include "cti_hit.h"
#include "cti_hits.h"
#include "cti_preload.h"
#include "cti_options.h"
#include "cti_output.h"
#include "cti_schema.h"
#include "cti_search.h"
#include "cti_stats.h"
#include "cti_suggest.h"

#ifndef CTI_VERSION
#define CTI_VERSION "0.1"
#endif

/* What a mode gets: the options, the open index (NULL for modes that need
   none) and the start time. */
typedef struct run {
    const cti_options *o;
    cti_search *s;
    char *db;          /* the index's path as opened */
    double t0;
} run;

/* A mode: returns the exit status (0 matched, 1 nothing did, 2 error). */
typedef int (*mode_fn)(const run *x);

typedef struct mode {
    int needs_index;
    mode_fn fn;
} mode;

static int fail(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "cti-search: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 2;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The syntax error, with the query and a caret under the column on a TTY. */
static void syntax_error(const char *query, const cti_query_error *e)
{
    fprintf(stderr, "cti-search: syntax error at column %zu: %s\n", e->column,
            e->msg);
    if (isatty(STDERR_FILENO) && !strchr(query, '\n')) {
        fprintf(stderr, "  %s\n  %*s^\n", query, (int)(e->column - 1), "");
    }
}

/* Open the index of --db, $CTI_DB or the nearest .cti into x->s (its
   path in x->db); 2 when it fails. */
static int open_index(run *x)
{
    const cti_options *o = x->o;
    cti_search **out = &x->s;
    char err[512], warn[1024];
    char *db = o->db ? strdup(o->db) : cti_search_default_db();
    int rc = 0;
    if (!db)
        return fail("no index: use --db DIR, set CTI_DB, or run cti-index "
                    "--db .cti%s%s", "", "");
    if (cti_search_open_partial(db, o->partial, out, err, sizeof err, warn,
                                sizeof warn) != CTI_OK)
        rc = fail("cannot open index '%s': %s", db, err);
    else if (*warn)
        fprintf(stderr, "cti-search: warning: partial results, shards left "
                "out: %s\n", warn);
    x->db = db;
    return rc;
}

/* Run 'text' with 'so'; on failure say why and return 2. */
static int search_text(const run *x, const char *text, const cti_search_opts *so,
                       cti_results **r)
{
    char err[512];
    cti_query_error qe;
    qe.msg[0] = '\0';
    cti_status st = cti_search_run(x->s, text, so, r, &qe, err, sizeof err);
    if (st == CTI_EINVAL && qe.msg[0]) {
        syntax_error(text, &qe);
        return 2;
    }
    if (st != CTI_OK)
        return fail("search failed: %s%s", err, "");
    return 0;
}

/* Run the query with 'so'; on failure say why and return 2. */
static int search(const run *x, const cti_search_opts *so, cti_results **r)
{
    return search_text(x, x->o->query, so, r);
}

/*
 * On a human reader's standard error (not --json, not -q): the lower-case
 * operator words of the query that were searched as words.
 */
static void notes(const run *x, const cti_results *r)
{
    static const struct { unsigned bit; const char *word, *op; } ops[] = {
        { CTI_LOWER_OR, "or", "OR means either" },
        { CTI_LOWER_AND, "and", "AND (or nothing) means both" },
        { CTI_LOWER_NOT, "not", "NOT or -word excludes" },
        { CTI_LOWER_NEAR, "near", "NEAR means within 10 words" },
    };
    unsigned lower = cti_query_lower_ops(r->query);
    if (x->o->quiet || x->o->out.format == CTI_OUT_JSON)
        return;
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (lower & ops[i].bit)
            fprintf(stderr, "cti-search: note: '%s' was searched as a word; %s\n",
                    ops[i].word, ops[i].op);
}

/*
 * When the query or the order depends on dates, say on stderr how many
 * articles have none (never in JSON): with date: those can never match;
 * sorted by date they come first (oldest first) or last (newest first).
 */
static void date_notes(const run *x, const cti_results *r)
{
    const cti_options *o = x->o;
    char err[256], a[32], b[32], c[32], all[80];
    uint32_t n;
    if (o->out.format == CTI_OUT_JSON || o->quiet)
        return;
    if (cti_query_uses_date(r->query) &&
        cti_search_undated(x->s, NULL, NULL, &n, err, sizeof err) == CTI_OK && n)
        fprintf(stderr, "cti-search: note: %s article%s in the index %s no "
                "date; date: never matches %s\n",
                cti_output_count(n, a, sizeof a), n == 1 ? "" : "s",
                n == 1 ? "has" : "have", n == 1 ? "it" : "them");
    if (o->search.sort != CTI_SORT_RELEVANCE && r->matches &&
        cti_search_undated(x->s, r->query, &o->search.rank, &n, err,
                           sizeof err) == CTI_OK && n) {
        if (r->exact)
            snprintf(all, sizeof all, "%s", cti_output_count(r->matches, b, sizeof b));
        else /* a true range, as the footer says */
            snprintf(all, sizeof all, "%s to %s", cti_output_count(r->lower, b, sizeof b),
                     cti_output_count(r->upper, c, sizeof c));
        fprintf(stderr, "cti-search: note: %s of the %s matches %s no date; "
                "sorted by date they come %s\n",
                cti_output_count(n, a, sizeof a), all, n == 1 ? "has" : "have",
                o->search.sort == CTI_SORT_DATE ? "first" : "last");
    }
}

/* Hits loaded at a time: side by side, then printed in order (the memory
   of a page held at once stays small, whatever -n). */
#define HIT_BATCH 16

/* Load and print each hit of 'r', then the footer. */
static int print_hits(const run *x, const cti_results *r)
{
    cti_printer *pr = NULL;
    cti_status st = cti_printer_new(stdout, &x->o->out, &pr);
    size_t n = r->order ? r->norder : cti_mset_size(r->mset);
    cti_hit hits[HIT_BATCH];
    cti_status sts[HIT_BATCH];
    for (size_t first = 0; st == CTI_OK && first < n; first += HIT_BATCH) {
        size_t m = n - first < HIT_BATCH ? n - first : HIT_BATCH;
        unsigned jobs = x->o->jobs ? x->o->jobs
                                   : cti_hits_jobs_default(r, first, m, &x->o->hit);
        cti_hits_load(x->s, r, first, m, &x->o->hit, jobs, hits, sts);
        for (size_t k = 0; k < m; k++) {
            cti_hit *h = &hits[k];
            if (st == CTI_OK)
                st = sts[k];
            if (st == CTI_OK && h->problem[0]) {
                fprintf(stderr, "cti-search: hit %" PRIu32 " (", h->rank);
                cti_output_put_clean(stderr, h->rec.id ? h->rec.id : "id unknown");
                fprintf(stderr, "): %s\n", h->problem);
            }
            if (st == CTI_OK)
                st = cti_printer_hit(pr, h);
            cti_hit_release(h);
        }
    }
    if (st == CTI_OK)
        st = cti_printer_footer(pr, r, now_ms() - x->t0);
    cti_printer_free(pr);
    if (st != CTI_OK)
        return fail("cannot write the results: %s%s", strerror(errno), "");
    return 0;
}

/*
 * Nothing matched: suggest a spelling that finds articles (cti_suggest.h).
 * On a terminal, with human output, the corrected query's hits are shown
 * under a line that says so; otherwise the suggestion goes to standard
 * error, or the words no article holds are named.  Returns 1 (the query
 * as typed found nothing), or 2 on an error.
 */
/*
 * The query found nothing in the articles' own text: when it would with
 * page:, say so on standard error (not with -q) and return 1; else 0.
 */
static int page_hint(const run *x)
{
    cti_search_opts so = x->o->search;
    cti_results *r = NULL;
    char err[256], n[32];
    int found = 0;
    so.flags |= CTI_QUERY_PAGE;
    so.limit = 0;
    so.count_ms = 0;
    so.no_collapse = 1;
    if (!(x->o->search.flags & CTI_QUERY_PAGE) &&
        cti_search_run(x->s, x->o->query, &so, &r, NULL, err, sizeof err) ==
            CTI_OK && r->matches) {
        const char *q = x->o->query;
        int word = !strpbrk(q, " :\"()*-");
        found = 1;
        if (!x->o->quiet)
            fprintf(stderr, "cti-search: no matches in the articles' own text; "
                    "%s%s article%s %s it in text set aside as page "
                    "boilerplate (menus, teasers, comments): %s%s\n",
                    r->exact ? "" : "at least ",
                    cti_output_count(r->exact ? r->matches : r->lower, n,
                                     sizeof n),
                    r->matches == 1 ? "" : "s",
                    r->matches == 1 ? "has" : "have",
                    word ? "try page:" : "put page: before its words",
                    word ? q : "");
    }
    cti_results_free(r);
    return found;
}

static int no_matches(const run *x)
{
    cti_suggestion sg;
    cti_results *r = NULL;
    int rc = 1;
    if (page_hint(x))
        return 1;
    cti_status st = cti_suggest(x->s, x->o->query, x->o->search.flags, &sg);
    if (st == CTI_OK && sg.text && x->o->out.format == CTI_OUT_HUMAN &&
        isatty(STDOUT_FILENO)) {
        printf("no matches for %s; showing %s\n\n", x->o->query, sg.text);
        if (search_text(x, sg.text, &x->o->search, &r) != 0 || print_hits(x, r) != 0)
            rc = 2;
    } else if (st == CTI_OK && sg.text) {
        fprintf(stderr, "cti-search: no matches; did you mean: %s\n", sg.text);
    } else if (st == CTI_OK && sg.unknown) {
        fprintf(stderr, "cti-search: no matches; no article has %s\n", sg.unknown);
    } else if (st != CTI_OK && st != CTI_EINVAL) {
        rc = fail("did you mean: %s%s", cti_errmsg(), "");
    }
    cti_results_free(r);
    cti_suggestion_release(&sg);
    return rc;
}

/* --any found articles, but some words of the question are in none: name
   them, with the question corrected (human output, not -q). */
static void unknown_words(const run *x)
{
    cti_suggestion sg;
    if (!(x->o->search.flags & CTI_QUERY_ANY) || x->o->quiet ||
        x->o->out.format == CTI_OUT_JSON)
        return;
    if (cti_suggest(x->s, x->o->query, x->o->search.flags, &sg) == CTI_OK &&
        sg.unknown) {
        fprintf(stderr, "cti-search: note: no article has %s", sg.unknown);
        if (sg.text)
            fprintf(stderr, "; did you mean: %s", sg.text);
        fputc('\n', stderr);
    }
    cti_suggestion_release(&sg);
}

/* The default mode: the page of hits asked for. */
static int mode_search(const run *x)
{
    cti_results *r = NULL;
    /* The texts' dictionary loads on another CPU while the query runs,
       when there are texts to read and threads are wanted: -j 2 or more,
       or by default for long articles (cti_preload_worth()). */
    cti_preload *pre = NULL;
    if (!x->o->hit.no_snippet && x->o->search.limit > 0 &&
        (x->o->jobs > 1 || (!x->o->jobs && cti_preload_worth(x->s))))
        pre = cti_preload_start(x->s, x->db);
    int rc = search(x, &x->o->search, &r);
    cti_preload_finish(pre);
    if (rc == 0)
        notes(x, r);
    if (rc == 0 && r->matches)
        unknown_words(x);
    if (rc == 0)
        rc = r->matches ? print_hits(x, r) : no_matches(x);
    if (rc != 2)
        date_notes(x, r);
    cti_results_free(r);
    return rc;
}

/* -c: the number of articles with the words asked for. */
static int mode_count(const run *x)
{
    cti_search_opts so = x->o->search;
    cti_results *r = NULL;
    so.offset = 0;
    so.limit = 0;
    so.count_ms = 1e9; /* exact, however long it takes */
    so.count_max = 0;  /* and however many there are */
    so.prf_docs = 0;   /* feedback would only reorder */
    so.no_collapse = 1; /* every copy of a story */
    int rc = search(x, &so, &r);
    cti_printer *pr = NULL;
    if (rc == 0 && cti_printer_new(stdout, &x->o->out, &pr) != CTI_OK)
        rc = fail("out of memory%s%s", "", "");
    if (rc == 0) {
        if (cti_printer_count(pr, r->matches) != CTI_OK ||
            cti_printer_end(pr) != CTI_OK) {
            rc = fail("cannot write the results: %s%s", strerror(errno), "");
        } else {
            rc = r->matches ? 0 : 1;
            date_notes(x, r);
        }
    }
    cti_printer_free(pr);
    cti_results_free(r);
    return rc;
}

/* What -l's walk over the hits needs. */
typedef struct ids {
    cti_printer *pr;
    uint32_t rank;
    cti_status st;
} ids;

/* One hit of -l: print its id (from its sync record). */
static int print_id(void *ctx, const char *value, size_t vlen)
{
    ids *c = ctx;
    size_t len;
    const char *id = cti_schema_sync_id(value, vlen, &len);
    c->rank++;
    if (!id)
        return 0; /* not a cti article */
    c->st = cti_printer_id(c->pr, c->rank, id, len);
    return c->st != CTI_OK;
}

/* -l: the id of every match (or of -n of them), in --sort order. */
static int mode_files(const run *x)
{
    cti_search_opts so = x->o->search;
    cti_results *r = NULL;
    ids c = { NULL, so.offset, CTI_OK };
    cti_each each = { CTI_SLOT_SOURCE, print_id, &c };
    int rc;
    if (cti_printer_new(stdout, &x->o->out, &c.pr) != CTI_OK)
        return fail("out of memory%s%s", "", "");
    if (!x->o->limit_set)
        so.limit = UINT32_MAX - so.offset;
    so.check_at_least = 0;
    so.each = &each;
    rc = search(x, &so, &r);
    if (rc == 0 && c.st == CTI_OK)
        c.st = cti_printer_end(c.pr);
    if (rc == 0 && c.st != CTI_OK)
        rc = fail("cannot write the results: %s%s", strerror(errno), "");
    else if (rc == 0)
        rc = r->matches ? 0 : no_matches(x);
    cti_printer_free(c.pr);
    cti_results_free(r);
    return rc;
}

/* --facet: counts over every match. */
static int mode_facet(const run *x)
{
    const cti_options *o = x->o;
    cti_facets *fs = NULL;
    cti_printer *pr = NULL;
    cti_query_error qe;
    char err[512];
    qe.msg[0] = '\0';
    cti_status st = cti_facets_count(x->s, o->query, &o->search, o->facets,
                                     o->nfacets, o->facet_limit, &fs, &qe,
                                     err, sizeof err);
    if (st == CTI_EINVAL && qe.msg[0]) {
        syntax_error(o->query, &qe);
        return 2;
    }
    if (st != CTI_OK)
        return fail("search failed: %s%s", err, "");
    int rc = 0;
    if (cti_printer_new(stdout, &o->out, &pr) != CTI_OK)
        rc = fail("out of memory%s%s", "", "");
    else if (cti_printer_facets(pr, fs, o->query) != CTI_OK ||
             cti_printer_end(pr) != CTI_OK)
        rc = fail("cannot write the results: %s%s", strerror(errno), "");
    else if (!fs->matches)
        rc = no_matches(x);
    cti_printer_free(pr);
    cti_facets_free(fs);
    return rc;
}

/* The highlight spec of --show's query into *r (NULL query: none). */
static int show_spec(const run *x, cti_results **r)
{
    cti_search_opts so = x->o->search;
    *r = NULL;
    if (!x->o->query)
        return 0;
    so.offset = so.limit = 0;
    so.prf_docs = 0; /* highlight the words asked for */
    return search(x, &so, r);
}

/* Print the article with stored record 'data' (len bytes), its text
   'text' if kept apart, and the ISO date 'date' ("" when none). */
static int show_record(const run *x, const cti_hl_spec *spec, const char *date,
                       const char *data, size_t len,
                       const cti_record_text *text)
{
    cti_analyzer *a = cti_search_analyzer(x->s);
    cti_fulltext *ft = NULL;
    cti_printer *pr = NULL;
    cti_snippet title = { NULL, 0, NULL, 0 };
    char err[512];
    int rc = 0;
    cti_status st = cti_fulltext_open(a, spec, data, len, text, &ft, err,
                                      sizeof err);
    if (st != CTI_OK)
        return fail("cannot show '%s': %s", x->o->show_id, err);
    const cti_record *rec = cti_fulltext_record(ft);
    st = cti_snippet_title(a, spec, rec->title ? rec->title : "",
                           rec->title_len, &title);
    if (st == CTI_OK)
        st = cti_printer_new(stdout, &x->o->out, &pr);
    if (st == CTI_OK)
        st = cti_printer_article(pr, &title, date, ft);
    if (st == CTI_OK)
        st = cti_printer_end(pr);
    if (st == CTI_ECORRUPT)
        rc = fail("cannot show '%s': %s", x->o->show_id, cti_fulltext_error(ft));
    else if (st == CTI_ENOMEM)
        rc = fail("out of memory%s%s", "", "");
    else if (st != CTI_OK)
        rc = fail("cannot write the article: %s%s", strerror(errno), "");
    cti_printer_free(pr);
    cti_snippet_release(&title);
    cti_fulltext_free(ft);
    return rc;
}

/* What --show hands to the reading of the stored record. */
typedef struct shown {
    const run *x;
    const cti_hl_spec *spec;
    int rc;
    char date[11];     /* ISO 8601, from the date value */
    cti_record_text text;
} shown;

static void show_data(void *ctx, const char *data, size_t len)
{
    shown *c = ctx;
    c->rc = show_record(c->x, c->spec, c->date, data, len, &c->text);
}

/* The document of article 'id'; a path as the search shows it (relative
   to the current directory) is also tried as the absolute path it is. */
static cti_status find_article(cti_db *db, const char *id, uint32_t *docid)
{
    char term[CTI_IDTERM_MAX + 1];
    size_t tl = cti_schema_idterm(id, strlen(id), term);
    cti_status st = cti_db_find(db, term, tl, docid);
    char *abs = st == CTI_ENOTFOUND && id[0] != '/' ? realpath(id, NULL) : NULL;
    if (abs) {
        tl = cti_schema_idterm(abs, strlen(abs), term);
        st = cti_db_find(db, term, tl, docid);
        free(abs);
    }
    return st;
}

/* --show ID [QUERY]: the stored article, whole, its matches highlighted. */
static int mode_show(const run *x)
{
    const char *id = x->o->show_id;
    cti_db *db = cti_search_db(x->s);
    uint32_t docid;
    cti_results *r = NULL;
    cti_status st = find_article(db, id, &docid);
    if (st == CTI_ENOTFOUND) {
        fprintf(stderr, "cti-search: no article with id '");
        cti_output_put_clean(stderr, id);
        fprintf(stderr, "' in the index\n");
        return 1;
    }
    if (st != CTI_OK)
        return fail("cannot read the index: %s%s", cti_db_errmsg(db), "");
    shown c = { x, NULL, show_spec(x, &r), "", { NULL, 0, NULL } };
    char *dv = NULL, *frame = NULL;
    size_t dl = 0;
    if (cti_db_get_value(db, docid, CTI_SLOT_DATE, &dv, &dl) == CTI_OK)
        cti_schema_iso_date(dv, dl, c.date);
    free(dv);
    if (c.rc == 0 &&
        cti_db_get_value(db, docid, CTI_SLOT_TEXT, &frame, &c.text.len) != CTI_OK)
        c.rc = fail("cannot read the index: %s%s", cti_db_errmsg(db), "");
    c.text.frame = frame;
    c.text.reader = cti_search_text_reader(x->s);
    if (c.rc == 0) {
        c.spec = r ? r->spec : NULL;
        /* The record is read once, in place: the article is never copied. */
        if (cti_db_with_data(db, docid, show_data, &c) != CTI_OK)
            c.rc = fail("cannot read the index: %s%s", cti_db_errmsg(db), "");
    }
    free(frame);
    cti_results_free(r);
    return c.rc;
}

/* --stats: what the index holds. */
static int mode_stats(const run *x)
{
    cti_stats *st = NULL;
    cti_printer *pr = NULL;
    char err[512];
    if (cti_stats_gather(x->s, x->db, x->o->facet_limit, &st, err,
                         sizeof err) != CTI_OK)
        return fail("cannot read the index: %s%s", err, "");
    int rc = 0;
    if (cti_printer_new(stdout, &x->o->out, &pr) != CTI_OK)
        rc = fail("out of memory%s%s", "", "");
    else if (cti_printer_stats(pr, st, x->db) != CTI_OK ||
             cti_printer_end(pr) != CTI_OK)
        rc = fail("cannot write the statistics: %s%s", strerror(errno), "");
    cti_printer_free(pr);
    cti_stats_free(st);
    return rc;
}

/* --explain: the parsed query, then the Xapian query it becomes. */
static int mode_explain(const run *x)
{
    const cti_options *o = x->o;
    cti_query *q = NULL;
    cti_query_error qe;
    cti_xq *xq = NULL;
    int rc = 2;
    cti_status st = cti_query_parse(o->query, cti_search_analyzer(x->s),
                                    o->search.flags, &q, &qe);
    if (st == CTI_EINVAL) {
        syntax_error(o->query, &qe);
        return 2;
    }
    char *d = st == CTI_OK ? cti_query_describe(q) : NULL;
    if (d && cti_query_to_xq(q, &o->search.rank, &xq) == CTI_OK) {
        char *xd = cti_xq_describe(xq);
        printf("%s\n%s\n", d, xd ? xd : "");
        free(xd);
        rc = 0;
    } else {
        rc = fail("%s%s", cti_errmsg(), "");
    }
    free(d);
    cti_xq_free(xq);
    cti_query_free(q);
    return rc;
}

/* --similar ID: the copies of an article, most similar first. */
static int mode_similar(const run *x)
{
    cti_results *r = NULL;
    char err[512];
    cti_status st = cti_search_similar(x->s, x->o->similar, &r, err, sizeof err);
    if (st != CTI_OK)
        return fail("%s%s", err, "");
    int rc = r->norder ? print_hits(x, r) : 1;
    cti_results_free(r);
    return rc;
}

static int mode_help(const run *x)
{
    (void)x;
    fputs(cti_options_usage(), stdout);
    return 0;
}

static int mode_version(const run *x)
{
    (void)x;
    printf("cti-search %s (xapian %s)\n", CTI_VERSION, cti_xapian_version());
    return 0;
}

static const mode modes[CTI_NMODES] = {
    [CTI_MODE_SEARCH] = { 1, mode_search },
    [CTI_MODE_COUNT] = { 1, mode_count },
    [CTI_MODE_EXPLAIN] = { 1, mode_explain },
    [CTI_MODE_SHOW] = { 1, mode_show },
    [CTI_MODE_FACET] = { 1, mode_facet },
    [CTI_MODE_FILES] = { 1, mode_files },
    [CTI_MODE_STATS] = { 1, mode_stats },
    [CTI_MODE_HELP] = { 0, mode_help },
    [CTI_MODE_VERSION] = { 0, mode_version },
    [CTI_MODE_SIMILAR] = { 1, mode_similar },
};

/*
 * --pager on a terminal: run $PAGER (default less; LESS=FRX unless set,
 * so colours pass and one screen is not paged) with standard output
 * going into it.  Returns its pid, or 0 when there is none.
 */
static pid_t start_pager(void)
{
    int fd[2];
    const char *pager = getenv("PAGER");
    if (!isatty(STDOUT_FILENO))
        return 0;
    if (!pager || !*pager)
        pager = "less";
    if (!strcmp(pager, "cat") || pipe(fd) < 0)
        return 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return 0;
    }
    if (pid == 0) {
        dup2(fd[0], STDIN_FILENO);
        close(fd[0]);
        close(fd[1]);
        setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
        execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
        _exit(127);
    }
    /* A reader who quits the pager early ends cti-search by SIGPIPE,
       quietly, as it ends any program writing into a closed pipe. */
    dup2(fd[1], STDOUT_FILENO);
    close(fd[0]);
    close(fd[1]);
    return pid;
}

/* Close the pager's input and wait for the reader to quit it. */
static void end_pager(pid_t pid)
{
    if (!pid)
        return;
    fflush(stdout);
    fclose(stdout);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/*
 * The end of the process, with exit status rc.  It leaves at once, as
 * exit() would after flushing standard output (which the pager's end
 * closed already), but without freeing the index's handles, caches and
 * buffers piece by piece: the kernel takes the memory and the files back
 * in one go, where the teardown took 45 us of a 3 ms search of short
 * stories.  A build with AddressSanitizer frees everything instead, for
 * its leak check at exit; under valgrind, what a search holds shows as
 * reachable and a block it lost still shows as lost.
 */
static int leave(run *x, cti_options *o, pid_t pager, int rc)
{
#ifdef __SANITIZE_ADDRESS__
    (void)pager;
    cti_search_free(x->s);
    free(x->db);
    cti_options_release(o);
    return rc;
#else
    (void)x;
    (void)o;
    if (!pager)
        fflush(stdout);
    _exit(rc);
#endif
}

int main(int argc, char **argv)
{
    cti_options o;
    run x = { &o, NULL, NULL, now_ms() };
    pid_t pager = 0;
    int rc;

    if (cti_options_parse(argc, argv, &o) != CTI_OK)
        rc = fail("%s%s", o.error ? o.error : "out of memory", "");
    else if (modes[o.mode].needs_index && (rc = open_index(&x)) != 0)
        ; /* open_index said why */
    else {
        if (o.pager)
            pager = start_pager();
        rc = modes[o.mode].fn(&x);
    }
    end_pager(pager);
    return leave(&x, &o, pager, rc);
}
