/*
 * soql_int.h: what the files of the SOQL module share and nothing else:
 * the parsed tree, the parser state and the few helpers that cross file
 * boundaries (soql__ names). The module is split by stage, all behind
 * soql.h:
 *
 *   soql.c          text -> tree: the lexer, the parser, literal decoding,
 *                   the parse entry points and freeing
 *   soql_check.c    tree -> checked tree: names and literals resolved
 *                   against the caller's catalog (INVALID_FIELD, ...)
 *   soql_exec.c     reading values through paths, WHERE evaluation,
 *                   ORDER BY, LIMIT/OFFSET: soql_execute, soql_matches
 *   soql_project.c  one record shaped as the REST answer: soql_project
 *
 * Only those four files include this header.
 */
#ifndef EMU_SALESFORCE_SOQL_INT_H
#define EMU_SALESFORCE_SOQL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "emulators/salesforce/ids.h"
#include "emulators/salesforce/soql.h"

#define SOQL_MAX_HOPS 5      /* parent relationship levels in one path */
#define SOQL_MAX_TARGETS 16  /* objects a polymorphic path may reach */
#define SOQL_MAX_DEPTH 64    /* nesting of parentheses and NOTs */
#define SOQL_OFFSET_MAX 2000 /* Salesforce's largest OFFSET */
#define SOQL_FIELDS_LIMIT 200

/* ---- the tree ---- */

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

struct parser {
    const char *text;
    size_t len;
    struct tok *toks;
    size_t ntoks, toks_cap, i;
    const struct soql_catalog *cat;
    struct sync_err *err;
    int depth;
};

/* ---- shared helpers ---- */

/* soql.c: makes room for one more element in *arr (of *cap elements of size sz); 0 on success. */
int soql__grow(void **arr, size_t *cap, size_t n, size_t sz);
/* soql.c: a 400 error in Salesforce's form (query line, caret, row and column, message). */
enum sync_rc soql__fail_at(const struct parser *p, size_t pos, const char *code, const char *fmt,
                           ...) __attribute__((format(printf, 4, 5)));
enum sync_rc soql__fail_nomem(const struct parser *p);
void soql__path_free(struct path *pa);

/* soql_check.c: resolves a parsed query (parent: the object a child subquery hangs from, or
 * NULL) or a bare condition on object base. */
enum sync_rc soql__resolve_query(struct parser *p, struct soql_query *q, const char *parent);
enum sync_rc soql__resolve_node(struct parser *p, const char *base, struct node *n);

/* soql_exec.c: a stored id in canonical form (ids that are not well formed are copied as they
 * are); the record a reference field of cur points at (borrowed; *object gets its type); the
 * link and the final field of a path on one object; running a (sub)query into a new array of
 * references to the matching records (parent_id: only children of that record). */
void soql__stored_id(const char *s, size_t len, char out[IDS_LEN + 1]);
const json_t *soql__follow(const struct soql_rows *rows, const json_t *cur, const char *field,
                           const char **object);
const struct link *soql__find_link(const struct hop *h, const char *object);
const struct final *soql__find_final(const struct path *pa, const char *object);
enum sync_rc soql__run(const struct soql_query *q, const struct soql_rows *rows,
                       int include_deleted, int64_t now, const char *parent_id, json_t **out);

#endif
