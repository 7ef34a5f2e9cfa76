/*
 * test_indexer.c - cti_indexer: id terms, incremental runs, the writer
 * lock, the language check, and the two write paths agreeing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cti_indexer.h"
#include "cti_schema.h"
#include "cti_xapian.h"

typedef struct fixture {
    char dir[64];   /* scratch folder */
    char in[96];    /* input folder */
    char db[96];    /* index folder */
    FILE *err;      /* diagnostics, kept for inspection */
} fixture;

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/cti-test-indexer-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->in, sizeof fx->in, "%s/in", fx->dir);
    snprintf(fx->db, sizeof fx->db, "%s/db", fx->dir);
    mkdir(fx->in, 0777);
    fx->err = tmpfile();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (fx->err)
        fclose(fx->err);
    free(fx);
    return 0;
}

/* One run over 'path' with the given bulk mode; returns finish()'s value. */
static int run(fixture *fx, const char *db, const char *path, int bulk,
               cti_indexer_stats *st)
{
    cti_indexer_opts o;
    cti_indexer *ix = NULL;
    cti_indexer_opts_init(&o);
    o.db = db;
    o.bulk = bulk;
    o.quiet = 1;
    o.err = fx->err;
    if (cti_indexer_new(&o, &ix) != 0)
        return -2;
    cti_indexer_add_path(ix, path);
    int rc = cti_indexer_finish(ix, st);
    cti_indexer_free(ix);
    return rc;
}

static uint32_t termfreq(const char *db, const char *term)
{
    cti_db *d = NULL;
    uint32_t n = 0;
    assert_int_equal(cti_db_open(db, CTI_DB_READ, &d), CTI_OK);
    assert_int_equal(cti_db_termfreq(d, term, strlen(term), &n), CTI_OK);
    cti_db_free(d);
    return n;
}

static void test_idterm(void **state)
{
    (void)state;
    char a[CTI_IDTERM_MAX + 1], b[CTI_IDTERM_MAX + 1], id[400];
    assert_int_equal(cti_schema_idterm("n1", 2, a), 3);
    assert_string_equal(a, "Qn1");
    /* Ids too long for a Xapian term keep a head and a hash of the whole. */
    memset(id, 'x', sizeof id);
    size_t la = cti_schema_idterm(id, sizeof id, a);
    id[sizeof id - 1] = 'y';
    size_t lb = cti_schema_idterm(id, sizeof id, b);
    assert_int_equal(la, CTI_IDTERM_MAX);
    assert_int_equal(lb, CTI_IDTERM_MAX);
    assert_memory_equal(a, "Qxxxx", 5);
    assert_non_null(strchr(a, '#'));
    assert_string_not_equal(a, b);
}

static void test_incremental(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    write_file(fx->in, "a.txt", "Alpha\n\nThe first article about otters.\n");
    write_file(fx->in, "b.txt", "Beta\n\nThe second article about beavers.\n");

    assert_int_equal(run(fx, fx->db, fx->in, CTI_BULK_AUTO, &st), 0);
    assert_int_equal(st.added, 2);
    assert_int_equal(st.articles, 2);
    assert_int_equal(termfreq(fx->db, "otter"), 1);

    assert_int_equal(run(fx, fx->db, fx->in, CTI_BULK_AUTO, &st), 0);
    assert_int_equal(st.unchanged, 2);
    assert_int_equal(st.added + st.updated + st.removed, 0);
    assert_int_equal(st.bytes, 0);

    /* A different size makes the change visible to stat() at once. */
    write_file(fx->in, "a.txt", "Alpha\n\nThe first article, now about minks.\n");
    char gone[256];
    snprintf(gone, sizeof gone, "%s/b.txt", fx->in);
    unlink(gone);
    assert_int_equal(run(fx, fx->db, fx->in, CTI_BULK_AUTO, &st), 0);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.removed, 1);
    assert_int_equal(st.articles, 1);
    assert_int_equal(termfreq(fx->db, "otter"), 0);
    assert_int_equal(termfreq(fx->db, "mink"), 1);
    assert_int_equal(termfreq(fx->db, "beaver"), 0);
}

