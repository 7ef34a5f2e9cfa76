/*
 * cti_text.c - an article's stored text, compressed with zstd against a
 * dictionary trained on the index's own articles (the contract and the
 * reasons are in cti_text.h).
 *
 * The packer's lock guards its samples and its dictionary; a compressed
 * dictionary (ZSTD_CDict) is only read once made, so each writer
 * compresses with its own context outside the lock.  The reader's lock
 * guards its list of dictionaries and its one decompression context.
 */
#include "cti_text.h"

#include "cti_dictfile.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZDICT_STATIC_LINKING_ONLY
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDDict_byReference() */
#include <zdict.h>
#include <zstd.h>

struct cti_text_packer {
    pthread_mutex_t mu;
    char *dict;                 /* the dictionary's bytes, or NULL */
    size_t dict_len;
    uint32_t dict_id;
    ZSTD_CDict *cdict;          /* made from it */
    char *samples;              /* texts' starts, one after another */
    size_t *sizes;              /* each one's length */
    size_t nsamples, samples_len;
    int training;               /* a thread is training: do not start */
    int gave_up;                /* training failed: pack alone */
};

struct cti_text_writer {
    cti_text_packer *p;
    ZSTD_CCtx *cctx;
    const ZSTD_CDict *cdict;    /* the one cctx refers to */
    int set;                    /* cctx's parameters are set for cdict */
};

/* Make p's dictionary from dict[0..len) (copied); [mu] held or alone. */
static cti_status take_dict(cti_text_packer *p, const char *dict, size_t len)
{
    uint32_t id = (uint32_t)ZDICT_getDictID(dict, len);
    if (!id)
        return CTI_ECORRUPT;
    char *copy = malloc(len);
    if (!copy)
        return CTI_ENOMEM;
    memcpy(copy, dict, len);
    ZSTD_CDict *cd = ZSTD_createCDict(copy, len, CTI_TEXT_LEVEL);
    if (!cd) {
        free(copy);
        return CTI_ENOMEM;
    }
    p->dict = copy;
    p->dict_len = len;
    p->dict_id = id;
    p->cdict = cd;
    return CTI_OK;
}

cti_status cti_text_packer_new(const char *dict, size_t len,
                               cti_text_packer **out)
{
    cti_text_packer *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return CTI_ENOMEM;
    pthread_mutex_init(&p->mu, NULL);
    if (dict && len) {
        cti_status st = take_dict(p, dict, len);
        if (st != CTI_OK) {
            cti_text_packer_free(p);
            return st;
        }
    }
    *out = p;
    return CTI_OK;
}

