/*
 * cti_html.c - web pages: the article in a saved page (see cti_html.h).
 *
 * Steps: the page is converted to UTF-8 (cti_charset.h) and parsed by
 * libxml2 (HTML_PARSE_RECOVER, its own charset hints ignored); one walk
 * over the whole tree gathers the metadata and the candidates for the
 * main content (scan_enter); the main element is chosen by the length of
 * its visible text; a second walk over it writes the body and the set
 * aside text (text_enter, text_leave).  Walks are iterative (parent and
 * sibling pointers), so a deeply nested page cannot exhaust the stack.
 */
#include "cti_html.h"

#include "cti_charset.h"
#include "cti_jansson.h"

#include <jansson.h>
#include <stdint.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SNIFF_SCAN 1024
#define META_MAX 1024          /* bytes kept of a metadata text */
#define MAX_ARTICLES 4096      /* <article> elements considered */

/* Break levels between pieces of text. */
enum { BR_NONE, BR_SPACE, BR_LINE, BR_PARA };

/* Element kinds for the text walk. */
enum { E_INLINE, E_DROP, E_FURNITURE, E_BLOCK, E_LINE, E_CELL, E_BR };

/* ------------------------------------------------------------- sniff */

/* Case-insensitive prefix test at p (before end). */
static int prefix_ci(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(end - p) >= n && strncasecmp(p, s, n) == 0;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
                       *p == '\f'))
        p++;
    return p;
}

int cti_html_sniff(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    p = skip_space(p, end);
    if (p >= end || *p != '<')
        return 0;
    if (prefix_ci(p, end, "<!doctype html") || prefix_ci(p, end, "<html") ||
        prefix_ci(p, end, "<head"))
        return 1;
    if (!prefix_ci(p, end, "<?xml") && !prefix_ci(p, end, "<!--"))
        return 0;
    const char *stop = end - p > SNIFF_SCAN ? p + SNIFF_SCAN : end;
    for (const char *q = p; q + 5 <= stop; q++)
        if (q[0] == '<' && prefix_ci(q, stop, "<html"))
            return 1;
    return 0;
}

/* ---------------------------------------------------------- buffers */

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int brk;        /* pending break before the next text */
    int nomem;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->nomem)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 1024;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *t = realloc(b->s, nc);
        if (!t) {
            b->nomem = 1;
            return;
        }
        b->s = t;
        b->cap = nc;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_break(sbuf *b, int level)
{
    if (level > b->brk)
        b->brk = level;
}

/* Write the pending break (none at the very start). */
static void sb_flush(sbuf *b)
{
    static const char *const br[] = { "", " ", "\n", "\n\n" };
    if (b->n && b->brk)
        sb_put(b, br[b->brk], strlen(br[b->brk]));
    b->brk = BR_NONE;
}

/* Text as a browser shows it: runs of white space (and no-break spaces)
   become one space, unless 'pre'. */
static void sb_text(sbuf *b, const char *t, int pre)
{
    const char *p = t;
    while (*p) {
        size_t sp = 0;
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
            sp = 1;
        else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
            sp = 2;
        if (sp && !pre) {
            sb_break(b, BR_SPACE);
            p += sp;
            continue;
        }
        const char *q = p;
        while (*q && (pre || !(*q == ' ' || *q == '\t' || *q == '\n' ||
                               *q == '\r' || *q == '\f' ||
                               ((unsigned char)q[0] == 0xC2 &&
                                (unsigned char)q[1] == 0xA0))))
            q++;
        if (q == p)
            q++;
        sb_flush(b);
        sb_put(b, p, (size_t)(q - p));
        p = q;
    }
}

/* ----------------------------------------------------------- the tree */

static int is_el(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcasecmp((const char *)n->name, name) == 0;
}

