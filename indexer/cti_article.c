/*
 * cti_article.c - one article: text files, titles, JSON lines, the hash.
 *
 * Text everywhere
 *   Every string of an article is valid UTF-8: the bytes given here are
 *   UTF-8 (the walker converts other charsets first, cti_charset.h); each
 *   byte that does not belong to a valid UTF-8 sequence (stray
 *   continuation bytes, truncated sequences, overlong forms, surrogates,
 *   code points past U+10FFFF) is replaced by U+FFFD and the article is
 *   marked 'repaired'.  NUL bytes become spaces, so every field is a safe
 *   C string.  A UTF-8 byte order mark at the start of a text file is
 *   dropped.  Other control characters are kept (the analyzer treats them
 *   as separators).
 *
 * Text files
 *   Optional front matter first: a "---" line, "key: value" lines, and a
 *   closing "---" (or "...") line.  Keys title, date, author, source and
 *   url are read case-insensitively; values are trimmed and one pair of
 *   surrounding quotes is removed; other keys and lines are ignored.  A
 *   file that opens with "---" but has no closing line has no front
 *   matter: it is all body.
 *
 *   The body is what follows, without leading blank lines and trailing
 *   white space.  When the front matter gives no title, the title comes
 *   from the body, in this order:
 *
 *   1. Breadcrumb: a first line such as "Home / Tech / Some headline"
 *      (starting with "Home" and a separator, or holding two or more of the
 *      separators " / ", " > ", " » ", " › ", " | "; at most 600 bytes)
 *      is navigation, not a title: the next line is looked at.  When a
 *      title line follows, the breadcrumb stays the first line of the
 *      body, a blank line after it (the page is kept whole; cti-index sets
 *      it aside as navigation, cti_boiler.h).
 *   2. Title line: the first line is a title when more text follows it,
 *      it holds a letter or digit, it is short (at most 25 words and 300
 *      bytes), and either a blank line follows it (then it may not end in
 *      ",", ";" or ":"), or the text continues on the very next line and
 *      the first line has at most 12 words, does not end in ".", ",", ";",
 *      ":" or "-", and the next line does not start with a lower-case
 *      letter (so a hard-wrapped paragraph is not taken for a title).  A
 *      leading "# " (Markdown heading) is removed from it.  A title line is
 *      removed from the body, and so are blank lines after it and lines
 *      that repeat it word for word (pages often print their headline
 *      twice).  A file of one line keeps it as its body and takes its
 *      title by rule 3.
 *   3. Otherwise the body keeps all its text and the title is its first
 *      sentence when that sentence has at most 20 words (a sentence ends at
 *      ".", "!" or "?" followed by a space and a capital letter, so
 *      "U.S. presidential" does not end one), or else the first 12 words
 *      followed by "…".  Only the first paragraph (up to a blank line)
 *      is looked at.
 *
 *   In every title, runs of white space (line breaks included) become one
 *   space, and a title never exceeds 300 bytes (longer ones are cut at a
 *   character boundary and end with "…").
 *
 *   Examples from corpus/: 01-harris... starts with a long paragraph, so
 *   its title is "As the 2024 U.S. presidential race intensifies, Kamala
 *   Harris’s campaign is engaging…"; 02-bloomberg-courts... has a title
 *   line; 03-bloomberg-asks... has a breadcrumb, then its title twice.
 *
 * Records (JSON lines, JSON files, CSV rows)
 *   cti_fields.c picks their fields; cti_article_finish() completes them:
 *   without a title (or with an empty one) the title is taken from the
 *   text by rule 3 above (first short sentence, or first 12 words and
 *   "…").  A JSON line is one object (a byte order mark before it is
 *   ignored); a line that is not a JSON object, or has no text, is an
 *   error naming the column.  A JSON line without an id, guid or url gets
 *   "sha-" and the 16 hex digits of its content hash, so it keeps the
 *   same id as long as its content is the same.
 *
 * Hash
 *   cti_article_hash() covers title, date, author, source, url and body
 *   (each with its length, so moving text between fields changes it), not
 *   the id.  It reads the bytes as little-endian 64-bit words, so it is the
 *   same on every machine and across runs.
 */
