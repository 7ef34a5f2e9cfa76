/*
 * cti_page.c - the search page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cti_facet.h"
#include "cti_hit.h"
#include "cti_layout.h"
#include "cti_output.h"
#include "cti_page.h"

#define TOP_NAMES 10   /* sources and authors listed */
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

typedef struct bucket {
    uint32_t count;
    char label[16];   /* "2024-07", "2024", "1790s" */
    char term[32];    /* "date:2024-07", "date:2024", "date:1790..1799" */
} bucket;

/*
 * The timeline's buckets over 'f': months when every date has a month
 * and they span less than 4 years, else years (under 60), else decades,
 * else centuries; empty buckets included.  *n is their number; NULL on no
 * memory or when nothing is dated.
 */
static bucket *timeline(const cti_facets *f, size_t *n, const char **unit)
{
    *n = 0;
    if (!f->nmonths)
        return NULL;
    uint32_t first = f->months[0].key, last = f->months[f->nmonths - 1].key;
    int monthly = 1;
    for (size_t i = 0; i < f->nmonths; i++)
        monthly &= f->months[i].key % 100 != 0;
    uint32_t m0 = first / 100 * 12 + first % 100 - 1;
    uint32_t m1 = last / 100 * 12 + last % 100 - 1;
    unsigned years = 1;
    if (!monthly || m1 - m0 >= 48) {
        monthly = 0;
        while (last / 100 / years - first / 100 / years >= 60)
            years *= 10;
    }
    size_t nb = monthly ? m1 - m0 + 1 : last / 100 / years - first / 100 / years + 1;
    bucket *b = calloc(nb, sizeof *b);
    if (!b)
        return NULL;
    for (size_t i = 0; i < nb; i++) {
        if (monthly) {
            uint32_t m = m0 + (uint32_t)i;
            snprintf(b[i].label, sizeof b[i].label, "%04u-%02u", m / 12, m % 12 + 1);
            snprintf(b[i].term, sizeof b[i].term, "date:%s", b[i].label);
        } else {
            uint32_t y = (first / 100 / years + (uint32_t)i) * years;
            snprintf(b[i].label, sizeof b[i].label, years == 1 ? "%04u" : "%04us", y);
            if (years == 1)
                snprintf(b[i].term, sizeof b[i].term, "date:%04u", y);
            else
                snprintf(b[i].term, sizeof b[i].term, "date:%04u..%04u", y,
                         y + years - 1);
        }
    }
    for (size_t i = 0; i < f->nmonths; i++) {
        uint32_t k = f->months[i].key;
        size_t at = monthly ? k / 100 * 12 + k % 100 - 1 - m0
                            : k / 100 / years - first / 100 / years;
        b[at].count += f->months[i].count;
    }
    *unit = monthly ? "month" : years == 1 ? "year" : years == 10 ? "decade" : "century";
    *n = nb;
    return b;
}

/* A bar size 0..BAR_STEPS for 'count' of 'max' (at least 1 when count > 0). */
static unsigned step(uint32_t count, uint32_t max)
{
    if (!count || !max)
        return 0;
    unsigned s = (unsigned)(((uint64_t)count * BAR_STEPS + max - 1) / max);
    return s ? s : 1;
}

static void timeline_html(cti_markup *h, const cti_facets *f, const cti_webq *w)
{
    size_t nb;
    const char *unit = "month";
    char num[32];
    bucket *b = timeline(f, &nb, &unit);
    if (!b)
        return;
    uint32_t max = 0;
    for (size_t i = 0; i < nb; i++)
        max = b[i].count > max ? b[i].count : max;
    cti_markup_printf(h, "<section class=\"facet timeline\">\n<h2>By %s", unit);
    if (f->undated)
        cti_markup_printf(h, " <small>%s undated</small>",
                        cti_output_count(f->undated, num, sizeof num));
    cti_markup_raw(h, "</h2>\n<div class=\"bars\">");
    for (size_t i = 0; i < nb; i++) {
        const char *tag = b[i].count && !w->any ? "a" : "span";
        cti_markup_printf(h, "<%s class=\"bar%s\" title=\"%s: %s\"", tag,
                        b[i].count ? "" : " empty", b[i].label,
                        cti_output_count(b[i].count, num, sizeof num));
        if (*tag == 'a') {
            cti_markup_raw(h, " href=\"");
            narrow_href(h, w, b[i].term);
            cti_markup_raw(h, "\"");
        }
        cti_markup_printf(h, "><span class=\"fill h%u\"></span></%s>",
                        step(b[i].count, max), tag);
    }
    cti_markup_printf(h, "</div>\n<div class=\"axis\"><span>%s</span>"
                    "<span>%s</span></div>\n</section>\n",
                    b[0].label, nb > 1 ? b[nb - 1].label : "");
    free(b);
}