/* The value of attribute 'name' of element n (no copy), or NULL. */
static const char *attr(const xmlNode *n, const char *name)
{
    if (n->type != XML_ELEMENT_NODE)
        return NULL;
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (strcasecmp((const char *)a->name, name) != 0)
            continue;
        if (a->children && a->children->content)
            return (const char *)a->children->content;
        return "";
    }
    return NULL;
}

/* Does the space-separated list 'list' hold 'word' (any case)? */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        const char *q = p;
        while (*q && *q != ' ' && *q != '\t' && *q != '\n')
            q++;
        if ((size_t)(q - p) == n && strncasecmp(p, word, n) == 0)
            return 1;
        p = q;
    }
    return 0;
}

/* The next node of a depth-first walk of the subtree 'root' after n,
   entering n's children unless 'skip'. */
static xmlNode *next_node(xmlNode *n, const xmlNode *root, int skip)
{
    if (!skip && n->children)
        return n->children;
    while (n && n != root) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

/* A class or id token naming a comment section. */
static int comment_token(const char *p, size_t n)
{
    static const char *const exact[] = { "comments", "comment", "respond",
                                         "disqus_thread", "commentlist" };
    static const char *const starts[] = { "comment-", "comments-", "comment_",
                                          "comments_" };
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (strlen(exact[i]) == n && strncasecmp(p, exact[i], n) == 0)
            return 1;
    for (size_t i = 0; i < sizeof starts / sizeof *starts; i++)
        if (n > strlen(starts[i]) && strncasecmp(p, starts[i], strlen(starts[i])) == 0)
            return 1;
    return 0;
}

static int is_comment_section(const xmlNode *n)
{
    const char *lists[2] = { attr(n, "id"), attr(n, "class") };
    for (int i = 0; i < 2; i++) {
        for (const char *p = lists[i]; p && *p;) {
            while (*p == ' ' || *p == '\t' || *p == '\n')
                p++;
            const char *q = p;
            while (*q && *q != ' ' && *q != '\t' && *q != '\n')
                q++;
            if (q > p && comment_token(p, (size_t)(q - p)))
                return 1;
            p = q;
        }
    }
    return 0;
}

/* Does element n hold a <p>? */
static int has_paragraph(xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = next_node(c, n, 0))
        if (is_el(c, "p"))
            return 1;
    return 0;
}

static int in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(name, list[i]) == 0)
            return 1;
    return 0;
}

/* Page furniture by its attributes: a role, or a comment section. */
static int furniture_attrs(const xmlNode *n)
{
    static const char *const roles[] = { "navigation", "banner", "contentinfo",
                                         "complementary", "search" };
    const char *role = attr(n, "role");
    if (role && in_list(role, roles, sizeof roles / sizeof *roles))
        return 1;
    return is_comment_section(n);
}

/* What element n is for the text walk. */
static int kind_of(xmlNode *n)
{
    static const char *const drop[] = {
        "script", "style", "noscript", "template", "svg", "math", "iframe",
        "object", "embed", "canvas", "button", "select", "option", "input",
        "textarea", "audio", "video", "map", "head", "title", "link", "meta",
    };
    static const char *const furniture[] = { "nav", "header", "footer", "aside",
                                             "dialog", "menu" };
    static const char *const block[] = {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
        "section", "article", "main", "ul", "ol", "dl", "table", "figure",
        "figcaption", "address", "hr", "fieldset", "details", "summary",
        "center", "body", "html",
    };
    static const char *const line[] = { "li", "tr", "dt", "dd", "caption",
                                         "thead", "tbody", "tfoot" };
    const char *name = (const char *)n->name;
    const char *hidden = attr(n, "aria-hidden");
    if (in_list(name, drop, sizeof drop / sizeof *drop) || attr(n, "hidden") ||
        (hidden && strcasecmp(hidden, "true") == 0))
        return E_DROP;
    if (in_list(name, furniture, sizeof furniture / sizeof *furniture) ||
        (strcasecmp(name, "form") == 0 && !has_paragraph(n)) ||
        furniture_attrs(n))
        return E_FURNITURE;
    if (strcasecmp(name, "br") == 0)
        return E_BR;
    if (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0)
        return E_CELL;
    if (in_list(name, line, sizeof line / sizeof *line))
        return E_LINE;
    return in_list(name, block, sizeof block / sizeof *block) ? E_BLOCK : E_INLINE;
}

