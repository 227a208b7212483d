/*
 * value.h: canonical field values, and the vendor field types they come
 * from and go back to.
 *
 * The ledger, the rules and the planner compare values as canonical text,
 * one form per kind of value (docs/ENGINE.md):
 *
 *   text       as-is; blank is ""
 *   email      text, ASCII lower-cased (HubSpot stores e-mail lower-case)
 *   number     shortest text that reads back as the same IEEE double:
 *              "12.5", "3", "0.1", "-4"; never "-0", no trailing zeros, no
 *              exponent between 1e-7 and 1e21 (the JavaScript rules)
 *   bool       "true" or "false"
 *   date       "YYYY-MM-DD", a calendar date with no time zone
 *   datetime   epoch milliseconds in decimal: "1705521304000"
 *   multi      picklist values sorted bytewise, de-duplicated, ";"-joined
 *
 * Blank (NULL or "") is the same in every kind: Salesforce turns "" into
 * null, HubSpot clears a property with "".
 *
 * Each mapping has one kind (sync_value_kind), derived from both sides'
 * types: a HubSpot datetime mapped to a Salesforce date is a date, a text
 * property mapped to a Salesforce email field is email, and so on. The
 * converters below take the side's own field description and the mapping's
 * kind, so a value read from either side lands in the same form.
 *
 * Every converter is pure. A value that cannot be converted fails with
 * SYNC_ERR_INVALID, err->code "PROPERTY_VALUE" and a message naming the
 * field and the value ("Amount: 'abc' is not a number"); the planner turns
 * it into a per-record sync error.
 *
 * Field descriptions (struct sync_sf_field, struct sync_hs_prop) own their
 * picklist values; copy them with the _copy functions and free them with
 * _release. Called by mapping.c, the planner and the connectors.
 */
#ifndef SYNC_ENGINE_VALUE_H
#define SYNC_ENGINE_VALUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SYNC_FIELD_NAME_MAX 128
/* A canonical value is at most this long (Salesforce long text holds 131,072 characters). */
#define SYNC_VALUE_MAX ((size_t)1024 * 1024)
/* Most picklist values or options one field description may hold. */
#define SYNC_FIELD_MAX_VALUES 4096

/* Salesforce describe types that can be mapped. */
enum sync_sf_type {
    SYNC_SFT_STRING = 0,
    SYNC_SFT_TEXTAREA,
    SYNC_SFT_EMAIL,
    SYNC_SFT_PHONE,
    SYNC_SFT_URL,
    SYNC_SFT_PICKLIST,
    SYNC_SFT_COMBOBOX,
    SYNC_SFT_MULTIPICKLIST,
    SYNC_SFT_BOOLEAN,
    SYNC_SFT_INT,
    SYNC_SFT_DOUBLE,
    SYNC_SFT_CURRENCY,
    SYNC_SFT_PERCENT,
    SYNC_SFT_DATE,
    SYNC_SFT_DATETIME,
    SYNC_SFT_REFERENCE,
    SYNC_SFT_ID,
    SYNC_SFT__COUNT
};

/* HubSpot property `type`. */
enum sync_hs_type {
    SYNC_HST_STRING = 0,
    SYNC_HST_NUMBER,
    SYNC_HST_DATE,
    SYNC_HST_DATETIME,
    SYNC_HST_ENUMERATION,
    SYNC_HST_BOOL,
    SYNC_HST_PHONE_NUMBER,
    SYNC_HST__COUNT
};

/* HubSpot property `fieldType`. */
enum sync_hs_field_type {
    SYNC_HSF_TEXT = 0,
    SYNC_HSF_TEXTAREA,
    SYNC_HSF_NUMBER,
    SYNC_HSF_DATE,
    SYNC_HSF_SELECT,
    SYNC_HSF_RADIO,
    SYNC_HSF_CHECKBOX,
    SYNC_HSF_BOOLEANCHECKBOX,
    SYNC_HSF_CALCULATION_EQUATION,
    SYNC_HSF_FILE,
    SYNC_HSF_HTML,
    SYNC_HSF_PHONENUMBER,
    SYNC_HSF__COUNT
};

/* The canonical kind of a mapping's values (see the table above). */
enum sync_vkind {
    SYNC_VK_TEXT = 0,
    SYNC_VK_EMAIL,
    SYNC_VK_NUMBER,
    SYNC_VK_BOOL,
    SYNC_VK_DATE,
    SYNC_VK_DATETIME,
    SYNC_VK_MULTI,
    SYNC_VK__COUNT
};

