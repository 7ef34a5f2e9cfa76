/*
 * cti_output.c - human and JSON printers of search results.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti_output.h"
#include "cti_escape.h"
#include "cti_store.h"

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define PATHC "\033[35m"
#define RESET "\033[0m"

struct cti_printer {
    FILE *f;
    cti_output_opts o;
    char *cwd;
    size_t cwdlen;
};

cti_status cti_printer_new(FILE *f, const cti_output_opts *o,
                           cti_printer **out)
{
    cti_printer *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return CTI_ENOMEM;
    p->f = f;
    p->o = *o;
    p->cwd = getcwd(NULL, 0); /* NULL: ids shown as stored */
    p->cwdlen = p->cwd ? strlen(p->cwd) : 0;
    *out = p;
    return CTI_OK;
}

void cti_printer_free(cti_printer *p)
{
    if (!p)
        return;
    free(p->cwd);
    free(p);
}

const char *cti_output_count(uint32_t n, char *buf, size_t len)
{
    char tmp[16];
    int k = snprintf(tmp, sizeof tmp, "%u", n), j = 0;
    for (int i = 0; i < k && (size_t)j + 2 < len; i++) {
        if (i && (k - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = tmp[i];
    }
    buf[j] = '\0';
    return buf;
}

/* The id as shown: relative to the current directory when below it. */
static const char *shown_id(const cti_printer *p, const char *id)
{
    if (p->cwd && p->cwdlen > 1 && !strncmp(id, p->cwd, p->cwdlen) &&
        id[p->cwdlen] == '/' && id[p->cwdlen + 1])
        return id + p->cwdlen + 1;
    return id;
}

/* A JSON string from n bytes, invalid UTF-8 bytes replaced by U+FFFD. */
static json_t *jstr(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *c = malloc(n * 3 + 1), *q = c;
    if (!c)
        return NULL;
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)s[i];
        size_t l = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3
                 : (b >> 3) == 30 ? 4 : 0;
        json_t *t = l && i + l <= n && b ? json_stringn(s + i, l) : NULL;
        if (t) {
            memcpy(q, s + i, l);
            q += l;
            i += l;
            json_decref(t);
        } else {
            memcpy(q, "\xEF\xBF\xBD", 3);
            q += 3;
            i++;
        }
    }
    j = json_stringn(c, (size_t)(q - c));
    free(c);
    return j;
}

typedef struct hit {
    cti_record rec;
    cti_snippet snip;
    cti_snippet title;
    int have_rec, have_snip, have_title;
    uint32_t rank;
    double score;
} hit;

static void hit_release(hit *h)
{
    if (h->have_rec)
        cti_record_release(&h->rec);
    if (h->have_snip)
        cti_snippet_release(&h->snip);
    if (h->have_title)
        cti_snippet_release(&h->title);
}

/* Decode hit i and build its snippet and title highlights. */
static cti_status hit_load(cti_search *s, const cti_results *r, size_t i,
                           const cti_output_opts *o, hit *h)
{
    size_t len;
    const char *data = cti_mset_data(r->mset, i, &len);
    memset(h, 0, sizeof *h);
    h->rank = cti_mset_rank(r->mset, i) + 1;
    h->score = cti_mset_weight(r->mset, i);
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
        if (cti_snippet_build(a, r->spec, body, h->rec.body_len, &o->snippet,
                              &h->snip) != 0)
            return CTI_ENOMEM;
        h->have_snip = 1;
    }
    const char *title = h->rec.title ? h->rec.title : "";
    if (cti_snippet_title(a, r->spec, title, h->rec.title ? h->rec.title_len : 0,
                          &h->title) != 0)
        return CTI_ENOMEM;
    h->have_title = 1;
    return CTI_OK;
}

