/*
 * cmd_mappings.c: `crmsync mappings`: the field mappings in force, and
 * mappings added, changed and removed at run time without a restart
 * (runtime.h).
 *
 *   crmsync mappings [--json]                      every mapping: fields, rule, where it comes from
 *   crmsync mappings add KIND PROPERTY FIELD [--rule RULE]
 *                                                  a new user mapping (checked against the vendors)
 *   crmsync mappings edit KIND PROPERTY [--salesforce FIELD] [--rule RULE]
 *                                                  re-point a user mapping, or change a rule
 *   crmsync mappings delete KIND PROPERTY          remove a user mapping
 *   crmsync mappings set-rule KIND PROPERTY RULE   store a rule override (checked first)
 *   crmsync mappings reset KIND PROPERTY           drop it: the mapping's own rule applies again
 *
 * FIELD is "Field" (the same field on every Salesforce object of the kind), "Object.Field",
 * or several "Object.Field" joined by commas. add and edit --salesforce read the vendors'
 * describes (mapdescribe.h) to check the property and fields exist and their types match;
 * everything else works on the store alone, next to a running engine, which applies the
 * change at its next pass. Called by main.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/builtin.h"
#include "core/json.h"
#include "engine/mapdescribe.h"
#include "engine/runtime.h"
#include "store/store.h"

static void mappings_usage(FILE *f)
{
    fprintf(f, "usage: crmsync mappings [--json]\n"
               "       crmsync mappings add KIND PROPERTY FIELD [--rule RULE]\n"
               "       crmsync mappings edit KIND PROPERTY [--salesforce FIELD] [--rule RULE]\n"
               "       crmsync mappings delete KIND PROPERTY\n"
               "       crmsync mappings set-rule KIND PROPERTY RULE\n"
               "       crmsync mappings reset KIND PROPERTY\n\n"
               "KIND: contact, company, deal, ticket, task, email, call or meeting. PROPERTY: the "
               "HubSpot property.\n"
               "FIELD: Field (on every Salesforce object of the kind), Object.Field, or several\n"
               "Object.Field joined by commas (Lead.Street2__c,Contact.Street2__c).\n"
               "RULE: prefer_salesforce_unless_blank, always_use_salesforce, two_way, dont_sync,\n"
               "prefer_hubspot_unless_blank, always_use_hubspot.\n"
               "add and edit --salesforce check the property and fields against HubSpot and\n"
               "Salesforce; default mappings cannot be deleted or re-pointed, only their rule\n"
               "changes. A running engine applies a change at its next pass.\n");
}

static void print_mapping(const json_t *m)
{
    const json_t *f;
    size_t i;
    char fields[512] = "";
    size_t o = 0;

    json_array_foreach(json_object_get(m, "salesforce"), i, f)
    {
        if (o < sizeof(fields))
            o += (size_t)snprintf(fields + o, sizeof(fields) - o, "%s%s.%s", i ? ", " : "",
                                  sync_json_str(f, "object"), sync_json_str(f, "field"));
    }
    printf("%-8s %-32s %-40s %s (%s)\n", sync_json_str(m, "kind"), sync_json_str(m, "hubspot"),
           fields, sync_json_str(m, "rule"), sync_json_str(m, "source"));
}

static int mappings_show(struct sync_store *st, const struct sync_config *cfg, const char *kind,
                         const char *prop, int as_json)
{
    struct sync_err err = SYNC_ERR_INIT;
    json_t *all = NULL, *m;
    size_t i;

    if (sync_runtime_mappings_json(st, cfg, &all, &err)) {
        fprintf(stderr, "crmsync mappings: %s\n", err.message);
        return CLI_FAILED;
    }
    if (as_json && !prop) {
        char *text = json_dumps(all, JSON_INDENT(2));
        printf("%s\n", text ? text : "[]");
        free(text);
    } else {
        json_array_foreach(all, i, m)
        {
            enum sync_kind want, have;
            if (!prop || (sync_kind_parse(kind, &want) == 0 &&
                          sync_kind_parse(sync_json_str(m, "kind"), &have) == 0 && want == have &&
                          strcmp(sync_json_str(m, "hubspot"), prop) == 0))
                print_mapping(m);
        }
    }
    json_decref(all);
    return CLI_OK;
}

/* FIELD as the JSON form's "salesforce": one text, or a list when it names several. */
static json_t *fields_json(const char *text)
{
    json_t *list;
    const char *p = text;

    if (!strchr(text, ','))
        return json_string(text);
    if (!(list = json_array()))
        return NULL;
    while (*p) {
        size_t n = strcspn(p, ",");
        json_array_append_new(list, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return list;
}

/* What one action does. pos: the action and its operands; sf, rule: the options. */
struct action {
    const char *pos[4];
    int npos;
    const char *sf, *rule;
};

static enum sync_rc act(struct sync_store *st, const struct sync_config *cfg,
                        const struct action *a, struct sync_err *err)
{
    struct sync_mapdescribe vendors = {cfg, NULL};
    const char *what = a->pos[0];
    json_t *sf = NULL, *spec = NULL;
    enum sync_rc rc;

    if (strcmp(what, "set-rule") == 0)
        return sync_runtime_rule_set(st, cfg, a->pos[1], a->pos[2], a->pos[3], err);
    if (strcmp(what, "reset") == 0)
        return sync_runtime_rule_reset(st, cfg, a->pos[1], a->pos[2], err);
    if (strcmp(what, "delete") == 0)
        return sync_runtime_mapping_delete(st, cfg, a->pos[1], a->pos[2], err);
    if ((a->pos[3] || a->sf) && !(sf = fields_json(a->pos[3] ? a->pos[3] : a->sf)))
        return sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    if (strcmp(what, "add") == 0) {
        spec = json_pack("{s:O, s:s?}", "salesforce", sf, "rule", a->rule);
        rc = spec ? sync_runtime_mapping_put(st, cfg, a->pos[1], a->pos[2], spec, 0,
                                             sync_mapdescribe_resolve, &vendors, err)
                  : sync_err_set(err, SYNC_ERR_NOMEM, "out of memory");
    } else {
        rc = sync_runtime_mapping_edit(st, cfg, a->pos[1], a->pos[2], sf, a->rule,
                                       sync_mapdescribe_resolve, &vendors, err);
    }
    sync_mapdescribe_close(&vendors);
    json_decref(spec);
    json_decref(sf);
    return rc;
}

/* Whether the operands and options fit the action. */
static int fits(const struct action *a)
{
    const char *w = a->npos ? a->pos[0] : "";
    int opts = a->sf || a->rule;

    if (!a->npos)
        return !opts;
    if (strcmp(w, "add") == 0)
        return a->npos == 4 && !a->sf;
    if (strcmp(w, "edit") == 0)
        return a->npos == 3 && opts;
    if (strcmp(w, "set-rule") == 0)
        return a->npos == 4 && !opts;
    if (strcmp(w, "delete") == 0 || strcmp(w, "reset") == 0)
        return a->npos == 3 && !opts;
    return 0;
}

int cmd_mappings(int argc, const char **argv, const struct cli *cli)
{
    struct action a = {{NULL, NULL, NULL, NULL}, 0, NULL, NULL};
    struct sync_config cfg;
    struct sync_store *st = NULL;
    struct sync_err err = SYNC_ERR_INIT;
    int as_json = 0, status;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return mappings_usage(stdout), CLI_OK;
        else if (strcmp(argv[i], "--rule") == 0 && i + 1 < argc)
            a.rule = argv[++i];
        else if (strcmp(argv[i], "--salesforce") == 0 && i + 1 < argc)
            a.sf = argv[++i];
        else if (argv[i][0] == '-' || a.npos == 4)
            return fprintf(stderr, "crmsync mappings: unexpected '%s'\n", argv[i]),
                   mappings_usage(stderr), CLI_USAGE;
        else
            a.pos[a.npos++] = argv[i];
    }
    if (!fits(&a))
        return mappings_usage(stderr), CLI_USAGE;
    if ((status = cli_store_open(cli, "crmsync mappings", &cfg, &st)) != CLI_OK)
        return status;
    if (!a.npos) {
        status = mappings_show(st, &cfg, NULL, NULL, as_json);
    } else if (act(st, &cfg, &a, &err)) {
        fprintf(stderr, "crmsync mappings %s: %s\n", a.pos[0], err.message);
        /* a refusal is the caller's to fix; a vendor or store failing is not */
        status =
            err.rc == SYNC_ERR_INVALID || err.rc == SYNC_ERR_NOT_FOUND ? CLI_USAGE : CLI_FAILED;
    } else if (strcmp(a.pos[0], "delete") == 0) {
        printf("removed the %s mapping of %s\n", a.pos[1], a.pos[2]);
        status = CLI_OK;
    } else {
        status = mappings_show(st, &cfg, a.pos[1], a.pos[2], 0);
    }
    cli_store_close(&cfg, st);
    return status;
}
