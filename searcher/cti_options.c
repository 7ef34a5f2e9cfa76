/*
 * cti_options.c - cti-search's command line: getopt_long into cti_options.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cti_options.h"

static const char usage[] =
    "Usage: cti-search [OPTION]... QUERY...\n"
    "       cti-search [OPTION]... --show ID [QUERY...]\n"
    "       cti-search [OPTION]... --stats\n"
    "Search a cti index; the best articles first.\n"
    "\n"
    "Query language (see cti-search(1)):\n"
    "  lina khan            both words (stemmed)     a OR b, a AND b, a NOT b, -b\n"
    "  \"silicon valley\"     a phrase                 a NEAR/5 b (NEAR alone: 10)\n"
    "  antitru*             words starting so        ( ... ) to group\n"
    "  title:x author:x source:x    date:2019..2021 date:2024-07 date:..2021\n"
    "  page:x               also in what was set aside as page boilerplate\n"
    "\n"
    "Options:\n"
    "  -d, --db DIR           the index (default: $CTI_DB, else the nearest .cti\n"
    "                         directory here or in a parent directory)\n"
    "      --any              natural language: any of the words, best first;\n"
    "                         query syntax is plain text\n"
    "      --feedback N       --any: expand the query from its N best articles\n"
    "                         (default 5; 0: off)\n"
    "      --partial          with shards on other machines: search the ones\n"
    "                         that answer, warn about the others\n"
    "  -n, --limit N          show N hits (default 10)\n"
    "      --offset N         skip the first N hits\n"
    "  -c, --count            print the number of matching articles only\n"
    "  -l, --files-with-matches  print the id of every matching article, one\n"
    "                         a line, in --sort order (all unless -n)\n"
    "      --facet FIELD      count every match by date:decade, date:year,\n"
    "                         date:month, date:week, date:day, source or\n"
    "                         author\n"
    "                         (repeatable); bars on a terminal\n"
    "      --facet-limit N    sources and authors shown (default 20; 0: all)\n"
    "      --show ID          print the stored article ID, whole, with the\n"
    "                         words of QUERY (optional) highlighted\n"
    "      --stats            what the index holds: articles, dates, sources,\n"
    "                         size on disk, last update\n"
    "      --pager            on a terminal, page the output through $PAGER\n"
    "                         (default less)\n"
    "      --count-time MS    time allowed to count the matches exactly,\n"
    "                         however many there may be (default: 10 ms when\n"
    "                         at most 1,000 articles can match, else a range;\n"
    "                         0: a true range, not counted)\n"
    "      --no-collapse      show every copy of a story (default: each story\n"
    "                         once, its best-ranked copy, \"N similar\" beside it)\n"
    "      --similar ID       list the copies of article ID, most similar first\n"
    "      --json             JSON: one object per hit per line (one object\n"
    "                         for --count, --facet, --show and --stats)\n"
    "  -q, --quiet            no notes on standard error (errors still)\n"
    "      --sort ORDER       relevance (default), date (oldest first) or\n"
    "                         -date (newest first)\n"
    "      --bm25 K1,B        BM25 parameters (default 1.5,0.75)\n"
    "      --title-weight W   extra weight of a word found in the title (0.25)\n"
    "      --proximity W[,N]  extra weight of adjacent AND words within N words\n"
    "                         of each other (default 0.25,4; 0: off)\n"
    "      --phrase-weight W  extra weight of words typed one after another\n"
    "                         found so (default 1; 0: off)\n"
    "      --coordination W   --any: extra weight of an article holding every\n"
    "                         word (default 0.25; 0: off)\n"
    "      --fragments N      snippet fragments (default 2)\n"
    "      --snippet-size N   snippet length in characters (default 200)\n"
    "      --highlight STYLE  ansi, markers, html or none (default: ansi in\n"
    "                         colour, markers otherwise)\n"
    "      --no-snippets      titles and ids only (faster)\n"
    "  -j, --jobs N           threads that load the hits and build their\n"
    "                         snippets (1 to 16; default 2 for a page of long\n"
    "                         articles on a machine of more than one CPU,\n"
    "                         else 1)\n"
    "      --markers OPEN,CLOSE  markers for --highlight=markers (default [,])\n"
    "      --color WHEN       auto (default), always or never; NO_COLOR is obeyed\n"
    "      --explain          print the parsed query and exit\n"
    "  -h, --help             this help\n"
    "  -V, --version          the version\n"
    "\n"
    "Exit status: 0 when something matched, 1 when nothing did, 2 on error.\n";

enum {
    OPT_ANY = 256, OPT_OFFSET, OPT_JSON, OPT_SORT, OPT_BM25,
    OPT_FRAGMENTS, OPT_SNIPPET_SIZE, OPT_HIGHLIGHT, OPT_MARKERS, OPT_COLOR,
    OPT_EXPLAIN, OPT_TITLE_WEIGHT, OPT_PROX, OPT_NO_SNIPPETS, OPT_FEEDBACK,
    OPT_PARTIAL, OPT_SHOW, OPT_FACET, OPT_FACET_LIMIT, OPT_STATS, OPT_PAGER,
    OPT_COORD, OPT_PHRASE, OPT_COUNT_TIME, OPT_NO_COLLAPSE, OPT_SIMILAR
};

static const struct option longopts[] = {
    { "db", required_argument, NULL, 'd' },
    { "any", no_argument, NULL, OPT_ANY },
    { "partial", no_argument, NULL, OPT_PARTIAL },
    { "no-collapse", no_argument, NULL, OPT_NO_COLLAPSE },
    { "similar", required_argument, NULL, OPT_SIMILAR },
    { "limit", required_argument, NULL, 'n' },
    { "jobs", required_argument, NULL, 'j' },
    { "offset", required_argument, NULL, OPT_OFFSET },
    { "count", no_argument, NULL, 'c' },
    { "files-with-matches", no_argument, NULL, 'l' },
    { "facet", required_argument, NULL, OPT_FACET },
    { "facet-limit", required_argument, NULL, OPT_FACET_LIMIT },
    { "show", required_argument, NULL, OPT_SHOW },
    { "stats", no_argument, NULL, OPT_STATS },
    { "pager", no_argument, NULL, OPT_PAGER },
    { "count-time", required_argument, NULL, OPT_COUNT_TIME },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "sort", required_argument, NULL, OPT_SORT },
    { "bm25", required_argument, NULL, OPT_BM25 },
    { "fragments", required_argument, NULL, OPT_FRAGMENTS },
    { "snippet-size", required_argument, NULL, OPT_SNIPPET_SIZE },
    { "highlight", required_argument, NULL, OPT_HIGHLIGHT },
    { "markers", required_argument, NULL, OPT_MARKERS },
    { "color", required_argument, NULL, OPT_COLOR },
    { "colour", required_argument, NULL, OPT_COLOR },
    { "explain", no_argument, NULL, OPT_EXPLAIN },
    { "no-snippets", no_argument, NULL, OPT_NO_SNIPPETS },
    { "feedback", required_argument, NULL, OPT_FEEDBACK },
    { "title-weight", required_argument, NULL, OPT_TITLE_WEIGHT },
    { "proximity", required_argument, NULL, OPT_PROX },
    { "coordination", required_argument, NULL, OPT_COORD },
    { "phrase-weight", required_argument, NULL, OPT_PHRASE },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
};

/* What the loop over the options collects before it is checked. */
typedef struct raw {
    const char *color;       /* --color, default "auto" */
    const char *hl;          /* --highlight, or NULL */
    int count, explain, files, stats;
} raw;

