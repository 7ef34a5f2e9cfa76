/*
 * cti_query.c - the query language: lexer, parser, tree, Xapian query,
 * highlight spec.
 *
 * The lexer turns the string into lexemes (words, quoted phrases,
 * parentheses, operators, fields); a recursive-descent parser builds the
 * tree with FTS5 precedence (NOT > AND > OR, NEAR binding tightest).
 * Words and phrases are analyzed at parse time, so the tree holds the
 * very stems the indexer posted.  Punctuation inside a word is the
 * analyzer's business: a word that yields several tokens ("U.S.",
 * "pro-Bloomberg", "AT&T") is a phrase, one that yields none ("$", "&")
 * is dropped.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti_distance.h"
#include "cti_query.h"
#include "cti_schema.h"

/* ---------------------------------------------------------------- */
/* Tree                                                             */
/* ---------------------------------------------------------------- */

enum kind {
    K_AND, K_OR,
    K_NOT,      /* kids[0] AND NOT any of kids[1..] */
    K_NEG,      /* parser only: "-x" / unary NOT, resolved before the end */
    K_WORD,     /* one stem */
    K_PHRASE,   /* consecutive stems */
    K_PREFIX,   /* stems[0] is a folded prefix */
    K_NEAR,     /* kids (words, phrases, prefixes) within 'window' words */
    K_DATE,     /* dterm, or the range [lo, hi] */
    K_ALL,      /* every document */
    K_ANY       /* --any: kids are words, OR-ed */
};

/* F_PAGE: the whole page as read, the words set aside as boilerplate
   (CTI_PREFIX_PAGE) as well as the article's own (unprefixed). */
enum field { F_ANY, F_TITLE, F_AUTHOR, F_SOURCE, F_PAGE, F_NFIELDS };

static const char *const field_prefix[] = {
    "", CTI_PREFIX_TITLE, CTI_PREFIX_AUTHOR, CTI_PREFIX_SOURCE, ""
};
static const char *const field_name[] = { "", "title", "author", "source",
                                          "page" };

typedef struct qnode {
    int kind;
    int field;
    unsigned window;          /* K_NEAR: the n of NEAR/n */
    unsigned wqf;             /* K_WORD in --any: times the word was said */
    unsigned run;             /* K_WORD of an AND: its run of words typed
                                 one after another (0: none; and_runs()) */
    int phrased;              /* ... and a word of the run's phrase */
    char **stems;             /* K_WORD (1), K_PHRASE (n), K_PREFIX (1) */
    size_t nstems;
    char *folded;             /* K_WORD: folded word (did you mean) */
    size_t start, end;        /* K_WORD: bytes in the query */
    char dterm[16];           /* K_DATE: a Y/M/D term, or "" for a range */
    char lo[9], hi[9];        /* K_DATE range; "" = open */
    struct qnode **kids;
    size_t nkids;
    struct qnode *boost;      /* K_ANY, K_AND: phrases that only add weight
                                 (the query's adjacent words, as typed) */
    struct qword {            /* K_PHRASE typed in the query: each stem's */
        size_t start, end;    /* bytes in the query */
        char *folded;         /* folded word */
    } *words;
} qnode;

struct cti_query {
    qnode *root;
    unsigned flags;
    unsigned lower_ops;  /* CTI_LOWER_*: see cti_query_lower_ops() */
    int english;   /* the index's language is English: function words known */
};

static void node_free(qnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nstems; i++)
        free(n->stems[i]);
    free(n->stems);
    free(n->folded);
    for (size_t i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    node_free(n->boost);
    if (n->words)
        for (size_t i = 0; i < n->nstems; i++)
            free(n->words[i].folded);
    free(n->words);
    free(n);
}

void cti_query_free(cti_query *q)
{
    if (!q)
        return;
    node_free(q->root);
    free(q);
}

static qnode *node_new(int kind, int field)
{
    qnode *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->field = field;
    }
    return n;
}

/* Append 'kid' to n's children; frees 'kid' and returns -1 on no memory. */
static int node_add(qnode *n, qnode *kid)
{
    qnode **k = realloc(n->kids, (n->nkids + 1) * sizeof *k);
    if (!k) {
        node_free(kid);
        return -1;
    }
    n->kids = k;
    n->kids[n->nkids++] = kid;
    return 0;
}

/* Append a copy of 's' (len bytes) to n's stems; -1 on no memory. */
static int node_add_stem(qnode *n, const char *s, size_t len)
{
    char **st = realloc(n->stems, (n->nstems + 1) * sizeof *st);
    if (!st)
        return -1;
    n->stems = st;
    char *c = malloc(len + 1);
    if (!c)
        return -1;
    memcpy(c, s, len);
    c[len] = '\0';
    n->stems[n->nstems++] = c;
    return 0;
}

/* ---------------------------------------------------------------- */
/* Lexer                                                            */
/* ---------------------------------------------------------------- */

enum lex {
    L_END, L_WORD, L_PHRASE, L_LP, L_RP, L_AND, L_OR, L_NOT, L_NEAR,
    L_MINUS, L_FIELD, L_DATE
};

typedef struct lexeme {
    int type;
    size_t start, end;   /* the text: word, phrase contents, date value */
    size_t at;           /* where the lexeme begins (for messages) */
    int prefix;          /* L_WORD: ended with '*' */
    int field;           /* L_FIELD */
    unsigned window;     /* L_NEAR */
    unsigned lower_op;   /* L_WORD: CTI_LOWER_* when it is and/or/not/near */
} lexeme;

typedef struct parser {
    const char *s;
    size_t len;
    cti_analyzer *a;
    unsigned flags;
    lexeme *lx;
    size_t nlx, cap, cur;
    cti_status st;       /* CTI_OK, CTI_EINVAL (syntax) or CTI_ENOMEM */
    cti_query_error *err;
    unsigned lower_ops;  /* CTI_LOWER_* searched as words between words */
} parser;

/* 1-based column in code points of byte offset 'off'. */
static size_t column_of(const char *s, size_t off)
{
    size_t col = 1;
    for (size_t i = 0; i < off && s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

/* Record a syntax error at byte 'off' (the first error wins). */
static void syntax(parser *p, size_t off, const char *fmt, ...)
{
    if (p->st != CTI_OK)
        return;
    p->st = CTI_EINVAL;
    if (!p->err)
        return;
    p->err->offset = off;
    p->err->column = column_of(p->s, off);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
}

/* Length of the white space at s[i] (ASCII, NBSP, ideographic space), 0 if none. */
static size_t space_len(const char *s, size_t i, size_t len)
{
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
        return 1;
    if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0)
        return 2;
    if (c == 0xE3 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] == 0x80)
        return 3;
    return 0;
}

/* Length of a double quote at s[i] (", “, ”, „), 0 if none. */
static size_t quote_len(const char *s, size_t i, size_t len)
{
    if (s[i] == '"')
        return 1;
    if ((unsigned char)s[i] == 0xE2 && i + 2 < len &&
        (unsigned char)s[i + 1] == 0x80) {
        unsigned char c = (unsigned char)s[i + 2];
        if (c == 0x9C || c == 0x9D || c == 0x9E)
            return 3;
    }
    return 0;
}

/* 1 if s[i] ends a word: end, space, parenthesis or quote. */
static int word_break(const char *s, size_t i, size_t len)
{
    return i >= len || space_len(s, i, len) || s[i] == '(' || s[i] == ')' ||
           quote_len(s, i, len);
}

static int lex_push(parser *p, lexeme l)
{
    if (p->nlx == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        lexeme *n = realloc(p->lx, cap * sizeof *n);
        if (!n) {
            p->st = CTI_ENOMEM;
            return -1;
        }
        p->lx = n;
        p->cap = cap;
    }
    p->lx[p->nlx++] = l;
    return 0;
}

/* Case-insensitive: does s[i..] start with the ASCII word 'w'? */
static int starts_with_ci(const char *s, size_t i, size_t len, const char *w)
{
    size_t n = strlen(w);
    if (i + n > len)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (tolower((unsigned char)s[i + k]) != w[k])
            return 0;
    return 1;
}

/* What a lexing step returns after a syntax error (set on the parser). */
#define LEX_FAIL SIZE_MAX

/* A phrase opened by a quote of ql bytes at s[i]; returns where the next
   lexeme may start, or LEX_FAIL when the quote is not closed. */
static size_t lex_phrase(parser *p, size_t i, size_t ql, lexeme *l)
{
    const char *s = p->s;
    size_t len = p->len, j = i + ql;
    while (j < len && !quote_len(s, j, len))
        j++;
    if (j >= len) {
        syntax(p, i, "unclosed quote");
        return LEX_FAIL;
    }
    l->type = L_PHRASE;
    l->start = i + ql;
    l->end = j;
    return j + quote_len(s, j, len);
}

/* URL schemes written without "//", whose "scheme:rest" is no field. */
static const char *const schemes[] = { "mailto", "tel", "urn", "news", "data" };

/*
 * Does s[i..] look like a field, "name:value" (name of letters, a value
 * starting with a letter, digit, quote or parenthesis right after the
 * colon)?  Sets *n to the length of the name.  "10:30", "U.S.:", "Note: x"
 * and URLs ("https://...", "mailto:...") do not.
 */
