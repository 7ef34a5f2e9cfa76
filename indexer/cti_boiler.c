/*
 * cti_boiler.c - the parts of a page that are not the article.
 *
 * Lines
 *   The body is cut into lines (blank lines separate nothing more); each
 *   line is one block.  A line of at most 60 words and 480 bytes whose
 *   first word is the first word of a pattern (or a number) is also
 *   normalised for matching: letters and digits case folded (accents
 *   kept), apostrophes ’ ' joined into the word, ':' kept as a word of
 *   its own, '©' read as "(c)", everything else a separator.  A trailing
 *   ':' is ignored, so "Share this:" is "share this".
 *
 *   A line is prose when it has at least 12 words and a word ending in a
 *   full stop, '!' or '?', or at least 25 words.  The head of the body is what comes before
 *   its first prose line; its tail is what comes after its last prose line
 *   that is kept.
 *
 * What is set aside, by the shape of the text (the phrases are in the
 * pattern table below, whole lines only)
 *   - Navigation: in the head or the tail, a breadcrumb ("Home / Tech /
 *     ...", or two or more of " / ", " > ", " » ", " › ", " | " in a line
 *     of at most 30 words), a menu line (four or more items of at most
 *     three words between " | ", " • " or " · "), or a run of four or
 *     more lines of at most three capitalised words without punctuation.
 *     Anywhere: skip links, "Menu", "Search", "Log in", "Back to top".
 *   - Share, follow, subscribe, newsletter, cookie, advertisement and
 *     legal lines ("Share this", "Follow us on Twitter", "Sign up for our
 *     newsletter", "We use cookies ...", "Advertisement", "© 2024 Site.
 *     All rights reserved.", "Tags: ..."), anywhere.
 *   - Teasers: a heading such as "Related", "Read more", "Check Also",
 *     "You may also like", with the headline-like lines (at most 20 words,
 *     no final full stop) and excerpts (at most 60 words ending in "…" or
 *     "...") right after it, up to 8; a line "Read more: HEADLINE".
 *   - Author boxes: "About NAME" (one to four capitalised words) or
 *     "About the author" in the second half of the words, with the lines
 *     after it (at most 3 lines, 150 words; after "About NAME" the first
 *     of them must name the author) when only set-aside lines or the end
 *     follow them; "Written by NAME", "Posted by NAME" lines.
 *   - Comment sections: a heading such as "1 Comment", "12 Comments",
 *     "3 thoughts on ...", "Leave a Reply", "Your email address will not
 *     be published", "Please let us know if you're having issues with
 *     commenting", with at least 30 kept words and a prose line before
 *     it, and at most twice as many words after it as before: from there
 *     to the end.
 *
 * What is set aside by repetition
 *   The candidates are the lines of at most 40 words among the first and
 *   last six lines, and lines of at most 12 words anywhere; a candidate
 *   is known by the hash of its bytes (runs of white space as one space:
 *   a site's template repeats itself byte for byte).  A
 *   candidate held by at least 'threshold' articles of the source (see
 *   cti_boiler_threshold(): 3, or 5% of the source's articles) is
 *   template when it has at most 12 words or stands in the run of
 *   set-aside lines that reaches the start or the end of the body (a
 *   site's header and footer).  If more than half of the words would be
 *   set aside by repetition, the article is a copy of another of its
 *   source rather than template, and repetition sets nothing aside.
 */
#include "cti_boiler.h"
#include "cti_hash.h"
#include "cti_store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define PATTERN_MAX_WORDS 60
#define PATTERN_MAX_BYTES 480
#define NORM_MAX 2048
#define PROSE_WORDS 12
#define LONG_WORDS 25
#define BREADCRUMB_MAX_WORDS 30
#define MENU_ITEM_WORDS 3
#define MENU_MIN_ITEMS 4
#define COMMENTS_MIN_BEFORE 30
#define TEASER_ITEM_WORDS 20
#define TEASER_EXCERPT_WORDS 60
#define TEASER_MAX_ITEMS 8
#define AUTHOR_NAME_WORDS 4
#define BIO_MAX_BLOCKS 3
#define BIO_MAX_WORDS 150
#define TEMPLATE_MAX_WORDS 40
#define TEMPLATE_SHORT_WORDS 12
#define TEMPLATE_EDGE 6

/* What the pattern table says a line is. */
enum role {
    R_NONE,
    R_LINE,        /* this line only, of the pattern's kind */
    R_COMMENTS,    /* a comment section starts here */
    R_TEASER,      /* a teaser heading: it and the teasers after it */
    R_AUTHOR       /* an author box heading (tail only) */
};

/* Block flags. */
#define F_PROSE    0x01
#define F_STOP     0x02  /* ends with '.' (after closing quotes/brackets) */
#define F_ELLIPSIS 0x04  /* ends with "…", "..." or "[…]" */
#define F_SENTENCE 0x08  /* a word ends in '.', '!' or '?' */
#define F_NAMEISH  0x10  /* every word starts upper case or with a digit */
#define F_PUNCTEND 0x20  /* ends with . , ; : ! ? */
#define F_CAND     0x40  /* a template candidate */
#define F_MATCHED  0x80  /* normalised and matched against the patterns */

typedef struct block {
    size_t start, end;   /* the line without its newline and edge spaces */
    uint32_t words;
    uint32_t before;     /* words of the body before this line */
    uint64_t hash;       /* normalised text hash (candidates only) */
    unsigned flags;
    unsigned char role, role_kind;
    unsigned char kind;  /* set aside as this kind; 0: kept */
    unsigned char shape; /* the kind the shape rules gave (template aside) */
} block;

struct cti_boiler {
    const char *text;
    size_t len;
    block *b;
    size_t nb, capb;
    size_t *cand;           /* indices of candidate blocks */
    size_t ncand, capcand;
    cti_boiler_range *r;
    size_t nr, capr;
    size_t words, aside;
    char norm[NORM_MAX];
    size_t normlen;
    int normcut;
};

