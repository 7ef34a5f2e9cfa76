/*
 * cti_page.c - the search page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cti_facet.h"
#include "cti_hit.h"
#include "cti_suggest.h"
#include "cti_layout.h"
#include "cti_output.h"
#include "cti_page.h"
#include "cti_suggest.h"

#define TOP_NAMES 10   /* sources and authors listed */
/* Counting sources and authors reads every match's stored record (about
   35 us each on the 200 MB corpus): beyond this many matches only the
   timeline (from values, cheap) is counted: a page stays under about
   0.1 s of CPU. */
#define NAMES_MAX_MATCHES 2000
#define BAR_STEPS 20   /* bar sizes: CSS classes h0..h20 and w0..w20 */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- */
/* Narrowing                                                        */
/* ---------------------------------------------------------------- */

/* 1 when 'q' has the operator OR outside quotes. */
static int has_or(const char *q, size_t len)
{
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        if (q[i] == '"')
            quoted = !quoted;
        if (quoted || q[i] != 'O' || i + 1 >= len || q[i + 1] != 'R')
            continue;
        int before = i == 0 || strchr(" \t\r\n()", q[i - 1]);
        int after = i + 2 >= len || strchr(" \t\r\n()", q[i + 2]);
        if (before && after)
            return 1;
    }
    return 0;
}

char *cti_page_narrow(const char *q, size_t len, const char *term)
{
    int wrap = has_or(q, len);
    size_t n = len + strlen(term) + 4;
    char *r = malloc(n);
    if (!r)
        return NULL;
    snprintf(r, n, "%s%.*s%s %s", wrap ? "(" : "", (int)len, q,
             wrap ? ")" : "", term);
    return r;
}

/* A link to the search page for 'w' with its query narrowed by 'term'. */
static void narrow_href(cti_markup *h, const cti_webq *w, const char *term)
{
    char *q = cti_page_narrow(w->q, w->qlen, term);
    if (!q) {
        h->nomem = 1;
        return;
    }
    cti_webq n = *w;
    n.q = q;
    n.qlen = strlen(q);
    n.offset = 0;
    cti_webq_href(h, "/", &n, 0);
    free(q);
}

/* ---------------------------------------------------------------- */
/* The timeline                                                     */
/* ---------------------------------------------------------------- */

/* What the page counts over every match, in this order. */
static const cti_facet_kind kinds[] = {
    CTI_FACET_MONTH, CTI_FACET_YEAR, CTI_FACET_DECADE,
    CTI_FACET_SOURCE, CTI_FACET_AUTHOR
};
enum { K_MONTH, K_YEAR, K_DECADE, K_SOURCE, K_AUTHOR, NKINDS };

/*
 * The timeline to show: by month when every dated match has a month and
 * they span at most 48 months, else by year when at most 60 years, else
 * by decade; NULL when nothing is dated.
 */
static const cti_facet *timeline(const cti_facets *f, const char **unit)
{
    const cti_facet *m = &f->f[K_MONTH], *y = &f->f[K_YEAR];
    if (!y->distinct)
        return NULL;
    if (m->gaps && !m->coarse && m->n <= 48) {
        *unit = "month";
        return m;
    }
    if (y->gaps && y->n <= 60) {
        *unit = "year";
        return y;
    }
    *unit = "decade";
    return &f->f[K_DECADE];
}

/* The date: term of a period label: "2024-07", "2024", "2020s". */
static void period_term(const char *label, char *term, size_t len)
{
    size_t n = strlen(label);
    if (n == 5 && label[4] == 's')
        snprintf(term, len, "date:%.4s..%.3s9", label, label);
    else
        snprintf(term, len, "date:%s", label);
}

/* A bar size 0..BAR_STEPS for 'count' of 'max' (at least 1 when count > 0). */
static unsigned step(uint32_t count, uint32_t max)
{
    if (!count || !max)
        return 0;
    unsigned s = (unsigned)(((uint64_t)count * BAR_STEPS + max - 1) / max);
    return s ? s : 1;
}

