/*
 * cti_shard.c - the sharded index layout: placement, reading stubs, opening
 * the shards to search (creating and merging them: indexer/cti_sharding.c).
 *
 * The stub syntax is Xapian 1.4's: one database per line, "#" comments;
 * "auto PATH" / "glass PATH" (relative to the stub's folder), "remote
 * HOST:PORT" (xapian-tcpsrv; "[v6addr]:PORT" for IPv6) and "remote :PROG
 * ARGS" (xapian-progsrv, readable through Xapian but not a cti write
 * target).
 */
#include "cti_shard.h"

#include "cti_path.h"
#include "cti_schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STUB_NAME "XAPIANDB"

uint64_t cti_shard_hash(const char *id, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)id[i];
        h *= 1099511628211ULL;
    }
    return h;
}

unsigned cti_shard_pick(const char *id, size_t len, unsigned n)
{
    if (n <= 1)
        return 0;
    return (unsigned)(cti_shard_hash(id, len) % n);
}

void cti_shard_name(unsigned i, char *buf, size_t size)
{
    snprintf(buf, size, CTI_SHARD_PREFIX "%02u", i % 1000u);
}

/* Write a message into err (if any); returns 'st'. */
static cti_status fail(cti_status st, char *err, size_t errlen,
                       const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return st;
}

void cti_shard_layout_free(cti_shard_layout *l)
{
    if (!l)
        return;
    for (unsigned i = 0; i < l->n; i++) {
        free(l->t[i].path);
        free(l->t[i].host);
        free(l->t[i].label);
    }
    free(l->t);
    memset(l, 0, sizeof *l);
}

/* Append an empty target to 'l'; NULL when out of memory. */
static cti_shard_target *add_target(cti_shard_layout *l)
{
    if (l->n % 16 == 0) {
        cti_shard_target *nt = realloc(l->t, (l->n + 16) * sizeof *nt);
        if (!nt)
            return NULL;
        l->t = nt;
    }
    cti_shard_target *t = &l->t[l->n++];
    memset(t, 0, sizeof *t);
    return t;
}

/*
 * Parse "HOST:PORT" (or "[V6]:PORT") into t.  Returns 0, or -1 for a
 * malformed address, -2 out of memory.
 */
static int parse_hostport(const char *s, cti_shard_target *t)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !colon[1])
        return -1;
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || port == 0 || port > 65535 || colon[1] == '-' || colon[1] == '+')
        return -1;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (h[0] == '[') {
        if (hl < 3 || h[hl - 1] != ']')
            return -1;
        h++;
        hl -= 2;
    }
    if (!(t->host = strndup(h, hl)))
        return -2;
    t->port = (unsigned)port;
    size_t ll = strlen(s) + 8;
    if (!(t->label = malloc(ll)))
        return -2;
    snprintf(t->label, ll, "remote %s", s);
    return 0;
}

/* The folder part of 'path' ("." if none); caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/*
 * Parse the stub file 'stub' into l (kind not set).  'base' is the folder
 * relative paths are resolved against.
 */
