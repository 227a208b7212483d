/*
 * classify.c: what a vendor error code means to the engine (see
 * connector.h): its class (retry, wait for the window, give up on the
 * record) and its sync-health category, the groups HubSpot's own
 * integration shows users (associations, custom code, duplicates, field
 * permissions, picklist, property value, required field, owner, other).
 * Pure tables; called by the vendor files for every error and by the
 * engine when it records a sync error.
 */
#include <string.h>

#include "connectors/connector.h"

struct code_row {
    const char *code;
    enum sync_err_category cat;
    enum sync_err_class cls; /* NONE: from the HTTP status */
};

static const struct code_row sf_codes[] = {
    {"UNABLE_TO_LOCK_ROW", SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_RETRYABLE},
    {"SERVER_UNAVAILABLE", SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_RETRYABLE},
    {"UNKNOWN_EXCEPTION", SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_RETRYABLE},
    {"REQUEST_LIMIT_EXCEEDED", SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_RATELIMITED},
    {"INVALID_SESSION_ID", SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_PERMANENT},
    {"FIELD_CUSTOM_VALIDATION_EXCEPTION", SYNC_ERRCAT_CUSTOM_CODE, SYNC_ERRCLASS_PERMANENT},
    {"CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", SYNC_ERRCAT_CUSTOM_CODE, SYNC_ERRCLASS_PERMANENT},
    {"DUPLICATES_DETECTED", SYNC_ERRCAT_DUPLICATES, SYNC_ERRCLASS_PERMANENT},
    {"DUPLICATE_VALUE", SYNC_ERRCAT_DUPLICATES, SYNC_ERRCLASS_PERMANENT},
    {"DUPLICATE_EXTERNAL_ID", SYNC_ERRCAT_DUPLICATES, SYNC_ERRCLASS_PERMANENT},
    {"INSUFFICIENT_ACCESS_OR_READONLY", SYNC_ERRCAT_FIELD_PERMISSIONS, SYNC_ERRCLASS_PERMANENT},
    {"INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", SYNC_ERRCAT_FIELD_PERMISSIONS,
     SYNC_ERRCLASS_PERMANENT},
    {"INVALID_FIELD_FOR_INSERT_UPDATE", SYNC_ERRCAT_FIELD_PERMISSIONS, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_FIELD", SYNC_ERRCAT_FIELD_PERMISSIONS, SYNC_ERRCLASS_PERMANENT},
    {"API_DISABLED_FOR_ORG", SYNC_ERRCAT_FIELD_PERMISSIONS, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", SYNC_ERRCAT_PICKLIST, SYNC_ERRCLASS_PERMANENT},
    {"STRING_TOO_LONG", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_EMAIL_ADDRESS", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_TYPE_ON_FIELD_IN_RECORD", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"FIELD_INTEGRITY_EXCEPTION", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"NUMBER_OUTSIDE_VALID_RANGE", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"JSON_PARSER_ERROR", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"REQUIRED_FIELD_MISSING", SYNC_ERRCAT_REQUIRED_FIELD, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_CROSS_REFERENCE_KEY", SYNC_ERRCAT_ASSOCIATIONS, SYNC_ERRCLASS_PERMANENT},
    {"ENTITY_IS_DELETED", SYNC_ERRCAT_ASSOCIATIONS, SYNC_ERRCLASS_PERMANENT},
    {"MALFORMED_ID", SYNC_ERRCAT_ASSOCIATIONS, SYNC_ERRCLASS_PERMANENT},
    {"INACTIVE_OWNER_OR_USER", SYNC_ERRCAT_OWNER, SYNC_ERRCLASS_PERMANENT},
    {"TRANSFER_REQUIRES_READ", SYNC_ERRCAT_OWNER, SYNC_ERRCLASS_PERMANENT},
    {NULL, SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_NONE}};

static const struct code_row hs_codes[] = {
    {"CONFLICT", SYNC_ERRCAT_DUPLICATES, SYNC_ERRCLASS_PERMANENT},
    {"OBJECT_ALREADY_EXISTS", SYNC_ERRCAT_DUPLICATES, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_OPTION", SYNC_ERRCAT_PICKLIST, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_INTEGER", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_LONG", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_DECIMAL", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_EMAIL", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_DATE", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_DATETIME", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_BOOLEAN", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_PHONE_NUMBER", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"VALIDATION_ERROR", SYNC_ERRCAT_PROPERTY_VALUE, SYNC_ERRCLASS_PERMANENT},
    {"READ_ONLY_VALUE", SYNC_ERRCAT_FIELD_PERMISSIONS, SYNC_ERRCLASS_PERMANENT},
    {"PROPERTY_DOESNT_EXIST", SYNC_ERRCAT_FIELD_PERMISSIONS, SYNC_ERRCLASS_PERMANENT},
    {"MISSING_SCOPES", SYNC_ERRCAT_FIELD_PERMISSIONS, SYNC_ERRCLASS_PERMANENT},
    {"REQUIRED_PROPERTY", SYNC_ERRCAT_REQUIRED_FIELD, SYNC_ERRCLASS_PERMANENT},
    {"INVALID_OWNER_ID", SYNC_ERRCAT_OWNER, SYNC_ERRCLASS_PERMANENT},
    {"ASSOCIATION_LIMIT_EXCEEDED", SYNC_ERRCAT_ASSOCIATIONS, SYNC_ERRCLASS_PERMANENT},
    {"LOCKED", SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_RETRYABLE},
    {"RATE_LIMITS", SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_RATELIMITED},
    {NULL, SYNC_ERRCAT_OTHER, SYNC_ERRCLASS_NONE}};

static const struct code_row *find(enum sync_vendor vendor, const char *code)
{
    const struct code_row *t = vendor == SYNC_VENDOR_HUBSPOT ? hs_codes : sf_codes;
    if (!code || !*code)
        return NULL;
    for (; t->code; t++)
        if (strcmp(t->code, code) == 0)
            return t;
    return NULL;
}

enum sync_err_category sync_err_categorize(enum sync_vendor vendor, const char *code,
                                           int http_status)
{
    const struct code_row *r = find(vendor, code);
    if (r)
        return r->cat;
    if (vendor == SYNC_VENDOR_HUBSPOT && http_status == 409)
        return SYNC_ERRCAT_DUPLICATES;
    return SYNC_ERRCAT_OTHER;
}

const char *sync_err_category_name(enum sync_err_category cat)
{
    static const char *const names[] = {"other",          "associations",      "custom_code",
                                        "duplicates",     "field_permissions", "picklist",
                                        "property_value", "required_field",    "owner"};
    if ((unsigned)cat < sizeof(names) / sizeof(names[0]))
        return names[cat];
    return "other";
}

enum sync_err_class sync_err_classify(enum sync_vendor vendor, const char *code, int http_status)
{
    const struct code_row *r = find(vendor, code);
    if (r && r->cls != SYNC_ERRCLASS_NONE)
        return r->cls;
    if (http_status == 429)
        return SYNC_ERRCLASS_RATELIMITED;
    if (http_status == 423 || http_status == 408 || http_status == 477 || http_status >= 500 ||
        http_status == 0)
        return SYNC_ERRCLASS_RETRYABLE;
    return SYNC_ERRCLASS_PERMANENT;
}
