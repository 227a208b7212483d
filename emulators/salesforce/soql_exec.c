/*
 * soql_exec.c: the SOQL executor (see soql_int.h): reads a record's value
 * through a checked path (following parent references with the caller's
 * rows->get), evaluates WHERE with Salesforce's rules (case-insensitive
 * text, null and boolean rules, date literals as ranges, LIKE, multipicklist
 * sets), sorts with ORDER BY (ties broken by Id) and applies OFFSET and
 * LIMIT. Matching allocates nothing per record. Entry points
 * soql_execute and soql_matches (soql.h); soql_project.c calls soql__run
 * for child subqueries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/salesforce/soql_int.h"

#define DAY_MS ((int64_t)86400000)

/* ASCII lower case, whatever the locale. */
static char to_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

void soql__stored_id(const char *s, size_t len, char out[IDS_LEN + 1])
{
    if (ids_canonical(s, out) == 0)
        return;
    if (len > 18)
        len = 18;
    memcpy(out, s, len);
    out[len] = '\0';
}

/* ---------------------------------------------------------------- reading values */

const struct link *soql__find_link(const struct hop *h, const char *object)
{
    size_t i;

    if (h->nlinks == 1)
        return strcasecmp(h->links[0].object, object) == 0 ? &h->links[0] : NULL;
    for (i = 0; i < h->nlinks; i++)
        if (strcasecmp(h->links[i].object, object) == 0)
            return &h->links[i];
    return NULL;
}

const struct final *soql__find_final(const struct path *pa, const char *object)
{
    size_t i;

    for (i = 0; i < pa->nfinals; i++)
        if (strcasecmp(pa->finals[i].object, object) == 0)
            return &pa->finals[i];
    return NULL;
}

/* borrowed: the record a reference field of cur points at, or NULL. */
const json_t *soql__follow(const struct soql_rows *rows, const json_t *cur, const char *field,
                           const char **object)
{
    const json_t *ref = json_object_get(cur, field);
    char id[19];

    if (!rows || !rows->get || !json_is_string(ref))
        return NULL;
    soql__stored_id(json_string_value(ref), json_string_length(ref), id);
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
        const struct link *l = soql__find_link(&pa->hops[i], obj);
        if (!l || !(rec = soql__follow(rows, rec, l->field, &obj)) || !obj)
            return NULL;
    }
    f = soql__find_final(pa, obj);
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
        soql__stored_id(json_string_value(v), json_string_length(v), id);
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
            soql__stored_id(json_string_value(v), json_string_length(v), k->u.id);
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
        soql__stored_id(json_string_value(ref), json_string_length(ref), id);
        if (strcmp(id, c->parent_id) != 0)
            return 0;
    }
    if (c->q->where && !eval_node(&c->e, c->q->where, rec))
        return 0;
    if (soql__grow((void **)&c->rows, &c->cap, c->n, sizeof(*c->rows))) {
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
            soql__stored_id(json_string_value(id), json_string_length(id), r->id);
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
enum sync_rc soql__run(const struct soql_query *q, const struct soql_rows *rows,
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
    enum sync_rc rc = soql__run(q, rows, include_deleted, now_ms, NULL, out);

    if (rc)
        return sync_err_set(err, rc, "out of memory running SOQL");
    return SYNC_OK;
}
