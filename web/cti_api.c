/*
 * cti_api.c - JSON answers, through the printer cti-search uses.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_api.h"
#include "cti_output.h"
#include "cti_view.h"

void cti_api_opts(const cti_webq *w, cti_search_opts *o)
{
    cti_search_opts_default(o);
    if (w->any)
        o->flags |= CTI_QUERY_ANY;
    o->sort = w->sort;
    o->offset = w->offset;
    o->limit = w->limit;
}

/* Append the JSON object 'j' and a newline; steals the reference. */
static void put_json(cti_markup *out, json_t *j)
{
    char *line = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (!line) {
        out->nomem = 1;
    } else {
        cti_markup_raw(out, line);
        cti_markup_raw(out, "\n");
    }
    free(line);
    json_decref(j);
}

void cti_api_error(cti_markup *out, const char *msg)
{
    json_t *j = json_object();
    if (j)
        json_object_set_new(j, "error", json_string(msg));
    put_json(out, j);
}

static void syntax_error(cti_markup *out, const cti_query_error *e)
{
    char msg[256];
    snprintf(msg, sizeof msg, "syntax error at column %zu: %s", e->column,
             e->msg);
    json_t *j = json_object();
    if (j) {
        json_object_set_new(j, "error", json_string(msg));
        json_object_set_new(j, "column", json_integer((json_int_t)e->column));
    }
    put_json(out, j);
}

int cti_api_search(cti_search *s, const cti_webq *w, cti_markup *out)
{
    cti_search_opts so;
    cti_output_opts oo = { 0 };
    cti_results *r = NULL;
    cti_printer *pr = NULL;
    cti_query_error qe;
    char err[512], *buf = NULL;
    size_t len = 0;
    FILE *f = NULL;
    int status = 500;

    if (!w->qlen) {
        cti_api_error(out, "no query: give one as q=...");
        return 400;
    }
    cti_api_opts(w, &so);
    oo.format = CTI_OUT_JSON;
    memset(&qe, 0, sizeof qe);
    cti_status st = cti_search_run(s, w->q, &so, &r, &qe, err, sizeof err);
    if (st == CTI_EINVAL && qe.msg[0]) {
        syntax_error(out, &qe);
        return 400;
    }
    if (st != CTI_OK) {
        cti_api_error(out, err);
        return 500;
    }
    /* The printing loop of cti-search (searcher/main.c), into memory. */
    f = open_memstream(&buf, &len);
    st = f ? cti_printer_new(f, &oo, &pr) : CTI_ENOMEM;
    for (size_t i = 0; st == CTI_OK && i < cti_mset_size(r->mset); i++) {
        cti_hit h;
        st = cti_hit_load(s, r, i, NULL, &h);
        if (st == CTI_OK)
            st = cti_printer_hit(pr, &h);
        cti_hit_release(&h);
    }
    if (st == CTI_OK)
        st = cti_printer_footer(pr, r, 0);
    if (st != CTI_OK || fflush(f) != 0) {
        cti_api_error(out, "out of memory");
        goto done;
    }
    cti_markup_rawn(out, buf, len);
    status = 200;
done:
    cti_printer_free(pr);
    if (f)
        fclose(f);
    free(buf);
    cti_results_free(r);
    return status;
}

int cti_api_article(cti_search *s, const cti_webq *w, cti_markup *out)
{
    cti_view v;
    cti_output_opts oo = { 0 };
    cti_printer *pr = NULL;
    char err[512], *buf = NULL;
    size_t len = 0;
    FILE *f = NULL;
    if (!w->id) {
        cti_api_error(out, "no article: give its id as id=...");
        return 400;
    }
    cti_status st = cti_view_load(s, w->id, w->idlen, w->q,
                                  w->any ? CTI_QUERY_ANY : 0, &v, err,
                                  sizeof err);
    int status = st == CTI_OK ? 200 : st == CTI_ENOTFOUND ? 404 : 500;
    if (st == CTI_OK && v.query_error) {
        syntax_error(out, &v.qerr);
        status = 400;
    } else if (st != CTI_OK) {
        cti_api_error(out, err);
    } else {
        /* What cti-search --show --json prints, into memory. */
        oo.format = CTI_OUT_JSON;
        f = open_memstream(&buf, &len);
        st = f ? cti_printer_new(f, &oo, &pr) : CTI_ENOMEM;
        if (st == CTI_OK)
            st = cti_printer_article(pr, &v.title, v.date, v.ft);
        if (st == CTI_OK)
            st = cti_printer_end(pr);
        if (st == CTI_OK && fflush(f) == 0) {
            cti_markup_rawn(out, buf, len);
        } else {
            cti_api_error(out, st == CTI_ECORRUPT ? cti_fulltext_error(v.ft)
                                                  : "out of memory");
            status = 500;
        }
    }
    cti_printer_free(pr);
    if (f)
        fclose(f);
    free(buf);
    cti_view_release(&v);
    return status;
}
