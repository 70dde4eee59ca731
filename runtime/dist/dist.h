/*
** Distribution: the node as an Erlang node, speaking Erlang's own protocol
** through erl_interface (ei).  Layer 4, beside the host.
**
** A named node registers with epmd (starting `epmd -daemon` if none
** answers), listens on a socket polled by the node's libuv loop, accepts
** Erlang nodes and reads their messages there; messages to a registered
** name are decoded into Lua values (dist/dist_term.c) and delivered.
*/
#ifndef OTP_DIST_H
#define OTP_DIST_H

#include <stddef.h>

struct otp_node;

/* Makes node the Erlang node name@host (longnames 0: name is a short name,
** the host this one's) or name (longnames 1: "alive@host", as erl -name)
** with cookie (NULL: ~/.erlang.cookie, as erl does) and Erlang's
** net_ticktime in seconds (0: 60). Returns 0, or -1 with a message in err. */
int otp_dist_start(struct otp_node *node, const char *name, int longnames, const char *cookie,
                   unsigned ticktime_s, char *err, size_t errlen);
/* Closes the connections and unregisters from epmd. */
void otp_dist_stop(struct otp_node *node);

#endif