static void test_failed_input(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    char missing[256];
    snprintf(missing, sizeof missing, "%s/no-such-file.txt", fx->dir);
    assert_int_equal(run(fx, fx->db, missing, CTI_BULK_AUTO, &st), 1);
    assert_int_equal(st.failed, 1);
}

static void test_lock(void **state)
{
    fixture *fx = *state;
    cti_indexer_opts o;
    cti_indexer *first = NULL, *second = NULL;
    cti_indexer_opts_init(&o);
    o.db = fx->db;
    o.quiet = 1;
    o.err = fx->err;
    assert_int_equal(cti_indexer_new(&o, &first), 0);
    assert_int_equal(cti_indexer_new(&o, &second), -1);
    assert_null(second);
    /* The refusal names the index. */
    char buf[1024] = "";
    rewind(fx->err);
    size_t n = fread(buf, 1, sizeof buf - 1, fx->err);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "being written by another cti-index"));
    assert_non_null(strstr(buf, fx->db));
    cti_indexer_free(first);
    assert_int_equal(cti_indexer_new(&o, &second), 0);
    cti_indexer_free(second);
}

static void test_language(void **state)
{
    fixture *fx = *state;
    cti_indexer_opts o;
    cti_indexer *ix = NULL;
    cti_indexer_stats st;
    write_file(fx->in, "a.txt", "Alpha\n\nLes chats mangent.\n");
    cti_indexer_opts_init(&o);
    o.db = fx->db;
    o.quiet = 1;
    o.err = fx->err;
    o.language = "french";
    assert_int_equal(cti_indexer_new(&o, &ix), 0);
    assert_int_equal(cti_indexer_add_path(ix, fx->in), 0);
    assert_int_equal(cti_indexer_finish(ix, &st), 0);
    cti_indexer_free(ix);
    o.language = "english";
    assert_int_equal(cti_indexer_new(&o, &ix), -1);
    assert_null(ix);
    o.language = NULL; /* the index's own language */
    assert_int_equal(cti_indexer_new(&o, &ix), 0);
    cti_indexer_free(ix);
}

static void test_paths_agree(void **state)
{
    fixture *fx = *state;
    cti_indexer_stats st;
    char direct[128], bulk[128];
    write_file(fx->in, "a.txt", "Harbor news\n\nThe harbor reopened after repairs.\n");
    write_file(fx->in, "b.jsonl",
               "{\"id\":\"j1\",\"title\":\"Bridge\",\"text\":\"The bridge closed.\","
               "\"author\":\"Ada Lovelace\",\"date\":\"2024-07-15\"}\n");
    snprintf(direct, sizeof direct, "%s/direct", fx->dir);
    snprintf(bulk, sizeof bulk, "%s/bulk", fx->dir);
    assert_int_equal(run(fx, direct, fx->in, CTI_BULK_NEVER, &st), 0);
    assert_int_equal(st.bulk, 0);
    assert_int_equal(run(fx, bulk, fx->in, CTI_BULK_ALWAYS, &st), 0);
    assert_int_equal(st.bulk, 1);
    const char *terms[] = { "harbor", "Sharbor", "bridg", "Alovelac",
                            "Y2024", "M202407", "D20240715", "Qj1" };
    for (size_t i = 0; i < sizeof terms / sizeof *terms; i++) {
        assert_int_equal(termfreq(direct, terms[i]), 1);
        assert_int_equal(termfreq(bulk, terms[i]), 1);
    }
}

int main(void)
{
    /* As cti-index does: the indexer commits by itself. */
    setenv(CTI_XAPIAN_FLUSH_ENV, CTI_INDEXER_FLUSH_THRESHOLD, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idterm),
        cmocka_unit_test_setup_teardown(test_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_language, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_agree, setup, teardown),
    };
    return cmocka_run_group_tests_name("indexer", tests, NULL, NULL);
}
