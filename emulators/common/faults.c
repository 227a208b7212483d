/*
 * faults.c: fault-injection settings and dice (see emu.h). Each emulator
 * owns one struct emu_faults and consults it at the top of every API
 * request; the control API changes it at run time.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "emulators/common/emu.h"

void emu_faults_init(struct emu_faults *f)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    f->error_status = 500;
    emu_rng_init(&f->rng, 42);
}

void emu_faults_release(struct emu_faults *f)
{
    pthread_mutex_destroy(&f->lock);
}

void emu_faults_clear(struct emu_faults *f)
{
    pthread_mutex_lock(&f->lock);
    f->latency_ms = 0;
    f->error_rate = 0;
    f->error_status = 500;
    f->error_next = 0;
    f->retry_after_s = 0;
    f->drop_before_rate = 0;
    f->drop_after_rate = 0;
    f->drop_before_next = 0;
    f->drop_after_next = 0;
    f->path_prefix[0] = '\0';
    pthread_mutex_unlock(&f->lock);
}

static int read_rate(const json_t *s, const char *key, double *out, struct sync_err *err)
{
    json_t *v = json_object_get(s, key);
    if (!v)
        return 0;
    if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1) {
        sync_err_set(err, SYNC_ERR_INVALID, "%s must be a number from 0 to 1", key);
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

static int read_count(const json_t *s, const char *key, int64_t max, int64_t *out,
                      struct sync_err *err)
{
    json_t *v = json_object_get(s, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
        sync_err_set(err, SYNC_ERR_INVALID, "%s must be an integer from 0 to %lld", key,
                     (long long)max);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

enum sync_rc emu_faults_configure(struct emu_faults *f, const json_t *s, struct sync_err *err)
{
    static const char *const known[] = {"latency_ms",
                                        "error_rate",
                                        "error_status",
                                        "error_next",
                                        "retry_after_s",
                                        "drop_before_rate",
                                        "drop_after_rate",
                                        "drop_before_next",
                                        "drop_after_next",
                                        "path_prefix",
                                        "seed",
                                        NULL};
    struct emu_faults n;
    const char *key;
    json_t *v;
    int64_t status, seed = -1;

    if (!json_is_object(s))
        return sync_err_set(err, SYNC_ERR_INVALID, "fault settings must be a JSON object");
    json_object_foreach((json_t *)s, key, v)
    {
        int ok = 0;
        for (int i = 0; known[i]; i++)
            ok |= strcmp(key, known[i]) == 0;
        if (!ok)
            return sync_err_set(err, SYNC_ERR_INVALID, "unknown fault setting '%s'", key);
    }
    pthread_mutex_lock(&f->lock);
    n = *f;
    pthread_mutex_unlock(&f->lock);
    status = n.error_status;
    if (read_count(s, "latency_ms", 600000, &n.latency_ms, err) ||
        read_rate(s, "error_rate", &n.error_rate, err) ||
        read_count(s, "error_status", 599, &status, err) ||
        read_count(s, "error_next", 1000000000, &n.error_next, err) ||
        read_count(s, "retry_after_s", 86400, &n.retry_after_s, err) ||
        read_rate(s, "drop_before_rate", &n.drop_before_rate, err) ||
        read_rate(s, "drop_after_rate", &n.drop_after_rate, err) ||
        read_count(s, "drop_before_next", 1000000000, &n.drop_before_next, err) ||
        read_count(s, "drop_after_next", 1000000000, &n.drop_after_next, err) ||
        read_count(s, "seed", INT64_MAX, &seed, err))
        return SYNC_ERR_INVALID;
    if (status < 400)
        return sync_err_set(err, SYNC_ERR_INVALID, "error_status must be from 400 to 599");
    v = json_object_get(s, "path_prefix");
    if (v && (!json_is_string(v) || json_string_length(v) >= sizeof(n.path_prefix)))
        return sync_err_set(err, SYNC_ERR_INVALID, "path_prefix must be a short string");

    pthread_mutex_lock(&f->lock);
    f->latency_ms = n.latency_ms;
    f->error_rate = n.error_rate;
    f->error_status = (int)status;
    f->error_next = n.error_next;
    f->retry_after_s = n.retry_after_s;
    f->drop_before_rate = n.drop_before_rate;
    f->drop_after_rate = n.drop_after_rate;
    f->drop_before_next = n.drop_before_next;
    f->drop_after_next = n.drop_after_next;
    if (v)
        snprintf(f->path_prefix, sizeof(f->path_prefix), "%s", json_string_value(v));
    if (seed >= 0)
        emu_rng_init(&f->rng, (uint64_t)seed);
    pthread_mutex_unlock(&f->lock);
    return SYNC_OK;
}

json_t *emu_faults_to_json(struct emu_faults *f)
{
    json_t *o;
    pthread_mutex_lock(&f->lock);
    o = json_pack("{s:I, s:f, s:i, s:I, s:I, s:f, s:f, s:I, s:I, s:s}", "latency_ms",
                  (json_int_t)f->latency_ms, "error_rate", f->error_rate, "error_status",
                  f->error_status, "error_next", (json_int_t)f->error_next, "retry_after_s",
                  (json_int_t)f->retry_after_s, "drop_before_rate", f->drop_before_rate,
                  "drop_after_rate", f->drop_after_rate, "drop_before_next",
                  (json_int_t)f->drop_before_next, "drop_after_next",
                  (json_int_t)f->drop_after_next, "path_prefix", f->path_prefix);
    pthread_mutex_unlock(&f->lock);
    return o;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

enum emu_fault emu_faults_decide(struct emu_faults *f, const char *path, int is_write)
{
    enum emu_fault out = EMU_FAULT_NONE;
    int64_t latency;

    pthread_mutex_lock(&f->lock);
    latency = f->latency_ms;
    if (f->path_prefix[0] && strncmp(path, f->path_prefix, strlen(f->path_prefix)) != 0) {
        pthread_mutex_unlock(&f->lock);
        return EMU_FAULT_NONE; /* path_prefix scopes the latency too */
    }
    if (f->error_next > 0) {
        f->error_next--;
        out = EMU_FAULT_ERROR;
    } else if (f->error_rate > 0 && emu_rng_unit(&f->rng) < f->error_rate) {
        out = EMU_FAULT_ERROR;
    } else if (is_write && f->drop_before_next > 0) {
        f->drop_before_next--;
        out = EMU_FAULT_DROP_BEFORE;
    } else if (is_write && f->drop_after_next > 0) {
        f->drop_after_next--;
        out = EMU_FAULT_DROP_AFTER;
    } else if (is_write && f->drop_before_rate > 0 && emu_rng_unit(&f->rng) < f->drop_before_rate) {
        out = EMU_FAULT_DROP_BEFORE;
    } else if (is_write && f->drop_after_rate > 0 && emu_rng_unit(&f->rng) < f->drop_after_rate) {
        out = EMU_FAULT_DROP_AFTER;
    }
    pthread_mutex_unlock(&f->lock);
    if (latency > 0)
        sleep_ms(latency);
    return out;
}
