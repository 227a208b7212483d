/*
 * search.c: POST /crm/v3/objects/{objectType}/search. Parses the request
 * (filter groups, one sort, query, properties, limit, numeric after),
 * enforces HubSpot's limits (filter-group and filter counts, page size,
 * query length, the 10,000-result cap), evaluates the filters over the
 * records that are indexed (archived records never, recent writes only
 * once the configured indexing lag has passed), sorts and pages.
 *
 * The evaluator (search_value_matches, search_glob, search_query_matches)
 * is pure and unit-tested in tests/unit/emulators/hubspot/search.c. The
 * handler runs under the portal lock (routes.c).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

static const char *const op_names[] = {"EQ",
                                       "NEQ",
                                       "LT",
                                       "LTE",
                                       "GT",
                                       "GTE",
                                       "BETWEEN",
                                       "IN",
                                       "NOT_IN",
                                       "HAS_PROPERTY",
                                       "NOT_HAS_PROPERTY",
                                       "CONTAINS_TOKEN",
                                       "NOT_CONTAINS_TOKEN",
                                       NULL};

int search_op_parse(const char *s)
{
    for (int i = 0; s && op_names[i]; i++)
        if (strcmp(s, op_names[i]) == 0)
            return i;
    return -1;
}

/* ---- the pure evaluator ---- */

int search_glob(const char *pat, const char *text)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        if (*pat == '*') {
            star = pat++;
            resume = text;
        } else if (*pat && tolower((unsigned char)*pat) == tolower((unsigned char)*text)) {
            pat++;
            text++;
        } else if (star) {
            pat = star + 1;
            text = ++resume;
        } else {
            return 0;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

static int is_numeric_type(enum hs_ptype t)
{
    return t == HS_PT_NUMBER || t == HS_PT_DATE || t == HS_PT_DATETIME;
}

/* A value as a number: numbers as such, dates and datetimes as epoch ms (from ms or ISO). */
static int to_num(enum hs_ptype t, const char *s, double *out)
{
    char *end;
    int64_t ms;
    if (!s || !*s)
        return -1;
    *out = strtod(s, &end);
    if (*end == '\0' && end != s)
        return 0;
    if ((t == HS_PT_DATE || t == HS_PT_DATETIME) && sync_time_parse(s, &ms) == SYNC_OK) {
        *out = (double)ms;
        return 0;
    }
    return -1;
}

/* Stored datetimes are normalised ISO-8601 with milliseconds and dates YYYY-MM-DD, whose text
 * order is their time order; a filter value in the same form compares as text. */
static int same_form(enum hs_ptype t, const char *a, const char *b)
{
    size_t want = t == HS_PT_DATETIME ? 24 : t == HS_PT_DATE ? 10 : 0;
    if (!want || strlen(a) != want || strlen(b) != want)
        return 0;
    if (want == 24)
        return a[10] == 'T' && b[10] == 'T' && a[23] == 'Z' && b[23] == 'Z';
    return a[4] == '-' && b[4] == '-' && a[7] == '-' && b[7] == '-';
}

static int cmp_values(enum hs_ptype t, const char *stored, const char *value, int *out)
{
    if (same_form(t, stored, value)) {
        int c = strcmp(stored, value);
        *out = c < 0 ? -1 : c > 0;
        return 0;
    }
    if (is_numeric_type(t)) {
        double a, b;
        if (to_num(t, stored, &a) || to_num(t, value, &b))
            return -1;
        *out = a < b ? -1 : a > b;
        return 0;
    }
    *out = strcasecmp(stored, value);
    return 0;
}

static int equal_value(enum hs_ptype t, unsigned flags, const char *stored, const char *value)
{
    int c;
    if (t == HS_PT_ENUM) {
        if (flags & HS_PF_MULTI) {
            const char *q = stored;
            size_t vn = strlen(value);
            while (*q) {
                size_t n = strcspn(q, ";");
                if (n == vn && strncmp(q, value, n) == 0)
                    return 1;
                q += n;
                if (*q == ';')
                    q++;
            }
            return 0;
        }
        return strcmp(stored, value) == 0;
    }
    if (cmp_values(t, stored, value, &c))
        return 0;
    return c == 0;
}

static int in_values(enum hs_ptype t, unsigned flags, const char *stored, const char *const *values,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!values[i])
            continue;
        if (t == HS_PT_STRING || t == HS_PT_PHONE) {
            /* string IN needs lower-case values: compare against the lower-cased stored value */
            const char *a = stored, *b = values[i];
            while (*a && *b && tolower((unsigned char)*a) == *b) {
                a++;
                b++;
            }
            if (!*a && !*b)
                return 1;
        } else if (equal_value(t, flags, stored, values[i])) {
            return 1;
        }
    }
    return 0;
}

