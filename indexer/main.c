/*
 * main.c - cti-index: the command line over cti_indexer.
 */
#include "cti_date.h"
#include "cti_fields.h"
#include "cti_indexer.h"
#include "cti_source.h"
#include "cti_xapian.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CTI_VERSION
#define CTI_VERSION "0.1"
#endif

static void usage(FILE *f)
{
    fputs(
"Usage: cti-index [--db DIR] [options] PATH...\n"
"       cti-index [--db DIR] --remove ID|PATH...\n"
"       cti-index [--db DIR] --prune [PATH...]\n"
"Index articles for cti-search.  PATH is a text file, a web page (.html),\n"
"a JSON lines (.jsonl), JSON (.json), CSV (.csv) or TSV (.tsv) file, any of\n"
"them gzipped (.gz), a folder (walked recursively), or - for JSON lines on\n"
"standard input.  Re-running skips unchanged files, re-indexes changed\n"
"ones, and removes articles whose file left a folder being indexed or\n"
"whose record left a JSON lines, JSON or CSV file.\n"
"\n"
"  -d, --db DIR        the index folder (default: $CTI_DB, else .cti); also\n"
"                      a stub file listing shards (remote HOST:PORT lines\n"
"                      for writable xapian-tcpsrv), or tcp:HOST:PORT\n"
"  -l, --language L    stemmer language of a new index (default: english);\n"
"                      an existing index of another language is refused\n"
"      --positions F   where a new index keeps word positions: article\n"
"                      (default: compact lists with each article, a third\n"
"                      smaller) or table (Xapian's own: for shards that\n"
"                      xapian-tcpsrv will serve, which can match no other)\n"
"  -j, --jobs N        worker threads for bulk loading (default: CPUs)\n"
"  -m, --memory MB     peak memory budget (default: 1024)\n"
"  -w, --wait          wait for another cti-index writing the index\n"
"  -c, --compact       compact the index at the end (PATH may be omitted);\n"
"                      a sharded index is merged into one database\n"
"      --shards N      build a new index as N shards searched as one\n"
"                      (2 to 256); articles go to a shard by their id\n"
"      --bulk          always load new articles through parallel segments\n"
"      --no-bulk       write every change straight into the index\n"
"      --batch N       articles per commit when writing directly (2000)\n"
"      --no-clean      keep page boilerplate searchable and look for no\n"
"                      copies of a story (to measure what cleaning costs)\n"
"      --zlib-level N  keep stored text in the document record, deflated\n"
"                      at zlib level N, 0 to 9 (0: by the index's own zlib);\n"
"                      by default it is kept apart, compressed with zstd\n"
"      --date-order O  mdy (default) or dmy: how to read 03/04/2005\n"
"      --field NAME=PATH  take article field NAME (id, title, body, date,\n"
"                      author, source, url) from PATH in JSON and CSV records\n"
"                      (a key, a dotted path such as publisher.name, or a\n"
"                      CSV column); repeatable\n"
"      --source NAME   the source of articles that name none\n"
"      --remove        take the articles named by the arguments out of\n"
"                      the index: ids (as cti-search shows them), or paths\n"
"                      (a file, a .jsonl/.json/.csv file, a folder); -\n"
"                      reads them from standard input, one per line\n"
"      --prune         remove every article whose file no longer exists\n"
"      --id-prefix P   put P before the id of every record read\n"
"      --scoped-ids    a record's id becomes FILE#ID (FILE: the real\n"
"                      path of its file), so files cannot share ids\n"
"      --json          print a one-line JSON summary on stdout\n"
"  -q, --quiet         no warnings, no progress, no summary line\n"
"  -v, --verbose       report the phases of the run and their times\n"
"      --progress      show progress even when stderr is not a terminal\n"
"      --no-progress   never show progress\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n"
"\n"
"Exit status: 0 when every input was indexed (or removed), 2 when\n"
"anything failed (an id or path to remove that is not in the index too).\n",
        f);
}

/* Parse a positive integer option; returns 0 or -1. */
static int parse_uint(const char *s, unsigned long max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v == 0 || v > max || *s == '-')
        return -1;
    *out = (unsigned)v;
    return 0;
}

/*
 * Mark what --remove argument 'arg' names ("-": one id or path per line
 * of standard input).  Returns 0, or -1 after a fatal index error.
 */
