/*
 * value.c: canonical field values and the conversions to and from each
 * vendor's encoding (see value.h for the forms). Pure; called by the
 * mapping layer, the planner and the connectors.
 *
 * Every conversion is two steps. Reading a vendor value first extracts raw
 * text with the vendor's own strictness (a Salesforce date must be
 * "YYYY-MM-DD", a Salesforce boolean must be a JSON boolean), remembering
 * what kind of source it was; then canon() brings the raw text into the
 * mapping's kind. Writing checks the canonical text against the kind,
 * then encodes it for the target field and checks what the vendor would
 * refuse (lengths, restricted picklists, enumeration options, whole
 * numbers).
 */
#include "engine/value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"

/* Epoch-ms bounds of years 0001..9999, the span the date formats can spell. */
#define MS_MIN (-62135596800000LL)
#define MS_MAX (253402300799999LL)
#define MS_PER_DAY 86400000LL
/* Salesforce int fields are 32-bit. */
#define SF_INT_MAX 2147483647.0
/* Integral doubles below this are exact; above it the JSON number is written as a real. */
#define EXACT_INT 9007199254740992.0

/* ---- names ---- */

static const char *const sf_type_names[SYNC_SFT__COUNT] = {
    "string",   "textarea",      "email",    "phone",     "url",    "picklist",
    "combobox", "multipicklist", "boolean",  "int",       "double", "currency",
    "percent",  "date",          "datetime", "reference", "id"};
static const char *const hs_type_names[SYNC_HST__COUNT] = {
    "string", "number", "date", "datetime", "enumeration", "bool", "phone_number"};
static const char *const hs_field_type_names[SYNC_HSF__COUNT] = {
    [SYNC_HSF_TEXT] = "text",
    [SYNC_HSF_TEXTAREA] = "textarea",
    [SYNC_HSF_NUMBER] = "number",
    [SYNC_HSF_DATE] = "date",
    [SYNC_HSF_SELECT] = "select",
    [SYNC_HSF_RADIO] = "radio",
    [SYNC_HSF_CHECKBOX] = "checkbox",
    [SYNC_HSF_BOOLEANCHECKBOX] = "booleancheckbox",
    [SYNC_HSF_CALCULATION_EQUATION] = "calculation_equation",
    [SYNC_HSF_FILE] = "file",
    [SYNC_HSF_HTML] = "html",
    [SYNC_HSF_PHONENUMBER] = "phonenumber",
};
static const char *const vkind_names[SYNC_VK__COUNT] = {"text", "email",    "number", "bool",
                                                        "date", "datetime", "multi"};

static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *sync_sf_type_name(enum sync_sf_type t)
{
    return (unsigned)t < SYNC_SFT__COUNT ? sf_type_names[t] : "unknown";
}

int sync_sf_type_parse(const char *s, enum sync_sf_type *out)
{
    int i = name_index(sf_type_names, SYNC_SFT__COUNT, s);
    if (i >= 0)
        *out = (enum sync_sf_type)i;
    return i < 0 ? -1 : 0;
}

const char *sync_hs_type_name(enum sync_hs_type t)
{
    return (unsigned)t < SYNC_HST__COUNT ? hs_type_names[t] : "unknown";
}

int sync_hs_type_parse(const char *s, enum sync_hs_type *out)
{
    int i = name_index(hs_type_names, SYNC_HST__COUNT, s);
    if (i >= 0)
        *out = (enum sync_hs_type)i;
    return i < 0 ? -1 : 0;
}

const char *sync_hs_field_type_name(enum sync_hs_field_type t)
{
    return (unsigned)t < SYNC_HSF__COUNT ? hs_field_type_names[t] : "unknown";
}

int sync_hs_field_type_parse(const char *s, enum sync_hs_field_type *out)
{
    int i = name_index(hs_field_type_names, SYNC_HSF__COUNT, s);
    if (i >= 0)
        *out = (enum sync_hs_field_type)i;
    return i < 0 ? -1 : 0;
}

