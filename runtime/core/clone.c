/*
** clone.c
** Fresh closures of an existing Lua prototype, by splicing binary chunks
**
** The public API cannot make a closure from a prototype, so for each
** prototype we build a "factory" once: the binary chunk of the template
**     local u1,...,un = ... return function() return u1,...,un end
** with its nested prototype replaced by the dumped prototype of f, whose
** upvalue descriptors are rewritten to capture the template's locals
** (instack=1, idx=i-1). Calling the factory runs CLOSURE over fresh
** locals and then RETURN with the close flag, which turns those locals
** into closed upvalue cells owned by the new closure alone.
**
** Binary chunk layout (Lua 5.4, ldump.c):
**   header | byte nupvalues of main | function
**   function = string source | int linedefined | int lastlinedefined |
**     byte numparams | byte is_vararg | byte maxstacksize |
**     int n, n instructions | int n, n constants | int n, n*3 upvalues |
**     int n, n functions | debug
**   debug = int n, n bytes lineinfo | int n, n (int pc, int line) |
**     int n, n (string, int, int) locvars | int n, n upvalue names
**   int/size = 7-bit groups, most significant first, last one has 0x80
**   string = size 0 (NULL) or size+1 followed by size bytes
*/

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "core/clone.h"

#if LUA_VERSION_NUM != 504
#error "clone.c parses the Lua 5.4 binary chunk format"
#endif


/* registry keys (their addresses) */
static char kbyclosure;		/* weak-keyed: closure -> factory */
static char kbydump;		/* weak-valued: dump string -> factory */
static char ktemplate;		/* n -> stripped dump of template n */

#define CHUNKNAME	"=(otp.clone)"
#define MAXDEPTH	250	/* nested functions (lparser allows 200) */

/* constant tags (makevariant in lobject.h) */
#define TNIL	0x00
#define TFALSE	0x01
#define TTRUE	0x11
#define TINT	0x03
#define TFLT	0x13
#define TSHRSTR	0x04
#define TLNGSTR	0x14


/*
** {======================================================
** Reader: walks a binary chunk without trusting it
** =======================================================
*/

typedef struct {
  const unsigned char *b;	/* chunk */
  size_t n;			/* its size */
  size_t i;			/* current position */
  const char *err;		/* first error, or NULL */
  size_t sinstr, sint, snum;	/* sizes from the header */
} Reader;

/* what we need to know about a top-level function */
typedef struct {
  size_t upv;		/* offset of its upvalue descriptors */
  int nupv;		/* their number */
  int np;		/* number of nested functions */
  size_t p0, p0end;	/* extent of the first nested function */
} FuncInfo;


static void fail (Reader *R, const char *why) {
  if (R->err == NULL) R->err = why;
}

static int rdbyte (Reader *R) {
  if (R->err) return 0;
  if (R->i >= R->n) { fail(R, "truncated chunk"); return 0; }
  return R->b[R->i++];
}

static void skip (Reader *R, size_t k) {
  if (R->err) return;
  if (k > R->n - R->i) fail(R, "truncated chunk");
  else R->i += k;
}

/* skip 'n' items of 'k' bytes each */
static void skipv (Reader *R, size_t n, size_t k) {
  if (k != 0 && n > (R->n - R->i) / k) fail(R, "truncated chunk");
  else skip(R, n * k);
}

static size_t rdsize (Reader *R, size_t limit) {
  size_t x = 0;
  int b;
  do {
    b = rdbyte(R);
    if (R->err) return 0;
    if (x > (limit >> 7)) { fail(R, "integer overflow"); return 0; }
    x = (x << 7) | (size_t)(b & 0x7f);
  } while ((b & 0x80) == 0);
  if (x > limit) { fail(R, "integer overflow"); return 0; }
  return x;
}

static int rdint (Reader *R) {
  return (int)rdsize(R, INT_MAX);
}

static void rdstring (Reader *R) {
  size_t size = rdsize(R, SIZE_MAX);
  if (size > 0) skip(R, size - 1);  /* 0 is a NULL string */
}

