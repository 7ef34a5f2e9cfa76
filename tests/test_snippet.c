/*
 * test_snippet.c - fragments and highlights on real articles.
 *
 * Articles come from corpus/ (campaign news) and tests/data/sotu/ (State
 * of the Union addresses); specs are built from words run through the
 * same analyzer as the index, or parsed from a query string.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <utf8proc.h>

#include "cti_analyzer.h"
#include "cti_query.h"
#include "cti_snippet.h"
#include "lib/fixture.h"

#define ELLIPSIS "\xE2\x80\xA6"

static cti_analyzer *A;

/* ------------------------------------------------------------ helpers */

typedef struct words {
    char *stem[16];
    char *text[16];
    size_t n;
} words;

static int collect(void *ctx, const cti_token *t)
{
    words *w = ctx;
    if (w->n < 16) {
        w->stem[w->n] = strdup(t->stem);
        w->text[w->n] = strdup(t->text);
        w->n++;
    }
    return 0;
}

static void words_free(words *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->stem[i]);
        free(w->text[i]);
    }
}

/* Append one group whose items are the given strings (each analyzed). */
static void add_group(cti_hl_spec *spec, int kind, int field, unsigned window,
                      double weight, int prefix, const char *const *strs,
                      size_t n)
{
    cti_hl_item items[8];
    words w[8];
    assert_true(n <= 8);
    memset(w, 0, sizeof w);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cti_analyze(A, strs[i], strlen(strs[i]), 0, collect, &w[i]), 0);
        assert_true(w[i].n > 0);
        items[i].stems = prefix ? w[i].text : w[i].stem;
        items[i].nstems = w[i].n;
        items[i].prefix = prefix;
    }
    assert_int_equal(cti_hl_spec_add(spec, kind, field, window, weight, items, n), 0);
    for (size_t i = 0; i < n; i++)
        words_free(&w[i]);
}

static void add_word(cti_hl_spec *s, int field, double weight, const char *word)
{
    add_group(s, CTI_HL_WORD, field, 0, weight, 0, &word, 1);
}

static void add_phrase(cti_hl_spec *s, double weight, const char *phrase)
{
    add_group(s, CTI_HL_PHRASE, CTI_HL_ANY, 0, weight, 0, &phrase, 1);
}

static void add_prefix(cti_hl_spec *s, const char *pre)
{
    add_group(s, CTI_HL_WORD, CTI_HL_ANY, 0, 1.0, 1, &pre, 1);
}

static void add_near(cti_hl_spec *s, unsigned window, const char *x, const char *y)
{
    const char *v[2] = {x, y};
    add_group(s, CTI_HL_NEAR, CTI_HL_ANY, window, 1.0, 0, v, 2);
}

/* A copy of span i of s. */
static char *span_text(const cti_snippet *s, size_t i)
{
    return strndup(s->text + s->spans[i].start, s->spans[i].end - s->spans[i].start);
}

/* Characters (code points) of s[0, n). */
static size_t nchars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* The properties every snippet has, whatever the input. */
static void check_clean(const cti_snippet *s)
{
    const unsigned char *p = (const unsigned char *)s->text;
    size_t i = 0;

    assert_non_null(s->text);
    assert_int_equal(strlen(s->text), s->len);
    while (i < s->len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(s->len - i), &cp);
        if (n <= 0)
            fail_msg("invalid UTF-8 at byte %zu of \"%s\"", i, s->text);
        assert_false(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F));
        assert_false((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069));
        if (cp == ' ')
            assert_true(i > 0 && i + 1 < s->len && p[i + 1] != ' ');
        i += (size_t)n;
    }
    for (size_t k = 0; k < s->nspans; k++) {
        const cti_span *sp = &s->spans[k];
        assert_true(sp->start < sp->end);
        assert_true(sp->end <= s->len);
        if (k > 0)
            assert_true(s->spans[k - 1].end < sp->start);
        assert_true((p[sp->start] & 0xC0) != 0x80);
        assert_true(sp->end == s->len || (p[sp->end] & 0xC0) != 0x80);
        assert_true(p[sp->start] != ' ' && p[sp->end - 1] != ' ');
    }
}

/* A copy of s with each whitespace run made one space. */
static char *collapse(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    for (; *s; s++) {
        int ws = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r';
        if (ws && (o == out || o[-1] == ' '))
            continue;
        *o++ = ws ? ' ' : *s;
    }
    *o = '\0';
    return out;
}

/* Number of fragments: the " … " separators plus one. */
static size_t nfragments(const cti_snippet *s)
{
    size_t n = 1;
    for (const char *q = s->text; (q = strstr(q, " " ELLIPSIS " ")); q += 5)
        n++;
    return n;
}

/* Characters of text, not counting the ellipses that join and end fragments. */
static size_t text_chars(const cti_snippet *s)
{
    size_t c = nchars(s->text, s->len);
    size_t sep = nfragments(s) - 1;
    c -= sep * 3;
    if (strncmp(s->text, ELLIPSIS " ", 4) == 0)
        c -= 2;
    if (s->len >= 4 && strcmp(s->text + s->len - 4, " " ELLIPSIS) == 0)
        c -= 2;
    return c;
}

static const cti_snippet_opts WHOLE = {1, 1000000};

/* ------------------------------------------------------------- tests */

static int setup(void **state)
{
    (void)state;
    return cti_analyzer_new("english", &A);
}

static int teardown(void **state)
{
    (void)state;
    cti_analyzer_free(A);
    return 0;
}

/* The README's query on the Harris article: the sentence where both match. */
static void test_lina_khan_antitrust(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("corpus/01-harris-courts-silicon-valley.txt", &len);
    cti_query *q = NULL;
    cti_hl_spec *spec = NULL;
    cti_query_error err;
    cti_snippet s;

    assert_int_equal(cti_query_parse("\"Lina Khan\" AND antitrust", A, 0, &q, &err), CTI_OK);
    assert_int_equal(cti_query_highlights(q, NULL, 0, &spec), CTI_OK);
    assert_int_equal(cti_snippet_build(A, spec, body, len, NULL, &s), 0);
    check_clean(&s);

    /* one fragment: the sentence holding the phrase and the word */
    assert_string_equal(s.text,
        ELLIPSIS " \xE2\x80\x9CIt would be very difficult for a Harris administration "
        "not to reappoint Lina Khan,\xE2\x80\x9D Stoppelman said, pushing back "
        "against calls to remove the antitrust enforcer. " ELLIPSIS);
    assert_int_equal(s.nspans, 2);
    char *a = span_text(&s, 0), *b = span_text(&s, 1);
    assert_string_equal(a, "Lina Khan");    /* the phrase is one span */
    assert_string_equal(b, "antitrust");
    free(a);
    free(b);

    char *out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_non_null(strstr(out, "reappoint [Lina Khan],"));
    assert_non_null(strstr(out, "the [antitrust] enforcer."));
    free(out);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    cti_query_free(q);
    free(body);
}