static int contains_token(const char *stored, const char *value)
{
    const char *q = stored;
    if (search_glob(value, stored))
        return 1;
    while (*q) {
        char tok[512];
        size_t n;
        while (*q && (isspace((unsigned char)*q) || *q == ',' || *q == ';'))
            q++;
        n = strcspn(q, " \t\r\n,;");
        if (!n)
            break;
        if (n < sizeof(tok)) {
            memcpy(tok, q, n);
            tok[n] = '\0';
            if (search_glob(value, tok))
                return 1;
        }
        q += n;
    }
    return 0;
}

int search_value_matches(enum hs_ptype type, unsigned flags, enum hs_op op, const char *stored,
                         const char *value, const char *high, const char *const *values,
                         size_t nvalues)
{
    int set = stored && *stored;
    int c;

    switch (op) {
    case HS_OP_HAS_PROPERTY:
        return set;
    case HS_OP_NOT_HAS_PROPERTY:
        return !set;
    case HS_OP_EQ:
        return set && value && equal_value(type, flags, stored, value);
    case HS_OP_NEQ:
        return !set || !value || !equal_value(type, flags, stored, value);
    case HS_OP_LT:
    case HS_OP_LTE:
    case HS_OP_GT:
    case HS_OP_GTE:
        if (!set || !value || cmp_values(type, stored, value, &c))
            return 0;
        return op == HS_OP_LT ? c < 0 : op == HS_OP_LTE ? c <= 0 : op == HS_OP_GT ? c > 0 : c >= 0;
    case HS_OP_BETWEEN: {
        int lo, hi;
        if (!set || !value || !high || cmp_values(type, stored, value, &lo) ||
            cmp_values(type, stored, high, &hi))
            return 0;
        return lo >= 0 && hi <= 0;
    }
    case HS_OP_IN:
        return set && in_values(type, flags, stored, values, nvalues);
    case HS_OP_NOT_IN:
        return !set || !in_values(type, flags, stored, values, nvalues);
    case HS_OP_CONTAINS_TOKEN:
        return set && value && contains_token(stored, value);
    case HS_OP_NOT_CONTAINS_TOKEN:
        return !set || !value || !contains_token(stored, value);
    }
    return 0;
}

static int ci_contains(const char *hay, const char *needle, size_t n)
{
    size_t hl = strlen(hay);
    for (size_t i = 0; i + n <= hl; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

int search_query_matches(const char *query, const char *const *values, size_t n)
{
    const char *q = query;
    while (*q) {
        size_t len;
        int hit = 0;
        while (*q && isspace((unsigned char)*q))
            q++;
        len = strcspn(q, " \t\r\n");
        if (!len)
            break;
        for (size_t i = 0; i < n && !hit; i++)
            if (values[i] && ci_contains(values[i], q, len))
                hit = 1;
        if (!hit)
            return 0;
        q += len;
    }
    return 1;
}

/* ---- the request ---- */

struct filter {
    struct hs_prop *prop; /* NULL: unknown property or association pseudo-property */
    int assoc_type;       /* >= 0 for associations.<type> */
    enum hs_op op;
    const char *value, *high;
    const char **values;
    size_t nvalues;
    char vbuf[64], hbuf[64];
};

struct group {
    struct filter *f;
    size_t n;
};

/* How hits compare: by a property's number, its stored date text, or its text ignoring
 * case; then by id. */
struct sort_mode {
    int numeric; /* 1: numbers, -1: dates (text order is time order), 0: text */
    int desc;
};

struct req {
    struct group *g;
    size_t ng;
    const char *query;
    struct hs_prop *sort;
    int sort_by_id;
    struct sort_mode mode;
    int64_t limit, after;
};

static void req_release(struct req *r)
{
    for (size_t i = 0; i < r->ng; i++) {
        for (size_t k = 0; k < r->g[i].n; k++)
            free(r->g[i].f[k].values);
        free(r->g[i].f);
    }
    free(r->g);
}

/* Rewrites a date or datetime filter value (epoch ms or ISO) in the stored form. A date value
 * that is not midnight UTC keeps its exact instant (compared numerically). */
static void normalise_when(enum hs_ptype t, const char **v, char *buf, size_t n)
{
    double d;
    int64_t ms;
    char tmp[SYNC_TIME_ISO_MAX];
    if (!*v || to_num(t, *v, &d))
        return;
    ms = (int64_t)d;
    if (t == HS_PT_DATE && ((ms % 86400000) + 86400000) % 86400000 != 0)
        return;
    if (t == HS_PT_DATE)
        sync_time_format_date(ms, tmp, sizeof(tmp));
    else
        sync_time_format_iso(ms, tmp, sizeof(tmp));
    snprintf(buf, n, "%s", tmp);
    *v = buf;
}

/* The property (or associations.<type>) a filter is on; -1 after failing c. */
static int filter_target(struct hs_ctx *c, int t, const char *name, struct filter *f)
{
    if (!name) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: filter propertyName is required");
        return -1;
    }
    if (strncmp(name, "associations.", 13) != 0) {
        f->prop = props_find(c->p, t, name);
        return 0;
    }
    f->assoc_type = hs_type_parse(name + 13);
    if (f->assoc_type < 0) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Unable to infer object type from: %s", name + 13);
        return -1;
    }
    return 0;
}

