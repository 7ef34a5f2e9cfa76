/*
 * cti_options.h - cti-search's command line, parsed into one struct.
 *
 * The parser only reads: it opens no index and prints nothing.  A mode
 * says what the program is asked to do; main.c runs it.
 */
#ifndef CTI_OPTIONS_H
#define CTI_OPTIONS_H

#include "cti_facet.h"
#include "cti_hit.h"
#include "cti_hits.h"
#include "cti_output.h"
#include "cti_search.h"

typedef enum cti_mode {
    CTI_MODE_SEARCH,   /* print the hits (the default) */
    CTI_MODE_COUNT,    /* -c: print the number of matching articles */
    CTI_MODE_EXPLAIN,  /* --explain: print the parsed query */
    CTI_MODE_SHOW,     /* --show ID: print one stored article */
    CTI_MODE_FACET,    /* --facet: counts over every match */
    CTI_MODE_FILES,    /* -l: the id of every match, one a line */
    CTI_MODE_STATS,    /* --stats: what the index holds */
    CTI_MODE_HELP,     /* -h: print the usage */
    CTI_MODE_VERSION,  /* -V: print the version */
    CTI_MODE_SIMILAR,  /* --similar ID: list the copies of an article */
    CTI_NMODES         /* how many modes there are */
} cti_mode;

typedef struct cti_options {
    cti_mode mode;
    const char *db;          /* --db (points into argv), or NULL: the default */
    int partial;             /* --partial */
    const char *similar;     /* --similar ID (points into argv), or NULL */
    int quiet;               /* -q: no notes on stderr (errors still) */
    char *query;             /* the arguments after the options, joined by
                                one space (NULL for help, version, stats,
                                and --show without a query) */
    const char *show_id;     /* --show (points into argv) */
    int pager;               /* --pager: page through $PAGER on a terminal */
    int limit_set;           /* -n was given */
    uint32_t jobs;           /* -j: threads loading the hits (0: the
                                default, cti_hits_jobs_default()) */
    cti_facet_kind facets[16]; /* --facet, in the order given */
    size_t nfacets;
    uint32_t facet_limit;    /* --facet-limit: names kept (default 20) */
    cti_search_opts search;  /* what to search and how to rank */
    cti_hit_opts hit;        /* snippet size and fragments */
    cti_output_opts out;     /* format, colour, highlight style, markers */
    char *markers;           /* storage of out.open and out.close */
    char *error;             /* on a failed parse: what was wrong */
} cti_options;

/*
 * Parse cti-search's arguments 'argv' (argc of them, argv[0] the program).
 * Colour "auto" is decided here: on when standard output is a terminal
 * and NO_COLOR is unset or empty; so are hyperlinks (with colour) and the
 * width of the terminal (0 when standard output is not one).  -h and -V end the parse at once (mode
 * CTI_MODE_HELP or CTI_MODE_VERSION, no query needed).
 *
 * Returns CTI_OK with *o filled.  On bad usage returns CTI_EINVAL with
 * o->error a one-line reason (possibly followed by a second line with a
 * hint), without the program name; CTI_ENOMEM when out of memory
 * (o->error may be NULL then).  In every case release *o with
 * cti_options_release().  Uses getopt_long (not reentrant).
 */
cti_status cti_options_parse(int argc, char **argv, cti_options *o);

/* Free what cti_options_parse() stored in 'o'. */
void cti_options_release(cti_options *o);

/* The --help text (static). */
const char *cti_options_usage(void);

#endif /* CTI_OPTIONS_H */