/* --------------------------------------------------------- text walk */

/* The text walk goes over the whole page: text inside the main element
   goes to the body, text inside furniture (anywhere) to the aside, the
   rest nowhere.  Furniture that holds the main element (a page-wide
   <form>) is not furniture. */
typedef struct textwalk {
    sbuf body, aside;
    xmlNode *main;
    int in_main;        /* inside the main element */
    int furniture;      /* depth inside furniture */
    int pre;            /* depth inside <pre> */
} textwalk;

static int is_inside(const xmlNode *n, const xmlNode *ancestor)
{
    for (; n; n = n->parent)
        if (n == ancestor)
            return 1;
    return 0;
}

static sbuf *target(textwalk *t)
{
    if (t->furniture)
        return &t->aside;
    return t->in_main ? &t->body : NULL;
}

static void walk_break(textwalk *t, int level)
{
    sbuf *b = target(t);
    if (b)
        sb_break(b, level);
}

/* The kind of n for this walk. */
static int walk_kind(textwalk *t, xmlNode *n)
{
    int k = kind_of(n);
    if (k == E_FURNITURE && is_inside(t->main, n))
        k = E_BLOCK;
    return k;
}

/* Entering n; 1 to skip its children. */
static int text_enter(textwalk *t, xmlNode *n)
{
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        sbuf *b = target(t);
        if (n->content && b)
            sb_text(b, (const char *)n->content, t->pre > 0);
        return 1;
    }
    if (n->type != XML_ELEMENT_NODE)
        return 1;
    t->in_main |= n == t->main;
    switch (walk_kind(t, n)) {
    case E_DROP:
        return 1;
    case E_FURNITURE:
        t->furniture++;
        sb_break(&t->aside, BR_PARA);
        break;
    case E_BR:
        walk_break(t, BR_LINE);
        return 1;
    case E_BLOCK:
        walk_break(t, BR_PARA);
        t->pre += is_el(n, "pre");
        break;
    case E_LINE:
        walk_break(t, BR_LINE);
        break;
    case E_CELL:
        walk_break(t, BR_SPACE);
        break;
    default:
        break;
    }
    return 0;
}

/* Leaving element n (its children done). */
static void text_leave(textwalk *t, xmlNode *n)
{
    if (n->type != XML_ELEMENT_NODE)
        return;
    switch (walk_kind(t, n)) {
    case E_FURNITURE:
        t->furniture--;
        sb_break(&t->aside, BR_PARA);
        break;
    case E_BLOCK:
        walk_break(t, BR_PARA);
        t->pre -= is_el(n, "pre");
        break;
    case E_LINE:
        walk_break(t, BR_LINE);
        break;
    default:
        break;
    }
    if (n == t->main)
        t->in_main = 0;
}

/* Walk the subtree 'root', calling text_enter and text_leave. */
static void text_walk(textwalk *t, xmlNode *root)
{
    xmlNode *n = root;
    while (n) {
        int skip = text_enter(t, n);
        if (!skip && n->children) {
            n = n->children;
            continue;
        }
        if (!skip)
            text_leave(t, n);
        while (n && n != root && !n->next) {
            n = n->parent;
            text_leave(t, n);
        }
        n = n && n != root ? n->next : NULL;
    }
}

/* The length of the text the body walk would keep from 'root'. */
static size_t text_length(xmlNode *root)
{
    size_t len = 0;
    for (xmlNode *n = root; n; ) {
        int skip = 0;
        if (n->type == XML_TEXT_NODE && n->content) {
            len += strlen((const char *)n->content);
        } else if (n->type == XML_ELEMENT_NODE) {
            int k = n != root ? kind_of(n) : E_BLOCK;
            skip = k == E_DROP || k == E_FURNITURE;
        } else {
            skip = 1;
        }
        n = next_node(n, root, skip);
    }
    return len;
}

