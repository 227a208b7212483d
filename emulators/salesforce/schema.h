/*
 * schema.h: the org's catalogue of objects and fields.
 *
 * One catalogue drives describe, validation, SOQL and record output, so
 * they never disagree. It is loaded from JSON: the default schema embedded
 * in the binary (schema_default.json, the standard objects plus the
 * CrmSync_Link_Id__c external-id field), then optionally a --schema FILE in
 * the same format adding custom fields and objects. The format:
 *
 *   {"picklists": {"<Name>": ["value", {"value":..., "label":..., "default":true,
 *                                        "closed":true, "won":true, "converted":true,
 *                                        "responded":true, "probability":N,
 *                                        "forecast":"Pipeline", "active":false}]},
 *    "objects": {"<Object>": {"keyPrefix":"a01", "label":..., "labelPlural":...,
 *        "createable":true, "updateable":true, "deletable":true, "mergeable":false,
 *        "fields": {"<Field>": "<spec>" | {<describe properties>}},
 *        "processes": {"<Process>": {"field":"StageName", "values":[...]}},
 *        "recordTypes": [{"name":..., "developerName":..., "process":..., "default":true}]}}}
 *
 * A field spec string is "type[(length[,scale])] flag...", flags being
 * required, readonly, createonly, extid, unique, casesensitive, restricted,
 * calculated, autonumber, idlookup, namefield, defaulted, nofilter,
 * statecountry, ref:A|B, rel:Name, pick:<Picklist>, controller:<Field>,
 * label:Words_With_Underscores. The object form uses describe's own
 * property names (type, length, label, nillable, createable, updateable,
 * externalId, unique, referenceTo, relationshipName, picklistValues, ...).
 * Every object gets Id, IsDeleted, CreatedDate, CreatedById,
 * LastModifiedDate, LastModifiedById and SystemModstamp.
 *
 * The catalogue is immutable once loaded; readers need no lock. Loaded by
 * main.c, then read by every part of the emulator.
 */
#ifndef EMU_SF_SCHEMA_H
#define EMU_SF_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "emulators/salesforce/hmap.h"

enum sf_type {
    SF_T_ID,
    SF_T_REFERENCE,
    SF_T_STRING,
    SF_T_TEXTAREA,
    SF_T_EMAIL,
    SF_T_PHONE,
    SF_T_URL,
    SF_T_PICKLIST,
    SF_T_MULTIPICKLIST,
    SF_T_COMBOBOX,
    SF_T_BOOLEAN,
    SF_T_INT,
    SF_T_DOUBLE,
    SF_T_CURRENCY,
    SF_T_PERCENT,
    SF_T_DATE,
    SF_T_DATETIME,
    SF_T_TIME,
    SF_T_ADDRESS,
    SF_T_LOCATION,
    SF_T_ENCRYPTEDSTRING,
    SF_T_BASE64
};

struct sf_pick {
    char *value;
    char *label;
    int active, is_default;
    int closed, won, converted, responded, high; /* meanings for status tables */
    int probability;                             /* -1 when none */
    char *forecast;
};

struct sf_picklist {
    char *name;
    struct sf_pick *v;
    size_t n;
};

enum {
    SF_F_REQUIRED = 1 << 0, /* not nillable and not defaulted: must be given on create */
    SF_F_NOCREATE = 1 << 1, /* createable false */
    SF_F_NOUPDATE = 1 << 2, /* updateable false */
    SF_F_EXTID = 1 << 3,
    SF_F_UNIQUE = 1 << 4,
    SF_F_CASESENS = 1 << 5,
    SF_F_RESTRICTED = 1 << 6,
    SF_F_CALCULATED = 1 << 7,
    SF_F_AUTONUMBER = 1 << 8,
    SF_F_IDLOOKUP = 1 << 9,
    SF_F_NAMEFIELD = 1 << 10,
    SF_F_DEFAULTED = 1 << 11, /* defaultedOnCreate */
    SF_F_NOFILTER = 1 << 12,
    SF_F_STATECOUNTRY = 1 << 13, /* exists only while state/country picklists are on */
    SF_F_CUSTOM = 1 << 14,
    SF_F_NILLABLE = 1 << 15,
    SF_F_POLYMORPHIC = 1 << 16
};