/* ------------------------------------------------------------ patterns */

/*
 * The phrases, as whole normalised lines.  In a pattern, "#" is a number
 * (digits, or "no" and "one" to "ten"), "?" any one word, "+" one or more
 * words to the end, "*" anything to the end; other words are literal.
 * 'max' bounds the line's words for patterns ending in "+" or "*".
 */
typedef struct pattern {
    const char *pat;
    unsigned char role, kind, max;
} pattern;

#define NAV CTI_BOILER_NAV
#define SHR CTI_BOILER_SHARE
#define TSR CTI_BOILER_TEASER
#define AUT CTI_BOILER_AUTHOR
#define CMT CTI_BOILER_COMMENTS

static const pattern patterns[] = {
    /* Comment sections. */
    { "# comment", R_COMMENTS, CMT, 0 },
    { "# comments", R_COMMENTS, CMT, 0 },
    { "# response", R_COMMENTS, CMT, 0 },
    { "# responses", R_COMMENTS, CMT, 0 },
    { "# reply", R_COMMENTS, CMT, 0 },
    { "# replies", R_COMMENTS, CMT, 0 },
    { "# thought on +", R_COMMENTS, CMT, 30 },
    { "# thoughts on +", R_COMMENTS, CMT, 30 },
    { "# response to +", R_COMMENTS, CMT, 30 },
    { "# responses to +", R_COMMENTS, CMT, 30 },
    { "# comment on +", R_COMMENTS, CMT, 30 },
    { "# comments on +", R_COMMENTS, CMT, 30 },
    { "comments", R_COMMENTS, CMT, 0 },
    { "comments #", R_COMMENTS, CMT, 0 },
    { "reader comments", R_COMMENTS, CMT, 0 },
    { "readers comments", R_COMMENTS, CMT, 0 },
    { "leave a reply", R_COMMENTS, CMT, 0 },
    { "leave a reply cancel reply", R_COMMENTS, CMT, 0 },
    { "leave a comment", R_COMMENTS, CMT, 0 },
    { "leave a comment cancel reply", R_COMMENTS, CMT, 0 },
    { "post a comment", R_COMMENTS, CMT, 0 },
    { "add a comment", R_COMMENTS, CMT, 0 },
    { "add comment", R_COMMENTS, CMT, 0 },
    { "write a comment", R_COMMENTS, CMT, 0 },
    { "submit a comment", R_COMMENTS, CMT, 0 },
    { "join the discussion", R_COMMENTS, CMT, 0 },
    { "join the conversation", R_COMMENTS, CMT, 0 },
    { "comments are closed", R_COMMENTS, CMT, 0 },
    { "show comments", R_COMMENTS, CMT, 0 },
    { "view comments", R_COMMENTS, CMT, 0 },
    { "load comments", R_COMMENTS, CMT, 0 },
    { "your email address will not be published *", R_COMMENTS, CMT, 30 },
    { "you must be logged in to post a comment *", R_COMMENTS, CMT, 30 },
    { "please let us know if you're having issues with commenting",
      R_COMMENTS, CMT, 0 },

    /* Teaser headings. */
    { "check also", R_TEASER, TSR, 0 },
    { "related", R_TEASER, TSR, 0 },
    { "related posts", R_TEASER, TSR, 0 },
    { "related post", R_TEASER, TSR, 0 },
    { "related articles", R_TEASER, TSR, 0 },
    { "related article", R_TEASER, TSR, 0 },
    { "related stories", R_TEASER, TSR, 0 },
    { "related story", R_TEASER, TSR, 0 },
    { "related news", R_TEASER, TSR, 0 },
    { "related content", R_TEASER, TSR, 0 },
    { "related coverage", R_TEASER, TSR, 0 },
    { "related reading", R_TEASER, TSR, 0 },
    { "related topics", R_TEASER, TSR, 0 },
    { "you may also like", R_TEASER, TSR, 0 },
    { "you might also like", R_TEASER, TSR, 0 },
    { "you may like", R_TEASER, TSR, 0 },
    { "you might like", R_TEASER, TSR, 0 },
    { "you may be interested in", R_TEASER, TSR, 0 },
    { "you might be interested in", R_TEASER, TSR, 0 },
    { "read more", R_TEASER, TSR, 0 },
    { "read next", R_TEASER, TSR, 0 },
    { "read also", R_TEASER, TSR, 0 },
    { "also read", R_TEASER, TSR, 0 },
    { "more stories", R_TEASER, TSR, 0 },
    { "more news", R_TEASER, TSR, 0 },
    { "more on this story", R_TEASER, TSR, 0 },
    { "more on this topic", R_TEASER, TSR, 0 },
    { "recommended", R_TEASER, TSR, 0 },
    { "recommended for you", R_TEASER, TSR, 0 },
    { "recommended stories", R_TEASER, TSR, 0 },
    { "recommended articles", R_TEASER, TSR, 0 },
    { "trending", R_TEASER, TSR, 0 },
    { "trending now", R_TEASER, TSR, 0 },
    { "trending stories", R_TEASER, TSR, 0 },
    { "most popular", R_TEASER, TSR, 0 },
    { "most read", R_TEASER, TSR, 0 },
    { "popular posts", R_TEASER, TSR, 0 },
    { "popular stories", R_TEASER, TSR, 0 },
    { "latest news", R_TEASER, TSR, 0 },
    { "latest posts", R_TEASER, TSR, 0 },
    { "latest stories", R_TEASER, TSR, 0 },
    { "recent posts", R_TEASER, TSR, 0 },
    { "top stories", R_TEASER, TSR, 0 },
    { "further reading", R_TEASER, TSR, 0 },
    { "see also", R_TEASER, TSR, 0 },
    { "don't miss", R_TEASER, TSR, 0 },
    { "up next", R_TEASER, TSR, 0 },
    { "editor's picks", R_TEASER, TSR, 0 },
    { "what to read next", R_TEASER, TSR, 0 },
    { "in case you missed it", R_TEASER, TSR, 0 },
    { "around the web", R_TEASER, TSR, 0 },
    { "sponsored stories", R_TEASER, TSR, 0 },
    { "promoted stories", R_TEASER, TSR, 0 },
    { "previous post", R_TEASER, TSR, 0 },
    { "next post", R_TEASER, TSR, 0 },
    { "previous article", R_TEASER, TSR, 0 },
    { "next article", R_TEASER, TSR, 0 },
    { "previous story", R_TEASER, TSR, 0 },
    { "next story", R_TEASER, TSR, 0 },

    /* Inline teasers: the line itself. */
    { "read more : +", R_LINE, TSR, 30 },
    { "read also : +", R_LINE, TSR, 30 },
    { "also read : +", R_LINE, TSR, 30 },
    { "related : +", R_LINE, TSR, 30 },
    { "see also : +", R_LINE, TSR, 30 },
    { "recommended : +", R_LINE, TSR, 30 },
    { "related article : +", R_LINE, TSR, 30 },
    { "related story : +", R_LINE, TSR, 30 },
    { "related coverage : +", R_LINE, TSR, 30 },
    { "continue reading", R_LINE, TSR, 0 },
    { "continue reading +", R_LINE, TSR, 12 },
    { "read the full story", R_LINE, TSR, 0 },
    { "read the full article", R_LINE, TSR, 0 },

    /* Author boxes and lines. */
    { "about the author", R_AUTHOR, AUT, 0 },
    { "about the authors", R_AUTHOR, AUT, 0 },
    { "author bio", R_AUTHOR, AUT, 0 },
    { "written by +", R_LINE, AUT, 8 },
    { "posted by +", R_LINE, AUT, 12 },
    { "published by +", R_LINE, AUT, 8 },

    /* Navigation anywhere. */
    { "skip to content", R_LINE, NAV, 0 },
    { "skip to main content", R_LINE, NAV, 0 },
    { "skip to navigation", R_LINE, NAV, 0 },
    { "menu", R_LINE, NAV, 0 },
    { "main menu", R_LINE, NAV, 0 },
    { "search", R_LINE, NAV, 0 },
    { "log in", R_LINE, NAV, 0 },
    { "login", R_LINE, NAV, 0 },
    { "sign in", R_LINE, NAV, 0 },
    { "back to top", R_LINE, NAV, 0 },
    { "scroll to top", R_LINE, NAV, 0 },
    { "go to top", R_LINE, NAV, 0 },
    { "view all", R_LINE, NAV, 0 },
    { "see all", R_LINE, NAV, 0 },
    { "see more", R_LINE, NAV, 0 },
    { "show more", R_LINE, NAV, 0 },
    { "load more", R_LINE, NAV, 0 },
    { "tags : +", R_LINE, NAV, 40 },
    { "tags", R_LINE, NAV, 0 },
    { "filed under : +", R_LINE, NAV, 20 },
    { "filed under +", R_LINE, NAV, 10 },
    { "posted in +", R_LINE, NAV, 10 },
    { "categories : +", R_LINE, NAV, 20 },
    { "category : +", R_LINE, NAV, 20 },

    /* Share, follow, subscribe, cookies, ads, legal. */
    { "share", R_LINE, SHR, 0 },
    { "share this", R_LINE, SHR, 0 },
    { "share this article", R_LINE, SHR, 0 },
    { "share this story", R_LINE, SHR, 0 },
    { "share this post", R_LINE, SHR, 0 },
    { "share this page", R_LINE, SHR, 0 },
    { "share article", R_LINE, SHR, 0 },
    { "share story", R_LINE, SHR, 0 },
    { "share via", R_LINE, SHR, 0 },
    { "share via email", R_LINE, SHR, 0 },
    { "share on +", R_LINE, SHR, 6 },
    { "share : +", R_LINE, SHR, 12 },
    { "share this : +", R_LINE, SHR, 12 },
    { "click to share on +", R_LINE, SHR, 12 },
    { "click to email +", R_LINE, SHR, 12 },
    { "click to print +", R_LINE, SHR, 12 },
    { "click here +", R_LINE, SHR, 15 },
    { "tweet", R_LINE, SHR, 0 },
    { "email", R_LINE, SHR, 0 },
    { "print", R_LINE, SHR, 0 },
    { "pin it", R_LINE, SHR, 0 },
    { "whatsapp", R_LINE, SHR, 0 },
    { "facebook", R_LINE, SHR, 0 },
    { "twitter", R_LINE, SHR, 0 },
    { "linkedin", R_LINE, SHR, 0 },
    { "reddit", R_LINE, SHR, 0 },
    { "pinterest", R_LINE, SHR, 0 },
    { "copy link", R_LINE, SHR, 0 },
    { "follow us", R_LINE, SHR, 0 },
    { "follow us on +", R_LINE, SHR, 12 },
    { "follow us : +", R_LINE, SHR, 12 },
    { "like us on facebook", R_LINE, SHR, 0 },
    { "subscribe", R_LINE, SHR, 0 },
    { "subscribe now", R_LINE, SHR, 0 },
    { "subscribe today", R_LINE, SHR, 0 },
    { "subscribe to +", R_LINE, SHR, 15 },
    { "sign up for +", R_LINE, SHR, 20 },
    { "sign up to +", R_LINE, SHR, 20 },
    { "newsletter", R_LINE, SHR, 0 },
    { "join our newsletter", R_LINE, SHR, 0 },
    { "get our newsletter", R_LINE, SHR, 0 },
    { "we use cookies +", R_LINE, SHR, 60 },
    { "this website uses cookies +", R_LINE, SHR, 60 },
    { "this site uses cookies +", R_LINE, SHR, 60 },
    { "our website uses cookies +", R_LINE, SHR, 60 },
    { "by continuing to browse +", R_LINE, SHR, 40 },
    { "by continuing to use this +", R_LINE, SHR, 40 },
    { "by using this site +", R_LINE, SHR, 40 },
    { "by using this website +", R_LINE, SHR, 40 },
    { "accept cookies", R_LINE, SHR, 0 },
    { "accept all cookies", R_LINE, SHR, 0 },
    { "cookie settings", R_LINE, SHR, 0 },
    { "cookie policy", R_LINE, SHR, 0 },
    { "manage cookies", R_LINE, SHR, 0 },
    { "privacy policy", R_LINE, SHR, 0 },
    { "terms of use", R_LINE, SHR, 0 },
    { "terms of service", R_LINE, SHR, 0 },
    { "terms and conditions", R_LINE, SHR, 0 },
    { "contact us", R_LINE, SHR, 0 },
    { "about us", R_LINE, SHR, 0 },
    { "advertise with us", R_LINE, SHR, 0 },
    { "advertisement", R_LINE, SHR, 0 },
    { "advertisements", R_LINE, SHR, 0 },
    { "sponsored content", R_LINE, SHR, 0 },
    { "all rights reserved", R_LINE, SHR, 0 },
    { "(c) +", R_LINE, SHR, 25 },
    { "copyright (c) +", R_LINE, SHR, 25 },
    { "copyright # +", R_LINE, SHR, 25 },
};