static void rdheader (Reader *R) {
  static const char sig[] = LUA_SIGNATURE "\x54" "\0" "\x19\x93\r\n\x1a\n";
  size_t lsig = sizeof(sig) - 1;  /* signature, version, format, LUAC_DATA */
  if (R->n < lsig || memcmp(R->b, sig, lsig) != 0) {
    fail(R, "not a Lua 5.4 binary chunk");
    return;
  }
  R->i = lsig;
  R->sinstr = (size_t)rdbyte(R);
  R->sint = (size_t)rdbyte(R);
  R->snum = (size_t)rdbyte(R);
  if (R->sint != sizeof(lua_Integer) || R->snum != sizeof(lua_Number) ||
      R->sinstr == 0)
    fail(R, "unexpected sizes in header");
  skip(R, R->sint + R->snum);  /* LUAC_INT, LUAC_NUM */
}

static void rdfunction (Reader *R, FuncInfo *fi, int depth) {
  int i, n;
  if (depth > MAXDEPTH) { fail(R, "functions nested too deep"); return; }
  rdstring(R);  /* source */
  rdint(R);  /* linedefined */
  rdint(R);  /* lastlinedefined */
  skip(R, 3);  /* numparams, is_vararg, maxstacksize */
  skipv(R, (size_t)rdint(R), R->sinstr);  /* code */
  n = rdint(R);  /* constants */
  for (i = 0; i < n && !R->err; i++) {
    switch (rdbyte(R)) {
      case TNIL: case TFALSE: case TTRUE: break;
      case TINT: skip(R, R->sint); break;
      case TFLT: skip(R, R->snum); break;
      case TSHRSTR: case TLNGSTR: rdstring(R); break;
      default: fail(R, "bad constant");
    }
  }
  n = rdint(R);  /* upvalues */
  if (fi) { fi->upv = R->i; fi->nupv = n; }
  skipv(R, (size_t)n, 3);
  n = rdint(R);  /* nested functions */
  if (fi) { fi->np = n; fi->p0 = fi->p0end = R->i; }
  for (i = 0; i < n && !R->err; i++) {
    rdfunction(R, NULL, depth + 1);
    if (fi && i == 0) fi->p0end = R->i;
  }
  skipv(R, (size_t)rdint(R), 1);  /* lineinfo */
  n = rdint(R);  /* abslineinfo */
  for (i = 0; i < n && !R->err; i++) { rdint(R); rdint(R); }
  n = rdint(R);  /* locvars */
  for (i = 0; i < n && !R->err; i++) { rdstring(R); rdint(R); rdint(R); }
  n = rdint(R);  /* upvalue names */
  for (i = 0; i < n && !R->err; i++) rdstring(R);
}

/*
** Parse a whole chunk; on success 'hsize' is the header size (the
** byte of main upvalues follows it) and 'fi' describes the main function.
*/
static const char *rdchunk (const char *s, size_t len, size_t *hsize,
                            FuncInfo *fi) {
  Reader R;
  int nup;
  memset(&R, 0, sizeof(R));
  R.b = (const unsigned char *)s;
  R.n = len;
  rdheader(&R);
  *hsize = R.i;
  nup = rdbyte(&R);
  rdfunction(&R, fi, 0);
  if (R.err == NULL && R.i != R.n) fail(&R, "trailing bytes");
  if (R.err == NULL && nup != fi->nupv) fail(&R, "upvalue count mismatch");
  return R.err;
}

/* }====================================================== */


/*
** {======================================================
** Dumps, templates and factories
** =======================================================
*/

/* A dump collects in a buffer on the C stack (a small function's dump is a
** few hundred bytes, written in many small pieces); past it, in a
** luaL_Buffer above the function. */
#define DUMP_SMALL 2048

typedef struct {
  int big;                 /* the luaL_Buffer is in use */
  size_t len;              /* bytes in small */
  char small[DUMP_SMALL];
  luaL_Buffer b;
} DumpState;

static int writer (lua_State *L, const void *p, size_t sz, void *ud) {
  DumpState *D = (DumpState *)ud;
  if (!D->big && D->len + sz <= DUMP_SMALL) {
    memcpy(D->small + D->len, p, sz);
    D->len += sz;
    return 0;
  }
  if (!D->big) {  /* start the buffer lazily, above the function */
    D->big = 1;
    luaL_buffinit(L, &D->b);
    luaL_addlstring(&D->b, D->small, D->len);
  }
  luaL_addlstring(&D->b, (const char *)p, sz);
  return 0;
}

