/*
 * fuzz_snippet.c - libFuzzer harness for snippets and highlighting.
 *
 * The input is article text (any bytes).  Its snippet and highlighted
 * title, for a fixed spec (words, a phrase, a NEAR group, a prefix), hold
 * valid UTF-8 with no control characters (an ESC in an article must never
 * reach a terminal), and in-order, non-overlapping spans that cover whole
 * characters; rendering adds escape sequences only in the ANSI style.
 * If the input starts with a line "?query", the spec comes from that query.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cti_analyzer.h"
#include "cti_query.h"
#include "cti_snippet.h"
#include "fuzz_util.h"

static cti_analyzer *snip_ana;
static cti_hl_spec *snip_spec;

static char *snip_dup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static void snip_item(cti_hl_item *it, const char *a, const char *b, int prefix)
{
    it->nstems = b ? 2 : 1;
    it->stems = calloc(it->nstems, sizeof *it->stems);
    if (!it->stems)
        abort();
    it->stems[0] = snip_dup(a);
    if (b)
        it->stems[1] = snip_dup(b);
    it->prefix = prefix;
}

/* campaign, "vice presid", NEAR/3(lina, khan), tech*, title:harri, author:x */
static void snip_setup(void)
{
    if (cti_analyzer_new("english", &snip_ana) != 0)
        abort();
    cti_hl_spec *s = calloc(1, sizeof *s);
    if (!s || !(s->groups = calloc(6, sizeof *s->groups)))
        abort();
    s->ngroups = 6;
    for (size_t g = 0; g < 6; g++) {
        s->groups[g].weight = 1.0 + (double)g;
        s->groups[g].nitems = g == 2 ? 2 : 1;
        s->groups[g].items = calloc(s->groups[g].nitems, sizeof(cti_hl_item));
        if (!s->groups[g].items)
            abort();
    }
    s->groups[0].kind = CTI_HL_WORD;
    snip_item(&s->groups[0].items[0], "campaign", NULL, 0);
    s->groups[1].kind = CTI_HL_PHRASE;
    snip_item(&s->groups[1].items[0], "vice", "presid", 0);
    s->groups[2].kind = CTI_HL_NEAR;
    s->groups[2].window = 3;
    snip_item(&s->groups[2].items[0], "lina", NULL, 0);
    snip_item(&s->groups[2].items[1], "khan", NULL, 0);
    s->groups[3].kind = CTI_HL_WORD;
    snip_item(&s->groups[3].items[0], "t", NULL, 1);
    s->groups[4].kind = CTI_HL_WORD;
    s->groups[4].field = CTI_HL_TITLE;
    snip_item(&s->groups[4].items[0], "harri", NULL, 0);
    s->groups[5].kind = CTI_HL_WORD;
    s->groups[5].field = CTI_HL_META;
    snip_item(&s->groups[5].items[0], "x", NULL, 0);
    snip_spec = s;
}

__attribute__((unused)) static void snip_teardown(void)
{
    cti_hl_spec_free(snip_spec);
    snip_spec = NULL;
    cti_analyzer_free(snip_ana);
    snip_ana = NULL;
}

static int snip_is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static void snip_check(const cti_snippet *s)
{
    FUZZ_CHECK(s->text != NULL);
    FUZZ_CHECK(strlen(s->text) == s->len);
    FUZZ_CHECK(fuzz_utf8_valid(s->text, s->len));
    FUZZ_CHECK(!fuzz_has_ctrl(s->text, s->len, 0));
    size_t prev = 0;
    for (size_t i = 0; i < s->nspans; i++) {
        FUZZ_CHECK(s->spans != NULL);
        FUZZ_CHECK(s->spans[i].start < s->spans[i].end);
        FUZZ_CHECK(s->spans[i].end <= s->len);
        FUZZ_CHECK(s->spans[i].start >= prev);
        FUZZ_CHECK(!snip_is_cont((unsigned char)s->text[s->spans[i].start]));
        FUZZ_CHECK(s->spans[i].end == s->len ||
                   !snip_is_cont((unsigned char)s->text[s->spans[i].end]));
        prev = s->spans[i].end;
    }
    static const cti_hl_style styles[] = {CTI_HL_STYLE_NONE, CTI_HL_STYLE_MARKERS,
                                          CTI_HL_STYLE_HTML, CTI_HL_STYLE_ANSI};
    for (size_t k = 0; k < 4; k++) {
        char *r = cti_snippet_render(s, styles[k], NULL, NULL);
        if (!r)
            continue; /* no memory */
        size_t rl = strlen(r);
        FUZZ_CHECK(fuzz_utf8_valid(r, rl));
        if (styles[k] != CTI_HL_STYLE_ANSI)
            FUZZ_CHECK(!fuzz_has_ctrl(r, rl, 0));
        if (styles[k] == CTI_HL_STYLE_NONE)
            FUZZ_CHECK(rl == s->len && memcmp(r, s->text, rl) == 0);
        if (styles[k] == CTI_HL_STYLE_HTML) {
            /* Only <mark> and </mark> tags: the text itself is escaped. */
            for (const char *p = strchr(r, '<'); p; p = strchr(p + 1, '<'))
                FUZZ_CHECK(strncmp(p, "<mark>", 6) == 0 ||
                           strncmp(p, "</mark>", 7) == 0);
        }
        free(r);
    }
}

static void snip_run(const cti_hl_spec *spec, const char *body, size_t len,
                     unsigned frag, unsigned size)
{
    cti_snippet s;
    cti_snippet_opts o = {frag, size};
    if (cti_snippet_build(snip_ana, spec, body, len, &o, &s) == 0) {
        snip_check(&s);
        cti_snippet_release(&s);
    }
    if (cti_snippet_title(snip_ana, spec, body, len > 4096 ? 4096 : len, &s) == 0) {
        snip_check(&s);
        cti_snippet_release(&s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!snip_ana)
        snip_setup();
    const char *body = (const char *)data;
    size_t len = size;
    unsigned frag = size ? data[size - 1] % 5 : 0;
    unsigned sz = size > 1 ? (unsigned)data[size - 2] * 4 : 0;

    if (size > 1 && data[0] == '?') {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t qlen = nl ? (size_t)(nl - data) - 1 : size - 1;
        char *qs = fuzz_strndup(data + 1, qlen);
        cti_query *q = NULL;
        if (qs && cti_query_parse(qs, snip_ana, 0, &q, NULL) == CTI_OK) {
            cti_hl_spec *spec = NULL;
            if (cti_query_highlights(q, NULL, 0, &spec) == CTI_OK) {
                size_t off = nl ? (size_t)(nl - data) + 1 : size;
                snip_run(spec, body + off, size - off, frag, sz);
                cti_hl_spec_free(spec);
            }
            cti_query_free(q);
        }
        free(qs);
        return 0;
    }
    snip_run(snip_spec, body, len, frag, sz);
    snip_run(NULL, body, len, 0, 0);
    return 0;
}
