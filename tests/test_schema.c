/*
 * test_schema.c - the computed parts of the index layout: id terms and
 * the id in a sync record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cti_indexer.h"
#include "cti_schema.h"

/* The searcher finds an article by the term the indexer gave it. */
static void test_idterm_as_indexed(void **state)
{
    (void)state;
    char a[CTI_IDTERM_MAX + 1], b[CTI_IDTERM_MAX + 1], id[400];
    assert_int_equal(cti_schema_idterm("n1", 2, a), 3);
    assert_string_equal(a, "Qn1");
    memset(id, 'x', sizeof id);
    for (size_t n = 1; n <= sizeof id; n += 37) {
        size_t la = cti_schema_idterm(id, n, a), lb = cti_indexer_idterm(id, n, b);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        assert_true(la <= CTI_IDTERM_MAX);
    }
}

static void test_sync_id(void **state)
{
    (void)state;
    size_t len = 0;
    const char *v = "f 123 1700000000000000000 /home/me/a b.txt";
    const char *id = cti_schema_sync_id(v, strlen(v), &len);
    assert_non_null(id);
    assert_int_equal(len, strlen("/home/me/a b.txt"));
    assert_memory_equal(id, "/home/me/a b.txt", len);
    v = "j sotu-1790 x";
    id = cti_schema_sync_id(v, strlen(v), &len);
    assert_int_equal(len, strlen("sotu-1790 x"));
    assert_memory_equal(id, "sotu-1790 x", len);
    assert_null(cti_schema_sync_id("", 0, &len));
    assert_null(cti_schema_sync_id("x y", 3, &len));
    assert_null(cti_schema_sync_id("f 12", 4, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idterm_as_indexed),
        cmocka_unit_test(test_sync_id),
    };
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
