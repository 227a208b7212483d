/*
 * assoc.c: associations between records. The label registry (HubSpot's
 * default HUBSPOT_DEFINED type ids, directional, each with its inverse,
 * plus user-defined labels), the edges each record keeps (every
 * association is stored on both records with the inverse type id), the v4
 * associations API (single and batch create/read/archive, default
 * associations, labels), the v3 create-time `associations` array and the
 * v3 association shortcut.
 *
 * Record writers (objects.c, seed.c) call assoc_add/assoc_detach; callers
 * hold the portal lock.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

struct pair_def {
    int from, to;
    int32_t fwd, inv;   /* unlabeled */
    int32_t pfwd, pinv; /* primary, 0 when none */
};

static const struct pair_def pair_defs[] = {
    {HS_CONTACTS, HS_COMPANIES, 279, 280, 1, 2},  {HS_DEALS, HS_CONTACTS, 3, 4, 0, 0},
    {HS_DEALS, HS_COMPANIES, 341, 342, 5, 6},     {HS_TICKETS, HS_CONTACTS, 16, 15, 0, 0},
    {HS_TICKETS, HS_COMPANIES, 339, 340, 26, 25}, {HS_TICKETS, HS_DEALS, 28, 27, 0, 0},
    {HS_TASKS, HS_CONTACTS, 204, 203, 0, 0},      {HS_TASKS, HS_COMPANIES, 192, 191, 0, 0},
    {HS_TASKS, HS_DEALS, 216, 215, 0, 0},         {HS_TASKS, HS_TICKETS, 230, 229, 0, 0},
    {HS_NOTES, HS_CONTACTS, 202, 201, 0, 0},      {HS_NOTES, HS_COMPANIES, 190, 189, 0, 0},
    {HS_NOTES, HS_DEALS, 214, 213, 0, 0},         {HS_NOTES, HS_TICKETS, 228, 227, 0, 0},
    {HS_CALLS, HS_CONTACTS, 194, 193, 0, 0},      {HS_CALLS, HS_COMPANIES, 182, 181, 0, 0},
    {HS_CALLS, HS_DEALS, 206, 205, 0, 0},         {HS_CALLS, HS_TICKETS, 220, 219, 0, 0},
    {HS_EMAILS, HS_CONTACTS, 198, 197, 0, 0},     {HS_EMAILS, HS_COMPANIES, 186, 185, 0, 0},
    {HS_EMAILS, HS_DEALS, 210, 209, 0, 0},        {HS_EMAILS, HS_TICKETS, 224, 223, 0, 0},
    {HS_MEETINGS, HS_CONTACTS, 200, 199, 0, 0},   {HS_MEETINGS, HS_COMPANIES, 188, 187, 0, 0},
    {HS_MEETINGS, HS_DEALS, 212, 211, 0, 0},      {HS_MEETINGS, HS_TICKETS, 226, 225, 0, 0},
};

static const char *const cat_names[] = {"HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"};

const char *assoc_cat_name(int cat)
{
    return cat >= 0 && cat < 3 ? cat_names[cat] : "HUBSPOT_DEFINED";
}

static int cat_parse(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, cat_names[i]) == 0)
            return i;
    return s ? -1 : 0;
}

static void label_add(struct hs_labels *l, int from, int to, int cat, int32_t id, int32_t inv,
                      const char *label, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 128;
        struct hs_label *v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].from = (uint8_t)from;
    l->v[l->n].to = (uint8_t)to;
    l->v[l->n].cat = (uint8_t)cat;
    l->v[l->n].type_id = id;
    l->v[l->n].inverse_id = inv;
    l->v[l->n].label = label ? strdup(label) : NULL;
    l->v[l->n].name = name ? strdup(name) : NULL;
    l->n++;
}

void assoc_init(struct hs_portal *p)
{
    struct hs_labels *l = &p->labels;
    memset(l, 0, sizeof(*l));
    l->next_user_id = 500;
    for (size_t i = 0; i < sizeof(pair_defs) / sizeof(pair_defs[0]); i++) {
        const struct pair_def *d = &pair_defs[i];
        label_add(l, d->from, d->to, 0, d->fwd, d->inv, NULL, NULL);
        label_add(l, d->to, d->from, 0, d->inv, d->fwd, NULL, NULL);
        if (d->pfwd) {
            label_add(l, d->from, d->to, 0, d->pfwd, d->pinv, "Primary", "primary");
            label_add(l, d->to, d->from, 0, d->pinv, d->pfwd, "Primary", "primary");
        }
    }
}

