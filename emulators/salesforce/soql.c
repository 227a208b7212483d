/*
 * soql.c: the front of the Salesforce emulator's SOQL module (see soql.h;
 * soql_int.h says how the module is split): the lexer cuts the text into
 * tokens, the parser builds the tree (SELECT items, a WHERE tree, ORDER BY
 * keys, LIMIT and OFFSET) holding names as written and literals decoded,
 * and the entry points hand the tree to the checker (soql_check.c)
 * before giving it to the caller. Also frees trees, and formats errors in
 * Salesforce's caret form for the checker too.
 *
 * A parsed query is never modified afterwards, so one query may be run
 * from several threads at once. Called by the Salesforce emulator's
 * query, composite, validation-rule and control code.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/salesforce/soql_int.h"

/* ---------------------------------------------------------------- characters */

/* ASCII classes, whatever the locale. */
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

/* ---------------------------------------------------------------- freeing */

void soql__path_free(struct path *pa)
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
    soql__path_free(&n->path);
    free(n);
}

void soql_query_free(struct soql_query *q)
{
    size_t i;

    if (!q)
        return;
    for (i = 0; i < q->nitems; i++) {
        soql__path_free(&q->items[i].path);
        soql_query_free(q->items[i].sub);
    }
    free(q->items);
    node_free(q->where);
    for (i = 0; i < q->norders; i++)
        soql__path_free(&q->orders[i].path);
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

int soql__grow(void **arr, size_t *cap, size_t n, size_t sz)
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

/* A 400 error in Salesforce's form: the query line, a caret under pos, the row and column,
 * then the message. Long lines are cut to a window around pos. */
enum sync_rc soql__fail_at(const struct parser *p, size_t pos, const char *code, const char *fmt,
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

enum sync_rc soql__fail_nomem(const struct parser *p)
{
    return sync_err_set(p->err, SYNC_ERR_NOMEM, "out of memory parsing SOQL");
}

static enum sync_rc unexpected(const struct parser *p, const struct tok *t)
{
    if (t->kind == T_EOF)
        return soql__fail_at(p, t->pos, "MALFORMED_QUERY", "unexpected token: '<EOF>'");
    return soql__fail_at(p, t->pos, "MALFORMED_QUERY", "unexpected token: '%.*s'",
                         (int)(t->len > 100 ? 100 : t->len), p->text + t->pos);
}
/* ---------------------------------------------------------------- lexer */

static int is_ident_start(char c)
{
    return is_upper(c) || is_lower(c) || c == '_';
}

static int is_ident_char(char c)
{
    return is_upper(c) || is_lower(c) || is_digit(c) || c == '_';
}

static int is_datetime_char(char c)
{
    return is_digit(c) || c == '-' || c == ':' || c == '.' || c == '+' || c == 'T' || c == 't' ||
           c == 'Z' || c == 'z';
}

static enum sync_rc push_tok(struct parser *p, enum tok_kind kind, size_t pos, size_t len,
                             enum cmp_op op)
{
    if (soql__grow((void **)&p->toks, &p->toks_cap, p->ntoks, sizeof(*p->toks)))
        return soql__fail_nomem(p);
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
                return soql__fail_at(p, start, "MALFORMED_QUERY", "unterminated string literal");
            i++;
            rc = push_tok(p, T_STRING, start, i - start, op);
        } else if (is_digit(c) || ((c == '-' || c == '+') && is_digit(s[i + 1]))) {
            i = lex_number(s, i, &kind);
            if (is_ident_start(s[i]) || s[i] == '.') {
                while (i < p->len && (is_ident_char(s[i]) || s[i] == '.'))
                    i++;
                return soql__fail_at(p, start, "MALFORMED_QUERY", "unexpected token: '%.*s'",
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
            return soql__fail_at(p, start, "MALFORMED_QUERY", "unexpected token: '%.*s'", (int)n,
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
    return pa->text ? SYNC_OK : soql__fail_nomem(p);
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
        *rc =
            soql__fail_at(p, t->pos, "NUMBER_OUTSIDE_VALID_RANGE", "Number out of range: %s", buf);
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
    return soql__fail_at(
        p, t->pos, "MALFORMED_QUERY",
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

/* The character a simple escape (\n, \', ...) stands for; 0 when e is not one. */
static char simple_escape(char e)
{
    switch (e) {
    case '\'':
    case '"':
    case '\\':
        return e;
    case 'n':
    case 'N':
        return '\n';
    case 'r':
    case 'R':
        return '\r';
    case 't':
    case 'T':
        return '\t';
    case 'b':
    case 'B':
        return '\b';
    case 'f':
    case 'F':
        return '\f';
    default:
        return 0;
    }
}

/* Decodes the escape whose letter is s[*i] into d (at *k); -1 when it is not a legal one.
 * For LIKE, an escaped wildcard or backslash stays escaped in the pattern. */
static int decode_escape(const char *s, size_t n, size_t *i, int like, char *d, size_t *k)
{
    char e = s[*i], out = simple_escape(e);
    unsigned long cp;

    if (out) {
        if (like && out == '\\')
            d[(*k)++] = '\\';
        d[(*k)++] = out;
        return 0;
    }
    if (e == '%' || e == '_') {
        if (!like)
            return -1;
        d[(*k)++] = '\\';
        d[(*k)++] = e;
        return 0;
    }
    if (e != 'u' || decode_u(s, n, i, &cp))
        return -1;
    if (like && (cp == '%' || cp == '_' || cp == '\\'))
        d[(*k)++] = '\\';
    *k += utf8_put(d + *k, cp);
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
        return soql__fail_nomem(p);
    for (i = 0; i < n; i++) {
        size_t at;
        if (s[i] != '\\') {
            d[k++] = s[i];
            continue;
        }
        at = t->pos + ++i; /* the backslash, counted from the token's quote */
        if (decode_escape(s, n, &i, like, d, &k)) {
            free(d);
            return bad_escape(p, t, at);
        }
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
            return soql__fail_at(p, t->pos, "MALFORMED_QUERY",
                                 "invalid date or dateTime literal: '%s'", buf);
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
        if (soql__grow((void **)&n->lits, &cap, n->nlits, sizeof(*n->lits)))
            return soql__fail_nomem(p);
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
            return soql__fail_nomem(p);
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
            return soql__fail_at(p, peek2(p)->pos, "MALFORMED_QUERY",
                                 "semi-join subqueries are not supported by this server");
        return parse_lit_list(p, n);
    }
    if (accept_kw(p, "LIKE")) {
        n->kind = N_LIKE;
        if (peek(p)->kind != T_STRING)
            return unexpected(p, peek(p));
        n->lits = calloc(1, sizeof(*n->lits));
        if (!n->lits)
            return soql__fail_nomem(p);
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
                return soql__fail_at(p, n->lits[i].pos, "MALFORMED_QUERY",
                                     "unexpected token: '%.*s'", (int)n->lits[i].len,
                                     p->text + n->lits[i].pos);
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
        return soql__fail_at(p, t->pos, "MALFORMED_QUERY", "conditions are nested too deeply");
    if (t->kind == T_LPAREN) {
        advance(p);
        if ((rc = parse_cond(p, out)))
            return rc;
        p->depth--;
        return expect_kind(p, T_RPAREN);
    }
    n = node_new(N_CMP, t->pos);
    if (!n)
        return soql__fail_nomem(p);
    *out = n;
    if (is_kw(p, t, "NOT")) {
        advance(p);
        n->kind = N_NOT;
        n->kids = calloc(1, sizeof(*n->kids));
        if (!n->kids)
            return soql__fail_nomem(p);
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
    if (!n || soql__grow((void **)&n->kids, &cap, 0, sizeof(*n->kids))) {
        free(n);
        return soql__fail_nomem(p);
    }
    n->kids[n->nkids++] = first;
    *out = n;
    while (accept_kw(p, conj)) {
        if (soql__grow((void **)&n->kids, &cap, n->nkids, sizeof(*n->kids)))
            return soql__fail_nomem(p);
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

    if (soql__grow((void **)&q->items, &q->items_cap, q->nitems, sizeof(*q->items)))
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
            return soql__fail_nomem(p);
        if ((rc = parse_query(p, it->sub, 1)))
            return rc;
        return expect_kind(p, T_RPAREN);
    }
    if (is_kw(p, t, "COUNT") && peek2(p)->kind == T_LPAREN) {
        advance(p);
        advance(p);
        if (peek(p)->kind != T_RPAREN)
            return soql__fail_at(p, peek(p)->pos, "MALFORMED_QUERY",
                                 "aggregate functions other than COUNT() are not supported by this "
                                 "server");
        advance(p);
        return push_item(q, I_COUNT, t->pos) ? SYNC_OK : soql__fail_nomem(p);
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
            return soql__fail_nomem(p);
        it->mode = mode;
        return SYNC_OK;
    }
    if (!(it = push_item(q, I_FIELD, t->pos)))
        return soql__fail_nomem(p);
    return parse_path(p, &it->path);
}

static enum sync_rc parse_order(struct parser *p, struct soql_query *q)
{
    enum sync_rc rc;

    for (;;) {
        struct order *o;
        if (soql__grow((void **)&q->orders, &q->orders_cap, q->norders, sizeof(*q->orders)))
            return soql__fail_nomem(p);
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
        return soql__fail_nomem(p);
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
            return soql__fail_at(p, t->pos, "NUMBER_OUTSIDE_VALID_RANGE",
                                 "Maximum SOQL offset allowed is %d", SOQL_OFFSET_MAX);
    }
    if (sub ? peek(p)->kind != T_RPAREN : peek(p)->kind != T_EOF)
        return unexpected(p, peek(p));
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
        return soql__fail_nomem(&p);
    rc = lex(&p);
    if (!rc)
        rc = parse_query(&p, q, 0);
    if (!rc)
        rc = soql__resolve_query(&p, q, NULL);
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
        return soql__fail_nomem(&p);
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
        rc = soql__resolve_node(&p, q->object, q->where);
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
