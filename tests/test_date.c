/*
 * test_date.c - reading dates as news writes them: every form of
 * cti_date.h, the day/month order, two-digit years, what is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_date.h"

typedef struct dcase {
    const char *in;
    const char *out;
} dcase;

/* Each case reads as 'out' with the given order. */
static void check_ok(const dcase *c, size_t n, cti_date_order order)
{
    char out[9];
    for (size_t i = 0; i < n; i++) {
        memset(out, 'z', sizeof out);
        if (cti_date_read(c[i].in, order, out, NULL) != 0)
            fail_msg("'%s' was refused", c[i].in);
        if (strcmp(out, c[i].out) != 0)
            fail_msg("'%s' gave '%s', want '%s'", c[i].in, out, c[i].out);
    }
}

static void test_iso(void **state)
{
    (void)state;
    static const dcase ok[] = {
        { "2024", "20240000" },
        { "1790", "17900000" },
        { "2024-07", "20240700" },
        { "2024-07-15", "20240715" },
        { "2024-7-5", "20240705" },
        { "2024/07/15", "20240715" },
        { "2024.07.15", "20240715" },
        { " 2024-07-15T10:00:00Z ", "20240715" },
        { "2024-07-15T10:00:00.000+02:00", "20240715" },
        { "2024-07-15T23:30:00-0500", "20240715" },
        { "2024-07-15 10:00:00+02:00", "20240715" },
        { "2024-07-15 10:00 UTC", "20240715" },
        { "2024-07-15T10:00", "20240715" },
        { "February 29, 2024", "20240229" },
    };
    check_ok(ok, sizeof ok / sizeof *ok, CTI_DATE_MDY);
}

static void test_compact_and_unix(void **state)
{
    (void)state;
    static const dcase ok[] = {
        { "20171226", "20171226" },
        { "20171226 10:15:00", "20171226" },
    };
    check_ok(ok, sizeof ok / sizeof *ok, CTI_DATE_MDY);
    static const dcase unix_ok[] = {
        { "1514764800", "20180101" },        /* seconds */
        { "1514764800123", "20180101" },     /* milliseconds */
        { "1514764799", "20171231" },
        { "540000000", "19870211" },         /* nine digits: 1987 */
        { "1514764800.5", "20180101" },      /* a JSON real */
        { "1709285400", "20240301" },
    };
    check_ok(unix_ok, sizeof unix_ok / sizeof *unix_ok, CTI_DATE_MDY);
}

static void test_rfc2822_and_words(void **state)
{
    (void)state;
    static const dcase ok[] = {
        { "Tue, 26 Feb 1987 15:01:01 +0000", "19870226" },
        { "Mon, 15 Jul 2024 10:00:00 GMT", "20240715" },
        { "Thu, 01 Feb 2024 08:00:00 -0500 (EST)", "20240201" },
        { "26-FEB-1987 15:01:01.79", "19870226" },
        { "26 Feb 87", "19870226" },
        { "31-Dec-17", "20171231" },
        { "1-Feb-2020", "20200201" },
        { "February 14th, 2025", "20250214" },
        { "the 14th of February 2025", "20250214" },
        { "Friday, February 14, 2025 at 3:00 PM EST", "20250214" },
        { "Feb 14, 2025 3:00pm", "20250214" },
        { "Tue Feb 26 15:01:01 1987", "19870226" },
        { "July 15, 2024", "20240715" },
        { "july 15 2024", "20240715" },
        { "Jul 15 2024", "20240715" },
        { "Jul. 15, 2024", "20240715" },
        { "Sept 3, 2001", "20010903" },
        { "15 July 2024", "20240715" },
        { "1 Feb 2020", "20200201" },
        { "15th July 2024", "20240715" },
        { "July 2024", "20240700" },
        { "Monday, July 15, 2024", "20240715" },
        { "Mon, 15 Jul 2024 10:00:00 +0000", "20240715" },
        { "December 31, 2017", "20171231" },
    };
    check_ok(ok, sizeof ok / sizeof *ok, CTI_DATE_MDY);
}

