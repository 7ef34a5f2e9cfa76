/*
 * cti_fields.h - which field of a record is the title, the date, the body...
 *
 * JSON lines, JSON files and CSV/TSV rows are records with named fields.
 * One mapping turns any of them into an article.  Names are matched
 * without regard to letter case, '_', '-' and spaces ("publishedAt",
 * "published_at" and "Published At" are one name).  Each article field
 * takes the first of its names that the record has with a value:
 *
 *   id      id, guid, else the url (below)
 *   title   title, headline
 *   body    text, body, content, article, articleBody, article_text,
 *           full_text, maintext, then description, summary when none of
 *           those has text
 *   date    date, publishedAt, published, pubDate, datePublished,
 *           date_publish, publishDate, publicationDate, created_at
 *   author  author, authors, byline, creator
 *   source  source, source_name, site, site_name, publisher, source_domain
 *   url     url, link, canonical_url, permalink
 *
 * A value may be a string, a number (written in decimal), a list (its
 * strings, and the "name" of its objects, joined by ", "; by blank lines
 * for the body) or an object (its "name": "source": {"name": "BBC News"}).
 * null, true, false and empty strings count as absent.
 *
 * cti_fields_add() puts a user's mapping ("source=publisher.name")
 * before the names above: a dotted path walks into nested objects (each
 * key matched exactly, else without regard to letter case); for a CSV
 * row the path is a column name.  Records without that path fall back
 * to the names above.
 */
#ifndef CTI_FIELDS_H
#define CTI_FIELDS_H

#include <stddef.h>
#include <jansson.h>

#include "cti_article.h"

typedef struct cti_fields cti_fields;

/* Return values of cti_fields_read() and cti_fields_add(). */
#define CTI_FIELDS_NOMEM -1   /* out of memory */
#define CTI_FIELDS_BAD   -2   /* a bad record or mapping (message in err) */

/* A new mapping with only the built-in names in *out (free with
   cti_fields_free()).  Returns 0, or CTI_FIELDS_NOMEM with *out NULL. */
int cti_fields_new(cti_fields **out);
void cti_fields_free(cti_fields *f);

/*
 * Add "NAME=PATH" ('spec', as given to --field): NAME is id, title, body
 * (or text), date, author, source or url.  Several mappings of one NAME
 * are tried in the order given.  Returns 0, CTI_FIELDS_NOMEM, or
 * CTI_FIELDS_BAD with a message in err (NULL allowed) for a bad spec.
 */
int cti_fields_add(cti_fields *f, const char *spec, char *err, size_t errlen);

/*
 * Fill a's id, title, body, date, author, source and url from the JSON
 * object 'obj' with mapping 'f' (NULL: the built-in names).  The article
 * must be empty (cti_article_init()).  The strings are valid UTF-8 with
 * NUL bytes turned into spaces.  The id stays NULL when the record has
 * no id, guid or url; the title stays NULL when it has none.  Returns 0,
 * CTI_FIELDS_NOMEM, or CTI_FIELDS_BAD with a message in err (NULL
 * allowed) when the record has no text for the body or an id that is not
 * a string or a number; the article may then hold fields: release it.
 */
int cti_fields_read(const cti_fields *f, json_t *obj, cti_article *a,
                    char *err, size_t errlen);

/* Where the readers of record files (cti_csv.h, cti_json.h) send what
   they read. */
typedef struct cti_record_sink {
    /* An article read from the record starting at a->line.  The callee
       may move fields out (setting them to NULL); the reader releases
       the rest.  A non-zero return stops the reading. */
    int (*article)(void *ctx, cti_article *a);
    /* A record (starting at 'line'; 0: the file as a whole) that could
       not be read, and why. */
    void (*bad)(void *ctx, unsigned long line, const char *msg);
    void *ctx;
} cti_record_sink;

/*
 * Read the record 'obj' (starting at line 'line' of its file) as an
 * article with cti_fields_read() and cti_article_finish(), and hand it
 * to sink->article.  Without an id, guid or url its id is 'scope' (the
 * file's id), '#' and the 16 hex digits of its content hash: stable when
 * records are added, removed or reordered around it, and naming the file
 * it came from.  A record that cannot be read goes to sink->bad.
 * Returns 0 to go on, 1 when sink->article asked to stop, or
 * CTI_FIELDS_NOMEM.
 */
int cti_fields_emit(const cti_fields *f, json_t *obj, const char *scope,
                    unsigned long line, const cti_record_sink *sink);

#endif /* CTI_FIELDS_H */
