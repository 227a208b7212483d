/*
 * rng.c: splitmix64, a small deterministic generator for seeded data and
 * fault dice (see emu.h). Not for secrets.
 */
#include "emulators/common/emu.h"

void emu_rng_init(struct emu_rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t emu_rng_next(struct emu_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t emu_rng_below(struct emu_rng *r, uint64_t n)
{
    return emu_rng_next(r) % n;
}

double emu_rng_unit(struct emu_rng *r)
{
    return (double)(emu_rng_next(r) >> 11) / 9007199254740992.0;
}
