/*
 * owners.c: the owners of the portal (/crm/v3/owners). A fresh portal has
 * the integration user and a few sales reps in two teams, one of them
 * archived (deactivated), as real portals do. Owners are PublicOwner JSON
 * objects in p->owners; the control API can add more (owners_add).
 *
 * Property validation (props.c) asks owners_exists whether a
 * hubspot_owner_id value names an active owner. Callers hold the portal
 * lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "emulators/hubspot/portal.h"

struct seed_owner {
    const char *first, *last, *email;
    int team; /* 1 East, 2 West, 0 none */
    int archived;
};

static const struct seed_owner seed_owners[] = {
    {"Integration", "User", HS_INTEGRATION_USER, 0, 0},
    {"Maria", "Silva", "maria.silva@crmsync.test", 1, 0},
    {"Kenji", "Tanaka", "kenji.tanaka@crmsync.test", 1, 0},
    {"Ana", "Costa", "ana.costa@crmsync.test", 2, 0},
    {"Oliver", "Brown", "oliver.brown@crmsync.test", 2, 1},
};

static json_t *owner_json(int64_t id, int64_t user_id, const char *first, const char *last,
                          const char *email, int team, int archived)
{
    char sid[32], iso[SYNC_TIME_ISO_MAX];
    json_t *teams = json_array();
    sync_time_format_iso(1577836800000LL + id * 1000, iso, sizeof(iso));
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    if (team)
        json_array_append_new(teams, json_pack("{s:s, s:s, s:b}", "id", team == 1 ? "101" : "102",
                                               "name", team == 1 ? "East" : "West", "primary", 1));
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:b, s:o, s:s}", "id", sid, "email",
                     email, "firstName", first, "lastName", last, "userId", (json_int_t)user_id,
                     "userIdIncludingInactive", (json_int_t)user_id, "createdAt", iso, "updatedAt",
                     iso, "archived", archived, "teams", teams, "type", "PERSON");
}

void owners_init(struct hs_portal *p)
{
    p->owners = json_array();
    p->next_owner = 64492917;
    for (size_t i = 0; i < sizeof(seed_owners) / sizeof(seed_owners[0]); i++) {
        const struct seed_owner *o = &seed_owners[i];
        int64_t uid = i == 0 ? HS_INTEGRATION_USER_ID : 9100000 + (int64_t)i;
        json_array_append_new(p->owners, owner_json(p->next_owner++, uid, o->first, o->last,
                                                    o->email, o->team, o->archived));
    }
}

void owners_release(struct hs_portal *p)
{
    json_decref(p->owners);
    p->owners = NULL;
}

int owners_exists(struct hs_portal *p, const char *id)
{
    size_t i;
    json_t *o;
    json_array_foreach(p->owners, i, o)
    {
        if (strcmp(sync_json_str(o, "id"), id) == 0 &&
            !json_is_true(json_object_get(o, "archived")))
            return 1;
    }
    return 0;
}

json_t *owners_add(struct hs_portal *p, const json_t *body, char *err, size_t errlen)
{
    const char *email = sync_json_str(body, "email");
    const char *first = sync_json_str(body, "firstName");
    const char *last = sync_json_str(body, "lastName");
    const char *team = sync_json_str(body, "team");
    int64_t id = p->next_owner++;
    json_t *o;
    if (!email || !props_email_ok(email)) {
        snprintf(err, errlen, "email is required and must be an e-mail address");
        return NULL;
    }
    o = owner_json(id, sync_json_int(body, "userId", 9200000 + id % 100000), first ? first : "",
                   last ? last : "", email, team ? (strcasecmp(team, "West") == 0 ? 2 : 1) : 0,
                   sync_json_bool(body, "archived", 0));
    json_array_append_new(p->owners, o);
    persist_mark(p);
    return o;
}

void owners_h_list(struct hs_ctx *c)
{
    const char *email = hs_query(c, "email");
    int archived = hs_query_bool(c, "archived", 0);
    int64_t limit, after;
    json_t *res, *o, *body;
    size_t i, seen = 0, next = 0;

    if (hs_query_int(c, "limit", 100, 1, 500, &limit) || hs_query_after(c, &after))
        return;
    res = json_array();
    json_array_foreach(c->p->owners, i, o)
    {
        if (json_is_true(json_object_get(o, "archived")) != (archived != 0))
            continue;
        if (email && *email && strcasecmp(sync_json_str(o, "email"), email) != 0)
            continue;
        if ((int64_t)seen >= after && (int64_t)json_array_size(res) < limit)
            json_array_append(res, o);
        else if ((int64_t)seen >= after && !next)
            next = seen;
        seen++;
    }
    body = json_pack("{s:o}", "results", res);
    if (next)
        json_object_set_new(body, "paging", hs_paging((int64_t)next, NULL));
    hs_reply(c, 200, body);
}

void owners_h_get(struct hs_ctx *c)
{
    const char *by = hs_query(c, "idProperty");
    int archived = hs_query_bool(c, "archived", 0);
    int by_user = by && strcmp(by, "userId") == 0;
    size_t i;
    json_t *o;
    json_array_foreach(c->p->owners, i, o)
    {
        char uid[32];
        snprintf(uid, sizeof(uid), "%lld", (long long)sync_json_int(o, "userId", 0));
        if (strcmp(by_user ? uid : sync_json_str(o, "id"), c->params[0]) != 0)
            continue;
        if (json_is_true(json_object_get(o, "archived")) != (archived != 0))
            continue;
        hs_reply(c, 200, json_incref(o));
        return;
    }
    hs_fail(c, 404, "OBJECT_NOT_FOUND", "Owner %s not found", c->params[0]);
}
