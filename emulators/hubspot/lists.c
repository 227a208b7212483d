/*
 * lists.c: lists (/crm/v3/lists), so that an inclusion list can be
 * evaluated: MANUAL and SNAPSHOT lists with explicit memberships (add,
 * remove, add-and-remove, clear, read paged), DYNAMIC lists whose
 * membership is computed from their filterBranch (OR of AND branches of
 * PROPERTY filters), list search, lookup by id, ids and name, rename,
 * delete and restore, and the lists a record belongs to.
 *
 * State is a struct lists_state in p->lists; callers hold the portal lock.
 * objects.c calls lists_forget when a record is purged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

struct member {
    uint64_t id;
    int64_t first_added, added;
};

struct list {
    int64_t id;
    char *name;
    int type;
    char processing[16];
    json_t *filter; /* filterBranch or NULL */
    struct member *m;
    size_t n, cap;
    int archived;
    int64_t created, updated, deleted_at, version;
};

struct lists_state {
    struct list **v;
    size_t n, cap;
    int64_t next_id;
};

#define LS(p) ((struct lists_state *)(p)->lists)

static void list_free(struct list *l)
{
    free(l->name);
    json_decref(l->filter);
    free(l->m);
    free(l);
}

void lists_init(struct hs_portal *p)
{
    struct lists_state *s = calloc(1, sizeof(*s));
    if (s)
        s->next_id = 1;
    p->lists = s;
}

void lists_release(struct hs_portal *p)
{
    struct lists_state *s = LS(p);
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        list_free(s->v[i]);
    free(s->v);
    free(s);
    p->lists = NULL;
}

static long member_find(const struct list *l, uint64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->m[i].id == id)
            return (long)i;
    return -1;
}

void lists_forget(struct hs_portal *p, enum hs_type t, uint64_t id)
{
    struct lists_state *s = LS(p);
    for (size_t i = 0; s && i < s->n; i++) {
        struct list *l = s->v[i];
        long k;
        if (l->type != (int)t || (k = member_find(l, id)) < 0)
            continue;
        l->m[k] = l->m[--l->n];
    }
}

/* ---- dynamic lists ---- */

