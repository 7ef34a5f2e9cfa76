/*
 * web_fixture.h - a small index built from JSON lines, for the tests of
 * cti-web's modules (test_facet.c, test_view.c, test_page.c, test_pool.c).
 */
#ifndef WEB_FIXTURE_H
#define WEB_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cti_indexer.h"
#include "cti_search.h"

typedef struct web_fixture {
    char dir[64];
    char db[96];
    cti_search *s;
} web_fixture;

static int web_rm_one(const char *p, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* Index the JSON lines 'jsonl' into fx->db (added to what is there). */
static int web_fixture_add(web_fixture *fx, const char *jsonl)
{
    char in[128];
    static int n;
    snprintf(in, sizeof in, "%s/in%d.jsonl", fx->dir, n++);
    FILE *f = fopen(in, "w");
    if (!f)
        return -1;
    fputs(jsonl, f);
    fclose(f);
    cti_indexer_opts o;
    cti_indexer *ix = NULL;
    cti_indexer_stats st;
    cti_indexer_opts_init(&o);
    o.db = fx->db;
    o.quiet = 1;
    o.err = stderr;
    if (cti_indexer_new(&o, &ix) != 0)
        return -1;
    cti_indexer_add_path(ix, in);
    int rc = cti_indexer_finish(ix, &st);
    cti_indexer_free(ix);
    return rc;
}

/* A scratch folder with an index of 'jsonl', opened in fx->s. */
static web_fixture *web_fixture_new(const char *jsonl)
{
    web_fixture *fx = calloc(1, sizeof *fx);
    char err[256];
    if (!fx)
        return NULL;
    strcpy(fx->dir, "/tmp/cti-test-web-XXXXXX");
    if (!mkdtemp(fx->dir))
        return NULL;
    snprintf(fx->db, sizeof fx->db, "%s/db", fx->dir);
    if (web_fixture_add(fx, jsonl) != 0 ||
        cti_search_open(fx->db, &fx->s, err, sizeof err) != CTI_OK) {
        fprintf(stderr, "web_fixture: %s\n", err);
        return NULL;
    }
    return fx;
}

static void web_fixture_free(web_fixture *fx)
{
    if (!fx)
        return;
    cti_search_free(fx->s);
    nftw(fx->dir, web_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
}

/* Articles with dates, sources and authors, and a hostile one. */
static const char web_fixture_news[] =
    "{\"id\":\"a1\",\"title\":\"Harris courts Silicon Valley\",\"date\":\"2024-07-15\","
    "\"source\":\"Daily Planet\",\"author\":\"Lois Lane\","
    "\"text\":\"Kamala Harris met tech donors about antitrust.\\n\\nLina Khan was discussed.\"}\n"
    "{\"id\":\"a2\",\"title\":\"Antitrust in the summer\",\"date\":\"2024-09-02\","
    "\"source\":\"Daily Planet\",\"author\":\"Clark Kent\","
    "\"text\":\"The antitrust agenda of Lina Khan, again.\"}\n"
    "{\"id\":\"a3\",\"title\":\"Bloomberg and tech\",\"date\":\"2024-07-01\","
    "\"source\":\"Gotham \\\"Gazette\\\"\","
    "\"text\":\"Bloomberg asked tech leaders for staff. Antitrust was not raised.\"}\n"
    "{\"id\":\"a4\",\"title\":\"Undated antitrust note\","
    "\"text\":\"A note on antitrust without a date or a source.\"}\n"
    "{\"id\":\"x<1>\",\"title\":\"<script>alert(1)</script>\",\"date\":\"2023\","
    "\"source\":\"<b>Evil</b>\",\"url\":\"javascript:alert(2)\","
    "\"text\":\"<img src=x onerror=alert(3)> antitrust & \\\"quotes\\\"\"}\n";

#endif /* WEB_FIXTURE_H */
