/*
 * cmd_explain.c: `crmsync explain hubspot|salesforce OBJECT ID [--all]
 * [--json]`: why a record synced as it did. Shows the record's link (the
 * record it pairs with, the state, the last confirmed writes), the
 * ledger (what both sides last agreed on, per field, and who wrote it),
 * writes whose landing is unknown (sent, timed out, read back as not
 * there: they may still land late), its open sync errors, the link's conflicts, and the planner's
 * last decisions with their traces (newest first; --all for every one kept). Reads the store only.
 * Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/mapping.h"
#include "engine/record.h"
#include "engine/value.h"
#include "store/store.h"

#define DECISIONS_SHOWN 5
#define CONFLICTS_SHOWN 10

static enum sync_rc add_ledger(void *ctx, const struct sync_ledger_entry *le)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s?, s:s, s:I}", "field", le->field, "value",
                                         le->value, "written_by", le->written_by, "agreed_at",
                                         (json_int_t)le->agreed_at));
    return SYNC_OK;
}

static enum sync_rc add_unsettled(void *ctx, const struct sync_unsettled *u)
{
    json_array_append_new(ctx,
                          json_pack("{s:s, s:s, s:s?, s:I}", "side", u->side, "field", u->field,
                                    "value", u->value, "sent_at", (json_int_t)u->sent_at));
    return SYNC_OK;
}

static enum sync_rc add_error(void *ctx, const struct sync_error_row *e)
{
    json_array_append_new(
        ctx, json_pack("{s:s, s:s?, s:s?, s:i, s:I, s:I}", "category", e->category, "code", e->code,
                       "message", e->message, "attempts", e->attempts, "first_seen",
                       (json_int_t)e->first_seen, "last_seen", (json_int_t)e->last_seen));
    return SYNC_OK;
}

static enum sync_rc add_conflict(void *ctx, const struct sync_conflict_row *c)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:I}", "field", c->field,
                                         "hubspot", c->hs_value, "salesforce", c->sf_value, "rule",
                                         c->rule, "winner", c->winner, "at",
                                         (json_int_t)c->recorded_at));
    return SYNC_OK;
}

static enum sync_rc add_decision(void *ctx, const struct sync_decision_row *d)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s?, s:s, s:I}", "action", d->action, "link_id",
                                         d->link_id, "trace", d->trace, "at", (json_int_t)d->at));
    return SYNC_OK;
}

static json_t *link_json(const struct sync_link *l)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "link_id", l->link_id, "kind",
                     l->kind, "state", sync_link_state_name(l->state), "hubspot_id", l->hs_id,
                     "salesforce_object", l->sf_object, "salesforce_id", l->sf_id,
                     "last_to_hubspot", (json_int_t)l->last_to_hs, "last_to_salesforce",
                     (json_int_t)l->last_to_sf, "created_at", (json_int_t)l->created_at);
}

/* Everything explain shows about one record, as one JSON object. */
static enum sync_rc explain_collect(struct sync_store *st, const char *system, const char *object,
                                    const char *id, int all, json_t *out, struct sync_err *err)
{
    json_t *ledger = json_array(), *errors = json_array(), *conflicts = json_array();
    json_t *decisions = json_array(), *unsettled = json_array();
    struct sync_error_query q;
    struct sync_link l;
    enum sync_kind kind;
    enum sync_side side;
    enum sync_rc rc;

    json_object_set_new(out, "record",
                        json_pack("{s:s, s:s, s:s}", "system", system, "object", object, "id", id));
    json_object_set_new(out, "ledger", ledger);
    json_object_set_new(out, "unsettled", unsettled);
    json_object_set_new(out, "errors", errors);
    json_object_set_new(out, "conflicts", conflicts);
    json_object_set_new(out, "decisions", decisions);
    if (strcmp(system, "hubspot") == 0)
        rc = sync_object_kind(system, object, &kind, &side) == 0
                 ? sync_store_link_get_by_hs(st, sync_kind_name(kind), id, &l, err)
                 : SYNC_ERR_NOT_FOUND;
    else
        rc = sync_store_link_get_by_sf(st, object, id, &l, err);
    if (rc == SYNC_OK) {
        json_object_set_new(out, "link", link_json(&l));
        if ((rc = sync_store_ledger_list(st, l.link_id, add_ledger, ledger, err)) ||
            (rc = sync_store_unsettled_list(st, l.link_id, add_unsettled, unsettled, err)))
            return rc;
        if ((rc = sync_store_conflict_list(st, l.link_id, all ? 0 : CONFLICTS_SHOWN, add_conflict,
                                           conflicts, err)))
            return rc;
    } else if (rc == SYNC_ERR_NOT_FOUND) {
        json_object_set_new(out, "link", json_null());
        sync_err_clear(err);
    } else {
        return rc;
    }
    memset(&q, 0, sizeof(q));
    q.system = system;
    q.object = object;
    q.record_id = id;
    if ((rc = sync_store_error_list(st, &q, add_error, errors, err)))
        return rc;
    return sync_store_decision_list(st, system, object, id, all ? 0 : DECISIONS_SHOWN, add_decision,
                                    decisions, err);
}

static void print_trace(const char *trace)
{
    const char *line = trace;

    while (line && *line) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        printf("      %.*s\n", len, line);
        line = nl ? nl + 1 : NULL;
    }
}