/* pushes the dump of the Lua function at 'idx' */
static void dumpfunc (lua_State *L, int idx, int strip) {
  DumpState D;
  D.big = 0;
  D.len = 0;
  lua_pushvalue(L, idx);
  lua_dump(L, writer, &D, strip);
  if (D.big) luaL_pushresult(&D.b);
  else lua_pushlstring(L, D.small, D.len);
  lua_remove(L, -2);  /* function copy */
}

/* pushes registry[key], creating it (with mode 'mode') if needed */
static void getcache (lua_State *L, const void *key, const char *mode) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_createtable(L, 0, 0);
  if (mode) {
    lua_createtable(L, 0, 1);
    lua_pushstring(L, mode);
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
  }
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

/* adds "u1,u2,...,un" */
static void addnames (luaL_Buffer *b, int n) {
  int i;
  for (i = 1; i <= n; i++) {
    char name[16];
    snprintf(name, sizeof(name), "%su%d", (i > 1) ? "," : "", i);
    luaL_addstring(b, name);
  }
}

/*
** Pushes the stripped dump of template n (the nested function captures
** all n locals, so the main function returns with the close flag set),
** or an error message.
*/
static int gettemplate (lua_State *L, int n) {
  getcache(L, &ktemplate, NULL);
  if (lua_rawgeti(L, -1, n) == LUA_TSTRING) {
    lua_remove(L, -2);
    return 0;
  }
  lua_pop(L, 2);
  {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (n > 0) {
      luaL_addstring(&b, "local ");
      addnames(&b, n);
      luaL_addstring(&b, " = ... ");
    }
    luaL_addstring(&b, "return function() return ");
    addnames(&b, n);
    luaL_addstring(&b, " end");
    luaL_pushresult(&b);
  }
  if (luaL_loadbufferx(L, lua_tostring(L, -1), lua_rawlen(L, -1),
                       CHUNKNAME, "t") != LUA_OK) {
    lua_remove(L, -2);  /* source; keep message */
    return -1;
  }
  lua_remove(L, -2);  /* source */
  dumpfunc(L, -1, 1);
  lua_remove(L, -2);  /* template function */
  getcache(L, &ktemplate, NULL);
  lua_pushvalue(L, -2);
  lua_rawseti(L, -2, n);
  lua_pop(L, 1);
  return 0;
}

/* fallback factory: reload the dump and set its upvalues */
static int reloadclone (lua_State *L) {
  size_t len;
  const char *d = lua_tolstring(L, lua_upvalueindex(1), &len);
  int i, n = (int)lua_tointeger(L, lua_upvalueindex(2));
  lua_settop(L, n);
  if (luaL_loadbufferx(L, d, len, CHUNKNAME, "b") != LUA_OK)
    return lua_error(L);
  for (i = 1; i <= n; i++) {
    lua_pushvalue(L, i);
    lua_setupvalue(L, -2, i);
  }
  return 1;
}

static int errmsg (lua_State *L, const char *what) {
  lua_pushfstring(L, "cannot clone function: %s", what);
  return -1;
}

/* adds f's function from its dump, capturing the template's locals */
static void addfunc (luaL_Buffer *b, const char *ds, size_t dlen,
                     size_t dh, const FuncInfo *df) {
  size_t rest = df->upv + 3 * (size_t)df->nupv;
  int i;
  luaL_addlstring(b, ds + dh + 1, df->upv - (dh + 1));  /* up to upvalues */
  for (i = 0; i < df->nupv; i++) {  /* i-th upvalue is i-th template local */
    unsigned char uv[3];
    uv[0] = 1;  /* instack */
    uv[1] = (unsigned char)i;  /* idx */
    uv[2] = 0;  /* kind (only used by the parser) */
    luaL_addlstring(b, (const char *)uv, 3);
  }
  luaL_addlstring(b, ds + rest, dlen - rest);  /* after upvalues */
}