#include "cti_article.h"
#include "cti_hash.h"

#include "cti_charset.h"
#include "cti_fields.h"
#include "cti_jansson.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_MAX_BYTES 300
#define TITLE_LINE_WORDS 25
#define TITLE_LINE_WORDS_TIGHT 12
#define SENTENCE_WORDS 20
#define LEAD_WORDS 12

static const char ELLIPSIS[] = "\xe2\x80\xa6"; /* U+2026 */

/* ---------------------------------------------------------------- UTF-8 */

static char *clean_utf8(const char *s, size_t len, size_t *outlen,
                        int *repaired)
{
    return cti_charset_repair(s, len, outlen, repaired);
}

/* Largest prefix of s (len bytes, valid UTF-8) not over max bytes that
   ends on a character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* -------------------------------------------------------------- helpers */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

/* Trim spaces from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* The line starting at p: its length without "\r\n"/"\n" in *linelen;
   returns the start of the next line (end when none). */
static const char *line_at(const char *p, const char *end, size_t *linelen)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    size_t n = (size_t)(stop - p);
    if (n && p[n - 1] == '\r')
        n--;
    *linelen = n;
    return nl ? nl + 1 : end;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space(s[i]))
            return 0;
    return 1;
}

static size_t count_words(const char *s, size_t n, size_t stop_after)
{
    size_t w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_space(s[i])) {
            in = 0;
        } else if (!in) {
            in = 1;
            if (++w > stop_after)
                return w;
        }
    }
    return w;
}

/* New title from n bytes: white space runs become one space, at most
   TITLE_MAX_BYTES bytes, "…" appended when 'ellipsis' or cut. */
static char *dup_title(const char *s, size_t n, int ellipsis)
{
    if (n > TITLE_MAX_BYTES) {
        n = utf8_cut(s, n, TITLE_MAX_BYTES);
        ellipsis = 1;
    }
    char *t = malloc(n + sizeof ELLIPSIS);
    if (!t)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_space(s[i])) {
            if (o && t[o - 1] != ' ')
                t[o++] = ' ';
        } else {
            t[o++] = s[i];
        }
    }
    while (o && t[o - 1] == ' ')
        o--;
    if (ellipsis)
        memcpy(t + o, ELLIPSIS, sizeof ELLIPSIS);
    else
        t[o] = '\0';
    return t;
}

static char *dup_n(const char *s, size_t n)
{
    char *t = malloc(n + 1);
    if (!t)
        return NULL;
    memcpy(t, s, n);
    t[n] = '\0';
    return t;
}

static int key_is(const char *k, size_t kn, const char *name)
{
    size_t n = strlen(name);
    if (kn != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)k[i]) != name[i])
            return 0;
    return 1;
}

/* --------------------------------------------------------- front matter */

static int is_fence(const char *s, size_t n, int closing)
{
    trim(&s, &n);
    return (n == 3 && memcmp(s, "---", 3) == 0) ||
           (closing && n == 3 && memcmp(s, "...", 3) == 0);
}

/*
 * If text starts with a front-matter block, fill the metadata it names and
 * return the start of the body; else return text.  -1 in *rc on no memory.
 */
