/*
 * test_markup.c - cti_markup: what untrusted text becomes in HTML and URLs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cti_markup.h"

/* 'in' (n bytes) through cti_markup_text(). */
static char *text(const char *in, size_t n)
{
    cti_markup h;
    size_t len;
    cti_markup_init(&h);
    cti_markup_text(&h, in, n);
    char *r = cti_markup_take(&h, &len);
    assert_non_null(r);
    assert_int_equal(strlen(r), len);
    return r;
}

static void check_text(const char *in, size_t n, const char *want)
{
    char *r = text(in, n);
    assert_string_equal(r, want);
    free(r);
}

static void test_markup_escaped(void **state)
{
    (void)state;
    const char *t = "<script>alert(1)</script>";
    check_text(t, strlen(t), "&lt;script&gt;alert(1)&lt;/script&gt;");
    t = "\" onmouseover='x' & y";
    check_text(t, strlen(t), "&quot; onmouseover=&#39;x&#39; &amp; y");
    check_text("", 0, "");
    t = "Harris’s “Silicon Valley”";
    check_text(t, strlen(t), t); /* UTF-8 stays as it is */
}

static void test_bad_bytes_replaced(void **state)
{
    (void)state;
    /* Invalid UTF-8, overlongs, surrogates, NUL, control characters. */
    check_text("a\xFFz", 3, "a\xEF\xBF\xBDz");
    check_text("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");
    check_text("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    check_text("a\0b", 3, "a\xEF\xBF\xBD" "b");
    check_text("\x1B[31mred", 8, "\xEF\xBF\xBD[31mred");
    check_text("\xC2\x9B" "1m", 4, "\xEF\xBF\xBD" "1m");
    check_text("tab\there\nnl", 11, "tab\there\nnl");
    /* A cut character at the end. */
    check_text("caf\xC3", 4, "caf\xEF\xBF\xBD");
    /* Bidi overrides are dropped. */
    check_text("a\xE2\x80\xAE" "b\xE2\x81\xA6" "c", 9, "abc");
}

static void test_url_component(void **state)
{
    (void)state;
    cti_markup h;
    size_t len;
    cti_markup_init(&h);
    const char *q = "Lina Khan AND \"x\"&y=<z>/é#";
    cti_markup_url(&h, q, strlen(q));
    char *r = cti_markup_take(&h, &len);
    assert_string_equal(r, "Lina%20Khan%20AND%20%22x%22%26y%3D%3Cz%3E%2F%C3%A9%23");
    free(r);
    cti_markup_url(&h, "a\0b", 3);
    r = cti_markup_take(&h, &len);
    assert_string_equal(r, "a%00b");
    free(r);
}

static void test_builder(void **state)
{
    (void)state;
    cti_markup h;
    size_t len;
    cti_markup_init(&h);
    char *r = cti_markup_take(&h, &len); /* nothing appended: "" */
    assert_string_equal(r, "");
    assert_int_equal(len, 0);
    free(r);
    for (int i = 0; i < 10000; i++)
        cti_markup_printf(&h, "<p>%d</p>", i);
    cti_markup_str(&h, NULL);
    assert_int_equal(cti_markup_status(&h), CTI_OK);
    r = cti_markup_take(&h, &len);
    assert_int_equal(strlen(r), len);
    assert_non_null(strstr(r, "<p>9999</p>"));
    free(r);
    /* After a failed append the buffer gives nothing. */
    cti_markup_raw(&h, "x");
    h.nomem = 1;
    assert_int_equal(cti_markup_status(&h), CTI_ENOMEM);
    assert_null(cti_markup_take(&h, &len));
    assert_int_equal(h.len, 0);
}

static void test_valid_utf8(void **state)
{
    (void)state;
    assert_true(cti_markup_valid_utf8("", 0));
    assert_true(cti_markup_valid_utf8("José 日本 😀", strlen("José 日本 😀")));
    assert_false(cti_markup_valid_utf8("a\0", 2));
    assert_false(cti_markup_valid_utf8("\xFF", 1));
    assert_false(cti_markup_valid_utf8("\xE6\x97", 2));
    assert_false(cti_markup_valid_utf8("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup_escaped),
        cmocka_unit_test(test_bad_bytes_replaced),
        cmocka_unit_test(test_url_component),
        cmocka_unit_test(test_builder),
        cmocka_unit_test(test_valid_utf8),
    };
    return cmocka_run_group_tests_name("markup", tests, NULL, NULL);
}