const char *cti_options_usage(void)
{
    return usage;
}

/* Store the message in o->error and return CTI_EINVAL (CTI_ENOMEM when it
   cannot be stored). */
static cti_status bad(cti_options *o, const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    free(o->error);
    o->error = n < 0 ? NULL : msg;
    return o->error ? CTI_EINVAL : CTI_ENOMEM;
}

static int parse_uint(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v > 0x7fffffffUL || s[0] == '-')
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static cti_status parse_sort(cti_options *o, const char *arg)
{
    if (!strcmp(arg, "relevance"))
        o->search.sort = CTI_SORT_RELEVANCE;
    else if (!strcmp(arg, "date") || !strcmp(arg, "+date"))
        o->search.sort = CTI_SORT_DATE;
    else if (!strcmp(arg, "-date"))
        o->search.sort = CTI_SORT_DATE_DESC;
    else
        return bad(o, "bad --sort '%s' (relevance, date or -date)", arg);
    return CTI_OK;
}

/* --bm25 K1,B: K1 >= 0, 0 <= B <= 1. */
static cti_status parse_bm25(cti_options *o, const char *arg)
{
    char *end;
    o->search.k1 = strtod(arg, &end);
    if (*end != ',' || o->search.k1 < 0)
        return bad(o, "bad --bm25 '%s' (K1,B e.g. 1.2,0.75)", arg);
    o->search.b = strtod(end + 1, &end);
    if (*end || o->search.b < 0 || o->search.b > 1)
        return bad(o, "bad --bm25 '%s' (K1,B e.g. 1.2,0.75)", arg);
    return CTI_OK;
}

