/* Tests emulators/hubspot/merge.c: after merges the primary answers to every id and e-mail
 * address merged into it, also through a chain of merges; a record absorbs at most 250
 * identities. */
#include <criterion/criterion.h>
#include <string.h>

#include "emulators/hubspot/portal.h"

static struct hs_source src = {"INTEGRATION", "INTEGRATION", "1357911", 0};

static struct hs_record *contact(struct hs_portal *p, const char *email)
{
    struct hs_write w = {0};
    struct hs_record *r, *x;
    json_t *props = json_pack("{s:s}", "email", email);
    cr_assert_null(props_check_write(p, HS_CONTACTS, props, &w));
    r = obj_create(p, HS_CONTACTS, &w, &src, &x);
    cr_assert_not_null(r);
    hs_write_release(&w);
    json_decref(props);
    return r;
}

/* Runs the merge handler; returns the HTTP status it answered. */
static int merge(struct hs_portal *p, uint64_t primary, uint64_t loser)
{
    struct hs_ctx c;
    int status;
    memset(&c, 0, sizeof(c));
    c.p = p;
    c.src = src;
    c.params[0] = "contacts";
    c.nparams = 1;
    c.body = json_pack("{s:I, s:I}", "primaryObjectId", (json_int_t)primary, "objectIdToMerge",
                       (json_int_t)loser);
    obj_h_merge(&c);
    status = c.status;
    json_decref(c.body);
    json_decref(c.out);
    sync_buf_release(&c.text);
    return status;
}

Test(merge, the_primary_answers_to_every_id_and_address_merged_into_it)
{
    struct hs_portal p;
    struct hs_record *a, *b, *c;
    uint64_t ida, idb;
    portal_init(&p, 1);
    a = contact(&p, "a@x.co");
    b = contact(&p, "b@x.co");
    c = contact(&p, "c@x.co");
    ida = a->id;
    idb = b->id;
    cr_assert_eq(merge(&p, ida, idb), 200);
    cr_assert_eq(merge(&p, c->id, ida), 200); /* a (holding b) into c */
    cr_assert_eq(obj_find(&p, HS_CONTACTS, idb), c);
    cr_assert_eq(obj_find(&p, HS_CONTACTS, ida), c);
    cr_assert_eq(obj_lookup(&p, HS_CONTACTS, "B@x.co", "email", 0), c);
    cr_assert_eq(obj_lookup(&p, HS_CONTACTS, "a@x.co", "email", 0), c);
    cr_assert_str_eq(hs_record_get(c, props_find(&p, HS_CONTACTS, "hs_merged_object_ids")),
                     "10000000002;10000000001");
    cr_assert_eq(p.st[HS_CONTACTS].live, 1);
    portal_release(&p);
}

Test(merge, archiving_a_merged_record_frees_the_addresses_it_absorbed)
{
    struct hs_portal p;
    struct hs_record *a, *b;
    portal_init(&p, 1);
    a = contact(&p, "a@x.co");
    b = contact(&p, "b@x.co");
    cr_assert_eq(merge(&p, a->id, b->id), 200);
    obj_archive(&p, a, &src);
    cr_assert_null(obj_lookup(&p, HS_CONTACTS, "b@x.co", "email", 0));
    cr_assert_not_null(contact(&p, "b@x.co")); /* the address is free again */
    portal_release(&p);
}

Test(merge, a_record_absorbs_at_most_250_identities)
{
    struct hs_portal p;
    struct hs_record *a, *b;
    char ids[249 * 2 + 1] = "";
    portal_init(&p, 1);
    a = contact(&p, "a@x.co");
    b = contact(&p, "b@x.co");
    for (int i = 0; i < 249; i++) /* with a and b: 251 */
        strcat(ids, i ? ";1" : "1");
    a->vals[props_find(&p, HS_CONTACTS, "hs_merged_object_ids")->idx] = strdup(ids);
    cr_assert_eq(merge(&p, a->id, b->id), 414);
    free(a->vals[props_find(&p, HS_CONTACTS, "hs_merged_object_ids")->idx]);
    a->vals[props_find(&p, HS_CONTACTS, "hs_merged_object_ids")->idx] = strdup("1");
    cr_assert_eq(merge(&p, a->id, b->id), 200);
    portal_release(&p);
}
