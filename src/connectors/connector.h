/*
 * connector.h: the one interface the engine uses to reach a vendor.
 *
 * A struct sync_conn is one authenticated session with one vendor account
 * (a Salesforce org or a HubSpot portal). salesforce.c and hubspot.c each
 * implement struct sync_conn_ops, the vendor table (curl's lib/vtls shape:
 * struct Curl_ssl); connector.c is the only caller of those tables and adds
 * what every vendor shares: pacing, retries with backoff, re-login on an
 * expired session, usage reporting, chunking writes, per-record retries.
 * The engine calls only the sync_conn_* functions below.
 *
 * Calling rules:
 *   - One connector belongs to one thread (like its HTTP client). Buckets
 *     may be shared between connectors (see struct sync_conn_config).
 *   - Every function returns enum sync_rc and fills a struct sync_err on
 *     failure with the vendor's code, message, HTTP status and class
 *     (retryable / rate-limited / permanent).
 *   - Records come back as jansson objects in a struct sync_conn_batch; the
 *     batch owns them until sync_conn_batch_release.
 *   - A write never lets one record's failure fail the others: results are
 *     per record. A write whose answer was lost after the request left is
 *     AMBIGUOUS, never resent: the caller resolves it with
 *     sync_conn_read_back (by link id).
 *   - Salesforce's daily limit (REQUEST_LIMIT_EXCEEDED) and HubSpot's daily
 *     limit are never retried: they come back as SYNC_ERRCLASS_RATELIMITED
 *     so the engine pauses.
 */
#ifndef SYNC_CONNECTORS_CONNECTOR_H
#define SYNC_CONNECTORS_CONNECTOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "connectors/pace.h"
#include "core/err.h"
#include "core/http_client.h"

enum sync_vendor { SYNC_VENDOR_SALESFORCE = 1, SYNC_VENDOR_HUBSPOT };

/* The external-id field / unique property that carries a link id on each side. */
#define SYNC_SF_LINK_FIELD "CrmSync_Link_Id__c"
#define SYNC_HS_LINK_PROPERTY "crmsync_link_id"
/* err->code of a write whose outcome is unknown (the request left, no answer came). */
#define SYNC_CONN_AMBIGUOUS_CODE "AMBIGUOUS_OUTCOME"
/* err->code when our own share of the vendor's daily budget is used up. */
#define SYNC_CONN_BUDGET_CODE "CRMSYNC_BUDGET_EXHAUSTED"

enum sync_conn_auth {
    SYNC_AUTH_PASSWORD = 1,       /* Salesforce: username + password + security token */
    SYNC_AUTH_REFRESH_TOKEN,      /* Salesforce or HubSpot OAuth refresh token */
    SYNC_AUTH_CLIENT_CREDENTIALS, /* Salesforce client credentials */
    SYNC_AUTH_STATIC_TOKEN        /* HubSpot private app token */
};

/* What the vendor's own headers said about usage, passed to the engine's callback after every
 * answer that carried them (Salesforce: after every answer). Fields not reported are -1. */
struct sync_conn_usage {
    enum sync_vendor vendor;
    long long daily_used;       /* SF api-usage n; HS Daily - Daily-Remaining */
    long long daily_limit;      /* SF api-usage m; HS X-HubSpot-RateLimit-Daily */
    long long window_limit;     /* HS X-HubSpot-RateLimit-Max */
    long long window_remaining; /* HS X-HubSpot-RateLimit-Remaining */
    long long window_ms;        /* HS X-HubSpot-RateLimit-Interval-Milliseconds */
    /* Salesforce only (HubSpot leaves them unset): the answer itself, for the engine's API
     * budget and suspensions (engine/budget.h). */
    int counted;               /* 1: Salesforce counts this call against the org's daily limit
                                * (the answer carried Sforce-Limit-Info and was no limit refusal) */
    long status;               /* the answer's HTTP status */
    const char *error_code;    /* an error answer's errorCode, else ""; valid during the call */
    const char *error_message; /* its message, else "" */
};
typedef void (*sync_conn_usage_fn)(void *arg, const struct sync_conn_usage *u);