/* A number >= 0 (--title-weight, --coordination, --count-time...). */
static cti_status parse_weight(cti_options *o, const char *arg,
                               const char *name, double *out)
{
    char *end;
    *out = strtod(arg, &end);
    if (end == arg || *end || !(*out >= 0))
        return bad(o, "bad --%s '%s'", name, arg);
    return CTI_OK;
}

/* --proximity W[,N]: the window N is clamped to 2..100. */
static cti_status parse_proximity(cti_options *o, const char *arg)
{
    char *end;
    cti_rank_opts *r = &o->search.rank;
    r->prox_weight = strtod(arg, &end);
    if (*end == ',') {
        unsigned long w = strtoul(end + 1, &end, 10);
        r->prox_window = (unsigned)(w < 2 ? 2 : w > 100 ? 100 : w);
    }
    if (*end || r->prox_weight < 0)
        return bad(o, "bad --proximity '%s' (WEIGHT[,WINDOW])", arg);
    return CTI_OK;
}

/* --markers OPEN,CLOSE: split at the first comma. */
static cti_status parse_markers(cti_options *o, const char *arg)
{
    free(o->markers);
    o->markers = strdup(arg);
    char *comma = o->markers ? strchr(o->markers, ',') : NULL;
    if (!comma) {
        free(o->markers);
        o->markers = NULL;
        return bad(o, "bad --markers '%s' (OPEN,CLOSE e.g. '<<,>>')", arg);
    }
    *comma = '\0';
    o->out.open = o->markers;
    o->out.close = comma + 1;
    return CTI_OK;
}

/* A positive count (--fragments, --snippet-size). */
static cti_status parse_positive(cti_options *o, const char *arg,
                                 const char *name, uint32_t *out)
{
    if (parse_uint(arg, out) || !*out)
        return bad(o, "bad --%s '%s'", name, arg);
    return CTI_OK;
}

/* The message for an unknown option or a missing value ('c' is ':' or '?'). */
static cti_status bad_option(cti_options *o, int c, const char *prev)
{
    int lng = c == ':' ? !strncmp(prev, "--", 2)
                       : optopt == 0 || optopt >= 256 || strchr("dnjclhqV", optopt);
    if (c == ':' && lng)
        return bad(o, "option '%s' needs a value\nTry 'cti-search --help'.", prev);
    if (c == ':')
        return bad(o, "option '-%c' needs a value\nTry 'cti-search --help'.", optopt);
    if (lng)
        return bad(o, "unknown option or bad use of '%s'\nTry 'cti-search --help'.",
                   prev);
    return bad(o, "unknown option '-%c' (to exclude a word, put the query after "
               "--: cti-search -- -word)\nTry 'cti-search --help'.", optopt);
}

/* --facet FIELD: one more kind to count. */
static cti_status add_facet(cti_options *o, const char *arg)
{
    cti_facet_kind k;
    if (cti_facet_parse(arg, &k))
        return bad(o, "bad --facet '%s' (date:decade, date:year, date:month, "
                   "date:week, date:day, source or author)", arg);
    for (size_t i = 0; i < o->nfacets; i++)
        if (o->facets[i] == k)
            return CTI_OK; /* asked twice: counted once */
    if (o->nfacets == sizeof o->facets / sizeof o->facets[0])
        return bad(o, "too many --facet options");
    o->facets[o->nfacets++] = k;
    return CTI_OK;
}