void assoc_release(struct hs_portal *p)
{
    for (size_t i = 0; i < p->labels.n; i++) {
        free(p->labels.v[i].label);
        free(p->labels.v[i].name);
    }
    free(p->labels.v);
    memset(&p->labels, 0, sizeof(p->labels));
}

static const struct hs_label *find_label(struct hs_portal *p, int from, int to, int32_t id, int cat)
{
    for (size_t i = 0; i < p->labels.n; i++) {
        const struct hs_label *l = &p->labels.v[i];
        if (l->from == from && l->to == to && l->type_id == id && (cat < 0 || l->cat == cat))
            return l;
    }
    return NULL;
}

const struct hs_label *assoc_label(struct hs_portal *p, int32_t type_id, int cat)
{
    for (size_t i = 0; i < p->labels.n; i++)
        if (p->labels.v[i].type_id == type_id && (cat < 0 || p->labels.v[i].cat == cat))
            return &p->labels.v[i];
    return NULL;
}

int32_t assoc_default_type(struct hs_portal *p, int from, int to)
{
    for (size_t i = 0; i < p->labels.n; i++) {
        const struct hs_label *l = &p->labels.v[i];
        if (l->from == from && l->to == to && !l->label && l->cat == 0)
            return l->type_id;
    }
    return 0;
}

static int edge_has(const struct hs_record *r, int to_type, uint64_t to_id, int32_t id, int cat)
{
    for (size_t i = 0; i < r->nedges; i++) {
        const struct hs_edge *e = &r->edges[i];
        if (e->to_type == to_type && e->to_id == to_id && e->type_id == id && e->cat == cat)
            return 1;
    }
    return 0;
}

static int edge_push(struct hs_record *r, int to_type, uint64_t to_id, int32_t id, int cat)
{
    if (edge_has(r, to_type, to_id, id, cat))
        return 0;
    if (r->nedges == r->cedges) {
        size_t cap = r->cedges ? r->cedges * 2 : 4;
        struct hs_edge *v = realloc(r->edges, cap * sizeof(*v));
        if (!v)
            return 0;
        r->edges = v;
        r->cedges = cap;
    }
    r->edges[r->nedges].to_type = (uint8_t)to_type;
    r->edges[r->nedges].to_id = to_id;
    r->edges[r->nedges].type_id = id;
    r->edges[r->nedges].cat = (uint8_t)cat;
    r->nedges++;
    r->dirty = 1;
    return 1;
}

/* Removes matching edges (type_id < 0: any type); returns how many. */
static size_t edge_drop(struct hs_record *r, int to_type, uint64_t to_id, int32_t id, int cat)
{
    size_t k = 0, gone = 0;
    for (size_t i = 0; i < r->nedges; i++) {
        struct hs_edge *e = &r->edges[i];
        if (e->to_type == to_type && e->to_id == to_id &&
            (id < 0 || (e->type_id == id && e->cat == cat))) {
            gone++;
            continue;
        }
        r->edges[k++] = *e;
    }
    r->nedges = k;
    if (gone)
        r->dirty = 1;
    return gone;
}

/* An association of type l between a and b came or went: both directions notify. */
static void changed(struct hs_portal *p, struct hs_record *a, struct hs_record *b,
                    const struct hs_label *l, int removed, const struct hs_source *src)
{
    wh_on_assoc(p, a, b, l->type_id, removed, src);
    wh_on_assoc(p, b, a, l->inverse_id, removed, src);
    persist_mark(p);
}

static int add_one(struct hs_portal *p, struct hs_record *a, struct hs_record *b,
                   const struct hs_label *l, const struct hs_source *src)
{
    int added = edge_push(a, b->type, b->id, l->type_id, l->cat);
    edge_push(b, a->type, a->id, l->inverse_id, l->cat);
    if (added)
        changed(p, a, b, l, 0, src);
    return 0;
}

int assoc_add(struct hs_portal *p, struct hs_record *a, struct hs_record *b, int cat,
              int32_t type_id, const struct hs_source *src)
{
    const struct hs_label *l = find_label(p, a->type, b->type, type_id, cat);
    if (!l)
        return -1;
    if (l->label && p->settings.labels_imply_unlabeled) {
        int32_t def = assoc_default_type(p, a->type, b->type);
        const struct hs_label *d = def ? find_label(p, a->type, b->type, def, 0) : NULL;
        if (d)
            add_one(p, a, b, d, src);
    }
    return add_one(p, a, b, l, src);
}

