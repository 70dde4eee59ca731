/*
** Seeded randomness (see rand.h).  math.random keeps Lua 5.4's contract
** (random(), random(m), random(m, n), random(0), randomseed([x [, y]])) and
** its algorithm, but the state is per process instead of per Lua state.
*/
#include <stdlib.h>
#include <lauxlib.h>
#include "core/rand.h"
#include "core/node.h"

static uint64_t rotl(uint64_t x, int n) {
  return (x << n) | (x >> (64 - n));
}

static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

void otp_rand_seed(otp_rand *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = splitmix(&seed);
}

uint64_t otp_rand_next(otp_rand *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

/* Lua's 'project': a value in [0, n] without modulo bias. */
static uint64_t project(otp_rand *r, uint64_t ran, uint64_t n) {
  if ((n & (n + 1)) == 0) return ran & n;
  uint64_t lim = n;
  for (int shift = 1; shift <= 32; shift <<= 1) lim |= lim >> shift;
  while ((ran &= lim) > n) ran = otp_rand_next(r);
  return ran;
}

uint64_t otp_rand_below(otp_rand *r, uint64_t n) {
  return project(r, otp_rand_next(r), n - 1);
}

uint64_t otp_rand_mix(uint64_t a, uint64_t b) {
  uint64_t x = a ^ rotl(b, 32);
  splitmix(&x);
  return splitmix(&x);
}

/* The generator of the running process (seeded on first use), or the
** node's own outside any process. */
static otp_rand *current_rand(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *p = node->current;
  if (!p) return &node->rand;
  if (!p->rand) {                 /* most processes never draw: made here */
    if (!(p->rand = malloc(sizeof *p->rand))) luaL_error(L, "not enough memory");
    otp_proc_records_add(node, sizeof *p->rand);
    otp_rand_seed(p->rand, otp_rand_mix(node->cfg.seed, p->pid));
  }
  return p->rand;
}

static int l_random(lua_State *L) {
  otp_rand *r = current_rand(L);
  uint64_t rv = otp_rand_next(r);
  lua_Integer low, up;
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, (lua_Number)(rv >> 11) * 0x1.0p-53);
      return 1;
    case 1:
      low = 1;
      up = luaL_checkinteger(L, 1);
      if (up == 0) {              /* random(0): all the bits */
        lua_pushinteger(L, (lua_Integer)rv);
        return 1;
      }
      break;
    case 2:
      low = luaL_checkinteger(L, 1);
      up = luaL_checkinteger(L, 2);
      break;
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  luaL_argcheck(L, low <= up, 1, "interval is empty");
  uint64_t span = (uint64_t)up - (uint64_t)low;
  lua_pushinteger(L, (lua_Integer)(project(r, rv, span) + (uint64_t)low));
  return 1;
}

/* randomseed([x [, y]]): as Lua 5.4.4; without x a seed from the node's
** generator (so a seeded run stays reproducible). Returns the two parts. */
static int l_randomseed(lua_State *L) {
  otp_rand *r = current_rand(L);
  uint64_t n1, n2;
  if (lua_isnone(L, 1)) {
    n1 = otp_rand_next(&otp_node_of(L)->rand);
    n2 = otp_rand_next(&otp_node_of(L)->rand);
  } else {
    n1 = (uint64_t)luaL_checkinteger(L, 1);
    n2 = (uint64_t)luaL_optinteger(L, 2, 0);
  }
  r->s[0] = n1;
  r->s[1] = 0xff;
  r->s[2] = n2;
  r->s[3] = 0;
  for (int i = 0; i < 16; i++) otp_rand_next(r);   /* discard the first values */
  lua_pushinteger(L, (lua_Integer)n1);
  lua_pushinteger(L, (lua_Integer)n2);
  return 2;
}

void otp_rand_install(lua_State *L) {
  if (lua_getglobal(L, "math") == LUA_TTABLE) {
    lua_pushcfunction(L, l_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, l_randomseed);
    lua_setfield(L, -2, "randomseed");
  }
  lua_pop(L, 1);
}
