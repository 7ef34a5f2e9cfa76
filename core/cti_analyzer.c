/*
 * cti_analyzer.c - tokenizer, folding, stemming and byte offsets.
 *
 * The rules are written down in cti_analyzer.h.  The scanner walks the
 * input once, left to right; every look-ahead is bounded by a few
 * characters, so the walk is linear in the input.  ASCII bytes are
 * classified and folded from tables; only non-ASCII characters go through
 * utf8proc.  A folded token lives in a fixed buffer on the stack and its
 * stem comes from a bounded, set-associative cache in front of libstemmer,
 * so nothing is allocated per token.
 */
#include "cti_analyzer.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Character classes seen by the scanner. */
enum {
    C_SEP = 0,  /* separator */
    C_LETTER,   /* Unicode L* (not CJK) */
    C_DIGIT,    /* Unicode N* */
    C_MARK,     /* Unicode M*: continues a word, never starts one */
    C_CJK,      /* Han ideograph or kana: a token of its own */
    C_APOS,     /* ' U+2019 U+02BC U+FF07 */
    C_FORMAT    /* Unicode Cf (soft hyphen, zero-width joiners) */
};

/* Room for a folded token before it is cut to CTI_MAX_TOKEN (see fold_finish). */
#define FOLD_CAP 256
/*
 * Stem cache: CACHE_SETS sets (a->cache_mask + 1 after
 * cti_analyzer_set_cache_sets()) of CACHE_WAYS 32-byte entries, a set in one
 * cache line.  An entry holds a folded token of up to KEY_CAP bytes (zero
 * padded) and its stem as "the first plen bytes of the token, then suf":
 * Snowball stems are nearly always a prefix of the word plus a letter or
 * two.  Longer tokens and stems that do not fit (rare) go to the stemmer
 * every time.  A new entry goes to way 0 and pushes the older one along.
 * An entry also holds the caller's mark for its word (cti_token.memo),
 * 0 when the entry is made.
 */
#define CACHE_WAYS 2
#define CACHE_SETS 16384
#define KEY_CAP 16
#define SUF_CAP 6
/* Room for a stem: the stemmer's output is cut at FOLD_CAP bytes. */
#define STEM_BUF (FOLD_CAP + KEY_CAP + SUF_CAP)

typedef struct cache_entry {
    uint64_t key[KEY_CAP / 8]; /* folded token, zero padded */
    uint32_t tag;              /* hash bits; 0: empty */
    uint8_t plen, slen;        /* stem = key[0, plen) + suf[0, slen) */
    char suf[SUF_CAP];
    uint32_t memo;             /* the caller's mark (cti_token.memo); 0: none */
} cache_entry;

_Static_assert(sizeof(cache_entry) * CACHE_WAYS == 64, "a set is a cache line");

struct cti_analyzer {
    struct sb_stemmer *stemmer;  /* NULL for "none" */
    const char *language;        /* static string */
    int use_cache;
    uint32_t epoch;              /* the last cti_analyzer_memo_epoch() */
    cache_entry *cache;          /* (cache_mask + 1) * CACHE_WAYS, aligned */
    void *cache_mem;             /* what was allocated for cache */
    size_t cache_mask;           /* sets - 1 */
    char stembuf[STEM_BUF];      /* cti_analyzer_stem() result */
    char cbuf[FOLD_CAP + 1];     /* cti_analyzer_stem() input, zero padded */
    int filter_ok;               /* the stemmer keeps a word's first byte */
    int filter_on;               /* cti_analyzer_set_stem_filter() in effect */
    unsigned char firsts[256];   /* first bytes of tokens worth stemming */
};

