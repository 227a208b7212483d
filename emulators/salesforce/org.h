/*
 * org.h: the org's state: the schema, the records with their indexes, the
 * change log, and the settings and rules the control API declares.
 *
 * One org-wide read/write lock guards everything here (org->lock): request
 * handlers take it for reading or writing through the route table, so the
 * functions below assume the caller holds it (write for anything that
 * changes state). Sessions, API-usage counters, query locators and fault
 * dice have their own small locks in their own files.
 *
 * Records are jansson objects holding only the non-null fields, keyed by
 * canonical API names, values in REST JSON form. A stored version is never
 * changed in place: a write builds a new object and swaps it in, so a query
 * locator or a late-commit view can keep an old version alive safely.
 *
 * Writes go through a transaction (struct sf_txn): each change records an
 * undo entry and a pending change-log entry. Rolling back to a mark undoes
 * everything after it (allOrNone, Composite); committing makes the writes
 * visible (or, with late commits, visible some milliseconds later), appends
 * the change log and hands the touched records to persistence.
 *
 * Called by sobjects.c, collections.c, composite.c, control.c, seed.c,
 * persist.c and the query/replication readers.
 */
#ifndef EMU_SF_ORG_H
#define EMU_SF_ORG_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "emulators/salesforce/hmap.h"
#include "emulators/salesforce/schema.h"

struct soql_query;
struct sf_org;

struct sf_rec {
    const struct sf_object *obj;
    char id[19];
    json_t *data;       /* the current version */
    json_t *prev;       /* shown until visible_at (late commit); NULL then means "not there yet" */
    int64_t visible_at; /* epoch ms; 0 when the current version is visible */
    int64_t modstamp;   /* SystemModstamp of data, epoch ms */
    int64_t deleted_at; /* when it went to the recycle bin; 0 while live */
    int deleted;
    size_t pos; /* index in its table's rows */
};

struct sf_recvec {
    struct sf_rec **v;
    size_t n, cap;
};

struct sf_table {
    struct sf_rec **rows; /* every row, recycle bin included, in insertion order */
    size_t n, cap;
    size_t live;
    struct hmap *
        *index; /* per field (parallel to obj->fields): value -> struct sf_recvec *, or NULL */
};

enum sf_change_type { SF_CHANGE_CREATE, SF_CHANGE_UPDATE, SF_CHANGE_DELETE, SF_CHANGE_UNDELETE };

struct sf_change {
    uint64_t seq;
    const struct sf_object *obj;
    char id[19];
    enum sf_change_type type;
    json_t *fields; /* names of the changed fields */
    json_t *values; /* their new values (CREATE: every populated field) */
    char client[64];
    char txkey[40];
    char user[19];
    char api_version[8];
    int64_t at;
};

#define SF_CHANGES_MAX 100000

struct sf_settings {
    int64_t token_lifetime_s;
    int state_country_picklists;
    int api_enabled;
};

struct sf_vrule {
    const struct sf_object *obj;
    char name[128];
    char *condition, *message, *field;
    struct soql_query *q;
};

struct sf_duprule {
    const struct sf_object *obj;
    char name[128];
    char *fields[8];
    size_t nfields;
    int block; /* 0: alert (allowSave=true lets it through) */
};

/* The integration user's object permission (PUT /__emu/settings object_access). */
enum sf_access { SF_ACCESS_EDIT = 0, SF_ACCESS_READ, SF_ACCESS_NONE };

struct sf_perm {
    int read_only;
    json_t *read_only_fields; /* array of canonical names */
    enum sf_access access;    /* object permission; SF_ACCESS_EDIT by default */
};

struct sf_undo {
    struct sf_rec *rec;
    int created;
    json_t *old_data, *old_prev;
    int64_t old_visible, old_modstamp, old_deleted_at;
    int old_deleted;
};

struct sf_txn {
    struct sf_undo *undo;
    size_t nundo, capundo;
    struct sf_change *pending;
    size_t npending, cappending;
    char key[40];
    char client[64];
    char user[19];
    char api_version[8];
    int64_t now; /* request time, epoch ms, whole seconds */
};

struct sf_txn_mark {
    size_t nundo, npending;
};

typedef void (*sf_commit_hook)(void *ctx, struct sf_org *org, const struct sf_txn *txn);

struct sf_org {
    pthread_rwlock_t lock;
    struct sf_schema schema;
    char org_id[19];
    char integration_user[19];
    struct hmap by_id;       /* 18-char id -> struct sf_rec * */
    struct sf_table *tables; /* parallel to schema.objects */
    uint64_t id_seq;
    uint64_t case_number;
    int64_t created_at;
    int64_t earliest_deleted; /* getDeleted's earliestDateAvailable */
    uint64_t txn_seq;

