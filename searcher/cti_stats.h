/*
 * cti_stats.h - what an index holds: articles, dates, sources and
 * authors, language, size on disk by part, last update, segments waiting
 * to be merged.
 *
 * Counts come from the open index (the top sources and authors from a
 * match spy over every article, cti_facet.h); sizes, the update time and
 * the segments from the index folder's stubs and the Xapian tables they
 * list (shard folders included).  Remote shards have no size here.
 */
#ifndef CTI_STATS_H
#define CTI_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "cti_facet.h"
#include "cti_search.h"

/* The parts an index's size is counted in. */
enum cti_stats_part {
    CTI_PART_TEXT,       /* docdata: the stored records (text and fields) */
    CTI_PART_POSTINGS,   /* postlist: which articles hold each term */
    CTI_PART_POSITIONS,  /* position: where in them */
    CTI_PART_TERMS,      /* termlist: the terms of each article */
    CTI_PART_SPELLING,   /* spelling: "did you mean" data */
    CTI_PART_OTHER,      /* the rest: version files, stubs, values in glass */
    CTI_NPARTS
};

typedef struct cti_stats {
    uint32_t articles;
    uint32_t stories;               /* articles counting the copies of one
                                       story once; 0 when the index has no
                                       copy clusters (CTI_SLOT_CLUSTER) */
    uint32_t dated, undated;        /* articles with and without a date */
    char first[11], last[11];       /* date range, ISO 8601: "1790",
                                       "2024-07", "2024-07-15" ("" when
                                       none is dated) */
    char *language;                 /* the stemmer language */
    int pos_article;                /* positions kept per article
                                       (CTI_META_POSITIONS), not in the
                                       position table */
    cti_facets *names;              /* top sources (f[0]) and authors (f[1]) */
    uint64_t bytes[CTI_NPARTS];     /* size on disk by part */
    uint64_t total;                 /* their sum */
    unsigned databases;             /* local databases listed */
    unsigned segments;              /* of them, segments waiting to be merged */
    unsigned shards;                /* shard folders (0: not sharded) */
    unsigned remote;                /* remote databases (not sized) */
    time_t updated;                 /* newest table file, 0 when unknown */
} cti_stats;

/* A static name of part 'k' ("stored text", "postings" ...). */
const char *cti_stats_part_name(int k);
/* A static JSON key of part 'k' ("text", "postings" ...). */
const char *cti_stats_part_key(int k);

/*
 * Gather the statistics of the index 's' opened from 'path' (the --db
 * argument or the default found), keeping the 'top' most frequent sources
 * and authors.  Returns CTI_OK and *out (free with cti_stats_free()), or
 * an error status with *out NULL and 'err' saying why.
 */
cti_status cti_stats_gather(cti_search *s, const char *path, size_t top,
                            cti_stats **out, char *err, size_t errlen);
void cti_stats_free(cti_stats *st);

#endif /* CTI_STATS_H */
