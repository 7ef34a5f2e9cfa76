/*
 * cti_html.h - web pages: the article in a saved page, without the page
 * around it.
 *
 * A page is parsed with libxml2's HTML parser (tolerant of broken markup,
 * as browsers are; entities decoded).  Its charset is the one it declares
 * (cti_charset.h), else UTF-8 when it is valid UTF-8, else Windows-1252.
 *
 * What is taken, each from the first place that has it:
 *   title   <meta property="og:title">, the "headline" of the page's
 *           JSON-LD article (application/ld+json: NewsArticle, Article,
 *           BlogPosting...), <title> without a " | Site" or " - Site"
 *           tail, the first <h1>, else the text's first sentence;
 *   date    <meta property="article:published_time">, JSON-LD
 *           "datePublished", other date <meta>s (pubdate, date,
 *           dc.date...), itemprop="datePublished", the first
 *           <time datetime>;
 *   author  <meta name="author">, JSON-LD "author" (its name or names),
 *           the text of rel="author" links, itemprop="author";
 *   source  <meta property="og:site_name">, JSON-LD "publisher" name,
 *           <meta name="application-name">;
 *   url     <meta property="og:url">, <link rel="canonical">;
 *   body    the text of the main content: the longest <article> (when it
 *           holds at least a third of the page's text), else the element
 *           with itemprop="articleBody", else <main>, else <body>.
 *
 * Inside the main content, script, style, noscript, template, svg,
 * iframe and form controls are dropped, and page furniture is left out
 * of the body: nav, header, footer, aside, forms (those without
 * paragraphs), elements with role navigation / banner / contentinfo /
 * complementary / search, hidden elements, and comment sections (an id
 * or class "comments", "comment-...", "respond", "disqus_thread").  The
 * text of the furniture is kept, in page order, in a->aside (see
 * cti_article.h): what a later step can store as text set aside.
 *
 * Block elements (p, div, headings, lists, tables, blockquote, pre,
 * section...) become paragraph breaks, <br> a line break, list items and
 * table rows lines of their own; other white space collapses as a
 * browser shows it (kept in <pre>).  A first paragraph that repeats the
 * title is dropped.
 */
#ifndef CTI_HTML_H
#define CTI_HTML_H

#include <stddef.h>

#include "cti_article.h"

/* Results of cti_html_parse(). */
#define CTI_HTML_OK     0
#define CTI_HTML_EMPTY  1   /* a page without article text (e.g. only scripts) */
#define CTI_HTML_BAD    2   /* not parseable at all (reason in msg) */
#define CTI_HTML_NOMEM  -1

/*
 * 1 if data[0, len) starts like a web page: after a byte order mark and
 * white space, "<!DOCTYPE html", "<html", "<head", or an XML declaration
 * or a comment followed within its first 1 KiB by "<html".  Looks at the
 * first bytes only; text that does not start with '<' costs one test.
 */
int cti_html_sniff(const char *data, size_t len);

/*
 * Read the page data[0, len) (in any charset) into *a: title, date,
 * author, source, url, body and aside as above; id, origin, size and
 * mtime are left for the caller; the hash is computed.  Returns
 * CTI_HTML_OK (release *a with cti_article_release()), CTI_HTML_EMPTY or
 * CTI_HTML_BAD (*a holds nothing to release), or CTI_HTML_NOMEM.  'msg'
 * (msglen bytes, may be NULL) receives, with CTI_HTML_OK, a note when the
 * charset was not declared and the page was read as Windows-1252 or a
 * declared charset is unknown (else ""), and with CTI_HTML_BAD the reason.
 */
int cti_html_parse(const char *data, size_t len, cti_article *a, char *msg,
                   size_t msglen);

#endif /* CTI_HTML_H */
