/*
 * cti_json.c - JSON files: one article, a list, or a wrapped list.
 *
 * The file is walked by hand at the top: '[' starts a list whose elements
 * are loaded one at a time with jansson (JSON_DISABLE_EOF_CHECK tells how
 * many bytes each took), '{' starts an object whose members are loaded
 * one at a time, except that a wrapper key holding a list of objects is
 * walked like a top-level list.  An object with no such key is one
 * article.  Line numbers are counted as the walk goes forward.
 */
#include "cti_json.h"
#include "cti_jansson.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct jreader {
    const char *data, *end;
    const char *lpos;           /* lines are counted up to here */
    unsigned long line;         /* the line lpos is on */
    const cti_fields *f;
    const char *scope;
    const cti_record_sink *outer;
    cti_record_sink sink;       /* counts, then calls outer */
    size_t count;
    int stop;                   /* the sink asked to stop, or a fatal error */
    int nomem;
} jreader;

static const char *const wrappers[] = {
    "articles", "data", "results", "items", "posts", "stories", "entries",
    "documents",
};

/* The line (from 1) that p is on. */
static unsigned long line_of(jreader *r, const char *p)
{
    if (p < r->lpos) {
        r->lpos = r->data;
        r->line = 1;
    }
    for (const char *q = r->lpos; q < p;) {
        const char *nl = memchr(q, '\n', (size_t)(p - q));
        if (!nl)
            break;
        r->line++;
        q = nl + 1;
    }
    r->lpos = p;
    return r->line;
}

static void bad(jreader *r, const char *at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->outer->bad(r->outer->ctx, at ? line_of(r, at) : 0, msg);
}

static int count_article(void *ctx, cti_article *a)
{
    jreader *r = ctx;
    r->count++;
    return r->outer->article(r->outer->ctx, a);
}

static void pass_bad(void *ctx, unsigned long line, const char *msg)
{
    jreader *r = ctx;
    r->outer->bad(r->outer->ctx, line, msg);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    default: return "null";
    }
}

/* Load the value at *pp and move past it; NULL (reported, reading
   stopped) when it is not valid JSON. */
static json_t *load(jreader *r, const char **pp)
{
    json_error_t e;
    const char *p = *pp;
    json_t *v = cti_jansson_load(p, (size_t)(r->end - p),
                                 JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL,
                                 &e);
    if (!v && cti_jansson_nomem(&e)) {
        r->nomem = 1;
        return NULL;
    }
    if (!v) {
        const char *at = p + (e.position > 0 ? e.position : 0);
        if (at > r->end)
            at = r->end;
        const char *bol = at;
        while (bol > r->data && bol[-1] != '\n')
            bol--;
        bad(r, at, "column %zu: invalid JSON: %s", (size_t)(at - bol) + 1, e.text);
        r->stop = 1;
        return NULL;
    }
    *pp = p + e.position;
    return v;
}

/* One element of a list of articles, which started at 'start'. */
static void record(jreader *r, json_t *v, const char *start, size_t idx)
{
    if (!json_is_object(v)) {
        bad(r, start, "element %zu is not a JSON object but %s", idx,
            type_name(v));
        return;
    }
    int rc = cti_fields_emit(r->f, v, r->scope, line_of(r, start), &r->sink);
    if (rc == CTI_FIELDS_NOMEM)
        r->nomem = 1;
    else if (rc)
        r->stop = 1;
}

/* A list of articles at *pp ('['), element by element. */
static void read_list(jreader *r, const char **pp)
{
    const char *p = skip_ws(*pp + 1, r->end);
    size_t idx = 0;
    if (p < r->end && *p == ']') {
        *pp = p + 1;
        return;
    }
    while (!r->stop && !r->nomem) {
        p = skip_ws(p, r->end);
        const char *start = p;
        json_t *v = load(r, &p);
        if (!v)
            break;
        record(r, v, start, ++idx);
        json_decref(v);
        p = skip_ws(p, r->end);
        if (p < r->end && *p == ',') {
            p++;
        } else if (p < r->end && *p == ']') {
            p++;
            break;
        } else if (!r->stop && !r->nomem) {
            bad(r, p, "expected ',' or ']' after element %zu", idx);
            r->stop = 1;
        }
    }
    *pp = p;
}