static int field_shaped(const char *s, size_t i, size_t len, size_t *n)
{
    size_t j = i;
    while (j < len && isalpha((unsigned char)s[j]))
        j++;
    if (j - i < 2 || j + 1 >= len || s[j] != ':')
        return 0;
    unsigned char c = (unsigned char)s[j + 1];
    if (!isalnum(c) && c < 0x80 && c != '(' && !quote_len(s, j + 1, len))
        return 0;
    for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++)
        if (strlen(schemes[k]) == j - i && starts_with_ci(s, i, len, schemes[k]))
            return 0;
    *n = j - i;
    return 1;
}

/* The syntax error for an unknown field "name:" at s[i]; always LEX_FAIL. */
static size_t unknown_field(parser *p, size_t i, size_t n)
{
    static const char *const known[] = { "title", "author", "source", "date" };
    const char *best = NULL;
    unsigned bestd = 3;
    for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
        char name[32];
        size_t m = n < sizeof name - 1 ? n : sizeof name - 1;
        for (size_t c = 0; c < m; c++)
            name[c] = (char)tolower((unsigned char)p->s[i + c]);
        name[m] = '\0';
        unsigned d = cti_edit_distance(name, m, known[k], strlen(known[k]), 2);
        if (d < bestd) {
            bestd = d;
            best = known[k];
        }
    }
    char hint[48] = "";
    if (best)
        snprintf(hint, sizeof hint, "; did you mean %s:?", best);
    syntax(p, i, "unknown field '%.*s:'%s (fields: title:, author:, source:, "
           "date:; quote a word with a colon to search for it)",
           (int)(n > 40 ? 40 : n), p->s + i, hint);
    return LEX_FAIL;
}

/* A field prefix (title: author: source:) or date:VALUE at s[i]; returns
   where the next lexeme may start, 0 when there is neither, or LEX_FAIL
   for a field that does not exist. */
static size_t lex_field(parser *p, size_t i, lexeme *l)
{
    static const char *const fields[] = { NULL, "title:", "author:", "source:",
                                          "page:" };
    const char *s = p->s;
    size_t len = p->len;
    int f = 0;
    for (int k = 1; k < F_NFIELDS; k++)
        if (starts_with_ci(s, i, len, fields[k]))
            f = k;
    if (f) {
        l->type = L_FIELD;
        l->field = f;
        l->end = i + strlen(fields[f]);
        return l->end;
    }
    if (starts_with_ci(s, i, len, "date:")) {
        size_t j = i + 5;
        while (!word_break(s, j, len))
            j++;
        l->type = L_DATE;
        l->start = i + 5;
        l->end = j;
        return j;
    }
    size_t n;
    if (field_shaped(s, i, len, &n))
        return unknown_field(p, i, n);
    return 0;
}

/* NEAR/n for the word s[i..j): the window n, or LEX_FAIL when n is not a
   number (at most about a million). */
static size_t lex_near(parser *p, size_t i, size_t j, lexeme *l)
{
    const char *s = p->s;
    unsigned long w = 0;
    size_t k = i + 5;
    if (k == j) {
        syntax(p, i, "NEAR/ needs a number of words, e.g. NEAR/5");
        return LEX_FAIL;
    }
    for (; k < j; k++) {
        if (!isdigit((unsigned char)s[k]) || w > 100000) {
            syntax(p, i, "NEAR/ needs a number of words, e.g. NEAR/5");
            return LEX_FAIL;
        }
        w = w * 10 + (unsigned long)(s[k] - '0');
    }
    l->type = L_NEAR;
    l->window = (unsigned)w;
    return j;
}

/* A word at s[i]: an operator (AND, OR, NOT, NEAR, NEAR/n), a prefix
   (word*) or a plain word.  Returns where the next lexeme may start, or
   LEX_FAIL. */
static size_t lex_word(parser *p, size_t i, lexeme *l)
{
    const char *s = p->s;
    size_t len = p->len, j = i;
    while (!word_break(s, j, len))
        j++;
    l->type = L_WORD;
    l->end = j;
    size_t n = j - i;
    if (n == 3 && !memcmp(s + i, "AND", 3))
        l->type = L_AND;
    else if (n == 2 && !memcmp(s + i, "OR", 2))
        l->type = L_OR;
    else if (n == 3 && !memcmp(s + i, "NOT", 3))
        l->type = L_NOT;
    else if (n == 4 && !memcmp(s + i, "NEAR", 4)) {
        l->type = L_NEAR;
        l->window = CTI_NEAR_DEFAULT;
    } else if (n > 4 && !memcmp(s + i, "NEAR/", 5)) {
        return lex_near(p, i, j, l);
    } else if ((n == 2 && !memcmp(s + i, "or", 2)) ||
               (n == 3 && !memcmp(s + i, "and", 3)) ||
               (n == 3 && !memcmp(s + i, "not", 3)) ||
               (n == 4 && !memcmp(s + i, "near", 4))) {
        l->lower_op = s[i + 1] == 'r' ? CTI_LOWER_OR : s[i] == 'a' ? CTI_LOWER_AND
                    : s[i] == 'n' && s[i + 1] == 'o' ? CTI_LOWER_NOT
                                                      : CTI_LOWER_NEAR;
    } else {
        size_t e = j;
        while (e > i && s[e - 1] == '*')
            e--;
        if (e < j && e > i) {
            l->prefix = 1;
            l->end = e;
        }
    }
    return j;
}

/* The lexeme at s[i] (not a space, not the end) into *l; returns where
   the next may start, or LEX_FAIL after a syntax error. */
static size_t lex_one(parser *p, size_t i, lexeme *l)
{
    const char *s = p->s;
    size_t len = p->len, ql = quote_len(s, i, len);
    if (s[i] == '(' || s[i] == ')') {
        l->type = s[i] == '(' ? L_LP : L_RP;
        l->end = i + 1;
        return l->end;
    }
    if (ql)
        return lex_phrase(p, i, ql, l);
    if (s[i] == '-' && i + 1 < len && !word_break(s, i + 1, len) &&
        s[i + 1] != '-') {
        l->type = L_MINUS;
        l->end = i + 1;
        return l->end;
    }
    size_t next = lex_field(p, i, l);
    return next ? next : lex_word(p, i, l);
}

/* Split the query into lexemes (query-syntax mode). */
static void lex_all(parser *p)
{
    const char *s = p->s;
    size_t len = p->len, i = 0;
    while (p->st == CTI_OK) {
        size_t sp;
        while (i < len && (sp = space_len(s, i, len)))
            i += sp;
        lexeme l = { 0 };
        l.at = l.start = i;
        if (i >= len) {
            l.type = L_END;
            lex_push(p, l);
            return;
        }
        i = lex_one(p, i, &l);
        if (i == LEX_FAIL || lex_push(p, l))
            return;
    }
}

/* ---------------------------------------------------------------- */
/* Analysis of words and phrases                                    */
/* ---------------------------------------------------------------- */

typedef struct tokbuf {
    struct tok { char *stem, *text; size_t start, end; } *t;
    size_t n, cap;
    int nomem;
} tokbuf;

static char *dupn(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

static int collect_tok(void *ctx, const cti_token *tok)
{
    tokbuf *b = ctx;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        struct tok *t = realloc(b->t, cap * sizeof *t);
        if (!t) {
            b->nomem = 1;
            return 1;
        }
        b->t = t;
        b->cap = cap;
    }
    struct tok *t = &b->t[b->n];
    t->stem = dupn(tok->stem, tok->stemlen);
    t->text = dupn(tok->text, tok->len);
    t->start = tok->start;
    t->end = tok->end;
    if (!t->stem || !t->text) {
        free(t->stem);
        free(t->text);
        b->nomem = 1;
        return 1;
    }
    b->n++;
    return 0;
}

static void tokbuf_release(tokbuf *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->t[i].stem);
        free(b->t[i].text);
    }
    free(b->t);
    memset(b, 0, sizeof *b);
}

/* Analyze s[start, end) into b (offsets relative to the whole query). */
static int analyze(parser *p, size_t start, size_t end, tokbuf *b)
{
    memset(b, 0, sizeof *b);
    cti_analyze(p->a, p->s + start, end - start, 1, collect_tok, b);
    if (b->nomem) {
        tokbuf_release(b);
        p->st = CTI_ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < b->n; i++) {
        b->t[i].start += start;
        b->t[i].end += start;
    }
    return 0;
}

/* A K_WORD node for token t. */
static qnode *word_node(parser *p, const struct tok *t, int field)
{
    qnode *n = node_new(K_WORD, field);
    if (!n || node_add_stem(n, t->stem, strlen(t->stem)) ||
        !(n->folded = dupn(t->text, strlen(t->text)))) {
        node_free(n);
        p->st = CTI_ENOMEM;
        return NULL;
    }
    n->start = t->start;
    n->end = t->end;
    n->wqf = 1;
    return n;
}

