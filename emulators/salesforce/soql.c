/*
 * soql.c: the Salesforce emulator's SOQL engine (see soql.h).
 *
 * A query goes through four steps. The lexer cuts the text into tokens;
 * the parser builds a small tree (SELECT items, a WHERE tree, ORDER BY
 * keys) holding names as written; the resolver checks every name and
 * literal against the caller's catalog, replacing names by canonical ones
 * and normalising literals (ids to 18 characters, datetimes to epoch ms)
 * once; the executor then filters, sorts and pages the caller's records,
 * and the projector shapes one record as the REST query answer does.
 *
 * A parsed query is never modified afterwards, so one query may be run
 * from several threads at once. Matching allocates nothing per record.
 * Called by the Salesforce emulator's query, queryAll, composite and
 * validation-rule code.
 */
#include "emulators/salesforce/soql.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/salesforce/ids.h"

#define SOQL_MAX_HOPS 5      /* parent relationship levels in one path */
#define SOQL_MAX_TARGETS 16  /* objects a polymorphic path may reach */
#define SOQL_MAX_DEPTH 64    /* nesting of parentheses and NOTs */
#define SOQL_OFFSET_MAX 2000 /* Salesforce's largest OFFSET */
#define SOQL_FIELDS_LIMIT 200
#define DAY_MS ((int64_t)86400000)

/* ---------------------------------------------------------------- characters */

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_upper(c) || is_lower(c) || is_digit(c);
}

static char to_lower(char c)
{
    return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* A stored id in canonical form; ids that are not well formed are copied as they are. */
static void stored_id(const char *s, size_t len, char out[IDS_LEN + 1])
{
    if (ids_canonical(s, out) == 0)
        return;
    if (len > 18)
        len = 18;
    memcpy(out, s, len);
    out[len] = '\0';
}

/* ---------------------------------------------------------------- tree */

enum tok_kind {
    T_EOF,
    T_IDENT,
    T_STRING,
    T_NUMBER,
    T_DATE,
    T_DATETIME,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_COLON,
    T_OP
};

enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct tok {
    enum tok_kind kind;
    enum cmp_op op;
    size_t pos, len;
};

/* One parent hop of a path: for each object the path may be on here, its reference field. */
struct link {
    char object[SOQL_NAME_MAX];
    char field[SOQL_NAME_MAX];
};

struct hop {
    char rel[SOQL_NAME_MAX]; /* the relationship's name in output ("Owner", "Foo__r") */
    int poly;                /* polymorphic: it reaches Salesforce's Name entity */
    struct link *links;
    size_t nlinks;
};

/* The path's last field on each object the path may end on. */
struct final {
    char object[SOQL_NAME_MAX];
    struct soql_field_info info;
    json_t *constant; /* Name.Type: the row's object name, the same for every row */
};

struct path {
    char *text; /* as written */
    size_t pos;
    struct hop *hops;
    size_t nhops;
    struct final *finals;
    size_t nfinals;
};

enum lit_kind { L_NULL, L_STRING, L_NUMBER, L_BOOL, L_DATE, L_DATETIME, L_RELDATE };

enum reldate {
    R_TODAY,
    R_YESTERDAY,
    R_TOMORROW,
    R_LAST_N_DAYS,
    R_NEXT_N_DAYS,
    R_N_DAYS_AGO,
    R_LAST_90_DAYS,
    R_NEXT_90_DAYS,
    R_THIS_WEEK,
    R_LAST_WEEK,
    R_NEXT_WEEK,
    R_THIS_MONTH,
    R_LAST_MONTH,
    R_NEXT_MONTH,
    R_THIS_YEAR,
    R_LAST_YEAR,
    R_NEXT_YEAR
};

struct lit {
    enum lit_kind kind;
    size_t pos, len; /* the token, for messages */
    char *s;         /* decoded string; for LIKE the pattern (see like_match) */
    size_t slen;
    char id[19]; /* for id fields: the 18-character form */
    double num;
    int b;
    int64_t ms; /* date (midnight UTC) or datetime */
    enum reldate rel;
    long n;
};

enum node_kind { N_AND, N_OR, N_NOT, N_CMP, N_IN, N_NOT_IN, N_LIKE, N_INCLUDES, N_EXCLUDES };

struct node {
    enum node_kind kind;
    size_t pos; /* the operator, for messages */
    struct node **kids;
    size_t nkids;
    struct path path;
    enum cmp_op op;
    struct lit *lits;
    size_t nlits;
};

enum item_kind { I_FIELD, I_SUB, I_COUNT, I_FIELDS };
enum fields_mode { F_ALL, F_STANDARD, F_CUSTOM };

struct item {
    enum item_kind kind;
    size_t pos;
    struct path path;
    struct soql_query *sub;
    enum fields_mode mode;
    int from_fields; /* expanded from FIELDS(...) */
};

struct order {
    struct path path;
    int desc;
    int nulls_last;
};

struct soql_query {
    char object[SOQL_NAME_MAX];
    char *from_text;
    size_t from_pos;
    struct item *items;
    size_t nitems, items_cap;
    struct node *where;
    struct order *orders;
    size_t norders, orders_cap;
    long limit; /* -1: none */
    long offset;
    size_t limit_pos;
    int is_count;
    int fields_unbounded; /* FIELDS(ALL) or FIELDS(CUSTOM): needs LIMIT <= 200 */
    size_t fields_pos;
    char rel[SOQL_NAME_MAX];  /* child subquery: the relationship as written */
    char link[SOQL_NAME_MAX]; /* child subquery: the child's reference to the parent */
};

/* ---------------------------------------------------------------- freeing */

static void path_free(struct path *pa)
{
    size_t i;

    for (i = 0; i < pa->nhops; i++)
        free(pa->hops[i].links);
    for (i = 0; i < pa->nfinals; i++)
        json_decref(pa->finals[i].constant);
    free(pa->hops);
    free(pa->finals);
    free(pa->text);
    memset(pa, 0, sizeof(*pa));
}

static void node_free(struct node *n)
{
    size_t i;

    if (!n)
        return;
    for (i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    for (i = 0; i < n->nlits; i++)
        free(n->lits[i].s);
    free(n->lits);
    path_free(&n->path);
    free(n);
}

void soql_query_free(struct soql_query *q)
{
    size_t i;

    if (!q)
        return;
    for (i = 0; i < q->nitems; i++) {
        path_free(&q->items[i].path);
        soql_query_free(q->items[i].sub);
    }
    free(q->items);
    node_free(q->where);
    for (i = 0; i < q->norders; i++)
        path_free(&q->orders[i].path);
    free(q->orders);
    free(q->from_text);
    free(q);
}

static struct soql_query *query_new(void)
{
    struct soql_query *q = calloc(1, sizeof(*q));

    if (q)
        q->limit = -1;
    return q;
}

/* Makes room for one more element in *arr (of *cap elements of size sz); 0 on success. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
    size_t ncap;
    void *p;

    if (n < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 8;
    p = realloc(*arr, ncap * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* ---------------------------------------------------------------- errors */

struct parser {
    const char *text;
    size_t len;
    struct tok *toks;
    size_t ntoks, toks_cap, i;
    const struct soql_catalog *cat;
    struct sync_err *err;
    int depth;
};

/* A 400 error in Salesforce's form: the query line, a caret under pos, the row and column,
 * then the message. Long lines are cut to a window around pos. */
static enum sync_rc fail_at(const struct parser *p, size_t pos, const char *code, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));

static enum sync_rc fail_at(const struct parser *p, size_t pos, const char *code, const char *fmt,
                            ...)
{
    char msg[512];
    size_t ls = 0, le, ws, we, i;
    int row = 1;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (pos > p->len)
        pos = p->len;
    for (i = 0; i < pos; i++)
        if (p->text[i] == '\n') {
            row++;
            ls = i + 1;
        }
    le = pos;
    while (le < p->len && p->text[le] != '\n')
        le++;
    ws = ls;
    we = le;
    if (we - ws > 240) {
        ws = pos > ls + 120 ? pos - 120 : ls;
        we = ws + 240 < le ? ws + 240 : le;
    }
    return sync_err_vendor(p->err, 400, code, "\n%.*s\n%*s^\nERROR at Row:%d:Column:%zu\n%s",
                           (int)(we - ws), p->text + ws, (int)(pos - ws), "", row, pos - ls + 1,
                           msg);
}

static enum sync_rc fail_nomem(const struct parser *p)
{
    return sync_err_set(p->err, SYNC_ERR_NOMEM, "out of memory parsing SOQL");
}

static enum sync_rc unexpected(const struct parser *p, const struct tok *t)
{
    if (t->kind == T_EOF)
        return fail_at(p, t->pos, "MALFORMED_QUERY", "unexpected token: '<EOF>'");
    return fail_at(p, t->pos, "MALFORMED_QUERY", "unexpected token: '%.*s'",
                   (int)(t->len > 100 ? 100 : t->len), p->text + t->pos);
}

/* ---------------------------------------------------------------- lexer */

static int is_ident_start(char c)
{
    return is_upper(c) || is_lower(c) || c == '_';
}

static int is_ident_char(char c)
{
    return is_alnum(c) || c == '_';
}

static int is_datetime_char(char c)
{
    return is_digit(c) || c == '-' || c == ':' || c == '.' || c == '+' || c == 'T' || c == 't' ||
           c == 'Z' || c == 'z';
}

static enum sync_rc push_tok(struct parser *p, enum tok_kind kind, size_t pos, size_t len,
                             enum cmp_op op)
{
    if (grow((void **)&p->toks, &p->toks_cap, p->ntoks, sizeof(*p->toks)))
        return fail_nomem(p);
    p->toks[p->ntoks].kind = kind;
    p->toks[p->ntoks].pos = pos;
    p->toks[p->ntoks].len = len;
    p->toks[p->ntoks].op = op;
    p->ntoks++;
    return SYNC_OK;
}

/* Length of an operator at s, or 0. */
static size_t lex_op(const char *s, enum cmp_op *op)
{
    if (s[0] == '=') {
        *op = OP_EQ;
        return 1;
    }
    if ((s[0] == '!' && s[1] == '=') || (s[0] == '<' && s[1] == '>')) {
        *op = OP_NE;
        return 2;
    }
    if (s[0] == '<' || s[0] == '>') {
        int le = s[1] == '=';
        *op = s[0] == '<' ? (le ? OP_LE : OP_LT) : (le ? OP_GE : OP_GT);
        return le ? 2 : 1;
    }
    return 0;
}

/* A number, a date (YYYY-MM-DD) or a datetime starting at i; returns its end. */
static size_t lex_number(const char *s, size_t i, enum tok_kind *kind)
{
    size_t start = i, digits;

    if (s[i] == '-' || s[i] == '+')
        i++;
    digits = i;
    while (is_digit(s[i]))
        i++;
    if (digits == start && i - digits == 4 && s[i] == '-' && is_digit(s[i + 1])) {
        int has_t = 0;
        while (is_datetime_char(s[i])) {
            has_t |= s[i] == 'T' || s[i] == 't';
            i++;
        }
        *kind = has_t ? T_DATETIME : T_DATE;
        return i;
    }
    if (s[i] == '.' && is_digit(s[i + 1])) {
        i++;
        while (is_digit(s[i]))
            i++;
    }
    *kind = T_NUMBER;
    return i;
}

static enum sync_rc lex(struct parser *p)
{
    const char *s = p->text;
    size_t i = 0;
    enum sync_rc rc;

    while (i < p->len) {
        char c = s[i];
        size_t start = i, n;
        enum cmp_op op = OP_EQ;
        enum tok_kind kind;

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
            continue;
        }
        if (c == '(' || c == ')' || c == ',' || c == ':') {
            kind = c == '(' ? T_LPAREN : c == ')' ? T_RPAREN : c == ',' ? T_COMMA : T_COLON;
            rc = push_tok(p, kind, i, 1, op);
            i++;
        } else if ((n = lex_op(s + i, &op)) > 0) {
            rc = push_tok(p, T_OP, i, n, op);
            i += n;
        } else if (c == '\'') {
            i++;
            while (i < p->len && s[i] != '\'')
                i += (s[i] == '\\' && i + 1 < p->len) ? 2 : 1;
            if (i >= p->len)
                return fail_at(p, start, "MALFORMED_QUERY", "unterminated string literal");
            i++;
            rc = push_tok(p, T_STRING, start, i - start, op);
        } else if (is_digit(c) || ((c == '-' || c == '+') && is_digit(s[i + 1]))) {
            i = lex_number(s, i, &kind);
            if (is_ident_start(s[i]) || s[i] == '.') {
                while (i < p->len && (is_ident_char(s[i]) || s[i] == '.'))
                    i++;
                return fail_at(p, start, "MALFORMED_QUERY", "unexpected token: '%.*s'",
                               (int)(i - start > 100 ? 100 : i - start), s + start);
            }
            rc = push_tok(p, kind, start, i - start, op);
        } else if (is_ident_start(c)) {
            while (is_ident_char(s[i]) || (s[i] == '.' && is_ident_start(s[i + 1])))
                i++;
            rc = push_tok(p, T_IDENT, start, i - start, op);
        } else {
            /* One UTF-8 character in the message. */
            n = 1;
            while (i + n < p->len && ((unsigned char)s[i + n] & 0xC0) == 0x80 && n < 4)
                n++;
            return fail_at(p, start, "MALFORMED_QUERY", "unexpected token: '%.*s'", (int)n,
                           s + start);
        }
        if (rc)
            return rc;
    }
    return push_tok(p, T_EOF, p->len, 0, OP_EQ);
}