void cti_text_packer_free(cti_text_packer *p)
{
    if (!p)
        return;
    ZSTD_freeCDict(p->cdict);
    free(p->dict);
    free(p->samples);
    free(p->sizes);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static void dict_key(uint32_t id, char *key, char *hex)
{
    snprintf(hex, 9, "%08" PRIx32, id);
    snprintf(key, CTI_TEXT_KEY_MAX, "%s.%s", CTI_META_TEXT_DICT, hex);
}

cti_status cti_text_packer_open(cti_db *db, cti_text_packer **out,
                                char *err, size_t errlen)
{
    char *id = NULL, *dict = NULL;
    size_t len = 0;
    char key[CTI_TEXT_KEY_MAX] = "", hex[9] = "";
    cti_status st = CTI_OK;
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (db && (st = cti_db_get_metadata(db, CTI_META_TEXT_DICT, &id, NULL)) ==
                  CTI_OK && *id) {
        dict_key((uint32_t)strtoul(id, NULL, 16), key, hex);
        st = cti_db_get_metadata(db, key, &dict, &len);
        if (st == CTI_OK && !len && err && errlen)
            snprintf(err, errlen, "its text dictionary %s is missing (metadata "
                     "key %s): the articles stored with it show no text; a new "
                     "one is trained for the articles added now (--remove the "
                     "others and index them again to read them)", hex, key);
    }
    if (st == CTI_OK)
        st = cti_text_packer_new(dict, len, out);
    if (st != CTI_OK && err && errlen) {
        if (st == CTI_ECORRUPT)
            snprintf(err, errlen, "its text dictionary %s is damaged "
                     "(metadata key %s)", hex, key);
        else
            snprintf(err, errlen, "%s", st == CTI_ENOMEM ? "out of memory"
                                                         : cti_errmsg());
    }
    free(id);
    free(dict);
    return st;
}

int cti_text_packer_dict(cti_text_packer *p, char *key, char *id,
                         const char **bytes, size_t *len)
{
    pthread_mutex_lock(&p->mu);
    int have = p->dict != NULL;
    if (have) {
        dict_key(p->dict_id, key, id);
        *bytes = p->dict;
        *len = p->dict_len;
    }
    pthread_mutex_unlock(&p->mu);
    return have;
}

uint32_t cti_text_packer_dict_id(cti_text_packer *p)
{
    pthread_mutex_lock(&p->mu);
    uint32_t id = p->dict_id;
    pthread_mutex_unlock(&p->mu);
    return id;
}

cti_status cti_text_packer_store(cti_text_packer *p, cti_db *db)
{
    char key[CTI_TEXT_KEY_MAX], id[9];
    const char *bytes;
    size_t len;
    if (!p || !cti_text_packer_dict(p, key, id, &bytes, &len))
        return CTI_OK;
    cti_status st = cti_db_set_metadata(db, key, bytes, len);
    if (st == CTI_OK)
        st = cti_db_set_metadata(db, CTI_META_TEXT_DICT, id, 8);
    return st;
}

cti_status cti_text_writer_new(cti_text_packer *p, cti_text_writer **out)
{
    cti_text_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w || !(w->cctx = ZSTD_createCCtx())) {
        free(w);
        return CTI_ENOMEM;
    }
    w->p = p;
    *out = w;
    return CTI_OK;
}

void cti_text_writer_free(cti_text_writer *w)
{
    if (!w)
        return;
    ZSTD_freeCCtx(w->cctx);
    free(w);
}

/*
 * Train the dictionary from the samples taken out of the packer (the
 * caller set 'training'); install it or give up, and free the samples.
 */
static void train(cti_text_packer *p, char *samples, size_t *sizes,
                  size_t n)
{
    char *dict = malloc(CTI_TEXT_DICT_BYTES);
    size_t got = 0;
    if (dict) {
        got = ZDICT_trainFromBuffer(dict, CTI_TEXT_DICT_BYTES, samples,
                                    sizes, (unsigned)n);
        if (ZDICT_isError(got))
            got = 0;
    }
    pthread_mutex_lock(&p->mu);
    if (!got || take_dict(p, dict, got) != CTI_OK)
        p->gave_up = 1;
    p->training = 0;
    pthread_mutex_unlock(&p->mu);
    free(dict);
    free(samples);
    free(sizes);
}

/*
 * Keep the start of text[0..len) as a sample ([mu] held).  Returns 1
 * when the samples are enough to train from: they are then taken out of
 * the packer into *samples, *sizes, *n for the caller to train().
 */
