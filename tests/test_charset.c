/*
 * test_charset.c - bytes in any encoding to valid UTF-8: validity, the
 * guess between UTF-8 and Windows-1252, declared charsets of web pages,
 * iconv conversions and the U+FFFD repair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_charset.h"

static void test_is_utf8(void **state)
{
    (void)state;
    assert_true(cti_charset_is_utf8("", 0));
    assert_true(cti_charset_is_utf8("plain ascii text, long enough", 29));
    assert_true(cti_charset_is_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
    assert_false(cti_charset_is_utf8("caf\xe9", 4));           /* Latin-1 */
    assert_false(cti_charset_is_utf8("\xc0\xaf", 2));           /* overlong */
    assert_false(cti_charset_is_utf8("\xed\xa0\x80", 3));       /* surrogate */
    assert_false(cti_charset_is_utf8("abc\xe2\x82", 5));        /* cut short */
}

static void test_guess(void **state)
{
    (void)state;
    /* Latin-1 / Windows-1252 text. */
    const char latin[] = "Caf\xe9 prices: \xa3" "3.50 \x96 \x93up\x94";
    assert_string_equal(cti_charset_guess(latin, sizeof latin - 1), CTI_CHARSET_CP1252);
    /* UTF-8 with one damaged byte stays UTF-8 (repaired later). */
    const char damaged[] = "caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e \xff";
    assert_string_equal(cti_charset_guess(damaged, sizeof damaged - 1), CTI_CHARSET_UTF8);
    assert_string_equal(cti_charset_guess("ascii", 5), CTI_CHARSET_UTF8);
    assert_string_equal(cti_charset_guess("\xff\xfeh\0i\0", 6), "UTF-16LE");
    assert_string_equal(cti_charset_guess("\xfe\xff\0h\0i", 6), "UTF-16BE");
    assert_string_equal(cti_charset_guess("\xef\xbb\xbfhi", 5), CTI_CHARSET_UTF8);
}

static void test_declared(void **state)
{
    (void)state;
    char cs[64];
    const char *meta5 = "<!DOCTYPE html><html><head><meta charset=\"windows-1251\">";
    assert_int_equal(cti_charset_declared(meta5, strlen(meta5), cs, sizeof cs), 1);
    assert_string_equal(cs, "windows-1251");
    const char *http = "<html><head><META HTTP-EQUIV=\"Content-Type\" "
                       "CONTENT=\"text/html; charset=ISO-8859-1\"></head>";
    assert_int_equal(cti_charset_declared(http, strlen(http), cs, sizeof cs), 1);
    assert_string_equal(cs, "ISO-8859-1");
    const char *xml = "<?xml version=\"1.0\" encoding='Shift_JIS'?><html>";
    assert_int_equal(cti_charset_declared(xml, strlen(xml), cs, sizeof cs), 1);
    assert_string_equal(cs, "Shift_JIS");
    const char *none = "<html><head><meta name=\"author\" content=\"x\"></head>";
    assert_int_equal(cti_charset_declared(none, strlen(none), cs, sizeof cs), 0);
    /* Only the first 4 KiB are looked at. */
    size_t n = 5000;
    char *late = malloc(n + 40);
    assert_non_null(late);
    memset(late, ' ', n);
    strcpy(late + n, "<meta charset=\"koi8-r\">");
    assert_int_equal(cti_charset_declared(late, strlen(late), cs, sizeof cs), 0);
    free(late);
    assert_int_equal(cti_charset_declared("\xff\xfe<\0", 4, cs, sizeof cs), 1);
    assert_string_equal(cs, "UTF-16LE");
}

static void test_to_utf8(void **state)
{
    (void)state;
    char *out;
    size_t n, bad;
    /* Windows-1252 (and Latin-1, read as browsers read it). */
    const char cp[] = "\xa3" "5 \x80" "3 \x93q\x94 caf\xe9";
    assert_int_equal(cti_charset_to_utf8(cp, sizeof cp - 1, "iso-8859-1", &out,
                                         &n, &bad), 0);
    assert_string_equal(out, "\xc2\xa3" "5 \xe2\x82\xac" "3 \xe2\x80\x9cq\xe2\x80\x9d caf\xc3\xa9");
    assert_int_equal(n, strlen(out));
    assert_int_equal(bad, 0);
    free(out);
    /* A byte Windows-1252 leaves undefined becomes U+FFFD. */
    assert_int_equal(cti_charset_to_utf8("a\x81" "b", 3, CTI_CHARSET_CP1252, &out,
                                         &n, &bad), 0);
    assert_string_equal(out, "a\xef\xbf\xbd" "b");
    assert_int_equal(bad, 1);
    free(out);
    /* Output that grows past its first guess, with undefined bytes at
       every point of it (the U+FFFD must always find room). */
    for (size_t k = 1; k < 64; k++) {
        char in[600];
        size_t m = 0;
        for (size_t i = 0; i < 200; i++) {
            in[m++] = (char)0x80;                      /* the euro: 3 bytes out */
            if (i % k == 0)
                in[m++] = (char)0x81;                  /* undefined */
        }
        assert_int_equal(cti_charset_to_utf8(in, m, CTI_CHARSET_CP1252, &out, &n,
                                             &bad), 0);
        assert_int_equal(n, 3 * m);
        assert_int_equal(bad, (199 / k) + 1);
        free(out);
    }
        /* UTF-16LE with a byte order mark (dropped), NUL turned into a space. */
    const char u16[] = "\xff\xfeh\0\xe9\0\0\0!\0";
    assert_int_equal(cti_charset_to_utf8(u16, sizeof u16 - 1, "UTF-16", &out, &n,
                                         NULL), 0);
    assert_string_equal(out, "h\xc3\xa9 !");
    free(out);
    /* Another legacy charset through iconv. */
    assert_int_equal(cti_charset_to_utf8("\xc1\xc2", 2, "koi8-r", &out, &n, NULL), 0);
    assert_string_equal(out, "\xd0\xb0\xd0\xb1");
    free(out);
    /* UTF-8 declared but damaged: repaired, counted. */
    assert_int_equal(cti_charset_to_utf8("\xef\xbb\xbf" "ok\xff", 6, "utf-8", &out,
                                         &n, &bad), 0);
    assert_string_equal(out, "ok\xef\xbf\xbd");
    assert_int_equal(bad, 1);
    free(out);
    assert_int_equal(cti_charset_to_utf8("x", 1, "no-such-charset", &out, &n, NULL), -2);
    assert_null(out);
}

static void test_repair(void **state)
{
    (void)state;
    size_t n;
    int repaired = 0;
    char *out = cti_charset_repair("a\0b", 3, &n, &repaired);
    assert_non_null(out);
    assert_string_equal(out, "a b");
    assert_int_equal(repaired, 0);      /* NUL bytes alone do not count */
    free(out);
    out = cti_charset_repair("x\xc3(\xff", 4, &n, &repaired);
    assert_string_equal(out, "x\xef\xbf\xbd(\xef\xbf\xbd");
    assert_int_equal(n, 8);
    assert_int_equal(repaired, 1);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_utf8),
        cmocka_unit_test(test_guess),
        cmocka_unit_test(test_declared),
        cmocka_unit_test(test_to_utf8),
        cmocka_unit_test(test_repair),
    };
    return cmocka_run_group_tests_name("charset", tests, NULL, NULL);
}