/*
** Given the dump of f at 'd', pushes a new factory for it and registers
** it in the dump cache at 'cache' (also under the dump of its clones, so
** that cloning a clone hits); or pushes an error message.
*/
static int makefactory (lua_State *L, int d, int cache) {
  size_t dlen, tlen, dh, th;
  const char *ds = lua_tolstring(L, d, &dlen);
  const char *ts, *err;
  FuncInfo df, tf;
  luaL_Buffer b;
  if ((err = rdchunk(ds, dlen, &dh, &df)) != NULL)
    return errmsg(L, err);
  if (df.nupv > OTP_CLONE_MAXSPLICE) {  /* too many for a template? */
    lua_pushvalue(L, d);
    lua_pushinteger(L, df.nupv);
    lua_pushcclosure(L, reloadclone, 2);
    lua_pushvalue(L, d);
    lua_pushvalue(L, -2);
    lua_rawset(L, cache);
    return 0;
  }
  if (gettemplate(L, df.nupv) != 0) return -1;
  ts = lua_tolstring(L, -1, &tlen);
  if ((err = rdchunk(ts, tlen, &th, &tf)) != NULL) {
    lua_pop(L, 1);
    return errmsg(L, err);
  }
  if (tf.np != 1 || th != dh || memcmp(ts, ds, th) != 0) {
    lua_pop(L, 1);
    return errmsg(L, "unexpected template");
  }
  luaL_buffinit(L, &b);  /* the factory */
  luaL_addlstring(&b, ts, tf.p0);  /* template up to its nested function */
  addfunc(&b, ds, dlen, dh, &df);
  luaL_addlstring(&b, ts + tf.p0end, tlen - tf.p0end);  /* rest of it */
  luaL_pushresult(&b);
  if (luaL_loadbufferx(L, lua_tostring(L, -1), lua_rawlen(L, -1),
                       CHUNKNAME, "b") != LUA_OK) {
    lua_replace(L, -3);  /* message replaces template */
    lua_pop(L, 1);  /* spliced chunk */
    return -1;
  }
  lua_replace(L, -3);  /* factory replaces template */
  lua_pop(L, 1);  /* spliced chunk */
  lua_pushvalue(L, d);
  lua_pushvalue(L, -2);
  lua_rawset(L, cache);
  luaL_buffinit(L, &b);  /* what dumping one of its clones gives */
  luaL_addlstring(&b, ds, dh + 1);
  addfunc(&b, ds, dlen, dh, &df);
  luaL_pushresult(&b);
  lua_pushvalue(L, -2);
  lua_rawset(L, cache);
  return 0;
}

/* }====================================================== */


int otp_clone_factory (lua_State *L, int idx) {
  int top;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TFUNCTION)
    return errmsg(L, luaL_typename(L, idx));
  if (lua_iscfunction(L, idx))
    return errmsg(L, "C function");
  top = lua_gettop(L);
  getcache(L, &kbyclosure, "k");  /* top+1 */
  lua_pushvalue(L, idx);
  if (lua_rawget(L, top + 1) == LUA_TFUNCTION) {  /* same closure? */
    lua_replace(L, top + 1);
    return 0;
  }
  lua_pop(L, 1);
  getcache(L, &kbydump, "v");  /* top+2 */
  dumpfunc(L, idx, 0);  /* top+3 */
  lua_pushvalue(L, top + 3);
  if (lua_rawget(L, top + 2) != LUA_TFUNCTION) {  /* new prototype? */
    lua_pop(L, 1);
    if (makefactory(L, top + 3, top + 2) != 0) {
      lua_replace(L, top + 1);
      lua_settop(L, top + 1);
      return -1;
    }
  }
  lua_pushvalue(L, idx);
  lua_pushvalue(L, -2);
  lua_rawset(L, top + 1);
  lua_replace(L, top + 1);
  lua_settop(L, top + 1);
  return 0;
}


int otp_clone (lua_State *L, int idx) {
  int n;
  idx = lua_absindex(L, idx);
  lua_Debug ar;
  lua_pushvalue(L, idx);
  lua_getinfo(L, ">u", &ar);
  if (otp_clone_factory(L, idx) != 0) return -1;
  /* room for the upvalues alone: a stack grown larger than it needs is
  ** shrunk back later, by whoever runs the collector then */
  if (!lua_checkstack(L, ar.nups + 1)) {
    lua_pop(L, 1);
    lua_pushliteral(L, "cannot clone function: stack overflow");
    return -1;
  }
  for (n = 0; lua_getupvalue(L, idx, n + 1) != NULL; n++) ;
  lua_call(L, n, 1);
  return 0;
}
