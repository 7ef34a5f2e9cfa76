/*
 * cti_date.c - reading the dates articles are written with.
 *
 * cti_date_read() trims the text and hands it to the first parser whose
 * shape it has: all digits and 9 to 13 of them (Unix time), four or eight
 * digits first (ISO 8601), one or two digits and a separator (numeric
 * day/month/year), anything else (words).  Each parser reads the date
 * part and then checks what follows with rest_ok(): a time, am/pm and a
 * zone, in that order, each at most once.  Nothing else may follow, so
 * "2024-07-15garbage" or "sometime in July" is not a date.
 */
#include "cti_date.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct ymd {
    int y, m, d;        /* m, d: 0 when not written */
    unsigned flags;     /* CTI_DATE_* */
} ymd;

#define MAX_TOKENS 12

static const char *const month_names[12] = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december"
};

static const char *const weekday_names[7] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday"
};

/* ------------------------------------------------------------- helpers */

static int is_sp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Number of digits starting at p (before end). */
static size_t ndigits(const char *p, const char *end)
{
    size_t k = 0;
    while (p + k < end && is_digit(p[k]))
        k++;
    return k;
}

/* Value of the n digits at p (n at most 9). */
static int num(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* A two-digit year as POSIX strptime's %y reads it. */
static int pivot(int yy)
{
    return yy < 69 ? 2000 + yy : 1900 + yy;
}

static int days_in(int y, int m)
{
    static const int d[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2)
        return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
    return d[m - 1];
}

/* Write r as "YYYYMMDD" after checking it is a real day; 0 or -1. */
static int emit(const ymd *r, char out[9])
{
    if (r->y < 1 || r->y > 9999 || r->m < 0 || r->m > 12 || r->d < 0 ||
        (r->d > 0 && (r->m == 0 || r->d > days_in(r->y, r->m))))
        return -1;
    int v[3] = { r->y, r->m, r->d }, w[3] = { 4, 2, 2 }, o = 0;
    for (int k = 0; k < 3; k++) {
        for (int j = w[k] - 1, x = v[k]; j >= 0; j--, x /= 10)
            out[o + j] = (char)('0' + x % 10);
        o += w[k];
    }
    out[8] = '\0';
    return 0;
}

/* Does [p, p+n) equal 'word' or, with min > 0, a prefix of it of at least
   'min' letters (any letter case)? */
static int word_is(const char *p, size_t n, const char *word, size_t min)
{
    size_t wl = strlen(word);
    if (n > wl || (min ? n < min : n != wl))
        return 0;
    return strncasecmp(p, word, n) == 0;
}

/* Month (1-12) named by [p, p+n): a full name or a prefix of at least
   three letters ("Sept", "FEB"); 0 if none. */
static int month_of(const char *p, size_t n)
{
    for (int m = 0; m < 12; m++)
        if (word_is(p, n, month_names[m], 3))
            return m + 1;
    return 0;
}

static int is_weekday(const char *p, size_t n)
{
    for (int w = 0; w < 7; w++)
        if (word_is(p, n, weekday_names[w], 3))
            return 1;
    return 0;
}

/* ------------------------------------------------------- time and zone */

/* A numeric zone at p: "+02:00", "+0200", "-05", "Z"; its end or NULL. */
static const char *scan_offset(const char *p, const char *end)
{
    if (p < end && (*p == 'Z' || *p == 'z'))
        return p + 1;
    if (p >= end || (*p != '+' && *p != '-'))
        return NULL;
    p++;
    size_t k = ndigits(p, end);
    if (k == 4 || (k == 2 && (p + 2 >= end || p[2] != ':')))
        return p + k;
    if (k == 2 && ndigits(p + 3, end) == 2)
        return p + 5;
    return NULL;
}

/* Is [p, p+n) "am", "pm", "a.m." or "p.m."? */
static int is_ampm(const char *p, size_t n)
{
    return word_is(p, n, "am", 0) || word_is(p, n, "pm", 0) ||
           word_is(p, n, "a.m.", 0) || word_is(p, n, "p.m.", 0);
}

/*
 * A time at p: H:MM, H:MM:SS or H:MM:SS.frac, with an am/pm or a numeric
 * zone written right after it ("10:00:00Z", "10:00:00.000+02:00",
 * "3:00PM").  Returns its end, or NULL.
 */
static const char *scan_time(const char *p, const char *end)
{
    size_t k = ndigits(p, end);
    if (k < 1 || k > 2 || num(p, k) > 24)
        return NULL;
    p += k;
    if (p >= end || *p != ':')
        return NULL;
    for (int part = 0; part < 2 && p < end && *p == ':'; part++) {
        p++;
        if (ndigits(p, end) != 2 || num(p, 2) > 60)
            return NULL;
        p += 2;
    }
    if (p < end && (*p == '.' || *p == ',') && ndigits(p + 1, end) > 0)
        p += 1 + ndigits(p + 1, end);
    if (end - p >= 2 && is_ampm(p, 2))
        p += 2;
    const char *z = scan_offset(p, end);
    return z ? z : p;
}

/* A zone written on its own: a numeric one, letters ("UTC", "EST",
   "CEST") maybe with an offset ("GMT+1"), in parentheses or not. */
static int is_zone(const char *p, size_t n)
{
    const char *end = p + n;
    if (n >= 2 && p[0] == '(' && end[-1] == ')') {
        p++;
        end--;
    }
    if (scan_offset(p, end) == end)
        return 1;
    const char *q = p;
    while (q < end && q - p < 5 && *q >= 'A' && *q <= 'Z')
        q++;
    if (q == p && end - p == 3 &&
        (word_is(p, 3, "utc", 0) || word_is(p, 3, "gmt", 0)))
        return 1;
    if (q == p)
        return 0;
    if (q == end)
        return 1;
    size_t k = ndigits(q + 1, end);
    return (*q == '+' || *q == '-') && k >= 1 && k <= 4 && q + 1 + k == end;
}

/*
 * What may follow a date: an optional "at", a time, then an am/pm and a
 * zone, separated by white space or commas.  With 'need_time' the first
 * thing must be a time (after an ISO 'T').  1 if [p, end) is that.
 */
static int rest_ok(const char *p, const char *end, int need_time)
{
    int time = 0, ampm = 0, zone = 0, first = 1;
    while (p < end) {
        while (p < end && (is_sp(*p) || *p == ','))
            p++;
        if (p >= end)
            break;
        const char *q = p;
        while (q < end && !is_sp(*q) && *q != ',')
            q++;
        size_t n = (size_t)(q - p);
        if (!time && scan_time(p, q) == q)
            time = 1;
        else if (time && !ampm && !zone && is_ampm(p, n))
            ampm = 1;
        else if (time && !zone && is_zone(p, n))
            zone = 1;
        else if (!time && first && (word_is(p, n, "at", 0) || word_is(p, n, "@", 0)))
            ;
        else
            return 0;
        if (need_time && !time)
            return 0;
        first = 0;
        p = q;
    }
    return !need_time || time;
}

/* After a date ending at p: the end, or a separator (white space; 'T'
   when 'iso') and a time.  1 if so. */
static int date_end_ok(const char *p, const char *end, int iso)
{
    if (p == end)
        return 1;
    if (iso && (*p == 'T' || *p == 't'))
        return rest_ok(p + 1, end, 1);
    if (!is_sp(*p) && *p != ',')
        return 0;
    return rest_ok(p + 1, end, 0);
}

/* ------------------------------------------------------------- parsers */

/*
 * Unix time: 9 or 10 digits are seconds (an optional fraction may
 * follow), 11 to 13 are milliseconds; UTC.  Fewer digits would be a time
 * before March 1973, and are read as the other forms instead.
 */
static int parse_unix(const char *s, const char *end, ymd *r)
{
    size_t k = ndigits(s, end);
    if (k < 9 || k > 13)
        return -1;
    const char *p = s + k;
    if (p < end && k <= 10 && *p == '.' && ndigits(p + 1, end) > 0)
        p += 1 + ndigits(p + 1, end);
    if (p != end)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < k; i++)
        v = v * 10 + (s[i] - '0');
    if (k > 10)
        v /= 1000;
    time_t t = (time_t)v;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return -1;
    r->y = tm.tm_year + 1900;
    r->m = tm.tm_mon + 1;
    r->d = tm.tm_mday;
    return 0;
}