/* Parsed queries: excluded words and title: words never light the body. */
static void test_query_specs(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("corpus/01-harris-courts-silicon-valley.txt", &len);
    const char *queries[] = {"antitrust NOT cryptocurrency",
                             "antitrust -cryptocurrency",
                             "title:harris AND antitrust",
                             "author:harris antitrust", NULL};

    for (int i = 0; queries[i]; i++) {
        cti_query *q = NULL;
        cti_hl_spec *spec = NULL;
        cti_query_error err;
        cti_snippet s;
        assert_int_equal(cti_query_parse(queries[i], A, 0, &q, &err), CTI_OK);
        assert_int_equal(cti_query_highlights(q, NULL, 0, &spec), CTI_OK);
        assert_int_equal(cti_snippet_build(A, spec, body, len, &WHOLE, &s), 0);
        check_clean(&s);
        assert_non_null(strstr(s.text, "cryptocurrency"));
        assert_non_null(strstr(s.text, "Harris"));
        assert_int_equal(s.nspans, 4);      /* antitrust, and nothing else */
        for (size_t k = 0; k < s.nspans; k++) {
            char *t = span_text(&s, k);
            assert_string_equal(t, "antitrust");
            free(t);
        }
        cti_snippet_release(&s);

        /* the title lights title: words and bare words, not excluded ones */
        const char *title = "Harris and cryptocurrency antitrust";
        assert_int_equal(cti_snippet_title(A, spec, title, strlen(title), &s), 0);
        char *out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
        assert_string_equal(out, i == 2 ? "[Harris] and cryptocurrency [antitrust]"
                                        : "Harris and cryptocurrency [antitrust]");
        free(out);
        cti_snippet_release(&s);
        cti_hl_spec_free(spec);
        cti_query_free(q);
    }
    free(body);
}

/* A phrase lights up only where all its words stand together. */
static void test_phrase_only(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("corpus/01-harris-courts-silicon-valley.txt", &len);
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;

    add_phrase(spec, 1.0, "tech industry");
    assert_int_equal(cti_snippet_build(A, spec, body, len, &WHOLE, &s), 0);
    check_clean(&s);
    /* "tech" stands alone 11 more times, "industry" twice: none lit */
    assert_int_equal(s.nspans, 2);
    for (size_t i = 0; i < s.nspans; i++) {
        char *t = span_text(&s, i);
        assert_int_equal(strncasecmp(t, "tech industry", 13), 0);
        free(t);
    }
    assert_non_null(strstr(s.text, "Big Tech"));
    assert_non_null(strstr(s.text, "the industry express"));
    cti_snippet_release(&s);

    /* default size: the snippet shows a whole phrase, highlighted once */
    assert_int_equal(cti_snippet_build(A, spec, body, len, NULL, &s), 0);
    check_clean(&s);
    assert_true(s.nspans >= 1);
    for (size_t i = 0; i < s.nspans; i++) {
        char *t = span_text(&s, i);
        assert_int_equal(strncasecmp(t, "tech industry", 13), 0);
        free(t);
    }
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    free(body);
}

/* Every form with the same stem, and no word whose stem differs. */
static void test_stem_variants(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("corpus/01-harris-courts-silicon-valley.txt", &len);
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;

    add_word(spec, CTI_HL_ANY, 1.0, "regulate");
    assert_int_equal(cti_snippet_build(A, spec, body, len, &WHOLE, &s), 0);
    check_clean(&s);
    assert_int_equal(s.nspans, 2);
    char *a = span_text(&s, 0), *b = span_text(&s, 1);
    assert_string_equal(a, "regulation");
    assert_string_equal(b, "regulations");
    free(a);
    free(b);
    /* "regulatory" (stem regulatori) is in the text but not lit */
    char *out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_non_null(strstr(out, " regulatory environment"));
    assert_non_null(strstr(out, "cryptocurrency [regulation]."));
    assert_null(strstr(out, "[regulatory"));
    free(out);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    free(body);
}

/* The snippet of 'text' for 'spec' (freed here) lights exactly 'want'. */
static void expect_lit(cti_hl_spec *spec, const char *text,
                       const char *const *want, size_t nwant)
{
    cti_snippet s;
    assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), &WHOLE, &s), 0);
    assert_int_equal(s.nspans, nwant);
    for (size_t i = 0; i < s.nspans; i++) {
        char *t = span_text(&s, i);
        assert_string_equal(t, want[i]);
        free(t);
    }
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
}

/*
 * Only the tokens that may match are stemmed: those starting with the
 * first two bytes of a query stem, "dying", "lying" and "tying" (whose
 * stems change their second letter), and words of one or two letters
 * (left as they are).  Each of them still lights up where its stem does.
 */
static void test_stem_first_letters(void **state)
{
    (void)state;
    const char *text = "He was lying. The lie he told, lies and liars. "
                       "Dying men; we die, she died. Tying knots, a tie. "
                       "A is a; is it? Us, usually.";
    const char *stems[] = { "lie", "die", "tie", "a", "is", "us" };
    const char *want[] = { "lying", "lie", "lies", "Dying", "die", "died",
                           "Tying", "a", "tie", "A", "is", "a", "is", "Us" };
    cti_hl_spec *spec = cti_hl_spec_new();
    for (size_t i = 0; i < sizeof stems / sizeof *stems; i++)
        add_word(spec, CTI_HL_ANY, 1.0, stems[i]);
    expect_lit(spec, text, want, sizeof want / sizeof *want);

    /* stems whose last bytes are not their words': "possibl", "nobl"
       (not "Nobly": "nobli"), "studi"; a prefix "communi" (communi*); and
       words that start alike */
    const char *text2 = "Possibility, possible, possibly: possession. Nobly, "
                        "noble, nobody. Studies, studying, student. "
                        "Communities, community, commune.";
    const char *stems2[] = { "possibl", "nobl", "studi" };
    const char *want2[] = { "Possibility", "possible", "possibly",
                            "noble", "Studies", "studying", "Communities",
                            "community" };
    spec = cti_hl_spec_new();
    for (size_t i = 0; i < sizeof stems2 / sizeof *stems2; i++)
        add_word(spec, CTI_HL_ANY, 1.0, stems2[i]);
    add_prefix(spec, "communi");
    expect_lit(spec, text2, want2, sizeof want2 / sizeof *want2);
}

/*
 * A query of words starting with more different bytes than the scan's
 * pair table has rows (CTI_SCAN_PAIR_ROWS): every token may then match,
 * and each word still lights where it stands, the last ones too.
 */
static void test_stem_many_first_bytes(void **state)
{
    (void)state;
    char text[2048] = "", word[16];
    const char *want[40];
    char qwords[40][16];
    size_t n = 0;
    /* 26 letters and 9 digits: 35 first bytes */
    for (int c = 0; c < 35; c++) {
        char first = c < 26 ? (char)('a' + c) : (char)('1' + c - 26);
        snprintf(qwords[n], sizeof qwords[n], "%cork", first);
        n++;
    }
    cti_hl_spec *spec = cti_hl_spec_new();
    for (size_t i = 0; i < n; i++)
        add_word(spec, CTI_HL_ANY, 1.0, qwords[i]);
    /* the query's last three words only, among others */
    strcat(text, "Nothing here but ");
    for (size_t i = n - 3; i < n; i++) {
        snprintf(word, sizeof word, "%s and ", qwords[i]);
        strcat(text, word);
        want[i - (n - 3)] = qwords[i];
    }
    strcat(text, "the end.");
    expect_lit(spec, text, want, 3);
}

/* What the lazy stemming of snippets (cti_scan_stem()) relies on: the
   stem of every token of every address differs from the token in its
   last two bytes at most. */
typedef struct stem_reach {
    size_t tokens, moved;   /* tokens; those whose stem is not a prefix */
} stem_reach;

static int check_reach(void *ctx, const cti_token *t)
{
    stem_reach *r = ctx;
    size_t l = 0;
    while (l < t->stemlen && l < t->len && t->stem[l] == t->text[l])
        l++;
    if (t->stemlen > l + 2)
        fail_msg("'%.*s' stems to '%.*s': %zu bytes differ", (int)t->len, t->text,
                 (int)t->stemlen, t->stem, t->stemlen - l);
    r->tokens++;
    r->moved += l < t->stemlen;
    return 0;
}