/* A K_PHRASE (or K_WORD for one token) node of b's tokens [from, to). */
static qnode *phrase_node(parser *p, const tokbuf *b, size_t from, size_t to,
                          int field)
{
    if (to <= from)
        return NULL;
    if (to - from == 1)
        return word_node(p, &b->t[from], field);
    qnode *n = node_new(K_PHRASE, field);
    if (!n || !(n->words = calloc(to - from, sizeof *n->words)))
        goto nomem;
    for (size_t i = from; i < to; i++) {
        struct qword *w = &n->words[i - from];
        w->start = b->t[i].start;
        w->end = b->t[i].end;
        if (!(w->folded = dupn(b->t[i].text, strlen(b->t[i].text))))
            goto nomem;
        /* node_free() frees the words that have their stem */
        if (node_add_stem(n, b->t[i].stem, strlen(b->t[i].stem))) {
            free(w->folded);
            w->folded = NULL;
            goto nomem;
        }
    }
    return n;
nomem:
    node_free(n);
    p->st = CTI_ENOMEM;
    return NULL;
}

/* The node of a typed word: a word, a phrase, a prefix, or NULL (no tokens). */
static qnode *typed_word(parser *p, const lexeme *l, int field)
{
    tokbuf b;
    qnode *n = NULL;
    if (analyze(p, l->start, l->end, &b))
        return NULL;
    if (!l->prefix || b.n == 0) {
        n = phrase_node(p, &b, 0, b.n, field);
        goto done;
    }
    /* word*: the last token's folded form is a prefix of the terms. */
    qnode *pre = node_new(K_PREFIX, field);
    const char *t = b.t[b.n - 1].text;
    if (!pre || node_add_stem(pre, t, strlen(t))) {
        node_free(pre);
        p->st = CTI_ENOMEM;
        goto done;
    }
    if (b.n == 1) {
        n = pre;
        goto done;
    }
    qnode *head = phrase_node(p, &b, 0, b.n - 1, field);
    n = node_new(K_AND, field);
    if (!head || !n || node_add(n, head) || node_add(n, pre)) {
        if (!n || n->nkids == 0)
            node_free(head);
        if (!n || n->nkids < 2)
            node_free(pre);
        node_free(n);
        n = NULL;
        p->st = CTI_ENOMEM;
    }
done:
    tokbuf_release(&b);
    return n;
}

/* ---------------------------------------------------------------- */
/* Dates                                                            */
/* ---------------------------------------------------------------- */

/*
 * Parse one date "YYYY", "YYYY-MM" or "YYYY-MM-DD" ('-' or '/') from
 * s[i, j) into y, m, d (0 when absent).  Returns 0, or -1 if malformed.
 */
static int parse_date(const char *s, size_t i, size_t j, int *y, int *m, int *d)
{
    int v[3] = { 0, 0, 0 }, nv = 0;
    size_t k = i;
    while (k < j && nv < 3) {
        size_t st = k;
        int x = 0;
        while (k < j && isdigit((unsigned char)s[k]) && k - st < 4)
            x = x * 10 + (s[k++] - '0');
        size_t nd = k - st;
        if ((nv == 0 && nd != 4) || (nv > 0 && (nd < 1 || nd > 2)))
            return -1;
        v[nv++] = x;
        if (k < j) {
            if ((s[k] != '-' && s[k] != '/') || k + 1 == j)
                return -1;
            k++;
        }
    }
    if (k != j || nv == 0)
        return -1;
    if ((nv >= 2 && (v[1] < 1 || v[1] > 12)) || (nv == 3 && (v[2] < 1 || v[2] > 31)))
        return -1;
    *y = v[0];
    *m = nv >= 2 ? v[1] : 0;
    *d = nv == 3 ? v[2] : 0;
    return 0;
}

/* A K_DATE node for "date:<value>" s[start, end). */
static qnode *date_node(parser *p, const lexeme *l)
{
    const char *s = p->s;
    size_t i = l->start, j = l->end, dots = 0;
    if (i == j) {
        syntax(p, l->at, "date: needs a date, e.g. date:2024-07 or date:2019..2021");
        return NULL;
    }
    for (size_t k = i; k + 1 < j; k++)
        if (s[k] == '.' && s[k + 1] == '.') {
            dots = k;
            break;
        }
    qnode *n = node_new(K_DATE, F_ANY);
    if (!n) {
        p->st = CTI_ENOMEM;
        return NULL;
    }
    int y, m, d;
    if (!dots && !(s[i] == '.' && i + 1 < j && s[i + 1] == '.')) {
        if (parse_date(s, i, j, &y, &m, &d))
            goto bad;
        if (d)
            snprintf(n->dterm, sizeof n->dterm, "%s%04d%02d%02d", CTI_PREFIX_DATE, y, m, d);
        else if (m)
            snprintf(n->dterm, sizeof n->dterm, "%s%04d%02d", CTI_PREFIX_MONTH, y, m);
        else
            snprintf(n->dterm, sizeof n->dterm, "%s%04d", CTI_PREFIX_YEAR, y);
        return n;
    }
    if (!dots)
        dots = i;
    if (dots == i && dots + 2 == j)
        goto bad; /* ".." alone */
    if (dots > i) {
        if (parse_date(s, i, dots, &y, &m, &d))
            goto bad;
        snprintf(n->lo, sizeof n->lo, "%04d%02d%02d", y, m, d);
    }
    if (dots + 2 < j) {
        if (parse_date(s, dots + 2, j, &y, &m, &d))
            goto bad;
        snprintf(n->hi, sizeof n->hi, "%04d%02d%02d", y, m ? m : 99, d ? d : 99);
    }
    if (n->lo[0] && n->hi[0] && strcmp(n->lo, n->hi) > 0) {
        node_free(n);
        syntax(p, l->start, "the date range ends before it starts");
        return NULL;
    }
    return n;
bad:
    node_free(n);
    syntax(p, l->start,
           "bad date '%.*s' (use YYYY, YYYY-MM, YYYY-MM-DD or a range A..B)",
           (int)(j - i), s + i);
    return NULL;
}

/* ---------------------------------------------------------------- */
/* Parser                                                           */
/* ---------------------------------------------------------------- */

static const lexeme *peek(const parser *p) { return &p->lx[p->cur]; }
static const lexeme *next(parser *p)
{
    const lexeme *l = &p->lx[p->cur];
    if (l->type != L_END)
        p->cur++;
    return l;
}

/* 1 if a lexeme of this type can start an operand. */
static int starts_operand(int type)
{
    return type == L_WORD || type == L_PHRASE || type == L_LP ||
           type == L_MINUS || type == L_FIELD || type == L_DATE;
}

static const char *lex_name(const parser *p, const lexeme *l, char *buf, size_t n)
{
    snprintf(buf, n, "%.*s", (int)(l->end - l->at), p->s + l->at);
    return buf;
}

static qnode *parse_or(parser *p, int field);

/* A K_NEG (or K_NOT(ALL, x)) made positive: "everything but x". */
static qnode *resolve_neg(parser *p, qnode *n)
{
    if (!n || n->kind != K_NEG)
        return n;
    qnode *x = n->kids[0];
    n->kids[0] = NULL;
    n->nkids = 0;
    node_free(n);
    if (!x)
        return NULL;
    qnode *all = node_new(K_ALL, F_ANY), *r = node_new(K_NOT, F_ANY);
    if (!all || !r || node_add(r, all) || node_add(r, x)) {
        if (!r || r->nkids == 0)
            node_free(all);
        if (!r || r->nkids < 2)
            node_free(x);
        node_free(r);
        p->st = CTI_ENOMEM;
        return NULL;
    }
    return r;
}

/* primary := WORD | "phrase" | ( or ) | field: primary | date:... */
static qnode *parse_primary(parser *p, int field)
{
    const lexeme *l = next(p);
    char buf[64];
    switch (l->type) {
    case L_WORD:
        return typed_word(p, l, field);
    case L_PHRASE: {
        tokbuf b;
        if (analyze(p, l->start, l->end, &b))
            return NULL;
        qnode *n = phrase_node(p, &b, 0, b.n, field);
        tokbuf_release(&b);
        return n;
    }
    case L_LP: {
        if (peek(p)->type == L_RP) {
            syntax(p, l->at, "empty parentheses");
            return NULL;
        }
        qnode *n = parse_or(p, field);
        if (p->st != CTI_OK)
            return n;
        if (peek(p)->type != L_RP) {
            node_free(n);
            syntax(p, l->at, "unclosed parenthesis");
            return NULL;
        }
        next(p);
        return n;
    }
    case L_FIELD: {
        if (!starts_operand(peek(p)->type) || peek(p)->type == L_MINUS) {
            syntax(p, l->at, "%s: needs a word, \"phrase\" or (group) after it",
                   field_name[l->field]);
            return NULL;
        }
        return parse_primary(p, l->field);
    }
    case L_DATE:
        return date_node(p, l);
    case L_END:
        syntax(p, l->at, "the query ends where a word was expected");
        return NULL;
    case L_RP:
        syntax(p, l->at, "unmatched ')'");
        return NULL;
    default:
        syntax(p, l->at, "%s needs a word or group before it",
               lex_name(p, l, buf, sizeof buf));
        return NULL;
    }
}

/* NEAR takes words and phrases (Xapian's OP_NEAR: leaf terms only). */
static int nearable(const qnode *n)
{
    return n && (n->kind == K_WORD || n->kind == K_PHRASE);
}

