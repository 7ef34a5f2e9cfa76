/*
 * cti_article.c - one article from a text file or a JSON line.
 *
 * Text everywhere
 *   Every string of an article is valid UTF-8: each byte that does not
 *   belong to a valid UTF-8 sequence (stray continuation bytes, truncated
 *   sequences, overlong forms, surrogates, code points past U+10FFFF) is
 *   replaced by U+FFFD and the article is marked 'repaired'.  NUL bytes
 *   become spaces, so every field is a safe C string.  A UTF-8 byte order
 *   mark at the start of a text file is dropped.  Other control characters
 *   are kept (the analyzer treats them as separators).
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
 *      is navigation, not text: it is dropped from the body and the next
 *      line is looked at.
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
 * JSON lines
 *   Each line is one JSON object.  Fields: id (string or number), title,
 *   text (or body, when text is absent), date, author (a string, or a list
 *   of strings joined with ", "), source, url; numbers in the text fields
 *   are written as decimal text, null means absent, other fields are
 *   ignored.  Without a title (or with an empty one) the title is taken
 *   from the text by rule 3 above (first short sentence, or first 12
 *   words and "…").  A byte order mark before the object is ignored.  A
 *   line that is not a JSON object, or has no "text"/"body" string, is an
 *   error naming the column.  An article without an id (or
 *   with an empty one) gets "sha-" and the 16 hex digits of its content
 *   hash, so it keeps the same id as long as its content is the same.
 *
 * Hash
 *   cti_article_hash() covers title, date, author, source, url and body
 *   (each with its length, so moving text between fields changes it), not
 *   the id.  It reads the bytes as little-endian 64-bit words, so it is the
 *   same on every machine and across runs.
 */
#include "cti_article.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define TITLE_MAX_BYTES 300
#define TITLE_LINE_WORDS 25
#define TITLE_LINE_WORDS_TIGHT 12
#define SENTENCE_WORDS 20
#define LEAD_WORDS 12

static const char ELLIPSIS[] = "\xe2\x80\xa6"; /* U+2026 */
static const char REPLACEMENT[] = "\xef\xbf\xbd"; /* U+FFFD */

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s, n > 4 ? 4 : (utf8proc_ssize_t)n,
                                          &cp);
    return k > 0 ? (size_t)k : 0;
}

/*
 * Copy s (len bytes) into a new NUL-terminated buffer with invalid UTF-8
 * bytes replaced by U+FFFD and NUL bytes by spaces.  Sets *repaired to 1
 * when a byte was replaced (NULs alone do not count).  NULL on no memory.
 */
static char *clean_utf8(const char *s, size_t len, size_t *outlen,
                        int *repaired)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, bad = 0;

    /* Count invalid bytes first so that the common case is one copy.
       ASCII is skipped eight bytes at a time. */
    while (i < len) {
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, len - i);
        if (k == 0) {
            bad++;
            i++;
        } else {
            i += k;
        }
    }
    if (bad > (SIZE_MAX - len - 1) / 2)
        return NULL;
    char *out = malloc(len + 2 * bad + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    if (bad == 0) {
        if (len)
            memcpy(out, s, len);
        o = len;
    } else {
        *repaired = 1;
        i = 0;
        while (i < len) {
            if (p[i] < 0x80) {
                out[o++] = (char)p[i++];
                continue;
            }
            size_t k = utf8_seq(p + i, len - i);
            if (k == 0) {
                memcpy(out + o, REPLACEMENT, 3);
                o += 3;
                i++;
            } else {
                memcpy(out + o, p + i, k);
                o += k;
                i += k;
            }
        }
    }
    /* NUL bytes become spaces. */
    for (char *z = memchr(out, 0, o); z;
         z = memchr(z + 1, 0, o - (size_t)(z + 1 - out)))
        *z = ' ';
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* Clean a field; NULL/absent stays NULL.  Returns -1 on no memory. */
static int set_field(char **dst, const char *s, size_t len, int *repaired)
{
    size_t n;
    *dst = NULL;
    if (!s)
        return 0;
    *dst = clean_utf8(s, len, &n, repaired);
    return *dst ? 0 : -1;
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

static void article_init(cti_article *a)
{
    memset(a, 0, sizeof *a);
    a->size = -1;
    a->mtime_ns = -1;
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
    a->id = a->title = a->date = a->author = a->source = a->url = a->body =
        NULL;
    a->body_len = 0;
}

int cti_article_parse_text(const char *data, size_t len, cti_article *a)
{
    size_t tlen;
    int rc = 0;
    article_init(a);
    char *text = clean_utf8(data ? data : "", data ? len : 0, &tlen,
                            &a->repaired);
    if (!text)
        return -1;
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
    if (!a->title && rc == 0)
        s = title_from_body(s, end, a, &rc);
    if (rc == 0) {
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
        return -1;
    }
    a->hash = cti_article_hash(a);
    return 0;
}

/* A JSON value as text: strings as they are, numbers in decimal, lists of
   strings joined by ", " (authors).  NULL without error for null and
   other types.  -1 on no memory. */
static int json_field(json_t *v, char **dst, int *repaired)
{
    char num[64];
    *dst = NULL;
    if (!v)
        return 0;
    if (json_is_string(v))
        return set_field(dst, json_string_value(v), json_string_length(v),
                         repaired);
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return set_field(dst, num, strlen(num), repaired);
    }
    if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        return set_field(dst, num, strlen(num), repaired);
    }
    if (json_is_array(v)) {
        size_t total = 0, i;
        json_t *e;
        json_array_foreach(v, i, e)
            if (json_is_string(e))
                total += json_string_length(e) + 2;
        if (total == 0)
            return 0;
        char *buf = malloc(total + 1), *w = buf;
        if (!buf)
            return -1;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e) || json_string_length(e) == 0)
                continue;
            if (w != buf) {
                memcpy(w, ", ", 2);
                w += 2;
            }
            memcpy(w, json_string_value(e), json_string_length(e));
            w += json_string_length(e);
        }
        int r = w == buf ? 0 : set_field(dst, buf, (size_t)(w - buf), repaired);
        free(buf);
        return r;
    }
    return 0;
}