static void test_stem_reach(void **state)
{
    (void)state;
    stem_reach r = { 0, 0 };
    DIR *d = opendir("tests/data/sotu");
    struct dirent *de;
    assert_non_null(d);
    while ((de = readdir(d))) {
        char name[600];
        size_t len;
        if (!strstr(de->d_name, ".txt"))
            continue;
        snprintf(name, sizeof name, "tests/data/sotu/%s", de->d_name);
        char *body = fixture_read(name, &len);
        cti_analyze(A, body, len, 0, check_reach, &r);
        free(body);
    }
    closedir(d);
    const char *odd = "dying lying tying possibility abilities nobly skies "
                      "generously communities happily";
    cti_analyze(A, odd, strlen(odd), 0, check_reach, &r);
    assert_true(r.tokens > 1000000);
    assert_true(r.moved > 1000); /* stems that end otherwise than their words */
}

/* The index's positions and the highlighter's agree: a property check. */
static int in_span(const cti_snippet *s, size_t start, size_t end)
{
    for (size_t i = 0; i < s->nspans; i++)
        if (start >= s->spans[i].start && end <= s->spans[i].end)
            return 1;
    return 0;
}

typedef struct prop {
    const cti_snippet *s;
    const char *stem;
    size_t lit, seen;
} prop;

static int check_token(void *ctx, const cti_token *t)
{
    prop *p = ctx;
    int want = strcmp(t->stem, p->stem) == 0;
    int lit = in_span(p->s, t->start, t->end);
    if (want != lit)
        fail_msg("token '%s' (stem %s) at %zu: lit %d, expected %d",
                 t->text, t->stem, t->start, lit, want);
    p->lit += lit;
    p->seen++;
    return 0;
}

static void test_property_sotu(void **state)
{
    (void)state;
    const char *files[] = {"tests/data/sotu/1790_george_washington_n.txt",
                           "tests/data/sotu/1890_benjamin_harrison_r.txt",
                           "tests/data/sotu/1941_franklin_d_roosevelt_d.txt",
                           "tests/data/sotu/2009_barack_obama_d.txt", NULL};
    const char *query[] = {"governments", "freedom", "taxes", NULL};

    for (int f = 0; files[f]; f++) {
        size_t len;
        char *body = fixture_read(files[f], &len);
        for (int w = 0; query[w]; w++) {
            cti_hl_spec *spec = cti_hl_spec_new();
            words ws = {0};
            cti_snippet s;
            add_word(spec, CTI_HL_ANY, 1.0, query[w]);
            cti_analyze(A, query[w], strlen(query[w]), 0, collect, &ws);
            assert_int_equal(cti_snippet_build(A, spec, body, len, &WHOLE, &s), 0);
            check_clean(&s);
            prop p = {&s, ws.stem[0], 0, 0};
            cti_analyze(A, s.text, s.len, 0, check_token, &p);
            assert_int_equal(p.lit, s.nspans);
            assert_true(p.seen > 1000);
            words_free(&ws);
            cti_snippet_release(&s);
            cti_hl_spec_free(spec);
        }
        free(body);
    }
}

/* NEAR/n: at most n words between, either order; farther pairs stay plain. */
static void test_near_window(void **state)
{
    (void)state;
    const char *text =
        "Alpha one two three beta stays. Then beta four five six seven alpha "
        "comes. Last alpha x x x x x x x x x x x x beta.";
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;

    add_near(spec, 3, "alpha", "beta");
    assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), &WHOLE, &s), 0);
    check_clean(&s);
    char *out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_string_equal(out,
        "[Alpha] one two three [beta] stays. Then beta four five six seven alpha "
        "comes. Last alpha x x x x x x x x x x x x beta.");
    free(out);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    /* NEAR/4 takes the second pair too, never the far third */
    spec = cti_hl_spec_new();
    add_near(spec, 4, "beta", "alpha");
    assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), &WHOLE, &s), 0);
    out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_string_equal(out,
        "[Alpha] one two three [beta] stays. Then [beta] four five six seven [alpha] "
        "comes. Last alpha x x x x x x x x x x x x beta.");
    free(out);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    /* every occurrence inside a stretch that holds them all, and no other */
    const char *rep = "alpha alpha beta gamma delta alpha";
    const char *want[] = {
        "alpha [alpha] [beta] gamma delta alpha",     /* NEAR/0: adjacent */
        "[alpha] [alpha] [beta] gamma delta alpha",   /* NEAR/1 */
        "[alpha] [alpha] [beta] gamma delta [alpha]", /* NEAR/2 */
    };
    for (unsigned win = 0; win < 3; win++) {
        spec = cti_hl_spec_new();
        add_near(spec, win, "alpha", "beta");
        assert_int_equal(cti_snippet_build(A, spec, rep, strlen(rep), NULL, &s), 0);
        out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
        assert_string_equal(out, want[win]);
        free(out);
        cti_snippet_release(&s);
        cti_hl_spec_free(spec);
    }

    /* a phrase inside NEAR counts all its words; three items at once */
    const char *ph = "The big apple is near the river. A big tree, an apple, a river.";
    for (unsigned win = 2; win <= 3; win++) {
        spec = cti_hl_spec_new();
        add_near(spec, win, "big apple", "river");
        assert_int_equal(cti_snippet_build(A, spec, ph, strlen(ph), NULL, &s), 0);
        out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
        assert_string_equal(out, win == 2 ? ph :
            "The [big apple] is near the [river]. A big tree, an apple, a river.");
        free(out);
        cti_snippet_release(&s);
        cti_hl_spec_free(spec);
    }
    const char *three = "one x two x three. Then words go by. one x x two x x three.";
    spec = cti_hl_spec_new();
    {
        const char *v[3] = {"one", "two", "three"};
        add_group(spec, CTI_HL_NEAR, CTI_HL_ANY, 2, 1.0, 0, v, 3);
    }
    assert_int_equal(cti_snippet_build(A, spec, three, strlen(three), NULL, &s), 0);
    out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_string_equal(out, "[one] x [two] x [three]. Then words go by. one x x two x x three.");
    free(out);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    /* a NEAR stretch longer than the snippet: the snippet keeps its size */
    char longtext[1024] = "Start alpha";
    for (int i = 0; i < 40; i++)
        strcat(longtext, i % 10 == 9 ? " filler." : " filler");
    strcat(longtext, " beta end.");
    spec = cti_hl_spec_new();
    add_near(spec, 50, "alpha", "beta");
    cti_snippet_opts small = {2, 80};
    assert_int_equal(cti_snippet_build(A, spec, longtext, strlen(longtext), &small, &s), 0);
    check_clean(&s);
    assert_true(text_chars(&s) <= 80 + 24);
    out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_non_null(strstr(out, "[alpha]"));
    free(out);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    /* on an article: 9 words stand between Khan and antitrust */
    size_t len;
    char *body = fixture_read("corpus/01-harris-courts-silicon-valley.txt", &len);
    spec = cti_hl_spec_new();
    add_near(spec, 8, "khan", "antitrust");
    assert_int_equal(cti_snippet_build(A, spec, body, len, &WHOLE, &s), 0);
    assert_int_equal(s.nspans, 0);  /* too far apart: no match, the opening */
    assert_int_equal(strncmp(s.text, "As the 2024", 11), 0);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    spec = cti_hl_spec_new();
    add_near(spec, 9, "khan", "antitrust");
    assert_int_equal(cti_snippet_build(A, spec, body, len, &WHOLE, &s), 0);
    assert_int_equal(s.nspans, 2);
    out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_non_null(strstr(out, "reappoint Lina [Khan],"));
    assert_non_null(strstr(out, "remove the [antitrust] enforcer"));
    free(out);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    free(body);
}

