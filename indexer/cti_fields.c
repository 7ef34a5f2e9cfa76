/*
 * cti_fields.c - which field of a record is the title, the date, the body...
 *
 * cti_fields_read() looks at each key of the record once: the key is
 * folded (ASCII lower case, without '_', '-' and spaces) and looked up in
 * the table of built-in names, whose order is the order of preference.
 * The user's paths are resolved first and win over the table.
 */
#include "cti_fields.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { F_ID, F_TITLE, F_BODY, F_DATE, F_AUTHOR, F_SOURCE, F_URL, F_N };

static const char *const field_names[F_N] = {
    "id", "title", "body", "date", "author", "source", "url"
};

#define KEY_MAX 40

/* Folded names, best first within each field. */
static const struct builtin {
    const char *key;
    int field;
} builtins[] = {
    { "id", F_ID }, { "guid", F_ID },
    { "title", F_TITLE }, { "headline", F_TITLE },
    { "text", F_BODY }, { "body", F_BODY }, { "content", F_BODY },
    { "article", F_BODY }, { "articlebody", F_BODY }, { "articletext", F_BODY },
    { "fulltext", F_BODY }, { "maintext", F_BODY },
    { "description", F_BODY }, { "summary", F_BODY },
    { "date", F_DATE }, { "publishedat", F_DATE }, { "published", F_DATE },
    { "pubdate", F_DATE }, { "datepublished", F_DATE },
    { "datepublish", F_DATE }, { "publishdate", F_DATE },
    { "publicationdate", F_DATE }, { "createdat", F_DATE },
    { "author", F_AUTHOR }, { "authors", F_AUTHOR }, { "byline", F_AUTHOR },
    { "creator", F_AUTHOR },
    { "source", F_SOURCE }, { "sourcename", F_SOURCE }, { "site", F_SOURCE },
    { "sitename", F_SOURCE }, { "publisher", F_SOURCE },
    { "sourcedomain", F_SOURCE },
    { "url", F_URL }, { "link", F_URL }, { "canonicalurl", F_URL },
    { "permalink", F_URL },
};

typedef struct mapping {
    int field;
    char *path;         /* owned: the parts, NUL-separated */
    char *spec;         /* owned: the path as given, dots and all */
    size_t nparts;
} mapping;

struct cti_fields {
    mapping *m;
    size_t n;
};

/* A chosen value: the JSON value and the name it was found under. */
typedef struct pick {
    json_t *v;
    size_t rank;        /* index in builtins; SIZE_MAX: none */
    const char *name;
} pick;

/* ------------------------------------------------------------- mapping */

int cti_fields_new(cti_fields **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : CTI_FIELDS_NOMEM;
}

void cti_fields_free(cti_fields *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->m[i].path);
        free(f->m[i].spec);
    }
    free(f->m);
    free(f);
}

/* The field NAME names (body's other name "text" included), or -1. */
static int field_of(const char *name, size_t n)
{
    for (int i = 0; i < F_N; i++)
        if (strlen(field_names[i]) == n && strncasecmp(name, field_names[i], n) == 0)
            return i;
    if (n == 4 && strncasecmp(name, "text", 4) == 0)
        return F_BODY;
    return -1;
}

int cti_fields_add(cti_fields *f, const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    const char *path = eq ? eq + 1 : NULL;
    int field = eq ? field_of(spec, (size_t)(eq - spec)) : -1;
    if (field < 0 || !*path || path[0] == '.' || path[strlen(path) - 1] == '.' ||
        strstr(path, "..")) {
        if (err && errlen)
            snprintf(err, errlen,
                     field < 0 && eq
                         ? "--field '%s': the name before '=' is one of id, "
                           "title, body, date, author, source, url"
                         : "--field '%s' wants NAME=PATH, e.g. "
                           "source=publisher.name",
                     spec);
        return CTI_FIELDS_BAD;
    }
    mapping *nm = realloc(f->m, (f->n + 1) * sizeof *nm);
    if (!nm)
        return CTI_FIELDS_NOMEM;
    f->m = nm;
    mapping *m = &f->m[f->n];
    if (!(m->path = strdup(path)))
        return CTI_FIELDS_NOMEM;
    if (!(m->spec = strdup(path))) {
        free(m->path);
        return CTI_FIELDS_NOMEM;
    }
    m->field = field;
    m->nparts = 1;
    for (char *p = m->path; *p; p++)
        if (*p == '.') {
            *p = '\0';
            m->nparts++;
        }
    f->n++;
    return 0;
}

