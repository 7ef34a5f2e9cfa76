/*
 * cti-search - search a cti index.  Options in (cti_options.c), one mode
 * run, results out; the work is in cti_search.c, cti_hit.c and
 * cti_output.c.  A new mode is a function and a line in 'modes'.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cti_hit.h"
#include "cti_options.h"
#include "cti_output.h"
#include "cti_search.h"

#ifndef CTI_VERSION
#define CTI_VERSION "0.1"
#endif

/* What a mode gets: the options, the open index (NULL for modes that need
   none) and the start time. */
typedef struct run {
    const cti_options *o;
    cti_search *s;
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

/* Open the index of --db, $CTI_DB or the nearest .cti; 2 when it fails. */
static int open_index(const cti_options *o, cti_search **out)
{
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
    free(db);
    return rc;
}

/* Run the query with 'so'; on failure say why and return 2. */
static int search(const run *x, const cti_search_opts *so, cti_results **r)
{
    char err[512];
    cti_query_error qe;
    qe.msg[0] = '\0';
    cti_status st = cti_search_run(x->s, x->o->query, so, r, &qe, err, sizeof err);
    if (st == CTI_EINVAL && qe.msg[0]) {
        syntax_error(x->o->query, &qe);
        return 2;
    }
    if (st != CTI_OK)
        return fail("search failed: %s%s", err, "");
    return 0;
}

/* Nothing matched: suggest a spelling that would match; exit status 1. */
static int no_matches(const run *x)
{
    char *fix = NULL;
    if (cti_search_suggest(x->s, x->o->query, x->o->search.flags, &fix) == CTI_OK &&
        fix)
        fprintf(stderr, "cti-search: no matches; did you mean: %s\n", fix);
    free(fix);
    return 1;
}

/*
 * When the query or the order depends on dates, say on stderr how many
 * articles have none (never in JSON): with date: those can never match;
 * sorted by date they come first (oldest first) or last (newest first).
 */
static void date_notes(const run *x, const cti_results *r)
{
    const cti_options *o = x->o;
    char err[256], a[32], b[32];
    uint32_t n;
    if (o->out.format == CTI_OUT_JSON)
        return;
    if (cti_query_uses_date(r->query) &&
        cti_search_undated(x->s, NULL, NULL, &n, err, sizeof err) == CTI_OK && n)
        fprintf(stderr, "cti-search: note: %s article%s in the index %s no "
                "date; date: never matches %s\n",
                cti_output_count(n, a, sizeof a), n == 1 ? "" : "s",
                n == 1 ? "has" : "have", n == 1 ? "it" : "them");
    if (o->search.sort != CTI_SORT_RELEVANCE && r->matches &&
        cti_search_undated(x->s, r->query, &o->search.rank, &n, err,
                           sizeof err) == CTI_OK && n)
        fprintf(stderr, "cti-search: note: %s of the %s%s matches %s no date; "
                "sorted by date they come %s\n",
                cti_output_count(n, a, sizeof a), r->exact ? "" : "about ",
                cti_output_count(r->matches, b, sizeof b),
                n == 1 ? "has" : "have",
                o->search.sort == CTI_SORT_DATE ? "first" : "last");
}

/* Load and print each hit of 'r', then the footer. */
static int print_hits(const run *x, const cti_results *r)
{
    cti_printer *pr = NULL;
    cti_status st = cti_printer_new(stdout, &x->o->out, &pr);
    for (size_t i = 0; st == CTI_OK && i < cti_mset_size(r->mset); i++) {
        cti_hit h;
        st = cti_hit_load(x->s, r, i, &x->o->hit, &h);
        if (st == CTI_OK)
            st = cti_printer_hit(pr, &h);
        cti_hit_release(&h);
    }
    if (st == CTI_OK)
        st = cti_printer_footer(pr, r, now_ms() - x->t0);
    cti_printer_free(pr);
    if (st != CTI_OK)
        return fail("cannot write the results: %s%s", strerror(errno), "");
    return 0;
}

/* The default mode: the page of hits asked for. */
static int mode_search(const run *x)
{
    cti_results *r = NULL;
    int rc = search(x, &x->o->search, &r);
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
    so.check_at_least = UINT32_MAX;
    so.prf_docs = 0; /* count the articles with the words asked for */
    int rc = search(x, &so, &r);
    if (rc == 0) {
        printf("%u\n", r->matches);
        fflush(stdout);
        rc = r->matches ? 0 : 1;
        date_notes(x, r);
    }
    cti_results_free(r);
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
    [CTI_MODE_HELP] = { 0, mode_help },
    [CTI_MODE_VERSION] = { 0, mode_version },
};

int main(int argc, char **argv)
{
    cti_options o;
    run x = { &o, NULL, now_ms() };
    int rc;

    if (cti_options_parse(argc, argv, &o) != CTI_OK)
        rc = fail("%s%s", o.error ? o.error : "out of memory", "");
    else if (modes[o.mode].needs_index && (rc = open_index(&o, &x.s)) != 0)
        ; /* open_index said why */
    else
        rc = modes[o.mode].fn(&x);
    cti_search_free(x.s);
    cti_options_release(&o);
    return rc;
}
