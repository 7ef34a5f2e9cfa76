/*
 * cti_stats.c - the statistics of an index: counts from the database,
 * sizes from the files of the tables its stubs list.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cti_path.h"
#include "cti_schema.h"
#include "cti_stats.h"

#define STUB_NAME "XAPIANDB"
#define MAX_DEPTH 4   /* stubs within stubs: an index of shards is 2 */

static const struct {
    const char *name, *key;
} parts[CTI_NPARTS] = {
    [CTI_PART_TEXT] = { "stored text", "text" },
    [CTI_PART_POSTINGS] = { "postings", "postings" },
    [CTI_PART_POSITIONS] = { "positions", "positions" },
    [CTI_PART_TERMS] = { "terms", "terms" },
    [CTI_PART_SPELLING] = { "spelling", "spelling" },
    [CTI_PART_OTHER] = { "other", "other" },
};

const char *cti_stats_part_name(int k)
{
    return k >= 0 && k < CTI_NPARTS ? parts[k].name : "?";
}

const char *cti_stats_part_key(int k)
{
    return k >= 0 && k < CTI_NPARTS ? parts[k].key : "?";
}

void cti_stats_free(cti_stats *st)
{
    if (!st)
        return;
    free(st->language);
    cti_facets_free(st->names);
    free(st);
}

/* ---------------------------------------------------------------- dates */

static int valid_date(const char *v, size_t len)
{
    if (len != 8 || !memcmp(v, "0000", 4))
        return 0;
    for (size_t i = 0; i < 8; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return 1;
}

/* The dated articles and the first and last date, from value slot 0. */
static cti_status date_range(cti_db *db, cti_stats *st)
{
    cti_valiter *it = NULL;
    char lo[9] = "", hi[9] = "";
    const char *v;
    size_t len;
    uint32_t docid;
    cti_status rc = cti_db_values(db, CTI_SLOT_DATE, &it);
    while (rc == CTI_OK && (rc = cti_valiter_next(it, &docid, &v, &len)) == CTI_OK) {
        if (!valid_date(v, len))
            continue;
        if (!st->dated || memcmp(v, lo, 8) < 0)
            memcpy(lo, v, 8);
        if (!st->dated || memcmp(v, hi, 8) > 0)
            memcpy(hi, v, 8);
        st->dated++;
    }
    cti_valiter_free(it);
    if (rc != CTI_DONE)
        return rc;
    if (st->dated) {
        cti_schema_iso_date(lo, 8, st->first);
        cti_schema_iso_date(hi, 8, st->last);
    }
    st->undated = st->articles > st->dated ? st->articles - st->dated : 0;
    return CTI_OK;
}

/*
 * The bytes of the texts kept apart in CTI_SLOT_TEXT (cti_text.h): Xapian
 * keeps values with the posting lists, so the disk sizes count them
 * there; walk_index()'s caller moves them to the stored text.
 */
static cti_status text_apart(cti_db *db, uint64_t *bytes)
{
    cti_valiter *it = NULL;
    const char *v;
    size_t len;
    uint32_t docid;
    *bytes = 0;
    cti_status rc = cti_db_values(db, CTI_SLOT_TEXT, &it);
    while (rc == CTI_OK && (rc = cti_valiter_next(it, &docid, &v, &len)) == CTI_OK)
        *bytes += len;
    cti_valiter_free(it);
    return rc == CTI_DONE ? CTI_OK : rc;
}

/* -------------------------------------------------------------- stories */

#ifdef CTI_SLOT_CLUSTER
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The stories: distinct copy clusters, plus the articles without one.
 * Left at 0 when no article has a cluster (an index built before copies
 * were clustered).
 */
static cti_status count_stories(cti_db *db, cti_stats *st)
{
    cti_valiter *it = NULL;
    char **keys = NULL;
    size_t n = 0, cap = 0;
    const char *v;
    size_t len;
    uint32_t docid;
    cti_status rc = cti_db_values(db, CTI_SLOT_CLUSTER, &it);
    while (rc == CTI_OK && (rc = cti_valiter_next(it, &docid, &v, &len)) == CTI_OK) {
        if (!len)
            continue;
        if (n == cap) {
            size_t c = cap ? cap * 2 : 1024;
            char **k = realloc(keys, c * sizeof *k);
            if (!k) {
                rc = CTI_ENOMEM;
                break;
            }
            keys = k;
            cap = c;
        }
        if (!(keys[n] = strndup(v, len))) {
            rc = CTI_ENOMEM;
            break;
        }
        n++;
    }
    cti_valiter_free(it);
    if (rc == CTI_DONE && n) {
        size_t distinct = 0;
        qsort(keys, n, sizeof *keys, cmp_str);
        for (size_t i = 0; i < n; i++)
            distinct += i == 0 || strcmp(keys[i], keys[i - 1]);
        st->stories = (uint32_t)(distinct + (st->articles - n));
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return rc == CTI_DONE ? CTI_OK : rc;
}
#else
/* The index has no copy clusters yet: no count of stories. */
static cti_status count_stories(cti_db *db, cti_stats *st)
{
    (void)db;
    (void)st;
    return CTI_OK;
}
#endif

/* ----------------------------------------------------------------- disk */

/* The part a table file belongs to, by its name ("postlist.glass"). */
static int part_of(const char *name)
{
    static const struct {
        const char *prefix;
        int part;
    } tables[] = {
        { "docdata.", CTI_PART_TEXT },   { "record.", CTI_PART_TEXT },
        { "postlist.", CTI_PART_POSTINGS }, { "position.", CTI_PART_POSITIONS },
        { "termlist.", CTI_PART_TERMS }, { "spelling.", CTI_PART_SPELLING },
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (!strncmp(name, tables[i].prefix, strlen(tables[i].prefix)))
            return tables[i].part;
    return CTI_PART_OTHER;
}

/* Add the files of the database folder 'dir' to the sizes. */
static void size_database(cti_stats *st, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        char *p = e->d_name[0] == '.' ? NULL : cti_path_join(dir, e->d_name);
        if (p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
            st->bytes[part_of(e->d_name)] += (uint64_t)sb.st_size;
            st->total += (uint64_t)sb.st_size;
            if (strstr(e->d_name, ".glass") && sb.st_mtime > st->updated)
                st->updated = sb.st_mtime;
        }
        free(p);
    }
    closedir(d);
}

static void walk_stub(cti_stats *st, const char *dir, const char *stub,
                      int depth);

/* One local entry 'name' of a stub in 'dir': a database or a shard. */
static void walk_entry(cti_stats *st, const char *dir, const char *name,
                       int depth)
{
    char *path = name[0] == '/' ? strdup(name) : cti_path_join(dir, name);
    char *stub = path ? cti_path_join(path, STUB_NAME) : NULL;
    struct stat sb;
    if (stub && stat(stub, &sb) == 0) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        st->shards += !strncmp(base, "shard-", 6);
        walk_stub(st, path, stub, depth + 1);
    } else if (path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        st->databases++;
        st->segments += !strncmp(base, "seg.", 4);
        size_database(st, path);
    }
    free(stub);
    free(path);
}

/* The databases the stub file 'stub' lists, relative to 'dir'. */
static void walk_stub(cti_stats *st, const char *dir, const char *stub,
                      int depth)
{
    char line[4096];
    FILE *f = depth < MAX_DEPTH ? fopen(stub, "r") : NULL;
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char type[16], name[4000];
        if (sscanf(line, "%15s %3999[^\n]", type, name) != 2 || type[0] == '#')
            continue;
        if (!strcmp(type, "remote"))
            st->remote++;
        else if (!strcmp(type, "auto") || !strcmp(type, "glass"))
            walk_entry(st, dir, name, depth);
    }
    fclose(f);
}