struct sync_conn_config {
    enum sync_vendor vendor;
    /* Salesforce: the token host (login.salesforce.com); HubSpot: the OAuth token host (defaults
     * to base_url). */
    const char *login_url;
    /* HubSpot: the API host (api.hubapi.com). Salesforce: the instance URL if known already;
     * otherwise the token answer's instance_url is used. */
    const char *base_url;
    const char *api_version; /* Salesforce, default "62.0" */
    enum sync_conn_auth auth;
    const char *client_id, *client_secret;
    const char *username, *password, *security_token; /* Salesforce password grant */
    const char *refresh_token;
    const char *access_token; /* HubSpot private app token, or a known current OAuth token */
    int64_t refresh_ahead_ms; /* HubSpot OAuth: refresh this long before expiry; default 5 min */

    struct sync_http_client *http; /* borrowed; NULL: the connector makes its own */
    size_t max_body;               /* response cap when the connector makes its client */
    long timeout_ms;               /* per request; 0 means 60 s */

    /* Pacing. NULL bucket pointers: the connector makes its own from the configs; defaults are
     * HubSpot 190 per 10 s and 5 searches per second, Salesforce 100 per second. */
    struct sync_bucket *bucket;        /* borrowed, shared */
    struct sync_bucket *search_bucket; /* borrowed, shared (HubSpot search) */
    struct sync_bucket_config rate;
    struct sync_bucket_config search_rate;
    /* Salesforce: the share (0..1] of the org's daily API budget this engine may use, checked
     * against Sforce-Limit-Info; 0 means 0.5. */
    double daily_share;
    struct sync_retry_policy retry;
    /* HubSpot search is eventually consistent: a window's upper bound is clamped to
     * now - search_settle_ms (default 5000) so fresh records are left to the next window. */
    int64_t search_settle_ms;

    sync_conn_usage_fn on_usage;
    void *usage_arg;

    /* test seams: the clock and the sleep used by pacing and backoff */
    int64_t (*now_ms)(void);
    void (*sleep_ms)(int64_t ms);
};

/* ---- the neutral field catalogue (describe) ---- */

enum sync_field_type {
    SYNC_FT_OTHER = 0,
    SYNC_FT_ID,
    SYNC_FT_STRING,
    SYNC_FT_TEXTAREA,
    SYNC_FT_EMAIL,
    SYNC_FT_PHONE,
    SYNC_FT_URL,
    SYNC_FT_PICKLIST,
    SYNC_FT_MULTIPICKLIST,
    SYNC_FT_BOOL,
    SYNC_FT_INT,
    SYNC_FT_NUMBER,
    SYNC_FT_DATE,
    SYNC_FT_DATETIME,
    SYNC_FT_REFERENCE
};

enum sync_field_flags {
    SYNC_FIELD_NILLABLE = 1 << 0,
    SYNC_FIELD_CREATEABLE = 1 << 1,
    SYNC_FIELD_UPDATEABLE = 1 << 2,
    SYNC_FIELD_CALCULATED = 1 << 3, /* formula, auto-number, HubSpot calculation */
    SYNC_FIELD_RESTRICTED = 1 << 4, /* only the listed options are accepted */
    SYNC_FIELD_UNIQUE = 1 << 5,     /* unique / hasUniqueValue */
    SYNC_FIELD_EXTERNAL_ID = 1 << 6,
    SYNC_FIELD_REQUIRED = 1 << 7, /* required on create */
    SYNC_FIELD_CUSTOM = 1 << 8
};

struct sync_field_option {
    const char *value; /* borrowed from the catalogue */
    const char *label;
    int active;
};

struct sync_field_def {
    const char *name; /* borrowed from the catalogue */
    const char *label;
    const char *vendor_type; /* SF type, HS type */
    const char *field_type;  /* HS fieldType; SF soapType */
    enum sync_field_type type;
    long length; /* 0 when not a sized text */
    unsigned flags;
    size_t noptions;
    struct sync_field_option *options;
};

