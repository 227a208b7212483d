/*
 * validate.h: turns a write request's field map into the record version
 * a real org would store, or the error a real org would answer: unknown
 * and read-only fields, permissions, type checks (STRING_TOO_LONG,
 * INVALID_EMAIL_ADDRESS, restricted picklists, MALFORMED_ID, ...),
 * references, required fields, state/country picklists, record-type
 * processes, defaults and derived fields (derive.c), assignment rules,
 * custom validation rules, duplicate rules and unique fields.
 *
 * The schema catalogue is the only source of truth, the same one describe
 * serves. Called by sobjects.c with the org write lock held.
 */
#ifndef EMU_SF_VALIDATE_H
#define EMU_SF_VALIDATE_H

#include <jansson.h>

#include "emulators/salesforce/api.h"

/* new: the version to store for an insert (existing NULL, new_id set) or an update of existing,
 * or NULL with err filled. */
json_t *validate_write(struct sf_call *c, const struct sf_object *obj,
                       const struct sf_rec *existing, const json_t *body, const char *new_id,
                       struct sf_error *err);

/* Checks the text of an e-mail address as Salesforce does; 1 when acceptable. */
int validate_email(const char *s);
/* Characters (UTF-8 code points) in s. */
size_t validate_utf8_len(const char *s);

/* Fills the fields a real org computes: Name, addresses, IsClosed/IsWon/Probability, ...
 * (derive.c). old is the previous version on update, NULL on insert. */
void derive_fields(struct sf_org *org, const struct sf_object *obj, json_t *rec, const json_t *old,
                   const json_t *body, int64_t now);

#endif