/* Sizes, segments and update time from the index at 'path'. */
static void walk_index(cti_stats *st, const char *path)
{
    struct stat sb;
    if (!strncmp(path, "tcp:", 4)) {
        st->remote++;
        return;
    }
    if (stat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        char *stub = cti_path_join(path, STUB_NAME);
        struct stat ss;
        if (stub && stat(stub, &ss) == 0)
            walk_stub(st, path, stub, 0);
        else if (stub) { /* a plain Xapian database folder */
            st->databases++;
            size_database(st, path);
        }
        free(stub);
        return;
    }
    /* A stub file: its relative lines are relative to its folder. */
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
    if (dir) {
        if (slash)
            *slash = '\0';
        walk_stub(st, slash ? (dir[0] ? dir : "/") : ".", path, 0);
    }
    free(dir);
}

cti_status cti_stats_gather(cti_search *s, const char *path, size_t top,
                            cti_stats **out, char *err, size_t errlen)
{
    static const cti_facet_kind kinds[2] = { CTI_FACET_SOURCE, CTI_FACET_AUTHOR };
    cti_db *db = cti_search_db(s);
    cti_stats *st = calloc(1, sizeof *st);
    cti_status rc = CTI_ENOMEM;

    *out = NULL;
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    rc = cti_db_doccount(db, &st->articles);
    if (rc == CTI_OK)
        rc = count_stories(db, st);
    if (rc == CTI_OK)
        rc = date_range(db, st);
    uint64_t apart = 0;
    if (rc == CTI_OK)
        rc = text_apart(db, &apart);
    if (rc == CTI_OK)
        rc = cti_db_get_metadata(db, CTI_META_LANGUAGE, &st->language, NULL);
    if (rc != CTI_OK)
        snprintf(err, errlen, "%s", cti_db_errmsg(db));
    if (rc == CTI_OK) {
        char *pos = NULL;
        rc = cti_db_get_metadata(db, CTI_META_POSITIONS, &pos, NULL);
        st->pos_article = pos && !strcmp(pos, CTI_POSITIONS_ARTICLE);
        free(pos);
    }
    if (rc == CTI_OK && !st->language[0]) { /* as cti_search_open() reads it */
        free(st->language);
        st->language = strdup("english");
        rc = st->language ? CTI_OK : CTI_ENOMEM;
    }
    if (rc == CTI_OK)
        rc = cti_facets_count(s, NULL, NULL, kinds, 2, top, &st->names, NULL,
                              err, errlen);
    if (rc != CTI_OK) {
        cti_stats_free(st);
        return rc;
    }
    walk_index(st, path);
    if (apart > st->bytes[CTI_PART_POSTINGS])
        apart = st->bytes[CTI_PART_POSTINGS];
    st->bytes[CTI_PART_POSTINGS] -= apart;
    st->bytes[CTI_PART_TEXT] += apart;
    *out = st;
    return CTI_OK;
}