static void timeline_html(cti_markup *h, const cti_facets *fs,
                          const cti_webq *w)
{
    const char *unit = "month";
    const cti_facet *f = timeline(fs, &unit);
    char num[32], term[40];
    if (!f || !f->n)
        return;
    uint32_t max = 0;
    for (size_t i = 0; i < f->n; i++)
        max = f->v[i].count > max ? f->v[i].count : max;
    cti_markup_printf(h, "<section class=\"facet timeline\">\n<h2>By %s", unit);
    if (fs->f[K_YEAR].missing)
        cti_markup_printf(h, " <small>%s undated</small>",
                          cti_output_count(fs->f[K_YEAR].missing, num, sizeof num));
    cti_markup_raw(h, "</h2>\n<div class=\"bars\">");
    for (size_t i = 0; i < f->n; i++) {
        const cti_facet_value *v = &f->v[i];
        const char *tag = v->count && !w->any ? "a" : "span";
        cti_markup_printf(h, "<%s class=\"bar%s\" title=\"", tag,
                          v->count ? "" : " empty");
        cti_markup_str(h, v->label);
        cti_markup_printf(h, ": %s\"", cti_output_count(v->count, num, sizeof num));
        if (*tag == 'a') {
            period_term(v->label, term, sizeof term);
            cti_markup_raw(h, " href=\"");
            narrow_href(h, w, term);
            cti_markup_raw(h, "\"");
        }
        cti_markup_printf(h, "><span class=\"fill h%u\"></span></%s>",
                          step(v->count, max), tag);
    }
    cti_markup_raw(h, "</div>\n<div class=\"axis\"><span>");
    cti_markup_str(h, f->v[0].label);
    cti_markup_raw(h, "</span><span>");
    if (f->n > 1)
        cti_markup_str(h, f->v[f->n - 1].label);
    cti_markup_raw(h, "</span></div>\n</section>\n");
}

/* The top values of a field, each a link narrowing the query by it. */
static void names_html(cti_markup *h, const cti_facet *f, const char *title,
                       const char *field, const cti_webq *w)
{
    char num[32];
    if (!f->n)
        return;
    uint32_t max = f->v[0].count;
    cti_markup_printf(h, "<section class=\"facet names\">\n<h2>%s</h2>\n<ul>\n",
                      title);
    for (size_t i = 0; i < f->n; i++) {
        const cti_facet_value *v = &f->v[i];
        cti_markup_raw(h, "<li>");
        if (!w->any) {
            /* FIELD:"NAME", with any quote in the name as a space */
            size_t fl = strlen(field);
            char *term = malloc(fl + strlen(v->label) + 4);
            if (!term) {
                h->nomem = 1;
                break;
            }
            sprintf(term, "%s:\"%s\"", field, v->label);
            for (char *p = term + fl + 2; *p; p++)
                if (*p == '"' && p[1])
                    *p = ' ';
            cti_markup_raw(h, "<a class=\"row\" href=\"");
            narrow_href(h, w, term);
            cti_markup_raw(h, "\">");
            free(term);
        } else {
            cti_markup_raw(h, "<span class=\"row\">");
        }
        cti_markup_raw(h, "<span class=\"name\">");
        cti_markup_str(h, v->label);
        cti_markup_printf(h, "</span><span class=\"count\">%s</span>"
                          "<span class=\"meter\"><span class=\"fill w%u\"></span></span>",
                          cti_output_count(v->count, num, sizeof num),
                          step(v->count, max));
        cti_markup_raw(h, w->any ? "</span></li>\n" : "</a></li>\n");
    }
    cti_markup_raw(h, "</ul>\n");
    if (f->distinct > f->n)
        cti_markup_printf(h, "<p class=\"more\">and %zu more</p>\n",
                          f->distinct - f->n);
    cti_markup_raw(h, "</section>\n");
}