/* The values a filter's operator needs are there; -1 after failing c. */
static int filter_complete(struct hs_ctx *c, const struct filter *f, const char *op)
{
    if ((f->op == HS_OP_IN || f->op == HS_OP_NOT_IN) && !f->nvalues) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Operator %s requires values", op);
        return -1;
    }
    if (f->op == HS_OP_BETWEEN && (!f->value || !f->high)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Operator BETWEEN requires value and highValue");
        return -1;
    }
    if (f->op != HS_OP_IN && f->op != HS_OP_NOT_IN && f->op != HS_OP_HAS_PROPERTY &&
        f->op != HS_OP_NOT_HAS_PROPERTY && !f->value) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Operator %s requires a value", op ? op : "EQ");
        return -1;
    }
    return 0;
}

static int parse_filter(struct hs_ctx *c, int t, json_t *jf, struct filter *f)
{
    const char *op = sync_json_str(jf, "operator");
    json_t *vals = json_object_get(jf, "values");
    int o;

    memset(f, 0, sizeof(*f));
    f->assoc_type = -1;
    if (filter_target(c, t, sync_json_str(jf, "propertyName"), f))
        return -1;
    o = op ? search_op_parse(op) : HS_OP_EQ;
    if (o < 0) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Invalid input JSON: Cannot deserialize value of type `FilterOperatorEnum` from "
                "String \"%s\"",
                op);
        return -1;
    }
    f->op = (enum hs_op)o;
    f->value = hs_json_text(json_object_get(jf, "value"), f->vbuf, sizeof(f->vbuf));
    f->high = hs_json_text(json_object_get(jf, "highValue"), f->hbuf, sizeof(f->hbuf));
    if (f->prop && (f->prop->type == HS_PT_DATETIME || f->prop->type == HS_PT_DATE)) {
        normalise_when(f->prop->type, &f->value, f->vbuf, sizeof(f->vbuf));
        normalise_when(f->prop->type, &f->high, f->hbuf, sizeof(f->hbuf));
    }
    if (json_is_array(vals)) {
        size_t i;
        json_t *v;
        f->values = calloc(json_array_size(vals) + 1, sizeof(char *));
        json_array_foreach(vals, i, v)
        {
            if (f->values && json_is_string(v))
                f->values[f->nvalues++] = json_string_value(v);
        }
    }
    return filter_complete(c, f, op);
}

/* One filter group; counts its filters into *total. -1 after failing c. */
static int parse_group(struct hs_ctx *c, int t, json_t *jg, struct group *g, size_t *total)
{
    json_t *fs = json_object_get(jg, "filters"), *jf;
    size_t k;
    if (!json_is_array(fs))
        return 0;
    if ((int64_t)json_array_size(fs) > c->p->settings.search_max_filters_per_group) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Too many filters in a filter group: %zu (at most %lld are allowed)",
                json_array_size(fs), (long long)c->p->settings.search_max_filters_per_group);
        return -1;
    }
    *total += json_array_size(fs);
    g->f = calloc(json_array_size(fs) + 1, sizeof(*g->f));
    if (!g->f) {
        hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
        return -1;
    }
    json_array_foreach(fs, k, jf)
    {
        if (parse_filter(c, t, jf, &g->f[g->n]))
            return -1;
        g->n++;
    }
    return 0;
}