struct sync_field_catalog {
    char object[64];
    size_t n;
    struct sync_field_def *fields;
    json_t *raw; /* the vendor's answer; every string above is borrowed from it */
};

void sync_field_catalog_release(struct sync_field_catalog *cat);
/* borrowed: the field called name (ASCII case ignored), NULL if none. */
const struct sync_field_def *sync_field_catalog_find(const struct sync_field_catalog *cat,
                                                     const char *name);

/* ---- pages of records ---- */

/* A keyset position in (last-modified, id) order. id "" means "nothing at ts read yet". */
struct sync_conn_cursor {
    int64_t ts_ms;
    char id[64];
    int tie;     /* HubSpot: the next page reads the records stamped ts_ms by id (see hubspot.h) */
    int listing; /* HubSpot: the first window lists every record; id is the list's page token */
};

struct sync_conn_batch {
    json_t *records;              /* new array owned by the batch: vendor records as returned */
    struct sync_conn_cursor next; /* read_changes: where the next page starts */
    int done;                     /* read_changes/read_deletes: the window is exhausted */
    int64_t upper_ms;             /* read_changes: the upper bound actually used */
    int64_t earliest_ms;          /* SF getDeleted earliestDateAvailable (0 unknown) */
    int64_t latest_ms;            /* SF getDeleted latestDateCovered (0 unknown) */
    char after[128];              /* read_deletes paging token ("" = from the start / done) */
};

void sync_conn_batch_init(struct sync_conn_batch *b);
void sync_conn_batch_release(struct sync_conn_batch *b);

struct sync_conn_window {
    const char *object;            /* "Lead", "contacts" */
    const char *const *fields;     /* NULL-terminated; the vendor's key fields are always added */
    struct sync_conn_cursor after; /* exclusive keyset start; id "" means from ts inclusive */
    int64_t lookback_ms;           /* moved back from after.ts (first page of a window only) */
    int64_t upper_ms;              /* inclusive upper bound, fixed for the whole window */
    int include_deleted;           /* Salesforce: queryAll (deleted and merged rows) */
    size_t limit;                  /* page size; 0 means the vendor's maximum */
};

/* ---- writes ---- */

enum sync_conn_op {
    SYNC_CONN_UPSERT = 1, /* create-or-update on the link id (creates always go this way) */
    SYNC_CONN_UPDATE,     /* update by vendor id */
    SYNC_CONN_DELETE,     /* delete / archive by vendor id */
    SYNC_CONN_CREATE      /* a plain create, no link id (Salesforce OpportunityContactRole) */
};

enum sync_conn_rec_flags {
    /* Salesforce: a new lead with no mapped owner: let assignment rules run (no
     * Sforce-Auto-Assign: FALSE) */
    SYNC_CONN_REC_ASSIGN = 1 << 0
};

struct sync_conn_rec {
    const char *link_id; /* UPSERT: required */
    const char *id;      /* UPDATE, DELETE: the vendor id */
    json_t *fields;      /* borrowed: field name -> value */
    unsigned flags;
};

enum sync_conn_outcome {
    SYNC_CONN_NOT_SENT = 0, /* never left (a call-level stop such as a rate limit) */
    SYNC_CONN_OK,
    SYNC_CONN_FAILED,   /* err says why and whether to retry later */
    SYNC_CONN_AMBIGUOUS /* sent, no answer: read back by link id, never resend blindly */
};

/* One association: from_id (of from_object) with to_id (of to_object). */
struct sync_conn_assoc {
    const char *from_id;
    const char *to_id;
};

struct sync_conn_result {
    enum sync_conn_outcome outcome;
    char id[64]; /* the vendor id on success */
    int created; /* UPSERT: 1 when a new record was made */
    struct sync_err err;
};

/* ---- the connector ---- */

struct sync_conn;

