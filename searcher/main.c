/*
 * cti-search - search a cti index.  Options in, results out; the work is
 * in cti_search.c, cti_query.c and cti_output.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cti_output.h"
#include "cti_search.h"

#ifndef CTI_VERSION
#define CTI_VERSION "0.1"
#endif

static const char usage[] =
    "Usage: cti-search [OPTION]... QUERY...\n"
    "Search a cti index; the best articles first.\n"
    "\n"
    "Query language (see cti-search(1)):\n"
    "  lina khan            both words (stemmed)     a OR b, a AND b, a NOT b, -b\n"
    "  \"silicon valley\"     a phrase                 a NEAR/5 b (NEAR alone: 10)\n"
    "  antitru*             words starting so        ( ... ) to group\n"
    "  title:x author:x source:x    date:2019..2021 date:2024-07 date:..2021\n"
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
    "      --json             one JSON object per hit per line\n"
    "      --sort ORDER       relevance (default), date (oldest first) or\n"
    "                         -date (newest first)\n"
    "      --bm25 K1,B        BM25 parameters (default 1.5,0.75)\n"
    "      --title-weight W   extra weight of a word found in the title (0.25)\n"
    "      --proximity W[,N]  extra weight of adjacent AND words within N words\n"
    "                         of each other (default 0.25,4; 0: off)\n"
    "      --fragments N      snippet fragments (default 2)\n"
    "      --snippet-size N   snippet length in characters (default 200)\n"
    "      --highlight STYLE  ansi, markers, html or none (default: ansi in\n"
    "                         colour, markers otherwise)\n"
    "      --no-snippets      titles and ids only (faster)\n"
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
    OPT_PARTIAL
};

static const struct option longopts[] = {
    { "db", required_argument, NULL, 'd' },
    { "any", no_argument, NULL, OPT_ANY },
    { "partial", no_argument, NULL, OPT_PARTIAL },
    { "limit", required_argument, NULL, 'n' },
    { "offset", required_argument, NULL, OPT_OFFSET },
    { "count", no_argument, NULL, 'c' },
    { "json", no_argument, NULL, OPT_JSON },
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
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
};

static int die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "cti-search: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 2;
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

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The syntax error, with the query and a caret under the column on a TTY. */
static void syntax_error(const char *query, const cti_query_error *e)
{
    fprintf(stderr, "cti-search: syntax error at column %zu: %s\n", e->column,
            e->msg);
    if (isatty(STDERR_FILENO) && !strchr(query, '\n')) {
        fprintf(stderr, "  %s\n  %*s^\n", query, (int)(e->column - 1), "");
    }
}

