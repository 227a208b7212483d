/*
 * ids.c: 18-character ids, checksums and generation (see ids.h). Pure;
 * called by the store (org.c), validation, record output, the SOQL module
 * and every handler that reads an id from a URL or a body.
 *
 * The checksum splits the 15 characters into three chunks of five; each
 * chunk gives a 5-bit number with bit i set when character i is an
 * upper-case letter, mapped through "A..Z0..5".
 */
#include "emulators/salesforce/ids.h"

#include <string.h>

static const char checksum_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

void ids_checksum(const char *id15, char out[3])
{
    for (int chunk = 0; chunk < 3; chunk++) {
        int bits = 0;
        for (int i = 0; i < 5; i++) {
            char c = id15[chunk * 5 + i];
            if (c >= 'A' && c <= 'Z')
                bits |= 1 << i;
        }
        out[chunk] = checksum_chars[bits];
    }
}

static int checksum_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 32);
    const char *p = strchr(checksum_chars, c);
    return c && p ? (int)(p - checksum_chars) : -1;
}

int ids_canonical(const char *s, char out[IDS_LEN + 1])
{
    size_t n = s ? strlen(s) : 0;

    if (n != 15 && n != 18)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]))
            return -1;
    memcpy(out, s, 15);
    if (n == 18) {
        char own[3];
        int upper = 0, lower = 0;
        ids_checksum(s, own);
        for (int i = 0; i < 15; i++) {
            upper |= s[i] >= 'A' && s[i] <= 'Z';
            lower |= s[i] >= 'a' && s[i] <= 'z';
        }
        /* a mixed-case id must carry its own checksum; a uniformly re-cased one (an 18-char
         * id is case-insensitive) gets its case back from the checksum */
        if (upper && lower) {
            for (int i = 0; i < 3; i++)
                if (checksum_value(s[15 + i]) != checksum_value(own[i]))
                    return -1;
        }
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = checksum_value(s[15 + chunk]);
            if (bits < 0)
                return -1;
            for (int i = 0; i < 5; i++) {
                char *c = &out[chunk * 5 + i];
                int up = (bits >> i) & 1;
                if (up && *c >= 'a' && *c <= 'z')
                    *c = (char)(*c - 32);
                else if (!up && *c >= 'A' && *c <= 'Z')
                    *c = (char)(*c + 32);
            }
        }
    }
    ids_checksum(out, out + 15);
    out[18] = '\0';
    return 0;
}

void ids_make(const char *prefix, uint64_t seq, char out[IDS_LEN + 1])
{
    /* prefix (3), pod "Hs" and a reserved "0" (3), then 9 base-62 digits of seq */
    memcpy(out, prefix, 3);
    memcpy(out + 3, "Hs0", 3);
    for (int i = 14; i >= 6; i--) {
        out[i] = base62[seq % 62];
        seq /= 62;
    }
    ids_checksum(out, out + 15);
    out[18] = '\0';
}

int ids_has_prefix(const char *id, const char *prefix)
{
    return strncmp(id, prefix, 3) == 0;
}
