/*
 * cti_server.c - listening, routing, limits and headers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cti_api.h"
#include "cti_asset.h"
#include "cti_layout.h"
#include "cti_page.h"
#include "cti_server.h"
#include "cti_view.h"

#define MEMORY_LIMIT (32 * 1024) /* request line and headers */

static const char csp[] =
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct cti_server {
    struct MHD_Daemon *d;
    cti_pool *pool;
    int fd;            /* the listening socket (libmicrohttpd closes it) */
    int loopback;      /* 1: only loopback names are accepted in Host */
    char url[128];
};

/* A reply being built. */
typedef struct reply {
    int status;
    const char *type;
    cti_markup body;
    const cti_asset *asset; /* set: serve this instead of body */
} reply;

typedef int (*route_fn)(cti_server *srv, cti_search *s, const cti_webq *w,
                        cti_markup *out);

static int page_search(cti_server *srv, cti_search *s, const cti_webq *w,
                       cti_markup *out)
{
    (void)srv;
    return cti_page_search(s, w, out);
}

static int page_article(cti_server *srv, cti_search *s, const cti_webq *w,
                        cti_markup *out);

static int api_search(cti_server *srv, cti_search *s, const cti_webq *w,
                      cti_markup *out)
{
    (void)srv;
    return cti_api_search(s, w, out);
}

static int api_article(cti_server *srv, cti_search *s, const cti_webq *w,
                       cti_markup *out)
{
    (void)srv;
    return cti_api_article(s, w, out);
}

#define HTML "text/html; charset=utf-8"

static const struct route {
    const char *path;
    int json;          /* errors as JSON */
    const char *type;
    route_fn fn;
} routes[] = {
    { "/", 0, HTML, page_search },
    { "/article", 0, HTML, page_article },
    { "/api/search", 1, "application/x-ndjson", api_search },
    { "/api/article", 1, "application/json", api_article },
};

/* ---------------------------------------------------------------- */
/* Listening                                                        */
/* ---------------------------------------------------------------- */

/* "[HOST:]PORT" into host (default 127.0.0.1) and port. */
static int parse_listen(const char *arg, char *host, size_t hostlen,
                        char *port, size_t portlen, char *err, size_t errlen)
{
    const char *colon = strrchr(arg, ':');
    const char *p = colon ? colon + 1 : arg;
    size_t hl = colon ? (size_t)(colon - arg) : 0;
    char *end;
    errno = 0;
    unsigned long n = strtoul(p, &end, 10);
    if (!*p || *end || errno || n > 65535 || *p == '-' || *p == '+') {
        snprintf(err, errlen, "bad --listen '%s': the port must be a number "
                 "from 0 to 65535 ([HOST:]PORT)", arg);
        return -1;
    }
    if (colon && hl == 0) {
        snprintf(err, errlen, "bad --listen '%s': give a host before the ':' "
                 "(0.0.0.0 for every interface)", arg);
        return -1;
    }
    if (!colon) {
        snprintf(host, hostlen, "127.0.0.1");
    } else {
        if (arg[0] == '[' && colon[-1] == ']')
            arg++, hl -= 2; /* [IPv6] */
        if (hl >= hostlen) {
            snprintf(err, errlen, "bad --listen: the host is too long");
            return -1;
        }
        memcpy(host, arg, hl);
        host[hl] = '\0';
    }
    snprintf(port, portlen, "%lu", n);
    return 0;
}

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

/* Open the listening socket for 'arg'; fills s->fd, s->loopback, s->url. */
static cti_status listen_on(cti_server *s, const char *arg, char *err,
                            size_t errlen)
{
    char host[256], port[8], num[INET6_ADDRSTRLEN];
    struct addrinfo hints = { 0 }, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int one = 1, rc;

    if (parse_listen(arg, host, sizeof host, port, sizeof port, err, errlen))
        return CTI_EINVAL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
        snprintf(err, errlen, "cannot listen on '%s': %s", arg, gai_strerror(rc));
        return CTI_EINVAL;
    }
    s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0 ||
        setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(s->fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(s->fd, 128) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&ss, &sl) != 0) {
        snprintf(err, errlen, "cannot listen on %s port %s: %s", host, port,
                 strerror(errno));
        freeaddrinfo(ai);
        return CTI_EIO;
    }
    freeaddrinfo(ai);
    s->loopback = is_loopback((struct sockaddr *)&ss);
    int v6 = ss.ss_family == AF_INET6;
    const void *addr = v6 ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
                          : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
    unsigned p = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                          : ((struct sockaddr_in *)&ss)->sin_port);
    inet_ntop(ss.ss_family, addr, num, sizeof num);
    snprintf(s->url, sizeof s->url, "http://%s%s%s:%u/", v6 ? "[" : "", num,
             v6 ? "]" : "", p);
    return CTI_OK;
}

