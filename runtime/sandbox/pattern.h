/*
** Lua patterns (the Lua 5.4 manual, section 6.4.1) matched by an engine
** that can stop and go on: the backtracking lives in an explicit stack of
** frames instead of the C stack, so a match runs for a budget of steps and
** returns OTP_PAT_PAUSED when it is spent; calling otp_pat_run again goes on
** where it stopped.  A sandbox's string.find/match/gmatch/gsub use it so that
** a pattern that backtracks for hours yields to the scheduler like Lua code.
**
** The semantics are Lua's, errors included (and raised as lazily: a
** malformed piece is only reported when the match reaches it), down to the
** limit of 200 nested choices ("pattern too complex") and 32 captures.
** Positions are byte offsets into the subject; nothing here knows Lua.
*/
#ifndef OTP_PATTERN_H
#define OTP_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#define OTP_PAT_MAXCAPTURES 32
#define OTP_PAT_MAXFRAMES 199     /* Lua's 200 nested match calls, less the first */

enum { OTP_PAT_CAP_UNFINISHED = -1, OTP_PAT_CAP_POSITION = -2 };

/* What otp_pat_run ended with. */
enum { OTP_PAT_MATCH, OTP_PAT_NOMATCH, OTP_PAT_PAUSED, OTP_PAT_ERROR };

typedef struct otp_pat_capture {
  size_t init;
  ptrdiff_t len;                /* >= 0, or OTP_PAT_CAP_* */
} otp_pat_capture;

typedef struct otp_pat_frame {  /* a choice to come back to, or a capture to undo */
  uint8_t kind;
  uint8_t level;                /* the capture a capture frame undoes */
  size_t p, ep;                 /* the single-char class and what follows it */
  size_t s;                     /* where the choice was made */
  size_t i;                     /* '*' and '+': how many characters are still taken */
} otp_pat_frame;

typedef struct otp_pat {
  const char *src, *pat;        /* set again by the caller after a pause */
  size_t src_len, pat_len;
  size_t s, p;                  /* where matching stands */
  int failing;                  /* backtracking to the newest frame */
  int level;                    /* captures opened */
  int nframes;
  size_t end;                   /* OTP_PAT_MATCH: where the match ends */
  otp_pat_capture capture[OTP_PAT_MAXCAPTURES];
  otp_pat_frame frames[OTP_PAT_MAXFRAMES];
  char err[80];                 /* OTP_PAT_ERROR: Lua's message */
} otp_pat;

/* Sets m up for subject src and pattern pat (the caller keeps both alive
** and in place while m is in use). */
void otp_pat_init(otp_pat *m, const char *src, size_t src_len, const char *pat,
                  size_t pat_len);

/* Starts a match attempt of pattern[p..] at subject offset s. */
void otp_pat_begin(otp_pat *m, size_t s, size_t p);

/* Runs the attempt for at most about *budget steps (what is left is written
** back): OTP_PAT_MATCH (m->end, m->level, m->capture), OTP_PAT_NOMATCH,
** OTP_PAT_ERROR (m->err), or OTP_PAT_PAUSED (call again to go on). */
int otp_pat_run(otp_pat *m, int64_t *budget);

/* Does the pattern have any character that is special? (If not, a plain
** substring search gives the same answer.) */
int otp_pat_has_specials(const char *pat, size_t len);

#endif