/* The top values of a field, each a link narrowing the query by it. */
static void names_html(cti_markup *h, const cti_facet_names *f,
                       const char *title, const char *field,
                       const cti_webq *w)
{
    char num[32];
    if (!f->n)
        return;
    uint32_t max = f->v[0].count;
    cti_markup_printf(h, "<section class=\"facet names\">\n<h2>%s</h2>\n<ul>\n",
                    title);
    for (size_t i = 0; i < f->n; i++) {
        const cti_facet_name *v = &f->v[i];
        cti_markup_raw(h, "<li>");
        if (!w->any) {
            /* FIELD:"NAME", with any quote in the name as a space */
            size_t fl = strlen(field);
            char *term = malloc(fl + strlen(v->name) + 4);
            if (!term) {
                h->nomem = 1;
                break;
            }
            sprintf(term, "%s:\"%s\"", field, v->name);
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
        cti_markup_str(h, v->name);
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
    return f && (f->nmonths || f->sources.n || f->authors.n);
}

/* The side column: the timeline, the top sources and authors. */
static void facets_html(cti_markup *h, const cti_facets *f, const cti_webq *w)
{
    cti_markup_raw(h, "<aside class=\"facets\" aria-label=\"Matches by date, "
                 "source and author\">\n");
    timeline_html(h, f, w);
    names_html(h, &f->sources, "Top sources", "source", w);
    names_html(h, &f->authors, "Top authors", "author", w);
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
    cti_markup_printf(h, "<div class=\"summary\">\n<p><strong>%s%s</strong> "
                    "match%s <span class=\"quiet\">· %.1f ms · <a href=\"",
                    r->exact ? "" : "about ",
                    cti_output_count(r->matches, num, sizeof num),
                    r->matches == 1 && r->exact ? "" : "es", ms);
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
    char *fix = NULL;
    cti_markup_raw(h, "<div class=\"none\">\n<p>No article matches <q>");
    cti_markup_text(h, w->q, w->qlen);
    cti_markup_raw(h, "</q>.</p>\n");
    if (cti_search_suggest(s, w->q, flags, &fix) == CTI_OK && fix) {
        cti_webq o = *w;
        o.q = fix;
        o.qlen = strlen(fix);
        o.offset = 0;
        cti_markup_raw(h, "<p class=\"dym\">Did you mean <a href=\"");
        cti_webq_href(h, "/", &o, 0);
        cti_markup_raw(h, "\">");
        cti_markup_str(h, fix);
        cti_markup_raw(h, "</a>?</p>\n");
    }
    free(fix);
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
static int results_html(cti_markup *h, cti_search *s, const cti_webq *w,
                        cti_facet_cache *cache)
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
    /* One run gives the page and the counts over every match; where a
       spy cannot run (remote shards), the page alone. */
    cti_status st = cti_facets_count(s, w->q, &so, TOP_NAMES, cache, &f, &r,
                                     &qe, err, sizeof err);
    if (st == CTI_ENOMEM) {
        h->nomem = 1;
        return 500;
    }
    if (st != CTI_OK && !(st == CTI_EINVAL && qe.msg[0]))
        st = cti_search_run(s, w->q, &so, &r, &qe, err, sizeof err);
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

int cti_page_search(cti_search *s, const cti_webq *w, cti_facet_cache *cache,
                    cti_markup *out)
{
    uint32_t doccount = 0;
    int status = 200;
    cti_db_doccount(cti_search_db(s), &doccount);
    cti_layout_open(out, w->q, w->qlen, w, 1);
    cti_markup_raw(out, "<main class=\"wrap\">\n");
    if (!w->qlen)
        home_html(out, doccount);
    else
        status = results_html(out, s, w, cache);
    cti_markup_raw(out, "</main>\n");
    cti_layout_close(out, doccount);
    return status;
}
