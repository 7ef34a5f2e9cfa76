/*
 * cti_output_json.c - the JSON printer: one object per hit per line.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
    json_object_set_new(o, "score", json_real(h->score));
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

