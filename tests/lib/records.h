/*
 * records.h - what a reader of record files (cti_csv_read(),
 * cti_json_read()) hands to its cti_record_sink, collected for the tests
 * to look at: each article's fields, each bad record's line and message.
 * For test_csv.c and test_json.c.
 */
#ifndef CTI_TEST_RECORDS_H
#define CTI_TEST_RECORDS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_article.h"
#include "cti_fields.h"

#define MAXR 32

/* One article delivered: copies of its fields (NULL when absent). */
typedef struct row {
    char *id, *title, *body, *date, *author, *source, *url;
    unsigned long line;
} row;

/* What one read delivered; zero it before the read, free with got_free(). */
typedef struct got {
    row r[MAXR];
    size_t n;
    unsigned long bad_line[MAXR];
    char *bad_msg[MAXR];
    size_t nbad;
    size_t stop_after;  /* not 0: stop the read after this many articles */
} got;

static inline char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The sink's article callback: copies the article into the got 'ctx'
   and checks its content hash. */
static inline int on_article(void *ctx, cti_article *a)
{
    got *g = ctx;
    assert_true(g->n < MAXR);
    row *r = &g->r[g->n++];
    r->id = dup_or_null(a->id);
    r->title = dup_or_null(a->title);
    r->body = dup_or_null(a->body);
    r->date = dup_or_null(a->date);
    r->author = dup_or_null(a->author);
    r->source = dup_or_null(a->source);
    r->url = dup_or_null(a->url);
    r->line = a->line;
    assert_int_equal(a->hash, cti_article_hash(a));
    return g->stop_after && g->n >= g->stop_after;
}

/* The sink's bad-record callback: keeps the line and the message. */
static inline void on_bad(void *ctx, unsigned long line, const char *msg)
{
    got *g = ctx;
    assert_true(g->nbad < MAXR);
    g->bad_line[g->nbad] = line;
    g->bad_msg[g->nbad++] = strdup(msg);
}

/* Free what 'g' holds and zero it. */
static inline void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        row *r = &g->r[i];
        free(r->id);
        free(r->title);
        free(r->body);
        free(r->date);
        free(r->author);
        free(r->source);
        free(r->url);
    }
    for (size_t i = 0; i < g->nbad; i++)
        free(g->bad_msg[i]);
    memset(g, 0, sizeof *g);
}

#endif /* CTI_TEST_RECORDS_H */
