/*
 * sync_int.h: the engine object shared by the pass (sync.c), the plan
 * step (planstep.c) and apply (apply.c). Nothing outside src/engine
 * includes it; the CLI uses sync.h.
 *
 * One struct sync_engine serves one portal/org pair from one thread: it
 * owns the store handle, both connectors, the mapping set, the capture
 * sources with their field lists, and what it learnt from the vendors
 * during this process (field catalogues, link fields checked, the latest
 * usage headers).
 */
#ifndef SYNC_ENGINE_SYNC_INT_H
#define SYNC_ENGINE_SYNC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/poll.h"
#include "connectors/connector.h"
#include "engine/budget.h"
#include "engine/config.h"
#include "engine/mapping.h"
#include "engine/planner.h"
#include "engine/record.h"
#include "engine/stages.h"
#include "engine/sync.h"
#include "store/store.h"

#define SYNC_ENGINE_MAX_SOURCES 32
#define SYNC_ENGINE_MAX_CATALOGS 32
#define SYNC_ENGINE_SF_LOOKBACK_MS (60 * 1000) /* Salesforce late commits */
/* An outbox claim's lease: longer than one apply round. A claim left by a process that died
 * mid-round is due again when it lapses (`once` waits that long for it). */
#define SYNC_ENGINE_LEASE_MS (5 * 1000)
#define SYNC_ENGINE_PLAN_BATCH 200 /* inbox changes planned per round */
/* A write that timed out and was read back as not there may still land this long after it was
 * sent (a request a vendor holds longer has long been dropped): its values are kept that long
 * to tell its late landing from an edit. */
#define SYNC_ENGINE_UNSETTLED_KEEP_MS (15 * 60 * 1000)
/* HubSpot's archived list has no time filter (every read pages through all of it): read it on
 * the first pass of a process, then this often */
#define SYNC_ENGINE_DELETES_EVERY_MS (5 * 60 * 1000)

/* The inclusion list's members are read again after this long; a list holds at most this many
 * (inclusion.c). */
#define SYNC_ENGINE_INCLUSION_TTL_MS (60 * 1000)
#define SYNC_ENGINE_INCLUSION_MAX 2000000

struct sync_engine_inclusion {
    char list[72];   /* the list read ("" none) */
    json_t *members; /* HubSpot contact id -> true; NULL before the first read */
    int64_t read_ms; /* when it was read */
};

/* The owner directory is read again after this long (new reps, deactivated users). */
#define SYNC_ENGINE_OWNERS_TTL_MS (60 * 1000)

/* The owner directory (owners.c): each side's neutral rows and the planner's view of them. */
struct sync_engine_owners {
    json_t *rows[2]; /* [0] HubSpot owners, [1] Salesforce users: [{"id","email","active"}] */
    struct sync_plan_owner *items; /* strings borrowed from rows */
    size_t n;
    int64_t loaded_ms; /* 0: never read */
};

/* Records remembered as waiting for an associated record (struct sync_engine.waiting). */
#define SYNC_ENGINE_WAITING_MAX 10000

/* The deal stage map is read again after this long (new pipelines, stages, record types). */
#define SYNC_ENGINE_STAGES_TTL_MS (60 * 1000)

/* A stage map (stagedir.c), the deals' or the tickets': each side's neutral rows and the map
 * built from them. */
struct sync_engine_stages {
    json_t *rows[2]; /* [0] HubSpot pipelines' stages, [1] Salesforce record types and stages */
    struct sync_stages map;
    int64_t loaded_ms; /* 0: never read */
    char *configured;  /* tickets: the admin's choices the map was built with (JSON text) */
};

/* The store setting holding the admin's ticket pipeline choices (ticketmap.h's configured). */
#define SYNC_TICKET_PIPELINES_KEY "ticket_pipelines"

/* One captured object, with the fields read for it. */
struct sync_engine_source {
    enum sync_kind kind;
    enum sync_side side;
    const char *object;
    struct sync_fieldset fields;
    struct sync_poll_source poll;
    int64_t deletes_due_ms; /* HubSpot: when the archived list is read next */
    int events;             /* timeline events (capture/timeline.h), not read through windows */
};