#undef NAV
#undef SHR
#undef TSR
#undef AUT
#undef CMT

static int is_number_word(const char *s, size_t n)
{
    static const char *const words[] = { "no", "one", "two", "three", "four",
                                         "five", "six", "seven", "eight",
                                         "nine", "ten" };
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (n && i == n)
        return 1;
    for (size_t k = 0; k < sizeof words / sizeof *words; k++)
        if (strlen(words[k]) == n && memcmp(words[k], s, n) == 0)
            return 1;
    return 0;
}

/* Does the normalised line s (words separated by one space) match p? */
static int match(const char *s, const char *p)
{
    for (;;) {
        if (*p == ' ')
            p++;
        if (*s == ' ')
            s++;
        if (!*p)
            return !*s;
        size_t pl = strcspn(p, " "), sl = strcspn(s, " ");
        if (pl == 1 && *p == '*')
            return 1;
        if (pl == 1 && *p == '+')
            return sl > 0;
        if (!sl)
            return 0;
        if (pl == 1 && *p == '#') {
            if (!is_number_word(s, sl))
                return 0;
        } else if (!(pl == 1 && *p == '?') &&
                   (pl != sl || memcmp(p, s, pl) != 0)) {
            return 0;
        }
        p += pl;
        s += sl;
    }
}