/* ----------------------------------------------------------- metadata */

/* Metadata found in the page, each slot a new string or NULL. */
enum {
    M_OG_TITLE, M_LD_HEADLINE, M_TITLE, M_H1,
    M_PUBLISHED, M_LD_DATE, M_META_DATE, M_ITEMPROP_DATE, M_TIME,
    M_META_AUTHOR, M_LD_AUTHOR, M_REL_AUTHOR, M_ITEMPROP_AUTHOR,
    M_OG_SITE, M_LD_PUBLISHER, M_APP_NAME,
    M_OG_URL, M_CANONICAL,
    M_N
};

typedef struct scan {
    char *m[M_N];
    xmlNode *body, *main, *article_body;
    xmlNode **articles;
    size_t narticles;
    xmlNode **times;    /* <time datetime> elements, in page order */
    size_t ntimes;
    int furniture;      /* depth inside furniture during the scan */
    int nomem;
} scan;

/* The text of n's subtree, white space collapsed, cut after about 'max'
   bytes; NULL when it has none, or on no memory (*nomem set). */
static char *text_of(xmlNode *n, size_t max, int *nomem)
{
    sbuf b = { 0 };
    for (xmlNode *c = n; c && b.n < max; c = next_node(c, n, 0))
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content)
            sb_text(&b, (const char *)c->content, 0);
    if (b.nomem) {
        *nomem = 1;
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* Keep 'value' (trimmed, collapsed) in slot i unless it is set. */
static void keep(scan *s, int i, const char *value)
{
    if (s->m[i] || !value)
        return;
    sbuf b = { 0 };
    sb_text(&b, value, 0);
    if (b.nomem)
        s->nomem = 1;
    if (b.n > META_MAX) {
        size_t cut = META_MAX; /* on a character boundary */
        while (cut > 0 && ((unsigned char)b.s[cut] & 0xC0) == 0x80)
            cut--;
        b.s[cut] = '\0';
    }
    s->m[i] = b.s; /* NULL when value held only spaces */
}

static void keep_node_text(scan *s, int i, xmlNode *n)
{
    if (s->m[i])
        return;
    char *t = text_of(n, META_MAX, &s->nomem);
    keep(s, i, t);
    free(t);
}

/* Grow a list of nodes by one; 0 or -1. */
static int push_node(xmlNode ***list, size_t *n, xmlNode *x)
{
    if ((*n & (*n - 1)) == 0) {
        size_t cap = *n ? *n * 2 : 8;
        xmlNode **l = realloc(*list, cap * sizeof *l);
        if (!l)
            return -1;
        *list = l;
    }
    (*list)[(*n)++] = x;
    return 0;
}

/* A <meta name/property/itemprop=... content=...>. */
static void scan_meta(scan *s, xmlNode *n)
{
    static const char *const dates[] = {
        "pubdate", "publishdate", "publish-date", "publish_date", "date",
        "dc.date", "dc.date.issued", "dcterms.created", "dcterms.date",
        "sailthru.date", "parsely-pub-date", "article.published",
        "datepublished", "citation_publication_date", "og:published_time",
        "original-publish-date",
    };
    const char *content = attr(n, "content");
    const char *key = attr(n, "property");
    if (!key)
        key = attr(n, "name");
    if (!key)
        key = attr(n, "itemprop");
    if (!key || !content)
        return;
    if (!strcasecmp(key, "og:title"))
        keep(s, M_OG_TITLE, content);
    else if (!strcasecmp(key, "article:published_time"))
        keep(s, M_PUBLISHED, content);
    else if (in_list(key, dates, sizeof dates / sizeof *dates))
        keep(s, M_META_DATE, content);
    else if (!strcasecmp(key, "author") && !strstr(content, "://"))
        keep(s, M_META_AUTHOR, content);
    else if (!strcasecmp(key, "og:site_name"))
        keep(s, M_OG_SITE, content);
    else if (!strcasecmp(key, "application-name"))
        keep(s, M_APP_NAME, content);
    else if (!strcasecmp(key, "og:url"))
        keep(s, M_OG_URL, content);
}

/* A name from a JSON-LD value: a string, an object's "name", or the
   names of a list joined by ", "; NULL when there is none, or with
   *nomem set when out of memory. */
static char *ld_name(json_t *v, int *nomem)
{
    if (json_is_string(v)) {
        char *r = strdup(json_string_value(v));
        if (!r)
            *nomem = 1;
        return r;
    }
    if (json_is_object(v))
        return ld_name(json_object_get(v, "name"), nomem);
    if (!json_is_array(v))
        return NULL;
    sbuf b = { 0 };
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        json_t *nm = json_is_object(e) ? json_object_get(e, "name") : e;
        if (!json_is_string(nm) || !json_string_length(nm))
            continue;
        if (b.n)
            sb_put(&b, ", ", 2);
        sb_put(&b, json_string_value(nm), json_string_length(nm));
    }
    if (b.nomem) {
        *nomem = 1;
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* Is the JSON-LD object o an article of some kind? */
static int ld_is_article(json_t *o)
{
    static const char *const types[] = {
        "NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle",
        "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
        "ReviewNewsArticle", "Report", "ScholarlyArticle", "LiveBlogPosting",
        "SocialMediaPosting", "TechArticle",
    };
    json_t *t = json_object_get(o, "@type"), *e;
    size_t i;
    if (json_is_string(t))
        return in_list(json_string_value(t), types, sizeof types / sizeof *types);
    json_array_foreach(t, i, e)
        if (json_is_string(e) &&
            in_list(json_string_value(e), types, sizeof types / sizeof *types))
            return 1;
    return 0;
}

/* Take headline, date, author and publisher from a JSON-LD article. */
static void ld_take(scan *s, json_t *o)
{
    char *v;
    keep(s, M_LD_HEADLINE, json_string_value(json_object_get(o, "headline")));
    json_t *d = json_object_get(o, "datePublished");
    if (!d)
        d = json_object_get(o, "dateCreated");
    keep(s, M_LD_DATE, json_string_value(d));
    if ((v = ld_name(json_object_get(o, "author"), &s->nomem)) != NULL) {
        keep(s, M_LD_AUTHOR, v);
        free(v);
    }
    if ((v = ld_name(json_object_get(o, "publisher"), &s->nomem)) != NULL) {
        keep(s, M_LD_PUBLISHER, v);
        free(v);
    }
}

/* A <script type="application/ld+json">: its first article object (at
   the top, in a list, or in an "@graph" list). */
static void scan_ld(scan *s, xmlNode *n)
{
    char *text = text_of(n, SIZE_MAX, &s->nomem);
    json_error_t je;
    json_t *root = text ? cti_jansson_load(text, strlen(text), 0, &je) : NULL;
    if (text && !root && cti_jansson_nomem(&je))
        s->nomem = 1;
    json_t *lists[2] = { root, json_object_get(root, "@graph") };
    free(text);
    if (json_is_object(root) && ld_is_article(root))
        ld_take(s, root);
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *e;
        json_array_foreach(lists[k], i, e)
            if (json_is_object(e) && ld_is_article(e)) {
                ld_take(s, e);
                break;
            }
    }
    json_decref(root);
}

/* itemprop microdata: datePublished, author, articleBody. */
static void scan_itemprop(scan *s, xmlNode *n, const char *prop)
{
    if (has_word(prop, "datePublished")) {
        const char *v = attr(n, "content");
        if (!v)
            v = attr(n, "datetime");
        if (v)
            keep(s, M_ITEMPROP_DATE, v);
        else
            keep_node_text(s, M_ITEMPROP_DATE, n);
    } else if (has_word(prop, "author") && !is_el(n, "meta")) {
        keep_node_text(s, M_ITEMPROP_AUTHOR, n);
    } else if (has_word(prop, "articleBody") && !s->article_body) {
        s->article_body = n;
    }
}

/* The scan of one element (metadata and candidates). */
static void scan_element(scan *s, xmlNode *n)
{
    const char *prop = attr(n, "itemprop"), *rel;
    if (is_el(n, "meta"))
        scan_meta(s, n);
    else if (is_el(n, "title") && !s->m[M_TITLE])
        keep_node_text(s, M_TITLE, n);
    else if (is_el(n, "h1"))
        keep_node_text(s, M_H1, n);
    else if (is_el(n, "body") && !s->body)
        s->body = n;
    else if (is_el(n, "main") && !s->main && !s->furniture)
        s->main = n;
    else if (is_el(n, "article") && !s->furniture && s->narticles < MAX_ARTICLES &&
             push_node(&s->articles, &s->narticles, n))
        s->nomem = 1;
    else if (is_el(n, "time") && attr(n, "datetime") &&
             push_node(&s->times, &s->ntimes, n))
        s->nomem = 1;
    else if (is_el(n, "link") && (rel = attr(n, "rel")) && has_word(rel, "canonical"))
        keep(s, M_CANONICAL, attr(n, "href"));
    else if (is_el(n, "script") && attr(n, "type") &&
             !strcasecmp(attr(n, "type"), "application/ld+json"))
        scan_ld(s, n);
    if ((rel = attr(n, "rel")) && has_word(rel, "author") && !is_el(n, "link"))
        keep_node_text(s, M_REL_AUTHOR, n);
    if (prop)
        scan_itemprop(s, n, prop);
}

/* Walk the whole document once, gathering what scan_element finds. */
static void scan_doc(scan *s, xmlNode *root)
{
    xmlNode *n = root;
    while (n) {
        int skip = n->type != XML_ELEMENT_NODE;
        if (!skip) {
            scan_element(s, n);
            int k = kind_of(n);
            skip = is_el(n, "script") || is_el(n, "style");
            if (k == E_FURNITURE)
                s->furniture++;
        }
        if (!skip && n->children) {
            n = n->children;
            continue;
        }
        if (n->type == XML_ELEMENT_NODE && !skip && kind_of(n) == E_FURNITURE)
            s->furniture--;
        while (n && n != root && !n->next) {
            n = n->parent;
            if (n && n->type == XML_ELEMENT_NODE && kind_of(n) == E_FURNITURE)
                s->furniture--;
        }
        n = n && n != root ? n->next : NULL;
    }
}

static void scan_free(scan *s)
{
    for (int i = 0; i < M_N; i++)
        free(s->m[i]);
    free(s->articles);
    free(s->times);
}

/* ------------------------------------------------------------ choices */

/* The main content: the longest article when it holds a third of the
   page's text, else itemprop=articleBody, <main>, <body>. */
static xmlNode *choose_main(scan *s, xmlNode *root)
{
    xmlNode *all = s->body ? s->body : root, *best = NULL;
    size_t total = text_length(all), best_len = 0;
    for (size_t i = 0; i < s->narticles; i++) {
        size_t l = text_length(s->articles[i]);
        if (l > best_len) {
            best_len = l;
            best = s->articles[i];
        }
    }
    if (best && best_len * 3 >= total)
        return best;
    if (s->article_body)
        return s->article_body;
    return s->main ? s->main : all;
}

/* The datetime of the first <time> in the main content, else the first. */
static void choose_time(scan *s, xmlNode *main)
{
    xmlNode *pick = NULL;
    for (size_t i = 0; i < s->ntimes && !pick; i++)
        if (is_inside(s->times[i], main))
            pick = s->times[i];
    if (!pick && s->ntimes)
        pick = s->times[0];
    if (pick)
        keep(s, M_TIME, attr(pick, "datetime"));
}

static size_t count_words(const char *s, size_t n)
{
    size_t w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = s[i] == ' ';
        w += !sp && !in;
        in = !sp;
    }
    return w;
}

