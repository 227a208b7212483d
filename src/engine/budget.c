/*
 * budget.c: the Salesforce API budget, the integration-level suspensions
 * and the retry suppression (see budget.h): what a Salesforce answer
 * means, the calls counted per minute in the store, the suspensions kept
 * there, and the status JSON. Called by the engine's pass (sync.c),
 * apply (apply.c) and the CLI (status, suspension).
 */
#include "engine/budget.h"

#include <stdio.h>
#include <string.h>

#include "connectors/connector.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "engine/sync_int.h"
#include "store/store.h"

#define VENDOR "salesforce"
#define DAY_MS (24LL * 60 * 60 * 1000)

static const struct {
    const char *name, *title, *fix;
    int clears_itself;
} kinds[SYNC_SUSPEND__COUNT] = {
    [SYNC_SUSPEND_API_DISABLED] = {"api_disabled", "Salesforce organization API access disabled",
                                   "give the integration user's profile or a permission set "
                                   "\"API Enabled\", then run `crmsync suspension clear`",
                                   0},
    [SYNC_SUSPEND_OBJECT_PERMISSIONS] = {"object_permissions",
                                         "Salesforce object permissions missing",
                                         "give the integration user read and edit access to the "
                                         "synced objects (Lead, Contact, Account, Opportunity), "
                                         "then run `crmsync suspension clear`",
                                         0},
    [SYNC_SUSPEND_UNKNOWN] = {"unknown", "Unknown error",
                              "usually clears by itself (Salesforce is tried again every 5 "
                              "minutes); `crmsync suspension clear` tries again at once",
                              1},
    [SYNC_SUSPEND_API_LIMIT] = {"api_limit", "Salesforce organization API limit exceeded",
                                "clears by itself once the org's rolling 24-hour usage falls "
                                "below its limit (tried again every 5 minutes); set "
                                "salesforce_api_allocation to leave room for other integrations, "
                                "or ask Salesforce for a temporary increase",
                                1},
    [SYNC_SUSPEND_ALLOCATION] = {"allocation", "API call allocation reached",
                                 "clears by itself as calls leave the rolling 24-hour window; "
                                 "raise salesforce_api_allocation to resume sooner",
                                 1},
};

const char *sync_suspension_kind_name(enum sync_suspension_kind k)
{
    return (unsigned)k < SYNC_SUSPEND__COUNT ? kinds[k].name : "unknown";
}

int sync_suspension_kind_find(const char *name)
{
    for (int i = 0; name && i < SYNC_SUSPEND__COUNT; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return i;
    return -1;
}

const char *sync_suspension_title(enum sync_suspension_kind k)
{
    return (unsigned)k < SYNC_SUSPEND__COUNT ? kinds[k].title : "";
}

const char *sync_suspension_fix(enum sync_suspension_kind k)
{
    return (unsigned)k < SYNC_SUSPEND__COUNT ? kinds[k].fix : "";
}

int sync_suspension_clears_itself(enum sync_suspension_kind k)
{
    return (unsigned)k < SYNC_SUSPEND__COUNT && kinds[k].clears_itself;
}

int sync_budget_classify(long status, const char *code, const char *message)
{
    code = code ? code : "";
    message = message ? message : "";
    if (strcmp(code, SYNC_CONN_BUDGET_CODE) == 0)
        return SYNC_SUSPEND_API_LIMIT; /* the connector's own refusal at the org's limit */
    if (strcmp(code, "API_DISABLED_FOR_ORG") == 0)
        return SYNC_SUSPEND_API_DISABLED;
    if (strcmp(code, "INVALID_TYPE") == 0 && strstr(message, "is not supported"))
        return SYNC_SUSPEND_OBJECT_PERMISSIONS; /* the user cannot see the object at all */
    if (status != 403)
        return -1;
    if (strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0)
        /* the concurrent long-request limit clears in seconds: a retry, no suspension */
        return strncmp(message, "ConcurrentPerOrgLongTxn", 23) == 0 ? -1 : SYNC_SUSPEND_API_LIMIT;
    if (strcmp(code, "INSUFFICIENT_ACCESS") == 0 ||
        strcmp(code, "INSUFFICIENT_ACCESS_OR_READONLY") == 0)
        return SYNC_SUSPEND_OBJECT_PERMISSIONS;
    return SYNC_SUSPEND_UNKNOWN;
}

int sync_budget_retries_suppressed_for(int64_t used_24h, int64_t allocation, int64_t percent,
                                       int64_t calls)
{
    if (allocation > 0)
        return used_24h * 100 > allocation * percent;
    return used_24h > calls;
}

int64_t sync_budget_next_daily(int64_t now, int64_t minutes)
{
    int64_t midnight = now - ((now % DAY_MS) + DAY_MS) % DAY_MS;
    int64_t at = midnight + minutes * 60000;

    return at > now ? at : at + DAY_MS;
}

/* ---- status and clearing, for any process ---- */

static json_t *suspension_json(const struct sync_suspension_row *r, int kind)
{
    char since[SYNC_TIME_ISO_MAX], check[SYNC_TIME_ISO_MAX];

    sync_time_format_iso(r->since, since, sizeof(since));
    sync_time_format_iso(r->check_at, check, sizeof(check));
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:b, s:s, s:s?}", "kind", r->kind, "title",
                     sync_suspension_title(kind), "since", since, "code",
                     r->code && r->code[0] ? r->code : NULL, "message", r->message, "clears_itself",
                     sync_suspension_clears_itself(kind), "how_to_clear", sync_suspension_fix(kind),
                     "next_check_at", r->check_at ? check : NULL);
}