/* Scanner state for one cti_analyze() call. */
typedef struct scan {
    cti_analyzer *a;             /* NULL: tokenize only */
    cti_token_fn fn;
    void *ctx;
    const unsigned char *s;
    size_t len;
    uint32_t pos;
    /* the token being folded, in one of two buffers (the other holds the
     * pending token, see emit()) */
    char *buf;
    char bufs[2][FOLD_CAP + 8];
    size_t fl;
    char stem[STEM_BUF];         /* the delivered token's stem */
    /* the pending token: folded, waiting for its stem and its callback */
    int have_pend;
    int pend_stem;               /* it is to be stemmed */
    int pend_hashed;             /* pend_hash holds its cache hash */
    uint64_t pend_hash;
    cti_token pend;
    int nonascii;                /* buf holds non-ASCII code points */
    int compose;                 /* buf holds a mark or jamo that may compose */
    int full;                    /* something did not fit in buf */
    unsigned digits;             /* ASCII digits taken by the word loop */
    /* joining: where the previous token ended, for the joiner test */
    int have_prev;
    size_t prev_join_end;
} scan;

static unsigned char ascii_class[128];
static unsigned char ascii_lower[128];
/* ASCII letters and digits -> their folded byte; every other byte -> 0. */
static unsigned char word_fold[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Fill the ASCII tables (once per process: analyzers live in many threads). */
static void tables_fill(void)
{
    for (int c = 0; c < 128; c++) {
        unsigned char k = C_SEP;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            k = C_LETTER;
        else if (c >= '0' && c <= '9')
            k = C_DIGIT;
        else if (c == '\'')
            k = C_APOS;
        ascii_class[c] = k;
        ascii_lower[c] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        word_fold[c] = (k == C_LETTER || k == C_DIGIT) ? ascii_lower[c] : 0;
    }
}

static void tables_init(void)
{
    pthread_once(&tables_once, tables_fill);
}

/* Han ideographs (all CJK unified blocks and compatibility ideographs) and kana. */
static int is_cjk(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) ||    /* hiragana, katakana */
           (cp >= 0x31F0 && cp <= 0x31FF) ||    /* katakana extension */
           (cp >= 0x3400 && cp <= 0x4DBF) ||    /* extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||    /* unified ideographs */
           (cp >= 0xF900 && cp <= 0xFAFF) ||    /* compatibility */
           (cp >= 0xFF66 && cp <= 0xFF9F) ||    /* halfwidth katakana */
           (cp >= 0x20000 && cp <= 0x3FFFF);    /* extensions B..H */
}

/* Class of a non-ASCII code point. */
static int class_of(int32_t cp)
{
    if (cp == 0x2019 || cp == 0x02BC || cp == 0xFF07)
        return C_APOS;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return is_cjk(cp) ? C_CJK : C_LETTER;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return is_cjk(cp) ? C_CJK : C_DIGIT;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    case UTF8PROC_CATEGORY_CF:
        return C_FORMAT;
    default:
        return C_SEP;
    }
}

/*
 * Read the character at s[i] (i < len): its class, code point and length
 * in bytes.  An invalid or truncated sequence is one separator byte.
 */
static inline int peek(const unsigned char *s, size_t len, size_t i,
                       int32_t *cp, size_t *clen)
{
    unsigned char b = s[i];
    if (b < 0x80) {
        *cp = b;
        *clen = 1;
        return ascii_class[b];
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);
    if (n <= 0 || c < 0) {
        *cp = -1;
        *clen = 1;
        return C_SEP;
    }
    *cp = c;
    *clen = (size_t)n;
    return class_of(c);
}

/* Class of the character at s[i], or C_SEP past the end. */
static inline int class_at(const scan *sc, size_t i, int32_t *cp, size_t *clen)
{
    if (i >= sc->len) {
        *cp = -1;
        *clen = 0;
        return C_SEP;
    }
    return peek(sc->s, sc->len, i, cp, clen);
}

static inline int is_word_class(int k)
{
    return k == C_LETTER || k == C_DIGIT || k == C_MARK;
}

/* Start folding a new token. */
static inline void fold_reset(scan *sc)
{
    if (sc->a)
        memset(sc->buf, 0, KEY_CAP); /* the stem cache reads keys zero padded */
    sc->fl = 0;
    sc->nonascii = 0;
    sc->compose = 0;
    sc->full = 0;
    sc->digits = 0;
}

