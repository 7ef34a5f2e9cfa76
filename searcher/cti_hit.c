/*
 * cti_hit.c - decode a hit's record and build its snippet and title.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cti_hit.h"

#include "cti_schema.h"

/*
 * The body the snippet is cut from: without its set-aside ranges (each
 * byte a space, so offsets stay and no word of them is matched or shown)
 * unless the query searched the whole page.  *copy receives memory to
 * free, or NULL.  NULL on no memory.
 */
static const char *snippet_body(const cti_results *r, const cti_record *rec,
                                char **copy)
{
    const char *body = rec->body ? rec->body : "";
    *copy = NULL;
    /* Without its body (not readable), the ranges have nothing to cover. */
    if (!rec->body || !rec->naside || cti_query_uses_page(r->query))
        return body;
    if (!(*copy = malloc(rec->body_len + 1)))
        return NULL;
    memcpy(*copy, body, rec->body_len + 1);
    for (size_t i = 0; i < rec->naside; i++)
        memset(*copy + rec->aside[i].start, ' ',
               rec->aside[i].end - rec->aside[i].start);
    return *copy;
}

void cti_hit_release(cti_hit *h)
{
    if (h->have_rec)
        cti_record_release(&h->rec);
    if (h->have_snip)
        cti_snippet_release(&h->snip);
    if (h->have_title)
        cti_snippet_release(&h->title);
    memset(h, 0, sizeof *h);
}

cti_status cti_hit_load(cti_search *s, const cti_results *r, size_t i,
                        const cti_hit_opts *o, cti_hit *h)
{
    static const cti_hit_opts defaults = { { 0, 0 }, 0, NULL };
    cti_status st;
    size_t len, k = r->order ? r->order[i] : i;
    const char *data = cti_mset_data(r->mset, k, &len);
    if (!o)
        o = &defaults;
    memset(h, 0, sizeof *h);
    h->rank = r->order ? (uint32_t)i + 1 : cti_mset_rank(r->mset, k) + 1;
    h->score = cti_mset_weight(r->mset, k);
    h->collapsed = r->one_per_story;
    h->similar = !r->collapsed ? 0
                 : r->similar ? r->similar[k] : cti_mset_collapse_count(r->mset, k);
    h->similarity = r->similarity ? r->similarity[k] : -1;
    h->matches = r->matches;
    h->lower = r->lower;
    h->upper = r->upper;
    size_t dlen;
    const char *dv = cti_mset_value(r->mset, k, CTI_SLOT_DATE, &dlen);
    cti_schema_iso_date(dv, dv ? dlen : 0, h->date);
    cti_record_text text = { NULL, 0, cti_search_text_reader(s) };
    text.frame = cti_mset_value(r->mset, k, CTI_SLOT_TEXT, &text.len);
    st = cti_record_decode(data, len, &text, !o->no_snippet, &h->rec,
                           h->problem, sizeof h->problem);
    /* A text that cannot be read leaves the fields to show. */
    if (st == CTI_ECORRUPT && !o->no_snippet &&
        cti_record_decode(data, len, NULL, 0, &h->rec, NULL, 0) == CTI_OK)
        st = CTI_OK;
    if (st == CTI_ENOMEM)
        return st;
    h->have_rec = st == CTI_OK;
    cti_analyzer *a = o->analyzer ? o->analyzer : cti_search_analyzer(s);
    if (o->no_snippet) {
        h->snip.text = (char *)"";
    } else {
        char *copy;
        const char *body = snippet_body(r, &h->rec, &copy);
        if (!body)
            return CTI_ENOMEM;
        st = cti_snippet_build(a, r->spec, body, h->rec.body_len,
                               &o->snippet, &h->snip);
        free(copy);
        if (st != CTI_OK)
            return st;
        h->have_snip = 1;
    }
    const char *title = h->rec.title ? h->rec.title : "";
    st = cti_snippet_title(a, r->spec, title,
                           h->rec.title ? h->rec.title_len : 0, &h->title);
    h->have_title = st == CTI_OK;
    return st;
}