static int add_sample(cti_text_packer *p, const char *text, size_t len,
                      char **samples, size_t **sizes, size_t *n)
{
    size_t take = len < CTI_TEXT_SAMPLE_MAX ? len : CTI_TEXT_SAMPLE_MAX;
    if (take < 16)
        return 0;
    if (!p->samples) {
        p->samples = malloc(CTI_TEXT_TRAIN_BYTES + CTI_TEXT_SAMPLE_MAX);
        p->sizes = malloc((CTI_TEXT_TRAIN_BYTES / 16 + 1) * sizeof *p->sizes);
        if (!p->samples || !p->sizes) {
            /* No memory to train: texts are packed alone. */
            free(p->samples);
            free(p->sizes);
            p->samples = NULL;
            p->sizes = NULL;
            p->gave_up = 1;
            return 0;
        }
    }
    memcpy(p->samples + p->samples_len, text, take);
    p->samples_len += take;
    p->sizes[p->nsamples++] = take;
    if (p->samples_len < CTI_TEXT_TRAIN_BYTES ||
        p->nsamples < CTI_TEXT_SAMPLES_MIN)
        return 0;
    *samples = p->samples;
    *sizes = p->sizes;
    *n = p->nsamples;
    p->samples = NULL;
    p->sizes = NULL;
    p->nsamples = p->samples_len = 0;
    p->training = 1;
    return 1;
}

cti_status cti_text_pack(cti_text_writer *w, const char *text, size_t len,
                         char **out, size_t *outlen)
{
    cti_text_packer *p = w->p;
    char *samples = NULL;
    size_t *sizes = NULL, n = 0;
    *out = NULL;
    *outlen = 0;
    pthread_mutex_lock(&p->mu);
    const ZSTD_CDict *cd = p->cdict;
    int ready = 0;
    if (!cd && !p->gave_up && !p->training)
        ready = add_sample(p, text, len, &samples, &sizes, &n);
    pthread_mutex_unlock(&p->mu);
    if (ready)
        train(p, samples, sizes, n);

    if (cd != w->cdict || !w->set) {
        ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_and_parameters);
        if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
            ZSTD_isError(cd ? ZSTD_CCtx_refCDict(w->cctx, cd)
                            : ZSTD_CCtx_setParameter(w->cctx,
                                                     ZSTD_c_compressionLevel,
                                                     CTI_TEXT_LEVEL)))
            return CTI_ENOMEM;
        w->cdict = cd;
        w->set = 1;
    }
    size_t cap = ZSTD_compressBound(len);
    char *buf = malloc(cap ? cap : 1);
    if (!buf)
        return CTI_ENOMEM;
    size_t got = ZSTD_compress2(w->cctx, buf, cap, text, len);
    if (ZSTD_isError(got)) {
        /* With room for the bound, only memory can run out. */
        free(buf);
        return CTI_ENOMEM;
    }
    *out = buf;
    *outlen = got;
    return CTI_OK;
}

/* ------------------------------------------------------------ reading */

typedef struct loaded {
    uint32_t id;
    ZSTD_DDict *ddict;
    char *bytes;        /* the dictionary, which ddict refers to: */
    size_t mapped;      /* ... its file's mapping of this length, or 0:
                           read from the metadata (malloc'd) */
} loaded;

static void drop_dict(loaded *nd);

/* At most this many decompression contexts kept for reuse: one a
   thread decompressing at the same time (cti-search loads a page's hits
   on a few threads; cti-web serves several requests). */
#define READER_DCTX_KEEP 8

struct cti_text_reader {
    pthread_mutex_t mu;     /* guards everything below */
    cti_db *db;
    ZSTD_DCtx *idle[READER_DCTX_KEEP]; /* contexts no thread is using */
    size_t nidle;
    loaded *d;
    size_t n;
};

cti_status cti_text_reader_new(cti_db *db, cti_text_reader **out)
{
    cti_text_reader *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return CTI_ENOMEM;
    pthread_mutex_init(&r->mu, NULL);
    r->db = db;
    *out = r;
    return CTI_OK;
}

void cti_text_reader_free(cti_text_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        drop_dict(&r->d[i]);
    free(r->d);
    for (size_t i = 0; i < r->nidle; i++)
        ZSTD_freeDCtx(r->idle[i]);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static cti_status say(char *err, size_t errlen, cti_status st,
                      const char *fmt, const char *what)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, what);
    return st;
}

/*
 * Map dictionary 'id' from its file in db's folder (cti_dictfile.h) into
 * *nd: 1, or 0 when there is no such file or it is not that dictionary
 * (the metadata holds it still).
 */
