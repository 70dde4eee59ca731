/*
** Seeded randomness.  A node has one generator, seeded by --seed (or from
** the clock without it), from which every choice otplab makes derives:
** schedule perturbation, chaos victims and each process's math.random,
** whose stream depends only on the node's seed and the process's pid, so
** one process's draws never shift another's.
*/
#ifndef OTP_RAND_H
#define OTP_RAND_H

#include <stdint.h>
#include <lua.h>

/* xoshiro256**, the generator Lua 5.4's math.random uses. */
typedef struct otp_rand { uint64_t s[4]; } otp_rand;

/* Seeds r from one 64-bit value (splitmix64, as xoshiro's authors advise). */
void otp_rand_seed(otp_rand *r, uint64_t seed);
uint64_t otp_rand_next(otp_rand *r);
/* A uniform integer in [0, n) (n > 0). */
uint64_t otp_rand_below(otp_rand *r, uint64_t n);
/* Mixes two values into a seed (the node's seed and a pid). */
uint64_t otp_rand_mix(uint64_t a, uint64_t b);

/* Replaces math.random and math.randomseed in L's math table (before it is
** made read-only) with versions that draw from the running process's own
** generator, seeded on first use from the node's seed and its pid. */
void otp_rand_install(lua_State *L);

#endif
