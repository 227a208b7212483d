/*
 * config.h: crmsync.yaml, the integration settings and durations.
 *
 * The configuration file (docs/CONFIG.md) holds the vendors' credentials,
 * the store, the poll interval, the log level, the admin listener, the
 * integration settings and the user's field mappings. Two tables describe
 * every key, in the nginx and redis manner: the file's keys (name, type,
 * default, bounds, secret or not, changeable at run time or not) and the
 * integration settings (the same columns). The loader, the validator, the
 * YAML writer and docs/CONFIG.md all follow the tables; nothing about a
 * key is written twice.
 *
 * Loading never stops at the first problem: every unknown key, wrong
 * type, bad URL or duration, missing credential and bad mapping becomes
 * one line "crmsync.yaml:7: salesforce.password: missing" in a bounded
 * problem list, sorted by line. Any scalar may hold ${NAME}, replaced from
 * the environment ($${ gives a literal "${"); a variable that is not set
 * is a problem naming it.
 *
 * The settings are also the run-time settings: the store keeps them (as
 * JSON values) and the admin API changes them through sync_settings_set,
 * which applies the same checks.
 *
 * Loading and writing are pure apart from reading the file and the
 * environment. Called by the CLI at start-up and by `crmsync config show`.
 */
#ifndef SYNC_ENGINE_CONFIG_H
#define SYNC_ENGINE_CONFIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "engine/mapping.h"

#define SYNC_CONFIG_DEFAULT_PATH "crmsync.yaml"
#define SYNC_CONFIG_MAX_BYTES ((size_t)1024 * 1024)
#define SYNC_CONFIG_MAX_PROBLEMS 64
#define SYNC_CONFIG_PROBLEM_MAX 320

/* ---- durations: "500ms", "30s", "5m", "1h", "1d", and sums such as "1h30m" ---- */

/* Parses a duration into milliseconds; SYNC_ERR_PARSE when malformed (a bare number has no
 * unit and is refused), SYNC_ERR_TOO_LARGE past a year. */
enum sync_rc sync_duration_parse(const char *s, int64_t *ms);
/* The shortest spelling: 90000 -> "1m30s", 500 -> "500ms", 0 -> "0s". Returns out. */
char *sync_duration_format(int64_t ms, char *out, size_t n);

/* ---- integration settings ---- */

/* The HubSpot activity types timeline sync writes to Salesforce as tasks (seed 003):
 * X(ID, setting name, default subject, what it is). */
#define SYNC_TIMELINE_TYPES(X)                                                                     \
    X(FORM_SUBMISSIONS, "form_submissions", "Submitted: {form}", "form submission")                \
    X(MARKETING_EMAIL_SENT, "marketing_email_sent", "Sent: {email}", "marketing email sent")       \
    X(MARKETING_EMAIL_OPENED, "marketing_email_opened", "Opened: {email}",                         \
      "marketing email opened")                                                                    \
    X(MARKETING_EMAIL_CLICKED, "marketing_email_clicked", "Clicked: {email}",                      \
      "marketing email clicked")                                                                   \
    X(SALES_EMAIL_SENT, "sales_email_sent", "{subject}", "sales email sent")                       \
    X(SALES_EMAIL_OPENED, "sales_email_opened", "Opened: {subject}", "sales email opened")         \
    X(SALES_EMAIL_CLICKED, "sales_email_clicked", "Clicked: {subject}", "sales email clicked")     \
    X(MEETINGS, "meetings", "Meeting: {title}", "meeting booked")                                  \
    X(CALLS, "calls", "Call: {title}", "call made")                                                \
    X(NOTES, "notes", "Note: {body}", "note created")                                              \
    X(DOCUMENTS, "documents", "Viewed: {document}", "sales document viewed")                       \
    X(TASKS, "tasks", "{subject}", "task created")

#define SYNC_TIMELINE_ENUM_(id, name, subject, what) SYNC_TIMELINE_##id,
enum sync_timeline_type { SYNC_TIMELINE_TYPES(SYNC_TIMELINE_ENUM_) SYNC_TIMELINE__COUNT };
#undef SYNC_TIMELINE_ENUM_