static cti_status parse_stub(const char *stub, const char *base,
                             cti_shard_layout *l, char *err, size_t errlen)
{
    FILE *f = fopen(stub, "r");
    if (!f)
        return fail(CTI_EIO, err, errlen, "cannot read '%s': %s", stub,
                    strerror(errno));
    char line[4096];
    unsigned lineno = 0;
    cti_status st = CTI_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!n || line[0] == '#')
            continue;
        char *sp = strchr(line, ' ');
        char *arg = sp ? sp + 1 : line + n;
        if (sp)
            *sp = '\0';
        if (l->n >= CTI_SHARD_MAX) {
            st = fail(CTI_EINVAL, err, errlen, "%s: more than %d databases",
                      stub, CTI_SHARD_MAX);
            break;
        }
        cti_shard_target *t = add_target(l);
        if (!t) {
            st = fail(CTI_ENOMEM, err, errlen, "out of memory");
            break;
        }
        if (!strcmp(line, "auto") || !strcmp(line, "glass")) {
            if (!*arg) {
                st = fail(CTI_EINVAL, err, errlen, "%s:%u: no path", stub,
                          lineno);
                break;
            }
            t->path = arg[0] == '/' ? strdup(arg) : cti_path_join(base, arg);
            t->label = t->path ? strdup(t->path) : NULL;
            if (!t->path || !t->label) {
                st = fail(CTI_ENOMEM, err, errlen, "out of memory");
                break;
            }
        } else if (!strcmp(line, "remote")) {
            if (arg[0] == ':') {
                st = fail(CTI_EINVAL, err, errlen,
                          "%s:%u: a program remote (remote :PROG) can be "
                          "searched but not written by cti-index; use "
                          "xapian-tcpsrv (remote HOST:PORT)", stub, lineno);
                break;
            }
            int rc = parse_hostport(arg, t);
            if (rc) {
                st = rc == -2 ? fail(CTI_ENOMEM, err, errlen, "out of memory")
                              : fail(CTI_EINVAL, err, errlen,
                                     "%s:%u: bad remote address '%s' "
                                     "(want HOST:PORT)", stub, lineno, arg);
                break;
            }
        } else {
            st = fail(CTI_EINVAL, err, errlen,
                      "%s:%u: unknown database type '%s' (want auto, glass "
                      "or remote)", stub, lineno, line);
            break;
        }
    }
    if (st == CTI_OK && ferror(f))
        st = fail(CTI_EIO, err, errlen, "cannot read '%s'", stub);
    fclose(f);
    return st;
}

/* Is target i of a folder's stub "auto shard-<i>" inside 'dir'? */
static int is_shard_line(const char *dir, const cti_shard_target *t,
                         unsigned i)
{
    char name[16];
    if (t->host || !t->path)
        return 0;
    cti_shard_name(i, name, sizeof name);
    char *want = cti_path_join(dir, name);
    int ok = want && !strcmp(want, t->path);
    free(want);
    return ok;
}

cti_status cti_shard_layout_read(const char *db, cti_shard_layout *out,
                                 char *err, size_t errlen)
{
    cti_status st = CTI_OK;
    char *stub = NULL, *base = NULL;
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    if (!db || !*db)
        return fail(CTI_EINVAL, err, errlen, "no index given");
    if (!strncmp(db, "tcp:", 4)) {
        cti_shard_target *t = add_target(out);
        if (!t)
            return fail(CTI_ENOMEM, err, errlen, "out of memory");
        int rc = parse_hostport(db + 4, t);
        if (rc) {
            cti_shard_layout_free(out);
            return rc == -2 ? fail(CTI_ENOMEM, err, errlen, "out of memory")
                            : fail(CTI_EINVAL, err, errlen,
                                   "bad remote address '%s' (want "
                                   "tcp:HOST:PORT)", db);
        }
        out->kind = CTI_SHARD_TCP;
        return CTI_OK;
    }
    struct stat sb;
    if (stat(db, &sb) < 0) {
        if (errno == ENOENT)
            return CTI_OK; /* NONE */
        return fail(CTI_EIO, err, errlen, "cannot open '%s': %s", db,
                    strerror(errno));
    }
    if (S_ISREG(sb.st_mode)) {
        if (!(base = dir_of(db))) {
            st = fail(CTI_ENOMEM, err, errlen, "out of memory");
            goto done;
        }
        if ((st = parse_stub(db, base, out, err, errlen)) != CTI_OK)
            goto done;
        if (!out->n) {
            st = fail(CTI_EINVAL, err, errlen, "'%s' lists no database", db);
            goto done;
        }
        out->kind = CTI_SHARD_FILE;
        goto done;
    }
    if (!S_ISDIR(sb.st_mode)) {
        st = fail(CTI_EINVAL, err, errlen,
                  "'%s' is neither a folder nor a stub file", db);
        goto done;
    }
    if (!(stub = cti_path_join(db, STUB_NAME))) {
        st = fail(CTI_ENOMEM, err, errlen, "out of memory");
        goto done;
    }
    if (access(stub, F_OK) < 0)
        goto done; /* NONE */
    /* A cti index folder lists plain names (db.N, seg.N.M or shard-KK). */
    if ((st = parse_stub(stub, db, out, err, errlen)) != CTI_OK)
        goto done;
    unsigned shards = 0;
    for (unsigned i = 0; i < out->n; i++)
        shards += is_shard_line(db, &out->t[i], i);
    if (shards && shards == out->n) {
        out->kind = CTI_SHARD_DIR;
    } else if (shards) {
        st = fail(CTI_EINVAL, err, errlen,
                  "'%s' mixes shards with other databases (see %s)", db, stub);
    } else {
        cti_shard_layout_free(out);
        out->kind = CTI_SHARD_SINGLE;
    }
done:
    if (st != CTI_OK)
        cti_shard_layout_free(out);
    free(stub);
    free(base);
    return st;
}