size_t assoc_remove_all(struct hs_portal *p, struct hs_record *a, struct hs_record *b,
                        const struct hs_source *src)
{
    size_t gone = 0;
    for (size_t i = 0; i < a->nedges; i++) {
        struct hs_edge *e = &a->edges[i];
        if (e->to_type == b->type && e->to_id == b->id) {
            const struct hs_label *l = find_label(p, a->type, b->type, e->type_id, e->cat);
            wh_on_assoc(p, a, b, e->type_id, 1, src);
            if (l)
                wh_on_assoc(p, b, a, l->inverse_id, 1, src);
        }
    }
    gone = edge_drop(a, b->type, b->id, -1, 0);
    edge_drop(b, a->type, a->id, -1, 0);
    if (gone)
        persist_mark(p);
    return gone;
}

static size_t remove_label(struct hs_portal *p, struct hs_record *a, struct hs_record *b,
                           const struct hs_label *l, const struct hs_source *src)
{
    size_t gone = edge_drop(a, b->type, b->id, l->type_id, l->cat);
    edge_drop(b, a->type, a->id, l->inverse_id, l->cat);
    if (gone)
        changed(p, a, b, l, 1, src);
    return gone;
}

void assoc_detach(struct hs_portal *p, struct hs_record *r)
{
    for (size_t i = 0; i < r->nedges; i++) {
        struct hs_record *o = obj_find(p, r->edges[i].to_type, r->edges[i].to_id);
        if (o && o != r)
            edge_drop(o, r->type, r->id, -1, 0);
    }
    r->nedges = 0;
}

json_t *assoc_apply_create(struct hs_portal *p, enum hs_type from, struct hs_record *r,
                           const json_t *arr, const struct hs_source *src, int check_only)
{
    size_t i;
    json_t *a;
    json_array_foreach(arr, i, a)
    {
        char buf[32];
        const char *to_id = hs_json_idstr(json_object_get(a, "to"), "id", buf);
        json_t *types = json_object_get(a, "types");
        size_t k;
        json_t *ty;
        if (!to_id || !json_is_array(types) || !json_array_size(types))
            return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                                 "Invalid input JSON: each association needs to.id and types");
        json_array_foreach(types, k, ty)
        {
            int cat = cat_parse(sync_json_str(ty, "associationCategory"));
            int32_t id = (int32_t)sync_json_int(ty, "associationTypeId", -1);
            const struct hs_label *l = NULL;
            struct hs_record *to;
            for (size_t x = 0; x < p->labels.n && !l; x++) {
                const struct hs_label *c = &p->labels.v[x];
                if (c->type_id == id && c->cat == cat && c->from == from)
                    l = c;
            }
            if (!l || cat < 0)
                return hs_error_body(
                    "VALIDATION_ERROR", NULL, NULL,
                    json_pack("{s:[s]}", "associationTypeId", "invalid"),
                    "%s is not a valid association type id for category %s",
                    json_string_value(json_object_get(ty, "associationTypeId"))
                        ? json_string_value(json_object_get(ty, "associationTypeId"))
                        : "the given id",
                    assoc_cat_name(cat < 0 ? 0 : cat));
            to = obj_lookup(p, l->to, to_id, NULL, 0);
            if (!to)
                return hs_error_body("VALIDATION_ERROR", NULL, NULL,
                                     json_pack("{s:[s]}", "ids", to_id),
                                     "One or more associations are invalid: %s %s does not exist",
                                     hs_types[l->to].singular, to_id);
            if (!check_only)
                assoc_add(p, r, to, l->cat, l->type_id, src);
        }
    }
    return NULL;
}

static void type_name(struct hs_portal *p, const struct hs_record *r, const struct hs_edge *e,
                      char *out, size_t n)
{
    const struct hs_label *l = find_label(p, r->type, e->to_type, e->type_id, e->cat);
    if (l && l->label && strcmp(l->label, "Primary") != 0) {
        size_t i;
        snprintf(out, n, "%s", l->name ? l->name : l->label);
        for (i = 0; out[i]; i++)
            out[i] = (char)(isalnum((unsigned char)out[i]) ? tolower((unsigned char)out[i]) : '_');
        return;
    }
    snprintf(out, n, "%s_to_%s", hs_types[r->type].singular, hs_types[e->to_type].singular);
    if (l && !l->label) {
        /* unlabeled: "_unlabeled" when the pair also has a primary label */
        for (size_t i = 0; i < p->labels.n; i++) {
            const struct hs_label *x = &p->labels.v[i];
            if (x->from == r->type && x->to == e->to_type && x->label &&
                strcmp(x->label, "Primary") == 0) {
                snprintf(out + strlen(out), n - strlen(out), "_unlabeled");
                break;
            }
        }
    }
}

