/*
 * merge.c: POST /crm/v3/objects/{objectType}/merge. The primary keeps its
 * id and its values; values only the loser has move over; the loser's
 * associations move; the loser is removed for good. Afterwards the
 * primary answers to every id merged into it (hs_merged_object_ids, and
 * the store's alias map) and, for contacts, to the loser's e-mail
 * addresses (hs_additional_emails, and the e-mail unique index). A record
 * can absorb at most HS_IDENTITIES_MAX ids, as in HubSpot.
 *
 * objects.c calls merge_drop_aliases when a merged record is archived or
 * purged. Callers hold the portal lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulators/hubspot/portal.h"

#define HS_IDENTITIES_MAX 250

/* new: the ';'-separated lists a and b joined (either may be NULL or empty). */
static char *join_list(const char *a, const char *b)
{
    size_t na = a ? strlen(a) : 0, nb = b ? strlen(b) : 0;
    char *out = malloc(na + nb + 2);
    if (!out)
        return NULL;
    memcpy(out, a ? a : "", na);
    out[na] = na && nb ? ';' : '\0';
    memcpy(out + na + (na && nb), b ? b : "", nb);
    out[na + (na && nb) + nb] = '\0';
    return out;
}

static size_t list_count(const char *s)
{
    size_t n = s && *s ? 1 : 0;
    for (; s && *s; s++)
        n += *s == ';';
    return n;
}

/* Appends prop = value (stolen) to w, which has room. */
static void push(struct hs_write *w, struct hs_prop *prop, char *value)
{
    if (!prop || !value) {
        free(value);
        return;
    }
    w->v[w->n].prop = prop;
    w->v[w->n].value = value;
    w->n++;
}

/* The loser's values the primary lacks (not read-only, unique or a create date). */
static size_t take_values(const struct hs_catalog *cat, const struct hs_record *primary,
                          const struct hs_record *loser, struct hs_write *w)
{
    size_t moved = 0;
    for (size_t i = 0; i < cat->n; i++) {
        struct hs_prop *prop = cat->v[i];
        const char *lv = hs_record_get(loser, prop);
        if (!lv || (prop->flags & (HS_PF_READONLY | HS_PF_UNIQUE)) ||
            hs_record_get(primary, prop) || prop == cat->sys[HS_SYS_CREATED] ||
            strcmp(prop->name, "createdate") == 0)
            continue;
        push(w, prop, strdup(lv));
        moved++;
    }
    return moved;
}

/* Every id the loser stands for: its own and those merged into it. */
static char *loser_ids(const struct hs_catalog *cat, const struct hs_record *loser)
{
    char id[24];
    return join_list(hs_record_get(loser, cat->sys[HS_SYS_MERGED]), hs_id_str(loser->id, id));
}

/* Every address the loser has: its e-mail and its additional ones (contacts only). */
static char *loser_emails(struct hs_portal *p, const struct hs_record *loser)
{
    if (loser->type != HS_CONTACTS)
        return NULL;
    return join_list(hs_record_get(loser, props_find(p, HS_CONTACTS, "email")),
                     hs_record_get(loser, props_find(p, HS_CONTACTS, "hs_additional_emails")));
}

struct alias_scan {
    const struct hs_record *r;
    char **keys;
    size_t n, cap;
};

static void alias_collect(const char *key, void *val, void *arg)
{
    struct alias_scan *a = arg;
    if (val != a->r)
        return;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        char **v = realloc(a->keys, cap * sizeof(*v));
        if (!v)
            return;
        a->keys = v;
        a->cap = cap;
    }
    a->keys[a->n++] = strdup(key);
}

/* Points the aliases of from at to (to NULL: drops them). */
static void aliases_move(struct hs_map *aliases, const struct hs_record *from, struct hs_record *to)
{
    struct alias_scan a = {from, NULL, 0, 0};
    hs_map_each(aliases, alias_collect, &a);
    for (size_t i = 0; i < a.n; i++) {
        if (to)
            hs_map_put(aliases, a.keys[i], to);
        else
            hs_map_del(aliases, a.keys[i]);
        free(a.keys[i]);
    }
    free(a.keys);
}

/* For each address of list (';'-separated): with r given, the e-mail index maps it to r unless
 * it names a record already; without, an entry naming of is dropped. */