/* The pattern the normalised line matches (words: its word count), or NULL. */
static const pattern *find_pattern(const char *s, uint32_t words)
{
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
        const pattern *p = &patterns[i];
        if (p->pat[0] != s[0] && p->pat[0] != '#' && p->pat[0] != '?')
            continue;
        if (p->max && words > p->max)
            continue;
        if (match(s, p->pat))
            return p;
    }
    return NULL;
}

/* --------------------------------------------------------- normalising */

static void norm_put(cti_boiler *b, const char *s, size_t n)
{
    if (b->normlen + n + 1 > NORM_MAX) {
        b->normcut = 1;
        return;
    }
    memcpy(b->norm + b->normlen, s, n);
    b->normlen += n;
}

/* End the current word (if any) with one space. */
static void norm_space(cti_boiler *b)
{
    if (b->normlen && b->norm[b->normlen - 1] != ' ')
        norm_put(b, " ", 1);
}

/*
 * Normalise [s, s+n) into b->norm: folded words joined by single spaces
 * (see the top of the file).  Sets b->normcut when it did not fit.
 */
static void normalise(cti_boiler *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    b->normlen = 0;
    b->normcut = 0;
    while (i < n && !b->normcut) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                norm_put(b, (const char *)&c, 1);
            } else if (c >= 'A' && c <= 'Z') {
                char l = (char)(c - 'A' + 'a');
                norm_put(b, &l, 1);
            } else if (c == '\'' && b->normlen &&
                       b->norm[b->normlen - 1] != ' ') {
                norm_put(b, "'", 1);
            } else if (c == ':') {
                norm_space(b);
                norm_put(b, ": ", 2);
            } else {
                norm_space(b);
            }
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i),
                                              &cp);
        if (k <= 0) {
            norm_space(b);
            i++;
            continue;
        }
        i += (size_t)k;
        if (cp == 0x2019 || cp == 0x02BC) {
            if (b->normlen && b->norm[b->normlen - 1] != ' ')
                norm_put(b, "'", 1);
            continue;
        }
        if (cp == 0xA9) {
            norm_space(b);
            norm_put(b, "(c) ", 4);
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO) {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_tolower(cp), enc);
            norm_put(b, (const char *)enc, (size_t)m);
        } else {
            norm_space(b);
        }
    }
    /* Drop edge spaces, then apostrophes ending words, then a final ':'. */
    while (b->normlen && b->norm[b->normlen - 1] == ' ')
        b->normlen--;
    if (b->normlen >= 2 && b->norm[b->normlen - 1] == ':' &&
        b->norm[b->normlen - 2] == ' ')
        b->normlen -= 2;
    b->norm[b->normlen] = '\0';
    size_t w = 0;
    for (size_t r = 0; r < b->normlen; r++) {
        if (b->norm[r] == '\'' &&
            (r + 1 == b->normlen || b->norm[r + 1] == ' '))
            continue;
        b->norm[w++] = b->norm[r];
    }
    b->normlen = w;
    b->norm[w] = '\0';
}