const char *sync_vkind_name(enum sync_vkind k)
{
    return (unsigned)k < SYNC_VK__COUNT ? vkind_names[k] : "unknown";
}

/* ---- field descriptions ---- */

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static enum sync_rc strv_copy(char ***dst, size_t *dn, const char *const *src, size_t n)
{
    char **v = NULL;

    *dst = NULL;
    *dn = 0;
    if (n == 0)
        return SYNC_OK;
    if (n > SYNC_FIELD_MAX_VALUES)
        return SYNC_ERR_TOO_LARGE;
    if (!(v = calloc(n, sizeof(*v))))
        return SYNC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] = strdup(src[i] ? src[i] : ""))) {
            strv_free(v, i);
            return SYNC_ERR_NOMEM;
        }
    }
    *dst = v;
    *dn = n;
    return SYNC_OK;
}

enum sync_rc sync_sf_field_set_values(struct sync_sf_field *f, const char *const *v, size_t n)
{
    char **nv;
    size_t nn;
    enum sync_rc rc = strv_copy(&nv, &nn, v, n);

    if (rc)
        return rc;
    strv_free(f->values, f->nvalues);
    f->values = nv;
    f->nvalues = nn;
    return SYNC_OK;
}

enum sync_rc sync_hs_prop_set_options(struct sync_hs_prop *p, const char *const *v, size_t n)
{
    char **nv;
    size_t nn;
    enum sync_rc rc = strv_copy(&nv, &nn, v, n);

    if (rc)
        return rc;
    strv_free(p->options, p->noptions);
    p->options = nv;
    p->noptions = nn;
    return SYNC_OK;
}

enum sync_rc sync_sf_field_copy(struct sync_sf_field *dst, const struct sync_sf_field *src)
{
    *dst = *src;
    dst->values = NULL;
    dst->nvalues = 0;
    return strv_copy(&dst->values, &dst->nvalues, (const char *const *)src->values, src->nvalues);
}

void sync_sf_field_release(struct sync_sf_field *f)
{
    strv_free(f->values, f->nvalues);
    f->values = NULL;
    f->nvalues = 0;
}

enum sync_rc sync_hs_prop_copy(struct sync_hs_prop *dst, const struct sync_hs_prop *src)
{
    *dst = *src;
    dst->options = NULL;
    dst->noptions = 0;
    return strv_copy(&dst->options, &dst->noptions, (const char *const *)src->options,
                     src->noptions);
}

void sync_hs_prop_release(struct sync_hs_prop *p)
{
    strv_free(p->options, p->noptions);
    p->options = NULL;
    p->noptions = 0;
}

/* ---- kinds ---- */

static int sf_is_number(enum sync_sf_type t)
{
    return t == SYNC_SFT_INT || t == SYNC_SFT_DOUBLE || t == SYNC_SFT_CURRENCY ||
           t == SYNC_SFT_PERCENT;
}

static int sf_is_text(enum sync_sf_type t)
{
    return t <= SYNC_SFT_COMBOBOX;
}

static int hs_is_bool(const struct sync_hs_prop *p)
{
    return p->type == SYNC_HST_BOOL || p->field_type == SYNC_HSF_BOOLEANCHECKBOX;
}

enum sync_vkind sync_value_kind(const struct sync_hs_prop *hs, const struct sync_sf_field *sf)
{
    if (sf->type == SYNC_SFT_BOOLEAN || hs_is_bool(hs))
        return SYNC_VK_BOOL;
    if (sf_is_number(sf->type) || hs->type == SYNC_HST_NUMBER)
        return SYNC_VK_NUMBER;
    if (sf->type == SYNC_SFT_DATE || hs->type == SYNC_HST_DATE)
        return SYNC_VK_DATE;
    if (sf->type == SYNC_SFT_DATETIME || hs->type == SYNC_HST_DATETIME)
        return SYNC_VK_DATETIME;
    if (sf->type == SYNC_SFT_MULTIPICKLIST || hs->field_type == SYNC_HSF_CHECKBOX)
        return SYNC_VK_MULTI;
    if (sf->type == SYNC_SFT_EMAIL)
        return SYNC_VK_EMAIL;
    return SYNC_VK_TEXT;
}

