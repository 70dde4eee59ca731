/*
** Process identifiers.
** A pid packs the process-table slot (low 24 bits) with a serial number that
** is never reused (high 40 bits): lookup is one array index plus a compare,
** and a pid of a dead process never finds the slot's new owner.
*/
#ifndef OTP_PID_H
#define OTP_PID_H

#include <stdint.h>

typedef uint64_t otp_pid;

#define OTP_PID_SLOT_BITS 24
#define OTP_PID_NONE ((otp_pid)0)

#define otp_pid_make(serial, slot) (((otp_pid)(serial) << OTP_PID_SLOT_BITS) | (slot))
#define otp_pid_slot(p) ((uint32_t)((p) & ((1u << OTP_PID_SLOT_BITS) - 1)))
#define otp_pid_serial(p) ((uint64_t)(p) >> OTP_PID_SLOT_BITS)

#endif