/* ---------------------------------------------------------------- */
/* Requests                                                         */
/* ---------------------------------------------------------------- */

static const char *get_arg(void *ctx, const char *key, size_t *len)
{
    const char *v = NULL;
    if (MHD_lookup_connection_value_n(ctx, MHD_GET_ARGUMENT_KIND, key,
                                      strlen(key), &v, len) != MHD_YES)
        return NULL;
    if (!v) { /* "?key" without '=' */
        *len = 0;
        return "";
    }
    return v;
}

/* On a loopback address: 1 when the Host header names a loopback host. */
static int host_ok(const cti_server *srv, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!srv->loopback || !h)
        return 1;
    size_t n = strlen(h);
    const char *colon = strrchr(h, ':');
    if (colon && !strchr(colon, ']'))
        n = (size_t)(colon - h);
    if ((n == 9 && !strncasecmp(h, "localhost", 9)) ||
        (n == 5 && !strncmp(h, "[::1]", 5)))
        return 1;
    struct in_addr a;
    char v4[16];
    if (n < sizeof v4) {
        memcpy(v4, h, n);
        v4[n] = '\0';
        if (inet_pton(AF_INET, v4, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127)
            return 1;
    }
    return 0;
}

/* An error reply: HTML page or JSON object, by route. */
static void fail(reply *r, int json, int status, const char *msg,
                 const cti_webq *w)
{
    cti_markup_release(&r->body);
    r->status = status;
    r->type = json ? "application/json" : HTML;
    if (json)
        cti_api_error(&r->body, msg);
    else
        cti_layout_error(&r->body, status, msg, w);
}

static int page_article(cti_server *srv, cti_search *s, const cti_webq *w,
                        cti_markup *out)
{
    cti_view v;
    char err[512];
    uint32_t doccount = 0;
    (void)srv;
    if (!w->id) {
        cti_layout_error(out, 400, "No article asked for: the link needs an id.", w);
        return 400;
    }
    cti_status st = cti_view_load(s, w->id, w->idlen, w->q,
                                  w->any ? CTI_QUERY_ANY : 0, &v, err,
                                  sizeof err);
    int status = st == CTI_OK ? 200 : st == CTI_ENOTFOUND ? 404 : 500;
    if (st == CTI_OK) {
        cti_db_doccount(cti_search_db(s), &doccount);
        cti_view_html(out, &v, w, doccount);
    } else {
        cti_layout_error(out, status, err, w);
    }
    cti_view_release(&v);
    return status;
}

static void serve_route(cti_server *srv, struct MHD_Connection *c,
                        const struct route *rt, reply *r)
{
    cti_webq w;
    cti_search *s = NULL;
    char err[512];

    r->type = rt->type;
    if (cti_webq_parse(get_arg, c, &w, err, sizeof err) != CTI_OK) {
        fail(r, rt->json, 400, err, NULL);
        return;
    }
    if (cti_pool_take(srv->pool, &s, err, sizeof err) != CTI_OK) {
        char msg[700];
        snprintf(msg, sizeof msg, "the index '%s' cannot be opened: %s",
                 cti_pool_path(srv->pool), err);
        fail(r, rt->json, 503, msg, &w);
        return;
    }
    r->status = rt->fn(srv, s, &w, &r->body);
    cti_pool_give(srv->pool, s);
    if (rt->json && r->status != 200)
        r->type = "application/json"; /* {"error": ...} */
    if (cti_markup_status(&r->body) != CTI_OK)
        fail(r, rt->json, 500, "out of memory", &w);
}

static void route_request(cti_server *srv, struct MHD_Connection *c,
                          const char *url, reply *r)
{
    if (!host_ok(srv, c)) {
        fail(r, 0, 403, "This server answers only requests addressed to "
             "localhost or 127.0.0.1 (the Host header names another host).",
             NULL);
        return;
    }
    if ((r->asset = cti_asset_find(url)) != NULL) {
        r->status = 200;
        r->type = r->asset->type;
        return;
    }
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!strcmp(url, routes[i].path)) {
            serve_route(srv, c, &routes[i], r);
            return;
        }
    }
    fail(r, !strncmp(url, "/api/", 5), 404,
         "There is no such page here.", NULL);
}