enum sync_setting {
    SYNC_SETTING_SYNC = 0, /* the master switch */
    SYNC_SETTING_CONTACT_SYNC,
    SYNC_SETTING_COMPANY_SYNC,
    SYNC_SETTING_DEAL_SYNC,
    SYNC_SETTING_TICKET_SYNC,
    SYNC_SETTING_TICKET_TWO_WAY,
    SYNC_SETTING_TICKET_ACCOUNT_ASSOCIATION,
    SYNC_SETTING_TICKET_CONTACT_ASSOCIATION,
    SYNC_SETTING_TICKET_DELETE_RULE,
    SYNC_SETTING_SALESFORCE_TASK_SYNC, /* Salesforce task sync's switch, then one per type */
    SYNC_SETTING_SALESFORCE_TASKS,
    SYNC_SETTING_SALESFORCE_EMAILS,
    SYNC_SETTING_SALESFORCE_CALLS,
    SYNC_SETTING_SALESFORCE_MEETINGS,
    SYNC_SETTING_FORM_CAMPAIGNS,
    SYNC_SETTING_CREATE_CONTACTS_FROM_LEADS,
    SYNC_SETTING_CREATE_CONTACTS_FROM_CONTACTS,
    SYNC_SETTING_NEW_RECORD_TYPE,
    SYNC_SETTING_INCLUSION_LIST,
    SYNC_SETTING_DELETE_CONTACT_ON_LEAD_DELETE,
    SYNC_SETTING_DELETE_CONTACT_ON_CONTACT_DELETE,
    SYNC_SETTING_DELETE_COMPANY_ON_ACCOUNT_DELETE,
    SYNC_SETTING_DELETE_DEAL_ON_OPPORTUNITY_DELETE,
    SYNC_SETTING_LIFECYCLE_TRANSITIONS,
    SYNC_SETTING_STATE_COUNTRY_PICKLISTS,
    SYNC_SETTING_SALESFORCE_API_ALLOCATION,
    SYNC_SETTING_RETRY_INTERVAL,
    SYNC_SETTING_RETRY_MAX_ATTEMPTS,
    SYNC_SETTING_RETRY_NIGHTLY_AT,
    SYNC_SETTING_RETRY_SUPPRESS_ABOVE_PERCENT,
    SYNC_SETTING_RETRY_SUPPRESS_ABOVE_CALLS,
    SYNC_SETTING_POLL_INTERVAL, /* also the file's top-level poll_interval */
    SYNC_SETTING_LOG_LEVEL,     /* also the file's top-level log_level; enum sync_log_level */
    /* timeline sync: per activity type, its switch, its task Type and its subject format, in
     * SYNC_TIMELINE_TYPES order (sync_setting_timeline) */
    SYNC_SETTING_TIMELINE_FIRST,
    SYNC_SETTING__COUNT = SYNC_SETTING_TIMELINE_FIRST + 3 * SYNC_TIMELINE__COUNT
};

enum sync_timeline_setting {
    SYNC_TIMELINE_ON = 0,    /* timeline_<type>: bool */
    SYNC_TIMELINE_TASK_TYPE, /* timeline_<type>_task_type: a Task Type value; "": none */
    SYNC_TIMELINE_SUBJECT    /* timeline_<type>_subject: the subject format */
};

/* The setting of one timeline type. */
#define sync_setting_timeline(type, which)                                                         \
    ((enum sync_setting)(SYNC_SETTING_TIMELINE_FIRST + 3 * (int)(type) + (int)(which)))
/* "form_submissions", ...; what: "form submission", ... */
const char *sync_timeline_name(enum sync_timeline_type t);
const char *sync_timeline_what(enum sync_timeline_type t);

/* One pair of form_campaigns ("FORM_ID=CAMPAIGN_ID,..."). */
struct sync_form_campaign {
    const char *text; /* the pair as written, len bytes */
    size_t len;
    char form[128], campaign[32];
    int ok; /* it has both parts (form_campaigns is checked when set: always, once stored) */
};
/* Reads the pair at s into out; returns where the next starts, NULL at the end. */
const char *sync_form_campaign_next(const char *s, struct sync_form_campaign *out);

/* new_record_type values */
enum sync_new_record_type { SYNC_NEW_RECORD_LEAD = 0, SYNC_NEW_RECORD_CONTACT };
enum sync_ticket_delete_rule { SYNC_TICKET_DELETE_NOTHING = 0, SYNC_TICKET_DELETE_TICKET };

enum sync_setting_type {
    SYNC_SETTING_BOOL = 0, /* true/false (yes/no, on/off) */
    SYNC_SETTING_INT,      /* whole number within [min, max] */
    SYNC_SETTING_ENUM,     /* one of choices; held as its index */
    SYNC_SETTING_DURATION, /* a duration within [min, max] ms */
    SYNC_SETTING_TIME,     /* "HH:MM" UTC; held as minutes after midnight */
    SYNC_SETTING_STRING    /* text of at most max bytes */
};

#define SYNC_SETTING_RUNTIME 1u /* may change while the engine runs */

struct sync_setting_def {
    const char *name;
    enum sync_setting_type type;
    const char *def; /* the default, written as in the file */
    int64_t min, max;
    const char *const *choices; /* ENUM: NULL-terminated */
    unsigned flags;
    const char *help;
};