/* One option 'c' with its value 'arg' (NULL when it takes none). */
static cti_status apply(cti_options *o, raw *w, int c, const char *arg)
{
    cti_search_opts *so = &o->search;
    switch (c) {
    case 'd': o->db = arg; break;
    case OPT_ANY: so->flags |= CTI_QUERY_ANY; break;
    case OPT_PARTIAL: o->partial = 1; break;
    case OPT_NO_COLLAPSE: so->no_collapse = 1; break;
    case OPT_SIMILAR:
        if (!*arg)
            return bad(o, "--similar needs an article id");
        o->similar = arg;
        break;
    case 'n':
        if (parse_uint(arg, &so->limit))
            return bad(o, "bad --limit '%s'", arg);
        o->limit_set = 1;
        break;
    case 'j':
        if (parse_uint(arg, &o->jobs) || !o->jobs || o->jobs > CTI_HITS_JOBS_MAX)
            return bad(o, "bad --jobs '%s' (1 to %d threads)", arg,
                       CTI_HITS_JOBS_MAX);
        break;
    case OPT_OFFSET:
        if (parse_uint(arg, &so->offset))
            return bad(o, "bad --offset '%s'", arg);
        break;
    case 'c': w->count = 1; break;
    case 'l': w->files = 1; break;
    case OPT_FACET: return add_facet(o, arg);
    case OPT_FACET_LIMIT:
        if (parse_uint(arg, &o->facet_limit))
            return bad(o, "bad --facet-limit '%s'", arg);
        break;
    case OPT_SHOW: o->show_id = arg; break;
    case OPT_STATS: w->stats = 1; break;
    case OPT_PAGER: o->pager = 1; break;
    case OPT_JSON: o->out.format = CTI_OUT_JSON; break;
    case 'q': o->quiet = 1; break;
    case OPT_SORT: return parse_sort(o, arg);
    case OPT_BM25: return parse_bm25(o, arg);
    case OPT_TITLE_WEIGHT:
        return parse_weight(o, arg, "title-weight",
                            &so->rank.title_weight);
    case OPT_COUNT_TIME:
        so->count_max = 0; /* counts asked for: however many there are */
        return parse_weight(o, arg, "count-time", &so->count_ms);
    case OPT_PHRASE:
        return parse_weight(o, arg, "phrase-weight", &so->rank.phrase_weight);
    case OPT_COORD:
        return parse_weight(o, arg, "coordination",
                            &so->rank.coord_weight);
    case OPT_PROX: return parse_proximity(o, arg);
    case OPT_FRAGMENTS:
        return parse_positive(o, arg, "fragments", &o->hit.snippet.fragments);
    case OPT_SNIPPET_SIZE:
        return parse_positive(o, arg, "snippet-size", &o->hit.snippet.size);
    case OPT_HIGHLIGHT: w->hl = arg; break;
    case OPT_MARKERS: return parse_markers(o, arg);
    case OPT_COLOR: w->color = arg; break;
    case OPT_EXPLAIN: w->explain = 1; break;
    case OPT_NO_SNIPPETS: o->hit.no_snippet = o->search.no_text = 1; break;
    case OPT_FEEDBACK:
        if (parse_uint(arg, &so->prf_docs) || so->prf_docs > 100)
            return bad(o, "bad --feedback '%s' (0 to 100 articles)", arg);
        break;
    case 'h': o->mode = CTI_MODE_HELP; break;
    case 'V': o->mode = CTI_MODE_VERSION; break;
    default: return bad(o, "unknown option"); /* getopt_long returns no other */
    }
    return CTI_OK;
}

/* Colour: only on a TTY and without NO_COLOR, unless forced. */
static cti_status resolve_color(cti_options *o, const char *color)
{
    if (!strcmp(color, "always"))
        o->out.color = 1;
    else if (!strcmp(color, "never"))
        o->out.color = 0;
    else if (!strcmp(color, "auto")) {
        const char *nc = getenv("NO_COLOR");
        o->out.color = isatty(STDOUT_FILENO) && !(nc && *nc);
    } else
        return bad(o, "bad --color '%s' (auto, always or never)", color);
    o->out.hyperlinks = o->out.color;
    return CTI_OK;
}

/* The columns of the terminal on standard output, or 0 when it is not one. */
static unsigned terminal_width(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO))
        return 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    long n = c ? strtol(c, NULL, 10) : 0;
    return n > 0 && n < 10000 ? (unsigned)n : 80;
}