static const char *front_matter(const char *text, const char *end,
                                cti_article *a, int *rc)
{
    size_t n;
    const char *p = line_at(text, end, &n);
    if (!is_fence(text, n, 0))
        return text;
    /* Find the closing fence first: without one there is no front matter. */
    const char *q = p, *close = NULL, *after = NULL;
    while (q < end) {
        const char *next = line_at(q, end, &n);
        if (is_fence(q, n, 1)) {
            close = q;
            after = next;
            break;
        }
        q = next;
    }
    if (!close)
        return text;
    char **slot[5] = { &a->title, &a->date, &a->author, &a->source, &a->url };
    static const char *names[5] = { "title", "date", "author", "source", "url" };
    for (q = p; q < close;) {
        const char *line = q;
        q = line_at(q, close, &n);
        const char *colon = memchr(line, ':', n);
        if (!colon || is_space(line[0]))
            continue;
        const char *k = line, *v = colon + 1;
        size_t kn = (size_t)(colon - line), vn = n - kn - 1;
        trim(&k, &kn);
        trim(&v, &vn);
        if (vn >= 2 && ((v[0] == '"' && v[vn - 1] == '"') ||
                        (v[0] == '\'' && v[vn - 1] == '\''))) {
            v++;
            vn -= 2;
            trim(&v, &vn);
        }
        for (int i = 0; i < 5; i++) {
            if (!key_is(k, kn, names[i]))
                continue;
            free(*slot[i]);
            *slot[i] = NULL;
            if (vn && !(*slot[i] = dup_n(v, vn)))
                *rc = -1;
        }
    }
    return after;
}

/* ---------------------------------------------------------------- title */

static int is_breadcrumb(const char *s, size_t n)
{
    static const char *seps[] = { " / ", " > ", " \xc2\xbb ", " \xe2\x80\xba ",
                                  " | " };
    if (n > 2 * TITLE_MAX_BYTES)
        return 0; /* navigation lines are short */
    if (n >= 6 && (s[0] == 'H' || s[0] == 'h') && memcmp(s + 1, "ome", 3) == 0) {
        for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
            size_t l = strlen(seps[i]);
            if (n > 4 + l && memcmp(s + 4, seps[i], l) == 0)
                return 1;
        }
    }
    for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
        size_t l = strlen(seps[i]), count = 0;
        for (size_t j = 0; j + l <= n; j++)
            if (memcmp(s + j, seps[i], l) == 0)
                count++;
        if (count >= 2)
            return 1;
    }
    return 0;
}

/* Is the line a title line?  'next_blank': a blank line (or the end)
   follows it. */
static int is_title_line(const char *s, size_t n, int next_blank,
                         const char *next, size_t nextlen)
{
    int letters = 0;
    for (size_t i = 0; i < n && !letters; i++)
        letters = isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80;
    if (!letters || n > TITLE_MAX_BYTES ||
        count_words(s, n, TITLE_LINE_WORDS) > TITLE_LINE_WORDS)
        return 0;
    if (next_blank)
        return s[n - 1] != ',' && s[n - 1] != ':' && s[n - 1] != ';';
    /* Text right below: a short line that does not run on into it (hard
       wrapped paragraphs do not make a title). */
    trim(&next, &nextlen);
    return !strchr(".,;:-", s[n - 1]) &&
           count_words(s, n, TITLE_LINE_WORDS_TIGHT) <= TITLE_LINE_WORDS_TIGHT &&
           !(nextlen && islower((unsigned char)next[0]));
}

/* Does the '.' at s[i] end an abbreviation ("Mr.", "U.S.", "J.") rather
   than a sentence? */
static int is_abbrev(const char *s, size_t i)
{
    static const char *const abbr[] = { "Mr", "Mrs", "Ms", "Dr", "St", "Jr",
                                        "Sr", "Gen", "Gov", "Sen", "Rep",
                                        "Rev", "Prof", "Lt", "Col", "Capt",
                                        "Sgt", "Mt", "No", "vs", "Inc", "Co",
                                        "Corp", "Ltd" };
    size_t b = i;
    while (b > 0 && !is_space(s[b - 1]) && s[b - 1] != '(' && s[b - 1] != '"')
        b--;
    size_t n = i - b;
    if (n == 1 && isupper((unsigned char)s[b]))
        return 1;                       /* an initial */
    if (memchr(s + b, '.', n))
        return 1;                       /* "U.S." */
    for (size_t k = 0; k < sizeof abbr / sizeof *abbr; k++)
        if (strlen(abbr[k]) == n && memcmp(abbr[k], s + b, n) == 0)
            return 1;
    return 0;
}

/* 1 if s[0, n) is only white space. */
static int all_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space(s[i]))
            return 0;
    return 1;
}