struct collect {
    json_t *list;
    json_t *worst;
    int worst_kind;
};

static enum sync_rc collect_row(void *ctx, const struct sync_suspension_row *r)
{
    struct collect *c = ctx;
    int kind = sync_suspension_kind_find(r->kind);
    json_t *j;

    if (kind < 0)
        return SYNC_OK; /* a kind this build does not know */
    if (!(j = suspension_json(r, kind)))
        return SYNC_ERR_NOMEM;
    json_array_append_new(c->list, j);
    if (!c->worst || kind < c->worst_kind) {
        c->worst = j;
        c->worst_kind = kind;
    }
    return SYNC_OK;
}

enum sync_rc sync_budget_status(struct sync_store *st, const struct sync_settings *s, int64_t now,
                                json_t **out, struct sync_err *err)
{
    int64_t used = 0, alloc = sync_settings_int(s, SYNC_SETTING_SALESFORCE_API_ALLOCATION);
    struct collect c = {json_array(), NULL, 0};
    struct sync_api_usage u;
    struct sync_err uerr = SYNC_ERR_INIT;
    int have_org;
    enum sync_rc rc;
    json_t *o;

    *out = NULL;
    if (!c.list)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    rc = sync_store_api_calls_sum(st, VENDOR, now - SYNC_BUDGET_WINDOW_MS, &used, err);
    if (!rc)
        rc = sync_store_suspension_list(st, VENDOR, collect_row, &c, err);
    if (rc) {
        json_decref(c.list);
        return rc;
    }
    have_org = sync_store_api_usage_get(st, VENDOR, "daily", &u, &uerr) == SYNC_OK && u.quota > 0;
    o = json_pack(
        "{s:I, s:I, s:o, s:o, s:o, s:O, s:o, s:b}", "used_24h", (json_int_t)used, "allocation",
        (json_int_t)alloc, "org_used", have_org ? json_integer(u.used) : json_null(), "org_limit",
        have_org ? json_integer(u.quota) : json_null(), "percent_of_allocation",
        alloc > 0 ? json_real((double)(used * 1000 / alloc) / 10.0) : json_null(), "suspended",
        c.worst ? c.worst : json_null(), "suspensions", c.list, "retries_suppressed",
        sync_budget_retries_suppressed_for(
            used, alloc, sync_settings_int(s, SYNC_SETTING_RETRY_SUPPRESS_ABOVE_PERCENT),
            sync_settings_int(s, SYNC_SETTING_RETRY_SUPPRESS_ABOVE_CALLS)));
    if (!o)
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    *out = o;
    return SYNC_OK;
}