static int parse_groups(struct hs_ctx *c, int t, struct req *r)
{
    json_t *groups = json_object_get(c->body, "filterGroups"), *jg;
    const struct hs_settings *s = &c->p->settings;
    size_t total = 0, i;

    if (!groups || json_is_null(groups))
        return 0;
    if (!json_is_array(groups)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: filterGroups must be an array");
        return -1;
    }
    if ((int64_t)json_array_size(groups) > s->search_max_groups) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Too many filter groups: %zu (at most %lld filterGroups are allowed)",
                json_array_size(groups), (long long)s->search_max_groups);
        return -1;
    }
    r->g = calloc(json_array_size(groups) + 1, sizeof(*r->g));
    if (!r->g) {
        hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
        return -1;
    }
    json_array_foreach(groups, i, jg)
    {
        if (parse_group(c, t, jg, &r->g[r->ng++], &total))
            return -1;
    }
    if ((int64_t)total > s->search_max_filters) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Too many filters: %zu (at most %lld filters in total are allowed)", total,
                (long long)s->search_max_filters);
        return -1;
    }
    return 0;
}

/* The one sort: {"propertyName","direction"}, or a bare name ("-name" descending). */
static int parse_sort(struct hs_ctx *c, int t, struct req *r)
{
    json_t *sorts = json_object_get(c->body, "sorts"), *s0;
    const char *name, *dir;

    if (!json_is_array(sorts) || !json_array_size(sorts))
        return 0;
    if (json_array_size(sorts) > 1) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Only one sort is allowed");
        return -1;
    }
    s0 = json_array_get(sorts, 0);
    name = json_is_string(s0) ? json_string_value(s0) : sync_json_str(s0, "propertyName");
    dir = json_is_object(s0) ? sync_json_str(s0, "direction") : NULL;
    if (name && *name == '-') {
        name++;
        dir = "DESCENDING";
    }
    if (!name) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: sort propertyName missing");
        return -1;
    }
    if (dir && strcmp(dir, "ASCENDING") != 0 && strcmp(dir, "DESCENDING") != 0) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid sort direction %s", dir);
        return -1;
    }
    r->mode.desc = dir && strcmp(dir, "DESCENDING") == 0;
    r->sort_by_id = strcmp(name, "hs_object_id") == 0 || strcmp(name, "id") == 0;
    r->sort = r->sort_by_id ? NULL : props_find(c->p, t, name);
    if (r->sort)
        r->mode.numeric = r->sort->type == HS_PT_NUMBER                                    ? 1
                          : r->sort->type == HS_PT_DATE || r->sort->type == HS_PT_DATETIME ? -1
                                                                                           : 0;
    return 0;
}

/* limit (0..200, default 10) and the numeric after, below the result cap. */
static int parse_page(struct hs_ctx *c, struct req *r)
{
    json_t *jl = json_object_get(c->body, "limit");
    json_t *ja = json_object_get(c->body, "after");
    int64_t cap = c->p->settings.search_max_results;

    r->limit = 10;
    if (jl && !json_is_null(jl)) {
        if (!json_is_integer(jl) || json_integer_value(jl) < 0 || json_integer_value(jl) > 200) {
            hs_fail(c, 400, "VALIDATION_ERROR", "limit must be an integer from 0 to 200");
            return -1;
        }
        r->limit = json_integer_value(jl);
    }
    if (ja && !json_is_null(ja)) {
        char buf[32], *end;
        const char *a = hs_json_text(ja, buf, sizeof(buf));
        if (a && *a) {
            r->after = strtoll(a, &end, 10);
            if (*end || r->after < 0) {
                hs_fail(c, 400, "VALIDATION_ERROR", "after must be a numeric offset: %s", a);
                return -1;
            }
        }
    }
    if (r->after >= cap) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Search results are capped at %lld: page with a narrower filter instead of "
                "after=%lld",
                (long long)cap, (long long)r->after);
        return -1;
    }
    return 0;
}

static int parse_request(struct hs_ctx *c, int t, struct req *r)
{
    memset(r, 0, sizeof(*r));
    if (c->body && !json_is_object(c->body)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: expected an object");
        return -1;
    }
    if (parse_page(c, r))
        return -1;
    r->query = sync_json_str(c->body, "query");
    if (r->query && strlen(r->query) > 3000) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Query string is too long: at most 3000 characters");
        return -1;
    }
    return parse_groups(c, t, r) || parse_sort(c, t, r) ? -1 : 0;
}

/* ---- evaluation ---- */