/* The title of the paragraph s[0, n): see title_from_text(). */
static char *sentence_title(const char *s, size_t n, int one_paragraph,
                            int *from)
{
    trim(&s, &n);
    size_t words = 0, lead_end = 0, i = 0;
    int in = 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (is_space(c)) {
            if (in && words == LEAD_WORDS)
                lead_end = i;
            in = 0;
            continue;
        }
        if (!in) {
            in = 1;
            if (++words > SENTENCE_WORDS)
                break;
        }
        if ((c == '.' || c == '!' || c == '?') && !(c == '.' && is_abbrev(s, i))) {
            /* Closing quotes or brackets may follow the stop. */
            size_t j = i + 1;
            while (j < n && strchr("\"')]", s[j]))
                j++;
            if (j == n) {
                if (one_paragraph)
                    *from = CTI_TITLE_WHOLE;
                return dup_title(s, n, 0);
            }
            if (is_space(s[j])) {
                size_t k = j;
                while (k < n && is_space(s[k]))
                    k++;
                if (k < n && (isupper((unsigned char)s[k]) ||
                              (unsigned char)s[k] >= 0x80 || s[k] == '"'))
                    return dup_title(s, j, 0);
            }
        }
    }
    if (words <= SENTENCE_WORDS && i >= n) {
        if (one_paragraph)
            *from = CTI_TITLE_WHOLE;
        return dup_title(s, n, 0);
    }
    if (lead_end == 0)
        lead_end = n;
    /* No trailing comma, colon, dash... before the ellipsis. */
    while (lead_end > 0 && strchr(",;:-", s[lead_end - 1]))
        lead_end--;
    return dup_title(s, lead_end, 1);
}

/* The title for a body without a title line: its first short sentence,
   or its first LEAD_WORDS words and an ellipsis.  Sets a->title and
   a->title_from (CTI_TITLE_WHOLE when the title is all of the text);
   returns -1 on no memory. */
static int title_from_text(const char *s, size_t n, cti_article *a)
{
    const char *end = s + n, *text_end = s + n;
    /* The first paragraph only (up to a blank line). */
    for (const char *p = s; p < end;) {
        size_t ln;
        const char *next = line_at(p, end, &ln);
        if (p != s && is_blank(p, ln)) {
            end = p;
            break;
        }
        p = next;
    }
    int one_paragraph = all_space(end, (size_t)(text_end - end));
    a->title_from = CTI_TITLE_OPENING;
    a->title = sentence_title(s, (size_t)(end - s), one_paragraph,
                              &a->title_from);
    return a->title ? 0 : -1;
}

char *cti_article_title_from_text(const char *s, size_t n)
{
    cti_article a;
    memset(&a, 0, sizeof a);
    return title_from_text(s, n, &a) ? NULL : a.title;
}

int cti_article_title_origin(const char *title, const char *body, size_t len)
{
    cti_article a;
    memset(&a, 0, sizeof a);
    if (title_from_text(body ? body : "", body ? len : 0, &a))
        return -1;
    int from = strcmp(a.title, title) ? CTI_TITLE_GIVEN : a.title_from;
    free(a.title);
    return from;
}

/*
 * Find the title of 'body' and the start of the body without the leading
 * navigation and title lines.  Sets a->title (may stay NULL for an empty
 * body); returns the start of the remaining body.
 */
