/*
** The Lua pattern engine with a step budget (see pattern.h).
**
** Matching walks the pattern left to right.  Where Lua's matcher would call
** itself (a quantifier trying one more or one less character, a capture
** opened or closed), this one pushes a frame and goes straight on; a failure
** pops the newest frame and takes its next alternative, or undoes what it
** recorded.  A success is final: nothing after a nested success in Lua's
** matcher looks at it again, so the whole match has succeeded.
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "sandbox/pattern.h"

enum {
  F_MAX,        /* '*' or '+': give back one character and try the rest again */
  F_MIN,        /* '-': take one more character and try the rest again */
  F_OPT,        /* '?' took its character: try the rest without it */
  F_OPEN,       /* a capture was opened: close it on the way back */
  F_CLOSE       /* a capture was closed: reopen it on the way back */
};

void otp_pat_init(otp_pat *m, const char *src, size_t src_len, const char *pat,
                  size_t pat_len) {
  m->src = src;
  m->src_len = src_len;
  m->pat = pat;
  m->pat_len = pat_len;
  otp_pat_begin(m, 0, 0);
}

void otp_pat_begin(otp_pat *m, size_t s, size_t p) {
  m->s = s;
  m->p = p;
  m->failing = 0;
  m->level = 0;
  m->nframes = 0;
  m->end = 0;
  m->err[0] = '\0';
}

int otp_pat_has_specials(const char *pat, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (pat[i] && strchr("^$*+?.([%-", pat[i])) return 1;
  return 0;
}

/* The pattern's byte at i, or 0 past its end (Lua reads its terminator). */
static unsigned char pat_at(const otp_pat *m, size_t i) {
  return i < m->pat_len ? (unsigned char)m->pat[i] : 0;
}

static int fail_with(otp_pat *m, const char *msg, int arg) {
  snprintf(m->err, sizeof m->err, msg, arg);
  return -1;
}

/* %a, %d, ...: does c belong to class cl (an upper-case class: does it not)? */
static int match_class(int c, int cl) {
  int res;
  switch (tolower(cl)) {
    case 'a': res = isalpha(c); break;
    case 'c': res = iscntrl(c); break;
    case 'd': res = isdigit(c); break;
    case 'g': res = isgraph(c); break;
    case 'l': res = islower(c); break;
    case 'p': res = ispunct(c); break;
    case 's': res = isspace(c); break;
    case 'u': res = isupper(c); break;
    case 'w': res = isalnum(c); break;
    case 'x': res = isxdigit(c); break;
    case 'z': res = c == 0; break;        /* still accepted by Lua 5.4 */
    default: return cl == c;
  }
  return isupper(cl) ? !res : res;
}

/* Where the single-character class at p ends; -1 (m->err) if malformed. */
static ptrdiff_t class_end(otp_pat *m, size_t p) {
  unsigned char c = pat_at(m, p++);
  if (c == '%') {
    if (p >= m->pat_len) return fail_with(m, "malformed pattern (ends with '%%')", 0);
    return (ptrdiff_t)p + 1;
  }
  if (c == '[') {
    if (pat_at(m, p) == '^') p++;
    do {                                   /* the first character is never the end */
      if (p >= m->pat_len) return fail_with(m, "malformed pattern (missing ']')", 0);
      c = pat_at(m, p++);
      if (c == '%' && p < m->pat_len) p++;
    } while (pat_at(m, p) != ']');
    return (ptrdiff_t)p + 1;
  }
  return (ptrdiff_t)p;
}

/* Is c in the set [...] from p (its '[') to ec (its ']')? */
static int match_set(const otp_pat *m, int c, size_t p, size_t ec) {
  int found = 1;
  if (pat_at(m, p + 1) == '^') {
    found = 0;
    p++;
  }
  while (++p < ec) {
    unsigned char pc = pat_at(m, p);
    if (pc == '%') {
      p++;
      if (match_class(c, pat_at(m, p))) return found;
    } else if (pat_at(m, p + 1) == '-' && p + 2 < ec) {
      p += 2;
      if (pc <= c && c <= pat_at(m, p)) return found;
    } else if (pc == c) {
      return found;
    }
  }
  return !found;
}