/* The table, in order; NULL past the end. */
const struct sync_setting_def *sync_setting_def(enum sync_setting id);
/* The setting named s, or -1. */
int sync_setting_find(const char *s);

struct sync_settings {
    int64_t num[SYNC_SETTING__COUNT]; /* BOOL, INT, ENUM index, DURATION ms, TIME minutes */
    char *str[SYNC_SETTING__COUNT];   /* STRING values; NULL means "" */
};

/* Sets every setting to its default. */
enum sync_rc sync_settings_init(struct sync_settings *s);
/* Makes dst (initialised) hold src's values. */
enum sync_rc sync_settings_copy(struct sync_settings *dst, const struct sync_settings *src);
void sync_settings_release(struct sync_settings *s);
int64_t sync_settings_int(const struct sync_settings *s, enum sync_setting id);
const char *sync_settings_str(const struct sync_settings *s, enum sync_setting id);
/* Parses text by the setting's type and bounds; on failure err says why and s is unchanged. */
enum sync_rc sync_settings_set(struct sync_settings *s, enum sync_setting id, const char *text,
                               struct sync_err *err);
/* Appends the value as the file would spell it ("true", "30m", "lead", "00:00"). */
enum sync_rc sync_settings_format(const struct sync_settings *s, enum sync_setting id,
                                  struct sync_buf *out);
/* new: the value as JSON (booleans, integers, strings for the rest), for the store and the API;
 * and back, with the same checks as sync_settings_set. */
json_t *sync_settings_get_json(const struct sync_settings *s, enum sync_setting id);
enum sync_rc sync_settings_set_json(struct sync_settings *s, enum sync_setting id, const json_t *v,
                                    struct sync_err *err);

/* ---- the configuration ---- */

struct sync_config_oauth {
    char *client_id, *client_secret, *refresh_token;
};

/* A mapping entry of the file, before it meets a mapping set. */
struct sync_config_mapping {
    int line;
    enum sync_kind kind;
    char hubspot[SYNC_FIELD_NAME_MAX];
    size_t nsf;
    struct {
        char object[SYNC_FIELD_NAME_MAX]; /* "" = every object of the kind */
        char field[SYNC_FIELD_NAME_MAX];
        int has_type; /* the JSON form's {"object", "field", "type"}: this field's own type */
        enum sync_sf_type type;
    } sf[SYNC_MAPPING_MAX_SF];
    int has_rule;
    enum sync_rule rule;
    int has_hs_type; /* hubspot_type: "enumeration/select", "number", "user", ... */
    enum sync_hs_type hs_type;
    enum sync_hs_field_type hs_field_type;
    int hs_owner_ref;
    int has_sf_type; /* salesforce_type: "picklist", ... */
    enum sync_sf_type sf_type;
};

struct sync_config {
    struct {
        char *base_url;
        char *access_token;
        int64_t search_settle_ms; /* how long HubSpot search may lag a write */
        struct sync_config_oauth oauth;
    } hubspot;
    struct {
        char *login_url;
        char *client_id, *client_secret;
        char *username, *password, *security_token;
        char *refresh_token;
        char *grant; /* "password", "refresh_token" or "client_credentials"; NULL: inferred */
        int sandbox;
    } salesforce;
    char *store;
    int64_t request_timeout_ms; /* one vendor API request, start to answer */
    struct {
        char *listen;
        char *token;
    } admin;
    struct sync_settings settings;
    unsigned char settings_given[SYNC_SETTING__COUNT]; /* the file sets it */
    size_t nmappings;
    struct sync_config_mapping *mappings;
    /* deal_stages: the stage map's configured entries, flattened to
     * [{"pipeline", "record_type", "stage", "sf_stage"}] (NULL: none given) */
    json_t *deal_stages;
    /* ticket_pipelines: the ticket pipeline map's choices in sync_tickets_choose's patch shape,
     * {"processes": {process: pipeline id | null}, "stages": {pipeline id: {case status: ticket
     * status id | null}}} (null: drop the choice; NULL: no section). An import applies them
     * (configio.h); the engine reads the choices in force from the store. */
    json_t *ticket_pipelines;
    char *source; /* the file name problems are reported against */
};

struct sync_config_problems {
    size_t n;       /* recorded, at most SYNC_CONFIG_MAX_PROBLEMS */
    size_t dropped; /* found past the cap */
    struct {
        int line;                           /* 0 when the problem has no line */
        char text[SYNC_CONFIG_PROBLEM_MAX]; /* "crmsync.yaml:7: salesforce.password: missing" */
    } items[SYNC_CONFIG_MAX_PROBLEMS];
};

