/*
 * soql_check.c: the SOQL checker (see soql_int.h). It walks a parsed tree
 * and resolves every name against the caller's catalog: the FROM object
 * (INVALID_TYPE), field paths through parent relationships up to five
 * levels (polymorphic ones reach the Name entity), child subqueries,
 * FIELDS(...) expansion, duplicate fields; then checks each literal
 * against its field's type and operator (INVALID_FIELD,
 * INVALID_QUERY_FILTER_OPERATOR), normalising ids to 18 characters once.
 * Called by the entry points in soql.c only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emulators/salesforce/soql_int.h"

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
        return soql__fail_nomem(p);
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
        return soql__fail_at(p, pa->pos, "INVALID_FIELD",
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
        return soql__fail_at(p, pa->pos, "INVALID_FIELD",
                             "No such column '%s' on entity 'Name'. %s", seg, no_column_tail);
    if (!(pa->finals = calloc(ncands ? ncands : 1, sizeof(*pa->finals))))
        return soql__fail_nomem(p);
    for (c = 0; c < ncands; c++) {
        struct final *f = &pa->finals[pa->nfinals++];
        snprintf(f->object, sizeof(f->object), "%s", cands[c]);
        snprintf(f->info.name, sizeof(f->info.name), "%s", name_fields[k].name);
        f->info.type = name_fields[k].type;
        f->info.filterable = f->info.sortable = 1;
        if (strcmp(name_fields[k].name, "Type") == 0 && strcasecmp(cands[c], "Group") != 0 &&
            !(f->constant = json_string(cands[c])))
            return soql__fail_nomem(p);
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
        return soql__fail_at(p, pa->pos, "MALFORMED_QUERY",
                             "SOQL statements cannot query more than %d levels of relationships",
                             SOQL_MAX_HOPS);
    if (nseg > 1 && !(pa->hops = calloc(nseg - 1, sizeof(*pa->hops))))
        return soql__fail_nomem(p);
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
        return soql__fail_nomem(p);
    for (c = 0; c < ncands; c++) {
        struct final *f = &pa->finals[pa->nfinals];
        if (p->cat->field(p->cat->ctx, cands[c], seg, &f->info) == 0) {
            snprintf(f->object, sizeof(f->object), "%s", cands[c]);
            pa->nfinals++;
        }
    }
    if (!pa->nfinals)
        return soql__fail_at(p, pa->pos, "INVALID_FIELD", "No such column '%s' on entity '%s'. %s",
                             seg, ncands ? cands[0] : base, no_column_tail);
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
        return soql__fail_at(
            p, l->pos, "INVALID_FIELD",
            "value of filter criterion for field '%s' must be of type %s and should "
            "%sbe enclosed in quotes",
            fi->name, type_name(fi->type), quoted ? "" : "not ");
    if (fi->type == SOQL_T_ID && (strlen(l->s) != l->slen || ids_canonical(l->s, l->id)))
        return soql__fail_at(p, l->pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: %.*s",
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
        return soql__fail_at(p, n->pos, code,
                             "includes or excludes operator only valid on multipicklist field");
    if (n->kind == N_LIKE && (t == SOQL_T_ID || t == SOQL_T_MULTIPICKLIST))
        return soql__fail_at(p, n->pos, code, "invalid operator on %s field",
                             t == SOQL_T_ID ? "id" : "multipicklist");
    if (n->kind == N_CMP && n->op != OP_EQ && n->op != OP_NE &&
        (t == SOQL_T_BOOLEAN || t == SOQL_T_MULTIPICKLIST))
        return soql__fail_at(p, n->pos, code, "invalid operator on %s field",
                             t == SOQL_T_BOOLEAN ? "boolean" : "multipicklist");
    return SYNC_OK;
}

enum sync_rc soql__resolve_node(struct parser *p, const char *base, struct node *n)
{
    const struct soql_field_info *fi;
    size_t i;
    enum sync_rc rc;

    if (n->kind == N_AND || n->kind == N_OR || n->kind == N_NOT) {
        for (i = 0; i < n->nkids; i++)
            if ((rc = soql__resolve_node(p, base, n->kids[i])))
                return rc;
        return SYNC_OK;
    }
    if ((rc = resolve_path(p, base, &n->path)))
        return rc;
    fi = &n->path.finals[0].info;
    if (!fi->filterable || fi->type == SOQL_T_OTHER)
        return soql__fail_at(p, n->path.pos, "INVALID_FIELD",
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
    if (soql__grow((void **)&fc->list, &fc->cap, fc->n, sizeof(*fc->list))) {
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
        return soql__fail_nomem(p);
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
            rc = soql__fail_nomem(p);
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
                return soql__fail_at(p, it->pos, "MALFORMED_QUERY",
                                     "COUNT() must be the only element in the SELECT list");
            q->is_count = 1;
            i++;
            break;
        case I_SUB:
            if ((rc = soql__resolve_query(p, it->sub, q->object)))
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
                return soql__fail_at(p, it->pos, "MALFORMED_QUERY", "duplicate field selected: %s",
                                     it->path.text);
            if (!dup) {
                i++;
                break;
            }
            soql__path_free(&it->path);
            memmove(it, it + 1, (q->nitems - i - 1) * sizeof(*it));
            q->nitems--;
            break;
        }
    }
    return SYNC_OK;
}

enum sync_rc soql__resolve_query(struct parser *p, struct soql_query *q, const char *parent)
{
    size_t i;
    enum sync_rc rc;

    if (!parent) {
        if (p->cat->object(p->cat->ctx, q->from_text, q->object))
            return soql__fail_at(
                p, q->from_pos, "INVALID_TYPE",
                "sObject type '%s' is not supported. If you are attempting to use a "
                "custom object, be sure to append the '__c' after the entity name. "
                "Please reference your WSDL or the describe call for the appropriate "
                "names.",
                q->from_text);
    } else {
        if (!p->cat->child || p->cat->child(p->cat->ctx, parent, q->from_text, q->object, q->link))
            return soql__fail_at(
                p, q->from_pos, "INVALID_TYPE",
                "Didn't understand relationship '%s' in FROM part of query call. %s", q->from_text,
                no_relation_tail);
        snprintf(q->rel, sizeof(q->rel), "%s", q->from_text);
    }
    if ((rc = resolve_items(p, q)))
        return rc;
    if (q->where && (rc = soql__resolve_node(p, q->object, q->where)))
        return rc;
    for (i = 0; i < q->norders; i++) {
        struct order *o = &q->orders[i];
        if ((rc = resolve_path(p, q->object, &o->path)))
            return rc;
        if (!o->path.finals[0].info.sortable)
            return soql__fail_at(p, o->path.pos, "INVALID_FIELD",
                                 "field '%s' can not be sorted in a query call",
                                 o->path.finals[0].info.name);
    }
    if (q->fields_unbounded && (q->limit < 0 || q->limit > SOQL_FIELDS_LIMIT))
        return soql__fail_at(p, q->fields_pos, "MALFORMED_QUERY",
                             "The SOQL FIELDS function must have a LIMIT of at most %d",
                             SOQL_FIELDS_LIMIT);
    return SYNC_OK;
}