static int has_edge(const struct hs_record *r, int type, uint64_t id)
{
    for (size_t i = 0; i < r->nedges; i++)
        if (r->edges[i].to_type == type && r->edges[i].to_id == id)
            return 1;
    return 0;
}

static const char *view_get(const struct hs_record *r, const struct hs_prop *prop, int snap)
{
    if (snap)
        return prop->idx < r->nsnap ? r->snap[prop->idx] : NULL;
    return hs_record_get(r, prop);
}

static int filter_matches(const struct filter *f, const struct hs_record *r, int snap)
{
    if (f->assoc_type >= 0) {
        int has = has_edge(r, f->assoc_type, hs_parse_id(f->value));
        return f->op == HS_OP_NEQ ? !has : has;
    }
    if (!f->prop)
        return search_value_matches(HS_PT_STRING, 0, f->op, NULL, f->value, f->high, f->values,
                                    f->nvalues);
    return search_value_matches(f->prop->type, f->prop->flags, f->op, view_get(r, f->prop, snap),
                                f->value, f->high, f->values, f->nvalues);
}

static int query_matches(struct hs_portal *p, const char *query, const struct hs_record *r,
                         int snap)
{
    const char *vals[16];
    size_t n = 0;
    const char *const *names = hs_types[r->type].searched;
    for (size_t i = 0; names[i] && n < 16; i++) {
        struct hs_prop *prop = props_find(p, r->type, names[i]);
        if (prop)
            vals[n++] = view_get(r, prop, snap);
    }
    return search_query_matches(query, vals, n);
}

/* Filters within a group are ANDed, groups ORed; then the free-text query. */
static int record_matches(struct hs_portal *p, const struct req *q, const struct hs_record *r,
                          int snap)
{
    int ok_any = q->ng == 0;
    for (size_t i = 0; i < q->ng && !ok_any; i++) {
        int ok = 1;
        for (size_t k = 0; k < q->g[i].n && ok; k++)
            ok = filter_matches(&q->g[i].f[k], r, snap);
        ok_any = ok;
    }
    if (ok_any && q->query && *q->query)
        ok_any = query_matches(p, q->query, r, snap);
    return ok_any;
}

/* ---- ordering ---- */

struct hit {
    const struct hs_record *r;
    const struct sort_mode *m;
    double num;
    const char *str;
    int has;
};

static int hit_cmp(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    int c = 0;
    if (x->has != y->has) {
        c = x->has ? 1 : -1; /* unset values first when ascending */
    } else if (x->has) {
        if (x->m->numeric > 0)
            c = x->num < y->num ? -1 : x->num > y->num;
        else if (x->m->numeric < 0)
            c = strcmp(x->str, y->str);
        else
            c = strcasecmp(x->str, y->str);
    }
    if (x->m->desc)
        c = -c;
    if (c == 0)
        c = x->r->id < y->r->id ? -1 : x->r->id > y->r->id;
    return c;
}

static void sift_down(struct hit *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, big = i;
        struct hit tmp;
        if (l < n && hit_cmp(&h[l], &h[big]) > 0)
            big = l;
        if (r < n && hit_cmp(&h[r], &h[big]) > 0)
            big = r;
        if (big == i)
            return;
        tmp = h[i];
        h[i] = h[big];
        h[big] = tmp;
        i = big;
    }
}

/* Moves the k first hits in sort order to h[0..k) (unordered): a max-heap of the k best so
 * far, O(n log k). */
static void select_first(struct hit *h, size_t n, size_t k)
{
    if (k == 0)
        return;
    for (size_t i = k / 2; i-- > 0;)
        sift_down(h, k, i);
    for (size_t i = k; i < n; i++) {
        if (hit_cmp(&h[i], &h[0]) < 0) {
            struct hit tmp = h[0];
            h[0] = h[i];
            h[i] = tmp;
            sift_down(h, k, 0);
        }
    }
}

/* Puts the hits a page needs (the first after + limit) in order. */
static void order_hits(const struct req *q, struct hit *hits, size_t nhits)
{
    size_t k;
    if (q->sort_by_id && q->mode.desc) {
        /* the store is in id order already */
        for (size_t i = 0; i < nhits / 2; i++) {
            struct hit tmp = hits[i];
            hits[i] = hits[nhits - 1 - i];
            hits[nhits - 1 - i] = tmp;
        }
        return;
    }
    if (!q->sort || nhits < 2 || q->after >= (int64_t)nhits)
        return;
    k = (size_t)(q->after + q->limit) < nhits ? (size_t)(q->after + q->limit) : nhits;
    if (k < nhits / 2)
        select_first(hits, nhits, k);
    else
        k = nhits;
    qsort(hits, k, sizeof(*hits), hit_cmp);
}

