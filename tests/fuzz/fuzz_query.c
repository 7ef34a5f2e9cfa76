/*
 * fuzz_query.c - libFuzzer harness for the query language.
 *
 * The input (up to its first NUL) is a query string, parsed in both modes
 * (the language, and CTI_QUERY_ANY).  A query either parses or is refused
 * with a message and a column inside the query; a parsed query describes
 * itself, yields a highlight spec and its words with sane byte ranges,
 * and its Xapian query runs against a small index without a crash and
 * without an unexpected error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti_analyzer.h"
#include "cti_query.h"
#include "cti_schema.h"
#include "cti_snippet.h"
#include "cti_xapian.h"
#include "fuzz_util.h"

static cti_analyzer *query_ana;
static cti_db *query_db;
static char query_dir[64];

/* Free the index and remove its files (for test_regress; libFuzzer never returns). */
__attribute__((unused)) static void query_teardown(void)
{
    char cmd[128];
    cti_db_free(query_db);
    query_db = NULL;
    cti_analyzer_free(query_ana);
    query_ana = NULL;
    if (query_dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", query_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", query_dir);
        query_dir[0] = '\0';
    }
}

/* A tiny index of three articles, so queries really run. */
static void query_setup(void)
{
    static const char *const words[3][6] = {
        {"lina", "khan", "antitrust", "ftc", "big", "tech"},
        {"harri", "campaign", "vice", "presid", "tech", "rule"},
        {"break", "up", "tech", "giant", "court", "law"},
    };
    cti_db *w = NULL;
    strcpy(query_dir, "/tmp/cti-fuzz-query.XXXXXX");
    if (!mkdtemp(query_dir) || cti_analyzer_new("english", &query_ana) != 0 ||
        cti_db_open(query_dir, CTI_DB_CREATE_OR_OVERWRITE | CTI_DB_NO_SYNC, &w) != CTI_OK)
        abort();
    for (int d = 0; d < 3; d++) {
        cti_doc *doc = NULL;
        char id[8] = "Qdoc0", date[9] = "2020070";
        id[4] = (char)('0' + d);
        date[7] = (char)('1' + d);
        date[8] = '\0';
        if (cti_doc_new(&doc) != CTI_OK)
            abort();
        for (int i = 0; i < 6; i++) {
            const char *t = words[d][i];
            char st[32] = CTI_PREFIX_TITLE;
            strcat(st, t);
            cti_doc_add_posting(doc, t, strlen(t), CTI_POS_BODY + (uint32_t)i, 1);
            cti_doc_add_posting(doc, st, strlen(st), CTI_POS_TITLE + (uint32_t)i, 1);
        }
        cti_doc_add_term(doc, "Y2020", 5, 0);
        cti_doc_set_value(doc, CTI_SLOT_DATE, date, 8);
        cti_doc_set_data(doc, "x", 1);
        if (cti_db_replace(w, id, strlen(id), doc, NULL) != CTI_OK)
            abort();
        cti_doc_free(doc);
    }
    cti_db_set_metadata(w, CTI_META_SCHEMA, CTI_SCHEMA_VERSION, 1);
    atexit(query_teardown);
    if (cti_db_close(w) != CTI_OK || cti_db_open(query_dir, CTI_DB_READ, &query_db) != CTI_OK)
        abort();
}

typedef struct query_wctx {
    size_t qlen;
    size_t last_start;
} query_wctx;

static int query_word(void *vctx, size_t start, size_t end, const char *folded,
                      const char *term)
{
    query_wctx *c = vctx;
    FUZZ_CHECK(start <= end && end <= c->qlen);
    FUZZ_CHECK(folded != NULL && term != NULL);
    FUZZ_CHECK(fuzz_utf8_valid(folded, strlen(folded)));
    c->last_start = start;
    return 0;
}

static void query_check_spec(const cti_hl_spec *spec)
{
    FUZZ_CHECK(spec != NULL);
    for (size_t g = 0; g < spec->ngroups; g++) {
        const cti_hl_group *gr = &spec->groups[g];
        FUZZ_CHECK(gr->nitems > 0 && gr->items != NULL);
        FUZZ_CHECK(gr->weight > 0);
        for (size_t i = 0; i < gr->nitems; i++) {
            FUZZ_CHECK(gr->items[i].nstems > 0);
            for (size_t k = 0; k < gr->items[i].nstems; k++)
                FUZZ_CHECK(gr->items[i].stems[k] != NULL);
        }
    }
}

static void query_one(const char *text, unsigned flags)
{
    cti_query *q = (cti_query *)1;
    cti_query_error err;
    memset(&err, 0x5a, sizeof err);
    cti_status st = cti_query_parse(text, query_ana, flags, &q, &err);
    size_t qlen = strlen(text);
    if (st != CTI_OK) {
        FUZZ_CHECK(st == CTI_EINVAL || st == CTI_ENOMEM);
        FUZZ_CHECK(q == NULL);
        if (st == CTI_EINVAL) {
            FUZZ_CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL);
            FUZZ_CHECK(err.msg[0] != '\0');
            FUZZ_CHECK(err.offset <= qlen);
            FUZZ_CHECK(err.column >= 1 && err.column <= qlen + 1);
        }
        return;
    }
    FUZZ_CHECK(q != NULL);
    char *desc = cti_query_describe(q);
    FUZZ_CHECK(desc != NULL);
    free(desc);

    query_wctx wc = {qlen, 0};
    FUZZ_CHECK(cti_query_words(q, query_word, &wc) == 0);

    cti_hl_spec *spec = NULL;
    FUZZ_CHECK(cti_query_highlights(q, NULL, 0, &spec) == CTI_OK);
    query_check_spec(spec);
    cti_hl_spec_free(spec);

    cti_rank_opts ro;
    cti_rank_opts_default(&ro);
    cti_xq *xq = NULL;
    st = cti_query_to_xq(q, &ro, &xq);
    FUZZ_CHECK(st == CTI_OK || st == CTI_ENOMEM || st == CTI_EINVAL);
    if (st == CTI_OK) {
        cti_enquire *e = NULL;
        cti_mset *m = NULL;
        FUZZ_CHECK(cti_enquire_new(query_db, &e) == CTI_OK);
        FUZZ_CHECK(cti_enquire_set_query(e, xq) == CTI_OK);
        st = cti_enquire_run(e, 0, 10, 0, &m);
        /* A wildcard over its expansion limit is refused; nothing else. */
        if (st != CTI_OK)
            FUZZ_CHECK(st == CTI_EINVAL);
        if (st == CTI_OK) {
            FUZZ_CHECK(cti_mset_size(m) <= 3);
            spec = NULL;
            FUZZ_CHECK(cti_query_highlights(q, m, 3, &spec) == CTI_OK);
            query_check_spec(spec);
            cti_hl_spec_free(spec);
        }
        cti_mset_free(m);
        cti_enquire_free(e);
        cti_xq_free(xq);
    }
    cti_query_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!query_db)
        query_setup();
    char *text = fuzz_strndup(data, size);
    if (!text)
        return 0;
    query_one(text, 0);
    query_one(text, CTI_QUERY_ANY);
    free(text);
    return 0;
}