/* Does the subject's character at s match the class from p to ep? */
static int single_match(const otp_pat *m, size_t s, size_t p, size_t ep) {
  if (s >= m->src_len) return 0;
  int c = (unsigned char)m->src[s];
  switch (pat_at(m, p)) {
    case '.': return 1;
    case '%': return match_class(c, pat_at(m, p + 1));
    case '[': return match_set(m, c, p, ep - 1);
    default: return pat_at(m, p) == c;
  }
}

static int push(otp_pat *m, int kind, size_t p, size_t ep, size_t s) {
  if (m->nframes >= OTP_PAT_MAXFRAMES) return fail_with(m, "pattern too complex", 0);
  otp_pat_frame *f = &m->frames[m->nframes++];
  f->kind = (uint8_t)kind;
  f->p = p;
  f->ep = ep;
  f->s = s;
  f->i = 0;
  f->level = 0;
  return 0;
}

/* %bxy at s (p: the x); the end of the balanced run, or (size_t)-1. */
static size_t match_balance(const otp_pat *m, size_t s, size_t p, int64_t *budget) {
  if (s >= m->src_len || (unsigned char)m->src[s] != pat_at(m, p)) return (size_t)-1;
  unsigned char open = pat_at(m, p), close = pat_at(m, p + 1);
  size_t depth = 1, start = s;
  while (++s < m->src_len) {
    unsigned char c = (unsigned char)m->src[s];
    if (c == close) {
      if (--depth == 0) {
        *budget -= (int64_t)(s - start);
        return s + 1;
      }
    } else if (c == open) {
      depth++;
    }
  }
  *budget -= (int64_t)(s - start);
  return (size_t)-1;
}

/* %1..%9 at s: the end of the repeated capture, or (size_t)-1; -2 if the
** index is wrong (m->err). */
static size_t match_backref(otp_pat *m, size_t s, int digit, int64_t *budget) {
  int l = digit - '1';
  if (l < 0 || l >= m->level || m->capture[l].len == OTP_PAT_CAP_UNFINISHED) {
    fail_with(m, "invalid capture index %%%d", l + 1);
    return (size_t)-2;
  }
  ptrdiff_t len = m->capture[l].len;
  if (len < 0) return (size_t)-1;          /* a position: never matches text */
  *budget -= len;
  if (m->src_len - s >= (size_t)len &&
      memcmp(m->src + m->capture[l].init, m->src + s, (size_t)len) == 0)
    return s + (size_t)len;
  return (size_t)-1;
}

/* The newest frame's next alternative: 1 if matching goes on, 0 if the
** frames are used up (no match from this start). */
static int backtrack(otp_pat *m) {
  while (m->nframes > 0) {
    otp_pat_frame *f = &m->frames[m->nframes - 1];
    switch (f->kind) {
      case F_MAX:
        if (f->i > 0) {
          f->i--;
          m->s = f->s + f->i;
          m->p = f->ep + 1;
          return 1;
        }
        break;
      case F_MIN:
        if (single_match(m, f->s, f->p, f->ep)) {
          m->s = ++f->s;
          m->p = f->ep + 1;
          return 1;
        }
        break;
      case F_OPT:
        m->s = f->s;
        m->p = f->ep + 1;
        m->nframes--;
        return 1;
      case F_OPEN:
        m->level--;
        break;
      case F_CLOSE:
        m->capture[f->level].len = OTP_PAT_CAP_UNFINISHED;
        break;
    }
    m->nframes--;
  }
  return 0;
}

/* The capture ')' closes: the newest still open. */
static int capture_to_close(otp_pat *m) {
  for (int l = m->level - 1; l >= 0; l--)
    if (m->capture[l].len == OTP_PAT_CAP_UNFINISHED) return l;
  return fail_with(m, "invalid pattern capture", 0);
}

static int open_capture(otp_pat *m, size_t next_p, ptrdiff_t what) {
  if (m->level >= OTP_PAT_MAXCAPTURES) return fail_with(m, "too many captures", 0);
  m->capture[m->level].init = m->s;
  m->capture[m->level].len = what;
  m->level++;
  if (push(m, F_OPEN, 0, 0, m->s) != 0) return -1;
  m->p = next_p;
  return 0;
}

static int close_capture(otp_pat *m) {
  int l = capture_to_close(m);
  if (l < 0) return -1;
  m->capture[l].len = (ptrdiff_t)(m->s - m->capture[l].init);
  if (push(m, F_CLOSE, 0, 0, m->s) != 0) return -1;
  m->frames[m->nframes - 1].level = (uint8_t)l;
  m->p++;
  return 0;
}

