/*
 * test_units.c - sizes, durations, rates and counts in units that fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cti_units.h"

static void test_sizes(void **state)
{
    (void)state;
    static const struct {
        uint64_t n;
        const char *want;
    } cases[] = {
        { 0, "0 bytes" }, { 1, "1 byte" }, { 999, "999 bytes" },
        { 1000, "1.0 KB" }, { 14253, "14.3 KB" }, { 99949, "99.9 KB" },
        { 512000, "512 KB" }, { 999499, "999 KB" }, { 999500, "1.0 MB" },
        { 1200000, "1.2 MB" }, { 123456789, "123 MB" },
        { 3400000000ULL, "3.4 GB" }, { 5000000000000ULL, "5.0 TB" },
    };
    char buf[CTI_UNITS_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(cti_units_size(cases[i].n, buf, sizeof buf),
                            cases[i].want);
}

static void test_durations(void **state)
{
    (void)state;
    static const struct {
        double s;
        const char *want;
    } cases[] = {
        { 0, "0.0 ms" }, { 0.0004, "0.4 ms" }, { 0.018, "18 ms" },
        { 0.9994, "999 ms" }, { 1.25, "1.25 s" }, { 42, "42.0 s" },
        { 185, "3 min 5 s" }, { 7380, "2 h 3 min" }, { -1, "0.0 ms" },
    };
    char buf[CTI_UNITS_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(cti_units_duration(cases[i].s, buf, sizeof buf),
                            cases[i].want);
}

static void test_rates_and_counts(void **state)
{
    (void)state;
    char buf[CTI_UNITS_LEN];
    assert_string_equal(cti_units_rate(200, buf, sizeof buf), "200 bytes/s");
    assert_string_equal(cti_units_rate(850000, buf, sizeof buf), "850 KB/s");
    assert_string_equal(cti_units_rate(10.2e6, buf, sizeof buf), "10.2 MB/s");
    assert_string_equal(cti_units_count(1, "article", "articles", buf, sizeof buf),
                        "1 article");
    assert_string_equal(cti_units_count(0, "article", "articles", buf, sizeof buf),
                        "0 articles");
    assert_string_equal(cti_units_count(12034, "article", "articles", buf,
                                        sizeof buf), "12,034 articles");
    assert_string_equal(cti_units_thousands(1234567, buf, sizeof buf), "1,234,567");
    assert_string_equal(cti_units_thousands(999, buf, sizeof buf), "999");
    /* A short buffer is cut, never overrun. */
    char small[4];
    assert_string_equal(cti_units_thousands(1234567, small, sizeof small), "1,2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_rates_and_counts),
    };
    return cmocka_run_group_tests_name("units", tests, NULL, NULL);
}
