/*
 * json.h: small helpers on jansson.
 *
 * jansson owns the JSON values; these helpers only read them, parse text
 * into them with a sync_err, or serialise them into a bounded buffer.
 * Ownership follows jansson's vocabulary: "new" results belong to the
 * caller, "borrowed" ones to the value they came from.
 */
#ifndef SYNC_CORE_JSON_H
#define SYNC_CORE_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* new: parses len bytes; on failure fills err with SYNC_ERR_PARSE and "line L column C: why". */
json_t *sync_json_parse(const char *text, size_t len, struct sync_err *err);

/* Appends the compact serialisation of v to b. */
enum sync_rc sync_json_dump(const json_t *v, struct sync_buf *b);

/* borrowed: obj[key] as a string, or NULL when missing or not a string. */
const char *sync_json_str(const json_t *obj, const char *key);
/* obj[key] as an integer, or def when missing or not an integer. */
int64_t sync_json_int(const json_t *obj, const char *key, int64_t def);
/* obj[key] as a boolean, or def when missing or not a boolean. */
int sync_json_bool(const json_t *obj, const char *key, int def);

/* borrowed: the member of obj whose key equals key ignoring ASCII case; NULL if none.
 * When found, *real_key (if given) points at the key as stored. */
json_t *sync_json_get_nocase(const json_t *obj, const char *key, const char **real_key);

#endif