/* 1 when 'f' has something to show beside the hits. */
static int has_facets(const cti_facets *f)
{
    return f && (f->f[K_YEAR].distinct ||
                 (f->n > K_SOURCE && (f->f[K_SOURCE].n || f->f[K_AUTHOR].n)));
}

/* The side column: the timeline, the top sources and authors. */
static void facets_html(cti_markup *h, const cti_facets *f, const cti_webq *w)
{
    cti_markup_raw(h, "<aside class=\"facets\" aria-label=\"Matches by date, "
                   "source and author\">\n");
    timeline_html(h, f, w);
    if (f->n > K_SOURCE) {
        names_html(h, &f->f[K_SOURCE], "Top sources", "source", w);
        names_html(h, &f->f[K_AUTHOR], "Top authors", "author", w);
    } else {
        cti_markup_printf(h, "<p class=\"quiet\">Sources and authors are "
                          "counted when at most %d articles match: narrow "
                          "the query (a period above) to see them.</p>\n",
                          NAMES_MAX_MATCHES);
    }
    if (w->any)
        cti_markup_raw(h, "<p class=\"quiet\">To narrow by date, source or "
                       "author, turn off <em>Any word</em>.</p>\n");
    cti_markup_raw(h, "</aside>\n");
}

/* ---------------------------------------------------------------- */
/* Hits                                                             */
/* ---------------------------------------------------------------- */

/* Append the rendering of 's' with <mark>, or 'empty' when it is empty. */
static void marked(cti_markup *h, const cti_snippet *s, const char *empty)
{
    if (!s->len) {
        cti_markup_raw(h, empty);
        return;
    }
    char *r = cti_snippet_render(s, CTI_HL_STYLE_HTML, NULL, NULL);
    if (!r)
        h->nomem = 1;
    else
        cti_markup_raw(h, r);
    free(r);
}

static void hit_meta(cti_markup *h, const cti_record *r)
{
    const char *sep = "";
    cti_markup_raw(h, "<p class=\"meta\">");
    if (r->date_len) {
        cti_markup_raw(h, "<time>");
        cti_markup_text(h, r->date, r->date_len);
        cti_markup_raw(h, "</time>");
        sep = " · ";
    }
    if (r->source_len) {
        cti_markup_printf(h, "%s<span class=\"source\">", sep);
        cti_markup_text(h, r->source, r->source_len);
        cti_markup_raw(h, "</span>");
        sep = " · ";
    }
    if (r->author_len) {
        cti_markup_printf(h, "%s<span class=\"author\">", sep);
        cti_markup_text(h, r->author, r->author_len);
        cti_markup_raw(h, "</span>");
        sep = " · ";
    }
    cti_markup_printf(h, "%s<span class=\"id\">", sep);
    cti_markup_text(h, r->id ? r->id : "", r->id_len);
    cti_markup_raw(h, "</span></p>\n");
}

static void hit_html(cti_markup *h, const cti_hit *x, const cti_webq *w)
{
    /* The article's URL keeps the page's sort and paging for its link
       back to these results. */
    cti_webq link = *w;
    link.id = x->rec.id ? x->rec.id : "";
    link.idlen = x->rec.id_len;
    cti_markup_raw(h, "<li class=\"hit\">\n<h2><a class=\"hit-link\" href=\"");
    cti_webq_href(h, "/article", &link, 1);
    cti_markup_raw(h, "\">");
    marked(h, &x->title, "(untitled)");
    cti_markup_raw(h, "</a></h2>\n");
    hit_meta(h, &x->rec);
    if (x->similar)
        cti_markup_printf(h, "<p class=\"quiet similar\">%u similar</p>\n",
                          x->similar);
    /* A text that cannot be read: the hit shows its fields and says why,
       as cti-search does on its standard error. */
    if (x->problem[0]) {
        cti_markup_raw(h, "<p class=\"problem\" role=\"alert\">");
        cti_markup_str(h, x->problem);
        cti_markup_raw(h, "</p>\n");
    }
    cti_markup_raw(h, "<p class=\"snippet\">");
    marked(h, &x->snip, "");
    cti_markup_raw(h, "</p>\n</li>\n");
}

