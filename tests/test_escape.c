/*
 * test_escape.c - untrusted text shown on a terminal: what is escaped, how,
 * and which escape sequences a snippet drops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cti_escape.h"

/* What cti_escape_fwrite() writes for the 'n' bytes at 's' (caller frees). */
static char *shown(const char *s, size_t n)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(cti_escape_fwrite(f, s, n), 0);
    assert_int_equal(fclose(f), 0);
    return out;
}

static void check(const char *in, const char *want)
{
    char *got = shown(in, strlen(in));
    assert_string_equal(got, want);
    free(got);
}

static void test_plain_text_unchanged(void **state)
{
    (void)state;
    check("", "");
    check("/news/2024/a b.txt", "/news/2024/a b.txt");
    check("Caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80 \xC2\xA0nbsp", /* é — 😀 NBSP */
          "Caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80 \xC2\xA0nbsp");
    check("back\\slash", "back\\slash");
}

static void test_c0_and_del(void **state)
{
    (void)state;
    check("esc\x1B[31mred\x07.txt", "esc\\x1B[31mred\\x07.txt");
    check("tab\tnl\ncr\r", "tab\\x09nl\\x0Acr\\x0D");
    check("del\x7F", "del\\x7F");
    /* a NUL inside the bytes is shown too */
    char *got = shown("a\0b", 3);
    assert_string_equal(got, "a\\x00b");
    free(got);
}

static void test_c1_as_character_and_as_byte(void **state)
{
    (void)state;
    /* U+009B (CSI) written as UTF-8, and the raw byte 9B: each is shown,
       the character as \u, the byte as \x, so the two names differ. */
    check("char\xC2\x9B" "31m", "char\\u009B31m");
    check("byte\x9B" "31m", "byte\\x9B31m");
    check("\xC2\x80\xC2\x85\xC2\x9F", "\\u0080\\u0085\\u009F");
    check("\xC2\xA0", "\xC2\xA0"); /* U+00A0 is the first that is not C1 */
}

static void test_invalid_utf8_bytes(void **state)
{
    (void)state;
    check("\xFF\xFE", "\\xFF\\xFE");
    check("cut \xC3", "cut \\xC3");
    check("cut \xE2\x82 x", "cut \\xE2\\x82 x");
    check("over\xC0\xAFlong", "over\\xC0\\xAFlong");        /* overlong '/' */
    check("\xED\xA0\x80", "\\xED\\xA0\\x80");               /* a surrogate */
    check("\xF4\x90\x80\x80", "\\xF4\\x90\\x80\\x80");      /* above U+10FFFF */
    check("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF");          /* U+10FFFF itself */
}

static void test_bidi_controls(void **state)
{
    (void)state;
    check("invoice\xE2\x80\xAEtxt.exe", "invoice\\u202Etxt.exe");
    check("\xE2\x81\xA6x\xE2\x81\xA9", "\\u2066x\\u2069");
    check("\xD8\x9C", "\\u061C");
}

/* Whatever the bytes, the output holds no control byte and is valid UTF-8. */
static void test_any_bytes_come_out_safe(void **state)
{
    (void)state;
    unsigned seed = 12345;
    char in[64];
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 0; i < sizeof in; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)(seed >> 16);
        }
        char *out = shown(in, sizeof in);
        for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
            assert_false(*p < 0x20 || *p == 0x7F);
            char esc[CTI_ESCAPE_MAX];
            size_t n = cti_escape_next((const char *)p, strlen((const char *)p), esc);
            assert_string_equal(esc, "");
            p += n - 1;
        }
        free(out);
    }
}

static void test_next(void **state)
{
    (void)state;
    char esc[CTI_ESCAPE_MAX];
    assert_int_equal(cti_escape_next("a", 1, esc), 1);
    assert_string_equal(esc, "");
    assert_int_equal(cti_escape_next("\xE2\x80\x94", 3, esc), 3);
    assert_string_equal(esc, "");
    assert_int_equal(cti_escape_next("\xC2\x9B", 2, esc), 2);
    assert_string_equal(esc, "\\u009B");
    assert_int_equal(cti_escape_next("\xE2\x80\x94", 2, esc), 1); /* cut short */
    assert_string_equal(esc, "\\xE2");
}

static void test_sequences(void **state)
{
    (void)state;
#define SEQ(s) cti_escape_seq_len(s, sizeof s - 1)
    assert_int_equal(SEQ("plain"), 0);
    assert_int_equal(SEQ("\xC2\xA0"), 0);
    assert_int_equal(SEQ("\x1B[31mred"), 5);
    assert_int_equal(SEQ("\x1B[?1049hx"), 8);
    assert_int_equal(SEQ("\x1B]0;title\x07rest"), 10);
    assert_int_equal(SEQ("\x1B]0;title\x1B\\rest"), 11);
    assert_int_equal(SEQ("\x1B" "7x"), 2);
    assert_int_equal(SEQ("\x1B"), 1);
    assert_int_equal(SEQ("\x1B[12"), 4);        /* cut short by the end */
    assert_int_equal(SEQ("\xC2\x9B" "31mred"), 5); /* C1 CSI */
    assert_int_equal(SEQ("\xC2\x9D" "0;t\xC2\x9Cx"), 7); /* C1 OSC ... ST */
    assert_int_equal(SEQ("\xC2\x85x"), 0);      /* NEL starts none */
    /* an unterminated string longer than any sane one is its introducer */
    char *big = malloc(5000);
    big[0] = '\x1B';
    big[1] = ']';
    memset(big + 2, 'a', 4998);
    assert_int_equal(cti_escape_seq_len(big, 5000), 1);
    free(big);
    assert_true(cti_escape_is_control(0x1B) && cti_escape_is_control(0x9F));
    assert_false(cti_escape_is_control(0xA0) || cti_escape_is_control(' '));
    assert_true(cti_escape_is_bidi(0x202E));
    assert_false(cti_escape_is_bidi(0x2014));
}

/* A stream that cannot be written is an error, not a crash. */
static void test_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    setvbuf(f, NULL, _IONBF, 0);
    assert_int_equal(cti_escape_fputs(f, "a\x1B" "b"), CTI_EIO);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_unchanged),
        cmocka_unit_test(test_c0_and_del),
        cmocka_unit_test(test_c1_as_character_and_as_byte),
        cmocka_unit_test(test_invalid_utf8_bytes),
        cmocka_unit_test(test_bidi_controls),
        cmocka_unit_test(test_any_bytes_come_out_safe),
        cmocka_unit_test(test_next),
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests_name("escape", tests, NULL, NULL);
}