/* near := primary (NEAR[/n] primary)* */
static qnode *parse_near(parser *p, int field)
{
    size_t first_at = peek(p)->at;
    qnode *x = parse_primary(p, field);
    if (p->st != CTI_OK || peek(p)->type != L_NEAR)
        return x;
    qnode *n = node_new(K_NEAR, field);
    if (!n) {
        node_free(x);
        p->st = CTI_ENOMEM;
        return NULL;
    }
    if (x && !nearable(x)) {
        node_free(x);
        syntax(p, first_at, "NEAR works on words and \"phrases\", not on groups or prefixes");
        goto fail;
    }
    if (x && node_add(n, x)) {
        p->st = CTI_ENOMEM;
        goto fail;
    }
    while (peek(p)->type == L_NEAR) {
        const lexeme *op = next(p);
        if (op->window > n->window)
            n->window = op->window;
        int t = peek(p)->type;
        if (t == L_LP) {
            syntax(p, peek(p)->at, "NEAR works on words and \"phrases\", not on groups or prefixes");
            goto fail;
        }
        if (t != L_WORD && t != L_PHRASE && t != L_FIELD) {
            syntax(p, op->at, "NEAR needs a word or \"phrase\" after it");
            goto fail;
        }
        size_t at = peek(p)->at;
        qnode *y = parse_primary(p, field);
        if (p->st != CTI_OK) {
            node_free(y);
            goto fail;
        }
        if (y && !nearable(y)) {
            node_free(y);
            syntax(p, at, "NEAR works on words and \"phrases\", not on groups or prefixes");
            goto fail;
        }
        if (y && node_add(n, y)) {
            p->st = CTI_ENOMEM;
            goto fail;
        }
    }
    if (n->nkids >= 2)
        return n;
    /* Operands without words were dropped: what is left stands alone. */
    x = n->nkids ? n->kids[0] : NULL;
    n->nkids = 0;
    node_free(n);
    return x;
fail:
    node_free(n);
    return NULL;
}

/* unary := - unary | NOT unary (at the start of an operand) | near */
static qnode *parse_unary(parser *p, int field)
{
    int t = peek(p)->type;
    if (t == L_MINUS || t == L_NOT) {
        const lexeme *op = next(p);
        if (!starts_operand(peek(p)->type)) {
            syntax(p, op->at, t == L_NOT ? "NOT needs a word or group after it"
                                         : "'-' needs a word right after it");
            return NULL;
        }
        qnode *x = resolve_neg(p, parse_unary(p, field));
        if (p->st != CTI_OK || !x) {
            node_free(x);
            return NULL;
        }
        qnode *n = node_new(K_NEG, field);
        if (!n || node_add(n, x)) {
            if (!n)
                node_free(x);
            node_free(n);
            p->st = CTI_ENOMEM;
            return NULL;
        }
        return n;
    }
    return parse_near(p, field);
}

/* not := unary (NOT unary)*; a lone "-x" stays K_NEG for parse_and. */
static qnode *parse_not(parser *p, int field)
{
    qnode *x = parse_unary(p, field);
    if (p->st == CTI_OK && peek(p)->type == L_NOT)
        x = resolve_neg(p, x);
    while (p->st == CTI_OK && peek(p)->type == L_NOT) {
        const lexeme *op = next(p);
        if (!starts_operand(peek(p)->type)) {
            node_free(x);
            syntax(p, op->at, "NOT needs a word or group after it");
            return NULL;
        }
        qnode *y = resolve_neg(p, parse_unary(p, field));
        if (p->st != CTI_OK) {
            node_free(x);
            node_free(y);
            return NULL;
        }
        if (!y)
            continue;        /* "a NOT $": nothing to exclude */
        if (!x) {            /* "$ NOT b": only the exclusion is left */
            x = node_new(K_ALL, F_ANY);
            if (!x) {
                node_free(y);
                p->st = CTI_ENOMEM;
                return NULL;
            }
        }
        qnode *n = node_new(K_NOT, field);
        if (!n || node_add(n, x)) {
            if (!n)
                node_free(x);
            node_free(n);
            node_free(y);
            p->st = CTI_ENOMEM;
            return NULL;
        }
        if (node_add(n, y)) {
            node_free(n);
            p->st = CTI_ENOMEM;
            return NULL;
        }
        x = n;
    }
    if (p->st != CTI_OK) {
        node_free(x);
        return NULL;
    }
    return x;
}

/*
 * Add to n->boost the phrase of 'count' words typed one after another
 * (their stems and folded forms): with 'drop_stop', function words are
 * left out of it and its window spans the whole run, so "Bank of England"
 * finds "bank" then "england" at most 3 positions apart (the function
 * words have the longest position lists, and reading them would cost
 * more than the phrase is worth); all the words when fewer than two
 * others are left.  kept[i] (when kept is not NULL): 1 if word i is in
 * the phrase.  Returns 0, or -1 on no memory.
 */
static int add_run(parser *p, qnode *n, char *const *stems,
                   char *const *folded, size_t count, int drop_stop, int *kept)
{
    size_t keep = 0;
    for (size_t i = 0; i < count; i++)
        keep += !drop_stop || !cti_query_is_stopword(folded[i]);
    if (keep < 2)
        drop_stop = 0;
    qnode *ph = node_new(K_PHRASE, F_ANY);
    if (!ph)
        goto nomem;
    for (size_t i = 0; i < count; i++) {
        int in = !drop_stop || !cti_query_is_stopword(folded[i]);
        if (kept)
            kept[i] = in;
        if (in && node_add_stem(ph, stems[i], strlen(stems[i]))) {
            node_free(ph);
            goto nomem;
        }
    }
    ph->window = ph->nstems < count ? (unsigned)count : 0;
    if ((!n->boost && !(n->boost = node_new(K_OR, F_ANY))) ||
        node_add(n->boost, ph)) {
        if (!n->boost)
            node_free(ph);
        goto nomem;
    }
    return 0;
nomem:
    p->st = CTI_ENOMEM;
    return -1;
}

/* add_run() of tokens [from, to] of b. */
static int add_token_run(parser *p, qnode *n, const tokbuf *b, size_t from,
                         size_t to, int drop_stop)
{
    size_t count = to - from + 1;
    char **stems = calloc(count, sizeof *stems), **folded = calloc(count, sizeof *folded);
    int rc = -1;
    if (stems && folded) {
        for (size_t i = 0; i < count; i++) {
            stems[i] = b->t[from + i].stem;
            folded[i] = b->t[from + i].text;
        }
        rc = add_run(p, n, stems, folded, count, drop_stop, NULL);
    } else {
        p->st = CTI_ENOMEM;
    }
    free(stems);
    free(folded);
    return rc;
}

/* 1 if only white space lies between bytes a and b of the query. */
static int spaces_only(const parser *p, size_t a, size_t b)
{
    for (size_t i = a; i < b;) {
        size_t sp = space_len(p->s, i, p->len);
        if (!sp)
            return 0;
        i += sp;
    }
    return 1;
}

/* A bare word: not in a field, not a phrase or prefix. */
static int bare_word(const qnode *n)
{
    return n->kind == K_WORD && n->field == F_ANY;
}

/*
 * The runs of an AND: each stretch of two or more bare words typed one
 * after the other (only white space between), as add_run() phrases into
 * n->boost, each word marked with its run and whether the phrase holds
 * it.  Returns 0, or -1 on no memory.
 */
static int and_runs(parser *p, qnode *n)
{
    int english = !strcmp(cti_analyzer_language(p->a), "english");
    char **stems = calloc(n->nkids, sizeof *stems);
    char **folded = calloc(n->nkids, sizeof *folded);
    int *kept = calloc(n->nkids, sizeof *kept);
    int rc = 0;
    if (!stems || !folded || !kept) {
        p->st = CTI_ENOMEM;
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < n->nkids;) {
        size_t j = i + 1;
        while (j < n->nkids && bare_word(n->kids[i]) && bare_word(n->kids[j]) &&
               spaces_only(p, n->kids[j - 1]->end, n->kids[j]->start))
            j++;
        if (j - i >= 2) {
            for (size_t k = i; k < j; k++) {
                stems[k - i] = n->kids[k]->stems[0];
                folded[k - i] = n->kids[k]->folded;
                n->kids[k]->run = (unsigned)i + 1;
            }
            rc = add_run(p, n, stems, folded, j - i, english, kept);
            for (size_t k = i; rc == 0 && k < j; k++)
                n->kids[k]->phrased = kept[k - i];
        }
        i = j;
    }
    free(stems);
    free(folded);
    free(kept);
    return rc;
}