/*
 * ISO 8601 and its common relatives: "2024", "2024-07", "2024-07-15"
 * (also with '/' or '.', one-digit month and day allowed), "20171226";
 * after a full date, 'T' or a space and a time.
 */
static int parse_iso(const char *s, const char *end, ymd *r)
{
    size_t k = ndigits(s, end);
    const char *p = s + k;
    if (k == 8) {
        r->y = num(s, 4);
        r->m = num(s + 4, 2);
        r->d = num(s + 6, 2);
        return r->m && r->d && date_end_ok(p, end, 1) ? 0 : -1;
    }
    if (k != 4)
        return -1;
    r->y = num(s, 4);
    if (p < end && (*p == '-' || *p == '/' || *p == '.')) {
        char sep = *p++;
        if ((k = ndigits(p, end)) < 1 || k > 2 || !(r->m = num(p, k)))
            return -1;
        p += k;
        if (p < end && *p == sep) {
            p++;
            if ((k = ndigits(p, end)) < 1 || k > 2 || !(r->d = num(p, k)))
                return -1;
            p += k;
        }
    }
    if (p == end)
        return 0;
    return r->d && date_end_ok(p, end, 1) ? 0 : -1;
}

/*
 * Numbers with separators: "14/02/2005", "12/28/2017", "2-14-05",
 * "14.02.2005".  A number over 12 is the day; when both could be the
 * month the dots say day first, else 'order' decides (and the date is
 * flagged ambiguous unless both numbers are equal).
 */
