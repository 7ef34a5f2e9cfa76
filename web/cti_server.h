/*
 * cti_server.h - the HTTP server of cti-web (libmicrohttpd).
 *
 * Read-only: GET and HEAD only.  Routes, matched exactly (no file is
 * ever read from disk for a request):
 *   /                  the search page (cti_page.h)
 *   /article           one article (cti_view.h)
 *   /api/search        JSON lines, as cti-search --json (cti_api.h)
 *   /api/article       one article as JSON
 *   /assets/NAME       the built-in style sheet, script and icon
 * Anything else is 404.  Every reply carries a Content-Security-Policy
 * allowing only the server's own assets, X-Content-Type-Options nosniff,
 * Referrer-Policy no-referrer and X-Frame-Options DENY.
 *
 * Limits: requests are answered by a pool of threads; at most
 * 'max_connections' connections are open at once (more are closed at
 * once); a connection idle for 'timeout' seconds is closed; a request's
 * line and headers must fit in 32 KiB (else 414 or 431), the query in
 * CTI_WEBQ_MAX_QUERY bytes (else 400).  On a loopback address, a request
 * whose Host is not a loopback name is refused (403), so that a web page
 * elsewhere cannot read the index through a DNS name it points at
 * 127.0.0.1.
 */
#ifndef CTI_SERVER_H
#define CTI_SERVER_H

#include <stddef.h>
#include "cti_pool.h"

#define CTI_SERVER_PORT 8080

typedef struct cti_server_opts {
    const char *listen;       /* "[HOST:]PORT" ("[::1]:PORT" for IPv6);
                                 NULL: 127.0.0.1:CTI_SERVER_PORT */
    unsigned threads;         /* request threads (0: 4) */
    unsigned max_connections; /* (0: 64) */
    unsigned timeout;         /* idle seconds before a connection is closed (0: 10) */
} cti_server_opts;

typedef struct cti_server cti_server;

/*
 * Listen as 'o' says and serve the index of 'pool' (which must outlive the
 * server) from background threads.  Returns CTI_OK and *out, or
 * CTI_EINVAL (a bad listen address) or CTI_EIO (cannot listen there) with
 * *out NULL and the reason in 'err'.
 */
cti_status cti_server_start(cti_pool *pool, const cti_server_opts *o,
                            cti_server **out, char *err, size_t errlen);

/* The URL the server answers at, e.g. "http://127.0.0.1:8080/". */
const char *cti_server_url(const cti_server *s);

/* Stop serving (requests under way are finished) and free 's'. */
void cti_server_stop(cti_server *s);

#endif /* CTI_SERVER_H */