/* ---- errors ---- */

/* "Amount: 'abc' is not a number": the value is shortened to keep the message readable. */
static enum sync_rc bad_value(struct sync_err *err, const char *field, const char *value,
                              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum sync_rc bad_value(struct sync_err *err, const char *field, const char *value,
                              const char *fmt, ...)
{
    char what[256];
    va_list ap;
    size_t n = strlen(value);
    int cut = n > 80;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    sync_err_set(err, SYNC_ERR_INVALID, "%s: '%.*s%s' %s", field, cut ? 77 : (int)n, value,
                 cut ? "..." : "", what);
    if (err)
        snprintf(err->code, sizeof(err->code), "PROPERTY_VALUE");
    return SYNC_ERR_INVALID;
}

static enum sync_rc bad_json(struct sync_err *err, const char *field, const json_t *v,
                             const char *what)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    enum sync_rc rc = bad_value(err, field, text ? text : "?", "%s", what);
    free(text);
    return rc;
}

/* ---- numbers ---- */

/* Strict decimal grammar (sign, digits, fraction, exponent) around ASCII blanks; rejects hex,
 * inf, nan, thousands separators and anything strtod would accept beyond plain decimals. */
static int number_scan(const char *s, double *v)
{
    char buf[512];
    const char *p, *end;
    size_t n, ndig = 0;
    char *stop;

    while (*s && isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    p = buf;
    end = buf + n;
    if (*p == '+' || *p == '-')
        p++;
    for (; p < end && isdigit((unsigned char)*p); p++)
        ndig++;
    if (p < end && *p == '.')
        for (p++; p < end && isdigit((unsigned char)*p); p++)
            ndig++;
    if (ndig == 0)
        return -1;
    if (p < end && (*p == 'e' || *p == 'E')) {
        size_t nexp = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        for (; p < end && isdigit((unsigned char)*p); p++)
            nexp++;
        if (nexp == 0)
            return -1;
    }
    if (p != end)
        return -1;
    errno = 0;
    *v = strtod(buf, &stop);
    if (stop != end || !isfinite(*v))
        return -1;
    return 0;
}

enum sync_rc sync_value_number_from_double(double v, struct sync_buf *out)
{
    char buf[40], dig[24], txt[64];
    const char *p;
    size_t t = 0;
    int nd = 0, n;

    sync_buf_reset(out);
    if (!isfinite(v))
        return SYNC_ERR_INVALID;
    if (v == 0) /* both zeros */
        return sync_buf_addstr(out, "0");
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    p = buf;
    if (*p == '-')
        txt[t++] = *p++;
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p))
            dig[nd++] = *p;
    n = atoi(p + 1) + 1; /* where the decimal point falls, counted from the first digit */
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    dig[nd] = '\0';
    if (nd <= n && n <= 21) { /* 1200, 3 */
        t += (size_t)snprintf(txt + t, sizeof(txt) - t, "%s", dig);
        for (int i = nd; i < n; i++)
            txt[t++] = '0';
        txt[t] = '\0';
    } else if (0 < n && n <= 21) { /* 12.5 */
        snprintf(txt + t, sizeof(txt) - t, "%.*s.%s", n, dig, dig + n);
    } else if (-6 < n && n <= 0) { /* 0.000125 */
        txt[t++] = '0';
        txt[t++] = '.';
        for (int i = n; i < 0; i++)
            txt[t++] = '0';
        snprintf(txt + t, sizeof(txt) - t, "%s", dig);
    } else { /* 1.5e+21, 1e-7 */
        snprintf(txt + t, sizeof(txt) - t, "%c%s%se%c%d", dig[0], nd > 1 ? "." : "", dig + 1,
                 n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    return sync_buf_addstr(out, txt);
}

enum sync_rc sync_value_number(const char *text, struct sync_buf *out)
{
    double v;

    sync_buf_reset(out);
    if (!text || number_scan(text, &v))
        return SYNC_ERR_INVALID;
    return sync_value_number_from_double(v, out);
}

/* ---- multi-picklists ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Splits text on ';' into trimmed, non-empty, sorted items inside a private copy. */
static enum sync_rc multi_split(const char *text, char **copy, char ***items, size_t *n)
{
    size_t cap = 1, k = 0;
    char *c, *p;

    *copy = NULL;
    *items = NULL;
    *n = 0;
    for (const char *q = text; *q; q++)
        cap += *q == ';';
    if (!(c = strdup(text)))
        return SYNC_ERR_NOMEM;
    if (!(*items = calloc(cap, sizeof(char *)))) {
        free(c);
        return SYNC_ERR_NOMEM;
    }
    for (p = c;;) {
        char *semi = strchr(p, ';'), *e;
        if (semi)
            *semi = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (*p)
            (*items)[k++] = p;
        if (!semi)
            break;
        p = semi + 1;
    }
    qsort(*items, k, sizeof(char *), cmp_str);
    *copy = c;
    *n = k;
    return SYNC_OK;
}

enum sync_rc sync_value_multi(const char *text, struct sync_buf *out)
{
    char *copy, **items;
    size_t n, written = 0;
    enum sync_rc rc;

    sync_buf_reset(out);
    if (!text)
        return SYNC_OK;
    if ((rc = multi_split(text, &copy, &items, &n)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        if (i > 0 && strcmp(items[i], items[i - 1]) == 0)
            continue;
        if (written++)
            rc = sync_buf_addch(out, ';');
        if (!rc)
            rc = sync_buf_addstr(out, items[i]);
    }
    free(items);
    free(copy);
    return rc;
}

/* ---- Salesforce ids ---- */

enum sync_rc sync_value_sf_id18(const char *id, char out[19])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    size_t n = id ? strlen(id) : 0;

    if (n != 15 && n != 18)
        return SYNC_ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]))
            return SYNC_ERR_INVALID;
    memcpy(out, id, 15);
    for (int chunk = 0; chunk < 3; chunk++) {
        unsigned bits = 0;
        for (int i = 0; i < 5; i++)
            if (isupper((unsigned char)id[chunk * 5 + i]))
                bits |= 1u << i;
        out[15 + chunk] = alphabet[bits];
    }
    out[18] = '\0';
    /* An 18-character id must carry the checksum of its first 15 characters, in any case. */
    if (n == 18 && strncasecmp(out + 15, id + 15, 3) != 0)
        return SYNC_ERR_INVALID;
    return SYNC_OK;
}