static int ci_has(const char *hay, const char *needle)
{
    size_t n = strlen(needle), h = strlen(hay);
    for (size_t i = 0; i + n <= h; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

static int eval_operation(struct hs_prop *prop, const char *v, json_t *op)
{
    const char *oper = sync_json_str(op, "operator");
    const char *value = sync_json_str(op, "value");
    json_t *values = json_object_get(op, "values");
    int set = v && *v;
    if (!oper)
        return 0;
    if (!set && sync_json_bool(op, "includeObjectsWithNoValueSet", 0))
        return 1;
    if (strcmp(oper, "IS_KNOWN") == 0)
        return set;
    if (strcmp(oper, "IS_UNKNOWN") == 0)
        return !set;
    if (!set)
        return strstr(oper, "NOT") != NULL || strstr(oper, "NONE") != NULL;
    if (strcmp(oper, "IS_EQUAL_TO") == 0 || strcmp(oper, "IS") == 0)
        return value &&
               search_value_matches(prop->type, prop->flags, HS_OP_EQ, v, value, NULL, NULL, 0);
    if (strcmp(oper, "IS_NOT_EQUAL_TO") == 0 || strcmp(oper, "IS_NOT") == 0)
        return !value ||
               !search_value_matches(prop->type, prop->flags, HS_OP_EQ, v, value, NULL, NULL, 0);
    if (strcmp(oper, "CONTAINS") == 0)
        return value && ci_has(v, value);
    if (strcmp(oper, "DOES_NOT_CONTAIN") == 0)
        return !value || !ci_has(v, value);
    if (strcmp(oper, "STARTS_WITH") == 0)
        return value && strncasecmp(v, value, strlen(value)) == 0;
    if (strcmp(oper, "ENDS_WITH") == 0)
        return value && strlen(v) >= strlen(value) &&
               strcasecmp(v + strlen(v) - strlen(value), value) == 0;
    if (strcmp(oper, "IS_GREATER_THAN") == 0 || strcmp(oper, "IS_AFTER") == 0)
        return value &&
               search_value_matches(prop->type, prop->flags, HS_OP_GT, v, value, NULL, NULL, 0);
    if (strcmp(oper, "IS_LESS_THAN") == 0 || strcmp(oper, "IS_BEFORE") == 0)
        return value &&
               search_value_matches(prop->type, prop->flags, HS_OP_LT, v, value, NULL, NULL, 0);
    if (strcmp(oper, "IS_ANY_OF") == 0 || strcmp(oper, "IS_NONE_OF") == 0) {
        size_t i;
        json_t *x;
        int hit = 0;
        json_array_foreach(values, i, x)
        {
            if (json_is_string(x) && search_value_matches(prop->type, prop->flags, HS_OP_EQ, v,
                                                          json_string_value(x), NULL, NULL, 0))
                hit = 1;
        }
        return strcmp(oper, "IS_ANY_OF") == 0 ? hit : !hit;
    }
    return 0;
}

static int eval_branch(struct hs_portal *p, const struct hs_record *r, json_t *b)
{
    const char *type = sync_json_str(b, "filterBranchType");
    json_t *filters = json_object_get(b, "filters");
    json_t *branches = json_object_get(b, "filterBranches");
    int is_or = type && strcmp(type, "OR") == 0;
    size_t i;
    json_t *x;

    json_array_foreach(filters, i, x)
    {
        const char *name = sync_json_str(x, "property");
        struct hs_prop *prop = name ? props_find(p, r->type, name) : NULL;
        int ok =
            prop && eval_operation(prop, hs_record_get(r, prop), json_object_get(x, "operation"));
        if (is_or && ok)
            return 1;
        if (!is_or && !ok)
            return 0;
    }
    json_array_foreach(branches, i, x)
    {
        int ok = eval_branch(p, r, x);
        if (is_or && ok)
            return 1;
        if (!is_or && !ok)
            return 0;
    }
    return is_or ? 0 : 1;
}

/* Recomputes a dynamic list's members from its filter. */
static void refresh(struct hs_portal *p, struct list *l)
{
    struct hs_store *s;
    size_t n = 0;
    if (strcmp(l->processing, "DYNAMIC") != 0 || !l->filter)
        return;
    s = &p->st[l->type];
    free(l->m);
    l->m = calloc(s->n ? s->n : 1, sizeof(*l->m));
    l->cap = s->n;
    for (size_t i = 0; l->m && i < s->n; i++) {
        const struct hs_record *r = s->v[i];
        if (r->archived || !eval_branch(p, r, l->filter))
            continue;
        l->m[n].id = r->id;
        l->m[n].first_added = l->m[n].added = r->updated;
        n++;
    }
    l->n = l->m ? n : 0;
}

/* ---- JSON ---- */

static json_t *list_json(struct hs_portal *p, struct list *l, int filters)
{
    char id[32], a[SYNC_TIME_ISO_MAX], b[SYNC_TIME_ISO_MAX];
    json_t *o;
    refresh(p, l);
    snprintf(id, sizeof(id), "%lld", (long long)l->id);
    sync_time_format_iso(l->created, a, sizeof(a));
    sync_time_format_iso(l->updated, b, sizeof(b));
    o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:{}}", "listId", id,
                  "listVersion", (json_int_t)l->version, "name", l->name, "objectTypeId",
                  hs_types[l->type].type_id, "processingType", l->processing, "processingStatus",
                  "COMPLETE", "createdAt", a, "updatedAt", b, "createdById", "4242", "updatedById",
                  "4242", "size", (json_int_t)l->n, "additionalProperties");
    json_object_set_new(o, "filtersUpdatedAt", json_string(a));
    if (l->archived) {
        sync_time_format_iso(l->deleted_at, a, sizeof(a));
        json_object_set_new(o, "deletedAt", json_string(a));
    }
    if (filters && l->filter)
        json_object_set(o, "filterBranch", l->filter);
    return o;
}

static struct list *find_list(struct hs_portal *p, const char *id, int archived)
{
    struct lists_state *s = LS(p);
    int64_t want = strtoll(id, NULL, 10);
    for (size_t i = 0; s && i < s->n; i++)
        if (s->v[i]->id == want && (s->v[i]->archived != 0) == (archived != 0))
            return s->v[i];
    return NULL;
}

static struct list *list_param(struct hs_ctx *c, int archived)
{
    struct list *l = find_list(c->p, c->params[0], archived);
    if (!l)
        hs_fail(c, 404, "OBJECT_NOT_FOUND", "List %s does not exist.", c->params[0]);
    return l;
}

