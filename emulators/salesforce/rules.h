/*
 * rules.h: the org's declared rules: custom validation rules (a SOQL
 * condition that, when a written record matches it, fails the write with
 * FIELD_CUSTOM_VALIDATION_EXCEPTION) and duplicate rules (records of an
 * object that agree on some fields fail with DUPLICATES_DETECTED, or only
 * warn when the rule is an alert). Rules are declared through the control
 * API (control.c), kept across restarts (persist.c) and checked on every
 * write (validate.c). The caller holds the org lock (write lock to add or
 * clear).
 */
#ifndef EMU_SF_RULES_H
#define EMU_SF_RULES_H

#include <jansson.h>

#include "emulators/salesforce/api.h"

/* Adds a rule from its control-API form:
 *   validation: {"object","name","condition","message","field"?}
 *   duplicate:  {"object","name","fields":[...],"action":"block"|"alert"}
 * A bad definition (unknown object or field, a condition that does not parse) fills err and
 * adds nothing. */
enum sync_rc rules_add_validation(struct sf_org *org, const json_t *def, struct sync_err *err);
enum sync_rc rules_add_duplicate(struct sf_org *org, const json_t *def, struct sync_err *err);

/* new: every rule of a kind, in the form rules_add_* takes. */
json_t *rules_validation_json(const struct sf_org *org);
json_t *rules_duplicate_json(const struct sf_org *org);

/* Checks a record about to be stored (self: its id, NULL on insert) against the validation
 * rules, then the duplicate rules of its object; 0, or -1 with err filled (a duplicate's
 * error carries the duplicateResult). */
int rules_check(struct sf_call *c, const struct sf_object *obj, const json_t *rec, const char *self,
                struct sf_error *err);

#endif