/* What a vendor's describe said about one object, fetched once per process. */
struct sync_engine_catalog {
    enum sync_side side;
    char object[64];
    struct sync_field_catalog cat;
    int64_t described_at; /* monotonic ms of the describe cat holds */
    int link_ensured;     /* the link-id field was checked (Salesforce) or made (HubSpot) */
    /* Salesforce: its state and country picklists, built on first use (geo.c); strings
     * borrowed from cat */
    struct sync_plan_geo geo;
    int geo_built;
};

struct sync_engine_usage {
    int have_daily, have_window;
    long long daily_used, daily_limit;
    long long window_used, window_limit;
};

/* The Salesforce credentials in force (credentials.c): the connector is built from the file's
 * configuration overlaid by stored credentials, and built again when they change. */
struct sync_engine_creds {
    struct sync_conn_config base; /* the file's (strings borrowed from the config) */
    int64_t gen;                  /* the stored row's generation it was built from; 0: none */
    int noted;                    /* what Salesforce's answers said since: 1 ok, 0 refused, -1 */
    int written;                  /* what was recorded for gen: 1, 0; -2 nothing yet */
    char noted_error[512];        /* the refusal: "invalid_grant: authentication failure" */
};

struct sync_engine {
    const struct sync_config *cfg;
    const struct sync_settings *settings; /* &live */
    /* The settings in force: the file's overlaid by the store's overrides, loaded at the start
     * of every pass (runtime.h) */
    struct sync_settings live;
    struct sync_mapping_set maps;
    struct sync_store *st;
    struct sync_conn *hs, *sf;
    struct sync_engine_source sources[SYNC_ENGINE_MAX_SOURCES];
    size_t nsources;
    struct sync_engine_catalog cats[SYNC_ENGINE_MAX_CATALOGS];
    size_t ncats;
    struct sync_engine_usage usage[2]; /* [0] HubSpot, [1] Salesforce */
    struct sync_budget_state budget;   /* Salesforce calls, suspensions (budget.h) */
    int64_t hs_settle_ms;
    struct sync_engine_owners owners;
    struct sync_engine_inclusion inclusion;
    struct sync_engine_stages stages, ticket_stages;
    json_t *campaigns;                  /* timeline sync: email campaigns read (id -> campaign) */
    int64_t events_swept_ms;            /* timeline sync: when the email events were last swept */
    int64_t since[SYNC_SETTING__COUNT]; /* when each since switch went on (sync.c since_keep) */
    /* Links made or completed (a bind, a re-point, a create's id recorded): when this moves,
     * records waiting for an association (open "associations" errors) are planned again. */
    uint64_t link_moves, link_moves_swept;
    /* Records planned while an associated record had no counterpart yet (a contact's company
     * without an account, a deal's contact not in Salesforce yet): "<system>/<object>" ->
     * {id: true}. Planned again, like the "associations" errors, when links move. */
    json_t *waiting;
    struct sync_engine_creds creds; /* the Salesforce credentials in force (credentials.c) */
};

/* The connector of a side. */
struct sync_conn *sync__engine_conn(struct sync_engine *e, enum sync_side side);
/* The fields read for an object of a side; NULL when the engine does not capture it. */
const struct sync_fieldset *sync__engine_fields(struct sync_engine *e, enum sync_side side,
                                                const char *object);
/* Salesforce's describe says what the integration user may edit (field-level security); a
 * field it refuses is described again when the catalogue is older than this, so access given
 * in Salesforce is seen within it by a running engine. */
#define SYNC_ENGINE_CATALOG_RECHECK_MS 60000
/* Describes the object again when its catalogue is older than max_age_ms. Pointers into the
 * old catalogue (and its geo) are invalid afterwards. A describe that fails keeps the old
 * catalogue (logged). */
enum sync_rc sync__engine_catalog_recheck(struct sync_engine *e, enum sync_side side,
                                          const char *object, int64_t max_age_ms,
                                          const struct sync_field_catalog **out,
                                          struct sync_err *err);
/* The object's field catalogue, described on first use. */
enum sync_rc sync__engine_catalog(struct sync_engine *e, enum sync_side side, const char *object,
                                  const struct sync_field_catalog **out, struct sync_err *err);
/* Makes sure the object's link-id field exists (HubSpot: creates crmsync_link_id) before the
 * first upsert of this process. */
enum sync_rc sync__engine_ensure_link(struct sync_engine *e, enum sync_side side,
                                      const char *object, struct sync_err *err);
/* Writes the latest usage the vendors reported into the store. */
enum sync_rc sync__engine_flush_usage(struct sync_engine *e, struct sync_err *err);

