/*
 * api_config.c: the configuration as code over the admin API (configio.h):
 * GET /api/v1/config answers the configuration in force as YAML, and POST
 * /api/v1/config/import takes a YAML text, answers what it changes and
 * (unless a dry run) applies it, all or nothing. An import's environment
 * references (${VAR}) are not expanded: the server's environment is not
 * the caller's. Called by router.c; the import route has a store of its
 * own, as a new mapping may need the vendors' describes (and ticket
 * pipeline choices are checked against the vendors' lists).
 */
#include <stdlib.h>
#include <string.h>

#include "admin/admin_int.h"
#include "engine/configio.h"
#include "engine/mapdescribe.h"

void api_config_get(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_buf out = SYNC_BUF_INIT(SYNC_CONFIG_MAX_BYTES);

    if (sync_configio_export(r->st, r->cfg, &out, &err))
        admin_reply_err(r, &err);
    else
        admin_reply_text(r, 200, "application/yaml; charset=utf-8", sync_buf_str(&out));
    sync_buf_release(&out);
}

static const char *no_env(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

/* The file's problems as one 400 answer. */
static void reply_problems(struct admin_req *r, const struct sync_config_problems *pr)
{
    struct sync_buf b = SYNC_BUF_INIT(256 * 1024);

    sync_config_problems_format(pr, &b);
    admin_reply_error(r, 400, "bad_request", "%s", sync_buf_str(&b));
    sync_buf_release(&b);
}

void api_config_import(struct admin_req *r)
{
    struct sync_err err = SYNC_ERR_INIT;
    struct sync_mapdescribe vendors = {r->cfg, NULL};
    const char *yaml = json_string_value(json_object_get(r->body, "yaml"));
    const json_t *dry = json_object_get(r->body, "dry_run");
    struct sync_config_problems *pr = calloc(1, sizeof(*pr));
    struct sync_config in;
    json_t *diff = NULL;
    int applied = 0;

    if (!pr || sync_config_init(&in)) {
        free(pr);
        admin_reply_error(r, 500, "internal", "out of memory");
        return;
    }
    if (!yaml || (dry && !json_is_boolean(dry))) {
        admin_reply_error(r, 400, "bad_request",
                          "the body must be {\"yaml\": \"<the file's text>\", \"dry_run\": false}");
        goto out;
    }
    if (sync_config_load_import_text(&in, "import", yaml, strlen(yaml), no_env, NULL, pr)) {
        reply_problems(r, pr);
        goto out;
    }
    if (sync_configio_diff(r->st, r->cfg, &in, &diff, &err)) {
        admin_reply_err(r, &err);
        goto out;
    }
    if (!json_is_true(dry) && json_array_size(diff)) {
        if (sync_configio_apply(r->st, r->cfg, &in, sync_mapdescribe_resolve, &vendors, NULL,
                                &err)) {
            admin_reply_err(r, &err);
            goto out;
        }
        applied = 1;
        admin_wake(r);
    }
    admin_reply_json(r, 200,
                     json_pack("{s:O, s:b, s:o}", "changes", diff, "applied", applied, "notes",
                               sync_configio_deal_stages_differ(r->cfg, &in)
                                   ? json_pack("[s]", "deal_stages are not imported: the engine "
                                                      "reads them from crmsync.yaml, whose "
                                                      "deal_stages differ from this file's; copy "
                                                      "them there")
                                   : json_array()));
out:
    sync_mapdescribe_close(&vendors);
    json_decref(diff);
    sync_config_release(&in);
    free(pr);
}