/*
 * A <title> without the site's name: a tail or head after one of " | ",
 * " - ", " – ", " — ", " · ", " :: " that is the site name, or failing
 * that a tail of at most four words after a head of at least two.  With
 * 'site_only' only the site's name is removed.  A new string or NULL.
 */
static char *strip_site(const char *t, const char *site, int site_only)
{
    static const char *const seps[] = { " | ", " - ", " \xe2\x80\x93 ",
                                        " \xe2\x80\x94 ", " \xc2\xb7 ", " :: ",
                                        " \xe2\x80\xa2 " };
    size_t n = strlen(t), cut = n, sl = site ? strlen(site) : 0;
    const char *last = NULL;
    size_t lastlen = 0;
    for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
        size_t l = strlen(seps[i]);
        if (sl && n > sl + l && strncasecmp(t, site, sl) == 0 &&
            strncmp(t + sl, seps[i], l) == 0)
            return strdup(t + sl + l);
        for (const char *p = strstr(t, seps[i]); p; p = strstr(p + 1, seps[i]))
            if (!last || p > last) {
                last = p;
                lastlen = l;
            }
    }
    if (last) {
        const char *tail = last + lastlen;
        size_t head = (size_t)(last - t);
        if (sl && strcasecmp(tail, site) == 0)
            cut = head;
        else if (!site_only && count_words(tail, strlen(tail)) <= 4 &&
                 count_words(t, head) >= 2)
            cut = head;
    }
    char *r = malloc(cut + 1);
    if (r) {
        memcpy(r, t, cut);
        r[cut] = '\0';
    }
    return r;
}