/* Is the other side of e a live record? Reads leave out associations to archived records
 * (they come back when the record is restored). */
static int edge_live(struct hs_portal *p, const struct hs_edge *e)
{
    const struct hs_record *o = obj_find(p, e->to_type, e->to_id);
    return o && !o->archived;
}

static int has_edges_to(struct hs_portal *p, const struct hs_record *r, int type, int live_only)
{
    for (size_t i = 0; i < r->nedges; i++)
        if (r->edges[i].to_type == type && (!live_only || edge_live(p, &r->edges[i])))
            return 1;
    return 0;
}

void assoc_render_v3(struct sync_buf *b, struct hs_portal *p, const struct hs_record *r,
                     const int *types, int n, int live_only)
{
    int opened = 0;
    for (int k = 0; k < n; k++) {
        if (!has_edges_to(p, r, types[k], live_only))
            continue;
        if (!opened) {
            render_key(b, "associations");
            sync_buf_addch(b, '{');
            opened = 1;
        }
        render_key(b, hs_types[types[k]].name);
        sync_buf_addstr(b, "{\"results\":[");
        for (size_t i = 0; i < r->nedges; i++) {
            const struct hs_edge *e = &r->edges[i];
            char tn[128];
            if (e->to_type != types[k] || (live_only && !edge_live(p, e)))
                continue;
            type_name(p, r, e, tn, sizeof(tn));
            render_sep(b);
            sync_buf_addstr(b, "{\"id\":");
            render_id(b, e->to_id);
            render_key(b, "type");
            render_str(b, tn);
            sync_buf_addch(b, '}');
        }
        sync_buf_addstr(b, "]}");
    }
    if (opened)
        sync_buf_addch(b, '}');
}

/* ---- handlers ---- */

static json_t *types_between(struct hs_portal *p, const struct hs_record *r, int to_type,
                             uint64_t to_id)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->nedges; i++) {
        const struct hs_edge *e = &r->edges[i];
        const struct hs_label *l;
        if (e->to_type != to_type || e->to_id != to_id)
            continue;
        l = find_label(p, r->type, to_type, e->type_id, e->cat);
        json_array_append_new(a, json_pack("{s:s, s:i, s:o}", "category", assoc_cat_name(e->cat),
                                           "typeId", (int)e->type_id, "label",
                                           l && l->label ? json_string(l->label) : json_null()));
    }
    return a;
}

static json_t *labels_between(struct hs_portal *p, const struct hs_record *r, int to_type,
                              uint64_t to_id)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->nedges; i++) {
        const struct hs_edge *e = &r->edges[i];
        const struct hs_label *l;
        if (e->to_type != to_type || e->to_id != to_id)
            continue;
        l = find_label(p, r->type, to_type, e->type_id, e->cat);
        if (l && l->label)
            json_array_append_new(a, json_string(l->label));
    }
    return a;
}

static json_t *pair_json(struct hs_portal *p, const struct hs_record *a, const struct hs_record *b)
{
    return json_pack("{s:s, s:I, s:s, s:I, s:o}", "fromObjectTypeId", hs_types[a->type].type_id,
                     "fromObjectId", (json_int_t)a->id, "toObjectTypeId", hs_types[b->type].type_id,
                     "toObjectId", (json_int_t)b->id, "labels",
                     labels_between(p, a, b->type, b->id));
}

static json_t *default_json(const struct hs_record *a, const struct hs_record *b, int32_t id)
{
    char fa[24], fb[24];
    snprintf(fa, sizeof(fa), "%llu", (unsigned long long)a->id);
    snprintf(fb, sizeof(fb), "%llu", (unsigned long long)b->id);
    return json_pack("{s:{s:s}, s:{s:s}, s:{s:s, s:i}}", "from", "id", fa, "to", "id", fb,
                     "associationSpec", "associationCategory", "HUBSPOT_DEFINED",
                     "associationTypeId", (int)id);
}

static int two_records(struct hs_ctx *c, size_t ti, size_t ii, size_t tj, size_t ij,
                       struct hs_record **a, struct hs_record **b)
{
    int ta = hs_param_type(c, ti), tb;
    if (ta < 0)
        return -1;
    tb = hs_param_type(c, tj);
    if (tb < 0)
        return -1;
    *a = obj_lookup(c->p, ta, c->params[ii], NULL, 0);
    *b = obj_lookup(c->p, tb, c->params[ij], NULL, 0);
    if (!*a || !*b) {
        hs_not_found(c);
        return -1;
    }
    return 0;
}