static int is_wrapper(const char *key)
{
    for (size_t i = 0; i < sizeof wrappers / sizeof *wrappers; i++)
        if (strcmp(key, wrappers[i]) == 0)
            return 1;
    return 0;
}

/* Does a list of objects (or an empty list) start at p? */
static int list_of_objects(const char *p, const char *end)
{
    if (p >= end || *p != '[')
        return 0;
    p = skip_ws(p + 1, end);
    return p < end && (*p == '{' || *p == ']');
}

/* A wrapper one level down ({"response": {"results": [...]}}), already
   loaded: its articles, all from the line of the outer object. */
static int nested_list(jreader *r, json_t *obj, const char *open)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        if (!json_is_object(v))
            continue;
        for (size_t w = 0; w < sizeof wrappers / sizeof *wrappers; w++) {
            json_t *list = json_object_get(v, wrappers[w]);
            size_t i;
            json_t *e;
            if (!json_is_array(list))
                continue;
            json_array_foreach(list, i, e)
                if (!r->stop && !r->nomem)
                    record(r, e, open, i + 1);
            return 1;
        }
    }
    return 0;
}

/* An object at *pp ('{'): a wrapper of a list, or one article. */
static void read_object(jreader *r, const char **pp)
{
    const char *open = *pp, *p = *pp + 1;
    json_t *rest = json_object(), *key = NULL;
    int wrapped = 0, first = 1;
    if (!rest) {
        r->nomem = 1;
        return;
    }
    for (;; first = 0) {
        p = skip_ws(p, r->end);
        if (first && p < r->end && *p == '}') {
            p++;
            break;
        }
        if (p >= r->end || *p != '"') {
            bad(r, p, "expected a member name in the object that starts on line %lu",
                line_of(r, open));
            r->stop = 1;
            goto done;
        }
        if (!(key = load(r, &p)))
            goto done;
        p = skip_ws(p, r->end);
        if (p >= r->end || *p != ':') {
            bad(r, p, "expected ':' after \"%s\"", json_string_value(key));
            r->stop = 1;
            goto done;
        }
        p = skip_ws(p + 1, r->end);
        if (!wrapped && is_wrapper(json_string_value(key)) &&
            list_of_objects(p, r->end)) {
            read_list(r, &p);
            wrapped = 1;
        } else {
            json_t *v = load(r, &p);
            if (!v)
                goto done;
            if (wrapped) {
                json_decref(v);
            } else if (json_object_set_new(rest, json_string_value(key), v)) {
                r->nomem = 1; /* set_new took v even so */
                goto done;
            }
        }
        json_decref(key);
        key = NULL;
        if (r->stop || r->nomem)
            goto done;
        p = skip_ws(p, r->end);
        if (p < r->end && *p == ',') {
            p++;
            continue;
        }
        if (p < r->end && *p == '}') {
            p++;
            break;
        }
        bad(r, p, "expected ',' or '}' in the object that starts on line %lu",
            line_of(r, open));
        r->stop = 1;
        goto done;
    }
    if (!wrapped && !nested_list(r, rest, open))
        record(r, rest, open, 1);
done:
    json_decref(key);
    json_decref(rest);
    *pp = p;
}

cti_status cti_json_read(const char *data, size_t len, const cti_fields *f,
                         const char *scope, const cti_record_sink *sink,
                         size_t *count)
{
    jreader r;
    memset(&r, 0, sizeof r);
    r.data = r.lpos = data;
    r.end = data + len;
    r.line = 1;
    r.f = f;
    r.scope = scope;
    r.outer = sink;
    r.sink.article = count_article;
    r.sink.bad = pass_bad;
    r.sink.ctx = &r;
    const char *p = data;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    p = skip_ws(p, r.end);
    if (p == r.end)
        bad(&r, NULL, "no JSON value in the file");
    while (p < r.end && !r.stop && !r.nomem) {
        if (*p == '[') {
            read_list(&r, &p);
        } else if (*p == '{') {
            read_object(&r, &p);
        } else {
            const char *start = p;
            json_t *v = load(&r, &p);
            if (v)
                bad(&r, start, "neither a JSON object nor an array of objects "
                               "(it holds %s)", type_name(v));
            json_decref(v);
            r.stop = 1;
        }
        p = skip_ws(p, r.end);
    }
    if (count)
        *count = r.count;
    return r.nomem ? CTI_ENOMEM : CTI_OK;
}