/* Append one ASCII byte (already folded) to the token. */
static inline void fold_byte(scan *sc, unsigned char c)
{
    sc->digits |= c >= '0' && c <= '9';
    if (sc->fl < FOLD_CAP)
        sc->buf[sc->fl++] = (char)c;
    else
        sc->full = 1;
}

/*
 * Append the folded form of code point 'cp': case folded and
 * compatibility decomposed by utf8proc, nonspacing and enclosing marks
 * dropped when 'strip' is set.
 */
static void fold_cp(scan *sc, int32_t cp, int strip)
{
    if (cp < 0x80) {
        fold_byte(sc, ascii_lower[cp]);
        return;
    }
    utf8proc_int32_t d[32];
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, d, 32, UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, NULL);
    if (n < 0 || n > 32)
        return;
    for (utf8proc_ssize_t k = 0; k < n; k++) {
        utf8proc_category_t cat = utf8proc_category(d[k]);
        if (strip && (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME))
            continue;
        if (d[k] < 0x80) {
            fold_byte(sc, (unsigned char)d[k]);
            continue;
        }
        if (sc->fl + 4 > FOLD_CAP) {
            sc->full = 1;
            continue;
        }
        sc->fl += (size_t)utf8proc_encode_char(d[k], (utf8proc_uint8_t *)sc->buf + sc->fl);
        sc->nonascii = 1;
        /* the second code point of every canonical composition is a mark
         * or a Hangul vowel or trailing jamo */
        if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
            cat == UTF8PROC_CATEGORY_ME || (d[k] >= 0x1161 && d[k] <= 0x11C2))
            sc->compose = 1;
    }
}

/*
 * Finish the folded token: canonical composition when it holds a code
 * point that may compose with the one before, then the cut to CTI_MAX_TOKEN bytes at a character
 * boundary.  Returns 1 if the token was cut.
 */
static int fold_finish(scan *sc)
{
    int cut = sc->full;
    if (sc->compose) {
        utf8proc_int32_t u[FOLD_CAP + 1];
        utf8proc_ssize_t n = 0;
        size_t i = 0;
        while (i < sc->fl) {
            utf8proc_int32_t c;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)sc->buf + i,
                                                  (utf8proc_ssize_t)(sc->fl - i), &c);
            if (k <= 0)
                break; /* cannot happen: buf holds only encoded code points */
            u[n++] = c;
            i += (size_t)k;
        }
        n = utf8proc_normalize_utf32(u, n, UTF8PROC_COMPOSE);
        size_t o = 0;
        for (utf8proc_ssize_t k = 0; k < n && o + 4 <= FOLD_CAP; k++)
            o += (size_t)utf8proc_encode_char(u[k], (utf8proc_uint8_t *)sc->buf + o);
        if (o < sc->fl)
            memset(sc->buf + o, 0, sc->fl - o); /* keep the zero padding */
        sc->fl = o;
    }
    if (sc->fl > CTI_MAX_TOKEN) {
        size_t c = CTI_MAX_TOKEN;
        while (c > 0 && ((unsigned char)sc->buf[c] & 0xC0) == 0x80)
            c--;
        sc->fl = c;
        cut = 1;
    }
    sc->buf[sc->fl] = '\0';
    return cut;
}

/* Hash of a zero-padded KEY_CAP-byte key (multiply and fold). */
static inline uint64_t hash_key(const uint64_t *k)
{
    uint64_t h = (k[0] * 0x9E3779B97F4A7C15ull) ^ (k[1] * 0xC2B2AE3D27D4EB4Full);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h;
}

/* What text_kind() finds in a folded token. */
#define K_DIGIT 1 /* a digit (Unicode N*) */
#define K_DOT   2 /* a '.' (numbers, abbreviations) */
#define K_CJK   4 /* starts with a CJK character or kana sound mark */

/*
 * Classify a folded token by its text alone, so that cti_analyze() and
 * cti_analyzer_stem() decide alike: a token of any kind is not stemmed.
 * 'ascii' says the text is all ASCII (a fast path).
 */