static void add_headers(struct MHD_Response *resp, const reply *r)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            r->asset ? "max-age=3600" : "no-store");
    if (r->status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
}

static enum MHD_Result send_reply(struct MHD_Connection *c, reply *r)
{
    static const char oom[] = "out of memory\n";
    struct MHD_Response *resp;
    size_t len = 0;
    char *body = NULL;
    if (r->asset) {
        resp = MHD_create_response_from_buffer(r->asset->len,
                                               (void *)r->asset->data,
                                               MHD_RESPMEM_PERSISTENT);
    } else if ((body = cti_markup_take(&r->body, &len)) != NULL) {
        resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    } else {
        r->status = 500;
        r->type = "text/plain; charset=utf-8";
        resp = MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom,
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    add_headers(resp, r);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* 1 when the request announces a body (which is never read). */
static int has_body(struct MHD_Connection *c)
{
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_LENGTH);
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_TRANSFER_ENCODING) ||
           (len && strspn(len, "0") != strlen(len));
}

/* What a request's *con_cls points to: its state before the reply. */
static int fresh, escaped_path, started;

/*
 * Called with the raw URI before it is decoded: a path with a %-escape
 * (%2e%2e, %00, ...) names none of the pages, which never need one, and
 * gets 404 whatever it decodes to.
 */
static void *raw_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    size_t path = strcspn(uri, "?");
    return memchr(uri, '%', path) ? &escaped_path : &fresh;
}

/*
 * libmicrohttpd's request handler.  The first call comes with the headers
 * (nothing to do yet: answering now would close the connection); the next
 * one when the request is complete.  Other methods than GET and HEAD get
 * 405 at once, and a request with a body 413: nothing here reads one
 * (answered at once, the connection is closed after the reply).
 */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    reply r;
    (void)version;
    (void)upload;
    int reading = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int body = has_body(c) || *upload_size;
    int bad_path = *con_cls == &escaped_path;
    if (*con_cls != &started && reading && !body && !bad_path) {
        *con_cls = &started;
        return MHD_YES;
    }
    memset(&r, 0, sizeof r);
    cti_markup_init(&r.body);
    if (!reading) {
        fail(&r, 0, 405, "This server only reads: use GET.", NULL);
    } else if (body) {
        fail(&r, 0, 413, "This server only reads: a request has no body.", NULL);
    } else if (bad_path) {
        fail(&r, !strncmp(url, "/api/", 5), 404, "There is no such page here.", NULL);
    } else {
        route_request(cls, c, url, &r);
    }
    enum MHD_Result ret = send_reply(c, &r);
    cti_markup_release(&r.body);
    return ret;
}

/* ---------------------------------------------------------------- */

cti_status cti_server_start(cti_pool *pool, const cti_server_opts *o,
                            cti_server **out, char *err, size_t errlen)
{
    char def[32];
    cti_server *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return CTI_ENOMEM;
    }
    s->pool = pool;
    s->fd = -1;
    snprintf(def, sizeof def, "127.0.0.1:%d", CTI_SERVER_PORT);
    cti_status st = listen_on(s, o->listen ? o->listen : def, err, errlen);
    if (st != CTI_OK)
        goto fail;
    unsigned threads = o->threads ? o->threads : 4;
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL,
        handle, s,
        MHD_OPTION_LISTEN_SOCKET, s->fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0,
        MHD_OPTION_CONNECTION_LIMIT, o->max_connections ? o->max_connections : 64,
        MHD_OPTION_CONNECTION_TIMEOUT, o->timeout ? o->timeout : 10,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MEMORY_LIMIT,
        MHD_OPTION_URI_LOG_CALLBACK, raw_uri, NULL,
        MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "cannot start the HTTP server on %s", s->url);
            free(s); /* the socket may be closed already: left to exit */
        return CTI_EIO;
    }
    *out = s;
    return CTI_OK;
fail:
    if (s->fd >= 0)
        close(s->fd);
    free(s);
    return st;
}

const char *cti_server_url(const cti_server *s)
{
    return s->url;
}

void cti_server_stop(cti_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d); /* closes the listening socket too */
    free(s);
}