/* -------------------------------------------------------------- values */

/* The member 'key' of object o: exact, else without regard to case. */
static json_t *member(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (v || !json_is_object(o))
        return v;
    const char *k;
    json_object_foreach(o, k, v)
        if (strcasecmp(k, key) == 0)
            return v;
    return NULL;
}

/* The text a list element or an object stands for: a string, or an
   object's "name"; NULL if none. */
static json_t *named(json_t *v)
{
    if (json_is_object(v))
        v = member(v, "name");
    return json_is_string(v) ? v : NULL;
}

/* 0: absent (null, boolean, nothing usable), 1: empty, 2: has text. */
static int value_state(json_t *v)
{
    if (json_is_number(v))
        return 2;
    if (json_is_string(v))
        return json_string_length(v) ? 2 : 1;
    if (json_is_object(v)) {
        json_t *n = named(v);
        return n ? (json_string_length(n) ? 2 : 1) : 0;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        int st = 0;
        json_array_foreach(v, i, e) {
            json_t *n = named(e);
            if (n && json_string_length(n))
                return 2;
            if (n)
                st = 1;
        }
        return st;
    }
    return 0;
}

/* Append n bytes to a growing string; -1 on no memory. */
static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = (*len + n + 1) * 2;
        char *b = realloc(*buf, nc);
        if (!b)
            return -1;
        *buf = b;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Remove white space from both ends of buf (len bytes, NUL-terminated). */
static void trim(char *buf, size_t *len)
{
    size_t a = 0, n = *len;
    if (!buf)
        return;
    while (a < n && is_blank(buf[a]))
        a++;
    while (n > a && is_blank(buf[n - 1]))
        n--;
    memmove(buf, buf + a, n - a);
    buf[n - a] = '\0';
    *len = n - a;
}

/*
 * The text of value v into a new string (*out; NULL when v has none):
 * strings as they are, numbers in decimal, lists joined by 'sep',
 * objects by their "name"; white space at both ends removed.  NUL bytes
 * become spaces.  -1 on no memory.
 */
static int value_text(json_t *v, const char *sep, char **out)
{
    char num[64], *buf = NULL;
    size_t len = 0, cap = 0, i;
    json_t *e;
    int rc = 0;
    *out = NULL;
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        rc = append(&buf, &len, &cap, num, strlen(num));
    } else if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        rc = append(&buf, &len, &cap, num, strlen(num));
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            json_t *n = named(e);
            if (!n || !json_string_length(n))
                continue;
            if ((len && append(&buf, &len, &cap, sep, strlen(sep))) ||
                append(&buf, &len, &cap, json_string_value(n), json_string_length(n))) {
                rc = -1;
                break;
            }
        }
    } else if ((v = named(v)) != NULL) {
        rc = append(&buf, &len, &cap, json_string_value(v), json_string_length(v));
    }
    if (rc) {
        free(buf);
        return -1;
    }
    trim(buf, &len);
    for (char *z = buf ? memchr(buf, 0, len) : NULL; z;
         z = memchr(z + 1, 0, len - (size_t)(z + 1 - buf)))
        *z = ' ';
    *out = buf;
    return 0;
}

/* ------------------------------------------------------------- records */