    /* change log: a ring of the last SF_CHANGES_MAX entries */
    struct sf_change *changes;
    size_t changes_head, changes_len;
    uint64_t change_seq;

    struct sf_settings settings;
    int64_t late_commit_ms;
    struct sf_vrule *vrules;
    size_t nvrules;
    struct sf_duprule *duprules;
    size_t nduprules;
    struct hmap lock_ids;     /* id -> remaining UNABLE_TO_LOCK_ROW failures (uintptr) */
    int64_t *lock_objects;    /* per object: remaining failures */
    struct sf_perm *perms;    /* per object */
    char (*assign_owner)[19]; /* per object: assignment-rule owner, "" when none */

    sf_commit_hook on_commit;
    void *on_commit_ctx;
};

/* Sets up an empty org over a loaded schema (the org takes it over). */
enum sync_rc org_init(struct sf_org *org, struct sf_schema *schema);
void org_release(struct sf_org *org);
/* Drops every record, rule and setting; the schema stays. */
void org_clear(struct sf_org *org);
/* Forgets every validation rule / duplicate rule (rules.c declares them). */
void org_vrules_clear(struct sf_org *org);
void org_duprules_clear(struct sf_org *org);

/* ---- reading (read lock) ---- */
struct sf_rec *org_get(const struct sf_org *org, const char *id18);
struct sf_table *org_table(const struct sf_org *org, const struct sf_object *obj);
/* The object called name as the integration user sees it through the API: NULL when there is
 * none or the user has no object permission on it (SF_ACCESS_NONE). */
const struct sf_object *org_user_object(const struct sf_org *org, const char *name);
/* The user's permission on obj. */
enum sf_access org_access(const struct sf_org *org, const struct sf_object *obj);
/* "edit", "read", "none"; and back (-1: not one of them). */
const char *org_access_name(enum sf_access a);
int org_access_parse(const char *name);
/* The objects the user may not edit: {"Lead": "read"|"none"} (new). */
json_t *org_access_json(const struct sf_org *org);
/* The version a reader sees at now: NULL when not yet committed for readers. */
const json_t *org_view(const struct sf_rec *rec, int64_t now);
/* Records of obj whose indexed field equals value (ignoring case unless case-sensitive);
 * live records only. NULL when the field has no index or nothing matches. */
const struct sf_recvec *org_find_by_field(const struct sf_org *org, const struct sf_object *obj,
                                          const struct sf_field *f, const json_t *value);
int org_field_indexed(const struct sf_org *org, const struct sf_object *obj,
                      const struct sf_field *f);

/* ---- writing (write lock) ---- */
void org_txn_begin(struct sf_org *org, struct sf_txn *txn, const char *client, const char *user,
                   const char *api_version, int64_t now);
struct sf_txn_mark org_txn_mark(const struct sf_txn *txn);
void org_txn_rollback(struct sf_org *org, struct sf_txn *txn, struct sf_txn_mark mark);
void org_txn_commit(struct sf_org *org, struct sf_txn *txn);
void org_txn_release(struct sf_txn *txn);

void org_new_id(struct sf_org *org, const struct sf_object *obj, char out[19]);
/* Stores a new record: data (stolen) must hold Id and every system field. */
struct sf_rec *org_insert(struct sf_org *org, struct sf_txn *txn, const struct sf_object *obj,
                          json_t *data);
/* Swaps in a new version (stolen) and logs the fields that changed (none: no log entry). */
void org_replace(struct sf_org *org, struct sf_txn *txn, struct sf_rec *rec, json_t *data);
/* Moves to the recycle bin (IsDeleted, optional MasterRecordId) / restores. */
void org_delete(struct sf_org *org, struct sf_txn *txn, struct sf_rec *rec, const char *master_id);
void org_undelete(struct sf_org *org, struct sf_txn *txn, struct sf_rec *rec);
/* Physically removes recycle-bin rows deleted before `before`; returns how many. Not
 * transactional. */
size_t org_purge_deleted(struct sf_org *org, int64_t before);

/* ---- change log ---- */
/* new: {"changes":[...],"last":N} with entries after seq (at most max). */
json_t *org_changes_json(const struct sf_org *org, uint64_t after, size_t max);

/* ---- helpers ---- */
/* Formats ms as a Salesforce datetime into a new JSON string. */
json_t *org_time_json(int64_t ms);
/* Sets the audit fields of a version user writes at `at`: LastModifiedDate, LastModifiedById
 * and SystemModstamp, and with created CreatedDate and CreatedById too. */
void org_stamp(json_t *rec, int64_t at, const char *user, int created);
/* new: the next Case auto-number ("00001001"). */
json_t *org_case_number(struct sf_org *org);
int64_t org_now(void); /* now in whole seconds, as epoch ms */

#endif
