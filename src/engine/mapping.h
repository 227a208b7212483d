/*
 * mapping.h: field mappings, the built-in defaults and the checks on
 * user mappings.
 *
 * A mapping pairs one HubSpot property with one Salesforce field per
 * Salesforce object of its sync kind (a contact maps to Lead and Contact,
 * often under different names: address <-> Lead.Street and
 * Contact.MailingStreet), and carries a rule (rules.h) and flags. Its
 * values are compared in one canonical kind (value.h), derived from both
 * sides' types.
 *
 * A mapping set holds every mapping of every kind: first the built-in
 * defaults of a fresh native integration, then the user's own. Built-ins
 * cannot be removed, nor their fields changed; their rule can change
 * (except the internal link-id mapping's). User mappings pass the type
 * compatibility check and may not reuse a HubSpot property or Salesforce
 * field already mapped in the same kind.
 *
 * Type compatibility (HubSpot's rules, knowledge base "Map HubSpot
 * properties to Salesforce fields"):
 *
 *   HubSpot field type            Salesforce types
 *   dropdown select, radio        picklist, reference (and combobox)
 *   multiple checkboxes           multipicklist
 *   single checkbox               boolean
 *   number                        double, int (and currency, percent)
 *   single-line text, phone       string, textarea (and email, phone, url, combobox)
 *   multi-line text               textarea
 *   date picker (date, datetime)  date, datetime
 *   HubSpot user (owner)          cannot be mapped
 *
 * Built-in mappings follow HubSpot's own defaults, some of which pair a
 * HubSpot single-line text property with a Salesforce picklist or number
 * (the contact's industry and annual revenue): those two pairings are
 * accepted for built-ins only.
 *
 * A value map (sync_mapping.values) translates between two picklists that
 * spell the same choices differently; the canonical value is Salesforce's,
 * and a value the map does not name passes through unchanged (the target's
 * own checks then refuse it).
 *
 * Owner mappings are effectively two-way whatever rule is shown, and the
 * Salesforce owner wins a first sync (sync_mapping_rule,
 * sync_mapping_first_sync_winner). Their values, like the stage and
 * pipeline mappings', are translated (owner ids, pipeline and stage maps)
 * by the planner before the plain converters apply.
 *
 * Not thread-safe: a set belongs to one thread or is guarded by its owner.
 */
#ifndef SYNC_ENGINE_MAPPING_H
#define SYNC_ENGINE_MAPPING_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "engine/rules.h"
#include "engine/value.h"

enum sync_kind {
    SYNC_KIND_CONTACT = 0,
    SYNC_KIND_COMPANY,
    SYNC_KIND_DEAL,
    SYNC_KIND_TICKET,   /* Salesforce cases -> HubSpot tickets (two-way when ticket_two_way) */
    SYNC_KIND_TIMELINE, /* HubSpot activities -> Salesforce tasks (timeline sync); no mappings */
    /* Salesforce task sync, one way: Tasks -> HubSpot tasks, emails (TaskSubtype Email) and
     * calls (TaskSubtype Call); Events -> meetings */
    SYNC_KIND_TASK,
    SYNC_KIND_EMAIL,
    SYNC_KIND_CALL,
    SYNC_KIND_MEETING,
    SYNC_KIND__COUNT
};

/* "contact", "company", "deal", "ticket"; the parser also takes the plurals. -1 when unknown. */
const char *sync_kind_name(enum sync_kind k);
int sync_kind_parse(const char *s, enum sync_kind *out);
/* The Salesforce objects of a kind, NULL-terminated: {"Lead", "Contact"}, {"Account"}, ... */
const char *const *sync_kind_sf_objects(enum sync_kind k);
/* The HubSpot object type of a kind: "contacts", "companies", "deals", "tickets". */
const char *sync_kind_hs_object(enum sync_kind k);

enum sync_mapping_flags {
    SYNC_MAP_BUILTIN = 1 << 0,  /* a default mapping: cannot be removed or re-pointed */
    SYNC_MAP_OWNER = 1 << 1,    /* owner: effectively two-way; Salesforce wins the first sync */
    SYNC_MAP_INTERNAL = 1 << 2, /* the link id: written by the engine on create, never by rules */
    SYNC_MAP_STAGE = 1 << 3,    /* deal stage: values go through the pipeline/stage map */
    SYNC_MAP_PIPELINE = 1 << 4, /* deal pipeline <-> record type: values go through the map */
    SYNC_MAP_REQUIRED = 1 << 5  /* the HubSpot record needs it (a ticket's name, pipeline and
                                   status): listed first, never Don't sync */
};

#define SYNC_MAPPING_MAX_SF 2 /* Salesforce objects per kind (Lead and Contact) */
#define SYNC_MAPPING_MAX 1000 /* mappings in one set, all kinds */

struct sync_mapping {
    enum sync_kind kind;
    struct sync_hs_prop hs;
    size_t nsf;
    struct sync_sf_field
        sf[SYNC_MAPPING_MAX_SF]; /* one per object, in sync_kind_sf_objects order */
    enum sync_rule rule;         /* as shown and stored */
    enum sync_rule default_rule; /* what a fresh integration has */
    unsigned flags;              /* enum sync_mapping_flags */
    enum sync_vkind vkind;       /* canonical kind of the values */
    /* Built-ins whose two picklists spell their values differently (a case's Priority High
     * is a ticket's HIGH): "sf=hs|sf=hs|..." (static; NULL: the values are the same). The
     * canonical value is Salesforce's. */
    const char *values;
};