enum sync_rc sync_budget_clear(struct sync_store *st, const char *kind, int64_t *cleared,
                               struct sync_err *err)
{
    if (kind && sync_suspension_kind_find(kind) < 0)
        return sync_err_set(err, SYNC_ERR_INVALID,
                            "no suspension kind '%s' (api_disabled, object_permissions, unknown, "
                            "api_limit, allocation)",
                            kind);
    return sync_store_suspension_clear(st, VENDOR, kind, cleared, err);
}

/* ---- the engine's side ---- */

void sync__budget_on_answer(struct sync_budget_state *b, const struct sync_conn_usage *u)
{
    int kind =
        u->status >= 400 ? sync_budget_classify(u->status, u->error_code, u->error_message) : -1;

    if (u->counted)
        b->pending++;
    if (u->daily_limit > 0 && u->daily_used >= 0) {
        b->org_used = u->daily_used;
        b->org_limit = u->daily_limit;
    }
    if (kind >= 0) {
        b->noted = kind + 1;
        snprintf(b->noted_code, sizeof(b->noted_code), "%s", u->error_code ? u->error_code : "");
        snprintf(b->noted_message, sizeof(b->noted_message), "%s",
                 u->error_message ? u->error_message : "");
    } else if (u->counted) {
        b->probe_ok = 1;
    }
}

/* The object permission op needs that the describe answer says the user lacks; NULL: none. */
static const char *permission_missing(const json_t *describe, int op)
{
    int create = json_is_true(json_object_get(describe, "createable"));
    int update = json_is_true(json_object_get(describe, "updateable"));

    switch (op) {
    case SYNC_CONN_CREATE:
        return create ? NULL : "create";
    case SYNC_CONN_UPDATE:
        return update ? NULL : "edit";
    case SYNC_CONN_UPSERT:
        return create && update ? NULL : "create and edit";
    case SYNC_CONN_DELETE:
        return json_is_true(json_object_get(describe, "deletable")) ? NULL : "delete";
    default:
        return NULL;
    }
}

int sync__budget_object_refused(struct sync_engine *e, const char *object, int op,
                                const struct sync_err *refusal)
{
    struct sync_budget_state *b = &e->budget;
    struct sync_field_catalog cat;
    struct sync_err derr = SYNC_ERR_INIT;
    const char *missing;

    if (!e->sf)
        return 0;
    memset(&cat, 0, sizeof(cat));
    if (sync_conn_describe(e->sf, object, &cat, &derr) == SYNC_OK) {
        missing = permission_missing(cat.raw, op);
        sync_field_catalog_release(&cat);
    } else {
        /* 404: the user cannot see the object at all; anything else tells nothing */
        missing = derr.http_status == 404 ? "read" : NULL;
    }
    if (!missing)
        return 0;
    b->noted = SYNC_SUSPEND_OBJECT_PERMISSIONS + 1;
    snprintf(b->noted_code, sizeof(b->noted_code), "%s", refusal->code);
    snprintf(b->noted_message, sizeof(b->noted_message),
             "%.300s (the integration user has no %s permission on %.64s)", refusal->message,
             missing, object);
    return 1;
}

static int first_open(unsigned open)
{
    for (int k = 0; k < SYNC_SUSPEND__COUNT; k++)
        if (open & (1u << k))
            return k;
    return -1;
}

static int allowed(const struct sync_budget_state *b)
{
    return b->open == 0 || (b->probing && b->open == 1u << (b->probing - 1));
}

static void suspend(struct sync_engine *e, int kind, const char *code, const char *message,
                    int64_t now)
{
    struct sync_budget_state *b = &e->budget;
    struct sync_suspension_row r;
    struct sync_err err = SYNC_ERR_INIT;
    int was_open = (b->open >> kind) & 1u;

    memset(&r, 0, sizeof(r));
    r.vendor = VENDOR;
    r.kind = sync_suspension_kind_name(kind);
    r.code = code && code[0] ? code : NULL;
    r.message = message && message[0] ? message : sync_suspension_title(kind);
    r.check_at = kind == SYNC_SUSPEND_ALLOCATION       ? 0
                 : sync_suspension_clears_itself(kind) ? now + SYNC_BUDGET_RETRY_MS
                                                       : 0;
    if (sync_store_suspension_put(e->st, &r, &err))
        sync_warn("budget", "cannot store the suspension: %s", err.message);
    b->open |= 1u << kind;
    b->check_at[kind] = r.check_at;
    if (b->probing == kind + 1) {
        sync_warn("budget", "still suspended (%s): %s", r.kind, r.message);
    } else if (!was_open) {
        sync_warn("budget",
                  "suspended (%s): %s%s%s; HubSpot changes keep queueing, no Salesforce call is "
                  "made; to clear: %s",
                  r.kind, r.code ? r.code : "", r.code ? ": " : "", r.message,
                  sync_suspension_fix(kind));
    }
    b->probing = 0;
    b->announced = 1;
}