static unsigned text_kind(const char *t, size_t n, int ascii)
{
    unsigned k = 0;
    if (ascii) {
        for (size_t i = 0; i < n; i++) {
            unsigned char b = (unsigned char)t[i];
            if (b == '.')
                k |= K_DOT;
            else if (b >= '0' && b <= '9')
                k |= K_DIGIT;
        }
        return k;
    }
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)t[i];
        if (b < 0x80) {
            if (b == '.')
                k |= K_DOT;
            else if (b >= '0' && b <= '9')
                k |= K_DIGIT;
            i++;
            continue;
        }
        utf8proc_int32_t c;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)t + i,
                                              (utf8proc_ssize_t)(n - i), &c);
        if (l <= 0) {
            i++;
            continue;
        }
        if (i == 0 && (is_cjk(c) || c == 0x3099 || c == 0x309A))
            k |= K_CJK;
        utf8proc_category_t cat = utf8proc_category(c);
        if (cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL ||
            cat == UTF8PROC_CATEGORY_NO)
            k |= K_DIGIT;
        i += (size_t)l;
    }
    return k;
}

/* Cache hash of a folded token of at most KEY_CAP bytes, zero padded. */
static inline uint64_t token_hash(const char *t)
{
    uint64_t q[KEY_CAP / 8];
    memcpy(q, t, KEY_CAP);
    return hash_key(q);
}

/* The cache set of hash hk. */
static inline cache_entry *cache_set(const cti_analyzer *a, uint64_t hk)
{
    return a->cache + (size_t)(hk & a->cache_mask) * CACHE_WAYS;
}

/*
 * The stem of folded token t (n bytes, NUL-terminated, n <= CTI_MAX_TOKEN,
 * and zero padded up to KEY_CAP bytes when n <= KEY_CAP) through the
 * cache; 'hk' is token_hash(t) when the cache is on and n <= KEY_CAP.
 * The result is NUL-terminated in 'out' (STEM_BUF bytes).  Returns NULL
 * if the stemmer ran out of memory.
 */
static const char *stem_hashed(cti_analyzer *a, const char *t, size_t n, uint64_t hk,
                               char *out, size_t *outlen, uint32_t **memo)
{
    if (memo)
        *memo = NULL;
    cache_entry *set = NULL;
    uint64_t q[KEY_CAP / 8];
    uint32_t tag = 0;
    if (a->use_cache && n <= KEY_CAP) {
        memcpy(q, t, KEY_CAP);
        tag = (uint32_t)(hk >> 32) | 1u; /* 0 marks an empty way */
        set = cache_set(a, hk);
        for (int w = 0; w < CACHE_WAYS; w++) {
            cache_entry *e = &set[w];
            if (e->tag == tag && e->key[0] == q[0] && e->key[1] == q[1]) {
                memcpy(out, e->key, KEY_CAP);
                memcpy(out + e->plen, e->suf, SUF_CAP);
                out[e->plen + e->slen] = '\0';
                *outlen = (size_t)e->plen + e->slen;
                if (memo)
                    *memo = &e->memo;
                return out;
            }
        }
    }
    const sb_symbol *st = sb_stemmer_stem(a->stemmer, (const sb_symbol *)t, (int)n);
    if (!st)
        return NULL;
    size_t sl = (size_t)sb_stemmer_length(a->stemmer);
    if (sl > FOLD_CAP)
        sl = FOLD_CAP;
    memcpy(out, st, sl);
    out[sl] = '\0';
    *outlen = sl;
    if (set) {
        size_t p = 0;
        while (p < sl && p < n && out[p] == t[p])
            p++;
        if (sl - p <= SUF_CAP) {
            memmove(&set[1], &set[0], (CACHE_WAYS - 1) * sizeof *set);
            cache_entry *e = &set[0];
            e->key[0] = q[0];
            e->key[1] = q[1];
            e->tag = tag;
            e->plen = (uint8_t)p;
            e->slen = (uint8_t)(sl - p);
            memset(e->suf, 0, SUF_CAP);
            memcpy(e->suf, out + p, sl - p);
            e->memo = 0;
            if (memo)
                *memo = &e->memo;
        }
    }
    return out;
}