/* The state and country picklists of a Salesforce object (geo.c), built from its describe on
 * first use; borrowed for the process. An org with the picklists off gives no countries. */
enum sync_rc sync__engine_geo(struct sync_engine *e, const char *sf_object,
                              const struct sync_plan_geo **out, struct sync_err *err);
void sync__engine_geo_release(struct sync_engine_catalog *slot);

/* The inclusion list (inclusion.c): its members read when due, joins queued for a resync. */
enum sync_rc sync__engine_inclusion(struct sync_engine *e, int64_t now, struct sync_err *err);
/* 0 while a list is set and has never been read: contact changes wait. */
int sync__engine_inclusion_known(const struct sync_engine *e);
/* 1 when the HubSpot contact may sync to Salesforce (a member, or no list set). */
int sync__engine_qualifies(const struct sync_engine *e, const char *hs_id);
void sync__engine_inclusion_release(struct sync_engine *e);

/* The owner directory (owners.c), read when older than SYNC_ENGINE_OWNERS_TTL_MS; borrowed
 * until the next call. A side that cannot be read keeps its last list (logged). */
enum sync_rc sync__engine_owners(struct sync_engine *e, int64_t now,
                                 const struct sync_plan_owner **out, size_t *n,
                                 struct sync_err *err);
void sync__engine_owners_release(struct sync_engine *e);

/* The deal stage map (stagedir.c), read when older than SYNC_ENGINE_STAGES_TTL_MS; borrowed
 * until the next call. A side that cannot be read keeps its last list (logged). */
enum sync_rc sync__engine_stages(struct sync_engine *e, int64_t now,
                                 const struct sync_plan_stage_map **out, struct sync_err *err);
void sync__engine_stages_release(struct sync_engine *e);
/* The ticket pipeline map (ticketmap.h) likewise, built again at once when the admin's choices
 * in the store changed. */
enum sync_rc sync__engine_ticket_stages(struct sync_engine *e, int64_t now,
                                        const struct sync_plan_stage_map **out,
                                        struct sync_err *err);

/* The mapping set (remap.c). maps_load: e->maps becomes the mappings in force (runtime.h),
 * before the sources are opened. remap: at the start of a pass, brings e->maps to now (the
 * mappings in force): rules set in place; a mapping added, removed or re-pointed swaps the set
 * (now gets the old one), builds every source's field list again and drops the changed kinds'
 * catalogues; each change logged. */
enum sync_rc sync__engine_maps_load(struct sync_engine *e, struct sync_err *err);
enum sync_rc sync__engine_remap(struct sync_engine *e, struct sync_mapping_set *now,
                                struct sync_err *err);

/* When a since switch (runtime.h) was turned on, epoch ms; 0 when it is off. As the pass's
 * settings reload read it (no I/O). */
int64_t sync__engine_since(const struct sync_engine *e, enum sync_setting id);

/* Remembers a record to plan again when links move (see struct sync_engine.waiting). */
void sync__engine_wait(struct sync_engine *e, const char *system, const char *object,
                       const char *id);

/* "hubspot" / "salesforce". */
const char *sync__side_name(enum sync_side side);

/* The plan step (planstep.c): plans up to SYNC_ENGINE_PLAN_BATCH inbox changes, storing each
 * plan's link, ledger, error and conflict rows, its outbox entries and its decision trace, and
 * removing the change, in one transaction per change. */
enum sync_rc sync__plan_inbox(struct sync_engine *e, int64_t now, struct sync_pass_stats *stats,
                              struct sync_err *err);

/* Credentials (credentials.c). connect: makes e->sf from base (the file's Salesforce connector
 * configuration) overlaid by the stored credentials, if any. pass_start: records what the last
 * pass learnt about their validity, and makes a new connector when the stored credentials
 * changed (saved or forgotten) since. pass_end: records the validity. on_answer: every
 * Salesforce answer (a refused login makes the credentials invalid, an answer that went through
 * valid). */
enum sync_rc sync__credentials_connect(struct sync_engine *e, const struct sync_conn_config *base,
                                       struct sync_err *err);
enum sync_rc sync__credentials_pass_start(struct sync_engine *e, struct sync_err *err);
void sync__credentials_pass_end(struct sync_engine *e);
void sync__credentials_on_answer(struct sync_engine *e, const struct sync_conn_usage *u);

#endif
