/*
 * cti_article.h - one article, as read from any input, and text articles.
 *
 * Every reader (text files here, JSON and CSV records in cti_fields.c,
 * web pages in cti_html.c) fills the same struct; the walker
 * (cti_content.c) then reads its date and hands it to the indexer.
 */
#ifndef CTI_ARTICLE_H
#define CTI_ARTICLE_H

#include <stddef.h>
#include <stdint.h>

/* Where an article's title came from. */
enum cti_title_from {
    CTI_TITLE_GIVEN = 0, /* front matter, a title line, or JSON "title" */
    CTI_TITLE_OPENING,   /* no headline: the body's first sentence (or first
                            12 words), which the body still holds */
    CTI_TITLE_WHOLE      /* no headline: the whole body (20 words or fewer) */
};
#include "cti_xapian.h"

typedef struct cti_article {
    /* All strings are NUL-terminated UTF-8 owned by the article (valid
       UTF-8: invalid bytes were repaired), or NULL when absent. */
    char *id;          /* text file or web page: its real absolute path (set
                          by the walker; NULL from cti_article_parse_text);
                          a record (JSON, CSV): its id, guid or url, else
                          one made from its content hash (cti_source.h) */
    char *title;
    int title_from;    /* CTI_TITLE_*: a headline, or made from the body */
    char *date;        /* as written, e.g. "2024-07-15", "July 15, 2024", "1790" */
    char *author;
    char *source;
    char *url;
    char *body;        /* never NULL after a successful parse (may be "") */
    size_t body_len;   /* strlen(body): bodies hold no NUL byte */
    /* Web pages only (else NULL, 0): the text of the blocks left out of
       the body as page furniture (navigation, header, footer, aside,
       forms, comment sections), in page order, one block per paragraph
       (blocks separated by a blank line).  Not part of the hash. */
    char *aside;
    size_t aside_len;  /* strlen(aside) */

    /* Where it came from, for messages and for incremental sync. */
    const char *origin;    /* the file path as given (owned by the reader) */
    const char *container; /* the real path of the file it was read from
                              (owned by the reader); NULL: standard input */
    unsigned long line;    /* a record's line number from 1 (where a JSON
                              line, JSON array element or CSV row starts);
                              0 for a text file or web page */
    int64_t size;          /* file size in bytes (text files and web pages;
                              -1 otherwise) */
    int64_t mtime_ns;      /* file mtime in ns (likewise) */
    uint64_t hash;         /* hash of the content (title, metadata and body);
                              the walker marks it for a date read day first
                              only because of --date-order dmy */
    int repaired;          /* 1 if invalid UTF-8 was replaced */
    /* The date as read (set by the walker from 'date'): "YYYYMMDD" with
       "00" for an unknown month or day, or "" when there is no date or it
       could not be read. */
    char ymd[9];
} cti_article;

typedef struct cti_fields cti_fields;

/* Empty 'a': every string NULL, size and mtime -1. */
void cti_article_init(cti_article *a);

/*
 * Parse a text article: an optional front-matter block ("---" line,
 * "key: value" lines for title/date/author/source/url, "---" line), then
 * the body.  Without a title in the front matter the title is taken from
 * the text (see cti_article.c).  'data' is len bytes of any content.
 * Returns CTI_OK and fills *a (release with cti_article_release()), or
 * CTI_ENOMEM.
 */
cti_status cti_article_parse_text(const char *data, size_t len, cti_article *a);

/*
 * Parse one JSON line: an object whose fields 'fields' names (NULL: the
 * built-in names of cti_fields.h); without an id, guid or url its id is
 * "sha-" and the 16 hex digits of its content hash.  Returns CTI_OK and
 * fills *a; CTI_EINVAL with a message in err (column included) for a
 * line that is not a JSON object or has no text, or CTI_ENOMEM with "out
 * of memory" (then *a holds nothing to release).  Invalid UTF-8 in the
 * line is repaired, not refused.  'err' may be NULL.
 */
cti_status cti_article_parse_json(const char *line, size_t len,
                                  const cti_fields *fields, cti_article *a,
                                  char *err, size_t errlen);

/*
 * Complete an article filled by a reader: an empty title becomes NULL,
 * and a missing one is taken from the body (its first short sentence, or
 * its first 12 words and "…"); body_len is set and the hash computed.
 * Returns CTI_OK, or CTI_ENOMEM.
 */
cti_status cti_article_finish(cti_article *a);

/*
 * The title for a text without a title line: its first sentence of at
 * most 20 words, else its first 12 words and "…" (only its first
 * paragraph is looked at).  A new string (caller frees), NULL on no
 * memory.
 */
char *cti_article_title_from_text(const char *s, size_t n);

/*
 * Where the stored title 'title' of an article with body 'body' (len
 * bytes) came from: CTI_TITLE_OPENING or CTI_TITLE_WHOLE when it is the
 * title cti_article_title_from_text() makes of the body, else
 * CTI_TITLE_GIVEN.  -1 on no memory.
 */
int cti_article_title_origin(const char *title, const char *body, size_t len);

void cti_article_release(cti_article *a);

/* 64-bit content hash of the article's fields (stable across runs and
   machines): title, date, author, source, url and body; not the id. */
uint64_t cti_article_hash(const cti_article *a);

#endif /* CTI_ARTICLE_H */