#define SF_MAX_REFS 6

struct sf_field {
    char *name;
    char *label;
    enum sf_type type;
    int length; /* characters for text; precision for numbers */
    int scale;
    unsigned flags;
    char *refs[SF_MAX_REFS]; /* referenceTo */
    size_t nrefs;
    char *relationship; /* relationshipName, or NULL */
    const struct sf_picklist *picklist;
    char *controller;    /* controllerName of a dependent picklist */
    char *compound;      /* compoundFieldName: the address/name field this one belongs to */
    char *formula;       /* calculatedFormula, for describe */
    char *default_value; /* defaultValue, as text */
};

struct sf_process {
    char *name;
    char id[19];
    char *field;    /* the picklist it restricts: StageName, Status */
    json_t *values; /* array of allowed values */
};

struct sf_rtype {
    char id[19];
    char *name, *developer_name;
    const struct sf_process *process;
    int is_default;
};

struct sf_child {
    char *name;   /* relationshipName on the parent: "Contacts" */
    size_t child; /* index of the child object */
    size_t field; /* index of the child's reference field */
};

struct sf_object {
    char *name;
    char *label, *label_plural;
    char key_prefix[4];
    int custom;
    int createable, updateable, deletable, mergeable, replicateable, queryable;
    size_t index; /* position in the schema's object array */
    struct sf_field *fields;
    size_t nfields;
    struct hmap by_lname; /* lower-case field name -> field + 1 (as uintptr) */
    struct hmap by_lrel;  /* lower-case relationship name -> field + 1 */
    struct sf_process *processes;
    size_t nprocesses;
    struct sf_rtype *rtypes;
    size_t nrtypes;
    struct sf_child *children; /* child relationships, computed by schema_finish */
    size_t nchildren;
};

struct sf_schema {
    struct sf_object **objects;
    size_t n;
    struct hmap by_lname;  /* lower-case object name -> object index + 1 */
    struct hmap by_prefix; /* key prefix -> object index + 1 (first object wins) */
    struct sf_picklist **picklists;
    size_t npicklists;
    unsigned rtype_seq, process_seq;
};

void schema_init(struct sf_schema *s);
void schema_release(struct sf_schema *s);
/* Adds the objects, fields and picklists of a schema document (see above). Later documents
 * add fields to existing objects and add new objects. */
enum sync_rc schema_apply(struct sf_schema *s, const json_t *doc, struct sync_err *err);
/* schema_init + the embedded default schema. */
enum sync_rc schema_load_default(struct sf_schema *s, struct sync_err *err);
enum sync_rc schema_apply_file(struct sf_schema *s, const char *path, struct sync_err *err);
/* Computes the child relationships once every document is applied. */
void schema_finish(struct sf_schema *s);
const struct sf_child *schema_child(const struct sf_object *o, const char *name);

const struct sf_object *schema_object(const struct sf_schema *s, const char *name);
const struct sf_object *schema_object_by_prefix(const struct sf_schema *s, const char *id);
const struct sf_field *schema_field(const struct sf_object *o, const char *name);
/* The reference field whose relationshipName is rel (ignoring case), or NULL. */
const struct sf_field *schema_relationship(const struct sf_object *o, const char *rel);
const struct sf_pick *schema_pick(const struct sf_field *f, const char *value);

const char *schema_type_name(enum sf_type t);
const char *schema_soap_type(enum sf_type t);
int schema_type_is_text(enum sf_type t);

/* Field flags derived for describe. */
int schema_field_createable(const struct sf_field *f);
int schema_field_updateable(const struct sf_field *f);
int schema_field_nillable(const struct sf_field *f);

#endif
