/*
 * json.c: jansson helpers (see json.h). Pure.
 */
#include "core/json.h"

#include <strings.h>

json_t *sync_json_parse(const char *text, size_t len, struct sync_err *err)
{
    json_error_t jerr;
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!v)
        sync_err_set(err, SYNC_ERR_PARSE, "line %d column %d: %s", jerr.line, jerr.column,
                     jerr.text);
    return v;
}

static int dump_cb(const char *p, size_t n, void *data)
{
    return sync_buf_add(data, p, n) == SYNC_OK ? 0 : -1;
}

enum sync_rc sync_json_dump(const json_t *v, struct sync_buf *b)
{
    if (json_dump_callback(v, dump_cb, b, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER))
        return SYNC_ERR_TOO_LARGE;
    return SYNC_OK;
}

const char *sync_json_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t sync_json_int(const json_t *obj, const char *key, int64_t def)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

int sync_json_bool(const json_t *obj, const char *key, int def)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

json_t *sync_json_get_nocase(const json_t *obj, const char *key, const char **real_key)
{
    const char *k;
    json_t *v;

    v = json_object_get(obj, key);
    if (v) {
        if (real_key)
            *real_key = key;
        return v;
    }
    json_object_foreach((json_t *)obj, k, v)
    {
        if (strcasecmp(k, key) == 0) {
            if (real_key)
                *real_key = k;
            return v;
        }
    }
    return NULL;
}