static const char *title_from_body(const char *body, const char *end,
                                   cti_article *a, int *rc)
{
    size_t n;
    const char *p = body;
    const char *next = line_at(p, end, &n);
    const char *line = p;

    if (p >= end)
        return body;
    if (is_breadcrumb(line, n)) {
        const char *q = next;
        while (q < end) {
            size_t m;
            const char *nn = line_at(q, end, &m);
            if (!is_blank(q, m))
                break;
            q = nn;
        }
        if (q < end) {
            p = q;
            line = p;
            next = line_at(p, end, &n);
        }
    }
    size_t nextlen = 0;
    if (next < end)
        line_at(next, end, &nextlen);
    int next_blank = next >= end || is_blank(next, nextlen);
    const char *t = line;
    size_t tn = n;
    trim(&t, &tn);
    if (tn >= 2 && t[0] == '#') {
        while (tn && t[0] == '#') {
            t++;
            tn--;
        }
        trim(&t, &tn);
    }
    if (next < end && is_title_line(t, tn, next_blank, next, nextlen)) {
        if (!(a->title = dup_title(t, tn, 0))) {
            *rc = -1;
            return body;
        }
        /* Skip blank lines and repeats of the title. */
        const char *q = next;
        while (q < end) {
            size_t m;
            const char *nn = line_at(q, end, &m);
            const char *u = q;
            trim(&u, &m);
            if (m != 0 && !(m == tn && memcmp(u, t, tn) == 0))
                break;
            q = nn;
        }
        return q < end ? q : body; /* only repeats: keep them as the body */
    }
    if (title_from_text(body, (size_t)(end - body), a))
        *rc = -1;
    return body;
}

/* ------------------------------------------------------------ articles */

void cti_article_init(cti_article *a)
{
    memset(a, 0, sizeof *a);
    a->size = -1;
    a->mtime_ns = -1;
}

static void article_init(cti_article *a)
{
    cti_article_init(a);
}

void cti_article_release(cti_article *a)
{
    if (!a)
        return;
    free(a->id);
    free(a->title);
    free(a->date);
    free(a->author);
    free(a->source);
    free(a->url);
    free(a->body);
    free(a->aside);
    a->id = a->title = a->date = a->author = a->source = a->url = a->body =
        a->aside = NULL;
    a->body_len = a->aside_len = 0;
}