int main(int argc, char **argv)
{
    double t0 = now_ms();
    cti_search_opts so;
    cti_output_opts oo = { 0 };
    cti_hit_opts ho = { { 0, 0 }, 0 };
    const char *dbarg = NULL, *color = "auto", *hl = NULL;
    char *markers = NULL, *db = NULL, *query = NULL;
    int count = 0, explain = 0, partial = 0, c, rc = 2;
    cti_search *s = NULL;
    cti_results *r = NULL;
    cti_printer *pr = NULL;

    cti_search_opts_default(&so);
    oo.format = CTI_OUT_HUMAN;
    opterr = 0; /* our own messages */
    while ((c = getopt_long(argc, argv, ":d:n:chV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': dbarg = optarg; break;
        case OPT_ANY: so.flags |= CTI_QUERY_ANY; break;
        case OPT_PARTIAL: partial = 1; break;
        case 'n':
            if (parse_uint(optarg, &so.limit))
                return die("bad --limit '%s'%s", optarg, "");
            break;
        case OPT_OFFSET:
            if (parse_uint(optarg, &so.offset))
                return die("bad --offset '%s'%s", optarg, "");
            break;
        case 'c': count = 1; break;
        case OPT_JSON: oo.format = CTI_OUT_JSON; break;
        case OPT_SORT:
            if (!strcmp(optarg, "relevance"))
                so.sort = CTI_SORT_RELEVANCE;
            else if (!strcmp(optarg, "date") || !strcmp(optarg, "+date"))
                so.sort = CTI_SORT_DATE;
            else if (!strcmp(optarg, "-date"))
                so.sort = CTI_SORT_DATE_DESC;
            else
                return die("bad --sort '%s' (relevance, date or -date)%s", optarg, "");
            break;
        case OPT_BM25: {
            char *end;
            so.k1 = strtod(optarg, &end);
            if (*end != ',' || so.k1 < 0)
                return die("bad --bm25 '%s' (K1,B e.g. 1.2,0.75)%s", optarg, "");
            so.b = strtod(end + 1, &end);
            if (*end || so.b < 0 || so.b > 1)
                return die("bad --bm25 '%s' (K1,B e.g. 1.2,0.75)%s", optarg, "");
            break;
        }
        case OPT_TITLE_WEIGHT: {
            char *end;
            so.rank.title_weight = strtod(optarg, &end);
            if (*end || so.rank.title_weight < 0)
                return die("bad --title-weight '%s'%s", optarg, "");
            break;
        }
        case OPT_PROX: {
            char *end;
            so.rank.prox_weight = strtod(optarg, &end);
            if (*end == ',') {
                unsigned long w = strtoul(end + 1, &end, 10);
                so.rank.prox_window = (unsigned)(w < 2 ? 2 : w > 100 ? 100 : w);
            }
            if (*end || so.rank.prox_weight < 0)
                return die("bad --proximity '%s' (WEIGHT[,WINDOW])%s", optarg, "");
            break;
        }
        case OPT_FRAGMENTS:
            if (parse_uint(optarg, &ho.snippet.fragments) || !ho.snippet.fragments)
                return die("bad --fragments '%s'%s", optarg, "");
            break;
        case OPT_SNIPPET_SIZE:
            if (parse_uint(optarg, &ho.snippet.size) || !ho.snippet.size)
                return die("bad --snippet-size '%s'%s", optarg, "");
            break;
        case OPT_HIGHLIGHT: hl = optarg; break;
        case OPT_MARKERS: {
            free(markers);
            markers = strdup(optarg);
            char *comma = markers ? strchr(markers, ',') : NULL;
            if (!comma) {
                free(markers);
                return die("bad --markers '%s' (OPEN,CLOSE e.g. '<<,>>')%s", optarg, "");
            }
            *comma = '\0';
            oo.open = markers;
            oo.close = comma + 1;
            break;
        }
        case OPT_COLOR: color = optarg; break;
        case OPT_EXPLAIN: explain = 1; break;
        case OPT_NO_SNIPPETS: ho.no_snippet = 1; break;
        case OPT_FEEDBACK:
            if (parse_uint(optarg, &so.prf_docs) || so.prf_docs > 100)
                return die("bad --feedback '%s' (0 to 100 articles)%s", optarg, "");
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        case 'V':
            printf("cti-search %s (xapian %s)\n", CTI_VERSION, cti_xapian_version());
            return 0;
        case ':':
        default: {
            const char *prev = argv[optind - 1];
            int lng = c == ':' ? !strncmp(prev, "--", 2)
                               : optopt == 0 || optopt >= 256 || strchr("dnchV", optopt);
            if (c == ':' && lng)
                fprintf(stderr, "cti-search: option '%s' needs a value\n", prev);
            else if (c == ':')
                fprintf(stderr, "cti-search: option '-%c' needs a value\n", optopt);
            else if (lng)
                fprintf(stderr, "cti-search: unknown option or bad use of '%s'\n", prev);
            else
                fprintf(stderr, "cti-search: unknown option '-%c' (to exclude a word, "
                        "put the query after --: cti-search -- -word)\n", optopt);
            fprintf(stderr, "Try 'cti-search --help'.\n");
            free(markers);
            return 2;
        }
        }
    }

    /* Colour: only on a TTY and without NO_COLOR, unless forced. */
    if (!strcmp(color, "always"))
        oo.color = 1;
    else if (!strcmp(color, "never"))
        oo.color = 0;
    else if (!strcmp(color, "auto")) {
        const char *nc = getenv("NO_COLOR");
        oo.color = isatty(STDOUT_FILENO) && !(nc && *nc);
    } else {
        rc = die("bad --color '%s' (auto, always or never)%s", color, "");
        goto done;
    }
    if (!hl)
        oo.style = oo.color ? CTI_HL_STYLE_ANSI : CTI_HL_STYLE_MARKERS;
    else if (!strcmp(hl, "ansi"))
        oo.style = CTI_HL_STYLE_ANSI;
    else if (!strcmp(hl, "markers"))
        oo.style = CTI_HL_STYLE_MARKERS;
    else if (!strcmp(hl, "html"))
        oo.style = CTI_HL_STYLE_HTML;
    else if (!strcmp(hl, "none"))
        oo.style = CTI_HL_STYLE_NONE;
    else {
        rc = die("bad --highlight '%s' (ansi, markers, html or none)%s", hl, "");
        goto done;
    }

    if (optind >= argc) {
        rc = die("no query given%s%s (try 'cti-search --help')", "", "");
        goto done;
    }
    size_t qlen = 0;
    for (int i = optind; i < argc; i++)
        qlen += strlen(argv[i]) + 1;
    query = malloc(qlen);
    if (!query) {
        rc = die("out of memory%s%s", "", "");
        goto done;
    }
    query[0] = '\0';
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            strcat(query, " ");
        strcat(query, argv[i]);
    }

    db = dbarg ? strdup(dbarg) : cti_search_default_db();
    if (!db) {
        rc = die("no index: use --db DIR, set CTI_DB, or run cti-index "
                 "--db .cti%s%s", "", "");
        goto done;
    }
    char err[512];
    char warn[1024];
    if (cti_search_open_partial(db, partial, &s, err, sizeof err, warn,
                                sizeof warn) != CTI_OK) {
        rc = die("cannot open index '%s': %s", db, err);
        goto done;
    }
    if (*warn)
        fprintf(stderr, "cti-search: warning: partial results, shards left "
                "out: %s\n", warn);
    if (explain) {
        cti_query *q = NULL;
        cti_query_error qe;
        cti_xq *xq = NULL;
        cti_status st = cti_query_parse(query, cti_search_analyzer(s), so.flags, &q, &qe);
        if (st == CTI_EINVAL) {
            syntax_error(query, &qe);
            goto done;
        }
        char *d = st == CTI_OK ? cti_query_describe(q) : NULL;
        if (d && cti_query_to_xq(q, &so.rank, &xq) == CTI_OK) {
            char *x = cti_xq_describe(xq);
            printf("%s\n%s\n", d, x ? x : "");
            free(x);
            rc = 0;
        } else {
            rc = die("%s%s", cti_errmsg(), "");
        }
        free(d);
        cti_xq_free(xq);
        cti_query_free(q);
        goto done;
    }

    cti_query_error qe;
    if (count) {
        so.offset = 0;
        so.limit = 0;
        so.check_at_least = UINT32_MAX;
        so.prf_docs = 0; /* count the articles with the words asked for */
    }
    cti_status st = cti_search_run(s, query, &so, &r, &qe, err, sizeof err);
    if (st == CTI_EINVAL && qe.msg[0]) {
        syntax_error(query, &qe);
        goto done;
    }
    if (st != CTI_OK) {
        rc = die("search failed: %s%s", err, "");
        goto done;
    }
    if (count) {
        printf("%u\n", r->matches);
        rc = r->matches ? 0 : 1;
        goto done;
    }
    if (r->matches == 0) {
        char *fix = NULL;
        if (cti_search_suggest(s, query, so.flags, &fix) == CTI_OK && fix)
            fprintf(stderr, "cti-search: no matches; did you mean: %s\n", fix);
        free(fix);
        rc = 1;
        goto done;
    }
    st = cti_printer_new(stdout, &oo, &pr);
    for (size_t i = 0; st == CTI_OK && i < cti_mset_size(r->mset); i++) {
        cti_hit h;
        st = cti_hit_load(s, r, i, &ho, &h);
        if (st == CTI_OK)
            st = cti_printer_hit(pr, &h);
        cti_hit_release(&h);
    }
    if (st != CTI_OK || cti_printer_footer(pr, r, now_ms() - t0) != CTI_OK) {
        rc = die("cannot write the results: %s%s", strerror(errno), "");
        goto done;
    }
    rc = 0;
done:
    cti_printer_free(pr);
    cti_results_free(r);
    cti_search_free(s);
    free(db);
    free(query);
    free(markers);
    return rc;
}
