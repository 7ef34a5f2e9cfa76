/*
 * cti_view.c - load one article and show it whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_indexer.h"
#include "cti_layout.h"
#include "cti_output.h"
#include "cti_view.h"

/* The spec's groups that apply to body text (not title:, author: ...). */
static cti_status body_spec(const cti_hl_spec *spec, cti_hl_spec **out)
{
    cti_hl_spec *b = cti_hl_spec_new();
    *out = NULL;
    if (!b)
        return CTI_ENOMEM;
    for (size_t i = 0; spec && i < spec->ngroups; i++) {
        const cti_hl_group *g = &spec->groups[i];
        if (g->field != CTI_HL_ANY)
            continue;
        if (cti_hl_spec_add(b, g->kind, g->field, g->window, g->weight,
                            g->items, g->nitems) != 0) {
            cti_hl_spec_free(b);
            return CTI_ENOMEM;
        }
    }
    *out = b;
    return CTI_OK;
}

/* Where the paragraph starting at 'p' ends, and where the next starts. */
static size_t paragraph_end(const char *p, size_t len, int blank_lines,
                            size_t *next)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '\n')
            continue;
        if (!blank_lines) {
            *next = i + 1;
            return i;
        }
        size_t j = i + 1;
        while (j < len && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r'))
            j++;
        if (j < len && p[j] == '\n') {
            *next = j + 1;
            return i;
        }
    }
    *next = len;
    return len;
}

static int has_blank_line(const char *p, size_t len)
{
    size_t next;
    return paragraph_end(p, len, 1, &next) < len;
}

/* Append paragraph 'p' (cleaned, with spans) to 'out', after "\n\n". */
static int append_paragraph(cti_snippet *out, size_t *cap, size_t *spancap,
                            const cti_snippet *p)
{
    size_t sep = out->len ? 2 : 0;
    if (out->len + sep + p->len + 1 > *cap) {
        size_t ncap = (*cap ? *cap : 4096);
        while (ncap < out->len + sep + p->len + 1)
            ncap *= 2;
        char *t = realloc(out->text, ncap);
        if (!t)
            return -1;
        out->text = t;
        *cap = ncap;
    }
    if (out->nspans + p->nspans > *spancap) {
        size_t ncap = *spancap ? *spancap : 64;
        while (ncap < out->nspans + p->nspans)
            ncap *= 2;
        cti_span *s = realloc(out->spans, ncap * sizeof *s);
        if (!s)
            return -1;
        out->spans = s;
        *spancap = ncap;
    }
    memcpy(out->text + out->len, "\n\n", sep);
    out->len += sep;
    for (size_t i = 0; i < p->nspans; i++)
        out->spans[out->nspans++] = (cti_span){ p->spans[i].start + out->len,
                                                p->spans[i].end + out->len };
    memcpy(out->text + out->len, p->text, p->len);
    out->len += p->len;
    out->text[out->len] = '\0';
    return 0;
}

/* The body, paragraph by paragraph, cleaned and highlighted. */
static cti_status build_text(cti_analyzer *a, const cti_hl_spec *spec,
                             const char *body, size_t len, cti_snippet *out)
{
    size_t cap = 0, spancap = 0, at = 0;
    int blank = has_blank_line(body, len);
    while (at < len) {
        size_t next, end = paragraph_end(body + at, len - at, blank, &next);
        cti_snippet p;
        if (cti_snippet_title(a, spec, body + at, end, &p) != 0)
            return CTI_ENOMEM;
        /* A paragraph of spaces cleans to one space, or nothing. */
        int rc = p.len > 1 || (p.len == 1 && p.text[0] != ' ')
                     ? append_paragraph(out, &cap, &spancap, &p) : 0;
        cti_snippet_release(&p);
        if (rc)
            return CTI_ENOMEM;
        at += next;
    }
    if (!out->text && !(out->text = strdup("")))
        return CTI_ENOMEM;
    return CTI_OK;
}