/* ---- handlers ---- */

/* The checks of a list create body: the object type through *t; -1 after failing c. */
static int check_create(struct hs_ctx *c, int *t)
{
    struct lists_state *s = LS(c->p);
    const char *name = sync_json_str(c->body, "name");
    const char *type = sync_json_str(c->body, "objectTypeId");
    const char *proc = sync_json_str(c->body, "processingType");

    if (!name || !*name || !type || !proc) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Invalid input JSON: name, objectTypeId and processingType are required");
        return -1;
    }
    *t = hs_type_parse(type);
    if (*t < 0) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Unable to infer object type from: %s", type);
        return -1;
    }
    if (strcmp(proc, "MANUAL") != 0 && strcmp(proc, "SNAPSHOT") != 0 &&
        strcmp(proc, "DYNAMIC") != 0) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "processingType must be MANUAL, SNAPSHOT or DYNAMIC, not %s", proc);
        return -1;
    }
    if (strcmp(proc, "DYNAMIC") == 0 && !json_is_object(json_object_get(c->body, "filterBranch"))) {
        hs_fail(c, 400, "VALIDATION_ERROR", "A DYNAMIC list needs a filterBranch");
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (!s->v[i]->archived && strcasecmp(s->v[i]->name, name) == 0) {
            hs_reply(c, 400,
                     hs_error_body("VALIDATION_ERROR", "ILS.DUPLICATE_LIST_NAMES", NULL, NULL,
                                   "A list named %s already exists.", name));
            return -1;
        }
    }
    return 0;
}

/* A new list of type t from a checked body, added to the lists; NULL when out of memory. */
static struct list *list_new(struct hs_portal *p, int t, const json_t *body)
{
    struct lists_state *s = LS(p);
    json_t *filter = json_object_get(body, "filterBranch");
    struct list *l;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct list **v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        s->v = v;
        s->cap = cap;
    }
    l = calloc(1, sizeof(*l));
    if (!l || !(l->name = strdup(sync_json_str(body, "name")))) {
        free(l);
        return NULL;
    }
    l->id = s->next_id++;
    l->type = t;
    snprintf(l->processing, sizeof(l->processing), "%s", sync_json_str(body, "processingType"));
    l->filter = json_is_object(filter) ? json_deep_copy(filter) : NULL;
    l->created = l->updated = sync_time_now_ms();
    l->version = 1;
    s->v[s->n++] = l;
    return l;
}