/* stem_hashed() for a token not hashed yet. */
static const char *stem_word(cti_analyzer *a, const char *t, size_t n, char *out,
                             size_t *outlen)
{
    uint64_t hk = a->use_cache && n <= KEY_CAP ? token_hash(t) : 0;
    return stem_hashed(a, t, n, hk, out, outlen, NULL);
}

/*
 * Deliver the pending token: stem it, call back.  Returns the callback's
 * value, or -1 if the stemmer ran out of memory.
 */
static int deliver(scan *sc)
{
    cti_token *tok = &sc->pend;
    sc->have_pend = 0;
    if (sc->pend_stem) {
        cti_analyzer *a = sc->a;
        uint64_t hk = sc->pend_hash;
        if (!sc->pend_hashed)
            hk = a->use_cache && tok->len <= KEY_CAP ? token_hash(tok->text) : 0;
        tok->stem = stem_hashed(a, tok->text, tok->len, hk, sc->stem, &tok->stemlen,
                                &tok->memo);
        if (!tok->stem)
            return -1;
    }
    return sc->fn(sc->ctx, tok);
}

/*
 * Emit the folded token in sc->buf spanning [start, end).  'join_end' is
 * where the joiner test for the next token starts.  Empty tokens (a word
 * of marks that folded to nothing) are dropped without using a position.
 * The token becomes the pending one, and the one pending before it is
 * delivered.  Returns that callback's value, or -1 if the stemmer ran out
 * of memory.
 */
static int emit(scan *sc, size_t start, size_t end, size_t join_end,
                unsigned flags, int joinable)
{
    unsigned kind;
    if (!sc->nonascii && !sc->full && sc->fl <= CTI_MAX_TOKEN) {
        /* plain ASCII, not cut: the word loop counted the digits */
        sc->buf[sc->fl] = '\0';
        kind = (sc->digits ? K_DIGIT : 0) | (flags & CTI_TOK_ABBREV ? K_DOT : 0);
    } else {
        if (fold_finish(sc))
            flags |= CTI_TOK_CUT;
        kind = text_kind(sc->buf, sc->fl, !sc->nonascii);
    }
    if (sc->fl == 0)
        return 0;
    if (kind & K_DIGIT)
        flags |= CTI_TOK_NUMBER;
    if (joinable && sc->have_prev) {
        size_t a = sc->prev_join_end, gap = start - a;
        const unsigned char *s = sc->s;
        if ((gap == 1 && (s[a] == '-' || s[a] == '.' || s[a] == '/' || s[a] == '@' ||
                          s[a] == '_' || s[a] == '&' || s[a] == ':')) ||
            (gap == 3 && s[a] == 0xE2 && s[a + 1] == 0x80 &&
             (s[a + 2] == 0x90 || s[a + 2] == 0x91)))
            flags |= CTI_TOK_JOINED;
    }
    sc->have_prev = joinable;
    sc->prev_join_end = join_end;

    /* The token waits here while the next one is scanned, so that the
     * stem cache line asked for now has arrived when it is looked up. */
    int rc = sc->have_pend ? deliver(sc) : 0;
    if (rc != 0)
        return rc;
    cti_token *tok = &sc->pend;
    tok->text = sc->buf;
    tok->len = sc->fl;
    tok->stem = sc->buf;
    tok->stemlen = sc->fl;
    tok->pos = sc->pos++;
    tok->start = start;
    tok->end = end;
    tok->flags = flags;
    tok->memo = NULL;
    cti_analyzer *a = sc->a;
    if (!a) /* tokenizing only: no stem to wait for */
        return sc->fn(sc->ctx, tok);
    sc->pend_stem = a->stemmer && kind == 0;
    if (sc->pend_stem && a->filter_on && !a->firsts[(unsigned char)tok->text[0]]) {
        sc->pend_stem = 0;
        tok->flags |= CTI_TOK_UNSTEMMED;
    }
    sc->pend_hashed = 0;
    if (sc->pend_stem && a->use_cache && sc->fl <= KEY_CAP) {
        sc->pend_hash = token_hash(sc->buf);
        sc->pend_hashed = 1;
        __builtin_prefetch(cache_set(a, sc->pend_hash));
    }
    sc->have_pend = 1;
    sc->buf = sc->buf == sc->bufs[0] ? sc->bufs[1] : sc->bufs[0];
    return 0;
}