/* word*: every word whose stem starts with the prefix. */
static void test_prefix(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("corpus/01-harris-courts-silicon-valley.txt", &len);
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;

    add_prefix(spec, "crypto");
    assert_int_equal(cti_snippet_build(A, spec, body, len, &WHOLE, &s), 0);
    check_clean(&s);
    assert_int_equal(s.nspans, 3);
    for (size_t i = 0; i < s.nspans; i++) {
        char *t = span_text(&s, i);
        assert_string_equal(t, i == 1 ? "Cryptocurrency" : "cryptocurrency");
        free(t);
    }
    cti_snippet_release(&s);

    /* the default snippet shows a match */
    assert_int_equal(cti_snippet_build(A, spec, body, len, NULL, &s), 0);
    assert_true(s.nspans >= 1);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    free(body);
}

/* title: groups only in the title, metadata groups nowhere. */
static void test_fields(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("corpus/01-harris-courts-silicon-valley.txt", &len);
    const char *title = "Harris courts Silicon Valley on antitrust";
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;
    char *out;

    add_word(spec, CTI_HL_TITLE, 1.0, "harris");
    add_word(spec, CTI_HL_META, 1.0, "silicon");
    add_word(spec, CTI_HL_ANY, 1.0, "antitrust");

    assert_int_equal(cti_snippet_build(A, spec, body, len, &WHOLE, &s), 0);
    check_clean(&s);
    assert_int_equal(s.nspans, 4);  /* antitrust, four times; Harris never */
    for (size_t i = 0; i < s.nspans; i++) {
        char *t = span_text(&s, i);
        assert_string_equal(t, "antitrust");
        free(t);
    }
    cti_snippet_release(&s);

    assert_int_equal(cti_snippet_title(A, spec, title, strlen(title), &s), 0);
    check_clean(&s);
    out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, "<<", ">>");
    assert_string_equal(out, "<<Harris>> courts Silicon Valley on <<antitrust>>");
    free(out);
    cti_snippet_release(&s);

    /* only title and metadata groups: the body shows its opening, unlit */
    cti_hl_spec *t_only = cti_hl_spec_new();
    add_word(t_only, CTI_HL_TITLE, 1.0, "harris");
    add_word(t_only, CTI_HL_META, 1.0, "valley");
    assert_int_equal(cti_snippet_build(A, t_only, body, len, NULL, &s), 0);
    check_clean(&s);
    assert_int_equal(s.nspans, 0);
    assert_int_equal(strncmp(s.text, "As the 2024 U.S. presidential race", 34), 0);
    cti_snippet_release(&s);
    cti_hl_spec_free(t_only);
    cti_hl_spec_free(spec);
    free(body);
}

/* No body match, no spec, empty text: the opening, a whole-word cut. */
static void test_no_body_match(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("corpus/02-bloomberg-courts-big-tech-leaders.txt", &len);
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s, s2;
    cti_snippet_opts o = {2, 120};

    add_word(spec, CTI_HL_ANY, 1.0, "xylophones");
    assert_int_equal(cti_snippet_build(A, spec, body, len, &o, &s), 0);
    check_clean(&s);
    assert_int_equal(s.nspans, 0);
    assert_int_equal(nfragments(&s), 1);
    assert_int_equal(strncmp(s.text, "Mike Bloomberg\xE2\x80\x99s Campaign", 25), 0);
    assert_true(s.len > 4 && strcmp(s.text + s.len - 4, " " ELLIPSIS) == 0);
    assert_true(text_chars(&s) <= 120);
    assert_true(text_chars(&s) >= 80);
    /* the article's words, cut after a whole word */
    char *flat = collapse(body);
    size_t keep = s.len - 4;
    assert_int_equal(memcmp(s.text, flat, keep), 0);
    assert_true(flat[keep] == ' ');
    free(flat);

    /* a NULL spec gives the same */
    assert_int_equal(cti_snippet_build(A, NULL, body, len, &o, &s2), 0);
    assert_string_equal(s.text, s2.text);
    cti_snippet_release(&s2);
    cti_snippet_release(&s);

    /* empty and blank bodies */
    assert_int_equal(cti_snippet_build(A, spec, "", 0, NULL, &s), 0);
    assert_string_equal(s.text, "");
    assert_int_equal(s.nspans, 0);
    cti_snippet_release(&s);
    assert_int_equal(cti_snippet_build(A, spec, " \n\t\x01 ", 5, NULL, &s), 0);
    assert_string_equal(s.text, "");
    cti_snippet_release(&s);
    /* a short article is shown whole, without ellipsis */
    assert_int_equal(cti_snippet_build(A, spec, "  Short news.\n", 14, NULL, &s), 0);
    assert_string_equal(s.text, "Short news.");
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    free(body);
}

/* Accents, CJK and curly quotes: spans on character boundaries. */
static void test_multibyte(void **state)
{
    (void)state;
    const char *text =
        "Le caf\xC3\xA9 de la Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale. "
        "\xE4\xB8\xAD\xE6\x96\x87\xE6\x90\x9C\xE7\xB4\xA2\xE5\xBC\x95\xE6\x93\x8E"
        "\xE5\xBE\x88\xE5\xA5\xBD\xE3\x80\x82 "
        "\xE2\x80\x9CHarris\xE2\x80\x99s team,\xE2\x80\x9D she said.";
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;

    add_word(spec, CTI_HL_ANY, 1.0, "CAFE");
    add_word(spec, CTI_HL_ANY, 1.0, "societe");
    add_phrase(spec, 1.0, "\xE6\x90\x9C\xE7\xB4\xA2");  /* 搜索 */
    add_word(spec, CTI_HL_ANY, 1.0, "Harris's");
    assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), &WHOLE, &s), 0);
    check_clean(&s);
    assert_string_equal(s.text, text);
    assert_int_equal(s.nspans, 4);
    const char *want[] = {"caf\xC3\xA9", "Soci\xC3\xA9t\xC3\xA9",
                          "\xE6\x90\x9C\xE7\xB4\xA2", "Harris\xE2\x80\x99s"};
    for (size_t i = 0; i < 4; i++) {
        char *t = span_text(&s, i);
        assert_string_equal(t, want[i]);
        free(t);
    }
    cti_snippet_release(&s);

    /* small fragments of multibyte text are cut between characters */
    char big[8192];
    size_t n = 0;
    while (n + strlen(text) + 2 < sizeof big) {
        memcpy(big + n, text, strlen(text));
        n += strlen(text);
        big[n++] = ' ';
    }
    for (unsigned size = 5; size < 120; size += 7) {
        cti_snippet_opts o = {3, size};
        assert_int_equal(cti_snippet_build(A, spec, big, n, &o, &s), 0);
        check_clean(&s);
        assert_true(s.nspans >= 1);
        cti_snippet_release(&s);
    }
    cti_hl_spec_free(spec);
}