/* The first of the slots listed that is set, moved out of the scan. */
static char *take_first(scan *s, const int *slots, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s->m[slots[i]]) {
            char *v = s->m[slots[i]];
            s->m[slots[i]] = NULL;
            return v;
        }
    return NULL;
}

/* Title, date, author, source and url into a, by the orders above. */
static int choose_meta(scan *s, cti_article *a)
{
    static const int dates[] = { M_PUBLISHED, M_LD_DATE, M_META_DATE,
                                 M_ITEMPROP_DATE, M_TIME };
    static const int authors[] = { M_META_AUTHOR, M_LD_AUTHOR, M_REL_AUTHOR,
                                   M_ITEMPROP_AUTHOR };
    static const int sources[] = { M_OG_SITE, M_LD_PUBLISHER, M_APP_NAME };
    static const int urls[] = { M_OG_URL, M_CANONICAL };
    static const int heads[] = { M_LD_HEADLINE, M_H1 };
    a->date = take_first(s, dates, 5);
    a->author = take_first(s, authors, 4);
    a->source = take_first(s, sources, 3);
    a->url = take_first(s, urls, 2);
    const char *site = a->source;
    /* strip_site() returns NULL only when out of memory. */
    if (s->m[M_OG_TITLE]) {
        if (!(a->title = strip_site(s->m[M_OG_TITLE], site, 1)))
            s->nomem = 1;
    } else if (s->m[M_LD_HEADLINE]) {
        a->title = take_first(s, heads, 1);
    } else if (s->m[M_TITLE]) {
        if (!(a->title = strip_site(s->m[M_TITLE], site, 0)))
            s->nomem = 1;
    } else {
        a->title = take_first(s, heads + 1, 1);
    }
    return s->nomem ? -1 : 0;
}