static int parse_numeric(const char *s, const char *end, cti_date_order order,
                         ymd *r)
{
    size_t k1 = ndigits(s, end), k2, k3;
    if (k1 < 1 || k1 > 2 || s + k1 >= end || !strchr("/-.", s[k1]))
        return -1;
    char sep = s[k1];
    const char *p = s + k1 + 1;
    if ((k2 = ndigits(p, end)) < 1 || k2 > 2 || p + k2 >= end || p[k2] != sep)
        return -1;
    int a = num(s, k1), b = num(p, k2);
    p += k2 + 1;
    k3 = ndigits(p, end);
    if (k3 != 2 && k3 != 4)
        return -1;
    r->y = k3 == 4 ? num(p, 4) : pivot(num(p, 2));
    if (!date_end_ok(p + k3, end, 0) || a == 0 || b == 0 || (a > 12 && b > 12))
        return -1;
    int dmy;
    if (a > 12 || b > 12) {
        dmy = a > 12;
    } else {
        dmy = sep == '.' || order == CTI_DATE_DMY;
        if (a != b && sep != '.')
            r->flags |= CTI_DATE_AMBIGUOUS;
    }
    r->d = dmy ? a : b;
    r->m = dmy ? b : a;
    return 0;
}

/* Kinds of words in a written-out date. */
enum { W_NUM, W_MONTH, W_WEEKDAY, W_TIME, W_AMPM, W_ZONE, W_FILLER };

typedef struct word {
    const char *p;
    size_t n;
    int kind;
    int val;        /* W_NUM: its value; W_MONTH: 1-12 */
    int digits;     /* W_NUM: how many digits; 0 with an ordinal suffix */
} word;

/* Split [s, end) into words at white space and commas, and at '-' and '/'
   inside a word holding letters and digits ("26-FEB-1987") that is not a
   zone ("GMT-5").  A dot ending a word ("Feb.", "14.") is dropped.
   Returns the number of words, or -1 when there are too many. */
static int split_words(const char *s, const char *end, word *w)
{
    int n = 0;
    const char *p = s;
    while (p < end) {
        while (p < end && (is_sp(*p) || *p == ','))
            p++;
        if (p >= end)
            break;
        const char *q = p;
        int letter = 0, digit = 0;
        while (q < end && !is_sp(*q) && *q != ',') {
            letter |= is_alpha(*q);
            digit |= is_digit(*q);
            q++;
        }
        int split = letter && digit && !is_zone(p, (size_t)(q - p));
        for (const char *a = p; a < q;) {
            const char *b = a;
            while (b < q && !(split && (*b == '-' || *b == '/')))
                b++;
            if (n == MAX_TOKENS)
                return -1;
            w[n].p = a;
            w[n].n = (size_t)(b - a);
            if (w[n].n > 1 && a[w[n].n - 1] == '.' && !is_ampm(a, w[n].n))
                w[n].n--;
            if (w[n].n)
                n++;
            a = b < q ? b + 1 : q;
        }
        p = q;
    }
    return n;
}

/* Classify one word; -1 if it has no place in a date. */
static int classify_word(word *w)
{
    size_t k = ndigits(w->p, w->p + w->n);
    if (k == w->n && k <= 4) {
        w->kind = W_NUM;
        w->val = num(w->p, k);
        w->digits = (int)k;
    } else if (k >= 1 && k <= 2 && w->n == k + 2 &&
               (word_is(w->p + k, 2, "st", 0) || word_is(w->p + k, 2, "nd", 0) ||
                word_is(w->p + k, 2, "rd", 0) || word_is(w->p + k, 2, "th", 0))) {
        w->kind = W_NUM;
        w->val = num(w->p, k);
        w->digits = 0;
    } else if ((w->val = month_of(w->p, w->n))) {
        w->kind = W_MONTH;
    } else if (is_weekday(w->p, w->n)) {
        w->kind = W_WEEKDAY;
    } else if (scan_time(w->p, w->p + w->n) == w->p + w->n) {
        w->kind = W_TIME;
    } else if (is_ampm(w->p, w->n)) {
        w->kind = W_AMPM;
    } else if (is_zone(w->p, w->n)) {
        w->kind = W_ZONE;
    } else if (word_is(w->p, w->n, "at", 0) || word_is(w->p, w->n, "of", 0) ||
               word_is(w->p, w->n, "the", 0) || word_is(w->p, w->n, "@", 0)) {
        w->kind = W_FILLER;
    } else {
        return -1;
    }
    return 0;
}