/* Control characters, escape sequences and bad UTF-8 never come through. */
static void test_hostile_text(void **state)
{
    (void)state;
    const char *text =
        "Evil \x1b[31mred\x1b[0m text\x1b]0;owned\x07 and \xE2\x80\xAE" "bidi "
        "\xC2\x9B" "c1\tand\r\n\nnew\x01line \xFF\xFE bad \xC3 cut \xE2\x82 "
        "over\xC0\xAFlong \xED\xA0\x80 surrogate end";
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;

    add_word(spec, CTI_HL_ANY, 1.0, "text");
    add_word(spec, CTI_HL_ANY, 1.0, "bidi");
    add_word(spec, CTI_HL_ANY, 1.0, "line");
    assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), &WHOLE, &s), 0);
    check_clean(&s);
    assert_null(strchr(s.text, '\x1b'));
    assert_null(strstr(s.text, "owned"));
    assert_null(strstr(s.text, "[31m"));
    /* U+009B is CSI: with its final byte "c" it is dropped like ESC [ c. */
    assert_non_null(strstr(s.text, "Evil red text and bidi 1 and new line "));
    assert_non_null(strstr(s.text, " bad \xEF\xBF\xBD cut "));
    char *out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_non_null(strstr(out, "red [text] and [bidi] 1 and new [line]"));
    free(out);
    cti_snippet_release(&s);

    /* the one control character of the State of the Union addresses */
    size_t len;
    char *body = fixture_read("tests/data/sotu/1890_benjamin_harrison_r.txt", &len);
    assert_non_null(memchr(body, '\x02', len));
    cti_hl_spec *bonds = cti_hl_spec_new();
    add_word(bonds, CTI_HL_ANY, 1.0, "redeemed");
    assert_int_equal(cti_snippet_build(A, bonds, body, len, NULL, &s), 0);
    check_clean(&s);
    assert_non_null(strstr(s.text, "4 and 4 1 per cent bonds"));
    cti_snippet_release(&s);
    assert_int_equal(cti_snippet_build(A, bonds, body, len, &WHOLE, &s), 0);
    check_clean(&s);
    cti_snippet_release(&s);
    cti_hl_spec_free(bonds);
    free(body);

    /* punctuation glued to a word is kept, but only a little of it */
    char glued[8192] = "Start ";
    memset(glued + 6, '=', 3000);
    strcpy(glued + 3006, "text");
    memset(glued + 3010, '!', 3000);
    strcpy(glued + 6010, " end.");
    assert_int_equal(cti_snippet_build(A, spec, glued, strlen(glued), NULL, &s), 0);
    check_clean(&s);
    assert_true(s.len < 80);
    assert_non_null(strstr(s.text, "==text!!"));
    cti_snippet_release(&s);

    /* a word of ten thousand letters: the snippet keeps about its size */
    char *giant = malloc(10100);
    strcpy(giant, "Start ");
    memset(giant + 6, 'a', 10000);
    strcpy(giant + 10006, " text end.");
    const char *pre = "aaa";
    cti_hl_spec *gs[3] = {cti_hl_spec_new(), cti_hl_spec_new(), cti_hl_spec_new()};
    add_word(gs[0], CTI_HL_ANY, 1.0, "text");
    add_word(gs[1], CTI_HL_ANY, 1.0, "nowhere");
    add_group(gs[2], CTI_HL_WORD, CTI_HL_ANY, 0, 1.0, 1, &pre, 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cti_snippet_build(A, gs[i], giant, strlen(giant), NULL, &s), 0);
        check_clean(&s);
        assert_true(s.len <= 2 * 200 + 64 + 16);
        cti_snippet_release(&s);
        cti_hl_spec_free(gs[i]);
    }
    free(giant);

    /* every byte value, and a title made of them */
    char all[512];
    for (int i = 0; i < 512; i++)
        all[i] = (char)(i * 37 + (i >> 3));
    assert_int_equal(cti_snippet_build(A, spec, all, sizeof all, NULL, &s), 0);
    check_clean(&s);
    cti_snippet_release(&s);
    assert_int_equal(cti_snippet_title(A, spec, all, sizeof all, &s), 0);
    check_clean(&s);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
}

/* Fragment count, size, order, sentence starts and the ellipses. */
static void test_fragments(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("tests/data/sotu/2009_barack_obama_d.txt", &len);
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;

    add_word(spec, CTI_HL_ANY, 3.0, "Afghanistan");
    add_word(spec, CTI_HL_ANY, 2.0, "mortgages");
    add_word(spec, CTI_HL_ANY, 1.0, "cancer");
    for (unsigned nf = 1; nf <= 4; nf++) {
        for (unsigned size = 60; size <= 400; size += 85) {
            cti_snippet_opts o = {nf, size};
            assert_int_equal(cti_snippet_build(A, spec, body, len, &o, &s), 0);
            check_clean(&s);
            size_t got = nfragments(&s);
            assert_true(got >= 1 && got <= (nf < 3 ? nf : 3));
            /* about 'size' characters: a word or punctuation more at most */
            assert_true(text_chars(&s) <= size + 12 * got);
            /* the fragments are pieces of the article, in text order */
            char *copy = strdup(s.text), *f = copy;
            const char *at = body;
            while (f) {
                char *next = strstr(f, ELLIPSIS);
                if (next) {
                    *next = '\0';
                    next += 3;
                }
                while (*f == ' ')
                    f++;
                size_t fl = strlen(f);
                while (fl && f[fl - 1] == ' ')
                    f[--fl] = '\0';
                if (fl) {
                    const char *hit = strstr(at, f);
                    if (!hit)
                        fail_msg("fragment \"%s\" not found in order", f);
                    /* starts at a word boundary */
                    assert_true(hit == body || hit[-1] == ' ' || hit[-1] == '\n');
                    at = hit + fl;
                }
                f = next;
            }
            free(copy);
            /* the heaviest group is always shown */
            char *out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
            assert_non_null(strstr(out, "[Afghanistan]"));
            if (nf >= 3 && size >= 230) {
                assert_non_null(strstr(out, "[mortgage"));   /* or mortgages */
                assert_non_null(strstr(out, "[cancer]"));
            }
            free(out);
            cti_snippet_release(&s);
        }
    }

    /* two groups in one stretch of 'size' characters: one fragment */
    const char *near =
        "Opening words of the article come first here. The budget grew "
        "while the committee met for many long weeks in the capital city, "
        "and the members argued at length over every single line of it until "
        "the pensions were finally settled. Then other news follows, at "
        "length, in sentences that say nothing much of interest to anyone.";
    cti_hl_spec *two = cti_hl_spec_new();
    add_word(two, CTI_HL_ANY, 1.0, "budget");
    add_word(two, CTI_HL_ANY, 1.0, "pensions");
    cti_snippet_opts o = {2, 200};
    assert_int_equal(cti_snippet_build(A, two, near, strlen(near), &o, &s), 0);
    assert_int_equal(nfragments(&s), 1);
    char *r = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_string_equal(r, ELLIPSIS " The [budget] grew while the committee met for many "
        "long weeks in the capital city, and the members argued at length over every "
        "single line of it until the [pensions] were finally settled. " ELLIPSIS);
    free(r);
    cti_snippet_release(&s);
    cti_hl_spec_free(two);

    /* two groups far apart, two fragments: one each, joined by " … " */
    assert_int_equal(cti_snippet_build(A, spec, body, len, &o, &s), 0);
    assert_int_equal(nfragments(&s), 2);
    assert_int_equal(strncmp(s.text, ELLIPSIS " ", 4), 0);
    assert_int_equal(strcmp(s.text + s.len - 4, " " ELLIPSIS), 0);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    free(body);
}

/* Rarer (heavier) groups win the room; a fragment starts a sentence. */
static void test_weights(void **state)
{
    (void)state;
    const char *text =
        "The first sentence talks about budgets and nothing else at all here. "
        "Some filler words follow so that the two topics stand far apart from "
        "each other in this text. Another filler sentence goes here as well. "
        "Finally the last sentence talks about pensions and then it ends.";
    cti_snippet_opts o = {1, 80};
    cti_snippet s;
    char *out;

    for (int flip = 0; flip < 2; flip++) {
        cti_hl_spec *spec = cti_hl_spec_new();
        add_word(spec, CTI_HL_ANY, flip ? 0.5 : 4.0, "budget");
        add_word(spec, CTI_HL_ANY, flip ? 4.0 : 0.5, "pension");
        assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), &o, &s), 0);
        out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
        if (!flip)
            assert_string_equal(out,
                "The first sentence talks about [budgets] and nothing else at all here. "
                ELLIPSIS);
        else
            assert_string_equal(out,
                ELLIPSIS " Finally the last sentence talks about [pensions] and then it ends.");
        free(out);
        cti_snippet_release(&s);
        cti_hl_spec_free(spec);
    }
}