/*
 * Try a dotted abbreviation at i (a letter followed by '.'): single
 * letters each followed by '.' or a word boundary, at least two of them.
 * On success folds "u.s" into sc->buf, stores the end of the token in
 * *tokend and the end after a trailing dot in *joinend, and returns 1.
 * A possessive after the abbreviation ("U.N.'s") is inside the span.
 */
static int scan_abbrev(scan *sc, size_t i, size_t *tokend, size_t *joinend)
{
    size_t j = i, end = i;
    int n = 0;
    fold_reset(sc);
    for (;;) {
        int32_t cp;
        size_t clen;
        if (class_at(sc, j, &cp, &clen) != C_LETTER)
            break;
        size_t k = j + clen;
        int dot = k < sc->len && sc->s[k] == '.';
        if (!dot) {
            int32_t c2;
            size_t l2;
            int k2 = class_at(sc, k, &c2, &l2);
            if (is_word_class(k2) || k2 == C_CJK || k2 == C_FORMAT)
                break;
        }
        if (n > 0)
            fold_byte(sc, '.');
        fold_cp(sc, cp, 1);
        n++;
        end = k;
        if (!dot)
            break;
        j = k + 1;
    }
    if (n < 2)
        return 0;
    size_t after = (end < sc->len && sc->s[end] == '.') ? end + 1 : end;
    /* a possessive: "U.N.'s" */
    int32_t c1, c2, c3;
    size_t l1, l2, l3;
    if (class_at(sc, after, &c1, &l1) == C_APOS &&
        class_at(sc, after + l1, &c2, &l2) == C_LETTER && (c2 == 's' || c2 == 'S') &&
        !is_word_class(class_at(sc, after + l1 + 1, &c3, &l3)))
        end = after = after + l1 + 1;
    *tokend = end;
    *joinend = after;
    return 1;
}

/*
 * Inside the word that started at 'start', the character at s[i] is not
 * an ASCII letter or digit: take it into the word or end the word there,
 * by the rules in cti_analyzer.h (marks and other letters are folded in,
 * an apostrophe between letters is kept, a possessive 's ends the word
 * but stays in its span, a decimal point or a digit-group comma between
 * digits is kept or dropped, a soft hyphen or joiner inside the word is
 * dropped).  Returns the offset after what was taken; *more is 1 when
 * the word goes on, 0 when it ends.
 */
static size_t word_step(scan *sc, size_t start, size_t i, int *more)
{
    const unsigned char *s = sc->s;
    size_t len = sc->len, clen;
    int32_t cp, c2, c3;
    size_t l2, l3;
    int k, prev_digit = i > start && s[i - 1] >= '0' && s[i - 1] <= '9';

    *more = 1;
    if (s[i] < 0x80) {
        k = ascii_class[s[i]];
        cp = s[i];
        clen = 1;
    } else {
        k = peek(s, len, i, &cp, &clen);
    }
    if (k == C_LETTER || k == C_DIGIT || k == C_MARK) {
        fold_cp(sc, cp, 1); /* non-ASCII here */
        return i + clen;
    }
    if (k == C_APOS) {
        *more = 0;
        if (class_at(sc, i + clen, &c2, &l2) != C_LETTER)
            return i;
        if ((c2 == 's' || c2 == 'S') &&
            !is_word_class(class_at(sc, i + clen + 1, &c3, &l3)))
            return i + clen + 1; /* possessive: in the span, not in the token */
        *more = 1;
        fold_byte(sc, '\'');
        return i + clen;
    }
    if (cp == '.' && prev_digit && i + 1 < len && s[i + 1] >= '0' &&
        s[i + 1] <= '9') {
        fold_byte(sc, '.');
        return i + 1;
    }
    if (cp == ',' && prev_digit && i + 3 < len &&
        s[i + 1] >= '0' && s[i + 1] <= '9' &&
        s[i + 2] >= '0' && s[i + 2] <= '9' &&
        s[i + 3] >= '0' && s[i + 3] <= '9' &&
        (i + 4 >= len || s[i + 4] < '0' || s[i + 4] > '9'))
        return i + 1; /* a digit-group comma vanishes */
    if (k == C_FORMAT) {
        int k2 = class_at(sc, i + clen, &c2, &l2);
        if (k2 == C_LETTER || k2 == C_DIGIT || k2 == C_MARK)
            return i + clen; /* soft hyphen, zero-width joiner: dropped */
    }
    *more = 0;
    return i;
}