/* Fold a key into buf (KEY_MAX + 1 bytes); 0 if it is too long. */
static size_t fold_key(const char *k, char *buf)
{
    size_t n = 0;
    for (; *k; k++) {
        char c = *k;
        if (c == '_' || c == '-' || c == ' ')
            continue;
        if (n == KEY_MAX)
            return 0;
        buf[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    buf[n] = '\0';
    return n;
}

static size_t builtin_rank(const char *folded)
{
    for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
        if (strcmp(builtins[i].key, folded) == 0)
            return i;
    return SIZE_MAX;
}

/* The value at a mapping's path in obj, or NULL: a key spelled like the
   whole path first (a CSV column "publisher.name"), then the dotted walk. */
static json_t *resolve(const mapping *m, json_t *obj)
{
    const char *part = m->path;
    json_t *v = obj;
    if (m->nparts > 1 && (v = json_object_get(obj, m->spec)) != NULL)
        return v;
    v = obj;
    for (size_t i = 0; i < m->nparts && v; i++) {
        v = json_is_object(v) ? member(v, part) : NULL;
        part += strlen(part) + 1;
    }
    return v;
}

/* An id must be a string or a number. */
static int bad_id(json_t *v)
{
    return v && !json_is_string(v) && !json_is_number(v) && !json_is_null(v);
}

/*
 * Choose each field's value: the user's mappings first, then the first
 * built-in name with text, then (for the body) one present but empty.
 */
static int choose(const cti_fields *f, json_t *obj, pick best[F_N],
                  char *err, size_t errlen)
{
    pick empty[F_N];
    const char *k;
    json_t *v;
    char folded[KEY_MAX + 1];
    for (int i = 0; i < F_N; i++) {
        best[i] = (pick){ NULL, SIZE_MAX, NULL };
        empty[i] = best[i];
    }
    json_object_foreach(obj, k, v) {
        size_t r = fold_key(k, folded) ? builtin_rank(folded) : SIZE_MAX;
        if (r == SIZE_MAX)
            continue;
        int fi = builtins[r].field, st = value_state(v);
        if (fi == F_ID && bad_id(v)) {
            if (err && errlen)
                snprintf(err, errlen, "field \"%s\" is not a string or a number", k);
            return CTI_FIELDS_BAD;
        }
        pick *p = st == 2 ? &best[fi] : st == 1 ? &empty[fi] : NULL;
        if (p && r < p->rank)
            *p = (pick){ v, r, k };
    }
    for (size_t i = 0; f && i < f->n; i++) {
        const mapping *m = &f->m[f->n - 1 - i]; /* the first given wins */
        v = resolve(m, obj);
        if (m->field == F_ID && bad_id(v)) {
            if (err && errlen)
                snprintf(err, errlen, "field \"%s\" is not a string or a number", m->spec);
            return CTI_FIELDS_BAD;
        }
        if (v && value_state(v) == 2)
            best[m->field] = (pick){ v, 0, m->spec };
    }
    if (!best[F_BODY].v)
        best[F_BODY] = empty[F_BODY];
    if (!best[F_BODY].v) {
        if (err && errlen)
            snprintf(err, errlen, "no article text: no \"text\", \"body\", "
                                  "\"content\" or \"description\" field%s",
                     f && f->n ? " (nor a --field body path)" : "");
        return CTI_FIELDS_BAD;
    }
    return 0;
}

int cti_fields_read(const cti_fields *f, json_t *obj, cti_article *a,
                    char *err, size_t errlen)
{
    pick best[F_N];
    char **slot[F_N] = { &a->id, &a->title, &a->body, &a->date, &a->author,
                         &a->source, &a->url };
    if (err && errlen)
        err[0] = '\0';
    if (!json_is_object(obj)) {
        if (err && errlen)
            snprintf(err, errlen, "not a JSON object");
        return CTI_FIELDS_BAD;
    }
    int rc = choose(f, obj, best, err, errlen);
    if (rc)
        return rc;
    for (int i = 0; i < F_N; i++) {
        if (best[i].v &&
            value_text(best[i].v, i == F_BODY ? "\n\n" : ", ", slot[i]) < 0)
            goto nomem;
        if (*slot[i] && !**slot[i]) { /* only white space */
            free(*slot[i]);
            *slot[i] = NULL;
        }
    }
    if (!a->body && !(a->body = strdup("")))
        goto nomem;
    a->body_len = strlen(a->body);
    if (!a->id && a->url && !(a->id = strdup(a->url)))
        goto nomem;
    return 0;
nomem:
    if (err && errlen)
        snprintf(err, errlen, "out of memory");
    return CTI_FIELDS_NOMEM;
}

int cti_fields_emit(const cti_fields *f, json_t *obj, const char *scope,
                    unsigned long line, const cti_record_sink *sink)
{
    cti_article a;
    char err[400];
    int rc = 0;
    cti_article_init(&a);
    int r = cti_fields_read(f, obj, &a, err, sizeof err);
    if (r == CTI_FIELDS_BAD) {
        sink->bad(sink->ctx, line, err);
        goto done;
    }
    if (r || cti_article_finish(&a)) {
        rc = CTI_FIELDS_NOMEM;
        goto done;
    }
    if (!a.id) {
        size_t n = strlen(scope) + 1 + 16 + 1;
        if (!(a.id = malloc(n))) {
            rc = CTI_FIELDS_NOMEM;
            goto done;
        }
        snprintf(a.id, n, "%s#%016" PRIx64, scope, a.hash);
    }
    a.line = line;
    rc = sink->article(sink->ctx, &a) ? 1 : 0;
done:
    cti_article_release(&a);
    return rc;
}