void lists_h_create(struct hs_ctx *c)
{
    struct list *l;
    int t;

    if (check_create(c, &t))
        return;
    l = list_new(c->p, t, c->body);
    if (!l) {
        hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    if (strcmp(l->processing, "SNAPSHOT") == 0 && l->filter) {
        /* a snapshot evaluates its filter once, then keeps the members */
        snprintf(l->processing, sizeof(l->processing), "DYNAMIC");
        refresh(c->p, l);
        snprintf(l->processing, sizeof(l->processing), "SNAPSHOT");
    }
    persist_mark(c->p);
    hs_reply(c, 200, json_pack("{s:o}", "list", list_json(c->p, l, 1)));
}

void lists_h_get(struct hs_ctx *c)
{
    struct list *l = list_param(c, 0);
    if (l)
        hs_reply(
            c, 200,
            json_pack("{s:o}", "list", list_json(c->p, l, hs_query_bool(c, "includeFilters", 0))));
}

void lists_h_get_many(struct hs_ctx *c)
{
    json_t *out = json_array();
    int filters = hs_query_bool(c, "includeFilters", 0);
    for (size_t i = 0; i < c->req->nquery; i++) {
        const char *q;
        if (strcmp(c->req->query[i].name, "listIds") != 0)
            continue;
        q = c->req->query[i].value;
        while (*q) {
            char id[32];
            size_t n = strcspn(q, ",");
            struct list *l;
            if (n < sizeof(id)) {
                memcpy(id, q, n);
                id[n] = '\0';
                if ((l = find_list(c->p, id, 0)))
                    json_array_append_new(out, list_json(c->p, l, filters));
            }
            q += n;
            if (*q == ',')
                q++;
        }
    }
    hs_reply(c, 200, json_pack("{s:o}", "lists", out));
}

void lists_h_by_name(struct hs_ctx *c)
{
    struct lists_state *s = LS(c->p);
    int t = hs_type_parse(c->params[0]);
    for (size_t i = 0; t >= 0 && i < s->n; i++) {
        struct list *l = s->v[i];
        if (!l->archived && l->type == t && strcasecmp(l->name, c->params[1]) == 0) {
            hs_reply(c, 200,
                     json_pack("{s:o}", "list",
                               list_json(c->p, l, hs_query_bool(c, "includeFilters", 0))));
            return;
        }
    }
    hs_fail(c, 404, "OBJECT_NOT_FOUND", "List %s does not exist.", c->params[1]);
}

void lists_h_delete(struct hs_ctx *c)
{
    struct list *l = list_param(c, 0);
    if (!l)
        return;
    l->archived = 1;
    l->deleted_at = sync_time_now_ms();
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

void lists_h_restore(struct hs_ctx *c)
{
    struct list *l = list_param(c, 1);
    if (!l)
        return;
    l->archived = 0;
    l->updated = sync_time_now_ms();
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

void lists_h_update_name(struct hs_ctx *c)
{
    struct list *l = list_param(c, 0);
    const char *name = hs_query(c, "listName");
    char *copy;
    if (!l)
        return;
    if (!name || !*name) {
        hs_fail(c, 400, "VALIDATION_ERROR", "listName is required");
        return;
    }
    if (!(copy = strdup(name))) {
        hs_fail(c, 500, "INTERNAL_ERROR", "out of memory");
        return;
    }
    hs_utf8_clean(copy); /* a query parameter may hold any bytes */
    free(l->name);
    l->name = copy;
    l->updated = sync_time_now_ms();
    l->version++;
    persist_mark(c->p);
    hs_reply(c, 200,
             json_pack("{s:o}", "updatedList",
                       list_json(c->p, l, hs_query_bool(c, "includeFilters", 0))));
}

void lists_h_search(struct hs_ctx *c)
{
    struct lists_state *s = LS(c->p);
    const char *query = sync_json_str(c->body, "query");
    int64_t offset = sync_json_int(c->body, "offset", 0);
    int64_t count = sync_json_int(c->body, "count", 20);
    json_t *types = json_object_get(c->body, "processingTypes");
    json_t *ids = json_object_get(c->body, "listIds");
    json_t *out = json_array();
    int64_t total = 0;

    if (count < 1 || count > 500)
        count = 20;
    for (size_t i = 0; i < s->n; i++) {
        struct list *l = s->v[i];
        json_t *o;
        int ok = 1;
        if (l->archived || (query && *query && !ci_has(l->name, query)))
            continue;
        if (json_is_array(types) && json_array_size(types)) {
            size_t k;
            json_t *x;
            ok = 0;
            json_array_foreach(types, k, x) ok |=
                json_is_string(x) && strcmp(json_string_value(x), l->processing) == 0;
        }
        if (ok && json_is_array(ids) && json_array_size(ids)) {
            size_t k;
            json_t *x;
            ok = 0;
            json_array_foreach(ids, k, x) ok |=
                json_is_string(x) && strtoll(json_string_value(x), NULL, 10) == l->id;
        }
        if (!ok)
            continue;
        if (total >= offset && total < offset + count) {
            o = list_json(c->p, l, 0);
            json_object_set_new(json_object_get(o, "additionalProperties"), "hs_list_size",
                                json_sprintf("%zu", l->n));
            json_array_append_new(out, o);
        }
        total++;
    }
    hs_reply(c, 200,
             json_pack("{s:o, s:I, s:b, s:I}", "lists", out, "offset",
                       (json_int_t)(offset + (int64_t)json_array_size(out)), "hasMore",
                       offset + count < total, "total", (json_int_t)total));
}

void lists_h_members(struct hs_ctx *c)
{
    struct list *l = list_param(c, 0);
    int64_t limit, after;
    json_t *res, *body;
    char iso[SYNC_TIME_ISO_MAX];
    if (!l || hs_query_int(c, "limit", 100, 1, 250, &limit) || hs_query_after(c, &after))
        return;
    refresh(c->p, l);
    res = json_array();
    for (int64_t i = after; i < (int64_t)l->n && i < after + limit; i++) {
        char id[24];
        hs_id_str(l->m[i].id, id);
        json_array_append_new(res,
                              json_pack("{s:s, s:s}", "recordId", id, "membershipTimestamp",
                                        sync_time_format_iso(l->m[i].added, iso, sizeof(iso))));
    }
    body = json_pack("{s:o, s:I}", "results", res, "total", (json_int_t)l->n);
    if (after + limit < (int64_t)l->n)
        json_object_set_new(body, "paging", hs_paging(after + limit, NULL));
    hs_reply(c, 200, body);
}

static int manual_only(struct hs_ctx *c, struct list *l)
{
    if (strcmp(l->processing, "DYNAMIC") == 0) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "List %lld is a DYNAMIC list; its memberships cannot be changed by hand",
                (long long)l->id);
        return -1;
    }
    return 0;
}

static void change(struct hs_portal *p, struct list *l, json_t *add, json_t *remove, json_t *out)
{
    json_t *added = json_object_get(out, "recordsIdsAdded");
    json_t *removed = json_object_get(out, "recordIdsRemoved");
    json_t *missing = json_object_get(out, "recordIdsMissing");
    int64_t now = sync_time_now_ms();
    size_t i;
    json_t *x;
    json_array_foreach(add, i, x)
    {
        char buf[32];
        const char *id = json_is_string(x) ? json_string_value(x) : NULL;
        struct hs_record *r;
        if (!id && json_is_integer(x)) {
            snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(x));
            id = buf;
        }
        r = id ? obj_lookup(p, l->type, id, NULL, 0) : NULL;
        if (!r) {
            json_array_append_new(missing, json_string(id ? id : ""));
            continue;
        }
        if (member_find(l, r->id) >= 0)
            continue;
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 16;
            struct member *m = realloc(l->m, cap * sizeof(*m));
            if (!m)
                continue;
            l->m = m;
            l->cap = cap;
        }
        l->m[l->n].id = r->id;
        l->m[l->n].first_added = l->m[l->n].added = now;
        l->n++;
        json_array_append_new(added, json_string(id));
    }
    json_array_foreach(remove, i, x)
    {
        char buf[32];
        const char *id = json_is_string(x) ? json_string_value(x) : NULL;
        long k;
        if (!id && json_is_integer(x)) {
            snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(x));
            id = buf;
        }
        if (!id || (k = member_find(l, hs_parse_id(id))) < 0) {
            json_array_append_new(missing, json_string(id ? id : ""));
            continue;
        }
        memmove(&l->m[k], &l->m[k + 1], (l->n - (size_t)k - 1) * sizeof(*l->m));
        l->n--;
        json_array_append_new(removed, json_string(id));
    }
    l->updated = now;
    persist_mark(p);
}

