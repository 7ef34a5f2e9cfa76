/*
 * test_schema.c - the computed parts of the index layout: id terms and
 * the id in a sync record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cti_schema.h"
#include "cti_shard.h"

/* Short ids as they are; long ones cut, with a hash of the whole. */
static void test_idterm(void **state)
{
    (void)state;
    char a[CTI_IDTERM_MAX + 1], want[64], id[400];
    assert_int_equal(cti_schema_idterm("n1", 2, a), 3);
    assert_string_equal(a, "Qn1");
    memset(id, 'x', sizeof id);
    assert_int_equal(cti_schema_idterm(id, CTI_IDTERM_MAX - 1, a), CTI_IDTERM_MAX);
    assert_int_equal(a[CTI_IDTERM_MAX - 1], 'x');
    assert_int_equal(cti_schema_idterm(id, sizeof id, a), CTI_IDTERM_MAX);
    snprintf(want, sizeof want, "#%016" PRIx64, cti_shard_hash(id, sizeof id));
    assert_string_equal(a + CTI_IDTERM_MAX - 17, want);
    assert_memory_equal(a, "Qxxx", 4);
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
        cmocka_unit_test(test_idterm),
        cmocka_unit_test(test_sync_id),
    };
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