static int map_dict(cti_db *db, uint32_t id, loaded *nd)
{
    const char *dir = db ? cti_db_folder(db) : NULL, *bytes = NULL;
    size_t len = 0;
    if (!dir || cti_dictfile_map(dir, id, &bytes, &len) != CTI_OK)
        return 0;
    /* By reference: the file's pages are read as texts need them. */
    ZSTD_DDict *dd = ZDICT_getDictID(bytes, len) == id
                         ? ZSTD_createDDict_byReference(bytes, len) : NULL;
    if (!dd) {
        cti_dictfile_unmap(bytes, len);
        return 0;
    }
    nd->id = id;
    nd->ddict = dd;
    nd->bytes = (char *)bytes;
    nd->mapped = len;
    return 1;
}

/*
 * Load dictionary 'id' into *nd (its bytes and DDict): mapped from its
 * file (map_dict()), else read from db's metadata.  Returns CTI_OK;
 * CTI_ECORRUPT for one missing or damaged, CTI_ENOMEM; with 'err' saying
 * which.  Takes no lock: db must be the caller's own.
 */
static cti_status load_dict(cti_db *db, uint32_t id, loaded *nd, char *err,
                            size_t errlen)
{
    if (map_dict(db, id, nd))
        return CTI_OK;
    char key[CTI_TEXT_KEY_MAX], hex[9];
    dict_key(id, key, hex);
    char *bytes = NULL;
    size_t len = 0;
    cti_status st = db ? cti_db_find_metadata(db, key, &bytes, &len)
                       : CTI_ENOTFOUND;
    if (st == CTI_ENOMEM)
        return say(err, errlen, st, "%s", "out of memory");
    if (st != CTI_OK || !len || ZDICT_getDictID(bytes, len) != id) {
        free(bytes);
        return say(err, errlen, CTI_ECORRUPT, st == CTI_OK && len
                   ? "bad stored text: its dictionary %s is damaged"
                   : "bad stored text: its dictionary %s is missing from "
                     "the index", hex);
    }
    /* By reference: the 64 KB read from the index is not copied again
       (a search process loads one dictionary, and only once). */
    nd->ddict = ZSTD_createDDict_byReference(bytes, len);
    if (!nd->ddict) {
        free(bytes);
        return say(err, errlen, CTI_ENOMEM, "%s", "out of memory");
    }
    nd->id = id;
    nd->bytes = bytes;
    nd->mapped = 0;
    return CTI_OK;
}

/* The loaded dictionary 'id' of r, or NULL.  [mu] held. */
static loaded *loaded_dict(cti_text_reader *r, uint32_t id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->d[i].id == id)
            return &r->d[i];
    return NULL;
}

/* Keep *nd in r (taking it over); CTI_ENOMEM when there is no room.
   [mu] held. */
static cti_status keep_dict(cti_text_reader *r, loaded *nd)
{
    loaded *d = realloc(r->d, (r->n + 1) * sizeof *d);
    if (!d)
        return CTI_ENOMEM;
    r->d = d;
    r->d[r->n++] = *nd;
    return CTI_OK;
}

static void drop_dict(loaded *nd)
{
    ZSTD_freeDDict(nd->ddict);
    if (nd->mapped)
        cti_dictfile_unmap(nd->bytes, nd->mapped);
    else
        free(nd->bytes);
}

/*
 * The dictionary the frame f[0..flen) names, loaded from the index on
 * first use (*dd NULL for a frame without one); *file: its id when it was
 * mapped from its file (cti_dictfile.h), else 0.  [mu] held.
 */
