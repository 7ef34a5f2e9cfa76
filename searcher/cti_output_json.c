/*
 * cti_output_json.c - the JSON printer: one object per hit per line.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cti_output_json.h"

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

cti_status cti_output_json_hit(FILE *f, const cti_hit *h)
{
    json_t *o = json_object(), *hl = json_array();
    cti_status st = CTI_ENOMEM;
    if (!o || !hl)
        goto done;
    const cti_record *rec = &h->rec;
    json_object_set_new(o, "rank", json_integer(h->rank));
    json_object_set_new(o, "id", rec->id ? jstr(rec->id, rec->id_len) : json_string(""));
    json_object_set_new(o, "title", jstr(h->title.text, h->title.len));
    if (h->similarity >= 0)
        json_object_set_new(o, "similarity", json_real(h->similarity));
    else
        json_object_set_new(o, "score", json_real(h->score));
    if (h->collapsed)
        json_object_set_new(o, "similar", json_integer(h->similar));
    json_object_set_new(o, "matches", json_integer(h->matches));
    json_object_set_new(o, "exact", json_boolean(h->lower == h->upper));
    if (h->lower != h->upper) {
        json_object_set_new(o, "matches_min", json_integer(h->lower));
        json_object_set_new(o, "matches_max", json_integer(h->upper));
    }
    if (h->date[0])
        json_object_set_new(o, "date", json_string(h->date));
    if (rec->date && rec->date_len)
        json_object_set_new(o, "date_text", jstr(rec->date, rec->date_len));
    if (rec->author && rec->author_len)
        json_object_set_new(o, "author", jstr(rec->author, rec->author_len));
    if (rec->source && rec->source_len)
        json_object_set_new(o, "source", jstr(rec->source, rec->source_len));
    if (rec->url && rec->url_len)
        json_object_set_new(o, "url", jstr(rec->url, rec->url_len));
    if (h->problem[0]) /* why the text could not be read: no snippet */
        json_object_set_new(o, "problem", jstr(h->problem, strlen(h->problem)));
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
    st = fprintf(f, "%s\n", line) < 0 ? CTI_EIO : CTI_OK;
    free(line);
done:
    json_decref(hl);
    json_decref(o);
    return st;
}


/* Write the JSON object 'o' and a newline, then free it (NULL: no memory). */
static cti_status put_object(FILE *f, json_t *o)
{
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    cti_status st = line ? (fprintf(f, "%s\n", line) < 0 ? CTI_EIO : CTI_OK)
                         : CTI_ENOMEM;
    free(line);
    json_decref(o);
    return st;
}

/* Set o[key] to the new value v; 1 if it could not be (no memory). */
static int set(json_t *o, const char *key, json_t *v)
{
    return !v || json_object_set_new(o, key, v) != 0;
}

cti_status cti_output_json_count(FILE *f, uint32_t n)
{
    json_t *o = json_object();
    if (o && set(o, "matches", json_integer(n))) {
        json_decref(o);
        o = NULL;
    }
    return put_object(f, o);
}

cti_status cti_output_json_id(FILE *f, uint32_t rank, const char *id,
                              size_t len)
{
    json_t *o = json_object();
    if (o && (set(o, "rank", json_integer(rank)) ||
              set(o, "id", jstr(id, len)))) {
        json_decref(o);
        o = NULL;
    }
    return put_object(f, o);
}

/* One facet as an object. */
static json_t *facet_object(const cti_facet *fc)
{
    json_t *o = json_object(), *vals = json_array();
    int bad = !o || !vals;
    for (size_t i = 0; !bad && i < fc->n; i++) {
        json_t *v = json_object();
        bad = !v || set(v, "value", jstr(fc->v[i].label, strlen(fc->v[i].label))) ||
              set(v, "count", json_integer(fc->v[i].count)) ||
              json_array_append_new(vals, v);
    }
    if (!bad) {
        bad = set(o, "values", vals);
        vals = NULL;
    }
    if (!bad)
        bad = set(o, "distinct", json_integer((json_int_t)fc->distinct)) ||
              set(o, "missing", json_integer(fc->missing));
    if (!bad && cti_facet_is_date(fc->kind))
        bad = set(o, "coarse", json_integer(fc->coarse));
    json_decref(vals);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

cti_status cti_output_json_facets(FILE *f, const cti_facets *fs,
                                  const char *query)
{
    json_t *o = json_object(), *all = json_object();
    int bad = !o || !all ||
              set(o, "query", jstr(query ? query : "", query ? strlen(query) : 0)) ||
              set(o, "matches", json_integer(fs->matches));
    for (size_t i = 0; !bad && i < fs->n; i++)
        bad = set(all, cti_facet_name(fs->f[i].kind), facet_object(&fs->f[i]));
    if (!bad) {
        bad = set(o, "facets", all);
        all = NULL;
    }
    json_decref(all);
    if (bad) {
        json_decref(o);
        o = NULL;
    }
    return put_object(f, o);
}

/* Write the 'n' bytes at 's' (valid UTF-8) as the inside of a JSON string. */
static void put_json_text(FILE *f, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        fwrite(s + run, 1, i - run, f);
        run = i + 1;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else
            fprintf(f, "\\u%04x", c);
    }
    fwrite(s + run, 1, n - run, f);
}

