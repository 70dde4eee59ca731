/*
** A process's link set: its peers' pids in an array, in the order they
** were linked (what exit signals go out in), and, once there are many, an
** index of their positions by pid, so that a supervisor linking to its
** 80,000th child does not compare it with the other 79,999 first.
*/
#ifndef OTP_LINKS_H
#define OTP_LINKS_H

#include "core/proc.h"

int otp_links_has(const otp_proc *p, otp_pid pid);
/* Adds pid unless p is already linked to it; 1 if it added it. */
int otp_links_add(otp_proc *p, otp_pid pid);
/* Removes pid (the last peer takes its place); 1 if it was there. */
int otp_links_remove(otp_proc *p, otp_pid pid);
/* For a process about to pop its links off the array itself (its death):
** the index would no longer match, so it goes (a scan serves what is left). */
void otp_links_drop_index(otp_proc *p);
void otp_links_free(otp_proc *p);

#endif