/* ---- small parsers ---- */

static int bool_scan(const char *s, int *b)
{
    static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
    char buf[8];
    size_t n;

    while (*s && isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= sizeof(buf))
        return -1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[n] = '\0';
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(buf, yes[i]) == 0)
            return *b = 1, 0;
        if (strcmp(buf, no[i]) == 0)
            return *b = 0, 0;
    }
    return -1;
}

/* Epoch milliseconds written as a decimal integer, within years 1..9999. */
static int epoch_scan(const char *s, int64_t *ms)
{
    const char *p = s;
    char *end;
    long long v;

    if (*p == '-')
        p++;
    if (!*p || strlen(p) > 15)
        return -1;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < MS_MIN || v > MS_MAX)
        return -1;
    *ms = v;
    return 0;
}

/* Any instant: epoch ms or an ISO / Salesforce datetime (a bare date is midnight UTC). */
static int instant_scan(const char *s, int64_t *ms)
{
    if (epoch_scan(s, ms) == 0)
        return 0;
    if (sync_time_parse(s, ms) != SYNC_OK || *ms < MS_MIN || *ms > MS_MAX)
        return -1;
    return 0;
}

static int64_t day_floor(int64_t ms)
{
    return ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int in_list(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

/* ---- canonicalisation ---- */

/* Where raw text came from, which decides how strictly dates are read. */
enum src {
    SRC_TEXT,    /* free text */
    SRC_SF_DATE, /* a Salesforce date: "YYYY-MM-DD" and nothing else */
    SRC_HS_DATE, /* a HubSpot date: "YYYY-MM-DD", or an instant that is midnight UTC */
    SRC_INSTANT  /* a datetime on either side */
};

static enum sync_rc canon_date(const char *field, enum src src, const char *raw,
                               struct sync_buf *out, struct sync_err *err)
{
    char d[SYNC_TIME_ISO_MAX];
    int64_t ms;

    if (sync_time_parse_date(raw, &ms) == SYNC_OK)
        return sync_buf_addstr(out, raw);
    if (src == SRC_SF_DATE || instant_scan(raw, &ms))
        return bad_value(err, field, raw, "is not a date (YYYY-MM-DD)");
    if (src != SRC_INSTANT && ms % MS_PER_DAY != 0)
        return bad_value(err, field, raw, "is not a date: a date is midnight UTC");
    return sync_buf_addstr(out, sync_time_format_date(day_floor(ms) * MS_PER_DAY, d, sizeof(d)));
}

static enum sync_rc canon_datetime(const char *field, enum src src, const char *raw,
                                   struct sync_buf *out, struct sync_err *err)
{
    int64_t ms;

    if (src == SRC_SF_DATE ? sync_time_parse_date(raw, &ms) != SYNC_OK : instant_scan(raw, &ms))
        return bad_value(err, field, raw, "is not a %s", src == SRC_SF_DATE ? "date" : "datetime");
    return sync_buf_addf(out, "%lld", (long long)ms);
}

/* Raw text from one side -> canonical text of kind k. out is empty on entry. */
static enum sync_rc canon(const char *field, enum sync_vkind k, enum src src, const char *raw,
                          struct sync_buf *out, struct sync_err *err)
{
    int b;

    if (raw[0] == '\0')
        return SYNC_OK;
    if (strlen(raw) > SYNC_VALUE_MAX)
        return bad_value(err, field, raw, "is longer than %zu bytes", SYNC_VALUE_MAX);
    switch (k) {
    case SYNC_VK_TEXT:
        return sync_buf_addstr(out, raw);
    case SYNC_VK_EMAIL:
        for (const char *p = raw; *p; p++)
            if (sync_buf_addch(out, (char)tolower((unsigned char)*p)))
                return SYNC_ERR_TOO_LARGE;
        return SYNC_OK;
    case SYNC_VK_NUMBER:
        if (sync_value_number(raw, out))
            return bad_value(err, field, raw, "is not a number");
        return SYNC_OK;
    case SYNC_VK_BOOL:
        if (bool_scan(raw, &b))
            return bad_value(err, field, raw, "is not a boolean (true or false)");
        /* false is blank: an unset HubSpot checkbox and a Salesforce false are the same value */
        return b ? sync_buf_addstr(out, "true") : SYNC_OK;
    case SYNC_VK_DATE:
        return canon_date(field, src, raw, out, err);
    case SYNC_VK_DATETIME:
        return canon_datetime(field, src, raw, out, err);
    case SYNC_VK_MULTI:
        return sync_value_multi(raw, out);
    default:
        return sync_err_set(err, SYNC_ERR_INTERNAL, "%s: unknown value kind %d", field, (int)k);
    }
}

/* ---- Salesforce -> canonical ---- */

enum sync_rc sync_value_from_sf(const struct sync_sf_field *f, enum sync_vkind k, const json_t *v,
                                struct sync_buf *out, struct sync_err *err)
{
    char id[19];
    enum src src = SRC_TEXT;
    const char *raw;

    sync_buf_reset(out);
    if (!v || json_is_null(v))
        return SYNC_OK;
    if (f->type == SYNC_SFT_BOOLEAN) {
        if (!json_is_boolean(v))
            return bad_json(err, f->name, v, "is not a boolean");
        return canon(f->name, k, SRC_TEXT, json_is_true(v) ? "true" : "false", out, err);
    }
    if (sf_is_number(f->type) && json_is_number(v)) {
        if (sync_value_number_from_double(json_number_value(v), out))
            return bad_json(err, f->name, v, "is not a number");
        if (k == SYNC_VK_NUMBER || k == SYNC_VK_TEXT)
            return SYNC_OK;
        return bad_json(err, f->name, v, "cannot be read as this mapping's kind of value");
    }
    if (!json_is_string(v))
        return bad_json(err, f->name, v, "is not a string");
    raw = json_string_value(v);
    if (f->type == SYNC_SFT_REFERENCE || f->type == SYNC_SFT_ID) {
        if (raw[0] && sync_value_sf_id18(raw, id))
            return bad_value(err, f->name, raw, "is not a Salesforce id");
        if (raw[0])
            raw = id;
    } else if (f->type == SYNC_SFT_DATE) {
        src = SRC_SF_DATE;
    } else if (f->type == SYNC_SFT_DATETIME) {
        src = SRC_INSTANT;
        if (raw[0] && sync_time_parse(raw, &(int64_t){0}) != SYNC_OK)
            return bad_value(err, f->name, raw, "is not a datetime");
    }
    return canon(f->name, k, src, raw, out, err);
}

/* ---- HubSpot -> canonical ---- */

enum sync_rc sync_value_from_hs(const struct sync_hs_prop *p, enum sync_vkind k, const char *s,
                                struct sync_buf *out, struct sync_err *err)
{
    enum src src = SRC_TEXT;

    sync_buf_reset(out);
    if (!s || !s[0])
        return SYNC_OK;
    if (p->type == SYNC_HST_DATE)
        src = SRC_HS_DATE;
    else if (p->type == SYNC_HST_DATETIME)
        src = SRC_INSTANT;
    return canon(p->name, k, src, s, out, err);
}

/* ---- canonical -> Salesforce ---- */

static enum sync_rc check_sf_text(const struct sync_sf_field *f, const char *s,
                                  struct sync_err *err)
{
    size_t n = utf8_chars(s);

    if (f->length && n > f->length)
        return bad_value(err, f->name, s, "is %zu characters long; the field holds at most %u", n,
                         f->length);
    return SYNC_OK;
}

static enum sync_rc check_sf_picklist(const struct sync_sf_field *f, const char *s,
                                      struct sync_err *err)
{
    if (f->restricted && f->nvalues && !in_list(f->values, f->nvalues, s))
        return bad_value(err, f->name, s, "is not a value of the restricted picklist");
    return SYNC_OK;
}

/* Each item of a canonical multi-picklist must be a restricted picklist's value. */
static enum sync_rc check_sf_multi(const struct sync_sf_field *f, const char *s,
                                   struct sync_err *err)
{
    char *copy, **items;
    size_t n;
    enum sync_rc rc = multi_split(s, &copy, &items, &n);

    for (size_t i = 0; !rc && i < n; i++)
        rc = check_sf_picklist(f, items[i], err);
    free(items);
    free(copy);
    return rc;
}

static json_t *sf_string(const struct sync_sf_field *f, const char *s, struct sync_err *err)
{
    json_t *j = json_string(s);
    if (!j)
        bad_value(err, f->name, s, "is not valid UTF-8");
    return j;
}

static enum sync_rc to_sf_number(const struct sync_sf_field *f, const char *canon_text,
                                 json_t **out, struct sync_err *err)
{
    double v;

    if (number_scan(canon_text, &v))
        return bad_value(err, f->name, canon_text, "is not a number");
    if (f->type == SYNC_SFT_INT) {
        if (v != floor(v))
            return bad_value(err, f->name, canon_text, "is not a whole number");
        if (fabs(v) > SF_INT_MAX)
            return bad_value(err, f->name, canon_text, "is out of range for a whole-number field");
    }
    if (v == 0)
        v = 0; /* no -0 on the wire */
    *out = v == floor(v) && fabs(v) < EXACT_INT ? json_integer((json_int_t)v) : json_real(v);
    return *out ? SYNC_OK : SYNC_ERR_NOMEM;
}

/* A canonical date or datetime, read back as epoch ms (a date is its midnight UTC). */
static enum sync_rc canon_instant(const char *field, enum sync_vkind k, const char *s, int64_t *ms,
                                  struct sync_err *err)
{
    if (k == SYNC_VK_DATE ? sync_time_parse_date(s, ms) != SYNC_OK : epoch_scan(s, ms) != 0)
        return bad_value(err, field, s, "is not a canonical %s", sync_vkind_name(k));
    return SYNC_OK;
}

static enum sync_rc to_sf_time(const struct sync_sf_field *f, enum sync_vkind k, const char *s,
                               json_t **out, struct sync_err *err)
{
    char buf[SYNC_TIME_ISO_MAX];
    int64_t ms;

    if (k != SYNC_VK_DATE && k != SYNC_VK_DATETIME)
        return bad_value(err, f->name, s, "cannot be written to a %s field",
                         sync_sf_type_name(f->type));
    if (canon_instant(f->name, k, s, &ms, err))
        return SYNC_ERR_INVALID;
    if (f->type == SYNC_SFT_DATE)
        sync_time_format_date(day_floor(ms) * MS_PER_DAY, buf, sizeof(buf));
    else
        sync_time_format_sf(ms, buf, sizeof(buf));
    *out = json_string(buf);
    return *out ? SYNC_OK : SYNC_ERR_NOMEM;
}

enum sync_rc sync_value_to_sf(const struct sync_sf_field *f, enum sync_vkind k,
                              const char *canon_text, json_t **out, struct sync_err *err)
{
    struct sync_buf norm = SYNC_BUF_INIT(SYNC_VALUE_MAX);
    char id[19];
    enum sync_rc rc = SYNC_OK;
    int b;

    *out = NULL;
    if (!canon_text || !canon_text[0]) {
        *out = f->type == SYNC_SFT_BOOLEAN ? json_false() : json_null();
        return SYNC_OK;
    }
    switch (f->type) {
    case SYNC_SFT_BOOLEAN:
        if (bool_scan(canon_text, &b))
            return bad_value(err, f->name, canon_text, "is not a boolean (true or false)");
        *out = json_boolean(b);
        return SYNC_OK;
    case SYNC_SFT_INT:
    case SYNC_SFT_DOUBLE:
    case SYNC_SFT_CURRENCY:
    case SYNC_SFT_PERCENT:
        return to_sf_number(f, canon_text, out, err);
    case SYNC_SFT_DATE:
    case SYNC_SFT_DATETIME:
        return to_sf_time(f, k, canon_text, out, err);
    case SYNC_SFT_REFERENCE:
    case SYNC_SFT_ID:
        if (sync_value_sf_id18(canon_text, id))
            return bad_value(err, f->name, canon_text, "is not a Salesforce id");
        *out = json_string(id);
        return *out ? SYNC_OK : SYNC_ERR_NOMEM;
    case SYNC_SFT_MULTIPICKLIST:
        if ((rc = sync_value_multi(canon_text, &norm)) ||
            (rc = check_sf_text(f, sync_buf_str(&norm), err)) ||
            (rc = check_sf_multi(f, sync_buf_str(&norm), err)))
            break;
        if (!(*out = sf_string(f, sync_buf_str(&norm), err)))
            rc = SYNC_ERR_INVALID;
        break;
    default:
        if (!sf_is_text(f->type))
            return sync_err_set(err, SYNC_ERR_INVALID, "%s: %s fields cannot be written", f->name,
                                sync_sf_type_name(f->type));
        if ((rc = check_sf_text(f, canon_text, err)))
            break;
        if ((f->type == SYNC_SFT_PICKLIST || f->type == SYNC_SFT_COMBOBOX) &&
            (rc = check_sf_picklist(f, canon_text, err)))
            break;
        if (!(*out = sf_string(f, canon_text, err)))
            rc = SYNC_ERR_INVALID;
        break;
    }
    sync_buf_release(&norm);
    return rc;
}

/* ---- canonical -> HubSpot ---- */

static enum sync_rc check_hs_options(const struct sync_hs_prop *p, const char *s, int multi,
                                     struct sync_err *err)
{
    char *copy, **items;
    size_t n;
    enum sync_rc rc;

    if (!p->noptions)
        return SYNC_OK;
    if (!multi)
        return in_list(p->options, p->noptions, s)
                   ? SYNC_OK
                   : bad_value(err, p->name, s, "is not one of the property's options");
    if ((rc = multi_split(s, &copy, &items, &n)))
        return rc;
    for (size_t i = 0; !rc && i < n; i++)
        if (!in_list(p->options, p->noptions, items[i]))
            rc = bad_value(err, p->name, items[i], "is not one of the property's options");
    free(items);
    free(copy);
    return rc;
}

static enum sync_rc to_hs_time(const struct sync_hs_prop *p, enum sync_vkind k, const char *s,
                               struct sync_buf *out, struct sync_err *err)
{
    char buf[SYNC_TIME_ISO_MAX];
    int64_t ms;

    if (k != SYNC_VK_DATE && k != SYNC_VK_DATETIME)
        return bad_value(err, p->name, s, "cannot be written to a %s property",
                         sync_hs_type_name(p->type));
    if (canon_instant(p->name, k, s, &ms, err))
        return SYNC_ERR_INVALID;
    if (p->type == SYNC_HST_DATETIME)
        return sync_buf_addf(out, "%lld", (long long)ms);
    if (ms % MS_PER_DAY != 0)
        return bad_value(err, p->name, s, "is not midnight UTC, so it is not a date");
    return sync_buf_addstr(out, sync_time_format_date(ms, buf, sizeof(buf)));
}

enum sync_rc sync_value_to_hs(const struct sync_hs_prop *p, enum sync_vkind k,
                              const char *canon_text, struct sync_buf *out, struct sync_err *err)
{
    enum sync_rc rc;
    int b;

    sync_buf_reset(out);
    if (!canon_text || !canon_text[0])
        return SYNC_OK;
    if (p->type == SYNC_HST_DATE || p->type == SYNC_HST_DATETIME)
        return to_hs_time(p, k, canon_text, out, err);
    if (hs_is_bool(p)) {
        if (bool_scan(canon_text, &b))
            return bad_value(err, p->name, canon_text, "is not a boolean (true or false)");
        return sync_buf_addstr(out, b ? "true" : "false");
    }
    if (p->type == SYNC_HST_NUMBER) {
        if (sync_value_number(canon_text, out))
            return bad_value(err, p->name, canon_text, "is not a number");
        return SYNC_OK;
    }
    if (p->field_type == SYNC_HSF_CHECKBOX || k == SYNC_VK_MULTI) {
        if ((rc = sync_value_multi(canon_text, out)))
            return rc;
        return check_hs_options(p, sync_buf_str(out), 1, err);
    }
    if (p->type == SYNC_HST_ENUMERATION && (rc = check_hs_options(p, canon_text, 0, err)))
        return rc;
    if (strlen(canon_text) > SYNC_VALUE_MAX)
        return bad_value(err, p->name, canon_text, "is longer than %zu bytes", SYNC_VALUE_MAX);
    return sync_buf_addstr(out, canon_text);
}