static json_t *default_pair(struct hs_portal *p, struct hs_record *a, struct hs_record *b,
                            const struct hs_source *src, json_t *results)
{
    int32_t def = assoc_default_type(p, a->type, b->type);
    const struct hs_label *l = def ? find_label(p, a->type, b->type, def, 0) : NULL;
    if (!l)
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                             "There is no default association type from %s to %s",
                             hs_types[a->type].name, hs_types[b->type].name);
    assoc_add(p, a, b, 0, def, src);
    json_array_append_new(results, default_json(a, b, def));
    json_array_append_new(results, default_json(b, a, l->inverse_id));
    return NULL;
}

void assoc_h_v4_default(struct hs_ctx *c)
{
    struct hs_record *a, *b;
    json_t *results, *err;
    if (two_records(c, 0, 1, 2, 3, &a, &b))
        return;
    results = json_array();
    err = default_pair(c->p, a, b, &c->src, results);
    if (err) {
        json_decref(results);
        hs_reply(c, 400, err);
        return;
    }
    hs_reply_batch(c, 200, sync_time_now_ms(), results, NULL);
}

/* Applies a types array between a and b; NULL or a new error body. */
static json_t *apply_types(struct hs_portal *p, struct hs_record *a, struct hs_record *b,
                           json_t *types, const struct hs_source *src, int remove)
{
    size_t i;
    json_t *ty;
    if (!json_is_array(types) || !json_array_size(types))
        return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                             "Invalid input JSON: association types are required");
    json_array_foreach(types, i, ty)
    {
        int cat = cat_parse(sync_json_str(ty, "associationCategory"));
        int32_t id = (int32_t)sync_json_int(ty, "associationTypeId", -1);
        if (cat < 0 || !find_label(p, a->type, b->type, id, cat))
            return hs_error_body("VALIDATION_ERROR", NULL, NULL, NULL,
                                 "%d is not a valid association type id from %s to %s", (int)id,
                                 hs_types[a->type].name, hs_types[b->type].name);
    }
    json_array_foreach(types, i, ty)
    {
        int cat = cat_parse(sync_json_str(ty, "associationCategory"));
        int32_t id = (int32_t)sync_json_int(ty, "associationTypeId", -1);
        const struct hs_label *l = find_label(p, a->type, b->type, id, cat);
        if (remove && !l->label && p->settings.labels_imply_unlabeled)
            assoc_remove_all(p, a, b, src); /* labels cannot outlive the unlabeled type */
        else if (remove)
            remove_label(p, a, b, l, src);
        else
            assoc_add(p, a, b, cat, id, src);
    }
    return NULL;
}

void assoc_h_v4_put(struct hs_ctx *c)
{
    struct hs_record *a, *b;
    json_t *err;
    if (two_records(c, 0, 1, 2, 3, &a, &b))
        return;
    err = apply_types(c->p, a, b, c->body, &c->src, 0);
    if (err) {
        hs_reply(c, 400, err);
        return;
    }
    hs_reply(c, 201, pair_json(c->p, a, b));
}

void assoc_h_v4_delete(struct hs_ctx *c)
{
    struct hs_record *a, *b;
    if (two_records(c, 0, 1, 2, 3, &a, &b))
        return;
    assoc_remove_all(c->p, a, b, &c->src);
    hs_reply(c, 204, NULL);
}

/* The distinct to-ids of r's associations to type, in order. */
/* The live records r is associated with of one type, each once, in association order. */
static size_t distinct_targets(struct hs_portal *p, const struct hs_record *r, int type,
                               uint64_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nedges; i++) {
        int seen = 0;
        if (r->edges[i].to_type != type || !edge_live(p, &r->edges[i]))
            continue;
        for (size_t k = 0; k < n && !seen; k++)
            seen = out[k] == r->edges[i].to_id;
        if (!seen && n < cap)
            out[n++] = r->edges[i].to_id;
    }
    return n;
}

static json_t *targets_page(struct hs_portal *p, const struct hs_record *r, int type,
                            int64_t offset, int64_t limit, json_t **paging)
{
    uint64_t *ids = malloc((r->nedges ? r->nedges : 1) * sizeof(*ids));
    size_t n = ids ? distinct_targets(p, r, type, ids, r->nedges) : 0;
    json_t *res = json_array();
    *paging = NULL;
    for (int64_t i = offset; i < (int64_t)n && i < offset + limit; i++)
        json_array_append_new(res,
                              json_pack("{s:I, s:o}", "toObjectId", (json_int_t)ids[i],
                                        "associationTypes", types_between(p, r, type, ids[i])));
    if (offset + limit < (int64_t)n) {
        *paging = hs_paging(offset + limit, NULL);
    }
    free(ids);
    return res;
}