/* and := not ([AND] not)*; exclusions (-x) gather into one K_NOT. */
static qnode *parse_and(parser *p, int field)
{
    char buf[64];
    qnode *pos = node_new(K_AND, field), *neg = node_new(K_OR, field);
    qnode *r = NULL;
    if (!pos || !neg) {
        p->st = CTI_ENOMEM;
        goto done;
    }
    if (peek(p)->type == L_AND || peek(p)->type == L_OR ||
        peek(p)->type == L_NEAR) {
        syntax(p, peek(p)->at, "%s needs a word or group before it",
               lex_name(p, peek(p), buf, sizeof buf));
        goto done;
    }
    for (;;) {
        const lexeme *l = peek(p);
        if (l->type == L_AND) {
            next(p);
            if (!starts_operand(peek(p)->type) && peek(p)->type != L_NOT) {
                syntax(p, l->at, "AND needs a word or group after it");
                goto done;
            }
            continue;
        }
        if (!starts_operand(l->type) && l->type != L_NOT)
            break;
        qnode *x = parse_not(p, field);
        if (p->st != CTI_OK) {
            node_free(x);
            goto done;
        }
        if (!x)
            continue;
        qnode *into = pos;
        if (x->kind == K_NEG) {
            qnode *y = x->kids[0];
            x->nkids = 0;
            node_free(x);
            x = y;
            into = neg;
        }
        if (node_add(into, x)) {
            p->st = CTI_ENOMEM;
            goto done;
        }
    }
    if (pos->nkids == 0 && neg->nkids == 0)
        goto done;
    if (pos->nkids >= 2 && and_runs(p, pos))
        goto done;
    if (pos->nkids == 1) {
        r = pos->kids[0];
        pos->nkids = 0;
    } else if (pos->nkids == 0) {
        r = node_new(K_ALL, F_ANY);
    } else {
        r = pos;
        pos = NULL;
    }
    if (!r) {
        p->st = CTI_ENOMEM;
        goto done;
    }
    if (neg->nkids) {
        qnode *n = node_new(K_NOT, field);
        if (!n || node_add(n, r)) {
            if (!n)
                node_free(r);
            node_free(n);
            r = NULL;
            p->st = CTI_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < neg->nkids; i++) {
            if (node_add(n, neg->kids[i])) {
                neg->kids[i] = NULL;
                node_free(n);
                r = NULL;
                p->st = CTI_ENOMEM;
                goto done;
            }
            neg->kids[i] = NULL;
        }
        r = n;
    }
done:
    node_free(pos);
    node_free(neg);
    if (p->st != CTI_OK) {
        node_free(r);
        return NULL;
    }
    return r;
}

/* or := and (OR and)* */
static qnode *parse_or(parser *p, int field)
{
    qnode *n = node_new(K_OR, field);
    if (!n) {
        p->st = CTI_ENOMEM;
        return NULL;
    }
    for (;;) {
        qnode *x = parse_and(p, field);
        if (p->st != CTI_OK) {
            node_free(x);
            break;
        }
        if (x && node_add(n, x)) {
            p->st = CTI_ENOMEM;
            break;
        }
        if (peek(p)->type != L_OR)
            break;
        const lexeme *op = next(p);
        if (!starts_operand(peek(p)->type) && peek(p)->type != L_NOT) {
            syntax(p, op->at, "OR needs a word or group after it");
            break;
        }
    }
    if (p->st != CTI_OK) {
        node_free(n);
        return NULL;
    }
    if (n->nkids >= 2)
        return n;
    qnode *x = n->nkids ? n->kids[0] : NULL;
    n->nkids = 0;
    node_free(n);
    return x;
}

/* ---------------------------------------------------------------- */
/* Natural-language mode                                            */
/* ---------------------------------------------------------------- */

/*
 * English function words and question words: in --any mode they carry
 * no meaning of their own, so they are dropped unless nothing else is
 * left.  Sorted for bsearch.
 */