/* -------------------------------------------------------------- blocks */

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

static int is_upper_start(const unsigned char *s, size_t n)
{
    if (!n)
        return 0;
    if (s[0] < 0x80)
        return (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9');
    utf8proc_int32_t cp;
    if (utf8proc_iterate(s, (utf8proc_ssize_t)n, &cp) <= 0)
        return 0;
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_LU;
}

/* Does the line end in an ellipsis ("…", "...", "[…]", "[...]")? */
static int ends_ellipsis(const char *s, size_t n)
{
    if (n && s[n - 1] == ']') {
        n--;
        while (n && s[n - 1] == ' ')
            n--;
    }
    return (n >= 3 && memcmp(s + n - 3, "\xe2\x80\xa6", 3) == 0) ||
           (n >= 3 && memcmp(s + n - 3, "...", 3) == 0);
}

/* Words, flags of the line [s, s+n) (trimmed). */
/* Words of at most this many words are looked at for capitals. */
#define NAMEISH_WORDS (1 + AUTHOR_NAME_WORDS)

static void measure(block *k, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t words = 0;
    int nameish = 1, sentence = 0;
    unsigned flags = 0;
    /* Words are runs of bytes above ' ' (control bytes separate them too)
       holding a letter, a digit or a multibyte character; a sentence
       mark is '.', '!' or '?' ending a word (before closing quotes). */
    for (size_t i = 0; i < n;) {
        while (i < n && p[i] <= ' ')
            i++;
        size_t ws = i;
        int alnum = 0;
        for (; i < n && p[i] > ' ' && !alnum; i++) {
            unsigned c = p[i];
            alnum = (c - '0' < 10u) | ((c | 0x20) - 'a' < 26u) | (c >= 0xC0);
        }
        while (i < n && p[i] > ' ')
            i++;
        size_t e = i;
        while (e > ws && (p[e - 1] == '"' || p[e - 1] == '\'' ||
                          p[e - 1] == ')' || p[e - 1] == ']'))
            e--;
        if (e > ws && (p[e - 1] == '.' || p[e - 1] == '!' || p[e - 1] == '?'))
            sentence = 1;
        if (!alnum)
            continue;
        if (++words <= NAMEISH_WORDS && !is_upper_start(p + ws, n - ws))
            nameish = 0;
    }
    if (sentence)
        flags |= F_SENTENCE;
    k->words = words;
    if (words > NAMEISH_WORDS)
        nameish = 0;
    size_t e = n;
    while (e && strchr("\"')]", s[e - 1]))
        e--;
    while (e >= 3 && ((memcmp(s + e - 3, "\xe2\x80\x9d", 3) == 0) ||
                      (memcmp(s + e - 3, "\xe2\x80\x99", 3) == 0)))
        e -= 3;
    if (e && s[e - 1] == '.')
        flags |= F_STOP;
    if (n && strchr(".,;:!?", s[n - 1]))
        flags |= F_PUNCTEND;
    if (ends_ellipsis(s, n))
        flags |= F_ELLIPSIS;
    if (nameish && words)
        flags |= F_NAMEISH;
    if ((words >= PROSE_WORDS && (flags & F_SENTENCE)) || words >= LONG_WORDS)
        flags |= F_PROSE;
    k->flags = flags;
}

static cti_status push_block(cti_boiler *b, size_t start, size_t end)
{
    if (b->nb == b->capb) {
        size_t cap = b->capb ? b->capb * 2 : 64;
        block *x = realloc(b->b, cap * sizeof *x);
        if (!x)
            return CTI_ENOMEM;
        b->b = x;
        b->capb = cap;
    }
    block *k = &b->b[b->nb++];
    memset(k, 0, sizeof *k);
    k->start = start;
    k->end = end;
    measure(k, b->text + start, end - start);
    return CTI_OK;
}

/* Cut the text into trimmed, non-blank lines. */
static cti_status split_lines(cti_boiler *b)
{
    size_t i = 0;
    uint32_t before = 0;
    while (i < b->len) {
        const char *nl = memchr(b->text + i, '\n', b->len - i);
        size_t e = nl ? (size_t)(nl - b->text) : b->len, s = i;
        i = nl ? e + 1 : b->len;
        while (s < e && is_space((unsigned char)b->text[s]))
            s++;
        while (e > s && is_space((unsigned char)b->text[e - 1]))
            e--;
        if (s == e)
            continue;
        cti_status st = push_block(b, s, e);
        if (st != CTI_OK)
            return st;
        b->b[b->nb - 1].before = before;
        before += b->b[b->nb - 1].words;
    }
    b->words = before;
    return CTI_OK;
}

/* ---------------------------------------------------------- navigation */

static size_t count_sep(const char *s, size_t n, const char *sep)
{
    size_t l = strlen(sep), c = 0;
    for (size_t j = 0; j + l <= n; j++)
        if (memcmp(s + j, sep, l) == 0)
            c++;
    return c;
}

static int is_breadcrumb(const block *k, const char *s)
{
    static const char *const seps[] = { " / ", " > ", " \xc2\xbb ",
                                        " \xe2\x80\xba ", " | " };
    size_t n = k->end - k->start;
    if (k->words > BREADCRUMB_MAX_WORDS || k->words < 2)
        return 0;
    for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
        size_t l = strlen(seps[i]);
        if (n > 4 + l && (s[0] == 'H' || s[0] == 'h') &&
            memcmp(s + 1, "ome", 3) == 0 && memcmp(s + 4, seps[i], l) == 0)
            return 1;
        if (count_sep(s, n, seps[i]) >= 2)
            return 1;
    }
    return 0;
}

