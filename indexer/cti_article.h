/*
 * cti_article.h - one article, as read from a text file or a JSON line.
 */
#ifndef CTI_ARTICLE_H
#define CTI_ARTICLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cti_article {
    /* All strings are NUL-terminated UTF-8 owned by the article (valid
       UTF-8: invalid bytes were repaired), or NULL when absent. */
    char *id;          /* file: its real absolute path (set by the walker; NULL
                          from cti_article_parse_text); JSON line: "id", else
                          "sha-" + 16 hex digits of the content hash */
    char *title;
    char *date;        /* as written, e.g. "2024-07-15", "July 15, 2024", "1790" */
    char *author;
    char *source;
    char *url;
    char *body;        /* never NULL after a successful parse (may be "") */
    size_t body_len;   /* strlen(body): bodies hold no NUL byte */

    /* Where it came from, for messages and for incremental sync. */
    const char *origin;    /* the file path as given (owned by the reader) */
    const char *container; /* the real path of the file it was read from
                              (owned by the reader); NULL: standard input */
    unsigned long line;    /* JSON line number from 1; 0 for a text file */
    int64_t size;          /* file size in bytes (text files; -1 otherwise) */
    int64_t mtime_ns;      /* file mtime in ns (text files; -1 otherwise) */
    uint64_t hash;         /* hash of the content (title, metadata and body) */
    int repaired;          /* 1 if invalid UTF-8 was replaced */
} cti_article;

/*
 * Normalise a date as written into "YYYYMMDD" (unknown month/day: "00").
 * Accepts ISO forms (2024, 2024-07, 2024-07-15, 2024-07-15T10:00:00Z),
 * "July 15, 2024", "15 July 2024", "Jul 15 2024".  Writes 9 bytes into out.
 * Returns 0, or -1 if 'date' is not a date it understands.
 */
int cti_date_normalize(const char *date, char out[9]);

/*
 * Parse a text article: an optional front-matter block ("---" line,
 * "key: value" lines for title/date/author/source/url, "---" line), then
 * the body.  Without a title in the front matter the title is taken from
 * the text (see cti_article.c).  'data' is len bytes of any content.
 * Returns 0 and fills *a (release with cti_article_release()), -1 on no
 * memory.
 */
int cti_article_parse_text(const char *data, size_t len, cti_article *a);

/*
 * Parse one JSON line (fields id, title, text or body, date, author,
 * source, url; others ignored).  Returns 0 and fills *a; -1 with a
 * message in err (column included) for a line that is not a JSON object
 * or has no text (then *a holds nothing to release).  Invalid UTF-8 in
 * the line is repaired, not refused.  'err' may be NULL.
 */
int cti_article_parse_json(const char *line, size_t len, cti_article *a,
                           char *err, size_t errlen);

void cti_article_release(cti_article *a);

/* 64-bit content hash of the article's fields (stable across runs and
   machines): title, date, author, source, url and body; not the id. */
uint64_t cti_article_hash(const cti_article *a);

#endif /* CTI_ARTICLE_H */
