/*
 * cti_boiler.h - the parts of a page that are not the article.
 *
 * A scraped article carries the page around it: breadcrumbs and menus,
 * share and cookie lines, "Related" teasers, author boxes and reader
 * comments.  cti_boiler_scan() reads an article body line by line and
 * sets aside, as byte ranges, the lines that the shape of the text shows
 * to be page furniture; cti_boiler_apply_template() adds the lines that
 * repetition across the index shows to be the site's template (a line
 * seen in many articles of the same source).  Nothing is removed: the
 * caller indexes the set-aside words apart and keeps the whole page.
 * Precision comes first: a line is set aside only on clear evidence
 * (the rules are in cti_boiler.c).
 */
#ifndef CTI_BOILER_H
#define CTI_BOILER_H

#include <stddef.h>
#include <stdint.h>

#include "cti_schema.h"
#include "cti_xapian.h"

/* What a set-aside range is. */
typedef enum cti_boiler_kind {
    CTI_BOILER_NAV = 1,   /* navigation: breadcrumbs, menus, skip links */
    CTI_BOILER_SHARE,     /* share, follow, subscribe, cookie, ad and legal lines */
    CTI_BOILER_TEASER,    /* "Related", "Read more", "Check Also" and what they introduce */
    CTI_BOILER_AUTHOR,    /* an author box ("About NAME" and its bio), author lines */
    CTI_BOILER_COMMENTS,  /* a comment section with its comments, to the end */
    CTI_BOILER_TEMPLATE,  /* a line repeated in many articles of the same source */
    CTI_BOILER_LAYOUT     /* what a web page's own markup calls navigation,
                             header, footer, aside, form or comments */
} cti_boiler_kind;

#define CTI_BOILER_KINDS 7

/* A set-aside range: bytes [start, end) of the body. */
typedef struct cti_boiler_range {
    size_t start, end;
    cti_boiler_kind kind;
} cti_boiler_range;

/* The analysis of one body; reused from article to article. */
typedef struct cti_boiler cti_boiler;

/*
 * A new, empty analysis.  Returns CTI_OK and stores it in *out (free
 * with cti_boiler_free(); NULL is a no-op), or CTI_ENOMEM with *out NULL.
 */
cti_status cti_boiler_new(cti_boiler **out);
void cti_boiler_free(cti_boiler *b);

/*
 * Analyse 'body' (len bytes of UTF-8; any bytes are accepted) by the
 * shape of its text, replacing the previous analysis.  The body must stay
 * valid and unchanged while the results are read.  Returns CTI_OK, or
 * CTI_ENOMEM (then the analysis is empty: nothing set aside).
 */
cti_status cti_boiler_scan(cti_boiler *b, const char *body, size_t len);

/*
 * Template evidence.  After a scan, the lines that could be a site's
 * template (short lines anywhere, lines near the start or the end) are
 * the analysis's candidates; cti_boiler_candidate(b, i) is the hash of
 * candidate i's normalised text (case, accents and punctuation folded).
 */
size_t cti_boiler_ncandidates(const cti_boiler *b);
uint64_t cti_boiler_candidate(const cti_boiler *b, size_t i);

/*
 * How many articles of a source of 'articles' articles must hold a line
 * for it to be template: CTI_BOILER_TEMPLATE_MIN, or CTI_BOILER_TEMPLATE_PCT
 * percent of the source's articles when that is more (a site's header
 * and footer are in most of its pages; a quote repeated in a few of them
 * is news).
 */
#define CTI_BOILER_TEMPLATE_MIN 3
#define CTI_BOILER_TEMPLATE_PCT 5
uint32_t cti_boiler_threshold(uint32_t articles);

/*
 * Set aside as template the candidates seen in at least 'threshold'
 * articles of the source: counts[i] is the number of articles of the
 * article's source holding candidate i, this article included.  A long
 * line counts only in the run of set-aside lines at the start or at the
 * end; if more than half of the article's words would go, the article is
 * taken for a copy, not for template, and nothing is set aside by
 * repetition.  Calling it again replaces the previous template marks.
 * Returns CTI_OK, or CTI_ENOMEM with only the shape marks kept.
 */
cti_status cti_boiler_apply_template(cti_boiler *b, const uint32_t *counts,
                                     uint32_t threshold);

/*
 * The set-aside ranges, sorted, not overlapping, adjacent ranges of one
 * kind merged; valid until the next scan or free.  *n receives the count.
 */
const cti_boiler_range *cti_boiler_ranges(const cti_boiler *b, size_t *n);

/* Words of the body (runs of non-space bytes holding a letter or digit),
   and in *aside those inside set-aside ranges. */
size_t cti_boiler_words(const cti_boiler *b, size_t *aside);

/* A static name for a kind ("navigation", "comments", ...). */
const char *cti_boiler_kind_name(cti_boiler_kind k);

/*
 * Which ranges hold byte 'off': call with increasing offsets and *cursor
 * starting at 0.  Returns the kind of the range holding it, or 0.
 */
int cti_boiler_range_at(const cti_boiler_range *r, size_t n, size_t *cursor,
                        size_t off);

/*
 * The key of an article's source for template counts: the source name
 * (folded), else the host of its url, else 'dir' (the folder of a file);
 * 0 when all three are NULL or empty.  Any argument may be NULL.
 */
uint64_t cti_boiler_source_key(const char *source, const char *url,
                               const char *dir);

/* Longest template term, with its NUL. */
#define CTI_BOILER_TERM_MAX 24

/*
 * Write the boolean term counting 'block' for source 'source' into buf
 * (NUL-terminated; returns its length): the prefix CTI_PREFIX_BLOCK, 8
 * hex digits of the source key and 12 of the block hash.  The term
 * frequency of this term is the number of articles of the source
 * holding the block.
 */
size_t cti_boiler_term(uint64_t source, uint64_t block,
                       char buf[CTI_BOILER_TERM_MAX]);

#endif /* CTI_BOILER_H */
