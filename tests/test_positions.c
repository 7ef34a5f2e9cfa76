/*
 * test_positions.c - the position blob: what is written reads back, and
 * damaged blobs are refused with CTI_ECORRUPT, never read past their end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_positions.h"

/* Three terms: two positions, none, one large position. */
static void build(cti_posblob *b)
{
    static const uint32_t a[] = { 1, 1000 };
    static const uint32_t c[] = { UINT32_MAX };
    cti_posblob_init(b);
    assert_int_equal(cti_posblob_reset(b), CTI_OK);
    assert_int_equal(cti_posblob_add(b, a, 2), CTI_OK);
    assert_int_equal(cti_posblob_add(b, NULL, 0), CTI_OK);
    assert_int_equal(cti_posblob_add(b, c, 1), CTI_OK);
}

static void test_round_trip(void **state)
{
    (void)state;
    cti_posblob b;
    cti_posreader r;
    uint32_t out[4];
    size_t n = 99;
    build(&b);
    /* version, count 2, 1, 999 (2 bytes), count 0, count 1, 2^32-1 (5). */
    assert_int_equal(b.len, 1 + 1 + 1 + 2 + 1 + 1 + 5);
    assert_int_equal(cti_posreader_init(&r, b.data, b.len), CTI_OK);
    assert_int_equal(cti_posreader_count(&r, &n), CTI_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cti_posreader_read(&r, out, n), CTI_OK);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 1000);
    assert_int_equal(cti_posreader_count(&r, &n), CTI_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cti_posreader_skip(&r, 0), CTI_OK);
    assert_int_equal(cti_posreader_count(&r, &n), CTI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cti_posreader_read(&r, out, n), CTI_OK);
    assert_int_equal(out[0], UINT32_MAX);
    assert_int_equal(cti_posreader_count(&r, &n), CTI_DONE);
    /* Skipping steps over the same bytes reading does. */
    assert_int_equal(cti_posreader_init(&r, b.data, b.len), CTI_OK);
    assert_int_equal(cti_posreader_count(&r, &n), CTI_OK);
    assert_int_equal(cti_posreader_skip(&r, n), CTI_OK);
    assert_int_equal(cti_posreader_count(&r, &n), CTI_OK);
    assert_int_equal(n, 0);
    cti_posblob_free(&b);
    cti_posblob_free(NULL);
}

/* Positions must strictly increase; a bad list leaves the blob as it was. */
static void test_refuses_unsorted(void **state)
{
    (void)state;
    static const uint32_t same[] = { 5, 5 }, down[] = { 9, 3 };
    cti_posblob b;
    cti_posblob_init(&b);
    assert_int_equal(cti_posblob_add(&b, same, 2), CTI_EINVAL);
    assert_int_equal(cti_posblob_add(&b, down, 2), CTI_EINVAL);
    assert_int_equal(b.len, 0);
    /* The first add writes the version byte itself. */
    assert_int_equal(cti_posblob_add(&b, down + 1, 1), CTI_OK);
    assert_int_equal(b.len, 3);
    assert_int_equal(b.data[0], CTI_POSITIONS_VERSION);
    cti_posblob_free(&b);
}

/* Read every term of blob[0, len): CTI_OK at its clean end, or the
   first error (each read into a buffer of exactly the count). */
static cti_status read_all(const unsigned char *blob, size_t len)
{
    cti_posreader r;
    cti_status st = cti_posreader_init(&r, blob, len);
    size_t n;
    while (st == CTI_OK && (st = cti_posreader_count(&r, &n)) == CTI_OK) {
        uint32_t *out = malloc((n ? n : 1) * sizeof *out);
        assert_non_null(out);
        st = cti_posreader_read(&r, out, n);
        free(out);
    }
    return st == CTI_DONE ? CTI_OK : st;
}

/* Every cut of a good blob either ends on a term boundary (a shorter,
   valid blob) or is refused; never a read past the end (ASan). */
static void test_truncated(void **state)
{
    (void)state;
    cti_posblob b;
    build(&b);
    size_t ok = 0;
    for (size_t cut = 0; cut < b.len; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, b.data, cut);
        cti_status st = read_all(copy, cut);
        assert_true(st == CTI_OK || st == CTI_ECORRUPT);
        ok += st == CTI_OK;
        free(copy);
    }
    /* The term boundaries: after the version, after each term. */
    assert_int_equal(ok, 3);
    assert_int_equal(read_all(b.data, b.len), CTI_OK);
    cti_posblob_free(&b);
}

static void test_corrupt(void **state)
{
    (void)state;
    /* Another version; empty. */
    static const unsigned char v2[] = { 2, 0 };
    assert_int_equal(read_all(v2, sizeof v2), CTI_ECORRUPT);
    assert_int_equal(read_all(NULL, 0), CTI_ECORRUPT);
    /* A count larger than the bytes left. */
    static const unsigned char big[] = { 1, 0x7f, 1, 1 };
    assert_int_equal(read_all(big, sizeof big), CTI_ECORRUPT);
    /* A varint that never ends, and one past 32 bits. */
    static const unsigned char endless[] = { 1, 1, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff };
    assert_int_equal(read_all(endless, sizeof endless), CTI_ECORRUPT);
    static const unsigned char wide[] = { 1, 1, 0xff, 0xff, 0xff, 0xff, 0x7f };
    assert_int_equal(read_all(wide, sizeof wide), CTI_ECORRUPT);
    /* A zero delta (a repeated position), and positions past 2^32 - 1. */
    static const unsigned char zero[] = { 1, 2, 5, 0 };
    assert_int_equal(read_all(zero, sizeof zero), CTI_ECORRUPT);
    static const unsigned char over[] = { 1, 2, 0xff, 0xff, 0xff, 0xff, 0x0f,
                                          1 };
    assert_int_equal(read_all(over, sizeof over), CTI_ECORRUPT);
    /* Skipping a cut varint. */
    cti_posreader r;
    size_t n;
    static const unsigned char cut[] = { 1, 1, 0x80 };
    assert_int_equal(cti_posreader_init(&r, cut, sizeof cut), CTI_OK);
    assert_int_equal(cti_posreader_count(&r, &n), CTI_OK);
    assert_int_equal(cti_posreader_skip(&r, n), CTI_ECORRUPT);
    /* Random bytes after a good version byte: refused or read, never
       past the end. */
    unsigned char junk[64];
    srand(17);
    for (int round = 0; round < 2000; round++) {
        size_t len = 1 + (size_t)rand() % sizeof junk;
        junk[0] = CTI_POSITIONS_VERSION;
        for (size_t i = 1; i < len; i++)
            junk[i] = (unsigned char)rand();
        unsigned char *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, junk, len);
        cti_status st = read_all(copy, len);
        assert_true(st == CTI_OK || st == CTI_ECORRUPT);
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refuses_unsorted),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt),
    };
    return cmocka_run_group_tests_name("positions", tests, NULL, NULL);
}