/* The fields of an article, as an object (keys as a hit's). */
static json_t *article_fields(const cti_record *rec, const char *date)
{
    json_t *o = json_object();
    int bad = !o || set(o, "id", rec->id ? jstr(rec->id, rec->id_len)
                                          : json_string("")) ||
              set(o, "title", rec->title ? jstr(rec->title, rec->title_len)
                                         : json_string(""));
    if (!bad && date && date[0])
        bad = set(o, "date", json_string(date));
    if (!bad && rec->date_len)
        bad = set(o, "date_text", jstr(rec->date, rec->date_len));
    if (!bad && rec->author_len)
        bad = set(o, "author", jstr(rec->author, rec->author_len));
    if (!bad && rec->source_len)
        bad = set(o, "source", jstr(rec->source, rec->source_len));
    if (!bad && rec->url_len)
        bad = set(o, "url", jstr(rec->url, rec->url_len));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Write the pieces of part 'part' of 'ft' from its start: the text, or
   the highlights. */
static cti_status article_pass(FILE *f, cti_fulltext *ft, int part, int spans)
{
    cti_snippet piece;
    cti_status st = cti_fulltext_rewind(ft);
    cti_fulltext_part(ft, part);
    size_t at = 0, nspans = 0;
    while (st == CTI_OK && (st = cti_fulltext_next(ft, &piece)) == CTI_OK) {
        if (!spans)
            put_json_text(f, piece.text, piece.len);
        for (size_t i = 0; spans && i < piece.nspans; i++)
            fprintf(f, "%s[%zu,%zu]", nspans++ ? "," : "",
                    at + piece.spans[i].start, at + piece.spans[i].end);
        at += piece.len;
        if (ferror(f))
            st = CTI_EIO;
    }
    return st == CTI_DONE ? CTI_OK : st;
}

cti_status cti_output_json_article(FILE *f, const char *date, cti_fulltext *ft)
{
    json_t *o = article_fields(cti_fulltext_record(ft), date);
    char *head = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    cti_status st = CTI_ENOMEM;
    json_decref(o);
    if (!head)
        return st;
    /* The fields, then "text" and "highlights" written as they are read. */
    size_t hl = strlen(head);
    fwrite(head, 1, hl - 1, f);
    free(head);
    fputs(",\"text\":\"", f);
    st = article_pass(f, ft, CTI_FULLTEXT_ARTICLE, 0);
    if (st == CTI_OK) {
        fputs("\",\"highlights\":[", f);
        st = article_pass(f, ft, CTI_FULLTEXT_ARTICLE, 1);
        fputs("]", f);
    }
    /* What was set aside as page boilerplate: its text, then each range's
       kind with its offsets into the stored page. */
    const cti_record *rec = cti_fulltext_record(ft);
    if (st == CTI_OK && rec->naside) {
        fputs(",\"set_aside\":\"", f);
        st = article_pass(f, ft, CTI_FULLTEXT_ASIDE, 0);
        fputs("\",\"set_aside_ranges\":[", f);
        for (size_t i = 0; st == CTI_OK && i < rec->naside; i++)
            fprintf(f, "%s{\"kind\":\"%s\",\"start\":%zu,\"end\":%zu}",
                    i ? "," : "", cti_record_kind_name(rec->aside[i].kind),
                    rec->aside[i].start, rec->aside[i].end);
        fputs("]", f);
    }
    if (st == CTI_OK)
        st = fputs("}\n", f) < 0 ? CTI_EIO : CTI_OK;
    return st;
}

/* The most frequent names of a facet as an array of {value, count}. */
static json_t *top_names(const cti_facets *names, size_t i)
{
    json_t *a = json_array();
    const cti_facet *fc = names && i < names->n ? &names->f[i] : NULL;
    for (size_t k = 0; a && fc && k < fc->n; k++) {
        json_t *v = json_object();
        if (!v || set(v, "value", jstr(fc->v[k].label, strlen(fc->v[k].label))) ||
            set(v, "count", json_integer(fc->v[k].count)) ||
            json_array_append_new(a, v)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The sizes by part, with the total first. */
static json_t *sizes(const cti_stats *st)
{
    json_t *o = json_object();
    if (!o || set(o, "total", json_integer((json_int_t)st->total))) {
        json_decref(o);
        return NULL;
    }
    for (int k = 0; k < CTI_NPARTS; k++)
        if (set(o, cti_stats_part_key(k), json_integer((json_int_t)st->bytes[k]))) {
            json_decref(o);
            return NULL;
        }
    return o;
}

cti_status cti_output_json_stats(FILE *f, const cti_stats *st,
                                 const char *path)
{
    json_t *o = json_object();
    char when[64] = "";
    if (st->updated) {
        struct tm tm;
        gmtime_r(&st->updated, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    int bad = !o || set(o, "index", jstr(path, strlen(path))) ||
              set(o, "articles", json_integer(st->articles)) ||
              (st->stories && set(o, "stories", json_integer(st->stories))) ||
              set(o, "dated", json_integer(st->dated)) ||
              set(o, "undated", json_integer(st->undated)) ||
              set(o, "first_date", st->dated ? json_string(st->first) : json_null()) ||
              set(o, "last_date", st->dated ? json_string(st->last) : json_null()) ||
              set(o, "language", jstr(st->language, strlen(st->language))) ||
              set(o, "positions", json_string(st->pos_article ? "article" : "table")) ||
              set(o, "sources", top_names(st->names, 0)) ||
              set(o, "authors", top_names(st->names, 1)) ||
              set(o, "size", sizes(st)) ||
              set(o, "databases", json_integer(st->databases)) ||
              set(o, "segments_waiting", json_integer(st->segments)) ||
              set(o, "shards", json_integer(st->shards)) ||
              set(o, "remote", json_integer(st->remote)) ||
              set(o, "updated", when[0] ? json_string(when) : json_null());
    if (bad) {
        json_decref(o);
        o = NULL;
    }
    return put_object(f, o);
}
