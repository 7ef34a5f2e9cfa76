/*
 * test_alloc.c - every allocation made to fail, one at a time.
 *
 * The binary is linked with -Wl,--wrap for malloc, calloc, realloc,
 * strdup and strndup (see the Makefile), so every call from the library
 * and from the C libraries linked statically (jansson, utf8proc,
 * libstemmer, libcsv) passes through the counters below.  For each step
 * (reading a text file, a JSON line, a web page and a CSV table; the
 * analyzer; the query parser; snippets) the sweep runs the step once to
 * learn its result and how many allocations it makes, then once for every
 * N, making the Nth allocation fail.  Each run must end either in the
 * same result as the clean run or in a clear error (CTI_ENOMEM, or an
 * input reported as failed with a message); a crash fails the test, and
 * under make SANITIZE=1 LeakSanitizer reports anything a failing path
 * leaked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cti_analyzer.h"
#include "cti_article.h"
#include "cti_query.h"
#include "cti_snippet.h"
#include "cti_source.h"

/* ------------------------------------------------ the failing allocator */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long fail_at;   /* the allocation to fail (1-based); 0: none */
static long counted;   /* allocations seen since the counter was armed */
static int armed;      /* count (and fail) only while armed */
static int failed;     /* 1 once the fault was injected */

/* 1 if this allocation is the one to fail. */
static int should_fail(void)
{
    if (!armed)
        return 0;
    if (++counted == fail_at) {
        failed = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return should_fail() ? NULL : __real_strndup(s, n);
}

static void arm(long n)
{
    fail_at = n;
    counted = 0;
    failed = 0;
    armed = 1;
}

static void disarm(void)
{
    armed = 0;
}

/*
 * A step under test: run it with the allocator armed, store what it
 * produced in a new string *out (NULL when it failed), and say whether
 * the failure was reported clearly.  Returns 1 for a clean error, 0 for
 * success.
 */
typedef int (*step_fn)(void *ctx, char **out);

/*
 * Run 'fn' once unarmed-for-failure to learn its result and allocation
 * count, then once per allocation with that allocation failing.  Each run
 * must give the same result or report an error.  Returns the count.
 */
static long sweep(const char *name, step_fn fn, void *ctx)
{
    char *want = NULL;
    arm(0);
    int err = fn(ctx, &want);
    long total = counted;
    disarm();
    if (err || !want)
        fail_msg("%s: fails without any fault injected", name);

    long errors = 0;
    for (long n = 1; n <= total; n++) {
        char *got = NULL;
        arm(n);
        err = fn(ctx, &got);
        disarm();
        if (!failed) {
            /* The step took another path and made fewer allocations. */
            free(got);
            continue;
        }
        if (err) {
            errors++;
            assert_null(got);
            continue;
        }
        if (!got || strcmp(got, want) != 0)
            fail_msg("%s: allocation %ld of %ld failed, and the step reported success "
                     "with a different result:\n  want: %s\n  got:  %s",
                     name, n, total, want, got ? got : "(null)");
        free(got);
    }
    print_message("%s: %ld allocations, %ld clean errors\n", name, total, errors);
    assert_true(total > 0);
    free(want);
    return total;
}

/* A growing string built while the allocator is disarmed. */
typedef struct buf {
    char *s;
    size_t len;
} buf;

static void buf_add(buf *b, const char *fmt, ...)
{
    int was = armed;
    va_list ap;
    char tmp[1024];
    armed = 0;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if ((size_t)n >= sizeof tmp)
        n = (int)sizeof tmp - 1;
    char *s = realloc(b->s, b->len + (size_t)n + 1);
    assert_non_null(s);
    memcpy(s + b->len, tmp, (size_t)n + 1);
    b->s = s;
    b->len += (size_t)n;
    armed = was;
}

/* ------------------------------------------------------- the inputs */

static char dir[] = "/tmp/cti-test-alloc-XXXXXX";

static const char TEXT[] =
    "---\n"
    "title: Khan courts Silicon Valley\n"
    "date: 2024-07-21\n"
    "author: A. Reporter\n"
    "---\n"
    "Lina Khan, chair of the Federal Trade Commission, met leaders of the\n"
    "technology industry in Silicon Valley on Friday. The antitrust agenda\n"
    "of the government was the subject of the meeting.\n";

static const char JSONL[] =
    "{\"id\":\"art-1\",\"title\":\"Antitrust in the Valley\",\"date\":\"March 4, 2024\","
    "\"author\":\"B. Writer\",\"source\":\"Wire\",\"url\":\"https://example.com/a\","
    "\"text\":\"The commission's chair spoke about antitrust cases \\u00e9t\\u00e9 and "
    "the leaders of big technology companies.\"}\n";

static const char HTML[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
    "<title>Khan in Silicon Valley - Example News</title>"
    "<meta property=\"article:published_time\" content=\"2024-07-21T10:00:00Z\">"
    "<meta name=\"author\" content=\"C. Author\">"
    "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\","
    "\"@type\":\"NewsArticle\",\"headline\":\"Khan meets the Valley\","
    "\"publisher\":{\"@type\":\"Organization\",\"name\":\"Example News\"}}</script></head>"
    "<body><nav>Home | World</nav><article><h1>Khan in Silicon Valley</h1>"
    "<p>Lina Khan met technology leaders on Friday &amp; spoke of antitrust.</p>"
    "<p>The meeting lasted two hours.</p></article></body></html>\n";

static const char CSV[] =
    "id,title,date,text\n"
    "c1,First row,2024-01-02,\"Antitrust leaders, in a quoted field\"\n"
    "c2,Second row,02/03/2024,The second article of the table.\n";

static char *write_input(const char *name, const char *data)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(path);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
    assert_int_equal(fclose(f), 0);
    return path;
}

/* ---------------------------------------------------- reading inputs */

typedef struct walk_ctx {
    buf out;
    int failed_input;   /* an input reported as not indexed */
} walk_ctx;

static int w_article(void *ctx, cti_article *a)
{
    walk_ctx *w = ctx;
    buf_add(&w->out, "[%s|%s|%s|%s|%s|%s|%s|%s]", a->id ? a->id : "-",
            a->title ? a->title : "-", a->date ? a->date : "-", a->ymd,
            a->author ? a->author : "-", a->source ? a->source : "-",
            a->url ? a->url : "-", a->body ? a->body : "-");
    return 0;
}

static void w_problem(void *ctx, const char *path, unsigned long line,
                      const char *msg, int skipped)
{
    walk_ctx *w = ctx;
    assert_non_null(path);
    assert_non_null(msg);
    assert_true(msg[0] != '\0');
    if (skipped == CTI_SOURCE_FAILED)
        w->failed_input = 1;
    buf_add(&w->out, "{%lu:%d:%s}", line, skipped, msg);
}

static const cti_source_cb WALK_CB = { .article = w_article, .problem = w_problem };

/* Walk one input file; an error is a failed input or a failed walk. */
static int step_walk(void *ctx, char **out)
{
    const char *path = ctx;
    walk_ctx w = { { NULL, 0 }, 0 };
    int rc = cti_source_walk(path, NULL, &WALK_CB, &w);
    if (rc != 0 || w.failed_input) {
        free(w.out.s);
        *out = NULL;
        return 1;
    }
    *out = w.out.s;
    return 0;
}

static void test_read_text(void **state)
{
    (void)state;
    char *p = write_input("article.txt", TEXT);
    sweep("text file", step_walk, p);
    free(p);
}

static void test_read_jsonl(void **state)
{
    (void)state;
    char *p = write_input("line.jsonl", JSONL);
    sweep("JSON line", step_walk, p);
    free(p);
}

static void test_read_html(void **state)
{
    (void)state;
    char *p = write_input("page.html", HTML);
    sweep("web page", step_walk, p);
    free(p);
}

static void test_read_csv(void **state)
{
    (void)state;
    char *p = write_input("table.csv", CSV);
    sweep("CSV table", step_walk, p);
    free(p);
}

/* A JSON line parsed directly: the error must say what went wrong. */
static int step_json_line(void *ctx, char **out)
{
    (void)ctx;
    cti_article a;
    char err[256] = "";
    cti_article_init(&a);
    *out = NULL;
    if (cti_article_parse_json(JSONL, strlen(JSONL) - 1, NULL, &a, err, sizeof err) != 0) {
        assert_true(err[0] != '\0');
        return 1;
    }
    if (cti_article_finish(&a) != 0) {
        cti_article_release(&a);
        return 1;
    }
    buf b = { NULL, 0 };
    buf_add(&b, "%s|%s|%s|%s", a.id, a.title, a.date, a.body);
    cti_article_release(&a);
    *out = b.s;
    return 0;
}

static void test_parse_json_line(void **state)
{
    (void)state;
    sweep("cti_article_parse_json", step_json_line, NULL);
}

/* ------------------------------------------------------- the analyzer */

static const char PARAGRAPH[] =
    "Lina Khan, chair of the Federal Trade Commission, met the leaders of "
    "America's biggest technology companies: U.S. antitrust enforcers were "
    "running investigations. \xC3\x89t\xC3\xA9 na\xC3\xAFve caf\xC3\xA9s; "
    "\xE6\x9D\xB1\xE4\xBA\xAC 2024-07-21 supercalifragilisticexpialidocious.";

static int on_token(void *ctx, const cti_token *t)
{
    buf_add(ctx, "%s/%s@%u ", t->text, t->stem, (unsigned)t->pos);
    return 0;
}

static int step_analyze(void *ctx, char **out)
{
    const char *lang = ctx;
    cti_analyzer *a = NULL;
    buf b = { NULL, 0 };
    *out = NULL;
    if (cti_analyzer_new(lang, &a) != 0) {
        assert_null(a);
        return 1;
    }
    int rc = cti_analyze(a, PARAGRAPH, strlen(PARAGRAPH), 0, on_token, &b);
    if (rc == 0)
        rc = cti_analyze(a, PARAGRAPH, strlen(PARAGRAPH), 100, on_token, &b);
    cti_analyzer_free(a);
    if (rc != 0) {
        free(b.s);
        return 1;
    }
    *out = b.s;
    return 0;
}

static void test_analyzer(void **state)
{
    (void)state;
    sweep("analyzer (english)", step_analyze, (void *)"english");
    sweep("analyzer (french)", step_analyze, (void *)"french");
}

/* ---------------------------------------------------- the query parser */

static cti_analyzer *A;

static int step_query(void *ctx, char **out)
{
    const char *text = ctx;
    cti_query *q = NULL;
    cti_query_error e;
    memset(&e, 0, sizeof e);
    *out = NULL;
    cti_status st = cti_query_parse(text, A, 0, &q, &e);
    if (st != CTI_OK) {
        assert_int_equal(st, CTI_ENOMEM);
        assert_null(q);
        return 1;
    }
    char *d = cti_query_describe(q);
    cti_query_free(q);
    if (!d)
        return 1;
    *out = d;
    return 0;
}

static void test_query(void **state)
{
    (void)state;
    sweep("query parser",  step_query,
          (void *)"\"silicon valley\" lina NEAR/5 khan title:antitrust gov* "
                  "-author:smith (leaders OR chiefs) date:2024");
    sweep("query parser (any)", step_query, (void *)"lina khan antitrust technology leaders");
}

/* ------------------------------------------------------------ snippets */

static const char BODY[] =
    "The Federal Trade Commission, led by Lina Khan, has sued several of the "
    "largest technology companies. In Silicon Valley, leaders of the industry "
    "said the antitrust agenda went too far.\n\nOthers praised the government "
    "for its work. Khan said enforcement would continue; the leaders of the "
    "valley were not persuaded. \x1b[31mred\x1b[0m text and \xff bad bytes.";

typedef struct stems {
    char *s[8];
    size_t n;
} stems;

static int collect_stem(void *ctx, const cti_token *t)
{
    stems *w = ctx;
    if (w->n < 8)
        w->s[w->n++] = strdup(t->stem);
    return 0;
}

/* Add a group of one item holding the stems of 'words'. */
static cti_status add_item(cti_hl_spec *spec, int kind, unsigned window, int prefix,
                           const char *words)
{
    stems w = { { NULL }, 0 };
    cti_status st = CTI_ENOMEM;
    if (cti_analyze(A, words, strlen(words), 0, collect_stem, &w) != 0)
        goto done;
    for (size_t i = 0; i < w.n; i++)
        if (!w.s[i])
            goto done;
    cti_hl_item it = { w.s, w.n, prefix };
    st = cti_hl_spec_add(spec, kind, CTI_HL_ANY, window, 1.5, &it, 1);
done:
    for (size_t i = 0; i < w.n; i++)
        free(w.s[i]);
    return st;
}

static int step_snippet(void *ctx, char **out)
{
    (void)ctx;
    cti_snippet s, t;
    memset(&s, 0, sizeof s);
    memset(&t, 0, sizeof t);
    buf b = { NULL, 0 };
    int rc = 1;
    *out = NULL;
    cti_hl_spec *spec = cti_hl_spec_new();
    if (!spec)
        return 1;
    if (add_item(spec, CTI_HL_PHRASE, 0, 0, "silicon valley") != CTI_OK ||
        add_item(spec, CTI_HL_WORD, 0, 0, "leaders") != CTI_OK ||
        add_item(spec, CTI_HL_WORD, 0, 1, "gov") != CTI_OK)
        goto done;
    cti_snippet_opts o = { 2, 120 };
    cti_status st = cti_snippet_build(A, spec, BODY, strlen(BODY), &o, &s);
    if (st != CTI_OK) {
        assert_int_equal(st, CTI_ENOMEM);
        assert_null(s.text);
        goto done;
    }
    st = cti_snippet_title(A, spec, "Leaders of Silicon Valley", 25, &t);
    if (st != CTI_OK) {
        assert_int_equal(st, CTI_ENOMEM);
        goto done;
    }
    char *r1 = cti_snippet_render(&s, CTI_HL_STYLE_MARKERS, "[", "]");
    char *r2 = cti_snippet_render(&t, CTI_HL_STYLE_HTML, NULL, NULL);
    if (r1 && r2) {
        buf_add(&b, "%s\n%s", r1, r2);
        rc = 0;
    }
    free(r1);
    free(r2);
done:
    cti_snippet_release(&s);
    cti_snippet_release(&t);
    cti_hl_spec_free(spec);
    *out = b.s;
    return rc;
}

static void test_snippet(void **state)
{
    (void)state;
    sweep("snippet", step_snippet, NULL);
}

/* -------------------------------------------------------------- main */

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    return cti_analyzer_new("english", &A);
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = { "article.txt", "line.jsonl", "page.html", "table.csv" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    cti_analyzer_free(A);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_text),
        cmocka_unit_test(test_read_jsonl),
        cmocka_unit_test(test_read_html),
        cmocka_unit_test(test_read_csv),
        cmocka_unit_test(test_parse_json_line),
        cmocka_unit_test(test_analyzer),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_snippet),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