/* Looks up an environment variable; NULL when unset. */
typedef const char *(*sync_config_env_fn)(void *ctx, const char *name);

/* Sets every key to its default (credentials unset). */
enum sync_rc sync_config_init(struct sync_config *cfg);
void sync_config_release(struct sync_config *cfg);

/* Reads and validates a file (path NULL means ./crmsync.yaml) into cfg, which must have been
 * initialised. SYNC_OK, or SYNC_ERR_INVALID / SYNC_ERR_PARSE / SYNC_ERR_IO with every problem in
 * pr (cfg then holds what could be read and must still be released). */
enum sync_rc sync_config_load_file(struct sync_config *cfg, const char *path,
                                   struct sync_config_problems *pr);
/* Reads a file to import (`crmsync settings import`): the same checks on what it holds, but no
 * key is required (an export without its credentials, or a file of settings alone). */
enum sync_rc sync_config_load_import(struct sync_config *cfg, const char *path,
                                     struct sync_config_problems *pr);
/* The same from text (the admin API's import); name is what problems are reported against. */
enum sync_rc sync_config_load_import_text(struct sync_config *cfg, const char *name,
                                          const char *text, size_t len, sync_config_env_fn env,
                                          void *env_ctx, struct sync_config_problems *pr);
/* The same from text; name is what problems are reported against; env NULL means getenv. */
enum sync_rc sync_config_load_text(struct sync_config *cfg, const char *name, const char *text,
                                   size_t len, sync_config_env_fn env, void *env_ctx,
                                   struct sync_config_problems *pr);
/* All problems, one per line. */
enum sync_rc sync_config_problems_format(const struct sync_config_problems *pr,
                                         struct sync_buf *out);

/* Fills in a user mapping's types: given the entry's names (m->hs.name, m->sf[i].object and
 * name), set m->hs and m->sf[i] from the vendors' describes. */
typedef enum sync_rc (*sync_config_resolve_fn)(void *ctx, struct sync_mapping *m,
                                               struct sync_err *err);

/* Applies the file's mappings to a set: rule changes for built-ins, user mappings added
 * (checked). Types come from resolve when given, else from the entries' type hints. Every
 * refusal is a problem with its line. */
enum sync_rc sync_config_apply_mappings(const struct sync_config *cfg, struct sync_mapping_set *set,
                                        sync_config_resolve_fn resolve, void *ctx,
                                        struct sync_config_problems *pr);

/* A mapping entry in its JSON form (a mapping added or changed at run time, runtime.h), for
 * the kind's HubSpot property prop:
 *   {"salesforce": "Field" | "Object.Field" | ["Object.Field", ...] |
 *                  [{"object", "field", "type"?}, ...],
 *    "rule"?, "hubspot_type"?, "salesforce_type"?}
 * read with the file's rules (the same names, checks and messages; "type" is a field's own
 * salesforce_type). out is zeroed first. SYNC_ERR_INVALID with a message naming the key. */
enum sync_rc sync_config_mapping_from_json(enum sync_kind kind, const char *prop,
                                           const json_t *spec, struct sync_config_mapping *out,
                                           struct sync_err *err);
/* Whether the entry carries both type hints (hubspot_type, and salesforce_type for every field):
 * its mapping needs no vendor to be built. */
int sync_config_mapping_typed(const struct sync_config_mapping *e);
/* Whether the entry names the same Salesforce fields as m (a bare field: on every object of the
 * kind). */
int sync_config_mapping_same_fields(const struct sync_config_mapping *e,
                                    const struct sync_mapping *m);
/* The user mapping an entry describes, as the file's are built: types from resolve when given,
 * else from the entry's type hints (both sides needed). out is released by the caller (also
 * on failure). SYNC_ERR_INVALID when the entry names no field or lacks hints; resolve's own
 * rc (a vendor call failing) as it returned it. Not checked against a set. */
enum sync_rc sync_config_mapping_user(const struct sync_config_mapping *e,
                                      sync_config_resolve_fn resolve, void *ctx,
                                      struct sync_mapping *out, struct sync_err *err);

/* Appends the effective configuration as YAML: every key with its value or default, secrets
 * written as "<redacted>" (a store URL's password too), every setting, the mappings: from
 * set when given (user mappings, and built-ins whose rule differs from the default), else the
 * file's entries, and ticket_pipelines when cfg->ticket_pipelines holds a choice. The output
 * loads back into the same configuration, secrets aside. */
enum sync_rc sync_config_write_yaml(const struct sync_config *cfg,
                                    const struct sync_mapping_set *set, struct sync_buf *out);

#endif