static int remove_arg(cti_indexer *ix, const char *arg)
{
    if (strcmp(arg, "-"))
        return cti_indexer_remove(ix, arg) < 0 ? -1 : 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, stdin)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        if (n > 0 && cti_indexer_remove(ix, line) < 0)
            rc = -1;
    }
    if (rc == 0 && ferror(stdin)) {
        fprintf(stderr, "cti-index: <stdin>: read error: %s\n",
                strerror(errno));
        rc = -1;
    }
    free(line);
    return rc;
}

/*
 * Refuse, with a message, what cannot run as asked: --shards with
 * --compact, --remove without arguments, nothing to do ('n' arguments),
 * --remove or --prune alone on an index that is not there (it would be
 * created for nothing).  Returns 0, or -1.
 */
static int check_args(const cti_indexer_opts *o, int remove, int n)
{
    if (o->shards && o->compact) {
        fputs("cti-index: --shards and --compact do not go together "
              "(--compact merges the shards of an index into one database)\n", stderr);
        return -1;
    }
    if (remove && n == 0) {
        fputs("cti-index: --remove wants the ids or paths of the articles to "
              "remove\n"
              "Usage: cti-index [--db DIR] --remove ID|PATH...\n", stderr);
        return -1;
    }
    if (n == 0 && !o->compact && !o->prune) {
        fputs("cti-index: no PATH to index\n"
              "Usage: cti-index [--db DIR] [options] PATH...\n", stderr);
        return -1;
    }
    if ((remove || (o->prune && n == 0)) && strncmp(o->db, "tcp:", 4) &&
        access(o->db, F_OK) != 0) {
        fprintf(stderr, "cti-index: cannot open index '%s': %s\n", o->db,
                strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * One run with options 'o' over the 'n' arguments 'args' (paths to
 * index, or with 'remove' what to remove); the summary goes to stderr
 * (and with 'json' to stdout).  Returns the exit status.
 */
static int run(const cti_indexer_opts *o, char **args, int n, int remove,
               int json)
{
    cti_indexer *ix = NULL;
    cti_indexer_stats st;
    if (cti_indexer_new(o, &ix) != 0)
        return 2;
    for (int i = 0; !remove && o->progress && !o->quiet && i < n; i++)
        cti_indexer_expect(ix, args[i]); /* a total for the progress line */
    for (int i = 0; i < n; i++)
        if ((remove ? remove_arg(ix, args[i])
                    : cti_indexer_add_path(ix, args[i])) < 0)
            break;
    int r = cti_indexer_finish(ix, &st);
    cti_indexer_free(ix);
    if (json)
        cti_indexer_stats_print(&st, 1, stdout);
    if (!o->quiet)
        cti_indexer_stats_print(&st, 0, stderr);
    return r == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_BULK, OPT_NO_BULK, OPT_BATCH, OPT_PROGRESS,
           OPT_NO_PROGRESS, OPT_ZLIB, OPT_SHARDS, OPT_DATE_ORDER, OPT_FIELD,
           OPT_SOURCE, OPT_REMOVE, OPT_PRUNE, OPT_ID_PREFIX, OPT_SCOPED_IDS,
           OPT_NO_CLEAN, OPT_POSITIONS };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "language", required_argument, NULL, 'l' },
        { "positions", required_argument, NULL, OPT_POSITIONS },
        { "jobs", required_argument, NULL, 'j' },
        { "memory", required_argument, NULL, 'm' },
        { "wait", no_argument, NULL, 'w' },
        { "compact", no_argument, NULL, 'c' },
        { "bulk", no_argument, NULL, OPT_BULK },
        { "no-bulk", no_argument, NULL, OPT_NO_BULK },
        { "no-clean", no_argument, NULL, OPT_NO_CLEAN },
        { "batch", required_argument, NULL, OPT_BATCH },
        { "shards", required_argument, NULL, OPT_SHARDS },
        { "zlib-level", required_argument, NULL, OPT_ZLIB },
        { "date-order", required_argument, NULL, OPT_DATE_ORDER },
        { "field", required_argument, NULL, OPT_FIELD },
        { "source", required_argument, NULL, OPT_SOURCE },
        { "remove", no_argument, NULL, OPT_REMOVE },
        { "prune", no_argument, NULL, OPT_PRUNE },
        { "id-prefix", required_argument, NULL, OPT_ID_PREFIX },
        { "scoped-ids", no_argument, NULL, OPT_SCOPED_IDS },
        { "json", no_argument, NULL, OPT_JSON },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "progress", no_argument, NULL, OPT_PROGRESS },
        { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    cti_indexer_opts o;
    cti_source_opts reading;
    cti_fields *fields = NULL;
    char err[256];
    int json = 0, progress = -1, remove = 0, c, rc = 2;

    /* Xapian reads its commit threshold from the environment (its only
       knob) when a database is opened: set it before anything is. */
    if (setenv(CTI_XAPIAN_FLUSH_ENV, CTI_INDEXER_FLUSH_THRESHOLD, 1) != 0) {
        perror("cti-index: setenv");
        return 2;
    }
    cti_indexer_opts_init(&o);
    memset(&reading, 0, sizeof reading);
    while ((c = getopt_long(argc, argv, "d:l:j:m:wcqvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.db = optarg; break;
        case 'l': o.language = optarg; break;
        case OPT_POSITIONS: o.positions = optarg; break;
        case 'j':
            if (parse_uint(optarg, 256, &o.jobs) < 0) {
                fprintf(stderr, "cti-index: --jobs wants a number from 1 to 256, not '%s'\n", optarg);
                goto done;
            }
            break;
        case 'm':
            if (parse_uint(optarg, 1u << 20, &o.memory_mb) < 0 || o.memory_mb < 32) {
                fprintf(stderr, "cti-index: --memory wants megabytes (at least 32), not '%s'\n", optarg);
                goto done;
            }
            break;
        case 'w': o.wait = 1; break;
        case 'c': o.compact = 1; break;
        case OPT_BULK: o.bulk = CTI_BULK_ALWAYS; break;
        case OPT_NO_BULK: o.bulk = CTI_BULK_NEVER; break;
        case OPT_NO_CLEAN: o.no_clean = 1; break;
        case OPT_BATCH:
            if (parse_uint(optarg, 1u << 24, &o.batch) < 0) {
                fprintf(stderr, "cti-index: --batch wants a positive number, not '%s'\n", optarg);
                goto done;
            }
            break;
        case OPT_ZLIB: {
            unsigned lv;
            if (strcmp(optarg, "0") && (parse_uint(optarg, 9, &lv) < 0)) {
                fprintf(stderr, "cti-index: --zlib-level wants 0 to 9, not '%s'\n", optarg);
                goto done;
            }
            o.zlevel = strcmp(optarg, "0") ? (int)lv : 0;
            break;
        }
        case OPT_SHARDS:
            if (parse_uint(optarg, 256, &o.shards) < 0 || o.shards < 2) {
                fprintf(stderr, "cti-index: --shards wants a number from 2 to 256, not '%s'\n", optarg);
                goto done;
            }
            break;
        case OPT_REMOVE: remove = 1; break;
        case OPT_PRUNE: o.prune = 1; break;
        case OPT_ID_PREFIX: o.id_prefix = optarg; break;
        case OPT_SCOPED_IDS: o.scoped_ids = 1; break;
        case OPT_DATE_ORDER:
            if (cti_date_order_parse(optarg, &reading.date_order) < 0) {
                fprintf(stderr, "cti-index: --date-order wants mdy or dmy, not '%s'\n", optarg);
                goto done;
            }
            break;
        case OPT_FIELD:
            if (!fields && cti_fields_new(&fields) != 0) {
                fputs("cti-index: out of memory\n", stderr);
                goto done;
            }
            if (cti_fields_add(fields, optarg, err, sizeof err) != 0) {
                fprintf(stderr, "cti-index: %s\n", err[0] ? err : "out of memory");
                goto done;
            }
            break;
        case OPT_SOURCE: reading.source = optarg; break;
        case OPT_JSON: json = 1; break;
        case 'q': o.quiet = 1; break;
        case 'v': o.verbose = 1; break;
        case OPT_PROGRESS: progress = 1; break;
        case OPT_NO_PROGRESS: progress = 0; break;
        case 'h':
            usage(stdout);
            rc = 0;
            goto done;
        case 'V':
            printf("cti-index %s (xapian %s)\n", CTI_VERSION, cti_xapian_version());
            rc = 0;
            goto done;
        default:
            fputs("Try 'cti-index --help' for more information.\n", stderr);
            goto done;
        }
    }
    reading.fields = fields;
    o.reading = &reading;
    if (!o.db) {
        const char *env = getenv("CTI_DB");
        o.db = env && *env ? env : ".cti";
    }
    if (check_args(&o, remove, argc - optind) < 0)
        goto done;
    o.progress = progress >= 0 ? progress : isatty(STDERR_FILENO);
    o.err = stderr;
    rc = run(&o, argv + optind, argc - optind, remove, json);
done:
    cti_fields_free(fields);
    return rc;
}