static void explain_print(const json_t *x)
{
    const json_t *rec = json_object_get(x, "record"), *l = json_object_get(x, "link"), *v;
    char a[64], b[64];
    size_t i;

    printf("%s %s %s\n", sync_json_str(rec, "system"), sync_json_str(rec, "object"),
           sync_json_str(rec, "id"));
    if (json_is_object(l)) {
        const char *hs = sync_json_str(l, "hubspot_id"), *sf = sync_json_str(l, "salesforce_id");
        printf("link %s (%s): %s\n", sync_json_str(l, "link_id"), sync_json_str(l, "kind"),
               sync_json_str(l, "state"));
        printf("  hubspot     %s\n", hs && *hs ? hs : "(not created yet)");
        printf("  salesforce  %s %s\n", sync_json_str(l, "salesforce_object"),
               sf && *sf ? sf : "(not created yet)");
        printf("  last write  to HubSpot %s, to Salesforce %s\n",
               cli_time(sync_json_int(l, "last_to_hubspot", 0), a, sizeof(a)),
               cli_time(sync_json_int(l, "last_to_salesforce", 0), b, sizeof(b)));
    } else {
        printf("link: none (the record does not sync with anything yet)\n");
    }
    if (json_array_size(json_object_get(x, "ledger")))
        printf("ledger (what both sides last agreed on)\n");
    json_array_foreach(json_object_get(x, "ledger"), i, v)
    {
        const char *val = sync_json_str(v, "value");
        printf("  %-22s %-30s by %s, %s\n", sync_json_str(v, "field"), val ? val : "(blank)",
               sync_json_str(v, "written_by"),
               cli_time(sync_json_int(v, "agreed_at", 0), a, sizeof(a)));
    }
    if (json_array_size(json_object_get(x, "unsettled")))
        printf("unsettled writes (timed out, read back as not there: they may still land late)\n");
    json_array_foreach(json_object_get(x, "unsettled"), i, v)
    {
        const char *val = sync_json_str(v, "value");
        printf("  %-10s %-22s %-30s sent %s\n", sync_json_str(v, "side"), sync_json_str(v, "field"),
               val ? val : "(blank)", cli_time(sync_json_int(v, "sent_at", 0), a, sizeof(a)));
    }
    printf("errors (open)\n");
    if (!json_array_size(json_object_get(x, "errors")))
        printf("  none\n");
    json_array_foreach(json_object_get(x, "errors"), i, v)
    {
        const char *code = sync_json_str(v, "code");
        printf("  %s%s%s%s: %s (%lld attempt%s, last %s)\n", sync_json_str(v, "category"),
               code ? " [" : "", code ? code : "", code ? "]" : "",
               sync_json_str(v, "message") ? sync_json_str(v, "message") : "",
               (long long)sync_json_int(v, "attempts", 0),
               sync_json_int(v, "attempts", 0) == 1 ? "" : "s",
               cli_time(sync_json_int(v, "last_seen", 0), a, sizeof(a)));
    }
    if (json_array_size(json_object_get(x, "conflicts")))
        printf("conflicts (newest first)\n");
    json_array_foreach(json_object_get(x, "conflicts"), i, v)
    {
        const char *h = sync_json_str(v, "hubspot"), *s = sync_json_str(v, "salesforce");
        printf("  %s: HubSpot %s, Salesforce %s; %s, winner %s (%s)\n", sync_json_str(v, "field"),
               h ? h : "(blank)", s ? s : "(blank)", sync_json_str(v, "rule"),
               sync_json_str(v, "winner"), cli_time(sync_json_int(v, "at", 0), a, sizeof(a)));
    }
    printf("decisions (newest first)\n");
    if (!json_array_size(json_object_get(x, "decisions")))
        printf("  none: no change of this record has been planned\n");
    json_array_foreach(json_object_get(x, "decisions"), i, v)
    {
        printf("  %s  %s\n", cli_time(sync_json_int(v, "at", 0), a, sizeof(a)),
               sync_json_str(v, "action"));
        print_trace(sync_json_str(v, "trace"));
    }
}

static void explain_usage(FILE *f)
{
    fprintf(f, "usage: crmsync explain hubspot|salesforce OBJECT ID [--all] [--json]\n\n"
               "  crmsync explain hubspot contacts 10000000001\n"
               "  crmsync explain salesforce Lead 00QHs00000AbCdEfGH\n");
}

int cmd_explain(int argc, const char **argv, const struct cli *cli)
{
    const char *pos[3] = {NULL, NULL, NULL};
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    char id18[19];
    const char *id;
    json_t *x;
    int as_json = 0, all = 0, npos = 0, status;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = 1;
        else if (strcmp(argv[i], "--all") == 0)
            all = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return explain_usage(stdout), CLI_OK;
        else if (argv[i][0] != '-' && npos < 3)
            pos[npos++] = argv[i];
        else
            return explain_usage(stderr), CLI_USAGE;
    }
    if (npos != 3 || (strcmp(pos[0], "hubspot") && strcmp(pos[0], "salesforce")))
        return explain_usage(stderr), CLI_USAGE;
    id = pos[2];
    if (strcmp(pos[0], "salesforce") == 0 && sync_value_sf_id18(pos[2], id18) == SYNC_OK)
        id = id18; /* 15- or 18-character ids name the same record */
    if ((status = cli_store_open(cli, "crmsync explain", &cfg, &st)) != CLI_OK)
        return status;
    x = json_object();
    if (!x || explain_collect(st, pos[0], pos[1], id, all, x, &err)) {
        fprintf(stderr, "crmsync explain: %s\n", x ? err.message : "out of memory");
        status = CLI_FAILED;
    } else if (as_json) {
        char *text = json_dumps(x, JSON_INDENT(2));
        printf("%s\n", text ? text : "{}");
        free(text);
    } else {
        explain_print(x);
    }
    json_decref(x);
    cli_store_close(&cfg, st);
    return status;
}
