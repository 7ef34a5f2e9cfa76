/*
 * cti_view.c - load one article and show it whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_layout.h"
#include "cti_output.h"
#include "cti_schema.h"
#include "cti_view.h"

/* The document of article 'id' (exactly that id). */
static cti_status find_article(cti_db *db, const char *id, size_t idlen,
                               uint32_t *docid, char *err, size_t errlen)
{
    char term[CTI_IDTERM_MAX + 1];
    size_t tl = cti_schema_idterm(id, idlen, term);
    cti_status st = cti_db_find(db, term, tl, docid);
    if (st == CTI_ENOTFOUND)
        snprintf(err, errlen, "no article with this id in the index");
    else if (st != CTI_OK)
        snprintf(err, errlen, "%s", cti_db_errmsg(db));
    return st;
}

/* The highlight spec of 'q', searched as cti-search --show searches it. */
static cti_status query_spec(cti_search *s, const char *q, unsigned flags,
                             cti_view *v, char *err, size_t errlen)
{
    cti_search_opts so;
    cti_search_opts_default(&so);
    so.flags = flags;
    so.offset = so.limit = 0;
    so.prf_docs = 0; /* highlight the words asked for */
    memset(&v->qerr, 0, sizeof v->qerr);
    cti_status st = cti_search_run(s, q, &so, &v->query, &v->qerr, err, errlen);
    if (st == CTI_EINVAL && v->qerr.msg[0]) {
        v->query_error = 1;
        return CTI_OK;
    }
    return st;
}

cti_status cti_view_load(cti_search *s, const char *id, size_t idlen,
                         const char *q, unsigned flags, cti_view *out,
                         char *err, size_t errlen)
{
    cti_db *db = cti_search_db(s);
    uint32_t docid;
    char *dv = NULL;
    size_t dl = 0;

    memset(out, 0, sizeof *out);
    cti_status st = find_article(db, id, idlen, &docid, err, errlen);
    if (st == CTI_OK && q && *q)
        st = query_spec(s, q, flags, out, err, errlen);
    if (st == CTI_OK && cti_db_get_value(db, docid, CTI_SLOT_DATE, &dv, &dl) == CTI_OK)
        cti_schema_iso_date(dv, dl, out->date);
    free(dv);
    if (st == CTI_OK && (st = cti_db_get_data(db, docid, &out->data, &out->len)) != CTI_OK)
        snprintf(err, errlen, "%s", st == CTI_ENOTFOUND
                 ? "no article with this id in the index" : cti_db_errmsg(db));
    if (st == CTI_OK && (st = cti_db_get_value(db, docid, CTI_SLOT_TEXT,
                                               &out->text, &out->textlen)) != CTI_OK)
        snprintf(err, errlen, "%s", cti_db_errmsg(db));
    if (st != CTI_OK)
        return st;
    const cti_hl_spec *spec = out->query ? out->query->spec : NULL;
    cti_record_text text = { out->text, out->textlen,
                             cti_search_text_reader(s) };
    st = cti_fulltext_open(cti_search_analyzer(s), spec, out->data, out->len,
                           &text, &out->ft, err, errlen);
    if (st != CTI_OK)
        return st;
    const cti_record *rec = cti_fulltext_record(out->ft);
    /* An id whose term is shared with a longer id (ids past the term
       length end in a hash) must still be this one. */
    if (rec->id_len != idlen || memcmp(rec->id, id, idlen)) {
        snprintf(err, errlen, "no article with this id in the index");
        return CTI_ENOTFOUND;
    }
    st = cti_snippet_title(cti_search_analyzer(s), spec,
                           rec->title ? rec->title : "", rec->title_len,
                           &out->title);
    if (st == CTI_ENOMEM)
        snprintf(err, errlen, "out of memory");
    return st;
}

void cti_view_release(cti_view *v)
{
    cti_snippet_release(&v->title);
    cti_fulltext_free(v->ft);
    cti_results_free(v->query);
    free(v->data);
    free(v->text);
    memset(v, 0, sizeof *v);
}

/* ---------------------------------------------------------------- */
/* The page                                                         */
/* ---------------------------------------------------------------- */

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