/* ---------------------------------------------------------------- parser helpers */

static const struct tok *peek(const struct parser *p)
{
    return &p->toks[p->i];
}

static const struct tok *peek2(const struct parser *p)
{
    return &p->toks[p->i + 1 < p->ntoks ? p->i + 1 : p->ntoks - 1];
}

static const struct tok *advance(struct parser *p)
{
    const struct tok *t = &p->toks[p->i];

    if (t->kind != T_EOF)
        p->i++;
    return t;
}

static int is_kw(const struct parser *p, const struct tok *t, const char *kw)
{
    size_t n = strlen(kw);

    return t->kind == T_IDENT && t->len == n && strncasecmp(p->text + t->pos, kw, n) == 0;
}

static int accept_kw(struct parser *p, const char *kw)
{
    if (!is_kw(p, peek(p), kw))
        return 0;
    advance(p);
    return 1;
}

static enum sync_rc expect_kind(struct parser *p, enum tok_kind kind)
{
    if (peek(p)->kind != kind)
        return unexpected(p, peek(p));
    advance(p);
    return SYNC_OK;
}

static char *tok_dup(const struct parser *p, const struct tok *t)
{
    char *s = malloc(t->len + 1);

    if (s) {
        memcpy(s, p->text + t->pos, t->len);
        s[t->len] = '\0';
    }
    return s;
}

/* Words that end a SELECT list or a clause, never a field name in this grammar. */
static int is_reserved(const struct parser *p, const struct tok *t)
{
    static const char *const words[] = {"SELECT", "FROM", "WHERE",  "ORDER", "LIMIT",  "OFFSET",
                                        "AND",    "OR",   "NOT",    "GROUP", "HAVING", "WITH",
                                        "USING",  "FOR",  "TYPEOF", "BY",    "NULL",   "TRUE",
                                        "FALSE",  "LIKE", "IN",     "NULLS"};
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (is_kw(p, t, words[i]))
            return 1;
    return 0;
}

/* Words that can never name the FROM object ("Group" can). */
static int ends_clause(const struct parser *p, const struct tok *t)
{
    static const char *const words[] = {"SELECT", "FROM", "WHERE", "ORDER", "LIMIT",
                                        "OFFSET", "AND",  "OR",    "NOT"};
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (is_kw(p, t, words[i]))
            return 1;
    return 0;
}

static enum sync_rc parse_path(struct parser *p, struct path *pa)
{
    const struct tok *t = peek(p);

    if (t->kind != T_IDENT || is_reserved(p, t))
        return unexpected(p, t);
    advance(p);
    pa->text = tok_dup(p, t);
    pa->pos = t->pos;
    return pa->text ? SYNC_OK : fail_nomem(p);
}

static long parse_count(struct parser *p, const struct tok *t, enum sync_rc *rc)
{
    char buf[32];
    long v;

    *rc = SYNC_OK;
    if (t->kind != T_NUMBER || t->len >= sizeof(buf) || !is_digit(p->text[t->pos]) ||
        memchr(p->text + t->pos, '.', t->len)) {
        *rc = unexpected(p, t);
        return 0;
    }
    memcpy(buf, p->text + t->pos, t->len);
    buf[t->len] = '\0';
    v = strtol(buf, NULL, 10);
    if (t->len > 9 || v > INT_MAX) {
        *rc = fail_at(p, t->pos, "NUMBER_OUTSIDE_VALID_RANGE", "Number out of range: %s", buf);
        return 0;
    }
    return v;
}

/* ---------------------------------------------------------------- literals */

static size_t utf8_put(char *d, unsigned long cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(const char *s, size_t avail, unsigned long *out)
{
    unsigned long v = 0;
    size_t i;

    if (avail < 4)
        return -1;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        int d = is_digit(c)              ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned long)d;
    }
    *out = v;
    return 0;
}

static enum sync_rc bad_escape(const struct parser *p, const struct tok *t, size_t at)
{
    return fail_at(p, t->pos, "MALFORMED_QUERY",
                   "Invalid string literal '%.*s'. Illegal character sequence '\\%.*s' in string "
                   "literal.",
                   (int)(t->len - 2 > 200 ? 200 : t->len - 2), p->text + t->pos + 1,
                   at + 1 < t->pos + t->len - 1 ? 1 : 0, p->text + at + 1);
}