int cti_article_parse_json(const char *line, size_t len, cti_article *a,
                           char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = NULL;
    char *clean = NULL;
    size_t clen;
    int rc = -1;

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
    root = json_loadb(clean + skip, clen - skip, JSON_ALLOW_NUL, &je);
    if (!root) {
        if (err && errlen)
            snprintf(err, errlen, "column %d: invalid JSON: %s", je.column,
                     je.text);
        goto done;
    }
    if (!json_is_object(root)) {
        size_t col = 1;
        while (col <= clen && is_space(clean[col - 1]))
            col++;
        if (err && errlen)
            snprintf(err, errlen, "column %zu: not a JSON object", col);
        goto done;
    }
    json_t *text = json_object_get(root, "text");
    const char *tname = "text";
    if (!text || json_is_null(text)) {
        text = json_object_get(root, "body");
        tname = "body";
    }
    /* Field errors name the column where the object starts. */
    size_t col = 1 + skip;
    while (col <= clen && is_space(clean[col - 1]))
        col++;
    if (!text || !json_is_string(text)) {
        if (err && errlen && text)
            snprintf(err, errlen, "column %zu: field \"%s\" is not a string",
                     col, tname);
        else if (err && errlen)
            snprintf(err, errlen, "column %zu: no \"text\" or \"body\" field",
                     col);
        goto done;
    }
    json_t *id = json_object_get(root, "id");
    if (id && !json_is_string(id) && !json_is_number(id) && !json_is_null(id)) {
        if (err && errlen)
            snprintf(err, errlen,
                     "column %zu: field \"id\" is not a string or a number",
                     col);
        goto done;
    }
    if (set_field(&a->body, json_string_value(text), json_string_length(text),
                  &a->repaired) ||
        json_field(id, &a->id, &a->repaired) ||
        json_field(json_object_get(root, "title"), &a->title, &a->repaired) ||
        json_field(json_object_get(root, "date"), &a->date, &a->repaired) ||
        json_field(json_object_get(root, "author"), &a->author, &a->repaired) ||
        json_field(json_object_get(root, "source"), &a->source, &a->repaired) ||
        json_field(json_object_get(root, "url"), &a->url, &a->repaired)) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        goto done;
    }
    a->body_len = strlen(a->body);
    if (a->title && !a->title[0]) {
        free(a->title);
        a->title = NULL;
    }
    if (!a->title && a->body_len && title_from_text(a->body, a->body_len, a)) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        goto done;
    }
    a->hash = cti_article_hash(a);
    if (a->id && a->id[0] == '\0') {
        free(a->id);
        a->id = NULL;
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
    rc = 0;
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
    /* Final avalanche (MurmurHash3 fmix64). */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* ----------------------------------------------------------------- date */

static const char *const months[12] = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december"
};

/* Month number (1-12) of the word [s, s+n): a full name or a prefix of at
   least three letters ("Sept", "Jul"); 0 if none. */
static int month_of(const char *s, size_t n)
{
    if (n < 3)
        return 0;
    for (int m = 0; m < 12; m++) {
        size_t ml = strlen(months[m]);
        if (n > ml)
            continue;
        size_t i = 0;
        while (i < n && tolower((unsigned char)s[i]) == months[m][i])
            i++;
        if (i == n)
            return m + 1;
    }
    return 0;
}

static int days_in(int y, int m)
{
    static const int d[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2)
        return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
    return d[m - 1];
}

static int emit_date(int y, int m, int d, char out[9])
{
    if (y < 1 || y > 9999 || m < 0 || m > 12 || d < 0 ||
        (d > 0 && (m == 0 || d > days_in(y, m))))
        return -1;
    int v[3] = { y, m, d }, w[3] = { 4, 2, 2 }, o = 0;
    for (int k = 0; k < 3; k++) {
        for (int j = w[k] - 1, x = v[k]; j >= 0; j--, x /= 10)
            out[o + j] = (char)('0' + x % 10);
        o += w[k];
    }
    out[8] = '\0';
    return 0;
}