/* Drop a first paragraph that repeats the title. */
static void drop_title_repeat(cti_article *a)
{
    if (!a->title || !a->body)
        return;
    size_t tl = strlen(a->title);
    if (strncmp(a->body, a->title, tl) != 0 ||
        (a->body[tl] != '\n' && a->body[tl] != '\0'))
        return;
    size_t k = tl;
    while (a->body[k] == '\n')
        k++;
    memmove(a->body, a->body + k, strlen(a->body + k) + 1);
}

/* ------------------------------------------------------------- parse */

static void say(char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;
    if (!msg || !msglen)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
}

/* The page as UTF-8 (*out, caller frees): its declared charset, else
   UTF-8 or Windows-1252 by cti_charset_guess(); notes in msg. */
static int page_utf8(const char *data, size_t len, char **out, size_t *outlen,
                     int *repaired, char *msg, size_t msglen)
{
    char cs[64];
    size_t bad = 0;
    int declared = cti_charset_declared(data, len, cs, sizeof cs);
    const unsigned char *u = (const unsigned char *)data;
    /* A page cannot declare UTF-16 in a meta it could not be read as. */
    if (declared && strncasecmp(cs, "utf-16", 6) == 0 &&
        !(len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))))
        snprintf(cs, sizeof cs, "%s", CTI_CHARSET_UTF8);
    int rc = declared ? cti_charset_to_utf8(data, len, cs, out, outlen, &bad) : -2;
    if (rc == -2) {
        const char *g = cti_charset_guess(data, len);
        if (declared)
            say(msg, msglen, "unknown charset \"%s\": read as %s", cs,
                strcmp(g, CTI_CHARSET_CP1252) == 0 ? "Windows-1252 (Latin-1)" : g);
        else if (strcmp(g, CTI_CHARSET_CP1252) == 0)
            say(msg, msglen, "no charset declared and not UTF-8: read as "
                             "Windows-1252 (Latin-1)");
        rc = cti_charset_to_utf8(data, len, g, out, outlen, &bad);
    }
    *repaired = bad > 0;
    return rc;
}