/* Overlapping highlights merge; spans are byte offsets into the text. */
static void test_overlap_and_spans(void **state)
{
    (void)state;
    const char *text = "Chair Lina Khan spoke; Khan left.";
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;

    add_phrase(spec, 1.0, "lina khan");
    add_word(spec, CTI_HL_ANY, 1.0, "khan");
    assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), NULL, &s), 0);
    assert_string_equal(s.text, text);
    assert_int_equal(s.nspans, 2);
    assert_int_equal(s.spans[0].start, 6);
    assert_int_equal(s.spans[0].end, 15);
    assert_int_equal(s.spans[1].start, 23);
    assert_int_equal(s.spans[1].end, 27);
    cti_snippet_release(&s);
    cti_snippet_release(&s);    /* a released snippet releases again safely */
    cti_snippet_release(NULL);
    cti_hl_spec_free(spec);
    cti_hl_spec_free(NULL);
}

/* Runs of plain ASCII are copied whole: a first word longer than the
   snippet is cut at its size, spans inside a run keep their edges, and
   control characters between runs still become one space. */
static void test_ascii_runs(void **state)
{
    (void)state;
    char text[200];
    memset(text, 'x', 120);
    strcpy(text + 120, " and more");
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;
    cti_snippet_opts small = { 1, 50 };
    add_word(spec, CTI_HL_ANY, 1.0, "absent");
    assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), &small, &s), 0);
    assert_int_equal(s.len, 50 + strlen(" \xE2\x80\xA6"));
    assert_memory_equal(s.text, text, 50);
    assert_string_equal(s.text + 50, " \xE2\x80\xA6");
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    const char *t2 = "Chair:Lina\tKhan(FTC),\x01\x02" "antitrust.";
    spec = cti_hl_spec_new();
    add_word(spec, CTI_HL_ANY, 1.0, "khan");
    add_word(spec, CTI_HL_ANY, 1.0, "antitrust");
    assert_int_equal(cti_snippet_build(A, spec, t2, strlen(t2), NULL, &s), 0);
    assert_string_equal(s.text, "Chair:Lina Khan(FTC), antitrust.");
    assert_int_equal(s.nspans, 2);
    assert_int_equal(s.spans[0].start, 11);
    assert_int_equal(s.spans[0].end, 15);
    assert_int_equal(s.spans[1].start, 22);
    assert_int_equal(s.spans[1].end, 31);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
}

/* A word repeated in the query counts once; many groups stay cheap. */
static void test_repeated_groups(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("corpus/01-harris-courts-silicon-valley.txt", &len);
    cti_hl_spec *one = cti_hl_spec_new(), *many = cti_hl_spec_new();
    cti_snippet a, b;

    add_word(one, CTI_HL_ANY, 1.0, "tech");
    add_word(one, CTI_HL_ANY, 1.0, "valley");
    for (int i = 0; i < 300; i++)   /* not 299 times the weight of valley */
        add_word(many, CTI_HL_ANY, 1.0, i < 299 ? "tech" : "valley");
    assert_int_equal(cti_snippet_build(A, one, body, len, NULL, &a), 0);
    assert_int_equal(cti_snippet_build(A, many, body, len, NULL, &b), 0);
    assert_string_equal(a.text, b.text);
    assert_int_equal(a.nspans, b.nspans);
    assert_memory_equal(a.spans, b.spans, a.nspans * sizeof *a.spans);
    cti_snippet_release(&a);
    cti_snippet_release(&b);

    /* a one-letter prefix lights every word starting with it */
    cti_hl_spec *t = cti_hl_spec_new();
    add_prefix(t, "t");
    assert_int_equal(cti_snippet_build(A, t, body, len, NULL, &a), 0);
    check_clean(&a);
    assert_true(a.nspans >= 5);
    for (size_t i = 0; i < a.nspans; i++)
        assert_true(a.text[a.spans[i].start] == 't' || a.text[a.spans[i].start] == 'T');
    cti_snippet_release(&a);
    cti_hl_spec_free(t);
    cti_hl_spec_free(one);
    cti_hl_spec_free(many);
    free(body);
}

/* Plain, ANSI, markers, HTML (escaped). */
static void test_render(void **state)
{
    (void)state;
    const char *text = "<b>\"Tom\" & 'Jerry'</b> meet Tom";
    cti_hl_spec *spec = cti_hl_spec_new();
    cti_snippet s;
    char *out;

    add_word(spec, CTI_HL_ANY, 1.0, "tom");
    assert_int_equal(cti_snippet_build(A, spec, text, strlen(text), NULL, &s), 0);
    assert_string_equal(s.text, text);
    assert_int_equal(s.nspans, 2);

    out = cti_snippet_render(&s, CTI_HL_STYLE_NONE, NULL, NULL);
    assert_string_equal(out, text);
    free(out);
    out = cti_snippet_render(&s, CTI_HL_STYLE_HTML, NULL, NULL);
    assert_string_equal(out, "&lt;b&gt;&quot;<mark>Tom</mark>&quot; &amp; "
                             "&#39;Jerry&#39;&lt;/b&gt; meet <mark>Tom</mark>");
    free(out);
    out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, "{{", "}}");
    assert_string_equal(out, "<b>\"{{Tom}}\" & 'Jerry'</b> meet {{Tom}}");
    free(out);
    out = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, NULL, NULL);
    assert_string_equal(out, "<b>\"[Tom]\" & 'Jerry'</b> meet [Tom]");
    free(out);
    out = cti_snippet_render(&s, CTI_HL_STYLE_ANSI, NULL, NULL);
    assert_string_equal(out, "<b>\"\033[1;31mTom\033[0m\" & 'Jerry'</b> meet "
                             "\033[1;31mTom\033[0m");
    free(out);
    cti_snippet_release(&s);

    /* a zeroed snippet renders as the empty string */
    memset(&s, 0, sizeof s);
    out = cti_snippet_render(&s, CTI_HL_STYLE_HTML, NULL, NULL);
    assert_string_equal(out, "");
    free(out);
    cti_hl_spec_free(spec);
}

/* Every State of the Union address: clean snippets within the limits. */
static void test_all_sotu(void **state)
{
    (void)state;
    const char *data = getenv("CTI_TEST_DATA");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/sotu", data ? data : "tests/data");
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t files = 0, lit = 0;
    cti_hl_spec *spec = cti_hl_spec_new();

    assert_non_null(d);
    add_word(spec, CTI_HL_ANY, 1.0, "freedom");
    add_phrase(spec, 2.0, "united states");
    add_near(spec, 5, "peace", "war");
    add_prefix(spec, "tax");
    while ((de = readdir(d))) {
        char name[600];
        size_t len;
        cti_snippet s;
        if (!strstr(de->d_name, ".txt"))
            continue;
        snprintf(name, sizeof name, "tests/data/sotu/%s", de->d_name);
        char *body = fixture_read(name, &len);
        assert_int_equal(cti_snippet_build(A, spec, body, len, NULL, &s), 0);
        check_clean(&s);
        assert_true(nfragments(&s) <= 2);
        assert_true(text_chars(&s) <= 200 + 24);
        for (size_t i = 0; i < s.nspans; i++) {
            char *t = span_text(&s, i);
            assert_true(strncasecmp(t, "freedom", 7) == 0 ||
                        strncasecmp(t, "united states", 13) == 0 ||
                        strncasecmp(t, "peace", 5) == 0 ||
                        strncasecmp(t, "war", 3) == 0 ||
                        strncasecmp(t, "tax", 3) == 0);
            free(t);
        }
        lit += s.nspans > 0;
        files++;
        cti_snippet_release(&s);
        free(body);
    }
    closedir(d);
    assert_true(files >= 233);
    assert_true(lit >= 230);    /* nearly every address says one of them */
    cti_hl_spec_free(spec);
}