/* The scanner: see the rules in cti_analyzer.h. */
static int scan_run(scan *sc)
{
    const unsigned char *s = sc->s;
    size_t len = sc->len, i = 0;
    int rc;

    while (i < len) {
        int32_t cp;
        size_t clen;
        int k;
        unsigned char b = s[i];
        if (b < 0x80) {
            k = ascii_class[b];
            if (k != C_LETTER && k != C_DIGIT) {
                i++;
                continue;
            }
            cp = b;
            clen = 1;
        } else {
            k = peek(s, len, i, &cp, &clen);
            if (k != C_LETTER && k != C_DIGIT && k != C_CJK) {
                i += clen;
                continue;
            }
        }
        size_t start = i;

        if (k == C_CJK) {
            fold_reset(sc);
            fold_cp(sc, cp, 0);
            i += clen;
            if ((rc = emit(sc, start, i, i, CTI_TOK_CJK, 0)) != 0)
                return rc;
            continue;
        }

        if (k == C_LETTER && i + clen < len && s[i + clen] == '.') {
            size_t tokend, joinend;
            if (scan_abbrev(sc, i, &tokend, &joinend)) {
                i = joinend;
                if ((rc = emit(sc, start, tokend, joinend, CTI_TOK_ABBREV, 1)) != 0)
                    return rc;
                continue;
            }
        }

        /* An ordinary word. */
        fold_reset(sc);
        for (;;) {
            /* The fast path: a run of ASCII letters and digits. */
            unsigned char f;
            size_t fl = sc->fl;
            unsigned digits = 0;
            while ((f = word_fold[s[i]]) != 0) {
                digits |= f <= '9';
                if (fl < FOLD_CAP)
                    sc->buf[fl++] = (char)f;
                else
                    sc->full = 1;
                if (++i == len)
                    break;
            }
            sc->fl = fl;
            sc->digits |= digits;
            if (i >= len)
                break;
            /* One character of any other kind. */
            int more = 0;
            i = word_step(sc, start, i, &more);
            if (!more)
                break;
            if (i >= len)
                break;
        }
        /* The span ends after the last character taken ('i'). */
        if ((rc = emit(sc, start, i, i, 0, 1)) != 0)
            return rc;
    }
    return sc->have_pend ? deliver(sc) : 0;
}

int cti_analyzer_language_ok(const char *language)
{
    if (!language)
        return 1;
    if (strcmp(language, "none") == 0)
        return 1;
    for (const char **l = sb_stemmer_list(); *l; l++)
        if (strcmp(*l, language) == 0)
            return 1;
    return 0;
}

cti_status cti_analyzer_new(const char *language, cti_analyzer **out)
{
    return cti_analyzer_new_sized(language, CACHE_SETS, out);
}