void assoc_h_v4_list(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0), tt;
    struct hs_record *r;
    int64_t limit, after;
    json_t *paging, *res, *body;
    if (t < 0 || (tt = hs_param_type(c, 2)) < 0)
        return;
    if (hs_query_int(c, "limit", 500, 1, 500, &limit) || hs_query_after(c, &after))
        return;
    r = obj_lookup(c->p, t, c->params[1], NULL, 0);
    if (!r) {
        hs_not_found(c);
        return;
    }
    res = targets_page(c->p, r, tt, after, limit, &paging);
    body = json_pack("{s:o}", "results", res);
    if (paging)
        json_object_set_new(body, "paging", paging);
    hs_reply(c, 200, body);
}

static json_t *missing_error(int type, const char *id)
{
    json_t *e = hs_error_body("VALIDATION_ERROR", NULL, NULL, json_pack("{s:[s]}", "ids", id),
                              "No %s with id %s exists", hs_types[type].singular, id);
    json_object_del(e, "correlationId");
    return e;
}

/* Resolves {from:{id}, to:{id}} of a batch input. */
static int resolve_pair(struct hs_ctx *c, int ta, int tb, json_t *in, struct hs_record **a,
                        struct hs_record **b, json_t *errors)
{
    char b1[32], b2[32];
    const char *fa = hs_json_idstr(json_object_get(in, "from"), "id", b1);
    const char *fb = hs_json_idstr(json_object_get(in, "to"), "id", b2);
    *a = fa ? obj_lookup(c->p, ta, fa, NULL, 0) : NULL;
    *b = fb ? obj_lookup(c->p, tb, fb, NULL, 0) : NULL;
    if (!*a) {
        json_array_append_new(errors, missing_error(ta, fa ? fa : ""));
        return -1;
    }
    if (!*b) {
        json_array_append_new(errors, missing_error(tb, fb ? fb : ""));
        return -1;
    }
    return 0;
}

/* What a batch over record pairs does to one pair: NULL, or the error of that input. */
typedef json_t *(*pair_fn)(struct hs_ctx *c, struct hs_record *a, struct hs_record *b, json_t *in,
                           json_t *results);

static json_t *pair_create(struct hs_ctx *c, struct hs_record *a, struct hs_record *b, json_t *in,
                           json_t *results)
{
    json_t *err = apply_types(c->p, a, b, json_object_get(in, "types"), &c->src, 0);
    if (!err)
        json_array_append_new(results, pair_json(c->p, a, b));
    return err;
}

static json_t *pair_default(struct hs_ctx *c, struct hs_record *a, struct hs_record *b, json_t *in,
                            json_t *results)
{
    (void)in;
    return default_pair(c->p, a, b, &c->src, results);
}

static json_t *pair_unlabel(struct hs_ctx *c, struct hs_record *a, struct hs_record *b, json_t *in,
                            json_t *results)
{
    (void)results;
    return apply_types(c->p, a, b, json_object_get(in, "types"), &c->src, 1);
}

/* Runs fn over the {from, to} inputs; answers ok_status (204: no body) or 207 with the
 * errors. */
static void pair_batch(struct hs_ctx *c, pair_fn fn, int ok_status)
{
    int ta = hs_param_type(c, 0), tb;
    int64_t started = sync_time_now_ms();
    json_t *inputs, *results, *errors, *in;
    size_t i;
    if (ta < 0 || (tb = hs_param_type(c, 1)) < 0 || !(inputs = hs_inputs(c, 2000)))
        return;
    results = json_array();
    errors = json_array();
    json_array_foreach(inputs, i, in)
    {
        struct hs_record *a, *b;
        json_t *err;
        if (resolve_pair(c, ta, tb, in, &a, &b, errors))
            continue;
        err = fn(c, a, b, in, results);
        if (err) {
            json_object_del(err, "correlationId");
            json_array_append_new(errors, err);
        }
    }
    if (ok_status == 204 && !json_array_size(errors)) {
        json_decref(results);
        json_decref(errors);
        hs_reply(c, 204, NULL);
        return;
    }
    hs_reply_batch(c, ok_status, started, results, errors);
}

void assoc_h_v4_batch_create(struct hs_ctx *c)
{
    pair_batch(c, pair_create, 201);
}

void assoc_h_v4_batch_default(struct hs_ctx *c)
{
    pair_batch(c, pair_default, 200);
}