static cti_status hits_html(cti_markup *h, cti_search *s, const cti_results *r,
                            const cti_webq *w)
{
    size_t n = cti_mset_size(r->mset);
    cti_markup_printf(h, "<ol class=\"hits\" start=\"%u\">\n", w->offset + 1);
    for (size_t i = 0; i < n; i++) {
        cti_hit x;
        cti_status st = cti_hit_load(s, r, i, NULL, &x);
        if (st == CTI_OK)
            hit_html(h, &x, w);
        cti_hit_release(&x);
        if (st != CTI_OK)
            return st;
    }
    cti_markup_raw(h, "</ol>\n");
    return CTI_OK;
}

/* ---------------------------------------------------------------- */
/* Around the hits                                                  */
/* ---------------------------------------------------------------- */

static void sort_link(cti_markup *h, const cti_webq *w, int sort,
                      const char *label)
{
    if (w->sort == sort) {
        cti_markup_printf(h, "<a aria-current=\"true\">%s</a>", label);
        return;
    }
    cti_webq o = *w;
    o.sort = sort;
    o.offset = 0;
    cti_markup_raw(h, "<a href=\"");
    cti_webq_href(h, "/", &o, 0);
    cti_markup_printf(h, "\">%s</a>", label);
}

static void summary_html(cti_markup *h, const cti_results *r, const cti_webq *w,
                         double ms)
{
    char num[32];
    int stories = r->collapsed && r->articles != r->matches;
    cti_markup_printf(h, "<div class=\"summary\">\n<p><strong>%s%s</strong> "
                    "%s", r->exact ? "" : "about ",
                    cti_output_count(r->matches, num, sizeof num),
                    stories ? (r->matches == 1 && r->exact ? "story" : "stories")
                            : (r->matches == 1 && r->exact ? "match"
                                                           : "matches"));
    if (stories)
        cti_markup_printf(h, " (%s%s articles)", r->articles_exact ? "" : "at least ",
                          cti_output_count(r->articles, num, sizeof num));
    cti_markup_printf(h, " <span class=\"quiet\">· %.1f ms · <a href=\"", ms);
    cti_webq_href(h, "/api/search", w, 0);
    cti_markup_raw(h, "\">JSON</a></span></p>\n<nav class=\"sort\" "
                 "aria-label=\"Sort\">");
    sort_link(h, w, CTI_SORT_RELEVANCE, "Best match");
    sort_link(h, w, CTI_SORT_DATE_DESC, "Newest");
    sort_link(h, w, CTI_SORT_DATE, "Oldest");
    cti_markup_raw(h, "</nav>\n</div>\n");
}

static void pager_html(cti_markup *h, const cti_results *r, const cti_webq *w)
{
    char a[32], b[32], c[32];
    size_t n = cti_mset_size(r->mset);
    if (w->offset == 0 && n >= r->matches)
        return;
    cti_webq o = *w;
    cti_markup_raw(h, "<nav class=\"pager\" aria-label=\"Pages\">");
    if (w->offset > 0) {
        o.offset = w->offset > w->limit ? w->offset - w->limit : 0;
        cti_markup_raw(h, "<a rel=\"prev\" href=\"");
        cti_webq_href(h, "/", &o, 0);
        cti_markup_raw(h, "\">← Previous</a>");
    }
    if (n)
        cti_markup_printf(h, "<span>%s–%s of %s</span>",
                        cti_output_count(w->offset + 1, a, sizeof a),
                        cti_output_count(w->offset + (uint32_t)n, b, sizeof b),
                        cti_output_count(r->matches, c, sizeof c));
    uint64_t next = (uint64_t)w->offset + w->limit;
    if (next < r->matches && next <= CTI_WEBQ_MAX_OFFSET) {
        o.offset = (uint32_t)next;
        cti_markup_raw(h, "<a rel=\"next\" href=\"");
        cti_webq_href(h, "/", &o, 0);
        cti_markup_raw(h, "\">Next →</a>");
    }
    cti_markup_raw(h, "</nav>\n");
}

