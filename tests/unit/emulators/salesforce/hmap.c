/* Tests emulators/salesforce/hmap.c: put/get/delete, growth past many keys, iteration. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>

#include "emulators/salesforce/hmap.h"

Test(hmap, stores_replaces_and_deletes)
{
    struct hmap m;
    hmap_init(&m);
    cr_assert_null(hmap_get(&m, "a"));
    cr_assert_eq(hmap_put(&m, "a", (void *)1), 0);
    cr_assert_eq(hmap_put(&m, "a", (void *)2), 0);
    cr_assert_eq((uintptr_t)hmap_get(&m, "a"), 2);
    cr_assert_eq(m.len, 1);
    cr_assert_eq((uintptr_t)hmap_del(&m, "a"), 2);
    cr_assert_null(hmap_get(&m, "a"));
    cr_assert_eq(m.len, 0);
    hmap_release(&m);
}

Test(hmap, keeps_every_key_through_growth_and_tombstones)
{
    struct hmap m;
    char key[32];
    size_t pos = 0, n = 0;
    hmap_init(&m);
    for (uintptr_t i = 1; i <= 5000; i++) {
        snprintf(key, sizeof(key), "k%lu", (unsigned long)i);
        cr_assert_eq(hmap_put(&m, key, (void *)i), 0);
        if (i % 3 == 0)
            hmap_del(&m, key);
    }
    for (uintptr_t i = 1; i <= 5000; i++) {
        snprintf(key, sizeof(key), "k%lu", (unsigned long)i);
        if (i % 3 == 0)
            cr_assert_null(hmap_get(&m, key));
        else
            cr_assert_eq((uintptr_t)hmap_get(&m, key), i);
    }
    while (hmap_next(&m, &pos, NULL, NULL))
        n++;
    cr_assert_eq(n, m.len);
    cr_assert_eq(n, 5000 - 5000 / 3);
    hmap_release(&m);
}

Test(hmap, lower_cases_ascii_within_the_buffer)
{
    char out[8];
    cr_assert_str_eq(hmap_lower("AccountId", out, sizeof(out)), "account");
    cr_assert_str_eq(hmap_lower("Ab", out, sizeof(out)), "ab");
}