cti_status cti_analyzer_new_sized(const char *language, size_t cache_sets,
                                  cti_analyzer **out)
{
    cti_analyzer *a = NULL;
    *out = NULL;
    if (cache_sets & (cache_sets - 1))
        return CTI_EINVAL;
    tables_init();
    if (!language)
        language = "english";
    const char *canon = NULL;
    if (strcmp(language, "none") == 0) {
        canon = "none";
    } else {
        for (const char **l = sb_stemmer_list(); *l; l++)
            if (strcmp(*l, language) == 0)
                canon = *l;
        if (!canon)
            return CTI_EINVAL;
    }
    a = calloc(1, sizeof *a);
    if (!a)
        goto fail;
    a->language = canon;
    /* Snowball's English and Porter stemmers only rewrite endings. */
    a->filter_ok = strcmp(canon, "english") == 0 || strcmp(canon, "porter") == 0;
    if (strcmp(canon, "none") != 0) {
        a->stemmer = sb_stemmer_new(canon, "UTF_8");
        if (!a->stemmer)
            goto fail;
        if (cache_sets && cti_analyzer_set_cache_sets(a, cache_sets) != CTI_OK)
            goto fail;
    }
    a->use_cache = a->cache != NULL;
    *out = a;
    return CTI_OK;
fail:
    cti_analyzer_free(a);
    return CTI_ENOMEM;
}

void cti_analyzer_free(cti_analyzer *a)
{
    if (!a)
        return;
    sb_stemmer_delete(a->stemmer);
    free(a->cache_mem);
    free(a);
}

const char *cti_analyzer_language(const cti_analyzer *a)
{
    return a->language;
}

int cti_analyzer_set_stem_filter(cti_analyzer *a, const unsigned char *firsts)
{
    a->filter_on = firsts != NULL && a->filter_ok;
    if (a->filter_on)
        memcpy(a->firsts, firsts, sizeof a->firsts);
    return a->filter_on;
}

void cti_analyzer_set_cache(cti_analyzer *a, int on)
{
    a->use_cache = on && a->cache != NULL;
}

cti_status cti_analyzer_set_cache_sets(cti_analyzer *a, size_t sets)
{
    if (!sets || (sets & (sets - 1)) || !a->stemmer)
        return CTI_EINVAL;
    size_t sz = sets * CACHE_WAYS * sizeof *a->cache;
    void *mem = calloc(1, sz + 128);
    if (!mem)
        return CTI_ENOMEM;
    free(a->cache_mem);
    a->cache_mem = mem;
    /* align sets to cache lines */
    a->cache = (cache_entry *)(((uintptr_t)mem + 127) & ~(uintptr_t)127);
    a->cache_mask = sets - 1;
    return CTI_OK;
}

uint32_t cti_analyzer_memo_epoch(cti_analyzer *a)
{
    if (++a->epoch == 0) {
        /* Wrapped: no slot may hold a value about to be given again. */
        size_t n = a->cache ? (a->cache_mask + 1) * CACHE_WAYS : 0;
        for (size_t i = 0; i < n; i++)
            a->cache[i].memo = 0;
        a->epoch = 1;
    }
    return a->epoch;
}

int cti_analyze(cti_analyzer *a, const char *text, size_t len, uint32_t pos0,
                cti_token_fn fn, void *ctx)
{
    scan sc;
    tables_init();
    sc.a = a;
    sc.fn = fn;
    sc.ctx = ctx;
    sc.s = (const unsigned char *)text;
    sc.len = text ? len : 0;
    sc.pos = pos0;
    sc.have_prev = 0;
    sc.prev_join_end = 0;
    sc.have_pend = 0;
    sc.buf = sc.bufs[0];
    fold_reset(&sc);
    return scan_run(&sc);
}

int cti_tokenize(const char *text, size_t len, uint32_t pos0,
                 cti_token_fn fn, void *ctx)
{
    return cti_analyze(NULL, text, len, pos0, fn, ctx);
}

const char *cti_analyzer_stem(cti_analyzer *a, const char *tok, size_t len,
                              size_t *outlen)
{
    if (len > CTI_MAX_TOKEN)
        len = CTI_MAX_TOKEN;
    memset(a->cbuf, 0, KEY_CAP);
    memcpy(a->cbuf, tok, len);
    a->cbuf[len] = '\0';
    *outlen = len;
    if (!a->stemmer || len == 0 || text_kind(a->cbuf, len, 0) != 0)
        return a->cbuf;
    const char *st = stem_word(a, a->cbuf, len, a->stembuf, outlen);
    if (!st) {
        *outlen = len;
        return a->cbuf;
    }
    return st;
}