struct sync_mapping_set {
    struct sync_mapping *items; /* kinds in order; built-ins first within a kind */
    size_t n, alloc;
};

/* Sets up a set holding the built-in mappings of every kind. */
enum sync_rc sync_mapping_set_init(struct sync_mapping_set *set);
void sync_mapping_set_release(struct sync_mapping_set *set);

/* Fills out[0..cap) with the kind's mappings, in order; returns how many there are (which may
 * exceed cap). Pointers are borrowed and valid until the set changes. */
size_t sync_mapping_set_list(const struct sync_mapping_set *set, enum sync_kind kind,
                             const struct sync_mapping **out, size_t cap);
/* borrowed: the kind's mapping of a HubSpot property, or of a Salesforce field (object and field
 * names ignore case, as Salesforce does); NULL when unmapped. */
const struct sync_mapping *sync_mapping_set_find_hs(const struct sync_mapping_set *set,
                                                    enum sync_kind kind, const char *prop);
const struct sync_mapping *sync_mapping_set_find_sf(const struct sync_mapping_set *set,
                                                    enum sync_kind kind, const char *object,
                                                    const char *field);

/* Checks a candidate user mapping against the set: names, objects of the kind, type
 * compatibility, HubSpot user properties, duplicates. SYNC_OK or SYNC_ERR_INVALID with a
 * message saying what is wrong. */
enum sync_rc sync_mapping_check(const struct sync_mapping_set *set, const struct sync_mapping *m,
                                struct sync_err *err);
/* Type compatibility alone (the table above), for a built-in or a user mapping. */
enum sync_rc sync_mapping_check_types(const struct sync_hs_prop *hs, const struct sync_sf_field *sf,
                                      int builtin, struct sync_err *err);
/* Adds a user mapping after sync_mapping_check; copies m (picklists included). The flags of m
 * are ignored: a user mapping is never built in, owner or internal. */
enum sync_rc sync_mapping_set_add(struct sync_mapping_set *set, const struct sync_mapping *m,
                                  struct sync_err *err);
/* Removes the kind's user mapping of a HubSpot property; refuses built-ins. */
enum sync_rc sync_mapping_set_remove(struct sync_mapping_set *set, enum sync_kind kind,
                                     const char *prop, struct sync_err *err);
/* Adds a user mapping, or replaces the user mapping of the same HubSpot property (a mapping
 * re-pointed at run time): m is checked as sync_mapping_set_add checks it, against the set
 * without the mapping it replaces, which stays on refusal. Refuses to replace a built-in. The
 * replacement goes after the kind's other mappings. */
enum sync_rc sync_mapping_set_replace(struct sync_mapping_set *set, const struct sync_mapping *m,
                                      struct sync_err *err);
/* 1 when a and b map the same HubSpot property to the same Salesforce fields with the same
 * types and flags (rules aside): what the engine reads and writes for them is the same. */
int sync_mapping_same_fields(const struct sync_mapping *a, const struct sync_mapping *b);
/* Changes the rule of the kind's mapping of a HubSpot property; refuses the internal one. */
enum sync_rc sync_mapping_set_rule(struct sync_mapping_set *set, enum sync_kind kind,
                                   const char *prop, enum sync_rule rule, struct sync_err *err);

/* Replaces what the set knows of a HubSpot property or a Salesforce field (type, length,
 * picklist values, options) with what the vendor's describe says, in every mapping of the kind
 * that uses it. Refuses a type that would make the mapping incompatible. Returns SYNC_DECLINED
 * when no mapping uses it. */
enum sync_rc sync_mapping_set_describe_hs(struct sync_mapping_set *set, enum sync_kind kind,
                                          const struct sync_hs_prop *p, struct sync_err *err);
enum sync_rc sync_mapping_set_describe_sf(struct sync_mapping_set *set, enum sync_kind kind,
                                          const struct sync_sf_field *f, struct sync_err *err);

/* The rule the planner applies: an owner mapping is two-way unless set to Don't sync. */
enum sync_rule sync_mapping_rule(const struct sync_mapping *m);
/* Who wins a first sync of a two-way field holding values on both sides (rules.h). */
enum sync_side sync_mapping_first_sync_winner(const struct sync_mapping *m);
/* borrowed: the mapping's field on a Salesforce object (name ignores case), or NULL. */
const struct sync_sf_field *sync_mapping_sf_field(const struct sync_mapping *m, const char *object);

/* The value converters of value.h, with the mapping's kind. */
enum sync_rc sync_mapping_from_sf(const struct sync_mapping *m, const char *object, const json_t *v,
                                  struct sync_buf *out, struct sync_err *err);
enum sync_rc sync_mapping_from_hs(const struct sync_mapping *m, const char *s, struct sync_buf *out,
                                  struct sync_err *err);
enum sync_rc sync_mapping_to_sf(const struct sync_mapping *m, const char *object, const char *canon,
                                json_t **out, struct sync_err *err);
enum sync_rc sync_mapping_to_hs(const struct sync_mapping *m, const char *canon,
                                struct sync_buf *out, struct sync_err *err);

/* Releases what a mapping owns (picklists) and zeroes it. */
void sync_mapping_release(struct sync_mapping *m);

#endif