/* A menu line: MENU_MIN_ITEMS or more short items between one separator. */
static int is_menu_line(const block *k, const char *s)
{
    static const char *const seps[] = { " | ", " \xe2\x80\xa2 ", " \xc2\xb7 " };
    size_t n = k->end - k->start;
    for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
        size_t c = count_sep(s, n, seps[i]);
        if (c + 1 < MENU_MIN_ITEMS)
            continue;
        if (k->words <= (c + 1) * MENU_ITEM_WORDS)
            return 1;
    }
    return 0;
}

/* A line that could be a menu item: a few capitalised words, no punctuation. */
static int is_menu_item(const block *k)
{
    return k->words >= 1 && k->words <= MENU_ITEM_WORDS &&
           (k->flags & F_NAMEISH) && !(k->flags & (F_PUNCTEND | F_ELLIPSIS));
}

/* Navigation in [from, to): breadcrumbs, menu lines, menu runs. */
static void mark_nav(cti_boiler *b, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        block *k = &b->b[i];
        const char *s = b->text + k->start;
        if (!k->kind && (is_breadcrumb(k, s) || is_menu_line(k, s)))
            k->kind = CTI_BOILER_NAV;
    }
    for (size_t i = from; i < to;) {
        size_t j = i;
        while (j < to && is_menu_item(&b->b[j]))
            j++;
        if (j - i >= MENU_MIN_ITEMS)
            for (size_t m = i; m < j; m++)
                if (!b->b[m].kind)
                    b->b[m].kind = CTI_BOILER_NAV;
        i = j > i ? j : i + 1;
    }
}

/* ------------------------------------------------------------ sections */

/* Could block k follow a teaser heading as one of its teasers? */
static int is_teaser_item(const block *k)
{
    if (k->role == R_COMMENTS)
        return 0;
    if (k->role != R_NONE)
        return 1;
    if ((k->flags & F_ELLIPSIS) && k->words <= TEASER_EXCERPT_WORDS)
        return 1;
    return k->words <= TEASER_ITEM_WORDS && !(k->flags & F_STOP);
}

static void mark_teasers(cti_boiler *b, size_t end)
{
    for (size_t i = 0; i < end; i++) {
        if (b->b[i].role != R_TEASER)
            continue;
        b->b[i].kind = CTI_BOILER_TEASER;
        for (size_t j = i + 1, n = 0; j < end && n < TEASER_MAX_ITEMS; j++, n++) {
            block *k = &b->b[j];
            if (!is_teaser_item(k))
                break;
            if (!k->kind)
                k->kind = k->role_kind && k->role != R_TEASER
                              ? k->role_kind : CTI_BOILER_TEASER;
        }
    }
}

/* "About NAME": "About" and one to four capitalised words, no punctuation. */
static int is_about_name(const block *k, const char *s)
{
    size_t n = k->end - k->start;
    if (n < 7 || memcmp(s, "About ", 6) != 0 || k->words < 2 ||
        k->words > 1 + AUTHOR_NAME_WORDS || (k->flags & F_PUNCTEND))
        return 0;
    return is_upper_start((const unsigned char *)s + 6, n - 6) &&
           (k->flags & F_NAMEISH);
}

/* Does line k hold one of the words of the name in 'name' (the "About
   NAME" line, n bytes)? */
static int names_someone(const cti_boiler *b, const block *k, const char *name,
                         size_t n)
{
    const char *s = b->text + k->start, *e = b->text + k->end;
    for (size_t i = 6; i < n;) {
        size_t l = 0;
        while (i + l < n && name[i + l] != ' ')
            l++;
        for (const char *p = s; l >= 2 && p + l <= e; p++)
            if (memcmp(p, name + i, l) == 0 && (p == s || p[-1] == ' ') &&
                (p + l == e || !((p[l] | 0x20) >= 'a' && (p[l] | 0x20) <= 'z')))
                return 1;
        i += l + 1;
    }
    return 0;
}

/* Author boxes in the second half of the words, before block 'end'. */
static void mark_authors(cti_boiler *b, size_t end)
{
    for (size_t i = 0; i < end; i++) {
        block *k = &b->b[i];
        if (k->kind || 2 * (uint64_t)k->before < b->words)
            continue;
        const char *s = b->text + k->start;
        int about = k->role != R_AUTHOR;
        if (about && !is_about_name(k, s))
            continue;
        k->kind = CTI_BOILER_AUTHOR;
        /* The bio: a few lines, naming the author after "About NAME", when
           only set-aside lines or the end follow them. */
        if (i + 1 < end && about &&
            !names_someone(b, &b->b[i + 1], s, k->end - k->start))
            continue;
        size_t j = i + 1;
        uint32_t w = 0;
        while (j < end && !b->b[j].kind && b->b[j].role == R_NONE &&
               j - i <= BIO_MAX_BLOCKS && w + b->b[j].words <= BIO_MAX_WORDS)
            w += b->b[j++].words;
        if (j > i + 1 && (j == b->nb || b->b[j].kind || b->b[j].role != R_NONE))
            for (size_t m = i + 1; m < j; m++)
                b->b[m].kind = CTI_BOILER_AUTHOR;
    }
}

/* The first comment section heading that qualifies, or b->nb. */
static size_t find_comments(cti_boiler *b)
{
    uint32_t kept = 0;
    int prose = 0;
    for (size_t i = 0; i < b->nb; i++) {
        block *k = &b->b[i];
        if (k->role == R_COMMENTS && prose && kept >= COMMENTS_MIN_BEFORE &&
            b->words - k->before <= 2 * (uint64_t)k->before)
            return i;
        if (!k->kind) {
            kept += k->words;
            prose |= (k->flags & F_PROSE) != 0;
        }
    }
    return b->nb;
}

/* ------------------------------------------------------------- ranges */