/* The stored record of article 'id', checked to be that article. */
static cti_status find_record(cti_db *db, const char *id, size_t idlen,
                              cti_record *rec, char *err, size_t errlen)
{
    char term[CTI_IDTERM_MAX + 1], msg[128];
    uint32_t docid;
    char *data = NULL;
    size_t dlen;
    size_t tl = cti_indexer_idterm(id, idlen, term);
    cti_status st = cti_db_find(db, term, tl, &docid);
    if (st == CTI_OK)
        st = cti_db_get_data(db, docid, &data, &dlen);
    if (st == CTI_ENOTFOUND) {
        snprintf(err, errlen, "no article with this id in the index");
        return st;
    }
    if (st != CTI_OK) {
        snprintf(err, errlen, "%s", cti_db_errmsg(db));
        return st;
    }
    if (cti_record_decode(data, dlen, 1, rec, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "the article's stored record is damaged: %s", msg);
        st = CTI_ECORRUPT;
    } else if (rec->id_len != idlen || memcmp(rec->id, id, idlen)) {
        snprintf(err, errlen, "no article with this id in the index");
        st = CTI_ENOTFOUND; /* another id with the same long-id term */
    }
    free(data);
    return st;
}

cti_status cti_view_load(cti_search *s, const char *id, size_t idlen,
                         const char *q, unsigned flags, cti_view *out,
                         char *err, size_t errlen)
{
    cti_query *query = NULL;
    cti_hl_spec *spec = NULL, *bspec = NULL;
    cti_analyzer *a = cti_search_analyzer(s);
    cti_status st;

    memset(out, 0, sizeof *out);
    st = find_record(cti_search_db(s), id, idlen, &out->rec, err, errlen);
    if (st != CTI_OK)
        return st;
    if (q && *q) {
        st = cti_query_parse(q, a, flags, &query, &out->qerr);
        if (st == CTI_EINVAL)
            out->query_error = 1;
        else if (st == CTI_OK)
            st = cti_query_highlights(query, NULL, 0, &spec);
        if (st != CTI_OK && st != CTI_EINVAL)
            goto done;
    }
    st = body_spec(spec, &bspec);
    if (st != CTI_OK)
        goto done;
    size_t blen = out->rec.body_len;
    if (blen > CTI_VIEW_MAX_BODY) {
        blen = CTI_VIEW_MAX_BODY;
        while (blen && ((unsigned char)out->rec.body[blen] & 0xC0) == 0x80)
            blen--; /* not inside a character */
        out->truncated = 1;
    }
    st = CTI_ENOMEM;
    if (cti_snippet_title(a, spec ? spec : bspec, out->rec.title,
                          out->rec.title_len, &out->title) != 0)
        goto done;
    st = build_text(a, bspec, out->rec.body ? out->rec.body : "", blen,
                    &out->text);
done:
    if (st == CTI_ENOMEM)
        snprintf(err, errlen, "out of memory");
    cti_hl_spec_free(bspec);
    cti_hl_spec_free(spec);
    cti_query_free(query);
    return st;
}

void cti_view_release(cti_view *v)
{
    cti_record_release(&v->rec);
    cti_snippet_release(&v->title);
    cti_snippet_release(&v->text);
}

/* A link to the original when the url is http(s); otherwise plain text. */
static void url_html(cti_markup *h, const cti_record *r)
{
    int web = (r->url_len > 7 && !strncmp(r->url, "http://", 7)) ||
              (r->url_len > 8 && !strncmp(r->url, "https://", 8));
    if (!web) {
        cti_markup_text(h, r->url, r->url_len);
        return;
    }
    cti_markup_raw(h, "<a href=\"");
    cti_markup_text(h, r->url, r->url_len);
    cti_markup_raw(h, "\" rel=\"noopener noreferrer nofollow\">");
    cti_markup_text(h, r->url, r->url_len);
    cti_markup_raw(h, "</a>");
}