cti_status cti_shard_open_search(const char *path, int partial,
                                 unsigned timeout_ms, cti_db **out,
                                 unsigned *skipped, char *msg, size_t msglen)
{
    cti_shard_layout lay;
    cti_status st;
    unsigned remote = 0, left = 0;
    size_t used = 0;
    *out = NULL;
    if (skipped)
        *skipped = 0;
    if (msg && msglen)
        msg[0] = '\0';
    /* A stub cti cannot parse (e.g. a program remote) is Xapian's to open. */
    if (cti_shard_layout_read(path, &lay, msg, msglen) != CTI_OK) {
        if (!strncmp(path, "tcp:", 4))
            return CTI_EINVAL;
        memset(&lay, 0, sizeof lay);
        if (msg && msglen)
            msg[0] = '\0';
    }
    for (unsigned i = 0; i < lay.n; i++)
        remote += lay.t[i].host != NULL;
    if (!remote) {
        cti_shard_layout_free(&lay);
        st = cti_db_open(path, CTI_DB_READ, out);
        if (st != CTI_OK)
            fail(st, msg, msglen, "%s", cti_errmsg());
        return st;
    }
    st = CTI_OK;
    for (unsigned i = 0; i < lay.n; i++) {
        cti_shard_target *t = &lay.t[i];
        cti_db *db = NULL;
        cti_status s = t->host
            ? cti_db_open_remote(t->host, t->port, timeout_ms, 0, &db)
            : cti_db_open(t->path, CTI_DB_READ, &db);
        if (s == CTI_OK && *out) {
            s = cti_db_add_shard(*out, db);
            cti_db_free(db); /* the shard stays open inside *out */
        } else if (s == CTI_OK) {
            *out = db;
        }
        if (s == CTI_OK)
            continue;
        /* The shim's message names a remote shard; name a local one. */
        const char *who = t->host ? "" : t->label;
        const char *sep = t->host ? "" : ": ";
        if (!partial) {
            fail(s, msg, msglen, "%s%s%s", who, sep, cti_errmsg());
            st = s;
            break;
        }
        /* Partial results: say which shard is missing, go on. */
        left++;
        if (msg && used < msglen) {
            int k = snprintf(msg + used, msglen - used, "%s%s%s%s",
                             used ? "; " : "", who, sep, cti_errmsg());
            if (k > 0)
                used += (size_t)k;
        }
        st = s;
    }
    if (!partial && st != CTI_OK) {
        cti_db_free(*out);
        *out = NULL;
    } else if (!*out) {
        if (msg && msglen && !used)
            fail(st, msg, msglen, "no shard of '%s' could be opened", path);
        if (st == CTI_OK)
            st = CTI_ENOTFOUND;
    } else {
        st = CTI_OK;
    }
    if (skipped)
        *skipped = left;
    cti_shard_layout_free(&lay);
    return st;
}