/* The vendor table. Members are called only by connector.c, at the moment named. */
struct sync_conn_ops {
    const char *name; /* "salesforce", "hubspot" */
    enum sync_vendor vendor;
    size_t max_write; /* records per write call (SF 200, HS 100) */
    size_t max_fetch; /* ids per fetch call (SF 2000, HS 100) */

    /* sync_conn_new, after the generic state is set: check the config, set defaults. */
    enum sync_rc (*setup)(struct sync_conn *c, struct sync_err *err);
    /* sync_conn_free. */
    void (*cleanup)(struct sync_conn *c);
    /* Before the first call, and once after a call failed for an expired session: log in or
     * refresh. Also before any call when the token is due for refresh (refresh_due). */
    enum sync_rc (*authenticate)(struct sync_conn *c, struct sync_err *err);
    /* Before each call: whether the token should be refreshed first (HubSpot OAuth expiry). */
    int (*refresh_due)(struct sync_conn *c);
    /* Building each request: the vendor's headers (auth and others) into hdr[0..max). */
    size_t (*headers)(struct sync_conn *c, unsigned call_flags, char hdr[][512], size_t max);
    /* After each answer: report usage from the vendor's headers. */
    void (*usage)(struct sync_conn *c, const struct sync_http_resp *resp);
    /* After an error answer: fill err (code, message, status, class) and the vendor's advised
     * wait (-1 none); return 1 when the session expired and a re-login may help. */
    int (*error)(struct sync_conn *c, const struct sync_http_resp *resp, struct sync_err *err,
                 int64_t *retry_after_ms);

    enum sync_rc (*describe)(struct sync_conn *c, const char *object,
                             struct sync_field_catalog *out, struct sync_err *err);
    enum sync_rc (*read_changes)(struct sync_conn *c, const struct sync_conn_window *w,
                                 struct sync_conn_batch *out, struct sync_err *err);
    enum sync_rc (*read_deletes)(struct sync_conn *c, const char *object, int64_t start_ms,
                                 int64_t end_ms, struct sync_conn_batch *out, struct sync_err *err);
    /* One chunk (<= max_fetch) of ids; id_field NULL means the vendor id. */
    enum sync_rc (*fetch)(struct sync_conn *c, const char *object, const char *id_field,
                          const char *const *ids, size_t n, const char *const *fields,
                          struct sync_conn_batch *out, struct sync_err *err);
    enum sync_rc (*find_people)(struct sync_conn *c, const char *const *emails, size_t n,
                                const char *const *fields, struct sync_conn_batch *out,
                                struct sync_err *err);
    /* One chunk (<= max_write, all with the same flags): fill res[k] for each idx[k]. A
     * call-level failure returns its rc and leaves the results to connector.c. */
    enum sync_rc (*write)(struct sync_conn *c, enum sync_conn_op op, const char *object,
                          const struct sync_conn_rec *recs, const size_t *idx, size_t n,
                          struct sync_conn_result *res, struct sync_err *err);
    enum sync_rc (*ensure_link_field)(struct sync_conn *c, const char *object,
                                      struct sync_err *err);
    /* Every user who may own records, every page, as neutral rows (see sync_conn_list_owners). */
    enum sync_rc (*list_owners)(struct sync_conn *c, int include_inactive,
                                struct sync_conn_batch *out, struct sync_err *err);
    /* One chunk (<= max_assoc_read) of a record type's associations (sync_conn_read_assoc);
     * NULL: the vendor keeps associations as fields (Salesforce lookups). */
    enum sync_rc (*read_assoc)(struct sync_conn *c, const char *from_object, const char *to_object,
                               const char *const *ids, size_t n, struct sync_conn_batch *out,
                               struct sync_err *err);
    /* One chunk (<= max_assoc_write) of associations to make or remove (sync_conn_associate);
     * NULL: not a vendor with association records. */
    enum sync_rc (*associate)(struct sync_conn *c, const char *from_object, const char *to_object,
                              const struct sync_conn_assoc *pairs, size_t n, int remove,
                              struct sync_conn_result *res, struct sync_err *err);
    /* The pipelines or record types and stages of a kind (sync_conn_list_stages). */
    enum sync_rc (*list_stages)(struct sync_conn *c, int tickets, struct sync_conn_batch *out,
                                struct sync_err *err);
    size_t max_assoc_read, max_assoc_write;
};