static void test_numeric(void **state)
{
    (void)state;
    static const dcase either[] = {
        { "14/02/2005", "20050214" },   /* 14 can only be the day */
        { "12/28/2017", "20171228" },   /* 28 can only be the day */
        { "2-14-05", "20050214" },
        { "05/05/2005", "20050505" },
        { "12/28/2017 10:15 AM", "20171228" },
    };
    check_ok(either, sizeof either / sizeof *either, CTI_DATE_MDY);
    check_ok(either, sizeof either / sizeof *either, CTI_DATE_DMY);
    static const dcase mdy[] = { { "03/04/2005", "20050304" } };
    static const dcase dmy[] = { { "03/04/2005", "20050403" } };
    check_ok(mdy, 1, CTI_DATE_MDY);
    check_ok(dmy, 1, CTI_DATE_DMY);
    /* Dots: day first, whatever the order. */
    static const dcase dots[] = { { "03.04.2005", "20050403" },
                                  { "14.02.2005", "20050214" } };
    check_ok(dots, 2, CTI_DATE_MDY);

    char out[9];
    unsigned flags = 0;
    assert_int_equal(cti_date_read("03/04/2005", CTI_DATE_MDY, out, &flags), 0);
    assert_int_equal(flags & CTI_DATE_AMBIGUOUS, CTI_DATE_AMBIGUOUS);
    assert_int_equal(cti_date_read("14/02/2005", CTI_DATE_MDY, out, &flags), 0);
    assert_int_equal(flags, 0);
    assert_int_equal(cti_date_read("2024-03-04", CTI_DATE_DMY, out, &flags), 0);
    assert_int_equal(flags, 0);
    assert_string_equal(out, "20240304");   /* ISO never follows the order */
}

static void test_two_digit_years(void **state)
{
    (void)state;
    static const dcase ok[] = {
        { "31-Dec-68", "20681231" },   /* 00-68: 2000s */
        { "1-Jan-69", "19690101" },    /* 69-99: 1900s */
        { "01/02/00", "20000102" },
        { "12/31/99", "19991231" },
    };
    check_ok(ok, sizeof ok / sizeof *ok, CTI_DATE_MDY);
}

static void test_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "", "   ", "yesterday", "sometime last week", "2024-13-01",
        "2024-02-30", "2023-02-29", "2024-00-10", "July 32, 2024", "24",
        "202", "July", "15 2024", "2024-07-15garbage", "Julyy 15 2024",
        "Ju 15 2024", "2024-07-15T", "Funday, July 15, 2024", "12345",
        "July 15, 20245", "13/13/2005", "00/12/2005", "31/04/2005",
        "Feb 30, 2024", "15:00 July 15 2024", "Posted by Ann on July 15",
        "2024-07-15 banana", "12345678901234", "July 15, 2024 +0000",
        "1st 2nd July 2024", "July 15 2024 10:00 10:00",
    };
    char out[9];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (cti_date_read(bad[i], CTI_DATE_MDY, out, NULL) != -1)
            fail_msg("'%s' was accepted as '%.8s'", bad[i], out);
    assert_int_equal(cti_date_read(NULL, CTI_DATE_MDY, out, NULL), -1);
    assert_int_equal(cti_date_normalize(NULL, out), -1);
    assert_int_equal(cti_date_normalize("03/04/2005", out), 0);
    assert_string_equal(out, "20050304");
}

static void test_order_option(void **state)
{
    (void)state;
    cti_date_order o = CTI_DATE_DMY;
    assert_int_equal(cti_date_order_parse("mdy", &o), 0);
    assert_int_equal(o, CTI_DATE_MDY);
    assert_int_equal(cti_date_order_parse("DMY", &o), 0);
    assert_int_equal(o, CTI_DATE_DMY);
    assert_int_equal(cti_date_order_parse("ymd", &o), -1);
    assert_int_equal(cti_date_order_parse("", &o), -1);
    assert_int_equal(cti_date_order_parse(NULL, &o), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso),
        cmocka_unit_test(test_compact_and_unix),
        cmocka_unit_test(test_rfc2822_and_words),
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_two_digit_years),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_order_option),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
