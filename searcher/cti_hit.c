/*
 * cti_hit.c - decode a hit's record and build its snippet and title.
 */
#include <string.h>

#include "cti_hit.h"

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
    static const cti_hit_opts defaults = { { 0, 0 }, 0 };
    cti_status st;
    size_t len, k = r->order ? r->order[i] : i;
    const char *data = cti_mset_data(r->mset, k, &len);
    if (!o)
        o = &defaults;
    memset(h, 0, sizeof *h);
    h->rank = r->order ? (uint32_t)i + 1 : cti_mset_rank(r->mset, k) + 1;
    h->score = cti_mset_weight(r->mset, k);
    h->collapsed = r->collapsed;
    h->similar = r->collapsed ? cti_mset_collapse_count(r->mset, k) : 0;
    h->similarity = r->similarity ? r->similarity[k] : -1;
    if (cti_record_decode(data, len, !o->no_snippet, &h->rec, NULL, 0) == 0) {
        h->have_rec = 1;
    } else {
        memset(&h->rec, 0, sizeof h->rec);
    }
    cti_analyzer *a = cti_search_analyzer(s);
    if (o->no_snippet) {
        h->snip.text = (char *)"";
    } else {
        const char *body = h->rec.body ? h->rec.body : "";
        st = cti_snippet_build(a, r->spec, body, h->rec.body_len,
                               &o->snippet, &h->snip);
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
