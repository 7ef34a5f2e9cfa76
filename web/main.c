/*
 * cti-web - serve one cti index over HTTP: a search page and a JSON API.
 * Options in, a server out; the work is in cti_server.c and the pages.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_escape.h"
#include "cti_pool.h"
#include "cti_server.h"

#ifndef CTI_VERSION
#define CTI_VERSION "0.1"
#endif

static const char usage[] =
    "Usage: cti-web [OPTION]...\n"
    "Serve a cti index over HTTP: a search page for the browser and a JSON API.\n"
    "\n"
    "  -d, --db DIR             the index (default: $CTI_DB, else the nearest .cti\n"
    "                           directory here or in a parent directory)\n"
    "  -l, --listen [HOST:]PORT where to listen (default 127.0.0.1:8080; PORT 0:\n"
    "                           any free port; 0.0.0.0:PORT: every interface)\n"
    "      --threads N          threads answering requests (default 4)\n"
    "      --max-connections N  connections open at once (default 64)\n"
    "      --timeout SECONDS    close a connection idle this long (default 10)\n"
    "  -h, --help               this help\n"
    "  -V, --version            the version\n"
    "\n"
    "Pages: / (search), /article?id=ID; JSON: /api/search?q=..., /api/article?id=ID.\n"
    "Stops on SIGINT or SIGTERM.  Exit status: 0 after a stop, 2 on error.\n";

static const struct option longopts[] = {
    { "db", required_argument, NULL, 'd' },
    { "listen", required_argument, NULL, 'l' },
    { "threads", required_argument, NULL, 't' },
    { "max-connections", required_argument, NULL, 'm' },
    { "timeout", required_argument, NULL, 'T' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 }
};

static int parse_count(const char *opt, const char *s, unsigned max,
                       unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v < 1 || v > max || s[0] == '-') {
        fprintf(stderr, "cti-web: bad %s '%s' (1 to %u)\n", opt, s, max);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* Options into 'o' and *db; 0, 1 (done: help or version) or 2 (error). */
static int parse_args(int argc, char **argv, cti_server_opts *o,
                      const char **db)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:l:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': *db = optarg; break;
        case 'l': o->listen = optarg; break;
        case 't':
            if (parse_count("--threads", optarg, 256, &o->threads))
                return 2;
            break;
        case 'm':
            if (parse_count("--max-connections", optarg, 10000, &o->max_connections))
                return 2;
            break;
        case 'T':
            if (parse_count("--timeout", optarg, 3600, &o->timeout))
                return 2;
            break;
        case 'h': fputs(usage, stdout); return 1;
        case 'V': printf("cti-web %s\n", CTI_VERSION); return 1;
        case ':':
            fprintf(stderr, "cti-web: option '%s' needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "cti-web: unknown option '%s'\nTry 'cti-web --help'.\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "cti-web: unexpected argument '%s' (the index is given "
                "with --db)\n", argv[optind]);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cti_server_opts o = { 0 };
    const char *dbarg = NULL;
    char *db = NULL, err[1024];
    cti_pool *pool = NULL;
    cti_server *srv = NULL;
    sigset_t stop;
    int sig, rc = parse_args(argc, argv, &o, &dbarg);

    if (rc)
        return rc == 1 ? 0 : 2;
    rc = 2;
    db = dbarg ? strdup(dbarg) : cti_search_default_db();
    if (!db) {
        fprintf(stderr, "cti-web: no index: use --db DIR, set CTI_DB, or run "
                "cti-index --db .cti\n");
        goto done;
    }
    /* The server's threads inherit this mask; the main thread waits. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (cti_pool_new(db, o.threads ? o.threads : 4, &pool, err, sizeof err) != CTI_OK) {
        fputs("cti-web: cannot open index '", stderr);
        cti_escape_fputs(stderr, db);
        fprintf(stderr, "': %s\n", err);
        goto done;
    }
    if (cti_server_start(pool, &o, &srv, err, sizeof err) != CTI_OK) {
        fprintf(stderr, "cti-web: %s\n", err);
        goto done;
    }
    fputs("cti-web: serving '", stdout);
    cti_escape_fputs(stdout, db); /* a path may hold terminal controls */
    printf("' at %s\n", cti_server_url(srv));
    fflush(stdout);
    while (sigwait(&stop, &sig) != 0)
        ;
    rc = 0;
done:
    cti_server_stop(srv);
    cti_pool_free(pool);
    free(db);
    return rc;
}
