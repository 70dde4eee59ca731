/*
** The part of net_kernel other nodes rely on.  net_adm:ping(Node) is a
** gen_server call {'$gen_call', {From, Tag}, {is_auth, Self}} to
** {net_kernel, Node} under a monitor: otplab answers {Tag, yes}, as every
** Erlang node's net_kernel does (control.c keeps the monitor on the name
** from answering noproc).  The Tag is copied byte for byte: since OTP 24 it
** is [alias | Ref], an improper list no Lua value holds.
*/
#include <string.h>
#include "dist/dist_internal.h"
#include "dist/dist_term.h"

/* The term at buf[*at], skipped after checking it lies within the buffer. */
static int skip(const char *buf, size_t len, int *at) {
  size_t i = (size_t)*at;
  if (otp_dist_check_term(buf, len, &i) != 0) return -1;
  *at = (int)i;
  return 0;
}

void dist_net_kernel_message(dist_conn *c, const char *buf, size_t len, int at) {
  int version, arity, tag_at, tag_end;
  char atom[MAXATOMLEN_UTF8];
  erlang_pid from;
  int whole = at;
  if (ei_decode_version(buf, &whole, &version) < 0 || skip(buf, len, &whole) != 0) return;
  at += 1;                                             /* the version byte */
  if (ei_decode_tuple_header(buf, &at, &arity) < 0 || arity != 3) return;
  if (ei_decode_atom(buf, &at, atom) < 0 || strcmp(atom, "$gen_call") != 0) return;
  if (ei_decode_tuple_header(buf, &at, &arity) < 0 || arity != 2) return;
  if (ei_decode_pid(buf, &at, &from) < 0) return;
  tag_at = at;
  if (skip(buf, len, &at) != 0) return;
  tag_end = at;
  if (ei_decode_tuple_header(buf, &at, &arity) < 0 || arity != 2) return;
  if (ei_decode_atom(buf, &at, atom) < 0 || strcmp(atom, "is_auth") != 0) return;

  ei_x_buff ctl, msg;                                  /* {2, '', From} and {Tag, yes} */
  ei_x_new_with_version(&ctl);
  ei_x_encode_tuple_header(&ctl, 3);
  ei_x_encode_long(&ctl, DOP_SEND);
  ei_x_encode_atom(&ctl, "");
  ei_x_encode_pid(&ctl, &from);
  ei_x_new_with_version(&msg);
  ei_x_encode_tuple_header(&msg, 2);
  ei_x_append_buf(&msg, buf + tag_at, tag_end - tag_at);
  ei_x_encode_atom(&msg, "yes");
  wire_send(c, ctl.buff, ctl.index, msg.buff, msg.index);
  ei_x_free(&ctl);
  ei_x_free(&msg);
}
