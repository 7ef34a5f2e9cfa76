/*
 * cti_hit.c - decode a hit's record and build its snippet and title.
 */
#include <stdio.h>
#include <string.h>

#include "cti_hit.h"

#include "cti_schema.h"

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
    size_t len;
    const char *data = cti_mset_data(r->mset, i, &len);
    if (!o)
        o = &defaults;
    memset(h, 0, sizeof *h);
    h->rank = cti_mset_rank(r->mset, i) + 1;
    h->score = cti_mset_weight(r->mset, i);
    h->matches = r->matches;
    h->lower = r->lower;
    h->upper = r->upper;
    size_t dlen;
    const char *dv = cti_mset_value(r->mset, i, CTI_SLOT_DATE, &dlen);
    cti_schema_iso_date(dv, dv ? dlen : 0, h->date);
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