static cti_status push_range(cti_boiler *b, size_t s, size_t e,
                             cti_boiler_kind kind)
{
    if (b->nr && b->r[b->nr - 1].kind == kind) {
        /* Merge when only white space lies between. */
        size_t pe = b->r[b->nr - 1].end, i = pe;
        while (i < s && is_space((unsigned char)b->text[i]))
            i++;
        if (i == s) {
            b->r[b->nr - 1].end = e;
            return CTI_OK;
        }
    }
    if (b->nr == b->capr) {
        size_t cap = b->capr ? b->capr * 2 : 16;
        cti_boiler_range *x = realloc(b->r, cap * sizeof *x);
        if (!x)
            return CTI_ENOMEM;
        b->r = x;
        b->capr = cap;
    }
    b->r[b->nr++] = (cti_boiler_range){ s, e, kind };
    return CTI_OK;
}

static cti_status build_ranges(cti_boiler *b)
{
    b->nr = 0;
    b->aside = 0;
    for (size_t i = 0; i < b->nb; i++) {
        block *k = &b->b[i];
        if (!k->kind)
            continue;
        b->aside += k->words;
        cti_status st = push_range(b, k->start, k->end, k->kind);
        if (st != CTI_OK)
            return st;
    }
    return CTI_OK;
}

/* ---------------------------------------------------------------- API */

cti_status cti_boiler_new(cti_boiler **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? CTI_OK : CTI_ENOMEM;
}

void cti_boiler_free(cti_boiler *b)
{
    if (!b)
        return;
    free(b->b);
    free(b->cand);
    free(b->r);
    free(b);
}

static void reset(cti_boiler *b, const char *body, size_t len)
{
    b->text = body;
    b->len = body ? len : 0;
    b->nb = b->ncand = b->nr = 0;
    b->words = b->aside = 0;
}

/*
 * Could a pattern match the line [s, s+n)?  Its first word (ASCII letters,
 * digits and apostrophes, folded) must be the first word of a pattern, or
 * a number; a line starting otherwise (another script, a curly quote, ©)
 * is looked at in full.  Saves normalising most lines of prose.
 */
static int may_match(const char *s, size_t n)
{
    char w[24];
    size_t i = 0, l = 0;
    while (i < n && (unsigned char)s[i] < 0x80 && !isalnum((unsigned char)s[i]))
        i++;
    if (i < n && (unsigned char)s[i] >= 0x80)
        return 1;
    for (; i < n && l + 1 < sizeof w; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            return 1;
        if (!isalnum(c) && c != '\'')
            break;
        w[l++] = (char)tolower(c);
    }
    if (!l || is_number_word(w, l))
        return 1;
    for (size_t k = 0; k < sizeof patterns / sizeof *patterns; k++) {
        const char *p = patterns[k].pat;
        if (p[0] == w[0] && strcspn(p, " ") == l && memcmp(p, w, l) == 0)
            return 1;
    }
    return 0;
}

/* Hash of a line's bytes, each run of white space as one space. */
static uint64_t hash_line(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c)) {
            while (i + 1 < n && is_space((unsigned char)s[i + 1]))
                i++;
            c = ' ';
        }
        h = (h ^ c) * 0x100000001b3ull;
    }
    return cti_hash_mix64(h);
}

/*
 * Match each short line that could be furniture against the patterns,
 * and hash each template candidate.
 */
static cti_status classify(cti_boiler *b)
{
    for (size_t i = 0; i < b->nb; i++) {
        block *k = &b->b[i];
        const char *s = b->text + k->start;
        size_t n = k->end - k->start;
        int edge = i < TEMPLATE_EDGE || i + TEMPLATE_EDGE >= b->nb;
        int cand = k->words <= TEMPLATE_SHORT_WORDS ||
                   (edge && k->words <= TEMPLATE_MAX_WORDS);
        if (!k->words)
            continue;
        if (k->words <= PATTERN_MAX_WORDS && n <= PATTERN_MAX_BYTES &&
            may_match(s, n)) {
            normalise(b, s, n);
            const pattern *p = b->normlen && !b->normcut
                                   ? find_pattern(b->norm, k->words) : NULL;
            if (p) {
                k->role = p->role;
                k->role_kind = p->kind;
            }
        }
        if (!cand)
            continue;
        k->hash = hash_line(s, n);
        k->flags |= F_CAND;
        if (b->ncand == b->capcand) {
            size_t cap = b->capcand ? b->capcand * 2 : 32;
            size_t *x = realloc(b->cand, cap * sizeof *x);
            if (!x)
                return CTI_ENOMEM;
            b->cand = x;
            b->capcand = cap;
        }
        b->cand[b->ncand++] = i;
    }
    return CTI_OK;
}

cti_status cti_boiler_scan(cti_boiler *b, const char *body, size_t len)
{
    cti_status st;
    reset(b, body, len);
    if ((st = split_lines(b)) != CTI_OK || (st = classify(b)) != CTI_OK)
        goto fail;
    size_t first = 0, last;
    while (first < b->nb && !(b->b[first].flags & F_PROSE))
        first++;
    for (size_t i = 0; i < b->nb; i++)
        if (b->b[i].role == R_LINE)
            b->b[i].kind = b->b[i].role_kind;
    size_t cs = find_comments(b);
    for (size_t i = cs; i < b->nb; i++)
        b->b[i].kind = CTI_BOILER_COMMENTS;
    mark_teasers(b, cs);
    mark_authors(b, cs);
    /* The tail: after the last kept prose line. */
    last = cs;
    while (last > 0 &&
           !((b->b[last - 1].flags & F_PROSE) && !b->b[last - 1].kind))
        last--;
    /* Without a prose line there is no telling furniture from text. */
    if (first < b->nb) {
        mark_nav(b, 0, first);
        if (last > first)
            mark_nav(b, last, cs);
    }
    for (size_t i = 0; i < b->nb; i++)
        b->b[i].shape = b->b[i].kind;
    if ((st = build_ranges(b)) != CTI_OK)
        goto fail;
    return CTI_OK;
fail:
    reset(b, body, len);
    return st;
}