/* Reads one \u escape (and its low surrogate) at s[i] ('u'); returns the code point. */
static int decode_u(const char *s, size_t n, size_t *i, unsigned long *cp)
{
    unsigned long lo;

    if (hex4(s + *i + 1, n - *i - 1, cp))
        return -1;
    *i += 4;
    if (*cp == 0 || (*cp >= 0xDC00 && *cp <= 0xDFFF))
        return -1;
    if (*cp >= 0xD800 && *cp <= 0xDBFF) {
        if (*i + 2 >= n || s[*i + 1] != '\\' || s[*i + 2] != 'u' ||
            hex4(s + *i + 3, n - *i - 3, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        *i += 6;
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    return 0;
}

/* Decodes a string token. For LIKE (like=1) the result is a pattern: '%' and '_' are wildcards
 * and a backslash makes the next byte literal. */
static enum sync_rc decode_string(const struct parser *p, const struct tok *t, int like,
                                  struct lit *l)
{
    const char *s = p->text + t->pos + 1;
    size_t n = t->len - 2, i, k = 0;
    char *d = malloc(2 * n + 1);

    if (!d)
        return fail_nomem(p);
    for (i = 0; i < n; i++) {
        char c = s[i], e, out;
        unsigned long cp;
        size_t at;

        if (c != '\\') {
            d[k++] = c;
            continue;
        }
        e = s[++i];
        at = t->pos + i; /* the backslash */
        switch (e) {
        case '\'':
        case '"':
        case '\\':
            out = e;
            break;
        case 'n':
        case 'N':
            out = '\n';
            break;
        case 'r':
        case 'R':
            out = '\r';
            break;
        case 't':
        case 'T':
            out = '\t';
            break;
        case 'b':
        case 'B':
            out = '\b';
            break;
        case 'f':
        case 'F':
            out = '\f';
            break;
        case '%':
        case '_':
            if (!like) {
                free(d);
                return bad_escape(p, t, at);
            }
            d[k++] = '\\';
            d[k++] = e;
            continue;
        case 'u':
            if (decode_u(s, n, &i, &cp)) {
                free(d);
                return bad_escape(p, t, at);
            }
            if (like && (cp == '%' || cp == '_' || cp == '\\'))
                d[k++] = '\\';
            k += utf8_put(d + k, cp);
            continue;
        default:
            free(d);
            return bad_escape(p, t, at);
        }
        if (like && out == '\\')
            d[k++] = '\\';
        d[k++] = out;
    }
    d[k] = '\0';
    l->s = d;
    l->slen = k;
    l->kind = L_STRING;
    return SYNC_OK;
}

struct reldate_name {
    const char *name;
    enum reldate rel;
    int takes_n;
};

static const struct reldate_name reldates[] = {
    {"TODAY", R_TODAY, 0},
    {"YESTERDAY", R_YESTERDAY, 0},
    {"TOMORROW", R_TOMORROW, 0},
    {"LAST_N_DAYS", R_LAST_N_DAYS, 1},
    {"NEXT_N_DAYS", R_NEXT_N_DAYS, 1},
    {"N_DAYS_AGO", R_N_DAYS_AGO, 1},
    {"LAST_90_DAYS", R_LAST_90_DAYS, 0},
    {"NEXT_90_DAYS", R_NEXT_90_DAYS, 0},
    {"THIS_WEEK", R_THIS_WEEK, 0},
    {"LAST_WEEK", R_LAST_WEEK, 0},
    {"NEXT_WEEK", R_NEXT_WEEK, 0},
    {"THIS_MONTH", R_THIS_MONTH, 0},
    {"LAST_MONTH", R_LAST_MONTH, 0},
    {"NEXT_MONTH", R_NEXT_MONTH, 0},
    {"THIS_YEAR", R_THIS_YEAR, 0},
    {"LAST_YEAR", R_LAST_YEAR, 0},
    {"NEXT_YEAR", R_NEXT_YEAR, 0},
};

static enum sync_rc parse_reldate(struct parser *p, const struct tok *t, struct lit *l)
{
    size_t i;
    enum sync_rc rc;

    for (i = 0; i < sizeof(reldates) / sizeof(reldates[0]); i++) {
        if (!is_kw(p, t, reldates[i].name))
            continue;
        l->kind = L_RELDATE;
        l->rel = reldates[i].rel;
        if (reldates[i].takes_n) {
            if (peek(p)->kind != T_COLON)
                return unexpected(p, peek(p));
            advance(p);
            l->n = parse_count(p, advance(p), &rc);
            if (rc)
                return rc;
            l->len = p->toks[p->i - 1].pos + p->toks[p->i - 1].len - t->pos;
        }
        return SYNC_OK;
    }
    return unexpected(p, t);
}

/* A datetime literal must carry its zone: Z or an offset after the time. */
static int has_zone(const char *s)
{
    const char *t = strpbrk(s, "Tt");
    size_t n = strlen(s);

    if (!t || n == 0)
        return 0;
    return s[n - 1] == 'Z' || s[n - 1] == 'z' || strpbrk(t, "+-") != NULL;
}

static enum sync_rc parse_literal(struct parser *p, struct lit *l, int like)
{
    const struct tok *t = advance(p);
    char buf[64];

    l->pos = t->pos;
    l->len = t->len;
    switch (t->kind) {
    case T_STRING:
        return decode_string(p, t, like, l);
    case T_NUMBER:
        if (t->len >= sizeof(buf))
            return unexpected(p, t);
        memcpy(buf, p->text + t->pos, t->len);
        buf[t->len] = '\0';
        l->kind = L_NUMBER;
        l->num = strtod(buf, NULL);
        return SYNC_OK;
    case T_DATE:
    case T_DATETIME:
        if (t->len >= sizeof(buf))
            return unexpected(p, t);
        memcpy(buf, p->text + t->pos, t->len);
        buf[t->len] = '\0';
        if (t->kind == T_DATE ? sync_time_parse_date(buf, &l->ms)
                              : (!has_zone(buf) || sync_time_parse(buf, &l->ms)))
            return fail_at(p, t->pos, "MALFORMED_QUERY", "invalid date or dateTime literal: '%s'",
                           buf);
        l->kind = t->kind == T_DATE ? L_DATE : L_DATETIME;
        return SYNC_OK;
    case T_IDENT:
        if (is_kw(p, t, "null")) {
            l->kind = L_NULL;
            return SYNC_OK;
        }
        if (is_kw(p, t, "true") || is_kw(p, t, "false")) {
            l->kind = L_BOOL;
            l->b = is_kw(p, t, "true");
            return SYNC_OK;
        }
        return parse_reldate(p, t, l);
    default:
        return unexpected(p, t);
    }
}

/* "( lit, lit, ... )" for IN, NOT IN, INCLUDES, EXCLUDES. */
static enum sync_rc parse_lit_list(struct parser *p, struct node *n)
{
    size_t cap = 0;
    enum sync_rc rc;

    if ((rc = expect_kind(p, T_LPAREN)))
        return rc;
    for (;;) {
        if (grow((void **)&n->lits, &cap, n->nlits, sizeof(*n->lits)))
            return fail_nomem(p);
        memset(&n->lits[n->nlits], 0, sizeof(*n->lits));
        n->nlits++;
        if ((rc = parse_literal(p, &n->lits[n->nlits - 1], 0)))
            return rc;
        if (peek(p)->kind != T_COMMA)
            break;
        advance(p);
    }
    return expect_kind(p, T_RPAREN);
}

/* ---------------------------------------------------------------- WHERE */

static enum sync_rc parse_cond(struct parser *p, struct node **out);

static struct node *node_new(enum node_kind kind, size_t pos)
{
    struct node *n = calloc(1, sizeof(*n));

    if (n) {
        n->kind = kind;
        n->pos = pos;
    }
    return n;
}

static enum sync_rc parse_simple(struct parser *p, struct node *n)
{
    const struct tok *t;
    enum sync_rc rc;

    if ((rc = parse_path(p, &n->path)))
        return rc;
    t = peek(p);
    n->pos = t->pos;
    if (t->kind == T_OP) {
        advance(p);
        n->kind = N_CMP;
        n->op = t->op;
        n->lits = calloc(1, sizeof(*n->lits));
        if (!n->lits)
            return fail_nomem(p);
        n->nlits = 1;
        return parse_literal(p, &n->lits[0], 0);
    }
    if (is_kw(p, t, "NOT") && is_kw(p, peek2(p), "IN")) {
        advance(p);
        advance(p);
        n->kind = N_NOT_IN;
        return parse_lit_list(p, n);
    }
    if (accept_kw(p, "IN")) {
        n->kind = N_IN;
        if (is_kw(p, peek2(p), "SELECT"))
            return fail_at(p, peek2(p)->pos, "MALFORMED_QUERY",
                           "semi-join subqueries are not supported by this server");
        return parse_lit_list(p, n);
    }
    if (accept_kw(p, "LIKE")) {
        n->kind = N_LIKE;
        if (peek(p)->kind != T_STRING)
            return unexpected(p, peek(p));
        n->lits = calloc(1, sizeof(*n->lits));
        if (!n->lits)
            return fail_nomem(p);
        n->nlits = 1;
        return parse_literal(p, &n->lits[0], 1);
    }
    if (accept_kw(p, "INCLUDES") || accept_kw(p, "EXCLUDES")) {
        size_t i;
        n->kind = is_kw(p, t, "INCLUDES") ? N_INCLUDES : N_EXCLUDES;
        if ((rc = parse_lit_list(p, n)))
            return rc;
        for (i = 0; i < n->nlits; i++)
            if (n->lits[i].kind != L_STRING)
                return fail_at(p, n->lits[i].pos, "MALFORMED_QUERY", "unexpected token: '%.*s'",
                               (int)n->lits[i].len, p->text + n->lits[i].pos);
        return SYNC_OK;
    }
    return unexpected(p, t);
}

static enum sync_rc parse_term(struct parser *p, struct node **out)
{
    const struct tok *t = peek(p);
    struct node *n;
    enum sync_rc rc;

    if (++p->depth > SOQL_MAX_DEPTH)
        return fail_at(p, t->pos, "MALFORMED_QUERY", "conditions are nested too deeply");
    if (t->kind == T_LPAREN) {
        advance(p);
        if ((rc = parse_cond(p, out)))
            return rc;
        p->depth--;
        return expect_kind(p, T_RPAREN);
    }
    n = node_new(N_CMP, t->pos);
    if (!n)
        return fail_nomem(p);
    *out = n;
    if (is_kw(p, t, "NOT")) {
        advance(p);
        n->kind = N_NOT;
        n->kids = calloc(1, sizeof(*n->kids));
        if (!n->kids)
            return fail_nomem(p);
        n->nkids = 1;
        rc = parse_term(p, &n->kids[0]);
    } else {
        rc = parse_simple(p, n);
    }
    p->depth--;
    return rc;
}

/* term (AND term)* or term (OR term)*; AND and OR never share a level unparenthesised. */
static enum sync_rc parse_cond(struct parser *p, struct node **out)
{
    struct node *first = NULL, *n;
    const char *conj, *other;
    size_t cap = 0;
    enum sync_rc rc;

    if ((rc = parse_term(p, &first))) {
        *out = first;
        return rc;
    }
    *out = first;
    if (is_kw(p, peek(p), "AND")) {
        conj = "AND";
        other = "OR";
    } else if (is_kw(p, peek(p), "OR")) {
        conj = "OR";
        other = "AND";
    } else {
        return SYNC_OK;
    }
    n = node_new(conj[0] == 'A' ? N_AND : N_OR, peek(p)->pos);
    if (!n || grow((void **)&n->kids, &cap, 0, sizeof(*n->kids))) {
        free(n);
        return fail_nomem(p);
    }
    n->kids[n->nkids++] = first;
    *out = n;
    while (accept_kw(p, conj)) {
        if (grow((void **)&n->kids, &cap, n->nkids, sizeof(*n->kids)))
            return fail_nomem(p);
        n->kids[n->nkids] = NULL;
        rc = parse_term(p, &n->kids[n->nkids]);
        n->nkids++;
        if (rc)
            return rc;
    }
    if (is_kw(p, peek(p), other))
        return unexpected(p, peek(p));
    return SYNC_OK;
}

/* ---------------------------------------------------------------- SELECT */

static struct item *push_item(struct soql_query *q, enum item_kind kind, size_t pos)
{
    struct item *it;

    if (grow((void **)&q->items, &q->items_cap, q->nitems, sizeof(*q->items)))
        return NULL;
    it = &q->items[q->nitems++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->pos = pos;
    return it;
}

static enum sync_rc parse_query(struct parser *p, struct soql_query *q, int sub);

static enum sync_rc parse_item(struct parser *p, struct soql_query *q, int sub)
{
    const struct tok *t = peek(p);
    struct item *it;
    enum sync_rc rc;

    if (t->kind == T_LPAREN && !sub) {
        advance(p);
        if (!(it = push_item(q, I_SUB, t->pos)) || !(it->sub = query_new()))
            return fail_nomem(p);
        if ((rc = parse_query(p, it->sub, 1)))
            return rc;
        return expect_kind(p, T_RPAREN);
    }
    if (is_kw(p, t, "COUNT") && peek2(p)->kind == T_LPAREN) {
        advance(p);
        advance(p);
        if (peek(p)->kind != T_RPAREN)
            return fail_at(p, peek(p)->pos, "MALFORMED_QUERY",
                           "aggregate functions other than COUNT() are not supported by this "
                           "server");
        advance(p);
        return push_item(q, I_COUNT, t->pos) ? SYNC_OK : fail_nomem(p);
    }
    if (is_kw(p, t, "FIELDS") && peek2(p)->kind == T_LPAREN) {
        const struct tok *m;
        enum fields_mode mode;
        advance(p);
        advance(p);
        m = advance(p);
        if (is_kw(p, m, "ALL"))
            mode = F_ALL;
        else if (is_kw(p, m, "STANDARD"))
            mode = F_STANDARD;
        else if (is_kw(p, m, "CUSTOM"))
            mode = F_CUSTOM;
        else
            return unexpected(p, m);
        if ((rc = expect_kind(p, T_RPAREN)))
            return rc;
        if (!(it = push_item(q, I_FIELDS, t->pos)))
            return fail_nomem(p);
        it->mode = mode;
        return SYNC_OK;
    }
    if (!(it = push_item(q, I_FIELD, t->pos)))
        return fail_nomem(p);
    return parse_path(p, &it->path);
}

static enum sync_rc parse_order(struct parser *p, struct soql_query *q)
{
    enum sync_rc rc;

    for (;;) {
        struct order *o;
        if (grow((void **)&q->orders, &q->orders_cap, q->norders, sizeof(*q->orders)))
            return fail_nomem(p);
        o = &q->orders[q->norders++];
        memset(o, 0, sizeof(*o));
        if ((rc = parse_path(p, &o->path)))
            return rc;
        if (accept_kw(p, "DESC"))
            o->desc = 1;
        else
            accept_kw(p, "ASC");
        o->nulls_last = o->desc;
        if (accept_kw(p, "NULLS")) {
            if (accept_kw(p, "LAST"))
                o->nulls_last = 1;
            else if (accept_kw(p, "FIRST"))
                o->nulls_last = 0;
            else
                return unexpected(p, peek(p));
        }
        if (peek(p)->kind != T_COMMA)
            return SYNC_OK;
        advance(p);
    }
}

static enum sync_rc parse_query(struct parser *p, struct soql_query *q, int sub)
{
    const struct tok *t;
    enum sync_rc rc;

    if (!accept_kw(p, "SELECT"))
        return unexpected(p, peek(p));
    for (;;) {
        if ((rc = parse_item(p, q, sub)))
            return rc;
        if (peek(p)->kind != T_COMMA)
            break;
        advance(p);
    }
    if (!accept_kw(p, "FROM"))
        return unexpected(p, peek(p));
    t = peek(p);
    if (t->kind != T_IDENT || ends_clause(p, t) || memchr(p->text + t->pos, '.', t->len))
        return unexpected(p, t);
    advance(p);
    q->from_pos = t->pos;
    if (!(q->from_text = tok_dup(p, t)))
        return fail_nomem(p);
    if (accept_kw(p, "WHERE") && (rc = parse_cond(p, &q->where)))
        return rc;
    if (accept_kw(p, "ORDER")) {
        if (!accept_kw(p, "BY"))
            return unexpected(p, peek(p));
        if ((rc = parse_order(p, q)))
            return rc;
    }
    if (accept_kw(p, "LIMIT")) {
        q->limit_pos = peek(p)->pos;
        q->limit = parse_count(p, advance(p), &rc);
        if (rc)
            return rc;
    }
    if (accept_kw(p, "OFFSET")) {
        t = peek(p);
        q->offset = parse_count(p, advance(p), &rc);
        if (rc)
            return rc;
        if (q->offset > SOQL_OFFSET_MAX)
            return fail_at(p, t->pos, "NUMBER_OUTSIDE_VALID_RANGE",
                           "Maximum SOQL offset allowed is %d", SOQL_OFFSET_MAX);
    }
    if (sub ? peek(p)->kind != T_RPAREN : peek(p)->kind != T_EOF)
        return unexpected(p, peek(p));
    return SYNC_OK;
}

/* ---------------------------------------------------------------- resolving names */

static const char no_column_tail[] =
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom "
    "field name. Please reference your WSDL or the describe call for the appropriate names.";
static const char no_relation_tail[] =
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the "
    "custom relationship name. Please reference your WSDL or the describe call for the "
    "appropriate names.";

/* The output name of the relationship behind a reference field: OwnerId -> Owner,
 * Foo__c -> Foo__r; otherwise the name as written. */
static void rel_name(const char *field, const char *written, char out[SOQL_NAME_MAX])
{
    size_t n = strlen(field);

    if (n > 2 && n - 2 < SOQL_NAME_MAX && strcasecmp(field + n - 2, "Id") == 0) {
        memcpy(out, field, n - 2);
        out[n - 2] = '\0';
    } else if (n > 3 && strcasecmp(field + n - 3, "__c") == 0) {
        snprintf(out, SOQL_NAME_MAX, "%.*s__r", (int)(n - 3), field);
    } else {
        snprintf(out, SOQL_NAME_MAX, "%s", written);
    }
}

static int name_in(char (*names)[SOQL_NAME_MAX], size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcasecmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* Resolves one parent hop named seg from each candidate object; next receives the reachable
 * objects. */
static enum sync_rc resolve_hop(struct parser *p, struct path *pa, struct hop *h, const char *seg,
                                char (*cands)[SOQL_NAME_MAX], size_t ncands,
                                char (*next)[SOQL_NAME_MAX], size_t *nnext)
{
    char targets[SOQL_MAX_TARGETS][SOQL_NAME_MAX];
    size_t c, k;

    h->links = calloc(ncands, sizeof(*h->links));
    if (!h->links)
        return fail_nomem(p);
    *nnext = 0;
    for (c = 0; c < ncands; c++) {
        struct link *l = &h->links[h->nlinks];
        size_t nt = 0;
        if (!p->cat->parent ||
            p->cat->parent(p->cat->ctx, cands[c], seg, l->field, targets, SOQL_MAX_TARGETS, &nt))
            continue;
        snprintf(l->object, sizeof(l->object), "%s", cands[c]);
        h->nlinks++;
        h->poly |= nt > 1;
        for (k = 0; k < nt && k < SOQL_MAX_TARGETS; k++)
            if (*nnext < SOQL_MAX_TARGETS && !name_in(next, *nnext, targets[k]))
                snprintf(next[(*nnext)++], SOQL_NAME_MAX, "%s", targets[k]);
    }
    if (!h->nlinks)
        return fail_at(p, pa->pos, "INVALID_FIELD",
                       "Didn't understand relationship '%s' in field path. %s", seg,
                       no_relation_tail);
    rel_name(h->links[0].field, seg, h->rel);
    return SYNC_OK;
}

/*
 * A polymorphic relationship (Task.Who, Task.What, Lead.Owner) reaches Salesforce's Name entity,
 * not the referenced object: only the Name fields below may follow it, and Name.Type is the
 * referenced row's object ("Contact", "User"), or "Queue" for a queue (a Group row's own Type).
 */
static const struct {
    const char *name;
    enum soql_type type;
} name_fields[] = {
    {"Id", SOQL_T_ID},
    {"Name", SOQL_T_STRING},
    {"Type", SOQL_T_STRING},
    {"Alias", SOQL_T_STRING},
    {"Email", SOQL_T_STRING},
    {"FirstName", SOQL_T_STRING},
    {"LastName", SOQL_T_STRING},
    {"IsActive", SOQL_T_BOOLEAN},
    {"Phone", SOQL_T_STRING},
    {"Title", SOQL_T_STRING},
    {"Username", SOQL_T_STRING},
    {"UserRoleId", SOQL_T_ID},
    {"ProfileId", SOQL_T_ID},
    {"RecordTypeId", SOQL_T_ID},
    {"CommunityNickname", SOQL_T_STRING},
    {"LastReferencedDate", SOQL_T_DATETIME},
    {"LastViewedDate", SOQL_T_DATETIME},
};

static enum sync_rc resolve_name_final(struct parser *p, struct path *pa, const char *seg,
                                       char (*cands)[SOQL_NAME_MAX], size_t ncands)
{
    size_t c, k, n = sizeof(name_fields) / sizeof(name_fields[0]);

    for (k = 0; k < n && strcasecmp(name_fields[k].name, seg) != 0; k++)
        ;
    if (k == n)
        return fail_at(p, pa->pos, "INVALID_FIELD", "No such column '%s' on entity 'Name'. %s", seg,
                       no_column_tail);
    if (!(pa->finals = calloc(ncands ? ncands : 1, sizeof(*pa->finals))))
        return fail_nomem(p);
    for (c = 0; c < ncands; c++) {
        struct final *f = &pa->finals[pa->nfinals++];
        snprintf(f->object, sizeof(f->object), "%s", cands[c]);
        snprintf(f->info.name, sizeof(f->info.name), "%s", name_fields[k].name);
        f->info.type = name_fields[k].type;
        f->info.filterable = f->info.sortable = 1;
        if (strcmp(name_fields[k].name, "Type") == 0 && strcasecmp(cands[c], "Group") != 0 &&
            !(f->constant = json_string(cands[c])))
            return fail_nomem(p);
    }
    return SYNC_OK;
}

static enum sync_rc resolve_path(struct parser *p, const char *base, struct path *pa)
{
    char cands[SOQL_MAX_TARGETS][SOQL_NAME_MAX], next[SOQL_MAX_TARGETS][SOQL_NAME_MAX];
    char seg[SOQL_NAME_MAX];
    size_t ncands = 1, nnext = 0, nseg = 1, i, c;
    const char *s = pa->text, *dot;
    enum sync_rc rc;

    for (i = 0; s[i]; i++)
        nseg += s[i] == '.';
    if (nseg - 1 > SOQL_MAX_HOPS)
        return fail_at(p, pa->pos, "MALFORMED_QUERY",
                       "SOQL statements cannot query more than %d levels of relationships",
                       SOQL_MAX_HOPS);
    if (nseg > 1 && !(pa->hops = calloc(nseg - 1, sizeof(*pa->hops))))
        return fail_nomem(p);
    snprintf(cands[0], SOQL_NAME_MAX, "%s", base);
    for (i = 0; i + 1 < nseg; i++) {
        dot = strchr(s, '.');
        snprintf(seg, sizeof(seg), "%.*s", (int)(dot - s), s);
        s = dot + 1;
        pa->nhops++;
        rc = resolve_hop(p, pa, &pa->hops[i], seg, cands, ncands, next, &nnext);
        if (rc)
            return rc;
        memcpy(cands, next, nnext * sizeof(cands[0]));
        ncands = nnext;
    }
    snprintf(seg, sizeof(seg), "%s", s);
    if (pa->nhops && pa->hops[pa->nhops - 1].poly)
        return resolve_name_final(p, pa, seg, cands, ncands);
    if (!(pa->finals = calloc(ncands ? ncands : 1, sizeof(*pa->finals))))
        return fail_nomem(p);
    for (c = 0; c < ncands; c++) {
        struct final *f = &pa->finals[pa->nfinals];
        if (p->cat->field(p->cat->ctx, cands[c], seg, &f->info) == 0) {
            snprintf(f->object, sizeof(f->object), "%s", cands[c]);
            pa->nfinals++;
        }
    }
    if (!pa->nfinals)
        return fail_at(p, pa->pos, "INVALID_FIELD", "No such column '%s' on entity '%s'. %s", seg,
                       ncands ? cands[0] : base, no_column_tail);
    return SYNC_OK;
}

/* ---------------------------------------------------------------- checking literals */

static const char *type_name(enum soql_type t)
{
    switch (t) {
    case SOQL_T_ID:
        return "id";
    case SOQL_T_STRING:
    case SOQL_T_MULTIPICKLIST:
        return "string";
    case SOQL_T_BOOLEAN:
        return "boolean";
    case SOQL_T_INT:
        return "integer";
    case SOQL_T_DOUBLE:
        return "double";
    case SOQL_T_DATE:
        return "date";
    case SOQL_T_DATETIME:
        return "dateTime";
    case SOQL_T_TIME:
        return "time";
    default:
        return "anyType";
    }
}

static int lit_fits(enum soql_type t, const struct lit *l)
{
    switch (t) {
    case SOQL_T_ID:
    case SOQL_T_STRING:
    case SOQL_T_MULTIPICKLIST:
        return l->kind == L_STRING;
    case SOQL_T_BOOLEAN:
        return l->kind == L_BOOL;
    case SOQL_T_INT:
    case SOQL_T_DOUBLE:
        return l->kind == L_NUMBER;
    case SOQL_T_DATE:
        return l->kind == L_DATE || l->kind == L_RELDATE;
    case SOQL_T_DATETIME:
        return l->kind == L_DATETIME || l->kind == L_RELDATE;
    default:
        return 0;
    }
}

/* Checks a literal against its field's type; pattern is set for LIKE, INCLUDES and EXCLUDES,
 * whose strings are taken as written. */
static enum sync_rc check_lit(struct parser *p, const struct soql_field_info *fi, struct lit *l,
                              int pattern)
{
    int quoted =
        fi->type == SOQL_T_ID || fi->type == SOQL_T_STRING || fi->type == SOQL_T_MULTIPICKLIST;

    if (l->kind == L_NULL && !pattern)
        return SYNC_OK;
    if (!lit_fits(fi->type, l))
        return fail_at(p, l->pos, "INVALID_FIELD",
                       "value of filter criterion for field '%s' must be of type %s and should "
                       "%sbe enclosed in quotes",
                       fi->name, type_name(fi->type), quoted ? "" : "not ");
    if (fi->type == SOQL_T_ID && (strlen(l->s) != l->slen || ids_canonical(l->s, l->id)))
        return fail_at(p, l->pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: %.*s",
                       (int)(l->slen > 100 ? 100 : l->slen), l->s);
    if (!pattern && l->kind == L_STRING && l->slen == 0 && fi->type != SOQL_T_ID) {
        /* text fields store '' as null, so = '' and != '' test for null */
        free(l->s);
        l->s = NULL;
        l->kind = L_NULL;
    }
    return SYNC_OK;
}

static enum sync_rc check_operator(struct parser *p, const struct node *n,
                                   const struct soql_field_info *fi)
{
    enum soql_type t = fi->type;
    const char *code = "INVALID_QUERY_FILTER_OPERATOR";

    if ((n->kind == N_INCLUDES || n->kind == N_EXCLUDES) && t != SOQL_T_MULTIPICKLIST)
        return fail_at(p, n->pos, code,
                       "includes or excludes operator only valid on multipicklist field");
    if (n->kind == N_LIKE && (t == SOQL_T_ID || t == SOQL_T_MULTIPICKLIST))
        return fail_at(p, n->pos, code, "invalid operator on %s field",
                       t == SOQL_T_ID ? "id" : "multipicklist");
    if (n->kind == N_CMP && n->op != OP_EQ && n->op != OP_NE &&
        (t == SOQL_T_BOOLEAN || t == SOQL_T_MULTIPICKLIST))
        return fail_at(p, n->pos, code, "invalid operator on %s field",
                       t == SOQL_T_BOOLEAN ? "boolean" : "multipicklist");
    return SYNC_OK;
}

static enum sync_rc resolve_node(struct parser *p, const char *base, struct node *n)
{
    const struct soql_field_info *fi;
    size_t i;
    enum sync_rc rc;

    if (n->kind == N_AND || n->kind == N_OR || n->kind == N_NOT) {
        for (i = 0; i < n->nkids; i++)
            if ((rc = resolve_node(p, base, n->kids[i])))
                return rc;
        return SYNC_OK;
    }
    if ((rc = resolve_path(p, base, &n->path)))
        return rc;
    fi = &n->path.finals[0].info;
    if (!fi->filterable || fi->type == SOQL_T_OTHER)
        return fail_at(p, n->path.pos, "INVALID_FIELD",
                       "field '%s' can not be filtered in a query call", fi->name);
    if ((rc = check_operator(p, n, fi)))
        return rc;
    for (i = 0; i < n->nlits; i++)
        if ((rc = check_lit(p, fi, &n->lits[i],
                            n->kind == N_LIKE || n->kind == N_INCLUDES || n->kind == N_EXCLUDES)))
            return rc;
    return SYNC_OK;
}

/* ---------------------------------------------------------------- resolving SELECT */

static int item_dup(const struct soql_query *q, size_t upto, const struct path *pa)
{
    size_t i;

    for (i = 0; i < upto; i++) {
        const struct item *it = &q->items[i];
        if (it->kind != I_FIELD || !it->path.text)
            continue;
        if (pa->nhops == 0 && it->path.nhops == 0
                ? strcasecmp(it->path.finals[0].info.name, pa->finals[0].info.name) == 0
                : strcasecmp(it->path.text, pa->text) == 0)
            return (int)i + 1;
    }
    return 0;
}

struct fields_collect {
    enum fields_mode mode;
    struct soql_field_info *list;
    size_t n, cap;
    int oom;
};

static void fields_collect_fn(void *arg, const struct soql_field_info *f)
{
    struct fields_collect *fc = arg;

    if ((fc->mode == F_STANDARD && f->custom) || (fc->mode == F_CUSTOM && !f->custom))
        return;
    if (grow((void **)&fc->list, &fc->cap, fc->n, sizeof(*fc->list))) {
        fc->oom = 1;
        return;
    }
    fc->list[fc->n++] = *f;
}

static int selected(const struct item *items, size_t n, const char *name)
{
    size_t k;

    for (k = 0; k < n; k++)
        if (items[k].kind == I_FIELD && items[k].path.nhops == 0 && items[k].path.finals &&
            strcasecmp(items[k].path.finals[0].info.name, name) == 0)
            return 1;
    return 0;
}

/* Replaces the FIELDS(...) item at index idx by one resolved item per field, skipping fields
 * already selected before it; *added receives how many. */
static enum sync_rc expand_fields(struct parser *p, struct soql_query *q, size_t idx, size_t *added)
{
    struct fields_collect fc = {q->items[idx].mode, NULL, 0, 0, 0};
    struct item *items;
    size_t i, n = 0, pos = q->items[idx].pos, tail = q->nitems - idx - 1, cap;
    enum sync_rc rc = SYNC_OK;

    *added = 0;
    if (p->cat->fields)
        p->cat->fields(p->cat->ctx, q->object, fields_collect_fn, &fc);
    cap = q->nitems + fc.n;
    items = fc.oom ? NULL : calloc(cap, sizeof(*items));
    if (!items) {
        free(fc.list);
        return fail_nomem(p);
    }
    memcpy(items, q->items, idx * sizeof(*items));
    for (i = 0; i < fc.n && !rc; i++) {
        struct item *it = &items[idx + n];
        if (selected(items, idx + n, fc.list[i].name))
            continue;
        n++;
        it->kind = I_FIELD;
        it->pos = pos;
        it->from_fields = 1;
        it->path.text = strdup(fc.list[i].name);
        it->path.finals = calloc(1, sizeof(*it->path.finals));
        if (!it->path.text || !it->path.finals) {
            rc = fail_nomem(p);
            break;
        }
        it->path.nfinals = 1;
        it->path.finals[0].info = fc.list[i];
        snprintf(it->path.finals[0].object, SOQL_NAME_MAX, "%s", q->object);
    }
    memcpy(items + idx + n, q->items + idx + 1, tail * sizeof(*items));
    free(q->items);
    free(fc.list);
    q->items = items;
    q->nitems = idx + n + tail;
    q->items_cap = cap;
    *added = n;
    return rc;
}

static enum sync_rc resolve_query(struct parser *p, struct soql_query *q, const char *parent);

static enum sync_rc resolve_items(struct parser *p, struct soql_query *q)
{
    size_t i = 0, added;
    enum sync_rc rc;

    while (i < q->nitems) {
        struct item *it = &q->items[i];
        int dup;
        switch (it->kind) {
        case I_COUNT:
            if (q->nitems > 1)
                return fail_at(p, it->pos, "MALFORMED_QUERY",
                               "COUNT() must be the only element in the SELECT list");
            q->is_count = 1;
            i++;
            break;
        case I_SUB:
            if ((rc = resolve_query(p, it->sub, q->object)))
                return rc;
            i++;
            break;
        case I_FIELDS:
            if (it->mode != F_STANDARD && !q->fields_unbounded) {
                q->fields_unbounded = 1;
                q->fields_pos = it->pos;
            }
            if ((rc = expand_fields(p, q, i, &added)))
                return rc;
            i += added; /* the expansion is resolved already */
            break;
        case I_FIELD:
            if ((rc = resolve_path(p, q->object, &it->path)))
                return rc;
            dup = item_dup(q, i, &it->path);
            if (dup && !q->items[dup - 1].from_fields)
                return fail_at(p, it->pos, "MALFORMED_QUERY", "duplicate field selected: %s",
                               it->path.text);
            if (!dup) {
                i++;
                break;
            }
            path_free(&it->path);
            memmove(it, it + 1, (q->nitems - i - 1) * sizeof(*it));
            q->nitems--;
            break;
        }
    }
    return SYNC_OK;
}

static enum sync_rc resolve_query(struct parser *p, struct soql_query *q, const char *parent)
{
    size_t i;
    enum sync_rc rc;

    if (!parent) {
        if (p->cat->object(p->cat->ctx, q->from_text, q->object))
            return fail_at(p, q->from_pos, "INVALID_TYPE",
                           "sObject type '%s' is not supported. If you are attempting to use a "
                           "custom object, be sure to append the '__c' after the entity name. "
                           "Please reference your WSDL or the describe call for the appropriate "
                           "names.",
                           q->from_text);
    } else {
        if (!p->cat->child || p->cat->child(p->cat->ctx, parent, q->from_text, q->object, q->link))
            return fail_at(p, q->from_pos, "INVALID_TYPE",
                           "Didn't understand relationship '%s' in FROM part of query call. %s",
                           q->from_text, no_relation_tail);
        snprintf(q->rel, sizeof(q->rel), "%s", q->from_text);
    }
    if ((rc = resolve_items(p, q)))
        return rc;
    if (q->where && (rc = resolve_node(p, q->object, q->where)))
        return rc;
    for (i = 0; i < q->norders; i++) {
        struct order *o = &q->orders[i];
        if ((rc = resolve_path(p, q->object, &o->path)))
            return rc;
        if (!o->path.finals[0].info.sortable)
            return fail_at(p, o->path.pos, "INVALID_FIELD",
                           "field '%s' can not be sorted in a query call",
                           o->path.finals[0].info.name);
    }
    if (q->fields_unbounded && (q->limit < 0 || q->limit > SOQL_FIELDS_LIMIT))
        return fail_at(p, q->fields_pos, "MALFORMED_QUERY",
                       "The SOQL FIELDS function must have a LIMIT of at most %d",
                       SOQL_FIELDS_LIMIT);
    return SYNC_OK;
}

/* ---------------------------------------------------------------- entry points: parsing */

static void parser_init(struct parser *p, const char *text, const struct soql_catalog *cat,
                        struct sync_err *err)
{
    memset(p, 0, sizeof(*p));
    p->text = text ? text : "";
    p->len = strlen(p->text);
    p->cat = cat;
    p->err = err;
}

enum sync_rc soql_parse(const char *text, const struct soql_catalog *cat, struct soql_query **out,
                        struct sync_err *err)
{
    struct parser p;
    struct soql_query *q;
    enum sync_rc rc;

    *out = NULL;
    parser_init(&p, text, cat, err);
    if (!(q = query_new()))
        return fail_nomem(&p);
    rc = lex(&p);
    if (!rc)
        rc = parse_query(&p, q, 0);
    if (!rc)
        rc = resolve_query(&p, q, NULL);
    free(p.toks);
    if (rc) {
        soql_query_free(q);
        return rc;
    }
    *out = q;
    return SYNC_OK;
}

enum sync_rc soql_parse_condition(const char *cond, const char *object,
                                  const struct soql_catalog *cat, struct soql_query **out,
                                  struct sync_err *err)
{
    struct parser p;
    struct soql_query *q;
    enum sync_rc rc;

    *out = NULL;
    parser_init(&p, cond, cat, err);
    if (!(q = query_new()))
        return fail_nomem(&p);
    if (cat->object(cat->ctx, object ? object : "", q->object)) {
        soql_query_free(q);
        return sync_err_vendor(err, 400, "INVALID_TYPE", "sObject type '%s' is not supported.",
                               object ? object : "");
    }
    rc = lex(&p);
    if (!rc)
        rc = parse_cond(&p, &q->where);
    if (!rc && peek(&p)->kind != T_EOF)
        rc = unexpected(&p, peek(&p));
    if (!rc)
        rc = resolve_node(&p, q->object, q->where);
    free(p.toks);
    if (rc) {
        soql_query_free(q);
        return rc;
    }
    *out = q;
    return SYNC_OK;
}

const char *soql_query_object(const struct soql_query *q)
{
    return q->object;
}

int soql_query_is_count(const struct soql_query *q)
{
    return q->is_count;
}

/* ---------------------------------------------------------------- reading values */

static const struct link *find_link(const struct hop *h, const char *object)
{
    size_t i;

    if (h->nlinks == 1)
        return strcasecmp(h->links[0].object, object) == 0 ? &h->links[0] : NULL;
    for (i = 0; i < h->nlinks; i++)
        if (strcasecmp(h->links[i].object, object) == 0)
            return &h->links[i];
    return NULL;
}

static const struct final *find_final(const struct path *pa, const char *object)
{
    size_t i;

    for (i = 0; i < pa->nfinals; i++)
        if (strcasecmp(pa->finals[i].object, object) == 0)
            return &pa->finals[i];
    return NULL;
}

/* borrowed: the record a reference field of cur points at, or NULL. */
static const json_t *follow(const struct soql_rows *rows, const json_t *cur, const char *field,
                            const char **object)
{
    const json_t *ref = json_object_get(cur, field);
    char id[19];

    if (!rows || !rows->get || !json_is_string(ref))
        return NULL;
    stored_id(json_string_value(ref), json_string_length(ref), id);
    *object = NULL;
    return rows->get(rows->ctx, id, object);
}

/* borrowed: the value a path reads on rec (of type base); NULL when null or unreachable. */
static const json_t *path_value(const struct path *pa, const char *base, const json_t *rec,
                                const struct soql_rows *rows)
{
    const char *obj = base;
    const struct final *f;
    size_t i;

    if (pa->nhops == 0)
        return json_object_get(rec, pa->finals[0].info.name);
    for (i = 0; i < pa->nhops; i++) {
        const struct link *l = find_link(&pa->hops[i], obj);
        if (!l || !(rec = follow(rows, rec, l->field, &obj)) || !obj)
            return NULL;
    }
    f = find_final(pa, obj);
    if (f && f->constant)
        return f->constant;
    return f ? json_object_get(rec, f->info.name) : NULL;
}

static int is_null_value(const json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
}

/* ---------------------------------------------------------------- comparing */

static int ci_compare(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i, n = an < bn ? an : bn;

    for (i = 0; i < n; i++) {
        unsigned char ca = (unsigned char)to_lower(a[i]), cb = (unsigned char)to_lower(b[i]);
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static size_t utf8_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* LIKE: '%' any run, '_' one character, "\x" the byte x; ignoring ASCII case. */
static int like_match(const char *s, size_t n, const char *pat)
{
    const char *star = NULL;
    size_t si = 0, star_si = 0;

    while (si < n) {
        if (*pat == '%') {
            star = ++pat;
            star_si = si;
            continue;
        }
        if (*pat == '_') {
            pat++;
            si += utf8_len((unsigned char)s[si]);
            if (si > n)
                si = n;
            continue;
        }
        if (*pat) {
            const char *lit = *pat == '\\' && pat[1] ? pat + 1 : pat;
            if (to_lower(*lit) == to_lower(s[si])) {
                pat = lit + 1;
                si++;
                continue;
            }
        }
        if (!star)
            return 0;
        pat = star;
        star_si += utf8_len((unsigned char)s[star_si]);
        si = star_si > n ? n : star_si;
    }
    while (*pat == '%')
        pat++;
    return *pat == '\0';
}

/* Whether the ';'-separated value set (a, an) contains the item (b, bn), ignoring case and
 * spaces around items. */
static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' '))
        (*s)++, (*n)--;
    while (*n && (*s)[*n - 1] == ' ')
        (*n)--;
}

static int set_has(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0;

    trim(&b, &bn);
    while (i <= an) {
        size_t j = i;
        const char *item;
        size_t len;
        while (j < an && a[j] != ';')
            j++;
        item = a + i;
        len = j - i;
        trim(&item, &len);
        if (len == bn && ci_compare(item, len, b, bn) == 0)
            return 1;
        i = j + 1;
    }
    return 0;
}

/* Every item of the set b is in the set a. */
static int set_contains_all(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0;

    while (i <= bn) {
        size_t j = i;
        while (j < bn && b[j] != ';')
            j++;
        if (!set_has(a, an, b + i, j - i))
            return 0;
        i = j + 1;
    }
    return 1;
}

/* The literal's range [lo, hi) in epoch ms at instant now; a point t is [t, t+1). */
static void add_months(int64_t day0, int months, int64_t *out)
{
    int y;
    unsigned m, d;
    long total;

    sync_time_civil_from_days(day0, &y, &m, &d);
    total = (long)y * 12 + (long)(m - 1) + months;
    *out = sync_time_days_from_civil((int)(total / 12), (unsigned)(total % 12) + 1, 1);
}

static void lit_range(const struct lit *l, int64_t now, int64_t *lo, int64_t *hi)
{
    int64_t today = now >= 0 ? now / DAY_MS : (now - DAY_MS + 1) / DAY_MS, a = today, b = today + 1;
    int y;
    unsigned m, d;

    if (l->kind != L_RELDATE) {
        *lo = l->ms;
        *hi = l->ms + 1;
        return;
    }
    switch (l->rel) {
    case R_TODAY:
        break;
    case R_YESTERDAY:
        a = today - 1;
        b = today;
        break;
    case R_TOMORROW:
        a = today + 1;
        b = today + 2;
        break;
    case R_LAST_N_DAYS:
        a = today - l->n;
        break;
    case R_NEXT_N_DAYS:
        a = today + 1;
        b = today + 1 + l->n;
        break;
    case R_N_DAYS_AGO:
        a = today - l->n;
        b = a + 1;
        break;
    case R_LAST_90_DAYS:
        a = today - 90;
        break;
    case R_NEXT_90_DAYS:
        a = today + 1;
        b = today + 91;
        break;
    case R_THIS_WEEK:
    case R_LAST_WEEK:
    case R_NEXT_WEEK:
        /* Weeks start on Sunday; 1970-01-01 was a Thursday. */
        a = today - ((today % 7 + 7 + 4) % 7);
        a += l->rel == R_LAST_WEEK ? -7 : l->rel == R_NEXT_WEEK ? 7 : 0;
        b = a + 7;
        break;
    case R_THIS_MONTH:
    case R_LAST_MONTH:
    case R_NEXT_MONTH: {
        int off = l->rel == R_LAST_MONTH ? -1 : l->rel == R_NEXT_MONTH ? 1 : 0;
        add_months(today, off, &a);
        add_months(today, off + 1, &b);
        break;
    }
    case R_THIS_YEAR:
    case R_LAST_YEAR:
    case R_NEXT_YEAR:
        sync_time_civil_from_days(today, &y, &m, &d);
        y += l->rel == R_LAST_YEAR ? -1 : l->rel == R_NEXT_YEAR ? 1 : 0;
        a = sync_time_days_from_civil(y, 1, 1);
        b = sync_time_days_from_civil(y + 1, 1, 1);
        break;
    }
    *lo = a * DAY_MS;
    *hi = b * DAY_MS;
}

static int range_test(int64_t t, int64_t lo, int64_t hi, enum cmp_op op)
{
    switch (op) {
    case OP_EQ:
        return t >= lo && t < hi;
    case OP_NE:
        return t < lo || t >= hi;
    case OP_LT:
        return t < lo;
    case OP_LE:
        return t < hi;
    case OP_GT:
        return t >= hi;
    case OP_GE:
        return t >= lo;
    }
    return 0;
}

static int order_test(int c, enum cmp_op op)
{
    switch (op) {
    case OP_EQ:
        return c == 0;
    case OP_NE:
        return c != 0;
    case OP_LT:
        return c < 0;
    case OP_LE:
        return c <= 0;
    case OP_GT:
        return c > 0;
    case OP_GE:
        return c >= 0;
    }
    return 0;
}

/* A non-null stored value v against a non-null literal. */
static int value_test(const json_t *v, enum soql_type type, const struct lit *l, enum cmp_op op,
                      int64_t now)
{
    int64_t t, lo, hi;
    char id[19];
    double x;

    switch (type) {
    case SOQL_T_ID:
        if (!json_is_string(v))
            return op == OP_NE;
        stored_id(json_string_value(v), json_string_length(v), id);
        return order_test(strcmp(id, l->id), op);
    case SOQL_T_STRING:
        if (!json_is_string(v))
            return op == OP_NE;
        return order_test(ci_compare(json_string_value(v), json_string_length(v), l->s, l->slen),
                          op);
    case SOQL_T_MULTIPICKLIST: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        int eq;
        if (!s)
            return op == OP_NE;
        eq = set_contains_all(s, n, l->s, l->slen) && set_contains_all(l->s, l->slen, s, n);
        return op == OP_EQ ? eq : !eq;
    }
    case SOQL_T_INT:
    case SOQL_T_DOUBLE:
        if (!json_is_number(v))
            return op == OP_NE;
        x = json_number_value(v);
        return order_test(x < l->num ? -1 : x > l->num ? 1 : 0, op);
    case SOQL_T_DATE:
    case SOQL_T_DATETIME:
        if (!json_is_string(v) || sync_time_parse(json_string_value(v), &t))
            return op == OP_NE;
        lit_range(l, now, &lo, &hi);
        return range_test(t, lo, hi, op);
    default:
        return 0;
    }
}

struct eval {
    const char *base;
    const struct soql_rows *rows;
    int64_t now;
};

/* = and != with the null and boolean rules: a boolean is never null (null means false), and
 * a null value differs from every non-null literal. */
static int leaf_cmp(const struct eval *e, const json_t *v, enum soql_type type, const struct lit *l,
                    enum cmp_op op)
{
    int null;

    if (type == SOQL_T_BOOLEAN) {
        int b = json_is_true(v), want = l->kind == L_BOOL ? l->b : 0;
        return op == OP_EQ ? b == want : op == OP_NE ? b != want : 0;
    }
    null = is_null_value(v);
    if (l->kind == L_NULL)
        return op == OP_EQ ? null : op == OP_NE ? !null : 0;
    if (null)
        return op == OP_NE;
    return value_test(v, type, l, op, e->now);
}

static int leaf_in(const struct eval *e, const json_t *v, enum soql_type type, const struct node *n)
{
    size_t i;

    for (i = 0; i < n->nlits; i++)
        if (leaf_cmp(e, v, type, &n->lits[i], OP_EQ))
            return 1;
    return 0;
}

static int leaf_includes(const json_t *v, const struct node *n)
{
    size_t i;

    if (!json_is_string(v))
        return 0;
    for (i = 0; i < n->nlits; i++)
        if (set_contains_all(json_string_value(v), json_string_length(v), n->lits[i].s,
                             n->lits[i].slen))
            return 1;
    return 0;
}

static int eval_node(const struct eval *e, const struct node *n, const json_t *rec)
{
    const json_t *v;
    enum soql_type type;
    size_t i;

    switch (n->kind) {
    case N_AND:
        for (i = 0; i < n->nkids; i++)
            if (!eval_node(e, n->kids[i], rec))
                return 0;
        return 1;
    case N_OR:
        for (i = 0; i < n->nkids; i++)
            if (eval_node(e, n->kids[i], rec))
                return 1;
        return 0;
    case N_NOT:
        return !eval_node(e, n->kids[0], rec);
    default:
        break;
    }
    v = path_value(&n->path, e->base, rec, e->rows);
    type = n->path.finals[0].info.type;
    switch (n->kind) {
    case N_CMP:
        return leaf_cmp(e, v, type, &n->lits[0], n->op);
    case N_IN:
        return leaf_in(e, v, type, n);
    case N_NOT_IN:
        return !leaf_in(e, v, type, n);
    case N_LIKE:
        return json_is_string(v) && n->lits[0].s &&
               like_match(json_string_value(v), json_string_length(v), n->lits[0].s);
    case N_INCLUDES:
        return leaf_includes(v, n);
    case N_EXCLUDES:
        return !leaf_includes(v, n);
    default:
        return 0;
    }
}

int soql_matches(const struct soql_query *q, const json_t *rec, const struct soql_rows *rows,
                 int64_t now_ms)
{
    struct eval e = {q->object, rows, now_ms};

    return !q->where || eval_node(&e, q->where, rec);
}

/* ---------------------------------------------------------------- sorting */

struct sort_key {
    int null;
    union {
        int64_t t;
        double d;
        struct {
            const char *s;
            size_t n;
        } str;
        char id[19];
    } u;
};

struct sort_row {
    const json_t *rec;
    char id[19];
    struct sort_key *keys;
};

static void make_key(const struct order *o, const struct eval *e, const json_t *rec,
                     struct sort_key *k)
{
    const json_t *v = path_value(&o->path, e->base, rec, e->rows);
    enum soql_type type = o->path.finals[0].info.type;

    k->null = 0;
    if (type == SOQL_T_BOOLEAN) {
        k->u.t = json_is_true(v);
        return;
    }
    if (is_null_value(v)) {
        k->null = 1;
        return;
    }
    switch (type) {
    case SOQL_T_ID:
        if (json_is_string(v))
            stored_id(json_string_value(v), json_string_length(v), k->u.id);
        else
            k->null = 1;
        break;
    case SOQL_T_INT:
    case SOQL_T_DOUBLE:
        k->null = !json_is_number(v);
        k->u.d = json_number_value(v);
        break;
    case SOQL_T_DATE:
    case SOQL_T_DATETIME:
        k->null = !json_is_string(v) || sync_time_parse(json_string_value(v), &k->u.t);
        break;
    default:
        k->null = !json_is_string(v);
        k->u.str.s = json_string_value(v);
        k->u.str.n = json_string_length(v);
        break;
    }
}

static int key_compare(enum soql_type type, const struct sort_key *a, const struct sort_key *b)
{
    switch (type) {
    case SOQL_T_ID:
        return strcmp(a->u.id, b->u.id);
    case SOQL_T_INT:
    case SOQL_T_DOUBLE:
        return a->u.d < b->u.d ? -1 : a->u.d > b->u.d ? 1 : 0;
    case SOQL_T_BOOLEAN:
    case SOQL_T_DATE:
    case SOQL_T_DATETIME:
        return a->u.t < b->u.t ? -1 : a->u.t > b->u.t ? 1 : 0;
    default:
        return ci_compare(a->u.str.s, a->u.str.n, b->u.str.s, b->u.str.n);
    }
}

static int row_compare(const struct soql_query *q, const struct sort_row *a,
                       const struct sort_row *b)
{
    size_t i;

    for (i = 0; i < q->norders; i++) {
        const struct order *o = &q->orders[i];
        const struct sort_key *ka = &a->keys[i], *kb = &b->keys[i];
        int c;
        if (ka->null || kb->null) {
            if (ka->null && kb->null)
                continue;
            return (ka->null ? -1 : 1) * (o->nulls_last ? -1 : 1);
        }
        c = key_compare(o->path.finals[0].info.type, ka, kb);
        if (c)
            return o->desc ? -c : c;
    }
    return strcmp(a->id, b->id);
}

/* A stable merge sort of row pointers (tmp has room for n). */
static void merge_sort(const struct soql_query *q, struct sort_row **v, struct sort_row **tmp,
                       size_t n)
{
    size_t width, i;

    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            size_t lo = i, mid = i + width < n ? i + width : n;
            size_t hi = i + 2 * width < n ? i + 2 * width : n, a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = row_compare(q, v[b], v[a]) < 0 ? v[b++] : v[a++];
            while (a < mid)
                tmp[k++] = v[a++];
            while (b < hi)
                tmp[k++] = v[b++];
        }
        memcpy(v, tmp, n * sizeof(*v));
    }
}

/* ---------------------------------------------------------------- executing */

struct collect {
    const struct soql_query *q;
    struct eval e;
    const char *parent_id; /* child subqueries: only rows whose q->link is this id */
    struct sort_row *rows;
    size_t n, cap;
    size_t stop_at; /* 0: collect all */
    int oom;
};

static int collect_fn(void *arg, const json_t *rec)
{
    struct collect *c = arg;

    if (c->parent_id) {
        const json_t *ref = json_object_get(rec, c->q->link);
        char id[19];
        if (!json_is_string(ref))
            return 0;
        stored_id(json_string_value(ref), json_string_length(ref), id);
        if (strcmp(id, c->parent_id) != 0)
            return 0;
    }
    if (c->q->where && !eval_node(&c->e, c->q->where, rec))
        return 0;
    if (grow((void **)&c->rows, &c->cap, c->n, sizeof(*c->rows))) {
        c->oom = 1;
        return 1;
    }
    c->rows[c->n].rec = rec;
    c->rows[c->n].keys = NULL;
    c->n++;
    return c->stop_at && c->n >= c->stop_at;
}

/* Sorts c's rows by q's ORDER BY keys, then Id; *order receives the new sequence and *keys
 * the key storage (both to free). */
static enum sync_rc sort_rows(struct collect *c, struct sort_row ***order, struct sort_key **keys)
{
    const struct soql_query *q = c->q;
    struct sort_row **v, **tmp;
    size_t i, k, n = c->n ? c->n : 1;

    v = malloc(n * sizeof(*v));
    tmp = malloc(n * sizeof(*tmp));
    *keys = malloc(n * q->norders * sizeof(**keys));
    if (!v || !tmp || !*keys) {
        free(v);
        free(tmp);
        free(*keys);
        *keys = NULL;
        return SYNC_ERR_NOMEM;
    }
    for (i = 0; i < c->n; i++) {
        struct sort_row *r = &c->rows[i];
        const json_t *id = json_object_get(r->rec, "Id");
        v[i] = r;
        if (json_is_string(id))
            stored_id(json_string_value(id), json_string_length(id), r->id);
        else
            r->id[0] = '\0';
        r->keys = *keys + i * q->norders;
        for (k = 0; k < q->norders; k++)
            make_key(&q->orders[k], &c->e, r->rec, &r->keys[k]);
    }
    merge_sort(q, v, tmp, c->n);
    free(tmp);
    *order = v;
    return SYNC_OK;
}

/* Collects, sorts and pages q's matches into a new array of references. */
static enum sync_rc run(const struct soql_query *q, const struct soql_rows *rows,
                        int include_deleted, int64_t now, const char *parent_id, json_t **out)
{
    struct collect c;
    struct sort_row **order = NULL;
    struct sort_key *keys = NULL;
    size_t i, start, end;
    json_t *arr;

    *out = NULL;
    memset(&c, 0, sizeof(c));
    c.q = q;
    c.e.base = q->object;
    c.e.rows = rows;
    c.e.now = now;
    c.parent_id = parent_id;
    if (!q->norders && q->limit >= 0)
        c.stop_at = (size_t)q->offset + (size_t)q->limit;
    if (rows && rows->foreach && !(q->limit == 0 && !q->norders))
        rows->foreach (rows->ctx, q->object, include_deleted, collect_fn, &c);
    if (c.oom || (q->norders && sort_rows(&c, &order, &keys))) {
        free(c.rows);
        return SYNC_ERR_NOMEM;
    }
    arr = json_array();
    start = (size_t)q->offset < c.n ? (size_t)q->offset : c.n;
    end = q->limit >= 0 && start + (size_t)q->limit < c.n ? start + (size_t)q->limit : c.n;
    for (i = start; arr && i < end; i++) {
        const json_t *rec = order ? order[i]->rec : c.rows[i].rec;
        if (json_array_append(arr, (json_t *)rec)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(keys);
    free(order);
    free(c.rows);
    if (!arr)
        return SYNC_ERR_NOMEM;
    *out = arr;
    return SYNC_OK;
}

enum sync_rc soql_execute(const struct soql_query *q, const struct soql_rows *rows,
                          int include_deleted, int64_t now_ms, json_t **out, struct sync_err *err)
{
    enum sync_rc rc = run(q, rows, include_deleted, now_ms, NULL, out);

    if (rc)
        return sync_err_set(err, rc, "out of memory running SOQL");
    return SYNC_OK;
}

/* ---------------------------------------------------------------- projecting */

static json_t *attributes(const char *object, const char *id, const char *version)
{
    char url[512];

    if (version && (version[0] == 'v' || version[0] == 'V'))
        version++;
    snprintf(url, sizeof(url), "/services/data/v%s/sobjects/%s/%s", version ? version : "", object,
             id ? id : "");
    return json_pack("{s:s, s:s}", "type", object, "url", url);
}

static json_t *record_shell(const char *object, const json_t *rec, const char *version)
{
    json_t *out = json_object();

    if (out)
        json_object_set_new(
            out, "attributes",
            attributes(object, json_string_value(json_object_get(rec, "Id")), version));
    return out;
}

static json_t *copy_value(const json_t *v)
{
    return v ? json_deep_copy(v) : json_null();
}

static void project_path(json_t *out, const char *base, const struct path *pa, const json_t *rec,
                         const struct soql_rows *rows, const char *version)
{
    json_t *container = out;
    const char *obj = base;
    const struct final *f;
    size_t i;

    for (i = 0; i < pa->nhops; i++) {
        const struct hop *h = &pa->hops[i];
        const struct link *l = find_link(h, obj);
        json_t *nested = json_object_get(container, h->rel);
        const json_t *target = NULL;
        const char *tobj = NULL;
        if (l)
            target = follow(rows, rec, l->field, &tobj);
        if (!target || !tobj) {
            if (!nested)
                json_object_set_new(container, h->rel, json_null());
            return;
        }
        if (!json_is_object(nested)) {
            nested = record_shell(tobj, target, version);
            if (!nested)
                return;
            if (h->poly) /* the url names the real object, the type the Name entity */
                json_object_set_new(json_object_get(nested, "attributes"), "type",
                                    json_string("Name"));
            json_object_set_new(container, h->rel, nested);
        }
        container = nested;
        rec = target;
        obj = tobj;
    }
    f = pa->nhops ? find_final(pa, obj) : &pa->finals[0];
    json_object_set_new(
        container, f ? f->info.name : pa->finals[0].info.name,
        f ? copy_value(f->constant ? f->constant : json_object_get(rec, f->info.name))
          : json_null());
}

static json_t *project_child(const struct soql_query *sub, const json_t *rec,
                             const struct soql_rows *rows, const char *version)
{
    const json_t *idv = json_object_get(rec, "Id");
    json_t *matches = NULL, *records, *res;
    char id[19];
    size_t i;

    if (!json_is_string(idv))
        return json_null();
    stored_id(json_string_value(idv), json_string_length(idv), id);
    if (run(sub, rows, 0, sync_time_now_ms(), id, &matches) || json_array_size(matches) == 0) {
        json_decref(matches);
        return json_null();
    }
    records = json_array();
    for (i = 0; records && i < json_array_size(matches); i++)
        json_array_append_new(records,
                              soql_project(sub, json_array_get(matches, i), rows, version));
    res = json_pack("{s:I, s:b, s:o}", "totalSize", (json_int_t)json_array_size(matches), "done", 1,
                    "records", records);
    json_decref(matches);
    return res ? res : json_null();
}

json_t *soql_project(const struct soql_query *q, const json_t *rec, const struct soql_rows *rows,
                     const char *api_version)
{
    json_t *out = record_shell(q->object, rec, api_version);
    size_t i;

    for (i = 0; out && i < q->nitems; i++) {
        const struct item *it = &q->items[i];
        if (it->kind == I_FIELD)
            project_path(out, q->object, &it->path, rec, rows, api_version);
        else if (it->kind == I_SUB)
            json_object_set_new(out, it->sub->rel, project_child(it->sub, rec, rows, api_version));
    }
    return out;
}
