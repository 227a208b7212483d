/* Tests src/connectors/classify.c: vendor codes land in the sync-health categories and the
 * right retry class. */
#include <criterion/criterion.h>

#include "connectors/connector.h"

#define SF SYNC_VENDOR_SALESFORCE
#define HS SYNC_VENDOR_HUBSPOT

Test(classify, salesforce_codes_map_to_sync_health_categories)
{
    cr_assert_eq(sync_err_categorize(SF, "FIELD_CUSTOM_VALIDATION_EXCEPTION", 400),
                 SYNC_ERRCAT_CUSTOM_CODE);
    cr_assert_eq(sync_err_categorize(SF, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", 400),
                 SYNC_ERRCAT_CUSTOM_CODE);
    cr_assert_eq(sync_err_categorize(SF, "DUPLICATES_DETECTED", 400), SYNC_ERRCAT_DUPLICATES);
    cr_assert_eq(sync_err_categorize(SF, "DUPLICATE_VALUE", 400), SYNC_ERRCAT_DUPLICATES);
    cr_assert_eq(sync_err_categorize(SF, "INSUFFICIENT_ACCESS_OR_READONLY", 400),
                 SYNC_ERRCAT_FIELD_PERMISSIONS);
    cr_assert_eq(sync_err_categorize(SF, "INVALID_FIELD_FOR_INSERT_UPDATE", 400),
                 SYNC_ERRCAT_FIELD_PERMISSIONS);
    cr_assert_eq(sync_err_categorize(SF, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", 400),
                 SYNC_ERRCAT_PICKLIST);
    cr_assert_eq(sync_err_categorize(SF, "STRING_TOO_LONG", 400), SYNC_ERRCAT_PROPERTY_VALUE);
    cr_assert_eq(sync_err_categorize(SF, "INVALID_EMAIL_ADDRESS", 400), SYNC_ERRCAT_PROPERTY_VALUE);
    cr_assert_eq(sync_err_categorize(SF, "INVALID_TYPE_ON_FIELD_IN_RECORD", 400),
                 SYNC_ERRCAT_PROPERTY_VALUE);
    cr_assert_eq(sync_err_categorize(SF, "REQUIRED_FIELD_MISSING", 400),
                 SYNC_ERRCAT_REQUIRED_FIELD);
    cr_assert_eq(sync_err_categorize(SF, "SOMETHING_NEW", 400), SYNC_ERRCAT_OTHER);
}

Test(classify, hubspot_codes_and_409_map_to_sync_health_categories)
{
    cr_assert_eq(sync_err_categorize(HS, "CONFLICT", 409), SYNC_ERRCAT_DUPLICATES);
    cr_assert_eq(sync_err_categorize(HS, NULL, 409), SYNC_ERRCAT_DUPLICATES);
    cr_assert_eq(sync_err_categorize(HS, "INVALID_OPTION", 400), SYNC_ERRCAT_PICKLIST);
    cr_assert_eq(sync_err_categorize(HS, "INVALID_INTEGER", 400), SYNC_ERRCAT_PROPERTY_VALUE);
    cr_assert_eq(sync_err_categorize(HS, "INVALID_EMAIL", 400), SYNC_ERRCAT_PROPERTY_VALUE);
    cr_assert_eq(sync_err_categorize(HS, "INVALID_OWNER_ID", 400), SYNC_ERRCAT_OWNER);
    cr_assert_str_eq(sync_err_category_name(SYNC_ERRCAT_FIELD_PERMISSIONS), "field_permissions");
    cr_assert_str_eq(sync_err_category_name((enum sync_err_category)99), "other");
}

Test(classify, classes_follow_codes_then_statuses)
{
    cr_assert_eq(sync_err_classify(SF, "UNABLE_TO_LOCK_ROW", 400), SYNC_ERRCLASS_RETRYABLE);
    cr_assert_eq(sync_err_classify(SF, "REQUEST_LIMIT_EXCEEDED", 403), SYNC_ERRCLASS_RATELIMITED);
    cr_assert_eq(sync_err_classify(SF, "STRING_TOO_LONG", 400), SYNC_ERRCLASS_PERMANENT);
    cr_assert_eq(sync_err_classify(SF, "WHATEVER", 503), SYNC_ERRCLASS_RETRYABLE);
    cr_assert_eq(sync_err_classify(HS, "LOCKED", 423), SYNC_ERRCLASS_RETRYABLE);
    cr_assert_eq(sync_err_classify(HS, NULL, 423), SYNC_ERRCLASS_RETRYABLE);
    cr_assert_eq(sync_err_classify(HS, NULL, 429), SYNC_ERRCLASS_RATELIMITED);
    cr_assert_eq(sync_err_classify(HS, "VALIDATION_ERROR", 400), SYNC_ERRCLASS_PERMANENT);
}