static int json_hit(cti_printer *p, const hit *h)
{
    json_t *o = json_object(), *hl = json_array();
    int rc = -1;
    if (!o || !hl)
        goto done;
    const cti_record *rec = &h->rec;
    json_object_set_new(o, "rank", json_integer(h->rank));
    json_object_set_new(o, "id", rec->id ? jstr(rec->id, rec->id_len) : json_string(""));
    json_object_set_new(o, "title", jstr(h->title.text, h->title.len));
    json_object_set_new(o, "score", json_real(h->score));
    if (rec->date && rec->date_len)
        json_object_set_new(o, "date", jstr(rec->date, rec->date_len));
    if (rec->author && rec->author_len)
        json_object_set_new(o, "author", jstr(rec->author, rec->author_len));
    if (rec->source && rec->source_len)
        json_object_set_new(o, "source", jstr(rec->source, rec->source_len));
    if (rec->url && rec->url_len)
        json_object_set_new(o, "url", jstr(rec->url, rec->url_len));
    json_object_set_new(o, "snippet", jstr(h->snip.text, h->snip.len));
    for (size_t i = 0; i < h->snip.nspans; i++) {
        json_t *pair = json_pack("[II]", (json_int_t)h->snip.spans[i].start,
                                 (json_int_t)h->snip.spans[i].end);
        if (!pair || json_array_append_new(hl, pair))
            goto done;
    }
    json_object_set(o, "highlights", hl);
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!line)
        goto done;
    rc = fprintf(p->f, "%s\n", line) < 0 ? -2 : 0;
    free(line);
done:
    json_decref(hl);
    json_decref(o);
    return rc;
}

static int human_hit(cti_printer *p, const hit *h)
{
    const cti_output_opts *o = &p->o;
    int c = o->color;
    const cti_record *rec = &h->rec;
    char *title = NULL, *snip = NULL;
    int rc = -1;

    /* In colour the whole title is bold; otherwise its matches are marked. */
    title = cti_snippet_render(&h->title, c ? CTI_HL_STYLE_NONE : o->style,
                               o->open, o->close);
    snip = cti_snippet_render(&h->snip, o->style, o->open, o->close);
    if (!title || !snip)
        goto done;
    FILE *f = p->f;
    fprintf(f, "%s%u. %s%s\n", c ? BOLD : "", h->rank,
            title[0] ? title : "(untitled)", c ? RESET : "");
    fprintf(f, "   %s", c ? PATHC : "");
    cti_escape_fputs(f, rec->id ? shown_id(p, rec->id) : "?");
    fputs(c ? RESET : "", f);
    if (rec->date && rec->date_len) {
        fprintf(f, "  %s", c ? DIM : "");
        cti_escape_fputs(f, rec->date);
        fputs(c ? RESET : "", f);
    }
    fprintf(f, "  %sscore %.2f%s\n", c ? DIM : "", h->score, c ? RESET : "");
    if (snip[0])
        fprintf(f, "   %s\n", snip);
    rc = fprintf(f, "\n") < 0 ? -2 : 0;
done:
    free(title);
    free(snip);
    return rc;
}

cti_status cti_printer_hits(cti_printer *p, cti_search *s,
                            const cti_results *r)
{
    size_t n = cti_mset_size(r->mset);
    for (size_t i = 0; i < n; i++) {
        hit h;
        cti_status st = hit_load(s, r, i, &p->o, &h);
        int rc = -1;
        if (st == CTI_OK)
            rc = p->o.format == CTI_OUT_JSON ? json_hit(p, &h) : human_hit(p, &h);
        hit_release(&h);
        if (rc == -2 || ferror(p->f))
            return CTI_EIO;
        if (rc != 0)
            return CTI_ENOMEM;
    }
    return fflush(p->f) == 0 ? CTI_OK : CTI_EIO;
}

cti_status cti_printer_footer(cti_printer *p, const cti_results *r, double ms)
{
    char num[32];
    if (p->o.format == CTI_OUT_JSON)
        return CTI_OK;
    int c = p->o.color;
    size_t n = cti_mset_size(r->mset);
    uint32_t first = n ? cti_mset_rank(r->mset, 0) + 1 : 0;
    fprintf(p->f, "%s%s%s match%s", c ? DIM : "", r->exact ? "" : "about ",
            cti_output_count(r->matches, num, sizeof num),
            r->matches == 1 && r->exact ? "" : "es");
    if (n && (first > 1 || n < r->matches))
        fprintf(p->f, ", showing %u-%u", first, first + (uint32_t)n - 1);
    fprintf(p->f, ", %.1f ms%s\n", ms, c ? RESET : "");
    return fflush(p->f) == 0 && !ferror(p->f) ? CTI_OK : CTI_EIO;
}