size_t cti_boiler_ncandidates(const cti_boiler *b)
{
    return b->ncand;
}

uint64_t cti_boiler_candidate(const cti_boiler *b, size_t i)
{
    return i < b->ncand ? b->b[b->cand[i]].hash : 0;
}

uint32_t cti_boiler_threshold(uint32_t articles)
{
    uint64_t t = ((uint64_t)articles * CTI_BOILER_TEMPLATE_PCT + 99) / 100;
    return t > CTI_BOILER_TEMPLATE_MIN ? (uint32_t)t : CTI_BOILER_TEMPLATE_MIN;
}

cti_status cti_boiler_apply_template(cti_boiler *b, const uint32_t *counts,
                                     uint32_t threshold)
{
    unsigned char *tent = NULL;
    uint32_t tw = 0;
    cti_status st = CTI_OK;
    /* Back to the shape-only marks. */
    for (size_t i = 0; i < b->nb; i++)
        b->b[i].kind = b->b[i].shape;
    if (threshold < 2)
        threshold = 2;
    if (!b->ncand)
        goto done;
    /* 1: seen often enough; 2: and in a run from an edge. */
    tent = calloc(b->nb, 1);
    if (!tent) {
        st = CTI_ENOMEM;
        goto done;
    }
    for (size_t c = 0; c < b->ncand; c++)
        if (counts[c] >= threshold && !b->b[b->cand[c]].kind)
            tent[b->cand[c]] = 1;
    /* Confirm: short lines anywhere, long ones in the runs from the edges. */
    for (size_t i = 0; i < b->nb && (tent[i] || b->b[i].kind); i++)
        if (tent[i])
            tent[i] = 2;
    for (size_t i = b->nb; i > 0 && (tent[i - 1] || b->b[i - 1].kind); i--)
        if (tent[i - 1])
            tent[i - 1] = 2;
    for (size_t i = 0; i < b->nb; i++)
        if (tent[i] && (tent[i] == 2 || b->b[i].words <= TEMPLATE_SHORT_WORDS))
            tw += b->b[i].words;
    if (2 * (uint64_t)tw > b->words)
        goto done; /* a copy, not template */
    for (size_t i = 0; i < b->nb; i++)
        if (tent[i] && (tent[i] == 2 || b->b[i].words <= TEMPLATE_SHORT_WORDS))
            b->b[i].kind = CTI_BOILER_TEMPLATE;
done:
    free(tent);
    if (st != CTI_OK)
        for (size_t i = 0; i < b->nb; i++)
            b->b[i].kind = b->b[i].shape;
    if (build_ranges(b) != CTI_OK) {
        /* Ranges the shape rules needed fitted before: only template
           marks can ask for more, and then none are kept. */
        for (size_t i = 0; i < b->nb; i++)
            b->b[i].kind = b->b[i].shape;
        build_ranges(b);
        st = CTI_ENOMEM;
    }
    return st;
}

const cti_boiler_range *cti_boiler_ranges(const cti_boiler *b, size_t *n)
{
    *n = b->nr;
    return b->r;
}

size_t cti_boiler_words(const cti_boiler *b, size_t *aside)
{
    if (aside)
        *aside = b->aside;
    return b->words;
}

const char *cti_boiler_kind_name(cti_boiler_kind k)
{
    /* The record stores the kind (cti_store.h), which names it too. */
    return cti_record_kind_name((unsigned)k);
}

int cti_boiler_range_at(const cti_boiler_range *r, size_t n, size_t *cursor,
                        size_t off)
{
    while (*cursor < n && r[*cursor].end <= off)
        (*cursor)++;
    if (*cursor < n && r[*cursor].start <= off)
        return (int)r[*cursor].kind;
    return 0;
}

/* The host of a url ("https://www.example.com:8080/x" -> "example.com"). */
static const char *url_host(const char *url, size_t *n)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = p + strcspn(p, "/?#");
    const char *cred = memchr(p, '@', (size_t)(at - p));
    if (cred)
        p = cred + 1;
    size_t len = strcspn(p, "/?#:");
    if (len > 4 && (p[0] | 0x20) == 'w' && (p[1] | 0x20) == 'w' &&
        (p[2] | 0x20) == 'w' && p[3] == '.') {
        p += 4;
        len -= 4;
    }
    *n = len;
    return p;
}

static uint64_t hash_folded(const char *tag, const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *t = tag; *t; t++) {
        h ^= (unsigned char)*t;
        h *= 0x100000001b3ull;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h ^= c;
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

uint64_t cti_boiler_source_key(const char *source, const char *url,
                               const char *dir)
{
    size_t n;
    if (source && *source) {
        const char *s = source;
        n = strlen(s);
        while (n && is_space((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && is_space((unsigned char)s[n - 1]))
            n--;
        if (n)
            return hash_folded("s:", s, n);
    }
    if (url && *url) {
        const char *h = url_host(url, &n);
        if (n)
            return hash_folded("s:", h, n);
    }
    if (dir && *dir)
        return hash_folded("d:", dir, strlen(dir));
    return 0;
}

size_t cti_boiler_term(uint64_t source, uint64_t line,
                       char buf[CTI_BOILER_TERM_MAX])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (const char *p = CTI_PREFIX_BLOCK; *p; p++)
        buf[o++] = *p;
    for (int i = 7; i >= 0; i--)
        buf[o++] = hex[(source >> (4 * i)) & 15];
    for (int i = 11; i >= 0; i--)
        buf[o++] = hex[(line >> (4 * i)) & 15];
    buf[o] = '\0';
    return o;
}
