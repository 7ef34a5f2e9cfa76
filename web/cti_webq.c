/*
 * cti_webq.c - request parameters in, URLs out.
 */
#include <stdio.h>
#include <string.h>

#include "cti_search.h"
#include "cti_webq.h"

void cti_webq_default(cti_webq *w)
{
    memset(w, 0, sizeof *w);
    w->q = "";
    w->sort = CTI_SORT_RELEVANCE;
    w->limit = CTI_WEBQ_LIMIT;
}

/* A decimal number in [lo, hi] of at most 9 digits; 0 or -1. */
static int parse_num(const char *v, size_t len, uint32_t lo, uint32_t hi,
                     uint32_t *out)
{
    uint32_t n = 0;
    if (len == 0 || len > 9)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        n = n * 10 + (uint32_t)(v[i] - '0');
    }
    if (n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

static int is(const char *v, size_t len, const char *word)
{
    return len == strlen(word) && !memcmp(v, word, len);
}

static cti_status parse_query(const char *v, size_t len, cti_webq *w,
                              char *err, size_t errlen)
{
    if (len > CTI_WEBQ_MAX_QUERY) {
        snprintf(err, errlen, "the query is %zu bytes long; at most %d are "
                 "allowed", len, CTI_WEBQ_MAX_QUERY);
        return CTI_EINVAL;
    }
    if (!cti_markup_valid_utf8(v, len)) {
        snprintf(err, errlen, "parameter 'q' is not valid UTF-8 text");
        return CTI_EINVAL;
    }
    size_t blank = strspn(v, " \t\r\n");
    w->q = blank >= len ? "" : v;
    w->qlen = blank >= len ? 0 : len;
    return CTI_OK;
}

static cti_status parse_choices(cti_webq_get_fn get, void *ctx, cti_webq *w,
                                char *err, size_t errlen)
{
    size_t len;
    const char *v = get(ctx, "any", &len);
    if (v) {
        if (is(v, len, "1") || is(v, len, "on"))
            w->any = 1;
        else if (!is(v, len, "0") && len)
            goto bad_any;
    }
    v = get(ctx, "sort", &len);
    if (v && len) {
        if (is(v, len, "relevance"))
            w->sort = CTI_SORT_RELEVANCE;
        else if (is(v, len, "date") || is(v, len, "+date"))
            w->sort = CTI_SORT_DATE;
        else if (is(v, len, "-date"))
            w->sort = CTI_SORT_DATE_DESC;
        else {
            snprintf(err, errlen, "parameter 'sort' must be relevance, date "
                     "or -date");
            return CTI_EINVAL;
        }
    }
    return CTI_OK;
bad_any:
    snprintf(err, errlen, "parameter 'any' must be 0 or 1");
    return CTI_EINVAL;
}

static cti_status parse_paging(cti_webq_get_fn get, void *ctx, cti_webq *w,
                               char *err, size_t errlen)
{
    size_t len;
    const char *v = get(ctx, "offset", &len);
    if (v && len && parse_num(v, len, 0, CTI_WEBQ_MAX_OFFSET, &w->offset)) {
        snprintf(err, errlen, "parameter 'offset' must be a number from 0 "
                 "to %d", CTI_WEBQ_MAX_OFFSET);
        return CTI_EINVAL;
    }
    v = get(ctx, "n", &len);
    if (v && len && parse_num(v, len, 1, CTI_WEBQ_MAX_LIMIT, &w->limit)) {
        snprintf(err, errlen, "parameter 'n' must be a number from 1 to %d",
                 CTI_WEBQ_MAX_LIMIT);
        return CTI_EINVAL;
    }
    return CTI_OK;
}

cti_status cti_webq_parse(cti_webq_get_fn get, void *ctx, cti_webq *out,
                          char *err, size_t errlen)
{
    size_t len;
    const char *v;
    cti_status st;

    cti_webq_default(out);
    if (errlen)
        err[0] = '\0';
    v = get(ctx, "q", &len);
    if (v && (st = parse_query(v, len, out, err, errlen)) != CTI_OK)
        return st;
    v = get(ctx, "id", &len);
    if (v) {
        if (len == 0 || len > CTI_WEBQ_MAX_ID || memchr(v, '\0', len)) {
            snprintf(err, errlen, "parameter 'id' must be an article id of 1 "
                     "to %d bytes", CTI_WEBQ_MAX_ID);
            return CTI_EINVAL;
        }
        out->id = v;
        out->idlen = len;
    }
    if ((st = parse_choices(get, ctx, out, err, errlen)) != CTI_OK)
        return st;
    return parse_paging(get, ctx, out, err, errlen);
}

void cti_webq_href(cti_markup *h, const char *path, const cti_webq *w,
                   int with_id)
{
    const char *sep = "?";
    cti_markup_raw(h, path);
    if (with_id && w->id) {
        cti_markup_raw(h, "?id=");
        cti_markup_url(h, w->id, w->idlen);
        sep = "&amp;";
    }
    if (w->qlen) {
        cti_markup_printf(h, "%sq=", sep);
        cti_markup_url(h, w->q, w->qlen);
        sep = "&amp;";
    }
    if (w->any) {
        cti_markup_printf(h, "%sany=1", sep);
        sep = "&amp;";
    }
    if (w->sort != CTI_SORT_RELEVANCE) {
        cti_markup_printf(h, "%ssort=%s", sep,
                        w->sort == CTI_SORT_DATE ? "date" : "-date");
        sep = "&amp;";
    }
    if (w->offset) {
        cti_markup_printf(h, "%soffset=%u", sep, w->offset);
        sep = "&amp;";
    }
    if (w->limit != CTI_WEBQ_LIMIT)
        cti_markup_printf(h, "%sn=%u", sep, w->limit);
}