/* A run of exactly 'want' digits at *p (want 0: 1 or 2 digits); value or -1. */
static int digits(const char **p, const char *end, int want)
{
    const char *s = *p;
    int v = 0, n = 0;
    while (s < end && isdigit((unsigned char)*s) && n < 9) {
        v = v * 10 + (*s - '0');
        s++;
        n++;
    }
    if (want ? n != want : (n < 1 || n > 2))
        return -1;
    if (s < end && isdigit((unsigned char)*s))
        return -1;
    *p = s;
    return v;
}

int cti_date_normalize(const char *date, char out[9])
{
    if (!date)
        return -1;
    const char *s = date, *end = date + strlen(date);
    size_t n = (size_t)(end - s);
    trim(&s, &n);
    end = s + n;
    if (n == 0)
        return -1;

    /* ISO: YYYY, YYYY-MM, YYYY-MM-DD, then optional time part. */
    if (n >= 4 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
        isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3])) {
        const char *p = s;
        int y, m = 0, d = 0;
        if (n >= 8 && (n == 8 || !isdigit((unsigned char)s[8])) &&
            isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[7])) {
            /* Compact YYYYMMDD. */
            y = digits(&p, end, 8);
            if (y < 0)
                return -1;
            d = y % 100;
            m = y / 100 % 100;
            y /= 10000;
            if (p != end || m == 0 || d == 0)
                return -1;
            return emit_date(y, m, d, out);
        }
        y = digits(&p, end, 4);
        if (y < 0)
            return -1;
        if (p < end && (*p == '-' || *p == '/' || *p == '.')) {
            char sep = *p++;
            if ((m = digits(&p, end, 0)) < 1)
                return -1;
            if (p < end && *p == sep) {
                p++;
                if ((d = digits(&p, end, 0)) < 1)
                    return -1;
            }
        }
        if (p < end) {
            /* Only a time may follow a full date. */
            if (d == 0 || !(*p == 'T' || *p == 't' || *p == ' '))
                return -1;
            p++;
            if (p >= end || !isdigit((unsigned char)*p))
                return -1;
            for (; p < end; p++)
                if (!isdigit((unsigned char)*p) && !strchr(":.+-Zz ", *p))
                    return -1;
        }
        return emit_date(y, m, d, out);
    }

    /* Words: an optional weekday, then "Month D, YYYY", "Month YYYY" or
       "D Month YYYY"; commas and a dot after an abbreviation are allowed;
       a time may follow. */
    const char *tok[6];
    size_t tl[6];
    int nt = 0;
    for (const char *p = s; p < end && nt < 6;) {
        while (p < end && (is_space(*p) || *p == ','))
            p++;
        if (p >= end)
            break;
        const char *q = p;
        while (q < end && !is_space(*q) && *q != ',')
            q++;
        tok[nt] = p;
        tl[nt] = (size_t)(q - p);
        if (tl[nt] > 1 && tok[nt][tl[nt] - 1] == '.' &&
            !isdigit((unsigned char)tok[nt][0]))
            tl[nt]--;
        nt++;
        p = q;
    }
    int i = 0;
    static const char *const wdays[7] = { "monday", "tuesday", "wednesday",
                                          "thursday", "friday", "saturday",
                                          "sunday" };
    if (nt > 0 && !isdigit((unsigned char)tok[0][0]) && !month_of(tok[0], tl[0])) {
        int ok = 0;
        for (int w = 0; w < 7 && !ok; w++) {
            size_t wl = strlen(wdays[w]);
            if (tl[0] >= 3 && tl[0] <= wl) {
                size_t k = 0;
                while (k < tl[0] && tolower((unsigned char)tok[0][k]) == wdays[w][k])
                    k++;
                ok = k == tl[0];
            }
        }
        if (!ok)
            return -1;
        i = 1;
    }
    int y = -1, m = 0, d = 0;
    const char *p;
    if (i < nt && (m = month_of(tok[i], tl[i]))) {
        i++;
        if (i < nt && tl[i] <= 2) {
            /* "July 15 2024"; "15th" is not accepted. */
            p = tok[i];
            if ((d = digits(&p, tok[i] + tl[i], 0)) < 1 || p != tok[i] + tl[i])
                return -1;
            i++;
        }
    } else if (i < nt) {
        p = tok[i];
        if ((d = digits(&p, tok[i] + tl[i], 0)) < 1 || p != tok[i] + tl[i])
            return -1;
        i++;
        if (i >= nt || !(m = month_of(tok[i], tl[i])))
            return -1;
        i++;
    }
    if (m == 0 || i >= nt || tl[i] != 4)
        return -1;
    p = tok[i];
    if ((y = digits(&p, tok[i] + 4, 4)) < 0)
        return -1;
    i++;
    /* Anything after the year must look like a time ("10:00:00 +0000"). */
    if (i < nt) {
        const char *t = tok[i];
        if (!isdigit((unsigned char)t[0]) || !memchr(t, ':', tl[i]))
            return -1;
        for (p = t; p < end; p++)
            if (!isdigit((unsigned char)*p) && !isalpha((unsigned char)*p) &&
                !strchr(":.+- ", *p))
                return -1;
    }
    return emit_date(y, m, d, out);
}
