/*
** JUnit XML reports for `otplab test --junit FILE`: one <testcase> per
** scenario, its output as <system-out>, a failure's reason as <failure>.
** The report is written when the run ends (to FILE.tmp, then renamed), so
** a reader never sees half a file.
*/
#ifndef OTP_JUNIT_H
#define OTP_JUNIT_H

#include <stdio.h>

typedef struct junit junit;

/* NULL (with the reason in errno) if path cannot be written. */
junit *junit_open(const char *path);
/* One scenario: path, seconds, NULL if it passed or why it failed, and its
** output (read from out's start; at most a bounded tail is kept). */
void junit_case(junit *j, const char *path, double seconds, const char *failure, FILE *out);
/* Writes the report and frees j; 0 on success, -1 (errno) if it could not. */
int junit_close(junit *j);

#endif