extern const struct sync_conn_ops sync_salesforce_ops;
extern const struct sync_conn_ops sync_hubspot_ops;

/* new: a connector for cfg->vendor; strings in cfg are copied. NULL with err on failure. No
 * network call is made until the first operation. */
struct sync_conn *sync_conn_new(const struct sync_conn_config *cfg, struct sync_err *err);
void sync_conn_free(struct sync_conn *c);
enum sync_vendor sync_conn_vendor(const struct sync_conn *c);

/* Logs in (or checks the token) now instead of at the first call. */
enum sync_rc sync_conn_authenticate(struct sync_conn *c, struct sync_err *err);

/* The object's fields as one neutral catalogue (SF describe, HS properties). */
enum sync_rc sync_conn_describe(struct sync_conn *c, const char *object,
                                struct sync_field_catalog *out, struct sync_err *err);

/* One page of records changed in a window, in (last-modified, id) order. Call again with
 * w->after = out->next until out->done; the same upper bound for the whole window. */
enum sync_rc sync_conn_read_changes(struct sync_conn *c, const struct sync_conn_window *w,
                                    struct sync_conn_batch *out, struct sync_err *err);

/* Deleted records: out->records = [{"id","deletedAt"(ms),"masterId"?}]. Salesforce: getDeleted
 * over [start, end] (minutes; latest_ms/earliest_ms set) plus merge losers from queryAll;
 * HubSpot: one page of the archived list (out->after to continue, "" when done), archived at
 * or after start. */
enum sync_rc sync_conn_read_deletes(struct sync_conn *c, const char *object, int64_t start_ms,
                                    int64_t end_ms, struct sync_conn_batch *out,
                                    struct sync_err *err);

/* Records by id (or by id_field, e.g. "email"), chunked to the vendor's batch size. Missing
 * ids are simply absent from out->records. */
enum sync_rc sync_conn_fetch(struct sync_conn *c, const char *object, const char *id_field,
                             const char *const *ids, size_t n, const char *const *fields,
                             struct sync_conn_batch *out, struct sync_err *err);

/* People by email, case-insensitively. Salesforce: Leads (not converted) then Contacts, each
 * ordered by CreatedDate, Id, every record carrying SystemModstamp (so the caller can choose the
 * first match or the most recently updated); HubSpot: contacts by idProperty=email. */
enum sync_rc sync_conn_find_people(struct sync_conn *c, const char *const *emails, size_t n,
                                   const char *const *fields, struct sync_conn_batch *out,
                                   struct sync_err *err);

/* Writes n records, in vendor-sized batches, one result per record in res[0..n). Returns
 * SYNC_OK when every record got a definite answer (OK or FAILED); SYNC_ERR_HTTP with
 * err->code SYNC_CONN_AMBIGUOUS_CODE when some are AMBIGUOUS; a call-level failure (rate
 * limit, auth) otherwise, with the records not sent marked NOT_SENT. */
enum sync_rc sync_conn_write(struct sync_conn *c, enum sync_conn_op op, const char *object,
                             const struct sync_conn_rec *recs, size_t n,
                             struct sync_conn_result *res, struct sync_err *err);

/* Reads records back by link id (after an ambiguous write). */
enum sync_rc sync_conn_read_back(struct sync_conn *c, const char *object,
                                 const char *const *link_ids, size_t n, const char *const *fields,
                                 struct sync_conn_batch *out, struct sync_err *err);

/* Makes sure the link-id field exists and is unique (HubSpot: creates crmsync_link_id; Salesforce:
 * checks CrmSync_Link_Id__c is an external id). */
enum sync_rc sync_conn_ensure_link_field(struct sync_conn *c, const char *object,
                                         struct sync_err *err);

