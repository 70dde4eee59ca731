/*
** Integers beyond 64 bits on the wire: Erlang's SMALL_BIG_EXT (110: n:8
** sign:8 digits) and LARGE_BIG_EXT (111: n:32 sign:8 digits), digits in
** base 256, least significant first; in Lua a bigint (core/ekind.h) keeps
** its decimal digits.  Conversion is schoolbook, in base 10^9 limbs: the
** size is capped (OTP_BIGINT_MAX_DIGITS), so it stays cheap.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"
#include "core/ekind.h"

#define BIG_MAX_BYTES (OTP_BIGINT_MAX_DIGITS * 10 / 24 + 2)   /* log2(10)/8 < 10/24 */

/* Base-256 little-endian mag[0..n) as decimal into out (room for n*3 + 2);
** returns the length. mag is used up. */
static size_t to_decimal(unsigned char *mag, size_t n, int neg, char *out) {
  char *rev = out + 1;      /* digits backwards, nine per division */
  size_t k = 0;
  while (n > 0 && mag[n - 1] == 0) n--;
  while (n > 0) {
    uint64_t rem = 0;
    for (size_t i = n; i-- > 0;) {
      uint64_t cur = rem << 8 | mag[i];
      mag[i] = (unsigned char)(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    while (n > 0 && mag[n - 1] == 0) n--;
    for (int j = 0; j < 9 && (n > 0 || rem > 0); j++) {
      rev[k++] = (char)('0' + rem % 10);
      rem /= 10;
    }
  }
  size_t len = 0;
  if (neg) out[len++] = '-';
  char *digits = out + len;
  memmove(digits, rev, k);
  for (size_t i = 0; i < k / 2; i++) {
    char c = digits[i];
    digits[i] = digits[k - 1 - i];
    digits[k - 1 - i] = c;
  }
  return len + k;
}

int dist_big_push(lua_State *L, const char *buf, int *index) {
  const unsigned char *p = (const unsigned char *)buf + *index;
  size_t n, head;
  if (p[0] == ERL_SMALL_BIG_EXT) {
    n = p[1];
    head = 3;
  } else {
    n = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
    head = 6;
  }
  int neg = p[head - 1] != 0;
  if (n > BIG_MAX_BYTES) return -1;
  unsigned char *mag = malloc(n + 1);
  char *out = malloc(n * 3 + 3);
  if (!mag || !out) {
    free(mag);
    free(out);
    return -1;
  }
  memcpy(mag, p + head, n);
  size_t len = to_decimal(mag, n, neg, out);
  int ok = otp_ekind_bigint_ok(out, len);
  if (ok) otp_push_ekind(L, OTP_EK_BIGINT, out, len);
  free(mag);
  free(out);
  if (!ok) return -1;        /* it fits in 64 bits after all: the caller decodes it */
  *index += (int)(head + n);
  return 0;
}

int dist_big_encode(ei_x_buff *x, const char *s, size_t len) {
  int neg = s[0] == '-';
  const char *d = s + neg;
  size_t k = len - (size_t)neg;
  size_t cap = k * 10 / 24 + 2;
  unsigned char *mag = calloc(cap, 1);
  if (!mag) return -1;
  size_t n = 0;                                  /* bytes in use */
  for (size_t i = 0; i < k;) {
    uint32_t chunk = 0, mul = 1;
    for (int j = 0; j < 9 && i < k; j++, i++) {
      chunk = chunk * 10 + (uint32_t)(d[i] - '0');
      mul *= 10;
    }
    uint64_t carry = chunk;
    for (size_t b = 0; b < n; b++) {             /* mag = mag * mul + chunk */
      uint64_t cur = (uint64_t)mag[b] * mul + carry;
      mag[b] = (unsigned char)cur;
      carry = cur >> 8;
    }
    while (carry) {
      mag[n++] = (unsigned char)carry;
      carry >>= 8;
    }
  }
  unsigned char head[6];
  size_t hl;
  if (n < 256) {
    head[0] = ERL_SMALL_BIG_EXT;
    head[1] = (unsigned char)n;
    head[2] = (unsigned char)neg;
    hl = 3;
  } else {
    head[0] = ERL_LARGE_BIG_EXT;
    head[1] = (unsigned char)(n >> 24);
    head[2] = (unsigned char)(n >> 16);
    head[3] = (unsigned char)(n >> 8);
    head[4] = (unsigned char)n;
    head[5] = (unsigned char)neg;
    hl = 6;
  }
  int r = ei_x_append_buf(x, (const char *)head, (int)hl) < 0 ||
                  ei_x_append_buf(x, (const char *)mag, (int)n) < 0
              ? -1
              : 0;
  free(mag);
  return r;
}
