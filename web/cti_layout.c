/*
 * cti_layout.c - head, search bar and footer of every page.
 */
#include <string.h>

#include "cti_layout.h"
#include "cti_output.h"
#include "cti_search.h"

void cti_layout_open(cti_markup *h, const char *title, size_t titlelen,
                     const cti_webq *w, int focus)
{
    cti_markup_raw(h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"color-scheme\" content=\"light dark\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<title>");
    if (titlelen) {
        cti_markup_text(h, title, titlelen);
        cti_markup_raw(h, " · cti");
    } else {
        cti_markup_raw(h, "cti");
    }
    cti_markup_raw(h, "</title>\n"
        "<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\n"
        "<link rel=\"stylesheet\" href=\"/assets/style.css\">\n"
        "<script src=\"/assets/app.js\" defer></script>\n"
        "</head>\n<body>\n"
        "<header class=\"top\"><div class=\"wrap top-in\">\n"
        "<a class=\"brand\" href=\"/\" title=\"cti: all articles\">"
        "<img src=\"/assets/favicon.svg\" alt=\"\" width=\"28\" height=\"28\">"
        "<span>cti</span></a>\n"
        "<form class=\"search\" action=\"/\" method=\"get\" role=\"search\">\n"
        "<input id=\"q\" type=\"search\" name=\"q\" value=\"");
    cti_markup_text(h, w->q, w->qlen);
    cti_markup_printf(h, "\" placeholder=\"Lina Khan AND antitrust\" "
        "aria-label=\"Query\" autocomplete=\"off\" autocapitalize=\"off\" "
        "spellcheck=\"false\" maxlength=\"%d\"%s>\n", CTI_WEBQ_MAX_QUERY,
        focus ? " autofocus" : "");
    cti_markup_printf(h, "<label class=\"any\" title=\"Natural language: any of "
        "the words, best first; query syntax is plain text\">"
        "<input type=\"checkbox\" name=\"any\" value=\"1\"%s> Any word</label>\n",
        w->any ? " checked" : "");
    if (w->sort != CTI_SORT_RELEVANCE)
        cti_markup_printf(h, "<input type=\"hidden\" name=\"sort\" value=\"%s\">\n",
                        w->sort == CTI_SORT_DATE ? "date" : "-date");
    cti_markup_raw(h, "<button type=\"submit\">Search</button>\n"
        "</form>\n</div></header>\n");
}

void cti_layout_close(cti_markup *h, uint32_t doccount)
{
    char num[32];
    cti_markup_printf(h, "<footer class=\"wrap foot\"><span>%s article%s in "
        "the index</span>\n<span class=\"keys\"><kbd>/</kbd> search "
        "<kbd>j</kbd> <kbd>k</kbd> move <kbd>Enter</kbd> open "
        "<kbd>Esc</kbd> leave the box</span></footer>\n"
        "</body>\n</html>\n",
        cti_output_count(doccount, num, sizeof num), doccount == 1 ? "" : "s");
}

const char *cti_layout_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 403: return "Forbidden";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

void cti_layout_error(cti_markup *h, int status, const char *msg,
                      const cti_webq *w)
{
    cti_webq none;
    const char *reason = cti_layout_reason(status);
    if (!w) {
        cti_webq_default(&none);
        w = &none;
    }
    cti_layout_open(h, reason, strlen(reason), w, 1);
    cti_markup_printf(h, "<main class=\"wrap\"><div class=\"error\">"
                    "<h1>%d %s</h1>\n<p>", status, reason);
    cti_markup_str(h, msg);
    cti_markup_raw(h, "</p>\n<p><a href=\"/\">Start a new search</a></p>"
                    "</div></main>\n"
                    "</body>\n</html>\n");
}