static void resume(struct sync_engine *e, int kind, const char *why)
{
    struct sync_budget_state *b = &e->budget;
    struct sync_err err = SYNC_ERR_INIT;

    if (sync_store_suspension_clear(e->st, VENDOR, sync_suspension_kind_name(kind), NULL, &err))
        sync_warn("budget", "cannot clear the suspension: %s", err.message);
    b->open &= ~(1u << kind);
    b->check_at[kind] = 0;
    if (b->probing == kind + 1)
        b->probing = 0;
    sync_info("budget", "resumed (%s cleared: %s)", sync_suspension_kind_name(kind), why);
}

/* Stores the calls counted and reads the 24-hour total back. */
static void refresh_used(struct sync_engine *e, int64_t now)
{
    struct sync_budget_state *b = &e->budget;
    struct sync_err err = SYNC_ERR_INIT;
    int64_t used = 0;

    if (b->pending > 0) {
        if (sync_store_api_calls_add(e->st, VENDOR, now, b->pending, &err) == SYNC_OK)
            b->pending = 0;
        else
            sync_warn("budget", "cannot count API calls: %s", err.message);
    }
    if (sync_store_api_calls_sum(e->st, VENDOR, now - SYNC_BUDGET_WINDOW_MS, &used, &err) ==
        SYNC_OK)
        b->used_24h = used + b->pending;
    else
        b->used_24h += b->pending;
}

static void check_allocation(struct sync_engine *e, int64_t now)
{
    struct sync_budget_state *b = &e->budget;
    int64_t alloc = sync_settings_int(e->settings, SYNC_SETTING_SALESFORCE_API_ALLOCATION);
    int over = alloc > 0 && b->used_24h >= alloc;
    int open = (b->open >> SYNC_SUSPEND_ALLOCATION) & 1u;

    if (over && !open) {
        char msg[256];
        snprintf(msg, sizeof(msg),
                 "crmsync used %lld Salesforce API calls in the last 24 hours, its allocation is "
                 "%lld",
                 (long long)b->used_24h, (long long)alloc);
        suspend(e, SYNC_SUSPEND_ALLOCATION, NULL, msg, now);
    } else if (!over && open) {
        char why[160];
        snprintf(why, sizeof(why), "%lld calls in the last 24 hours, allocation %lld",
                 (long long)b->used_24h, (long long)alloc);
        resume(e, SYNC_SUSPEND_ALLOCATION, why);
    }
}

int sync__budget_ok(struct sync_engine *e)
{
    struct sync_budget_state *b = &e->budget;
    int64_t now = sync_time_now_ms();

    refresh_used(e, now);
    if (b->noted) {
        suspend(e, b->noted - 1, b->noted_code, b->noted_message, now);
        b->noted = 0;
    } else if (b->probing && b->probe_ok) {
        resume(e, b->probing - 1, "Salesforce answered again");
    }
    b->probe_ok = 0;
    if (b->org_limit > 0 && b->org_used >= b->org_limit &&
        !((b->open >> SYNC_SUSPEND_API_LIMIT) & 1u)) {
        char msg[160];
        snprintf(msg, sizeof(msg), "the org used %lld of its %lld daily API requests", b->org_used,
                 b->org_limit);
        suspend(e, SYNC_SUSPEND_API_LIMIT, NULL, msg, now);
    }
    check_allocation(e, now);
    b->retries_suppressed = sync_budget_retries_suppressed_for(
        b->used_24h, sync_settings_int(e->settings, SYNC_SETTING_SALESFORCE_API_ALLOCATION),
        sync_settings_int(e->settings, SYNC_SETTING_RETRY_SUPPRESS_ABOVE_PERCENT),
        sync_settings_int(e->settings, SYNC_SETTING_RETRY_SUPPRESS_ABOVE_CALLS));
    return allowed(b);
}