void assoc_h_v4_batch_labels_archive(struct hs_ctx *c)
{
    pair_batch(c, pair_unlabel, 204);
}

void assoc_h_v4_batch_read(struct hs_ctx *c)
{
    int ta = hs_param_type(c, 0), tb;
    json_t *inputs, *results, *errors, *in;
    size_t i;
    if (ta < 0 || (tb = hs_param_type(c, 1)) < 0 || !(inputs = hs_inputs(c, 1000)))
        return;
    results = json_array();
    errors = json_array();
    json_array_foreach(inputs, i, in)
    {
        char buf[32];
        const char *id = hs_json_idstr(in, "id", buf);
        const char *after = sync_json_str(in, "after");
        struct hs_record *r = id ? obj_lookup(c->p, ta, id, NULL, 0) : NULL;
        json_t *paging, *to, *item;
        if (!r || !distinct_targets(c->p, r, tb, (uint64_t[1]){0}, 1)) {
            json_t *e = hs_error_body("OBJECT_NOT_FOUND", "crm.associations.NO_ASSOCIATIONS_FOUND",
                                      NULL, json_pack("{s:[s]}", "fromObjectId", id ? id : ""),
                                      "No %s is associated with %s %s.", hs_types[tb].singular,
                                      hs_types[ta].singular, id ? id : "");
            json_object_del(e, "correlationId");
            json_array_append_new(errors, e);
            continue;
        }
        to = targets_page(c->p, r, tb, after ? strtoll(after, NULL, 10) : 0, 500, &paging);
        item = json_pack("{s:{s:s}, s:o}", "from", "id", id, "to", to);
        if (paging)
            json_object_set_new(item, "paging", paging);
        json_array_append_new(results, item);
    }
    hs_reply_batch(c, 200, sync_time_now_ms(), results, errors);
}

void assoc_h_v4_batch_archive(struct hs_ctx *c)
{
    int ta = hs_param_type(c, 0), tb;
    json_t *inputs, *in;
    size_t i;
    if (ta < 0 || (tb = hs_param_type(c, 1)) < 0 || !(inputs = hs_inputs(c, 2000)))
        return;
    json_array_foreach(inputs, i, in)
    {
        char b1[32];
        const char *fa = hs_json_idstr(json_object_get(in, "from"), "id", b1);
        struct hs_record *a = fa ? obj_lookup(c->p, ta, fa, NULL, 0) : NULL;
        json_t *tos = json_object_get(in, "to"), *to;
        size_t k;
        if (!a)
            continue;
        if (json_is_object(tos)) {
            char b2[32];
            const char *id = hs_json_idstr(tos, "id", b2);
            struct hs_record *b = id ? obj_lookup(c->p, tb, id, NULL, 0) : NULL;
            if (b)
                assoc_remove_all(c->p, a, b, &c->src);
            continue;
        }
        json_array_foreach(tos, k, to)
        {
            char b2[32];
            const char *id = hs_json_idstr(to, "id", b2);
            struct hs_record *b = id ? obj_lookup(c->p, tb, id, NULL, 0) : NULL;
            if (b)
                assoc_remove_all(c->p, a, b, &c->src);
        }
    }
    hs_reply(c, 204, NULL);
}

void assoc_h_labels(struct hs_ctx *c)
{
    int ta = hs_param_type(c, 0), tb;
    json_t *res;
    if (ta < 0 || (tb = hs_param_type(c, 1)) < 0)
        return;
    res = json_array();
    for (size_t i = 0; i < c->p->labels.n; i++) {
        const struct hs_label *l = &c->p->labels.v[i];
        if (l->from != ta || l->to != tb)
            continue;
        json_array_append_new(res, json_pack("{s:s, s:i, s:o}", "category", assoc_cat_name(l->cat),
                                             "typeId", (int)l->type_id, "label",
                                             l->label ? json_string(l->label) : json_null()));
    }
    hs_reply(c, 200, json_pack("{s:o}", "results", res));
}