static cti_status find_dict(cti_text_reader *r, const char *f, size_t flen,
                            const ZSTD_DDict **dd, uint32_t *file, char *err,
                            size_t errlen)
{
    *dd = NULL;
    *file = 0;
    uint32_t id = (uint32_t)ZSTD_getDictID_fromFrame(f, flen);
    if (!id)
        return CTI_OK;
    loaded *have = loaded_dict(r, id), nd;
    if (!have) {
        cti_status st = load_dict(r->db, id, &nd, err, errlen);
        if (st != CTI_OK)
            return st;
        if (keep_dict(r, &nd) != CTI_OK) {
            drop_dict(&nd);
            return say(err, errlen, CTI_ENOMEM, "%s", "out of memory");
        }
        have = &r->d[r->n - 1];
    }
    *dd = have->ddict;
    *file = have->mapped ? id : 0;
    return CTI_OK;
}

/* "bad stored text: " and 'why', and for a text read with a dictionary
   mapped from its file ('file': its id), that the file may be at fault. */
static cti_status bad_text(char *err, size_t errlen, const char *why,
                           uint32_t file)
{
    if (!file)
        return say(err, errlen, CTI_ECORRUPT, "bad stored text: %s", why);
    if (err && errlen)
        snprintf(err, errlen, "bad stored text: %s (read with the dictionary "
                 "file " CTI_DICTFILE_PREFIX "%08x, which may be damaged: "
                 "the next cti-index run writes it again)", why, (unsigned)file);
    return CTI_ECORRUPT;
}

cti_status cti_text_reader_preload(cti_text_reader *r, cti_db *from)
{
    char *hex = NULL;
    cti_status st = cti_db_get_metadata(from, CTI_META_TEXT_DICT, &hex, NULL);
    uint32_t id = st == CTI_OK ? (uint32_t)strtoul(hex, NULL, 16) : 0;
    free(hex);
    if (st != CTI_OK || !id)
        return st;
    pthread_mutex_lock(&r->mu);
    int have = loaded_dict(r, id) != NULL;
    pthread_mutex_unlock(&r->mu);
    loaded nd;
    if (have || (st = load_dict(from, id, &nd, NULL, 0)) != CTI_OK)
        return st;
    /* A context too, made here rather than by the first text. */
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    pthread_mutex_lock(&r->mu);
    if (!loaded_dict(r, id) && keep_dict(r, &nd) == CTI_OK)
        nd.ddict = NULL, nd.bytes = NULL, nd.mapped = 0;
    if (dctx && r->nidle < READER_DCTX_KEEP) {
        r->idle[r->nidle++] = dctx;
        dctx = NULL;
    }
    pthread_mutex_unlock(&r->mu);
    drop_dict(&nd); /* NULL: kept */
    ZSTD_freeDCtx(dctx);
    return CTI_OK;
}

/* Check the frame header: a zstd frame of a text of 'len' bytes. */
static cti_status check_frame(const char *f, size_t flen, uint64_t len,
                              char *err, size_t errlen)
{
    unsigned long long size = f ? ZSTD_getFrameContentSize(f, flen)
                                : ZSTD_CONTENTSIZE_ERROR;
    if (size == ZSTD_CONTENTSIZE_ERROR)
        return say(err, errlen, CTI_ECORRUPT, "%s",
                   "bad stored text: not a zstd frame");
    if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != len)
        return say(err, errlen, CTI_ECORRUPT, "%s",
                   "bad stored text: body length mismatch");
    return CTI_OK;
}