/* One Salesforce field, as describe reports it. */
struct sync_sf_field {
    char object[SYNC_FIELD_NAME_MAX]; /* "Lead" */
    char name[SYNC_FIELD_NAME_MAX];   /* "Street" */
    enum sync_sf_type type;
    unsigned length; /* most characters a text field holds; 0 when unknown or not text */
    int restricted;  /* restricted picklist: only values[] are accepted on write */
    size_t nvalues;  /* active picklist values (the `value`, not the label) */
    char **values;
};

/* One HubSpot property, as the properties API reports it. */
struct sync_hs_prop {
    char name[SYNC_FIELD_NAME_MAX];
    enum sync_hs_type type;
    enum sync_hs_field_type field_type;
    int owner_ref;   /* referencedObjectType OWNER: a "HubSpot user" property */
    size_t noptions; /* enumeration option values; none means not checked */
    char **options;
};

/* Names as the vendors spell them ("multipicklist", "enumeration", "booleancheckbox"), and
 * parsers for them (exact, lower-case); the parsers return -1 for anything else. */
const char *sync_sf_type_name(enum sync_sf_type t);
int sync_sf_type_parse(const char *s, enum sync_sf_type *out);
const char *sync_hs_type_name(enum sync_hs_type t);
int sync_hs_type_parse(const char *s, enum sync_hs_type *out);
const char *sync_hs_field_type_name(enum sync_hs_field_type t);
int sync_hs_field_type_parse(const char *s, enum sync_hs_field_type *out);
/* "text", "email", "number", "bool", "date", "datetime", "multi". */
const char *sync_vkind_name(enum sync_vkind k);

/* Field descriptions: deep copies (values included) and release. A zeroed struct is empty. */
enum sync_rc sync_sf_field_copy(struct sync_sf_field *dst, const struct sync_sf_field *src);
void sync_sf_field_release(struct sync_sf_field *f);
enum sync_rc sync_hs_prop_copy(struct sync_hs_prop *dst, const struct sync_hs_prop *src);
void sync_hs_prop_release(struct sync_hs_prop *p);
/* Replaces the picklist values / options with copies of n strings. */
enum sync_rc sync_sf_field_set_values(struct sync_sf_field *f, const char *const *v, size_t n);
enum sync_rc sync_hs_prop_set_options(struct sync_hs_prop *p, const char *const *v, size_t n);

/* The canonical kind of a mapping between these two (already compatible) fields. */
enum sync_vkind sync_value_kind(const struct sync_hs_prop *hs, const struct sync_sf_field *sf);

/* Salesforce JSON value -> canonical text, replacing out's contents. v may be NULL (absent),
 * which is blank like JSON null. */
enum sync_rc sync_value_from_sf(const struct sync_sf_field *f, enum sync_vkind k, const json_t *v,
                                struct sync_buf *out, struct sync_err *err);
/* HubSpot property string -> canonical text, replacing out's contents; s may be NULL. */
enum sync_rc sync_value_from_hs(const struct sync_hs_prop *p, enum sync_vkind k, const char *s,
                                struct sync_buf *out, struct sync_err *err);
/* new: canonical text -> the JSON value to send to Salesforce: a string, number or boolean of
 * the field's type; JSON null for blank (false for a boolean, which Salesforce never holds as
 * null). Checks lengths, restricted picklists and whole numbers. */
enum sync_rc sync_value_to_sf(const struct sync_sf_field *f, enum sync_vkind k, const char *canon,
                              json_t **out, struct sync_err *err);
/* canonical text -> the HubSpot property string, replacing out's contents; "" clears. Checks
 * enumeration options when the description has them. */
enum sync_rc sync_value_to_hs(const struct sync_hs_prop *p, enum sync_vkind k, const char *canon,
                              struct sync_buf *out, struct sync_err *err);

/* The canonical building blocks, usable on their own. Each replaces out's contents and fails
 * with SYNC_ERR_INVALID (no message) on bad input. */
enum sync_rc sync_value_number(const char *text, struct sync_buf *out);
enum sync_rc sync_value_number_from_double(double v, struct sync_buf *out);
enum sync_rc sync_value_multi(const char *text, struct sync_buf *out);
/* A 15- or 18-character Salesforce id as its 18-character form (out holds 19 bytes). */
enum sync_rc sync_value_sf_id18(const char *id, char out[19]);

#endif
