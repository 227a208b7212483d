/* Tests emulators/salesforce/ids.c: checksums against documented ids, 15/18-char canonical
 * forms, case restoration and generation. */
#include <criterion/criterion.h>
#include <string.h>

#include "emulators/salesforce/ids.h"

Test(ids, checksum_matches_documented_ids)
{
    static const char *const vectors[][2] = {{"00190000001pPvH", "00190000001pPvHAAU"},
                                             {"a00D0000008pQSN", "a00D0000008pQSNIA2"},
                                             {"001D000000IRFma", "001D000000IRFmaIAH"}};
    for (size_t i = 0; i < 3; i++) {
        char out[19];
        cr_assert_eq(ids_canonical(vectors[i][0], out), 0);
        cr_assert_str_eq(out, vectors[i][1]);
        cr_assert_eq(ids_canonical(vectors[i][1], out), 0);
        cr_assert_str_eq(out, vectors[i][1]);
    }
}

Test(ids, eighteen_char_ids_ignore_case)
{
    char out[19];
    cr_assert_eq(ids_canonical("00190000001PPVHAAU", out), 0);
    cr_assert_str_eq(out, "00190000001pPvHAAU");
    cr_assert_eq(ids_canonical("00190000001ppvhaau", out), 0);
    cr_assert_str_eq(out, "00190000001pPvHAAU");
}

Test(ids, refuses_malformed_ids)
{
    char out[19];
    cr_assert_eq(ids_canonical("", out), -1);
    cr_assert_eq(ids_canonical("001", out), -1);
    cr_assert_eq(ids_canonical("00190000001pPvH!", out), -1);
    cr_assert_eq(ids_canonical("00190000001pPvHAA", out), -1);  /* 17 chars */
    cr_assert_eq(ids_canonical("00190000001pPvHAA9", out), -1); /* 9 is no checksum char */
    cr_assert_eq(ids_canonical("00190000001pPvHBBB", out), -1); /* mixed case, wrong sum */
    cr_assert_eq(ids_canonical(NULL, out), -1);
}

Test(ids, generated_ids_carry_prefix_and_valid_checksum)
{
    char a[19], b[19], check[19];
    ids_make("00Q", 1, a);
    ids_make("00Q", 2, b);
    cr_assert_eq(strlen(a), 18);
    cr_assert(ids_has_prefix(a, "00Q"));
    cr_assert_str_neq(a, b);
    cr_assert_eq(ids_canonical(a, check), 0);
    cr_assert_str_eq(check, a);
    ids_make("00Q", 62ULL * 62 * 62 * 62 * 62, a);
    cr_assert_eq(ids_canonical(a, check), 0);
    cr_assert_str_eq(check, a);
}