/* ---- the handler ---- */

static void hit_set(struct hit *h, const struct req *q, const struct hs_record *r, int snap)
{
    const char *v = q->sort ? view_get(r, q->sort, snap) : NULL;
    h->r = r;
    h->m = &q->mode;
    h->num = 0;
    h->str = v;
    h->has = v && *v;
    if (h->has && q->sort->type == HS_PT_NUMBER && to_num(q->sort->type, v, &h->num))
        h->has = 0;
}

/* Without filters, a query or records waiting to be indexed, every live record matches: the
 * count is known, so only the page is collected. */
static size_t collect_all(const struct hs_store *s, const struct req *q, struct hit *hits,
                          size_t *npage)
{
    size_t seen = 0;
    for (size_t i = 0; i < s->n && (int64_t)seen < q->after + q->limit; i++) {
        if (s->v[i]->archived)
            continue;
        if ((int64_t)seen >= q->after)
            hit_set(&hits[(*npage)++], q, s->v[i], 0);
        seen++;
    }
    return s->live;
}

/* Matches every indexed record (recent writes as search last saw them). When stream is set
 * the store order is the answer, so only the page is kept; *npage counts it. Returns the
 * number of matches. */
static size_t collect(struct hs_portal *p, const struct hs_store *s, const struct req *q,
                      int64_t now, int stream, struct hit *hits, size_t *npage)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct hs_record *r = s->v[i];
        int snap = r->search_at > now;
        if (r->archived || (snap && !r->snap) || !record_matches(p, q, r, snap))
            continue;
        if (!stream)
            hit_set(&hits[n], q, r, snap);
        else if ((int64_t)n >= q->after && (int64_t)n < q->after + q->limit)
            hit_set(&hits[(*npage)++], q, r, snap);
        n++;
    }
    return n;
}

/* {"total","results":[hits[from..to)],"paging"?}: paging when records remain past next. */
static void reply_page(struct hs_ctx *c, int t, const struct hit *hits, size_t from, size_t to,
                       size_t total, int64_t next)
{
    struct hs_sel ps = {0};
    struct hs_out o;
    struct sync_buf b = SYNC_BUF_INIT(0);

    memset(&o, 0, sizeof(o));
    hs_sel_add_json(c->p, t, &ps, json_object_get(c->body, "properties"));
    if (ps.given && ps.n == 0)
        ps.given = 0;
    o.props = &ps;
    sync_buf_addf(&b, "{\"total\":%zu,\"results\":[", total);
    for (size_t i = from; i < to; i++)
        render_record(&b, c->p, hits[i].r, &o);
    sync_buf_addch(&b, ']');
    if (next < (int64_t)total && to > from)
        sync_buf_addf(&b, ",\"paging\":{\"next\":{\"after\":\"%lld\"}}", (long long)next);
    sync_buf_addch(&b, '}');
    hs_reply_text(c, 200, &b);
    hs_sel_release(&ps);
}

void search_h_search(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    struct req q;
    struct hs_store *s;
    struct hit *hits;
    size_t nhits, npage = 0;
    int64_t now = sync_time_now_ms();
    int stream, all;

    if (t < 0)
        return;
    if (parse_request(c, t, &q)) {
        req_release(&q);
        return;
    }
    s = &c->p->st[t];
    /* without a sort (or sorted by id ascending) the store order is the answer */
    stream = !q.sort && !(q.sort_by_id && q.mode.desc);
    all = stream && q.ng == 0 && !(q.query && *q.query) && now >= c->p->lag_until;
    hits = malloc(((stream ? (size_t)q.limit : s->n) + 1) * sizeof(*hits));
    if (!hits) {
        req_release(&q);
        hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    nhits =
        all ? collect_all(s, &q, hits, &npage) : collect(c->p, s, &q, now, stream, hits, &npage);
    if (stream) {
        reply_page(c, t, hits, 0, npage, nhits, q.after + q.limit);
    } else {
        size_t end = q.after + q.limit < (int64_t)nhits ? (size_t)(q.after + q.limit) : nhits;
        order_hits(&q, hits, nhits);
        reply_page(c, t, hits, (size_t)q.after < end ? (size_t)q.after : end, end, nhits,
                   q.after + q.limit);
    }
    free(hits);
    req_release(&q);
}