/* ------------------------------------------- long texts, sparse scan */

/* Build the snippet of body for spec both ways, the sparse scan and the
   whole-text scan, check they are the same, and return the first. */
static void build_both(const cti_hl_spec *spec, const char *body, size_t len,
                       const cti_snippet_opts *opts, cti_snippet *out,
                       const char *what)
{
    cti_snippet w;
    assert_int_equal(cti_snippet_build(A, spec, body, len, opts, out), 0);
    assert_int_equal(cti_snippet_build_whole(A, spec, body, len, opts, &w), 0);
    if (out->len != w.len || strcmp(out->text, w.text) != 0 ||
        out->nspans != w.nspans ||
        (w.nspans && memcmp(out->spans, w.spans, w.nspans * sizeof *w.spans)))
        fail_msg("%s: sparse \"%s\" (%zu spans), whole \"%s\" (%zu spans)",
                 what, out->text, out->nspans, w.text, w.nspans);
    check_clean(out);
    cti_snippet_release(&w);
}

static cti_hl_spec *query_spec(const char *text)
{
    cti_query *q = NULL;
    cti_hl_spec *spec = NULL;
    cti_query_error err;
    assert_int_equal(cti_query_parse(text, A, 0, &q, &err), CTI_OK);
    assert_int_equal(cti_query_highlights(q, NULL, 0, &spec), CTI_OK);
    cti_query_free(q);
    return spec;
}

/* The queries of make bench and a few more (one-letter words, short
   prefixes, numbers, long NEAR windows, and a real word after more
   different first bytes than a pair table has rows). */
static const char *const sparse_queries[] = {
    "government", "tax reform", "immigration OR border",
    "\"state of the union\"", "\"federal reserve\"", "tax NEAR/5 cut",
    "\"breaking up\" NEAR/5 tech", "terror*", "nuclear weapons NOT soviet",
    "peace NEAR/40 war", "a", "am*", "1945", "\"u.s\" congress",
    "freedom \"united states\" liberty",
    "aqz OR bqz OR cqz OR dqz OR eqz OR fqz OR gqz OR hqz OR iqz OR jqz OR "
    "kqz OR lqz OR mqz OR nqz OR oqz OR pqz OR qqz OR rqz OR sqz OR tqz OR "
    "uqz OR vqz OR xqz OR yqz OR zqz OR 0qz OR 1qz OR 2qz OR 3qz OR 4qz OR "
    "5qz OR 6qz OR war", NULL};
#define NSPARSE_QUERIES (sizeof sparse_queries / sizeof sparse_queries[0])

/*
 * Every address whose file name's fourth character is a digit d with
 * d % m == r (every fixture_sample()-th of them), read whole, and the snippets of every sparse query with
 * each of 'opts' built both ways on the 'ncuts' stretches of it that
 * 'cuts' gives (bytes from, from + cuts[c]; ncuts 0: the whole text).
 * Returns the number of texts built on.
 */
static size_t sparse_on_addresses(int m, int r, const cti_snippet_opts *opts,
                                  size_t nopts, const size_t *cuts, size_t ncuts)
{
    cti_hl_spec *specs[NSPARSE_QUERIES];
    size_t texts = 0;
    unsigned step = fixture_sample(), seen = 0;
    DIR *d = opendir("tests/data/sotu");
    struct dirent *de;

    assert_non_null(d);
    for (size_t q = 0; sparse_queries[q]; q++)
        specs[q] = query_spec(sparse_queries[q]);
    while ((de = readdir(d))) {
        char name[600];
        size_t len;
        if (!strstr(de->d_name, ".txt") || (de->d_name[3] - '0') % m != r ||
            seen++ % step != 0)
            continue;
        snprintf(name, sizeof name, "tests/data/sotu/%s", de->d_name);
        char *body = fixture_read(name, &len);
        for (size_t c = 0; c < (ncuts ? ncuts : 1); c++) {
            /* a cut starts past the address's heading, in its prose */
            size_t from = ncuts && len > 8000 ? 1000 : 0;
            size_t n = ncuts ? cuts[c] : len;
            if (from + n > len)
                break;
            for (size_t q = 0; sparse_queries[q]; q++)
                for (size_t o = 0; o < nopts; o++) {
                    cti_snippet s;
                    char what[700];
                    snprintf(what, sizeof what, "%s bytes %zu..%zu, query %s, %u x %u",
                             name, from, from + n, sparse_queries[q],
                             opts[o].fragments, opts[o].size);
                    build_both(specs[q], body + from, n, &opts[o], &s, what);
                    cti_snippet_release(&s);
                }
            texts++;
        }
        free(body);
    }
    closedir(d);
    for (size_t q = 0; sparse_queries[q]; q++)
        cti_hl_spec_free(specs[q]);
    return texts;
}

/* sparse_queries on every fourth address, with several fragment counts
   and sizes: the sparse scan's snippets are the whole-text scan's. */
static void test_sparse_same_sotu(void **state)
{
    (void)state;
    static const cti_snippet_opts opts[] = {{2, 200}, {1, 90}, {3, 500}};
    assert_true(sparse_on_addresses(4, 0, opts, 3, NULL, 0) >= 50 / fixture_sample());
}

/* Short texts, the length of wire stories and teasers: the openings of
   every eighth address cut at lengths from a few words to 4 KB, anywhere
   in a word or a sentence, give the same snippets both ways.  With
   200-character fragments a text under about 1.8 KB is tokenized whole
   either way; with 60-character ones the sparse scan takes texts from
   about 600 bytes on. */
static void test_sparse_short_texts(void **state)
{
    (void)state;
    static const size_t cuts[] = {1, 17, 60, 150, 333, 700, 1100, 1801, 2600, 4000};
    static const cti_snippet_opts opts[] = {{2, 200}, {1, 60}};
    assert_true(sparse_on_addresses(8, 1, opts, 2, cuts,
                                    sizeof cuts / sizeof cuts[0]) >= 200 / fixture_sample());
}

/* A long filler text (about 'bytes' bytes) of sentences of common words,
   with 'fill' spaces between words when > 1 and non-ASCII words when
   'multibyte'; deterministic. */
static char *filler(size_t bytes, int fill, int multibyte, size_t *len)
{
    static const char *const plain[] = {
        "the", "people", "of", "this", "nation", "have", "built", "roads",
        "and", "schools", "across", "every", "state", "with", "care", "for",
        "their", "neighbors", "while", "markets", "grew", "slowly", "in",
        "many", "towns", "along", "rivers"};
    static const char *const wide[] = {
        "naïve", "café", "“quoted”", "—", "Zürich", "東京", "señor", "ﬁnal",
        "Ελλάδα", "déjà"};
    char *t = malloc(bytes + 256);
    size_t n = 0, w = 0;
    uint32_t r = 12345;
    assert_non_null(t);
    while (n < bytes) {
        r = r * 1103515245u + 12345u;
        const char *word = multibyte && (r >> 16) % 5 == 0
                               ? wide[(r >> 8) % 10] : plain[(r >> 8) % 27];
        size_t wl = strlen(word);
        memcpy(t + n, word, wl);
        if (w == 0 && word[0] >= 'a' && word[0] <= 'z')
            t[n] = (char)(word[0] - 32);    /* a sentence's first word */
        n += wl;
        w++;
        if (w >= 8 + (r >> 20) % 9) {
            t[n++] = '.';
            if ((r >> 12) % 7 == 0)
                t[n++] = '\n';
            w = 0;
        }
        for (int k = 0; k < (fill > 1 ? fill : 1); k++)
            t[n++] = fill > 2 && k % 2 ? '\t' : ' ';
    }
    t[n] = '\0';
    *len = n;
    return t;
}

