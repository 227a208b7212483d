/* Tests src/core/log.c: records below the level are dropped, records above carry time, level
 * and component on one line. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "core/log.h"

Test(log, filters_by_level_and_writes_one_line_per_record)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sync_log_set_stream(f);
    sync_log_set_level(SYNC_LOG_WARN);
    sync_info("poller", "hidden %d", 1);
    sync_warn("poller", "visible %d", 2);
    sync_log_set_stream(NULL);
    fclose(f);
    cr_assert_null(strstr(text, "hidden"));
    cr_assert_not_null(strstr(text, "WARN  poller: visible 2\n"), "%s", text);
    cr_assert_eq(text[4], '-'); /* starts with the ISO date */
    free(text);
}