static void no_match_html(cti_markup *h, cti_search *s, const cti_webq *w,
                          unsigned flags)
{
    cti_suggestion sg;
    memset(&sg, 0, sizeof sg);
    cti_markup_raw(h, "<div class=\"none\">\n<p>No article matches <q>");
    cti_markup_text(h, w->q, w->qlen);
    cti_markup_raw(h, "</q>.</p>\n");
    if (cti_suggest(s, w->q, flags, &sg) == CTI_OK) {
        if (sg.unknown) {
            cti_markup_raw(h, "<p class=\"quiet\">No article holds ");
            cti_markup_str(h, sg.unknown);
            cti_markup_raw(h, ".</p>\n");
        }
        if (sg.text) {
            cti_webq o = *w;
            o.q = sg.text;
            o.qlen = strlen(sg.text);
            o.offset = 0;
            cti_markup_raw(h, "<p class=\"dym\">Did you mean <a href=\"");
            cti_webq_href(h, "/", &o, 0);
            cti_markup_raw(h, "\">");
            cti_markup_str(h, sg.text);
            cti_markup_raw(h, "</a>?</p>\n");
        }
    }
    cti_suggestion_release(&sg);
    cti_markup_raw(h, "</div>\n");
}

static void syntax_html(cti_markup *h, const cti_webq *w,
                        const cti_query_error *e)
{
    cti_markup_printf(h, "<div class=\"error\" role=\"alert\">\n<p>Syntax error "
                    "at column %zu: ", e->column);
    cti_markup_str(h, e->msg);
    cti_markup_raw(h, "</p>\n<pre>");
    cti_markup_text(h, w->q, w->qlen);
    cti_markup_raw(h, "\n");
    for (size_t i = 1; i < e->column && i < CTI_WEBQ_MAX_QUERY; i++)
        cti_markup_raw(h, " ");
    cti_markup_raw(h, "^</pre>\n<p class=\"quiet\">Quotes and parentheses must "
                 "be closed; AND, OR, NOT and NEAR need a word on each side. "
                 "Tick <em>Any word</em> to search the words as plain text."
                 "</p>\n</div>\n");
}

static const char *const examples[] = {
    "Lina Khan AND antitrust", "\"Silicon Valley\" NEAR/5 Harris",
    "Bloomberg -Harris", "title:Bloomberg", "crypto*", "date:2020..2024",
};

static void home_html(cti_markup *h, uint32_t doccount)
{
    char num[32];
    cti_markup_printf(h, "<section class=\"home\">\n<h1>Search %s article%s</h1>\n"
                    "<p>Words are found in every form (<em>campaigns</em> finds "
                    "<em>campaign</em>). Try:</p>\n<ul class=\"examples\">\n",
                    cti_output_count(doccount, num, sizeof num),
                    doccount == 1 ? "" : "s");
    for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
        cti_webq e;
        cti_webq_default(&e);
        e.q = examples[i];
        e.qlen = strlen(examples[i]);
        cti_markup_raw(h, "<li><a href=\"");
        cti_webq_href(h, "/", &e, 0);
        cti_markup_raw(h, "\"><code>");
        cti_markup_str(h, examples[i]);
        cti_markup_raw(h, "</code></a></li>\n");
    }
    cti_markup_raw(h, "</ul>\n<table class=\"syntax\">\n"
        "<tr><td><code>a b</code>, <code>a AND b</code></td><td>both words</td></tr>\n"
        "<tr><td><code>a OR b</code></td><td>either</td></tr>\n"
        "<tr><td><code>a NOT b</code>, <code>-b</code></td><td>without b</td></tr>\n"
        "<tr><td><code>\"a b\"</code></td><td>the phrase</td></tr>\n"
        "<tr><td><code>a NEAR/5 b</code></td><td>at most 5 words apart</td></tr>\n"
        "<tr><td><code>tax*</code></td><td>words starting with tax</td></tr>\n"
        "<tr><td><code>title:</code> <code>author:</code> <code>source:</code></td>"
        "<td>in that field</td></tr>\n"
        "<tr><td><code>date:2024-07</code>, <code>date:2019..2021</code></td>"
        "<td>a month, a range</td></tr>\n"
        "</table>\n</section>\n");
}