/* The owner directory of one side: out->records = [{"id","email","active"}] (email null when
 * the vendor has none). Salesforce: Users (SELECT Id, Email, IsActive FROM User; without
 * include_inactive only IsActive = true); HubSpot: owners (GET /crm/v3/owners, every page;
 * archived owners, active false, only with include_inactive). */
enum sync_rc sync_conn_list_owners(struct sync_conn *c, int include_inactive,
                                   struct sync_conn_batch *out, struct sync_err *err);

/* Associations of records (HubSpot v4 batch read, chunked): out->records =
 * [{"from": id, "to": [id, ...], "primary": id or absent}], one row per id that has any;
 * "primary" is the target marked primary (a contact's or deal's company). Salesforce keeps
 * associations as lookups and contact roles, read with sync_conn_fetch: SYNC_ERR_INVALID. */
enum sync_rc sync_conn_read_assoc(struct sync_conn *c, const char *from_object,
                                  const char *to_object, const char *const *ids, size_t n,
                                  struct sync_conn_batch *out, struct sync_err *err);

/* Makes (remove 0) or removes (remove 1) n associations, one result per pair in res[0..n)
 * (HubSpot v4 batch create / archive; a company target is made primary). Making one that exists
 * is a no-op, so a retry is safe. Salesforce: SYNC_ERR_INVALID (write AccountId with
 * SYNC_CONN_UPDATE, contact roles with SYNC_CONN_CREATE). */
enum sync_rc sync_conn_associate(struct sync_conn *c, const char *from_object,
                                 const char *to_object, const struct sync_conn_assoc *pairs,
                                 size_t n, int remove, struct sync_conn_result *res,
                                 struct sync_err *err);

/* The deal stages (tickets 0) or the ticket statuses (tickets 1) as neutral rows. HubSpot (deal
 * or ticket pipelines): {"kind":"stage", "pipeline", "pipeline_label", "pipeline_order", "stage",
 * "stage_label", "closed", "won", "order"} (a ticket stage is closed when its ticketState is
 * CLOSED). Salesforce: the active opportunity (case) record types {"kind":"record_type", "id",
 * "label", "name", "default", "process_id"?} (cases: with their business process), the active
 * case business processes {"kind":"process", "id", "name"}, and the active stages (CaseStatus
 * values) {"kind":"stage", "stage" (the StageName or Status value), "stage_label", "closed",
 * "won", "order"}. */
enum sync_rc sync_conn_list_stages(struct sync_conn *c, int tickets, struct sync_conn_batch *out,
                                   struct sync_err *err);

/* 1 when err describes an ambiguous write. */
int sync_conn_err_ambiguous(const struct sync_err *err);

/* ---- sync-health categories (hubspot-integration-features §2A) ---- */

enum sync_err_category {
    SYNC_ERRCAT_OTHER = 0,
    SYNC_ERRCAT_ASSOCIATIONS,
    SYNC_ERRCAT_CUSTOM_CODE,
    SYNC_ERRCAT_DUPLICATES,
    SYNC_ERRCAT_FIELD_PERMISSIONS,
    SYNC_ERRCAT_PICKLIST,
    SYNC_ERRCAT_PROPERTY_VALUE,
    SYNC_ERRCAT_REQUIRED_FIELD,
    SYNC_ERRCAT_OWNER
};

/* The category of a vendor error (code and HTTP status). */
enum sync_err_category sync_err_categorize(enum sync_vendor vendor, const char *code,
                                           int http_status);
/* "associations", "custom_code", "duplicates", "field_permissions", "picklist",
 * "property_value", "required_field", "owner", "other" */
const char *sync_err_category_name(enum sync_err_category cat);
/* The class a vendor code implies (UNABLE_TO_LOCK_ROW retryable, REQUEST_LIMIT_EXCEEDED
 * rate-limited, ...), falling back to the status. */
enum sync_err_class sync_err_classify(enum sync_vendor vendor, const char *code, int http_status);

#endif