/* '%f[set]' at p (its '%'): 1 on, 0 fail, -1 error. */
static int frontier(otp_pat *m) {
  size_t p = m->p + 2;
  if (pat_at(m, p) != '[') return fail_with(m, "missing '[' after '%%f' in pattern", 0);
  ptrdiff_t ep = class_end(m, p);
  if (ep < 0) return -1;
  int prev = m->s == 0 ? 0 : (unsigned char)m->src[m->s - 1];
  int cur = m->s < m->src_len ? (unsigned char)m->src[m->s] : 0;
  if (match_set(m, prev, p, (size_t)ep - 1) || !match_set(m, cur, p, (size_t)ep - 1))
    return 0;
  m->p = (size_t)ep;
  return 1;
}

/* A single-character class, maybe with a quantifier: 1 on, 0 fail, -1 error. */
static int single(otp_pat *m, int64_t *budget) {
  ptrdiff_t e = class_end(m, m->p);
  if (e < 0) return -1;
  size_t ep = (size_t)e, s = m->s;
  unsigned char q = pat_at(m, ep);
  if (!single_match(m, s, m->p, ep)) {
    if (q != '*' && q != '?' && q != '-') return 0;
    m->p = ep + 1;                         /* zero of them is fine */
    return 1;
  }
  switch (q) {
    case '?':
      if (push(m, F_OPT, m->p, ep, s) != 0) return -1;
      m->s = s + 1;
      m->p = ep + 1;
      return 1;
    case '-':
      if (push(m, F_MIN, m->p, ep, s) != 0) return -1;
      m->p = ep + 1;
      return 1;
    case '+':
    case '*': {
      size_t base = q == '+' ? s + 1 : s, i = 0;
      while (single_match(m, base + i, m->p, ep)) i++;
      *budget -= (int64_t)i;
      if (push(m, F_MAX, m->p, ep, base) != 0) return -1;
      m->frames[m->nframes - 1].i = i;
      m->s = base + i;
      m->p = ep + 1;
      return 1;
    }
    default:
      m->s = s + 1;
      m->p = ep;
      return 1;
  }
}

/* One step from (s, p): 1 on, 0 fail, -1 error, 2 the match is complete. */
static int step(otp_pat *m, int64_t *budget) {
  if (m->p >= m->pat_len) {
    m->end = m->s;
    return 2;
  }
  switch (pat_at(m, m->p)) {
    case '(':
      if (pat_at(m, m->p + 1) == ')')
        return open_capture(m, m->p + 2, OTP_PAT_CAP_POSITION) ? -1 : 1;
      return open_capture(m, m->p + 1, OTP_PAT_CAP_UNFINISHED) ? -1 : 1;
    case ')':
      return close_capture(m) ? -1 : 1;
    case '$':
      if (m->p + 1 != m->pat_len) break;
      if (m->s != m->src_len) return 0;
      m->end = m->s;
      return 2;
    case '%':
      switch (pat_at(m, m->p + 1)) {
        case 'b': {
          if (m->p + 2 >= m->pat_len - 1)
            return fail_with(m, "malformed pattern (missing arguments to '%%b')", 0);
          size_t e = match_balance(m, m->s, m->p + 2, budget);
          if (e == (size_t)-1) return 0;
          m->s = e;
          m->p += 4;
          return 1;
        }
        case 'f':
          return frontier(m);
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9': {
          size_t e = match_backref(m, m->s, pat_at(m, m->p + 1), budget);
          if (e == (size_t)-2) return -1;
          if (e == (size_t)-1) return 0;
          m->s = e;
          m->p += 2;
          return 1;
        }
      }
      break;
  }
  return single(m, budget);
}

int otp_pat_run(otp_pat *m, int64_t *budget) {
  while (*budget > 0) {
    (*budget)--;
    if (m->failing) {
      if (!backtrack(m)) return OTP_PAT_NOMATCH;
      m->failing = 0;
      continue;
    }
    switch (step(m, budget)) {
      case 2: return OTP_PAT_MATCH;
      case 0: m->failing = 1; break;
      case -1: return OTP_PAT_ERROR;
    }
  }
  return OTP_PAT_PAUSED;
}