static void emails_index(struct hs_portal *p, const char *list, struct hs_record *r,
                         const struct hs_record *of)
{
    struct hs_prop *email = props_find(p, HS_CONTACTS, "email");
    const char *q = list;
    while (email && email->uniq && q && *q) {
        size_t n = strcspn(q, ";");
        char *one = strndup(q, n), key[HS_UNIQUE_KEY_MAX];
        if (one) {
            struct hs_record *x;
            props_unique_key(one, key, sizeof(key));
            x = hs_map_get(email->uniq, key);
            if (r && !x)
                hs_map_put(email->uniq, key, r);
            else if (!r && x == of)
                hs_map_del(email->uniq, key);
            free(one);
        }
        q += n;
        if (*q == ';')
            q++;
    }
}

void merge_drop_aliases(struct hs_portal *p, struct hs_record *r, int ids)
{
    if (!hs_record_get(r, p->cat[r->type].sys[HS_SYS_MERGED]))
        return;
    if (r->type == HS_CONTACTS)
        emails_index(p, hs_record_get(r, props_find(p, HS_CONTACTS, "hs_additional_emails")), NULL,
                     r);
    if (ids)
        aliases_move(&p->st[r->type].aliases, r, NULL);
}

/* Merges loser into primary (see the top of the file); returns how many values moved. */
static size_t merge_records(struct hs_portal *p, struct hs_record *primary, struct hs_record *loser,
                            const struct hs_source *src)
{
    struct hs_catalog *cat = &p->cat[primary->type];
    struct hs_store *s = &p->st[primary->type];
    struct hs_write w = {calloc(cat->n + 2, sizeof(*w.v)), 0};
    char *ids = loser_ids(cat, loser), *emails = loser_emails(p, loser);
    struct hs_record *x;
    size_t moved = 0;

    if (w.v) {
        moved = take_values(cat, primary, loser, &w);
        push(&w, cat->sys[HS_SYS_MERGED],
             join_list(hs_record_get(primary, cat->sys[HS_SYS_MERGED]), ids));
        if (emails && *emails)
            push(&w, props_find(p, HS_CONTACTS, "hs_additional_emails"),
                 join_list(
                     hs_record_get(primary, props_find(p, HS_CONTACTS, "hs_additional_emails")),
                     emails));
    }
    for (size_t i = 0; i < loser->nedges; i++) {
        struct hs_edge e = loser->edges[i];
        struct hs_record *other = obj_find(p, e.to_type, e.to_id);
        if (other && other != primary)
            assoc_add(p, primary, other, e.cat, e.type_id, src);
    }
    aliases_move(&s->aliases, loser, primary);
    {
        char id[24];
        hs_map_put(&s->aliases, hs_id_str(loser->id, id), primary);
    }
    obj_purge(p, loser);
    obj_update(p, primary, &w, src, &x);
    hs_write_release(&w);
    emails_index(p, emails, primary, NULL);
    free(ids);
    free(emails);
    return moved;
}

void obj_h_merge(struct hs_ctx *c)
{
    int t = hs_param_type(c, 0);
    char pbuf[32], lbuf[32];
    const char *pid = hs_json_idstr(c->body, "primaryObjectId", pbuf);
    const char *lid = hs_json_idstr(c->body, "objectIdToMerge", lbuf);
    const struct hs_catalog *cat;
    struct hs_record *primary, *loser;
    uint64_t loser_id;
    size_t moved;

    if (t < 0)
        return;
    if (!pid || !lid) {
        hs_fail(c, 400, "VALIDATION_ERROR",
                "Invalid input JSON: primaryObjectId and objectIdToMerge are required");
        return;
    }
    cat = &c->p->cat[t];
    primary = obj_lookup(c->p, t, pid, NULL, 0);
    loser = obj_lookup(c->p, t, lid, NULL, 0);
    if (!primary || !loser) {
        hs_not_found(c);
        return;
    }
    if (primary == loser) {
        hs_fail(c, 400, "VALIDATION_ERROR", "Cannot merge an object with itself");
        return;
    }
    if (list_count(hs_record_get(primary, cat->sys[HS_SYS_MERGED])) +
            list_count(hs_record_get(loser, cat->sys[HS_SYS_MERGED])) + 2 >
        HS_IDENTITIES_MAX) {
        hs_fail(c, 414, "VALIDATION_ERROR", "Cannot have more than %d identities on a profile",
                HS_IDENTITIES_MAX);
        return;
    }
    if (portal_locked(c->p, t, primary->id) || portal_locked(c->p, t, loser->id)) {
        hs_fail(c, 423, "LOCKED", HS_LOCKED_MSG);
        return;
    }
    loser_id = loser->id;
    moved = merge_records(c->p, primary, loser, &c->src);
    wh_on_merge(c->p, primary, loser_id, primary->id, moved, &c->src);
    obj_reply(c, 200, primary, NULL);
}