void assoc_h_label_create(struct hs_ctx *c)
{
    int ta = hs_param_type(c, 0), tb;
    const char *label = sync_json_str(c->body, "label");
    const char *name = sync_json_str(c->body, "name");
    const char *inverse = sync_json_str(c->body, "inverseLabel");
    int32_t id, inv;
    json_t *res;
    if (ta < 0 || (tb = hs_param_type(c, 1)) < 0)
        return;
    if (!label || !name) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Invalid input JSON: label and name are required");
        return;
    }
    for (size_t i = 0; i < c->p->labels.n; i++) {
        const struct hs_label *l = &c->p->labels.v[i];
        if (l->from == ta && l->to == tb && l->name && strcmp(l->name, name) == 0) {
            hs_fail(c, 409, "CONFLICT", "An association label named %s already exists", name);
            return;
        }
    }
    id = c->p->labels.next_user_id++;
    inv = (ta == tb && !inverse) ? id : c->p->labels.next_user_id++;
    label_add(&c->p->labels, ta, tb, 1, id, inv, label, name);
    if (inv != id || ta != tb)
        label_add(&c->p->labels, tb, ta, 1, inv, id, inverse ? inverse : label, name);
    res = json_array();
    json_array_append_new(res, json_pack("{s:s, s:i, s:s}", "category", "USER_DEFINED", "typeId",
                                         (int)id, "label", label));
    if (inv != id)
        json_array_append_new(res,
                              json_pack("{s:s, s:i, s:s}", "category", "USER_DEFINED", "typeId",
                                        (int)inv, "label", inverse ? inverse : label));
    persist_mark(c->p);
    hs_reply(c, 200, json_pack("{s:o}", "results", res));
}

/* v3: PUT/DELETE /crm/v3/objects/{t}/{id}/associations/{toT}/{toId}/{associationType} */
static const struct hs_label *v3_label(struct hs_portal *p, int ta, int tb, const char *spec)
{
    char *end;
    long id = strtol(spec, &end, 10);
    if (*end == '\0')
        return find_label(p, ta, tb, (int32_t)id, -1);
    for (size_t i = 0; i < p->labels.n; i++) {
        const struct hs_label *l = &p->labels.v[i];
        char name[128];
        struct hs_record fake;
        struct hs_edge e;
        if (l->from != ta || l->to != tb)
            continue;
        memset(&fake, 0, sizeof(fake));
        fake.type = (enum hs_type)ta;
        e.to_type = (uint8_t)tb;
        e.type_id = l->type_id;
        e.cat = l->cat;
        type_name(p, &fake, &e, name, sizeof(name));
        if (strcmp(name, spec) == 0)
            return l;
    }
    return NULL;
}

void assoc_h_v3_put(struct hs_ctx *c)
{
    struct hs_record *a, *b;
    const struct hs_label *l;
    struct hs_out o;
    if (two_records(c, 0, 1, 2, 3, &a, &b))
        return;
    l = v3_label(c->p, a->type, b->type, c->params[4]);
    if (!l) {
        hs_fail(c, 400, "VALIDATION_ERROR", "%s is not a valid association type", c->params[4]);
        return;
    }
    assoc_add(c->p, a, b, l->cat, l->type_id, &c->src);
    memset(&o, 0, sizeof(o));
    o.assoc_types[0] = b->type;
    o.nassoc = 1;
    obj_reply(c, 200, a, &o);
}

void assoc_h_v3_delete(struct hs_ctx *c)
{
    struct hs_record *a, *b;
    const struct hs_label *l;
    if (two_records(c, 0, 1, 2, 3, &a, &b))
        return;
    l = v3_label(c->p, a->type, b->type, c->params[4]);
    if (l && !l->label && c->p->settings.labels_imply_unlabeled)
        assoc_remove_all(c->p, a, b, &c->src);
    else if (l)
        remove_label(c->p, a, b, l, &c->src);
    hs_reply(c, 204, NULL);
}

json_t *assoc_dump(struct hs_portal *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->labels.n; i++) {
        const struct hs_label *l = &p->labels.v[i];
        json_array_append_new(a, json_pack("[i, i, i, i, i, s?, s?]", l->from, l->to, l->cat,
                                           (int)l->type_id, (int)l->inverse_id, l->label, l->name));
    }
    return json_pack("{s:o, s:i}", "labels", a, "next_user_id", (int)p->labels.next_user_id);
}

void assoc_load(struct hs_portal *p, const json_t *j)
{
    json_t *a = json_object_get(j, "labels"), *x;
    size_t i;
    if (!json_is_array(a))
        return;
    assoc_release(p);
    json_array_foreach(a, i, x)
    {
        label_add(&p->labels, (int)json_integer_value(json_array_get(x, 0)),
                  (int)json_integer_value(json_array_get(x, 1)),
                  (int)json_integer_value(json_array_get(x, 2)),
                  (int32_t)json_integer_value(json_array_get(x, 3)),
                  (int32_t)json_integer_value(json_array_get(x, 4)),
                  json_string_value(json_array_get(x, 5)), json_string_value(json_array_get(x, 6)));
    }
    p->labels.next_user_id = (int32_t)sync_json_int(j, "next_user_id", 500);
}