static const char *const stopwords[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am",
    "an", "and", "any", "are", "as", "at", "be", "because", "been", "before",
    "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "itself", "me", "more", "most", "my", "myself", "no", "nor",
    "not", "of", "off", "on", "once", "only", "or", "other", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "same", "shall", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "theirs",
    "them", "themselves", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "very", "was", "we",
    "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your", "yours", "yourself",
    "yourselves"
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int cti_query_is_stopword(const char *w)
{
    return bsearch(&w, stopwords, sizeof stopwords / sizeof *stopwords,
                   sizeof *stopwords, cmp_str) != NULL;
}

/* 1 if only white space separates tokens a and b in the query. */
static int adjacent(const parser *p, const struct tok *a, const struct tok *b)
{
    for (size_t i = a->end; i < b->start; i++)
        if (!space_len(p->s, i, p->len))
            return 0;
    return 1;
}

/* Most function words a run of --any words may hold between two words. */
#define RUN_GAP 2

/*
 * The runs of --any: each stretch of two or more words said one after
 * the other (only white space between, at most RUN_GAP function words in
 * a row, which stay in it: "Bank of England"), as a phrase of the words
 * as typed, into n->boost.  'drop_stop': function words are not words of
 * the query.  Returns 0, or -1 on no memory.
 */
static int any_runs(parser *p, const tokbuf *b, int drop_stop, qnode *n)
{
    size_t start = SIZE_MAX, last = 0, words = 0;
    unsigned gap = 0;
    for (size_t i = 0; i <= b->n; i++) {
        int brk = i == b->n || (i && !adjacent(p, &b->t[i - 1], &b->t[i]));
        int stop = i < b->n && drop_stop && cti_query_is_stopword(b->t[i].text);
        if (!brk && stop && start != SIZE_MAX && ++gap > RUN_GAP)
            brk = 1;
        if (brk) {
            if (start != SIZE_MAX && words >= 2 &&
                add_token_run(p, n, b, start, last, drop_stop))
                return -1;
            start = SIZE_MAX;
        }
        if (i == b->n || stop)
            continue;
        if (start == SIZE_MAX) {
            start = i;
            words = 0;
        }
        gap = 0;
        last = i;
        words++;
    }
    return 0;
}

/* --any: every token of the text is a word; the words are OR-ed. */
static qnode *parse_any(parser *p)
{
    tokbuf b;
    if (analyze(p, 0, p->len, &b))
        return NULL;
    int english = !strcmp(cti_analyzer_language(p->a), "english") &&
                  !(p->flags & CTI_QUERY_KEEP_STOPWORDS);
    size_t keep = 0;
    for (size_t i = 0; i < b.n; i++)
        if (!english || !cti_query_is_stopword(b.t[i].text))
            keep++;
    qnode *n = node_new(K_ANY, F_ANY);
    if (!n) {
        p->st = CTI_ENOMEM;
        goto done;
    }
    if (any_runs(p, &b, english && keep, n)) {
        node_free(n);
        n = NULL;
        goto done;
    }
    for (size_t i = 0; i < b.n; i++) {
        if (keep && english && cti_query_is_stopword(b.t[i].text))
            continue;
        /* A word said twice counts twice (its query term frequency). */
        qnode *dup = NULL;
        for (size_t k = 0; k < n->nkids && !dup; k++)
            if (!strcmp(n->kids[k]->stems[0], b.t[i].stem))
                dup = n->kids[k];
        if (dup) {
            dup->wqf++;
            continue;
        }
        qnode *w = word_node(p, &b.t[i],
                             p->flags & CTI_QUERY_PAGE ? F_PAGE : F_ANY);
        if (!w || node_add(n, w)) {
            p->st = CTI_ENOMEM;
            break;
        }
    }
    if (p->st != CTI_OK || n->nkids == 0) {
        node_free(n);
        n = NULL;
    }
done:
    tokbuf_release(&b);
    return n;
}

/* 1 if a lexeme of this type can end an operand. */
static int ends_operand(int type)
{
    return type == L_WORD || type == L_PHRASE || type == L_RP || type == L_DATE;
}

/* Note the lower-case and/or/not/near typed between two operands: they
   are searched as words, which a user may not have meant. */
static void note_lower_ops(parser *p)
{
    for (size_t i = 1; i + 1 < p->nlx; i++)
        if (p->lx[i].type == L_WORD && p->lx[i].lower_op &&
            ends_operand(p->lx[i - 1].type) && starts_operand(p->lx[i + 1].type))
            p->lower_ops |= p->lx[i].lower_op;
}

unsigned cti_query_lower_ops(const cti_query *q)
{
    return q ? q->lower_ops : 0;
}

cti_status cti_query_parse(const char *text, cti_analyzer *a, unsigned flags,
                           cti_query **out, cti_query_error *err)
{
    parser p = { 0 };
    cti_query *q = NULL;
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    if (!text || !a)
        return CTI_EINVAL;
    p.s = text;
    p.len = strlen(text);
    p.a = a;
    p.flags = flags;
    p.err = err;
    p.st = CTI_OK;
    size_t i = 0, sp;
    while (i < p.len && (sp = space_len(text, i, p.len)))
        i += sp;
    if (i == p.len) {
        syntax(&p, 0, "empty query");
        return p.st;
    }
    qnode *root;
    if (flags & CTI_QUERY_ANY) {
        root = parse_any(&p);
    } else {
        lex_all(&p);
        if (p.st != CTI_OK)
            goto done;
        note_lower_ops(&p);
        root = parse_or(&p, flags & CTI_QUERY_PAGE ? F_PAGE : F_ANY);
        if (p.st == CTI_OK && peek(&p)->type != L_END) {
            const lexeme *l = peek(&p);
            if (l->type == L_RP)
                syntax(&p, l->at, "unmatched ')'");
            else
                syntax(&p, l->at, "unexpected '%.*s'", (int)(l->end - l->at),
                       text + l->at);
        }
        if (p.st != CTI_OK) {
            node_free(root);
            goto done;
        }
    }
    if (p.st != CTI_OK)
        goto done;
    if (!root) {
        syntax(&p, i, "no words to search for");
        goto done;
    }
    q = calloc(1, sizeof *q);
    if (!q) {
        node_free(root);
        p.st = CTI_ENOMEM;
        goto done;
    }
    q->root = root;
    q->flags = flags;
    q->lower_ops = p.lower_ops;
    q->english = !strcmp(cti_analyzer_language(a), "english");
    *out = q;
done:
    free(p.lx);
    return p.st;
}

/* ---------------------------------------------------------------- */
/* Describe                                                         */
/* ---------------------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int nomem;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->nomem)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *x = realloc(b->s, cap);
        if (!x) {
            b->nomem = 1;
            return;
        }
        b->s = x;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void describe(sbuf *b, const qnode *n)
{
    static const char *const names[] = {
        [K_AND] = "AND", [K_OR] = "OR", [K_NOT] = "NOT", [K_NEG] = "NEG",
        [K_NEAR] = "NEAR", [K_ANY] = "ANY"
    };
    if (n->field != F_ANY && (n->kind == K_WORD || n->kind == K_PHRASE ||
                              n->kind == K_PREFIX)) {
        sb_str(b, field_name[n->field]);
        sb_str(b, ":");
    }
    switch (n->kind) {
    case K_WORD:
        sb_str(b, n->stems[0]);
        if (n->wqf > 1) {
            char k[16];
            snprintf(k, sizeof k, "^%u", n->wqf);
            sb_str(b, k);
        }
        return;
    case K_PREFIX:
        sb_str(b, n->stems[0]);
        sb_str(b, "*");
        return;
    case K_PHRASE:
        sb_str(b, "\"");
        for (size_t i = 0; i < n->nstems; i++) {
            if (i)
                sb_str(b, " ");
            sb_str(b, n->stems[i]);
        }
        sb_str(b, "\"");
        return;
    case K_ALL:
        sb_str(b, "ALL");
        return;
    case K_DATE:
        if (n->dterm[0]) {
            sb_str(b, "date:");
            sb_str(b, n->dterm);
        } else {
            sb_str(b, "date:");
            sb_str(b, n->lo);
            sb_str(b, "..");
            sb_str(b, n->hi);
        }
        return;
    default:
        break;
    }
    char w[32];
    sb_str(b, "(");
    sb_str(b, names[n->kind]);
    if (n->kind == K_NEAR) {
        snprintf(w, sizeof w, "/%u", n->window);
        sb_str(b, w);
    }
    for (size_t i = 0; i < n->nkids; i++) {
        sb_str(b, " ");
        describe(b, n->kids[i]);
    }
    sb_str(b, ")");
}

char *cti_query_describe(const cti_query *q)
{
    sbuf b = { 0 };
    if (q && q->root)
        describe(&b, q->root);
    else
        sb_str(&b, "");
    if (b.nomem) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static int node_uses_date(const qnode *n)
{
    if (n->kind == K_DATE)
        return 1;
    for (size_t i = 0; i < n->nkids; i++)
        if (node_uses_date(n->kids[i]))
            return 1;
    return 0;
}

int cti_query_uses_date(const cti_query *q)
{
    return q && q->root && node_uses_date(q->root);
}

/* ---------------------------------------------------------------- */
/* Xapian query                                                     */
/* ---------------------------------------------------------------- */

void cti_rank_opts_default(cti_rank_opts *o)
{
    o->title_weight = 0.25;
    o->prox_weight = 0.25;
    o->prox_window = 4;
    o->phrase_weight = 1;
    o->coord_weight = 0.25;
}

/* Most terms a prefix (word*) may expand to. */
#define PREFIX_MAX_TERMS 20000

typedef struct xb {
    const cti_rank_opts *o;
    cti_status st;
    int english;   /* function words are known (cti_query_is_stopword) */
    /* Inside a phrase or NEAR group searched with page: Xapian 1.4 takes
       only terms there, so the group is built twice, once with page:
       words as the article's ("") and once as the words set aside
       (CTI_PREFIX_PAGE), and the two are OR-ed.  NULL elsewhere. */
    const char *pagepre;
} xb;

/* A term query for prefix+stem; NULL with x->st set on failure. */
static cti_xq *xterm(xb *x, const char *prefix, const char *stem, uint32_t pos)
{
    char buf[CTI_MAX_TOKEN * 4 + 16];
    int n = snprintf(buf, sizeof buf, "%s%s", prefix, stem);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    cti_xq *q = NULL;
    cti_status st = cti_xq_term(buf, (size_t)n, 1, pos, &q);
    if (st != CTI_OK && x->st == CTI_OK)
        x->st = st;
    return q;
}

/* Combine and free subs[0..n) (NULL entries make it fail). */
static cti_xq *xcombine(xb *x, cti_xq_op op, cti_xq **subs, size_t n,
                        uint32_t window)
{
    cti_xq *q = NULL;
    int ok = x->st == CTI_OK;
    for (size_t i = 0; i < n; i++)
        if (!subs[i])
            ok = 0;
    if (ok) {
        cti_status st = cti_xq_combine(op, subs, n, window, &q);
        if (st != CTI_OK)
            x->st = st;
    } else if (x->st == CTI_OK) {
        x->st = CTI_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        cti_xq_free(subs[i]);
    return q;
}

/* Scale and free q. */
static cti_xq *xscale(xb *x, cti_xq *q, double f)
{
    if (!q)
        return NULL;
    cti_xq *r = NULL;
    cti_status st = cti_xq_scale(q, f, &r);
    cti_xq_free(q);
    if (st != CTI_OK && x->st == CTI_OK)
        x->st = st;
    return r;
}

/*
 * The term of 'stem' in 'field': prefix+stem, or for page: the stem as
 * the article's word OR as a word set aside, weighted as one term.
 */
static cti_xq *xfield(xb *x, int field, const char *stem, uint32_t pos)
{
    if (field != F_PAGE)
        return xterm(x, field_prefix[field], stem, pos);
    if (x->pagepre)
        return xterm(x, x->pagepre, stem, pos);
    cti_xq *pair[2] = { xterm(x, "", stem, pos),
                        xterm(x, CTI_PREFIX_PAGE, stem, pos) };
    return xcombine(x, CTI_XQ_SYNONYM, pair, 2, 0);
}

/* Build 'fn(x, n, field)' once with page: words as the article's and once
   as the words set aside, OR-ed (see xb.pagepre). */
static cti_xq *both_pages(xb *x, const qnode *n, int field,
                          cti_xq *(*fn)(xb *, const qnode *, int))
{
    cti_xq *pair[2];
    x->pagepre = "";
    pair[0] = fn(x, n, field);
    x->pagepre = CTI_PREFIX_PAGE;
    pair[1] = fn(x, n, field);
    x->pagepre = NULL;
    return xcombine(x, CTI_XQ_OR, pair, 2, 0);
}

static cti_xq *xphrase(xb *x, int field, const qnode *n);

static cti_xq *xphrase_fn(xb *x, const qnode *n, int field)
{
    return xphrase(x, field, n);
}

static cti_xq *xphrase(xb *x, int field, const qnode *n)
{
    if (field == F_PAGE && !x->pagepre)
        return both_pages(x, n, field, xphrase_fn);
    cti_xq **subs = calloc(n->nstems, sizeof *subs);
    if (!subs) {
        x->st = CTI_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n->nstems; i++)
        subs[i] = xfield(x, field, n->stems[i], (uint32_t)i + 1);
    /* window 0: exact; a boost phrase without its function words (see
       add_run()) spans the run it was typed as. */
    cti_xq *q = xcombine(x, CTI_XQ_PHRASE, subs, n->nstems, n->window);
    free(subs);
    return q;
}

static cti_xq *xprefix1(xb *x, const char *prefix, const char *stem)
{
    char buf[CTI_MAX_TOKEN * 4 + 16];
    int n = snprintf(buf, sizeof buf, "%s%s", prefix, stem);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    cti_xq *q = NULL;
    cti_status st = cti_xq_wildcard(buf, (size_t)n, PREFIX_MAX_TERMS,
                                    CTI_XQ_SYNONYM, &q);
    if (st != CTI_OK && x->st == CTI_OK)
        x->st = st;
    return q;
}

/* Every term of 'field' starting with 'stem' (page: both kinds). */
static cti_xq *xprefix(xb *x, int field, const char *stem)
{
    if (field != F_PAGE)
        return xprefix1(x, field_prefix[field], stem);
    if (x->pagepre)
        return xprefix1(x, x->pagepre, stem);
    cti_xq *pair[2] = { xprefix1(x, "", stem),
                        xprefix1(x, CTI_PREFIX_PAGE, stem) };
    return xcombine(x, CTI_XQ_SYNONYM, pair, 2, 0);
}

/* A word, phrase or prefix; bare ones also weigh their title matches.
   'own': what a word's own term weighs (1 but through xleaf()'s 'add'). */
static cti_xq *xleaf1(xb *x, const qnode *n, int title_boost, double own)
{
    cti_xq *q = NULL, *t = NULL;
    switch (n->kind) {
    case K_WORD:
        q = xfield(x, n->field, n->stems[0], 0);
        if (own != 1)
            q = xscale(x, q, own);
        if (title_boost)
            t = xterm(x, CTI_PREFIX_TITLE, n->stems[0], 0);
        break;
    case K_PHRASE:
        q = xphrase(x, n->field, n);
        if (title_boost)
            t = xphrase(x, F_TITLE, n);
        break;
    case K_PREFIX:
        return xprefix(x, n->field, n->stems[0]);
    default:
        return NULL;
    }
    if (!title_boost)
        return q;
    /* Title words are indexed unprefixed too: AND_MAYBE matches the same
       documents as OR and only looks at the title term where q matched. */
    cti_xq *subs[2] = { q, xscale(x, t, x->o->title_weight) };
    return xcombine(x, CTI_XQ_AND_MAYBE, subs, 2, 0);
}

/*
 * A leaf, weighted by how many times it was said: a word said twice in a
 * question counts twice (BM25's query term frequency, taken linearly as
 * Okapi's long-query setting, k3 -> infinity, does).  'add': what a word's
 * boosts add to its own term's weight, once (0 but in
 * with_boosts_present()).
 */
static cti_xq *xleaf(xb *x, const qnode *n, int title_boost, double add)
{
    double said = n->wqf > 1 ? n->wqf : 1;
    cti_xq *q = xleaf1(x, n, title_boost, 1 + add / said);
    return said > 1 ? xscale(x, q, said) : q;
}

/*
 * Bare words weigh more in the title.  Phrases do not get the boost: the
 * positional check of a title phrase costs as much as the phrase itself
 * (measured: 4 ms -> 15 ms on "state of the union", 200 MB index).
 */
static int boosts_title(const xb *x, const qnode *n)
{
    return n->field == F_ANY && x->o->title_weight > 0 && n->kind == K_WORD;
}

/*
 * Proximity: for each pair of consecutive bare words among kids (function
 * words, which are everywhere, skipped), a NEAR of the two scaled by
 * prox_weight, OR-ed together; NULL when none.  Words typed one after
 * another are left to their run's phrase (and_runs()): a second look at
 * the same positions would double the cost of the query.  add[i]: what
 * the NEARs holding kid i add to its weight when they hold (prox_weight
 * for each).
 */
static cti_xq *xproximity(xb *x, qnode *const *kids, size_t n, double *add)
{
    if (x->o->prox_weight <= 0 || n < 2)
        return NULL;
    cti_xq **subs = calloc(n, sizeof *subs);
    size_t ns = 0, ia = 0;
    const qnode *a = NULL;
    if (!subs) {
        x->st = CTI_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const qnode *b = kids[i];
        if (b->kind != K_WORD || b->field != F_ANY) {
            a = NULL;
            continue;
        }
        if (x->english && cti_query_is_stopword(b->folded))
            continue;
        if (!a || !strcmp(a->stems[0], b->stems[0]) ||
            (a->run && a->run == b->run)) {
            a = b;
            ia = i;
            continue;
        }
        cti_xq *pair[2] = { xterm(x, "", a->stems[0], 1),
                            xterm(x, "", b->stems[0], 2) };
        add[ia] += x->o->prox_weight;
        add[i] += x->o->prox_weight;
        a = b;
        ia = i;
        cti_xq *near = xcombine(x, CTI_XQ_NEAR, pair, 2, x->o->prox_window);
        subs[ns++] = xscale(x, near, x->o->prox_weight);
    }
    cti_xq *q = NULL;
    if (ns == 1) {
        q = subs[0];
    } else if (ns > 1) {
        q = xcombine(x, CTI_XQ_OR, subs, ns, 0);
    }
    free(subs);
    return q;
}

static cti_xq *xnode(xb *x, const qnode *n);

/*
 * Coordination (--any): every word of n together, an AND of its kids'
 * terms; NULL when it has fewer than two words or the weight is 0.
 */
static cti_xq *xcoordination(xb *x, const qnode *n)
{
    if (x->o->coord_weight <= 0 || n->nkids < 2)
        return NULL;
    cti_xq **subs = calloc(n->nkids, sizeof *subs);
    if (!subs) {
        x->st = CTI_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n->nkids; i++)
        subs[i] = xterm(x, "", n->kids[i]->stems[0], 0);
    cti_xq *q = xcombine(x, CTI_XQ_AND, subs, n->nkids, 0);
    free(subs);
    return q;
}

/*
 * q with the weight of 'boost' (scaled by f) added where boost matches;
 * frees both; q alone when boost is NULL.  'subset': boost matches only
 * articles q matches (the words of an --any question are OR-ed), so OR
 * gives the same matches and weights as AND_MAYBE, and is much faster for
 * a phrase, whose positions Xapian would otherwise test at every article
 * of q (measured: 1.8 ms against 226 ms on the 200 MB corpus).
 */
static cti_xq *xboost(xb *x, cti_xq *q, cti_xq *boost, double f, int subset)
{
    if (!boost || !q) {
        cti_xq_free(boost);
        return q;
    }
    if (f != 1)
        boost = xscale(x, boost, f);
    cti_xq *pair[2] = { q, boost };
    return xcombine(x, subset ? CTI_XQ_OR : CTI_XQ_AND_MAYBE, pair, 2, 0);
}

/*
 * q, the AND of n's kids with the boosts xkids() gave it, with its form
 * that counts every boost as present (cti_xq_with_unchecked()) as the AND
 * of the kids, each word weighted up by what its boosts add (add[i]): a
 * phrase or NEAR holding in a document adds its words' weights there,
 * times the boost's factor, and every match of the AND holds every word.
 * The boosts' places are words of the AND (and_runs(), xproximity()), so
 * this is their weight, with their words' postings read once.  Frees q.
 */
static cti_xq *with_boosts_present(xb *x, cti_xq *q, const qnode *n,
                                   const double *add)
{
    cti_xq **subs = calloc(n->nkids, sizeof *subs), *hi = NULL, *r = NULL;
    if (!subs) {
        x->st = CTI_ENOMEM;
        cti_xq_free(q);
        return NULL;
    }
    for (size_t i = 0; i < n->nkids; i++) {
        const qnode *k = n->kids[i];
        subs[i] = add[i] > 0 ? xleaf(x, k, boosts_title(x, k), add[i]) : xnode(x, k);
    }
    hi = xcombine(x, CTI_XQ_AND, subs, n->nkids, 0);
    free(subs);
    if (q && hi) {
        cti_status st = cti_xq_with_unchecked(q, hi, &r);
        if (st != CTI_OK && x->st == CTI_OK)
            x->st = st;
    }
    cti_xq_free(q);
    cti_xq_free(hi);
    return r;
}

/* Combine n's kids with op, and the boosts of AND and --any: words near
   each other (AND), every word (--any), words as typed (both). */
static cti_xq *xkids(xb *x, const qnode *n, cti_xq_op op)
{
    cti_xq **subs = calloc(n->nkids ? n->nkids : 1, sizeof *subs);
    double *add = calloc(n->nkids ? n->nkids : 1, sizeof *add);
    if (!subs || !add) {
        free(subs);
        free(add);
        x->st = CTI_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n->nkids; i++)
        subs[i] = xnode(x, n->kids[i]);
    cti_xq *q = xcombine(x, op, subs, n->nkids, 0);
    free(subs);
    int any = n->kind == K_ANY, boosted = 0;
    if (n->kind == K_AND) {
        cti_xq *near = xproximity(x, n->kids, n->nkids, add);
        boosted = near != NULL;
        q = xboost(x, q, near, 1, 0);
    }
    if (any)
        q = xboost(x, q, xcoordination(x, n), x->o->coord_weight, 1);
    if (n->boost && x->o->phrase_weight > 0) {
        q = xboost(x, q, xnode(x, n->boost), x->o->phrase_weight, any);
        for (size_t i = 0; !any && i < n->nkids; i++)
            if (n->kids[i]->phrased) {
                add[i] += x->o->phrase_weight;
                boosted = 1;
            }
    }
    if (boosted && n->kind == K_AND)
        q = with_boosts_present(x, q, n, add);
    free(add);
    return q;
}

/*
 * NEAR: every stem of the group in one OP_NEAR (Xapian only takes leaf
 * subqueries there), filtered by each phrase of the group.  The window
 * is the span of positions: n words between plus the words themselves.
 */
static cti_xq *xnear(xb *x, const qnode *n);

static cti_xq *xnear_fn(xb *x, const qnode *n, int field)
{
    (void)field;
    return xnear(x, n);
}

static int near_uses_page(const qnode *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        if ((n->kids[i]->field ? n->kids[i]->field : n->field) == F_PAGE)
            return 1;
    return 0;
}

static cti_xq *xnear(xb *x, const qnode *n)
{
    if (!x->pagepre && near_uses_page(n))
        return both_pages(x, n, F_PAGE, xnear_fn);
    size_t nterms = 0, nphr = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        nterms += n->kids[i]->kind == K_PHRASE ? n->kids[i]->nstems : 1;
        nphr += n->kids[i]->kind == K_PHRASE;
    }
    cti_xq **subs = calloc(nterms, sizeof *subs);
    cti_xq **phr = calloc(nphr + 1, sizeof *phr);
    if (!subs || !phr) {
        free(subs);
        free(phr);
        x->st = CTI_ENOMEM;
        return NULL;
    }
    size_t k = 0, np = 1;
    for (size_t i = 0; i < n->nkids; i++) {
        const qnode *c = n->kids[i];
        int cf = c->field ? c->field : n->field;
        if (c->kind == K_PHRASE) {
            for (size_t j = 0; j < c->nstems; j++, k++)
                subs[k] = xfield(x, cf, c->stems[j], (uint32_t)k + 1);
            phr[np++] = xphrase(x, cf, c);
        } else if (c->kind == K_PREFIX) {
            subs[k++] = xprefix(x, cf, c->stems[0]);
        } else {
            subs[k] = xfield(x, cf, c->stems[0], (uint32_t)k + 1);
            k++;
        }
    }
    phr[0] = xcombine(x, CTI_XQ_NEAR, subs, nterms,
                      (uint32_t)(n->window + nterms));
    cti_xq *q = nphr ? xcombine(x, CTI_XQ_FILTER, phr, np, 0) : phr[0];
    free(subs);
    free(phr);
    return q;
}

static cti_xq *xnode(xb *x, const qnode *n)
{
    cti_xq *q = NULL;
    cti_status st = CTI_OK;
    if (x->st != CTI_OK)
        return NULL;
    switch (n->kind) {
    case K_WORD:
    case K_PHRASE:
    case K_PREFIX:
        return xleaf(x, n, boosts_title(x, n), 0);
    case K_AND:
        return xkids(x, n, CTI_XQ_AND);
    case K_OR:
    case K_ANY:
        return xkids(x, n, CTI_XQ_OR);
    case K_NOT:
        return xkids(x, n, CTI_XQ_AND_NOT);
    case K_NEAR:
        return xnear(x, n);
    case K_ALL:
        st = cti_xq_match_all(&q);
        break;
    case K_DATE:
        if (n->dterm[0])
            return xscale(x, xterm(x, "", n->dterm, 0), 0);
        st = cti_xq_value_range(CTI_SLOT_DATE, n->lo[0] ? n->lo : NULL,
                                n->hi[0] ? n->hi : NULL, &q);
        break;
    default:
        st = CTI_EINVAL;
        break;
    }
    if (st != CTI_OK)
        x->st = st;
    return q;
}

cti_status cti_query_to_xq(const cti_query *q, const cti_rank_opts *opts,
                           cti_xq **out)
{
    cti_rank_opts def;
    *out = NULL;
    if (!q || !q->root)
        return CTI_EINVAL;
    if (!opts) {
        cti_rank_opts_default(&def);
        opts = &def;
    }
    xb x = { opts, CTI_OK, q->english, NULL };
    cti_xq *r = xnode(&x, q->root);
    if (x.st != CTI_OK) {
        cti_xq_free(r);
        return x.st;
    }
    if (!r)
        return CTI_ENOMEM;
    *out = r;
    return CTI_OK;
}

/* ---------------------------------------------------------------- */
/* Highlights                                                       */
/* ---------------------------------------------------------------- */

typedef struct hb {
    cti_hl_spec *spec;
    const cti_mset *m;
    uint32_t doccount;
    int nomem;
} hb;

static double idf(const hb *h, const char *prefix, const char *stem)
{
    if (!h->m || h->doccount == 0)
        return 1.0;
    char buf[CTI_MAX_TOKEN * 4 + 16];
    int n = snprintf(buf, sizeof buf, "%s%s", prefix, stem);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    uint32_t tf = cti_mset_termfreq(h->m, buf, (size_t)n);
    if (tf == 0)
        tf = 1;
    double w = log(1.0 + (double)h->doccount / (double)tf);
    return w > 0.01 ? w : 0.01;
}

static int hl_field(int field)
{
    return field == F_ANY || field == F_PAGE ? CTI_HL_ANY
           : field == F_TITLE                ? CTI_HL_TITLE
                                             : CTI_HL_META;
}

/* Fill item 'it' from a word, phrase or prefix node; returns its weight. */
static double hl_item(hb *h, cti_hl_item *it, const qnode *n, int field)
{
    double w = 0;
    it->prefix = n->kind == K_PREFIX;
    it->stems = calloc(n->nstems, sizeof *it->stems);
    if (!it->stems) {
        h->nomem = 1;
        return 0;
    }
    for (size_t i = 0; i < n->nstems; i++) {
        it->stems[i] = dupn(n->stems[i], strlen(n->stems[i]));
        if (!it->stems[i]) {
            h->nomem = 1;
            return 0;
        }
        it->nstems++;
        w += it->prefix ? 1.0 : idf(h, field_prefix[field], n->stems[i]);
    }
    return w;
}

static cti_hl_group *hl_group(hb *h)
{
    cti_hl_spec *s = h->spec;
    cti_hl_group *g = realloc(s->groups, (s->ngroups + 1) * sizeof *g);
    if (!g) {
        h->nomem = 1;
        return NULL;
    }
    s->groups = g;
    g = &s->groups[s->ngroups++];
    memset(g, 0, sizeof *g);
    return g;
}

static void hl_walk(hb *h, const qnode *n)
{
    if (h->nomem)
        return;
    switch (n->kind) {
    case K_WORD:
    case K_PHRASE:
    case K_PREFIX: {
        cti_hl_group *g = hl_group(h);
        if (!g)
            return;
        g->kind = n->kind == K_PHRASE ? CTI_HL_PHRASE : CTI_HL_WORD;
        g->field = hl_field(n->field);
        g->items = calloc(1, sizeof *g->items);
        if (!g->items) {
            h->nomem = 1;
            return;
        }
        g->nitems = 1;
        g->weight = hl_item(h, &g->items[0], n, n->field);
        return;
    }
    case K_NEAR: {
        cti_hl_group *g = hl_group(h);
        if (!g)
            return;
        g->kind = CTI_HL_NEAR;
        g->field = hl_field(n->field);
        g->window = n->window;
        g->items = calloc(n->nkids, sizeof *g->items);
        if (!g->items) {
            h->nomem = 1;
            return;
        }
        g->nitems = n->nkids;
        for (size_t i = 0; i < n->nkids; i++)
            g->weight += hl_item(h, &g->items[i], n->kids[i], n->field);
        return;
    }
    case K_NOT:
        if (n->nkids)
            hl_walk(h, n->kids[0]); /* never what is excluded */
        return;
    case K_AND:
    case K_OR:
    case K_ANY:
        for (size_t i = 0; i < n->nkids; i++)
            hl_walk(h, n->kids[i]);
        return;
    default:
        return;
    }
}

cti_status cti_query_highlights(const cti_query *q, const cti_mset *m,
                                uint32_t doccount, cti_hl_spec **out)
{
    *out = NULL;
    hb h = { calloc(1, sizeof(cti_hl_spec)), m, doccount, 0 };
    if (!h.spec)
        return CTI_ENOMEM;
    if (q && q->root)
        hl_walk(&h, q->root);
    if (h.nomem) {
        cti_hl_spec_free(h.spec);
        return CTI_ENOMEM;
    }
    *out = h.spec;
    return CTI_OK;
}

/* ---------------------------------------------------------------- */
/* Words (did you mean)                                             */
/* ---------------------------------------------------------------- */

static int words_walk(const qnode *n, cti_query_word_fn fn, void *ctx)
{
    char buf[CTI_MAX_TOKEN * 4 + 16];
    switch (n->kind) {
    case K_WORD:
        snprintf(buf, sizeof buf, "%s%s", field_prefix[n->field], n->stems[0]);
        return fn(ctx, n->start, n->end, n->folded, buf);
    case K_PHRASE:
        for (size_t i = 0; n->words && i < n->nstems; i++) {
            snprintf(buf, sizeof buf, "%s%s", field_prefix[n->field], n->stems[i]);
            int r = fn(ctx, n->words[i].start, n->words[i].end,
                       n->words[i].folded, buf);
            if (r)
                return r;
        }
        return 0;
    case K_NOT:
        return n->nkids ? words_walk(n->kids[0], fn, ctx) : 0;
    case K_AND:
    case K_OR:
    case K_ANY:
    case K_NEAR:
        for (size_t i = 0; i < n->nkids; i++) {
            int r = words_walk(n->kids[i], fn, ctx);
            if (r)
                return r;
        }
        return 0;
    default:
        return 0;
    }
}

/* Does a word that can make a document match (not under NOT) use page:? */
static int page_walk(const qnode *n)
{
    switch (n->kind) {
    case K_WORD:
    case K_PHRASE:
    case K_PREFIX:
        return n->field == F_PAGE;
    case K_NOT:
        return n->nkids ? page_walk(n->kids[0]) : 0;
    case K_AND:
    case K_OR:
    case K_ANY:
    case K_NEAR:
        for (size_t i = 0; i < n->nkids; i++)
            if (page_walk(n->kids[i]) ||
                (n->kind == K_NEAR && n->field == F_PAGE))
                return 1;
        return 0;
    default:
        return 0;
    }
}

int cti_query_uses_page(const cti_query *q)
{
    return q && q->root && page_walk(q->root);
}

int cti_query_words(const cti_query *q, cti_query_word_fn fn, void *ctx)
{
    if (!q || !q->root)
        return 0;
    return words_walk(q->root, fn, ctx);
}