/* Write 'with' and a space over t from the start of the word at byte
   'at' on. */
static void put_words(char *t, size_t len, size_t at, const char *with)
{
    size_t wl = strlen(with);
    while (at > 0 && t[at - 1] != ' ')
        at--;
    assert_true(at + wl + 1 <= len);
    memcpy(t + at, with, wl);
    t[at + wl] = ' ';
}

/* Long texts where the snippet's words stand only at the very start, only
   at the very end, or cluster near the end: the sparse scan shows what
   the whole-text scan shows, and that is the right place. */
static void test_sparse_long_texts(void **state)
{
    (void)state;
    size_t len;
    cti_snippet s;
    char *t = filler(60000, 1, 0, &len);
    cti_hl_spec *spec = query_spec("zebra");

    /* the last word of the text */
    memcpy(t + len - 6, " zebra", 6);
    build_both(spec, t, len, NULL, &s, "zebra at the end");
    assert_int_equal(s.nspans, 1);
    assert_int_equal(s.spans[0].end, s.len);
    assert_true(strncmp(s.text, ELLIPSIS " ", 4) == 0);
    cti_snippet_release(&s);

    /* the first word of the text too: one fragment shows the word, the
       earlier one, which starts a sentence */
    memcpy(t, "Zebra", 5);
    build_both(spec, t, len, NULL, &s, "zebra at both ends");
    assert_int_equal(s.nspans, 1);
    assert_int_equal(s.spans[0].start, 0);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    /* lone words early, both words together near the end: that window */
    spec = query_spec("zebra giraffe");
    put_words(t, len, 3000, "giraffe");
    put_words(t, len, 9000, "zebra");
    put_words(t, len, len - 700, "zebra and one giraffe");
    build_both(spec, t, len, NULL, &s, "cluster near the end");
    assert_non_null(strstr(s.text, "zebra and one giraffe"));
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    /* a NEAR pair whose words are far apart: no match, the opening */
    spec = query_spec("zebra NEAR/3 okapi");
    put_words(t, len, len / 2, "okapi");
    build_both(spec, t, len, NULL, &s, "far NEAR");
    assert_int_equal(s.nspans, 0);
    assert_true(strncmp(s.text, "Zebra", 5) == 0);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    /* a phrase cut by the end of the text, and one whole before it */
    spec = query_spec("\"one giraffe zebra\"");
    memcpy(t + len - 10, "one giraff", 10);
    put_words(t, len, len / 3, "one giraffe zebra");
    build_both(spec, t, len, NULL, &s, "phrase");
    assert_int_equal(s.nspans, 1);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);

    /* a phrase whose words stand apart, with a dash and a symbol between
       them that are no words: still consecutive, still the phrase */
    spec = query_spec("\"okapi zebu\"");
    put_words(t, len, len / 4 * 3, "okapi \xE2\x80\x94 & zebu");
    build_both(spec, t, len, NULL, &s, "phrase across dashes");
    assert_int_equal(s.nspans, 1);
    char *lit = span_text(&s, 0);
    assert_string_equal(lit, "okapi \xE2\x80\x94 & zebu");
    free(lit);
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    free(t);
}

/*
 * Two words in one window of characters, with more bytes between them
 * than the window has characters ('repeats' times 'unit' between them),
 * after lone occurrences of both that start sentences: the sparse scan
 * tokenizes little of the text between the pair, and must still count
 * its characters to see that one fragment shows both words.
 */
static void pair_across(const char *unit, int repeats, const char *what)
{
    size_t len;
    cti_snippet s;
    char *t = filler(6000, 1, 0, &len);
    cti_hl_spec *spec = query_spec("zebra okapi");
    char pair[700] = "end. Zebra came. ";

    assert_true(strlen(pair) + repeats * strlen(unit) + 32 < sizeof pair);
    for (int i = 0; i < repeats; i++)
        strcat(pair, unit);
    strcat(pair, "last. Okapi went. Next");
    put_words(t, len, 1000, "end. Zebra ran. Next");
    put_words(t, len, 2500, "end. Okapi sat. Next");
    put_words(t, len, 4000, pair);
    build_both(spec, t, len, NULL, &s, what);
    assert_int_equal(s.nspans, 2);
    assert_non_null(strstr(s.text, "Zebra came."));
    assert_non_null(strstr(s.text, "Okapi went."));
    cti_snippet_release(&s);
    cti_hl_spec_free(spec);
    free(t);
}

/* Multibyte words: 5 characters, 7 bytes each. */
static void test_sparse_pair_across_gap(void **state)
{
    (void)state;
    pair_across("d\xC3\xA9j\xC3\xA0 ", 30, "pair across multibyte words");
}

/* Whitespace runs, one character each however many bytes, counted eight
   ASCII bytes at a time in the skipped text: 3 characters, 12 bytes. */
static void test_sparse_pair_across_spaces(void **state)
{
    (void)state;
    pair_across("ox          ", 40, "pair across whitespace runs");
}

/* Multibyte words, whitespace runs and tabs (more bytes than characters
   in the stretches tokenized), a run of text without spaces longer than
   a chunk, and words glued by joiners: the same snippets both ways. */
static void test_sparse_hard_texts(void **state)
{
    (void)state;
    static const char *const queries[] = {
        "zebra", "café", "東京", "zebra NEAR/4 café", "\"naïve café\"", "zür*",
        "final", NULL};
    for (int variant = 0; variant < 4; variant++) {
        size_t len;
        char *t = filler(50000, variant == 1 ? 3 : 1, variant != 0, &len);
        if (variant == 2) {
            /* 6000 bytes of hyphenated words without a space */
            for (size_t i = 20000; i < 26000; i += 6)
                memcpy(t + i, "zebra-", 6);
        }
        if (variant == 3)
            memset(t + 30000, ' ', 5000);   /* one long whitespace run */
        put_words(t, len, 10, "zebra");
        put_words(t, len, 25000, "zebra");
        put_words(t, len, 40000, "café zebra");
        put_words(t, len, len - 40, "Zebra");
        for (size_t q = 0; queries[q]; q++) {
            cti_hl_spec *spec = query_spec(queries[q]);
            static const cti_snippet_opts opts[] = {{2, 200}, {1, 40}, {4, 400}};
            for (size_t o = 0; o < 3; o++) {
                cti_snippet s;
                char what[200];
                snprintf(what, sizeof what, "variant %d, query %s, %u x %u",
                         variant, queries[q], opts[o].fragments, opts[o].size);
                build_both(spec, t, len, &opts[o], &s, what);
                cti_snippet_release(&s);
            }
            cti_hl_spec_free(spec);
        }
        free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lina_khan_antitrust),
        cmocka_unit_test(test_query_specs),
        cmocka_unit_test(test_phrase_only),
        cmocka_unit_test(test_stem_variants),
        cmocka_unit_test(test_stem_first_letters),
        cmocka_unit_test(test_stem_many_first_bytes),
        cmocka_unit_test(test_stem_reach),
        cmocka_unit_test(test_property_sotu),
        cmocka_unit_test(test_near_window),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_no_body_match),
        cmocka_unit_test(test_multibyte),
        cmocka_unit_test(test_hostile_text),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_overlap_and_spans),
        cmocka_unit_test(test_ascii_runs),
        cmocka_unit_test(test_repeated_groups),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_all_sotu),
        cmocka_unit_test(test_sparse_same_sotu),
        cmocka_unit_test(test_sparse_short_texts),
        cmocka_unit_test(test_sparse_long_texts),
        cmocka_unit_test(test_sparse_hard_texts),
        cmocka_unit_test(test_sparse_pair_across_gap),
        cmocka_unit_test(test_sparse_pair_across_spaces),
    };
    return cmocka_run_group_tests_name("snippet", tests, setup, teardown);
}