cti_status cti_text_unpack(cti_text_reader *r, const char *f, size_t flen,
                           char *out, size_t len, char *err, size_t errlen)
{
    cti_status st = check_frame(f, flen, len, err, errlen);
    if (st != CTI_OK)
        return st;
    /* The lock covers the dictionaries and the idle contexts only: the
       decompression itself runs unlocked, side by side with other
       threads', each in a context of its own. */
    const ZSTD_DDict *dd;
    uint32_t file;
    ZSTD_DCtx *dctx = NULL;
    pthread_mutex_lock(&r->mu);
    st = find_dict(r, f, flen, &dd, &file, err, errlen);
    if (st == CTI_OK && r->nidle)
        dctx = r->idle[--r->nidle];
    pthread_mutex_unlock(&r->mu);
    if (st != CTI_OK)
        return st;
    if (!dctx && !(dctx = ZSTD_createDCtx()))
        return say(err, errlen, CTI_ENOMEM, "%s", "out of memory");
    size_t got = dd ? ZSTD_decompress_usingDDict(dctx, out, len, f, flen, dd)
                    : ZSTD_decompressDCtx(dctx, out, len, f, flen);
    if (ZSTD_isError(got))
        st = bad_text(err, errlen, ZSTD_getErrorName(got), file);
    else if (got != len)
        st = bad_text(err, errlen, "body length mismatch", file);
    pthread_mutex_lock(&r->mu);
    if (r->nidle < READER_DCTX_KEEP) {
        r->idle[r->nidle++] = dctx;
        dctx = NULL;
    }
    pthread_mutex_unlock(&r->mu);
    ZSTD_freeDCtx(dctx); /* NULL: kept */
    return st;
}

struct cti_text_stream {
    ZSTD_DCtx *dctx;
    ZSTD_inBuffer in;
    uint64_t len, got;
    int ended;
    uint32_t file;   /* its dictionary's id, when mapped from its file */
};

cti_status cti_text_stream_open(cti_text_reader *r, const char *f,
                                size_t flen, uint64_t len,
                                cti_text_stream **out, char *err,
                                size_t errlen)
{
    *out = NULL;
    cti_status st = check_frame(f, flen, len, err, errlen);
    if (st != CTI_OK)
        return st;
    cti_text_stream *s = calloc(1, sizeof *s);
    if (!s || !(s->dctx = ZSTD_createDCtx())) {
        free(s);
        return say(err, errlen, CTI_ENOMEM, "%s", "out of memory");
    }
    const ZSTD_DDict *dd;
    pthread_mutex_lock(&r->mu);
    st = find_dict(r, f, flen, &dd, &s->file, err, errlen);
    pthread_mutex_unlock(&r->mu);
    /* A DDict lives as long as its reader; the stream refers to it. */
    if (st == CTI_OK && dd && ZSTD_isError(ZSTD_DCtx_refDDict(s->dctx, dd)))
        st = say(err, errlen, CTI_ENOMEM, "%s", "out of memory");
    if (st != CTI_OK) {
        cti_text_stream_free(s);
        return st;
    }
    s->in = (ZSTD_inBuffer){ f, flen, 0 };
    s->len = len;
    *out = s;
    return CTI_OK;
}

ptrdiff_t cti_text_stream_read(cti_text_stream *s, char *buf, size_t cap,
                               char *err, size_t errlen)
{
    if (s->ended || cap == 0)
        return 0;
    ZSTD_outBuffer o = { buf, cap, 0 };
    size_t zr;
    do
        zr = ZSTD_decompressStream(s->dctx, &o, &s->in);
    while (!ZSTD_isError(zr) && zr != 0 && o.pos < o.size &&
           s->in.pos < s->in.size);
    s->got += o.pos;
    const char *why = NULL;
    if (ZSTD_isError(zr))
        why = ZSTD_getErrorName(zr);
    else if (s->got > s->len || (zr == 0 && s->got != s->len))
        why = "body length mismatch";
    else if (zr == 0 && s->in.pos != s->in.size)
        why = "trailing bytes after the compressed text";
    else if (zr != 0 && o.pos == 0 && s->in.pos == s->in.size)
        why = "truncated compressed text";
    if (why) {
        bad_text(err, errlen, why, s->file);
        return -1;
    }
    if (zr == 0)
        s->ended = 1;
    return (ptrdiff_t)o.pos;
}

void cti_text_stream_free(cti_text_stream *s)
{
    if (!s)
        return;
    ZSTD_freeDCtx(s->dctx);
    free(s);
}