/*
 * Put the numbers of a written-out date in their places: with two, a
 * four-digit one or the one without an ordinal suffix is the year, else
 * the first is the day ("31-Dec-17"); with one, it is a four-digit year
 * ("February 2025").
 */
static int place_numbers(const word *nums[2], int nn, ymd *r)
{
    if (nn == 1)
        return nums[0]->digits == 4 ? (r->y = nums[0]->val, 0) : -1;
    if (nn != 2)
        return -1;
    int yi;
    if (nums[0]->digits == 4 || nums[1]->digits == 4)
        yi = nums[0]->digits == 4 ? 0 : 1;
    else if (nums[0]->digits == 0 || nums[1]->digits == 0)
        yi = nums[0]->digits == 0 ? 1 : 0;
    else
        yi = 1;
    const word *yw = nums[yi], *dw = nums[1 - yi];
    if (dw->digits > 2 || yw->digits == 0 || yw->digits == 1 || yw->digits == 3)
        return -1;
    r->y = yw->digits == 4 ? yw->val : pivot(yw->val);
    r->d = dw->val;
    return r->d ? 0 : -1;
}

/*
 * Dates in words: an optional weekday, a month name and one or two
 * numbers in any common order ("February 14th, 2025", "14 Feb 2005",
 * "26-FEB-1987", "Feb 2025"), and a time, am/pm and zone anywhere after
 * the first part of the date ("Tue Feb 26 15:01:01 1987").
 */
static int parse_words(const char *s, const char *end, ymd *r)
{
    word w[MAX_TOKENS];
    const word *nums[2];
    int n = split_words(s, end, w), nn = 0, months = 0, time = 0;
    if (n <= 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (classify_word(&w[i]) < 0)
            return -1;
        switch (w[i].kind) {
        case W_NUM:
            if (nn == 2)
                return -1;
            nums[nn++] = &w[i];
            break;
        case W_MONTH:
            if (months++)
                return -1;
            r->m = w[i].val;
            break;
        case W_WEEKDAY:
            if (i != 0)
                return -1;
            break;
        case W_TIME:
            if (time++ || (!months && !nn))
                return -1;
            break;
        case W_AMPM:
        case W_ZONE:
            if (!time)
                return -1;
            break;
        default:
            break;
        }
    }
    if (!months)
        return -1;
    return place_numbers(nums, nn, r);
}

/* ---------------------------------------------------------- dispatcher */

int cti_date_read(const char *text, cti_date_order order, char out[9],
                  unsigned *flags)
{
    ymd r = { 0, 0, 0, 0 };
    int rc;
    if (flags)
        *flags = 0;
    if (!text)
        return -1;
    const char *s = text, *end = text + strlen(text);
    while (s < end && is_sp(*s))
        s++;
    while (end > s && is_sp(end[-1]))
        end--;
    if (s == end)
        return -1;
    size_t k = ndigits(s, end);
    if (k >= 9 && (s + k == end || s[k] == '.'))
        rc = parse_unix(s, end, &r);
    else if (k == 4 || k == 8)
        rc = parse_iso(s, end, &r);
    else if (k == 1 || k == 2) {
        /* "14/02/2005", or a date in words starting with its day. */
        rc = s + k < end && strchr("/-.", s[k]) && k + 1 < (size_t)(end - s) &&
                     is_digit(s[k + 1])
                 ? parse_numeric(s, end, order, &r)
                 : parse_words(s, end, &r);
    } else if (k == 0)
        rc = parse_words(s, end, &r);
    else
        rc = -1;
    if (rc == 0)
        rc = emit(&r, out);
    if (rc == 0 && flags)
        *flags = r.flags;
    return rc;
}

int cti_date_normalize(const char *date, char out[9])
{
    return cti_date_read(date, CTI_DATE_MDY, out, NULL);
}

int cti_date_order_parse(const char *s, cti_date_order *out)
{
    if (s && strcasecmp(s, "mdy") == 0)
        *out = CTI_DATE_MDY;
    else if (s && strcasecmp(s, "dmy") == 0)
        *out = CTI_DATE_DMY;
    else
        return -1;
    return 0;
}