cti_status cti_article_parse_text(const char *data, size_t len, cti_article *a)
{
    size_t tlen;
    int rc = 0;
    article_init(a);
    char *text = clean_utf8(data ? data : "", data ? len : 0, &tlen,
                            &a->repaired);
    if (!text)
        return CTI_ENOMEM;
    const char *s = text, *end = text + tlen;
    if (tlen >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        s += 3;
    s = front_matter(s, end, a, &rc);
    /* Body: no leading blank lines, no trailing white space. */
    while (s < end) {
        size_t n;
        const char *next = line_at(s, end, &n);
        if (!is_blank(s, n))
            break;
        s = next;
    }
    while (end > s && is_space(end[-1]))
        end--;
    const char *s0 = s;
    size_t crumb = 0;
    if (!a->title && rc == 0)
        s = title_from_body(s, end, a, &rc);
    /* A breadcrumb before a title line stays in the body, first. */
    if (s != s0 && (line_at(s0, end, &crumb), !is_breadcrumb(s0, crumb)))
        crumb = 0;
    if (rc == 0 && crumb) {
        a->body_len = crumb + 2 + (size_t)(end - s);
        if (!(a->body = malloc(a->body_len + 1))) {
            rc = -1;
        } else {
            memcpy(a->body, s0, crumb);
            memcpy(a->body + crumb, "\n\n", 2);
            memcpy(a->body + crumb + 2, s, (size_t)(end - s));
            a->body[a->body_len] = '\0';
        }
    } else if (rc == 0) {
        a->body_len = (size_t)(end - s);
        if (s == text) {
            text[a->body_len] = '\0';
            a->body = text;
            text = NULL;
        } else if (!(a->body = dup_n(s, a->body_len))) {
            rc = -1;
        }
    }
    free(text);
    if (rc) {
        cti_article_release(a);
        return CTI_ENOMEM;
    }
    a->hash = cti_article_hash(a);
    return CTI_OK;
}

cti_status cti_article_finish(cti_article *a)
{
    if (a->title && !a->title[0]) {
        free(a->title);
        a->title = NULL;
    }
    a->body_len = a->body ? strlen(a->body) : 0;
    if (!a->title && a->body_len && title_from_text(a->body, a->body_len, a))
        return CTI_ENOMEM;
    a->hash = cti_article_hash(a);
    return CTI_OK;
}

/* The column (from 1) of the first non-space byte at or after 'from'. */
static size_t first_column(const char *s, size_t len, size_t from)
{
    size_t col = from + 1;
    while (col <= len && is_space(s[col - 1]))
        col++;
    return col;
}

cti_status cti_article_parse_json(const char *line, size_t len,
                                  const cti_fields *fields, cti_article *a,
                                  char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = NULL;
    char *clean = NULL, msg[400];
    size_t clen;
    cti_status rc = CTI_ENOMEM;

    article_init(a);
    if (err && errlen)
        err[0] = '\0';
    clean = clean_utf8(line ? line : "", line ? len : 0, &clen, &a->repaired);
    if (!clean) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        goto done;
    }
    /* A byte order mark (first line of a file saved by some editors). */
    size_t skip = clen >= 3 && memcmp(clean, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    root = cti_jansson_load(clean + skip, clen - skip, JSON_ALLOW_NUL, &je);
    if (!root) {
        if (!cti_jansson_nomem(&je))
            rc = CTI_EINVAL;
        if (err && errlen && rc == CTI_ENOMEM)
            snprintf(err, errlen, "out of memory");
        else if (err && errlen)
            snprintf(err, errlen, "column %d: invalid JSON: %s", je.column,
                     je.text);
        goto done;
    }
    /* Errors about the object name the column where it starts. */
    size_t col = first_column(clean, clen, skip);
    if (!json_is_object(root)) {
        rc = CTI_EINVAL;
        if (err && errlen)
            snprintf(err, errlen, "column %zu: not a JSON object", col);
        goto done;
    }
    int r = cti_fields_read(fields, root, a, msg, sizeof msg);
    if (r == CTI_FIELDS_NOMEM || (r == 0 && cti_article_finish(a))) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (r) {
        rc = CTI_EINVAL;
        if (err && errlen)
            snprintf(err, errlen, "column %zu: %s", col, msg);
        goto done;
    }
    if (!a->id) {
        a->id = malloc(4 + 16 + 1);
        if (!a->id) {
            if (err && errlen)
                snprintf(err, errlen, "out of memory");
            goto done;
        }
        snprintf(a->id, 21, "sha-%016" PRIx64, a->hash);
    }
    rc = CTI_OK;
done:
    if (rc)
        cti_article_release(a);
    json_decref(root);
    free(clean);
    return rc;
}

/* ----------------------------------------------------------------- hash */

#define K1 0x9E3779B97F4A7C15ull
#define K2 0xC2B2AE3D27D4EB4Full
#define K3 0x165667B19E3779F9ull

static uint64_t rotl(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static uint64_t round64(uint64_t h, uint64_t w)
{
    h ^= rotl(w * K2, 31) * K1;
    return rotl(h, 27) * K1 + K3;
}

/* Feed one field (tag, length, bytes) into h. */
static uint64_t hash_field(uint64_t h, unsigned tag, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    h = round64(h, ((uint64_t)tag << 56) ^ (s ? (uint64_t)n + 1 : 0));
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = round64(h, le64(p + i));
    if (i < n) {
        unsigned char tail[8] = { 0 };
        memcpy(tail, p + i, n - i);
        h = round64(h, le64(tail));
    }
    return h;
}

uint64_t cti_article_hash(const cti_article *a)
{
    uint64_t h = 0x6374692d68617368ull; /* "cti-hash" */
    h = hash_field(h, 1, a->title, a->title ? strlen(a->title) : 0);
    h = hash_field(h, 2, a->date, a->date ? strlen(a->date) : 0);
    h = hash_field(h, 3, a->author, a->author ? strlen(a->author) : 0);
    h = hash_field(h, 4, a->source, a->source ? strlen(a->source) : 0);
    h = hash_field(h, 5, a->url, a->url ? strlen(a->url) : 0);
    /* The body by its length (it holds no NUL byte after parsing). */
    h = hash_field(h, 6, a->body, a->body ? a->body_len : 0);
    return cti_hash_mix64(h);
}