struct reload {
    unsigned open;
    int64_t check_at[SYNC_SUSPEND__COUNT];
    int64_t since[SYNC_SUSPEND__COUNT];
};

static enum sync_rc reload_row(void *ctx, const struct sync_suspension_row *r)
{
    struct reload *l = ctx;
    int kind = sync_suspension_kind_find(r->kind);

    if (kind >= 0) {
        l->open |= 1u << kind;
        l->check_at[kind] = r->check_at;
        l->since[kind] = r->since;
    }
    return SYNC_OK;
}

int sync__budget_pass_start(struct sync_engine *e)
{
    struct sync_budget_state *b = &e->budget;
    struct sync_err err = SYNC_ERR_INIT;
    struct reload l;
    int64_t now = sync_time_now_ms();
    int worst;

    memset(&l, 0, sizeof(l));
    if (sync_store_suspension_list(e->st, VENDOR, reload_row, &l, &err)) {
        sync_warn("budget", "cannot read the suspensions: %s", err.message);
        return sync__budget_ok(e);
    }
    for (int k = 0; k < SYNC_SUSPEND__COUNT; k++)
        if (((b->open >> k) & 1u) && !((l.open >> k) & 1u))
            sync_info("budget", "resumed (%s suspension cleared)", sync_suspension_kind_name(k));
    b->open = l.open;
    memcpy(b->check_at, l.check_at, sizeof(b->check_at));
    if (b->probing && !((b->open >> (b->probing - 1)) & 1u))
        b->probing = 0;
    worst = first_open(b->open);
    if (worst >= 0 && !b->announced) {
        char since[SYNC_TIME_ISO_MAX];
        sync_warn(
            "budget", "suspended (%s) since %s; to clear: %s", sync_suspension_kind_name(worst),
            sync_time_format_iso(l.since[worst], since, sizeof(since)), sync_suspension_fix(worst));
    }
    b->announced = 1;
    if (!b->probing && worst >= 0 && b->open == 1u << worst && b->check_at[worst] &&
        b->check_at[worst] <= now) {
        /* a self-clearing suspension is due: the pass's first Salesforce answer settles it; a
         * new session forgets the usage the last one saw */
        b->probing = worst + 1;
        b->probe_ok = 0;
        sync_info("budget", "trying Salesforce again (%s suspension)",
                  sync_suspension_kind_name(worst));
        if (e->sf && worst == SYNC_SUSPEND_API_LIMIT) {
            b->org_used = b->org_limit = -1;
            sync_conn_authenticate(e->sf, NULL);
        }
    }
    if (sync_store_api_calls_prune(e->st, VENDOR, now - SYNC_BUDGET_WINDOW_MS, &err))
        sync_warn("budget", "cannot prune API call counts: %s", err.message);
    return sync__budget_ok(e);
}

int sync__budget_suspended(const struct sync_engine *e)
{
    return !allowed(&e->budget);
}

int sync__budget_explains(const struct sync_engine *e, const struct sync_err *err)
{
    int kind;

    if (!err || !e->budget.open)
        return 0;
    kind = sync_budget_classify(err->http_status, err->code, err->message);
    return kind >= 0 && ((e->budget.open >> kind) & 1u);
}

void sync__budget_flush(struct sync_engine *e)
{
    refresh_used(e, sync_time_now_ms());
}

void sync__budget_defer_retries(struct sync_engine *e)
{
    int64_t now = sync_time_now_ms(), moved = 0;
    int64_t until = now + sync_settings_int(e->settings, SYNC_SETTING_RETRY_INTERVAL);
    struct sync_err err = SYNC_ERR_INIT;
    char when[SYNC_TIME_ISO_MAX];

    if (sync_store_outbox_defer_retries(e->st, VENDOR, now, until, &moved, &err)) {
        sync_warn("budget", "cannot put retries off: %s", err.message);
        return;
    }
    if (moved)
        sync_info("budget",
                  "retries suppressed (%lld Salesforce API calls in 24 hours): %lld put off "
                  "until %s",
                  (long long)e->budget.used_24h, (long long)moved,
                  sync_time_format_iso(until, when, sizeof(when)));
}