static json_t *change_body(void)
{
    return json_pack("{s:[], s:[], s:[]}", "recordsIdsAdded", "recordIdsRemoved",
                     "recordIdsMissing");
}

void lists_h_members_add(struct hs_ctx *c)
{
    struct list *l = list_param(c, 0);
    json_t *out;
    if (!l || manual_only(c, l))
        return;
    if (!json_is_array(c->body)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: expected an array of record ids");
        return;
    }
    out = change_body();
    change(c->p, l, c->body, NULL, out);
    hs_reply(c, 200, out);
}

void lists_h_members_remove(struct hs_ctx *c)
{
    struct list *l = list_param(c, 0);
    json_t *out;
    if (!l || manual_only(c, l))
        return;
    if (!json_is_array(c->body)) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: expected an array of record ids");
        return;
    }
    out = change_body();
    change(c->p, l, NULL, c->body, out);
    hs_reply(c, 200, out);
}

void lists_h_members_add_remove(struct hs_ctx *c)
{
    struct list *l = list_param(c, 0);
    json_t *out;
    if (!l || manual_only(c, l))
        return;
    out = change_body();
    change(c->p, l, json_object_get(c->body, "recordIdsToAdd"),
           json_object_get(c->body, "recordIdsToRemove"), out);
    hs_reply(c, 200, out);
}

void lists_h_members_clear(struct hs_ctx *c)
{
    struct list *l = list_param(c, 0);
    if (!l || manual_only(c, l))
        return;
    l->n = 0;
    l->updated = sync_time_now_ms();
    persist_mark(c->p);
    hs_reply(c, 204, NULL);
}