/* The highlight style: --highlight, else ANSI in colour and markers without. */
static cti_status resolve_style(cti_options *o, const char *hl)
{
    if (!hl)
        o->out.style = o->out.color ? CTI_HL_STYLE_ANSI : CTI_HL_STYLE_MARKERS;
    else if (!strcmp(hl, "ansi"))
        o->out.style = CTI_HL_STYLE_ANSI;
    else if (!strcmp(hl, "markers"))
        o->out.style = CTI_HL_STYLE_MARKERS;
    else if (!strcmp(hl, "html"))
        o->out.style = CTI_HL_STYLE_HTML;
    else if (!strcmp(hl, "none"))
        o->out.style = CTI_HL_STYLE_NONE;
    else
        return bad(o, "bad --highlight '%s' (ansi, markers, html or none)", hl);
    return CTI_OK;
}

/* The query: the words argv[first..argc-1] joined by one space (none:
   NULL, an error unless 'optional'). */
static cti_status join_query(cti_options *o, int argc, char **argv, int first,
                             int optional)
{
    size_t qlen = 0;
    if (first >= argc)
        return optional ? CTI_OK
                        : bad(o, "no query given (try 'cti-search --help')");
    for (int i = first; i < argc; i++)
        qlen += strlen(argv[i]) + 1;
    o->query = malloc(qlen);
    if (!o->query)
        return bad(o, "out of memory");
    o->query[0] = '\0';
    for (int i = first; i < argc; i++) {
        if (i > first)
            strcat(o->query, " ");
        strcat(o->query, argv[i]);
    }
    return CTI_OK;
}

/* The mode the options ask for; two that do different things are an error. */
static cti_status pick_mode(cti_options *o, const raw *w)
{
    const char *asked[5];
    size_t n = 0;
    if (o->show_id)
        asked[n++] = "--show";
    if (o->similar)
        asked[n++] = "--similar";
    if (o->nfacets)
        asked[n++] = "--facet";
    if (w->files)
        asked[n++] = "-l";
    if (w->stats)
        asked[n++] = "--stats";
    if (n && w->count)
        return bad(o, "-c and %s cannot be used together", asked[0]);
    if (n > 1)
        return bad(o, "%s and %s cannot be used together", asked[0], asked[1]);
    o->mode = w->explain ? CTI_MODE_EXPLAIN
            : o->show_id ? CTI_MODE_SHOW
            : o->similar ? CTI_MODE_SIMILAR
            : o->nfacets ? CTI_MODE_FACET
            : w->files ? CTI_MODE_FILES
            : w->stats ? CTI_MODE_STATS
            : w->count ? CTI_MODE_COUNT : CTI_MODE_SEARCH;
    return CTI_OK;
}

cti_status cti_options_parse(int argc, char **argv, cti_options *o)
{
    raw w = { "auto", NULL, 0, 0, 0, 0 };
    cti_status st = CTI_OK;
    int c;

    memset(o, 0, sizeof *o);
    cti_search_opts_default(&o->search);
    o->out.format = CTI_OUT_HUMAN;
    o->mode = CTI_MODE_SEARCH;
    o->facet_limit = 20;
    opterr = 0; /* our own messages */
    optind = 0; /* start over (GNU getopt), so tests may parse again */
    while ((c = getopt_long(argc, argv, ":d:n:j:clhqV", longopts, NULL)) != -1) {
        if (c == ':' || c == '?')
            return bad_option(o, c, argv[optind - 1]);
        st = apply(o, &w, c, optarg);
        if (st != CTI_OK || o->mode == CTI_MODE_HELP || o->mode == CTI_MODE_VERSION)
            return st;
    }
    st = pick_mode(o, &w);
    if (st == CTI_OK)
        st = resolve_color(o, w.color);
    if (st == CTI_OK)
        st = resolve_style(o, w.hl);
    o->out.width = terminal_width();
    if (st == CTI_OK && o->mode == CTI_MODE_STATS && optind < argc)
        return bad(o, "--stats takes no query (got '%s')", argv[optind]);
    if (st == CTI_OK && o->mode == CTI_MODE_SIMILAR && optind < argc)
        return bad(o, "--similar takes an article id, not a query (got '%s')",
                   argv[optind]);
    if (st == CTI_OK && o->mode != CTI_MODE_STATS && o->mode != CTI_MODE_SIMILAR)
        st = join_query(o, argc, argv, optind, o->mode == CTI_MODE_SHOW);
    return st;
}

void cti_options_release(cti_options *o)
{
    free(o->query);
    free(o->markers);
    free(o->error);
    o->query = o->markers = o->error = NULL;
}