/* Body (from the main element) and aside (from the whole page) into a. */
static int take_text(xmlNode *page, xmlNode *main, cti_article *a)
{
    textwalk t;
    memset(&t, 0, sizeof t);
    t.main = main;
    text_walk(&t, page);
    if (t.body.nomem || t.aside.nomem) {
        free(t.body.s);
        free(t.aside.s);
        return -1;
    }
    a->body = t.body.s;
    a->aside = t.aside.s;
    a->aside_len = t.aside.n;
    return 0;
}

int cti_html_parse(const char *data, size_t len, cti_article *a, char *msg,
                   size_t msglen)
{
    char *u8 = NULL;
    size_t n = 0;
    int repaired = 0, rc = CTI_HTML_NOMEM;
    scan s;
    htmlDocPtr doc = NULL;

    memset(&s, 0, sizeof s);
    cti_article_init(a);
    say(msg, msglen, "%s", "");
    if (page_utf8(data, len, &u8, &n, &repaired, msg, msglen))
        goto done;
    if (n > (size_t)0x7fffffff) {
        say(msg, msglen, "too large for the HTML parser");
        rc = CTI_HTML_BAD;
        goto done;
    }
    xmlInitParser();
    doc = htmlReadMemory(u8, (int)n, NULL, "UTF-8",
                         HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                             HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                             HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        say(msg, msglen, "no HTML element in it");
        rc = CTI_HTML_BAD;
        goto done;
    }
    scan_doc(&s, root);
    xmlNode *main = choose_main(&s, root);
    choose_time(&s, main);
    if (s.nomem || choose_meta(&s, a) ||
        take_text(s.body ? s.body : root, main, a))
        goto done;
    a->repaired = repaired;
    drop_title_repeat(a);
    if (!a->body || !a->body[0]) {
        rc = CTI_HTML_EMPTY;
        goto done;
    }
    rc = cti_article_finish(a) ? CTI_HTML_NOMEM : CTI_HTML_OK;
done:
    if (rc != CTI_HTML_OK)
        cti_article_release(a);
    scan_free(&s);
    if (doc)
        xmlFreeDoc(doc);
    free(u8);
    return rc;
}
