/*
 * cti_hit.h - one hit of a search, loaded for printing.
 *
 * Loading a hit decodes its stored record (id, title, body, date, author,
 * source, url), reads its date value (CTI_SLOT_DATE) and builds its body snippet and title with the spans to
 * highlight, from the highlight spec the search computed once
 * (cti_results.spec).  Printers (cti_output.h) only print loaded hits.
 */
#ifndef CTI_HIT_H
#define CTI_HIT_H

#include <stdint.h>
#include "cti_search.h"
#include "cti_snippet.h"
#include "cti_store.h"

typedef struct cti_hit_opts {
    cti_snippet_opts snippet; /* fragments and size */
    int no_snippet;           /* 1: no snippet (empty text, no spans); the
                                 body is not even decoded */
    cti_analyzer *analyzer;   /* what tokenizes and stems the snippet and
                                 title; NULL: the search's own.  An analyzer
                                 serves one thread at a time: hits loaded
                                 side by side each need their own
                                 (cti_hits.h) */
} cti_hit_opts;

typedef struct cti_hit {
    uint32_t rank;       /* 1-based rank in the whole result list */
    double score;        /* the match's weight */
    cti_record rec;      /* the stored fields; all NULL when the record
                            cannot be decoded (rec.date: as written) */
    char date[11];       /* the date as read when indexed, ISO 8601:
                            "2024-07-15", "2024-07" or "2024"; "" when the
                            article has none or it could not be read */
    cti_snippet snip;    /* the body snippet and its spans */
    cti_snippet title;   /* the whole cleaned title and its spans */
    int collapsed;       /* 1: each story is one hit, its copies
                            collapsed into it */
    uint32_t similar;    /* with 'collapsed': other matching copies of
                            this story left out */
    double similarity;   /* cti_search_similar(): the estimated share of
                            text in common with the article (0 to 1);
                            -1 otherwise */
    uint32_t matches;    /* the search's match count (cti_results) */
    uint32_t lower, upper; /* its true bounds; equal when it is exact */
    char problem[160];   /* why the record or its text could not be
                            read ("" when it could): with a text that
                            cannot be read the fields are still shown,
                            without a snippet */
    int have_rec, have_snip, have_title; /* what cti_hit_release() frees */
} cti_hit;

/*
 * Load hit 'i' (0-based, below cti_mset_size(r->mset)) of the results 'r'
 * of a search in 's', with 'o' (NULL: defaults).  With r->order, hit i is
 * the mset's hit r->order[i] (i below r->norder), ranked i + 1.  The
 * snippet comes from the article's text without what was set aside as
 * page boilerplate, unless the query searches the whole page (page:).  On CTI_OK *out holds the
 * hit; release it with cti_hit_release().  On CTI_ENOMEM *out holds what
 * was loaded so far, and cti_hit_release() must still be called.  A record
 * that cannot be decoded is not an error: its fields are NULL, and
 * h->problem says why.
 */
cti_status cti_hit_load(cti_search *s, const cti_results *r, size_t i,
                        const cti_hit_opts *o, cti_hit *out);

/* Free what cti_hit_load() stored in 'h' (a zeroed hit: no-op). */
void cti_hit_release(cti_hit *h);

#endif /* CTI_HIT_H */