/* The hits of this page and the links to the others. */
static void main_html(cti_markup *h, cti_search *s, const cti_results *r,
                      const cti_webq *w)
{
    cti_markup_raw(h, "<div class=\"main\">\n");
    if (cti_mset_size(r->mset) == 0)
        cti_markup_raw(h, "<p class=\"none\">No more matches on this page.</p>\n");
    else if (hits_html(h, s, r, w) != CTI_OK)
        h->nomem = 1;
    pager_html(h, r, w);
    cti_markup_raw(h, "</div>\n");
}

/* The results part of the page; returns the HTTP status. */
static int results_html(cti_markup *h, cti_search *s, const cti_webq *w)
{
    cti_search_opts so;
    cti_results *r = NULL;
    cti_facets *f = NULL;
    cti_query_error qe;
    char err[512];
    double t0 = now_ms();

    cti_search_opts_default(&so);
    so.flags = w->any ? CTI_QUERY_ANY : 0;
    so.sort = w->sort;
    so.offset = w->offset;
    so.limit = w->limit;
    so.check_at_least = UINT32_MAX; /* exact counts */
    memset(&qe, 0, sizeof qe);
    cti_status st = cti_search_run(s, w->q, &so, &r, &qe, err, sizeof err);
    if (st == CTI_EINVAL && qe.msg[0]) {
        syntax_html(h, w, &qe);
        return 400;
    }
    if (st != CTI_OK) {
        cti_markup_raw(h, "<div class=\"error\" role=\"alert\"><p>The search failed: ");
        cti_markup_str(h, err);
        cti_markup_raw(h, "</p></div>\n");
        return 500;
    }
    /* Counts over every match (none where a spy cannot run: remote
       shards); the page goes on without them. */
    size_t nkinds = r->matches <= NAMES_MAX_MATCHES ? NKINDS : K_SOURCE;
    if (r->matches &&
        cti_facets_count(s, w->q, &so, kinds, nkinds, TOP_NAMES, &f, NULL,
                         err, sizeof err) == CTI_ENOMEM)
        h->nomem = 1;
    /* Hits beside the counts; one narrower column when there are none
       (no match, or articles without dates, sources or authors). */
    int two = has_facets(f);
    if (two)
        summary_html(h, r, w, now_ms() - t0);
    cti_markup_raw(h, two ? "<div class=\"cols\">\n" : "<div class=\"one\">\n");
    if (!two)
        summary_html(h, r, w, now_ms() - t0);
    if (r->matches == 0)
        no_match_html(h, s, w, so.flags);
    else
        main_html(h, s, r, w);
    if (two)
        facets_html(h, f, w);
    cti_markup_raw(h, "</div>\n");
    cti_facets_free(f);
    cti_results_free(r);
    return 200;
}

int cti_page_search(cti_search *s, const cti_webq *w, cti_markup *out)
{
    uint32_t doccount = 0;
    int status = 200;
    cti_db_doccount(cti_search_db(s), &doccount);
    cti_layout_open(out, w->q, w->qlen, w, 1);
    cti_markup_raw(out, "<main class=\"wrap\">\n");
    if (!w->qlen)
        home_html(out, doccount);
    else
        status = results_html(out, s, w);
    cti_markup_raw(out, "</main>\n");
    cti_layout_close(out, doccount);
    return status;
}