/* One field of the meta line, after 'sep' when it is not the first. */
static void field_html(cti_markup *h, const char **sep, const char *cls,
                       const char *v, size_t len)
{
    if (!len)
        return;
    cti_markup_printf(h, "%s<span class=\"%s\">", *sep, cls);
    cti_markup_text(h, v, len);
    cti_markup_raw(h, "</span>");
    *sep = " · ";
}

static void meta_html(cti_markup *h, const cti_record *r, const char *date)
{
    const char *sep = "";
    int any = *date || r->date_len || r->author_len || r->source_len ||
              r->url_len;
    if (any)
        cti_markup_raw(h, "<p class=\"meta\">");
    if (*date || r->date_len) {
        /* The date as written, with its ISO form for machines. */
        cti_markup_printf(h, "<time datetime=\"%s\">", date);
        if (r->date_len)
            cti_markup_text(h, r->date, r->date_len);
        else
            cti_markup_raw(h, date);
        cti_markup_raw(h, "</time>");
        sep = " · ";
    }
    field_html(h, &sep, "author", r->author, r->author_len);
    field_html(h, &sep, "source", r->source, r->source_len);
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

/* Bytes [a, b) of 'p' with the parts of its spans inside, as HTML;
   *span is the first span that may reach past 'a'. */
static void segment_html(cti_markup *h, const cti_snippet *p, size_t a,
                         size_t b, size_t *span)
{
    while (a < b) {
        cti_span sp[64];
        size_t n = 0, end = b;
        while (*span < p->nspans && p->spans[*span].end <= a)
            (*span)++;
        for (size_t i = *span; i < p->nspans && p->spans[i].start < b; i++) {
            if (n == sizeof sp / sizeof *sp) {
                end = sp[n - 1].end + a; /* the rest in the next round */
                break;
            }
            size_t s0 = p->spans[i].start > a ? p->spans[i].start : a;
            size_t e0 = p->spans[i].end < b ? p->spans[i].end : b;
            sp[n++] = (cti_span){ s0 - a, e0 - a };
        }
        cti_snippet seg = { p->text + a, end - a, sp, n };
        char *r = cti_snippet_render(&seg, CTI_HL_STYLE_HTML, NULL, NULL);
        if (!r) {
            h->nomem = 1;
            return;
        }
        cti_markup_raw(h, r);
        free(r);
        a = end;
    }
}

/*
 * A piece of the text as HTML, a paragraph break for each separator:
 * blank lines when the text has them ('blank'), else every line end.
 * Paragraphs go on across pieces.
 */
static void piece_html(cti_markup *h, const cti_snippet *p, int blank)
{
    size_t at = 0, span = 0;
    while (at < p->len) {
        const char *nl = memchr(p->text + at, '\n', p->len - at);
        size_t end = nl ? (size_t)(nl - p->text) : p->len;
        size_t next = end;
        if (nl) {
            next = end + 1;
            while (next < p->len && p->text[next] == '\n')
                next++;
        }
        segment_html(h, p, at, end, &span);
        if (nl && (!blank || next > end + 1))
            cti_markup_raw(h, "</p>\n<p>");
        else if (nl)
            cti_markup_raw(h, "<br>\n");
        at = next;
    }
}

/* Part 'part' of the body (CTI_FULLTEXT_*), read piece by piece; returns
   the bytes of text shown. */
static size_t body_html(cti_markup *h, cti_view *v, int part, size_t *matches,
                        int *truncated)
{
    cti_snippet piece;
    size_t shown = 0;
    int blank = -1;
    cti_status st = CTI_OK;
    *matches = 0;
    *truncated = 0;
    cti_markup_raw(h, "<div class=\"body\">\n<p>");
    cti_fulltext_part(v->ft, part);
    if (cti_fulltext_rewind(v->ft) != CTI_OK)
        st = CTI_ECORRUPT;
    else
        while ((st = cti_fulltext_next(v->ft, &piece)) == CTI_OK) {
            if (blank < 0)
                blank = memmem(piece.text, piece.len, "\n\n", 2) != NULL;
            piece_html(h, &piece, blank);
            *matches += piece.nspans;
            shown += piece.len;
            if (shown >= CTI_VIEW_MAX_TEXT) {
                *truncated = 1;
                break;
            }
        }
    cti_markup_raw(h, "</p>\n</div>\n");
    if (st == CTI_ENOMEM)
        h->nomem = 1;
    else if (st == CTI_ECORRUPT) {
        cti_markup_raw(h, "<p class=\"notice\">The rest of the text cannot "
                       "be read: ");
        cti_markup_str(h, cti_fulltext_error(v->ft));
        cti_markup_raw(h, "</p>\n");
    }
    return shown;
}

/* What was set aside as page boilerplate, after the article, marked as
   such (folded away until opened). */
static void aside_html(cti_markup *h, cti_view *v, const cti_record *rec)
{
    size_t matches;
    int truncated;
    unsigned seen = 0;
    if (!rec->naside)
        return;
    cti_markup_raw(h, "<details class=\"set-aside\">\n<summary>Set aside as "
                   "page boilerplate: ");
    for (size_t i = 0; i < rec->naside; i++) {
        unsigned k = rec->aside[i].kind;
        if (k < 32 && (seen >> k & 1))
            continue;
        seen |= k < 32 ? 1u << k : 0;
        if (i)
            cti_markup_raw(h, ", ");
        cti_markup_raw(h, cti_record_kind_name(k));
    }
    cti_markup_raw(h, "</summary>\n");
    body_html(h, v, CTI_FULLTEXT_ASIDE, &matches, &truncated);
    cti_markup_raw(h, "</details>\n");
}

static void back_html(cti_markup *h, const cti_webq *w)
{
    cti_markup_raw(h, "<nav class=\"back\">");
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
    cti_markup_raw(h, "</nav>\n");
}

void cti_view_html(cti_markup *h, cti_view *v, const cti_webq *w,
                   uint32_t doccount)
{
    const cti_snippet *t = &v->title;
    const cti_record *rec = cti_fulltext_record(v->ft);
    char num[32];
    size_t matches;
    int truncated;
    cti_layout_open(h, t->len ? t->text : "(untitled)", t->len ? t->len : 10,
                    w, 0);
    cti_markup_raw(h, "<main class=\"wrap reader\">\n");
    back_html(h, w);
    cti_markup_raw(h, "<article>\n<h1>");
    char *title = t->len ? cti_snippet_render(t, CTI_HL_STYLE_HTML, NULL, NULL)
                         : strdup("(untitled)");
    if (!title)
        h->nomem = 1;
    else
        cti_markup_raw(h, title);
    free(title);
    cti_markup_raw(h, "</h1>\n");
    meta_html(h, rec, v->date);
    /* The count goes above the text it counts: the text is built aside. */
    cti_markup text;
    cti_markup_init(&text);
    body_html(&text, v, CTI_FULLTEXT_ARTICLE, &matches, &truncated);
    aside_html(&text, v, rec);
    if (v->query_error) {
        cti_markup_printf(h, "<p class=\"notice\">Nothing is highlighted: the "
                          "query has a syntax error at column %zu: ",
                          v->qerr.column);
        cti_markup_str(h, v->qerr.msg);
        cti_markup_raw(h, "</p>\n");
    } else if (w->qlen) {
        cti_markup_printf(h, "<p class=\"notice\" id=\"hits\">%s match%s "
                          "highlighted%s</p>\n",
                          cti_output_count((uint32_t)matches, num, sizeof num),
                          matches == 1 ? "" : "es",
                          matches ? " · <kbd>n</kbd> next" : "");
    }
    if (cti_markup_status(&text) != CTI_OK)
        h->nomem = 1;
    else if (text.len)
        cti_markup_rawn(h, text.buf, text.len);
    cti_markup_release(&text);
    if (truncated)
        cti_markup_printf(h, "<p class=\"notice\">The article goes on: the "
                          "page shows its first %u MB.</p>\n",
                          CTI_VIEW_MAX_TEXT >> 20);
    cti_markup_raw(h, "</article>\n</main>\n");
    cti_layout_close(h, doccount);
}