static void meta_html(cti_markup *h, const cti_record *r)
{
    const char *sep = "";
    int any = r->date_len || r->author_len || r->source_len || r->url_len;
    if (any)
        cti_markup_raw(h, "<p class=\"meta\">");
    if (r->date_len) {
        cti_markup_raw(h, "<time>");
        cti_markup_text(h, r->date, r->date_len);
        cti_markup_raw(h, "</time>");
        sep = " · ";
    }
    if (r->author_len) {
        cti_markup_printf(h, "%s<span class=\"author\">", sep);
        cti_markup_text(h, r->author, r->author_len);
        cti_markup_raw(h, "</span>");
        sep = " · ";
    }
    if (r->source_len) {
        cti_markup_printf(h, "%s<span class=\"source\">", sep);
        cti_markup_text(h, r->source, r->source_len);
        cti_markup_raw(h, "</span>");
        sep = " · ";
    }
    if (r->url_len) {
        cti_markup_printf(h, "%s<span class=\"url\">", sep);
        url_html(h, r);
        cti_markup_raw(h, "</span>");
    }
    if (any)
        cti_markup_raw(h, "</p>\n");
    cti_markup_raw(h, "<p class=\"id\">");
    cti_markup_text(h, r->id, r->id_len);
    cti_markup_raw(h, "</p>\n");
}

/* The text, one <p> per paragraph, matches in <mark>. */
static void body_html(cti_markup *h, const cti_snippet *text)
{
    char *r = cti_snippet_render(text, CTI_HL_STYLE_HTML, NULL, NULL);
    if (!r) {
        h->nomem = 1;
        return;
    }
    cti_markup_raw(h, "<div class=\"body\">\n<p>");
    const char *p = r;
    for (const char *nl; (nl = strstr(p, "\n\n")); p = nl + 2) {
        cti_markup_rawn(h, p, (size_t)(nl - p));
        cti_markup_raw(h, "</p>\n<p>");
    }
    cti_markup_raw(h, p);
    cti_markup_raw(h, "</p>\n</div>\n");
    free(r);
}

void cti_view_html(cti_markup *h, const cti_view *v, const cti_webq *w,
                   uint32_t doccount)
{
    const cti_snippet *t = &v->title;
    char num[32];
    cti_layout_open(h, t->len ? t->text : "(untitled)",
                    t->len ? t->len : 10, w, 0);
    cti_markup_raw(h, "<main class=\"wrap reader\">\n<nav class=\"back\">");
    if (w->qlen) {
        cti_webq back = *w;
        back.id = NULL;
        cti_markup_raw(h, "<a href=\"");
        cti_webq_href(h, "/", &back, 0);
        cti_markup_raw(h, "\">← Results for <q>");
        cti_markup_text(h, w->q, w->qlen);
        cti_markup_raw(h, "</q></a>");
    } else {
        cti_markup_raw(h, "<a href=\"/\">← New search</a>");
    }
    cti_markup_raw(h, "</nav>\n<article>\n<h1>");
    if (t->len) {
        char *r = cti_snippet_render(t, CTI_HL_STYLE_HTML, NULL, NULL);
        if (!r)
            h->nomem = 1;
        else
            cti_markup_raw(h, r);
        free(r);
    } else {
        cti_markup_raw(h, "(untitled)");
    }
    cti_markup_raw(h, "</h1>\n");
    meta_html(h, &v->rec);
    if (v->query_error) {
        cti_markup_printf(h, "<p class=\"notice\">Nothing is highlighted: the "
                        "query has a syntax error at column %zu: ",
                        v->qerr.column);
        cti_markup_str(h, v->qerr.msg);
        cti_markup_raw(h, "</p>\n");
    } else if (w->qlen) {
        cti_markup_printf(h, "<p class=\"notice\" id=\"hits\">%s match%s "
                        "highlighted%s</p>\n",
                        cti_output_count((uint32_t)v->text.nspans, num, sizeof num),
                        v->text.nspans == 1 ? "" : "es",
                        v->text.nspans ? " · <kbd>n</kbd> next" : "");
    }
    body_html(h, &v->text);
    if (v->truncated)
        cti_markup_printf(h, "<p class=\"notice\">The article is %s bytes long; "
                        "the first %u MB are shown.</p>\n",
                        cti_output_count((uint32_t)(v->rec.body_len > UINT32_MAX ?
                            UINT32_MAX : v->rec.body_len), num, sizeof num),
                        CTI_VIEW_MAX_BODY >> 20);
    cti_markup_raw(h, "</article>\n</main>\n");
    cti_layout_close(h, doccount);
}