void lists_h_record_memberships(struct hs_ctx *c)
{
    struct lists_state *s = LS(c->p);
    int t = hs_param_type(c, 0);
    uint64_t id = hs_parse_id(c->params[1]);
    json_t *res;
    char a[SYNC_TIME_ISO_MAX], b[SYNC_TIME_ISO_MAX];
    if (t < 0)
        return;
    res = json_array();
    for (size_t i = 0; i < s->n; i++) {
        struct list *l = s->v[i];
        long k;
        char lid[32];
        if (l->archived || l->type != t)
            continue;
        refresh(c->p, l);
        if ((k = member_find(l, id)) < 0)
            continue;
        snprintf(lid, sizeof(lid), "%lld", (long long)l->id);
        json_array_append_new(
            res,
            json_pack("{s:s, s:I, s:s, s:s, s:b}", "listId", lid, "listVersion",
                      (json_int_t)l->version, "firstAddedTimestamp",
                      sync_time_format_iso(l->m[k].first_added, a, sizeof(a)), "lastAddedTimestamp",
                      sync_time_format_iso(l->m[k].added, b, sizeof(b)), "isPublicList", 0));
    }
    hs_reply(c, 200,
             json_pack("{s:o, s:I}", "results", res, "total", (json_int_t)json_array_size(res)));
}

/* For persist.c: the lists as JSON and back. */
json_t *lists_dump(struct hs_portal *p)
{
    struct lists_state *s = LS(p);
    json_t *a = json_array();
    for (size_t i = 0; s && i < s->n; i++) {
        struct list *l = s->v[i];
        json_t *m = json_array();
        for (size_t k = 0; k < l->n; k++)
            json_array_append_new(m, json_pack("[I, I, I]", (json_int_t)l->m[k].id,
                                               (json_int_t)l->m[k].first_added,
                                               (json_int_t)l->m[k].added));
        json_array_append_new(
            a, json_pack("{s:I, s:s, s:i, s:s, s:O?, s:o, s:b, s:I, s:I, s:I, s:I}", "id",
                         (json_int_t)l->id, "name", l->name, "type", l->type, "processing",
                         l->processing, "filter", l->filter, "members", m, "archived", l->archived,
                         "created", (json_int_t)l->created, "updated", (json_int_t)l->updated,
                         "deleted", (json_int_t)l->deleted_at, "version", (json_int_t)l->version));
    }
    return json_pack("{s:I, s:o}", "next_id", (json_int_t)(s ? s->next_id : 1), "lists", a);
}

void lists_load(struct hs_portal *p, const json_t *j)
{
    struct lists_state *s = LS(p);
    json_t *arr = json_object_get(j, "lists"), *x;
    size_t i;
    if (!s || !json_is_array(arr))
        return;
    s->next_id = sync_json_int(j, "next_id", 1);
    json_array_foreach(arr, i, x)
    {
        struct list *l = calloc(1, sizeof(*l));
        json_t *m = json_object_get(x, "members"), *e;
        size_t k;
        struct list **v;
        if (!l)
            return;
        v = realloc(s->v, (s->n + 1) * sizeof(*v));
        if (!v) {
            free(l);
            return;
        }
        s->v = v;
        s->cap = s->n + 1;
        l->id = sync_json_int(x, "id", 0);
        l->name = strdup(sync_json_str(x, "name") ? sync_json_str(x, "name") : "");
        l->type = (int)sync_json_int(x, "type", 0);
        snprintf(l->processing, sizeof(l->processing), "%s",
                 sync_json_str(x, "processing") ? sync_json_str(x, "processing") : "MANUAL");
        l->filter = json_is_object(json_object_get(x, "filter"))
                        ? json_deep_copy(json_object_get(x, "filter"))
                        : NULL;
        l->archived = sync_json_bool(x, "archived", 0);
        l->created = sync_json_int(x, "created", 0);
        l->updated = sync_json_int(x, "updated", 0);
        l->deleted_at = sync_json_int(x, "deleted", 0);
        l->version = sync_json_int(x, "version", 1);
        l->m = calloc(json_array_size(m) + 1, sizeof(*l->m));
        l->cap = json_array_size(m) + 1;
        json_array_foreach(m, k, e)
        {
            if (!l->m)
                break;
            l->m[l->n].id = (uint64_t)json_integer_value(json_array_get(e, 0));
            l->m[l->n].first_added = json_integer_value(json_array_get(e, 1));
            l->m[l->n].added = json_integer_value(json_array_get(e, 2));
            l->n++;
        }
        s->v[s->n++] = l;
    }
}
