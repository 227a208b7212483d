/*
 * Integration tests of src/capture/timeline.c against the real emu-hubspot
 * binary over HTTP: how far back each read of the marketing email events
 * reaches. A process's first read sweeps the lookback behind the cursor
 * as the last sweep left it, the reads after it read only what is after
 * the cursor until the sweep interval has passed (or the clock went back),
 * and an event read twice goes into the inbox once. Each test
 * starts its own emulator and an in-memory store.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "capture/timeline.h"
#include "connectors/connector.h"
#include "core/json.h"
#include "core/time.h"
#include "store/store.h"
#include "tests/lib/emu_proc.h"

static struct emu_proc emu;
static struct sync_conn *conn;
static struct sync_store *st;
static json_t *campaigns;

static void setup(void)
{
    struct sync_err err = SYNC_ERR_INIT;

    cr_assert_eq(emu_proc_connect(&emu, "hubspot", &conn), 0, "no connection to emu-hubspot");
    cr_assert_eq(sync_store_open(&st, "sqlite::memory:", &err), SYNC_OK, "%s", err.message);
    campaigns = json_object();
    cr_assert_eq(emu_proc_control(&emu, "POST", "/__emu/email-campaigns",
                                  "{\"id\":100000001,\"name\":\"News\",\"subject\":\"News\"}",
                                  NULL),
                 201);
}

static void teardown(void)
{
    json_decref(campaigns);
    sync_store_close(st);
    sync_conn_free(conn);
    emu_proc_stop(&emu);
}

TestSuite(timeline_capture, .init = setup, .fini = teardown, .timeout = 120);

/* An OPEN of the campaign by ada@example.com, recorded under at_ms. */
static void open_at(int64_t at_ms)
{
    char iso[40], body[256];

    sync_time_format_iso(at_ms, iso, sizeof(iso));
    snprintf(body, sizeof(body),
             "{\"type\":\"OPEN\",\"recipient\":\"ada@example.com\",\"emailCampaignId\":100000001,"
             "\"created\":\"%s\"}",
             iso);
    cr_assert_eq(emu_proc_control(&emu, "POST", "/__emu/email-events", body, NULL), 201);
}

/* One read at now_ms: {events read, events put into the inbox}. */
static void poll_expect(int64_t now_ms, int64_t start_ms, int64_t *swept_ms, size_t read,
                        size_t stored)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_poll_result out;

    cr_assert_eq(
        sync_poll_email_events(st, conn, now_ms, start_ms, campaigns, swept_ms, &out, &err),
        SYNC_OK, "%s", err.message);
    cr_expect_eq(out.read, read, "read %zu events, expected %zu", out.read, read);
    cr_expect_eq(out.stored, stored, "stored %zu events, expected %zu", out.stored, stored);
}

Test(timeline_capture, reads_between_sweeps_start_at_the_cursor_and_a_sweep_catches_a_late_event)
{
    int64_t now = sync_time_now_ms(), swept = 0;
    int64_t start = now - 5 * 60 * 1000; /* the type went on five minutes ago */

    open_at(now - 60 * 1000);
    poll_expect(now, start, &swept, 1, 1); /* the first read sweeps */
    cr_assert_eq(swept, now);

    /* an open readable only now, under a time behind the cursor; and a new one after it */
    open_at(now - 2 * 60 * 1000);
    open_at(now - 1000);
    poll_expect(now + 1000, start, &swept, 1, 1); /* after the cursor: the new one alone */
    cr_assert_eq(swept, now, "a read between sweeps is not a sweep");

    poll_expect(now + SYNC_TIMELINE_EVENTS_SWEEP_MS, start, &swept, 3, 1); /* the late one */
    cr_assert_eq(swept, now + SYNC_TIMELINE_EVENTS_SWEEP_MS);
    poll_expect(now + SYNC_TIMELINE_EVENTS_SWEEP_MS + 1000, start, &swept, 0, 0);
}

Test(timeline_capture, a_sweep_never_reaches_behind_where_the_type_was_turned_on)
{
    int64_t now = sync_time_now_ms(), swept = 0;

    open_at(now - 3 * 60 * 1000); /* before the switch */
    open_at(now - 30 * 1000);
    poll_expect(now, now - 60 * 1000, &swept, 1, 1);
    poll_expect(now + SYNC_TIMELINE_EVENTS_SWEEP_MS, now - 60 * 1000, &swept, 1, 0);
}

Test(timeline_capture, a_sweep_reaches_back_from_where_the_last_sweep_left_the_cursor)
{
    int64_t now = sync_time_now_ms(), swept = 0;
    int64_t start = now - 30 * 60 * 1000;

    open_at(now - 5 * 60 * 1000);
    poll_expect(now, start, &swept, 1, 1); /* a sweep leaves the cursor at now - 5 min */
    /* readable now: an open 9.5 minutes behind that cursor, and one after it */
    open_at(now - 5 * 60 * 1000 - SYNC_TIMELINE_EVENTS_LOOKBACK_MS + 30 * 1000);
    open_at(now - 3 * 60 * 1000 - 30 * 1000);
    poll_expect(now + 1000, start, &swept, 1, 1); /* the cursor moves on by 1.5 minutes */
    /* the next sweep still reaches the late open, which is 11 minutes behind the cursor now */
    poll_expect(now + SYNC_TIMELINE_EVENTS_SWEEP_MS, start, &swept, 3, 1);
    poll_expect(now + SYNC_TIMELINE_EVENTS_SWEEP_MS + 1000, start, &swept, 0, 0);
}

Test(timeline_capture, a_clock_gone_back_sweeps_at_once)
{
    int64_t now = sync_time_now_ms(), swept = 0;
    int64_t start = now - 30 * 60 * 1000;

    open_at(now - 60 * 1000);
    poll_expect(now, start, &swept, 1, 1);
    open_at(now - 2 * 60 * 1000); /* late, behind the cursor */
    /* the clock goes back 30 s: the read sweeps, and catches the late open */
    poll_expect(now - 30 * 1000, start, &swept, 2, 1);
    cr_assert_eq(swept, now - 30 * 1000);
}
