/*
** Pids and refs of other nodes.  The core keeps what identifies them (their
** node, the numbers Erlang gives them) in one table per node, and a remote
** pid or ref is an otp_pid (or ref id) with the top bit set and the index of
** its entry below it: the same remote process is always the same otp_pid,
** so it compares, keys tables and survives copies like a local pid, and no
** local lookup ever finds it (local serials never reach the top bit).
*/
#ifndef OTP_REMOTE_H
#define OTP_REMOTE_H

#include <stddef.h>
#include <stdint.h>

struct otp_node;

#define OTP_REMOTE_BIT ((uint64_t)1 << 63)
#define otp_is_remote(v) (((uint64_t)(v) & OTP_REMOTE_BIT) != 0)
#define OTP_REMOTE_MAX_ENTRIES (1u << 20)   /* beyond: the term arrives as an error value */
#define OTP_REMOTE_MAX_NODES 4096

typedef enum { OTP_REMOTE_PID, OTP_REMOTE_REF } otp_remote_kind;

typedef struct otp_remote_id {
  uint32_t kind;        /* otp_remote_kind */
  uint32_t node;        /* index of its node, from 1 (otp_remote_node_name) */
  uint32_t creation;    /* the node's incarnation */
  uint32_t len;         /* words used in n: 2 for a pid (number, serial), 1..5 for a ref */
  uint32_t n[5];
} otp_remote_id;

/* The index of the node called name (interned; it keeps its index for the
** node's life), or 0 if the table of nodes is full. */
uint32_t otp_remote_node(struct otp_node *node, const char *name);
/* The name of node index i, or NULL. */
const char *otp_remote_node_name(const struct otp_node *node, uint32_t i);
/* The otp_pid (or ref id) for id, interned; 0 if the table is full. */
uint64_t otp_remote_intern(struct otp_node *node, const otp_remote_id *id);
/* What the remote pid or ref v is, or NULL if v is not one. */
const otp_remote_id *otp_remote_get(const struct otp_node *node, uint64_t v);
/* The node index of the remote pid or ref v, or 0 for a local one. */
uint32_t otp_remote_node_of(const struct otp_node *node, uint64_t v);

/* Formats a remote pid as Erlang prints it, "<N.Number.Serial>", or a remote
** ref as "#Ref<N.a.b.c>" (N: the node index). */
void otp_remote_format(const struct otp_node *node, uint64_t v, char *buf, size_t len);

void otp_remote_free(struct otp_node *node);

#endif
