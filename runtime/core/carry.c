/*
** Carrying values between states.
*/
#include "core/carry.h"
#include "core/copy.h"
#include "core/vm.h"
#include "core/xcopy.h"
#include "core/signal.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "trace/trace.h"

otp_carry otp_carry_begin(lua_State *from, int idx, otp_vm *vm) {
  idx = lua_absindex(from, idx);
  if (otp_vm_of(from) == vm) return (otp_carry){from, idx, -1};
  lua_State *L = vm->L;
  otp_carry c = {L, 0, lua_gettop(L)};
  /* a failed decode leaves its error message, which then stands in */
  otp_xmove(from, idx, 1, L, OTP_COPY_LENIENT, "reason", 0);
  c.idx = lua_gettop(L);
  return c;
}

void otp_carry_end(const otp_carry *c) {
  if (c->top >= 0) lua_settop(c->L, c->top);
}

void otp_carry_top(lua_State *T, lua_State *L, const char *lost) {
  if (otp_vm_of(T) == otp_vm_of(L)) {
    if (T != L) lua_xmove(T, L, 1);
    return;
  }
  if (otp_xmove(T, -1, 1, L, OTP_COPY_LENIENT, "value", 0) != LUA_OK) {
    lua_pop(L, 1);
    lua_pushstring(L, lost);
  }
  lua_pop(T, 1);
}

void otp_carry_message(lua_State *L, int idx, otp_proc *self, otp_proc *to,
                       otp_copy_mode mode) {
  otp_node *node = self->node;
  idx = lua_absindex(L, idx);
  otp_xbuf *b = otp_xencode(L, idx, 1, mode, "msg");
  node->messages_sent++;
  self->vm->messages_sent++;
  if (otp_trace_on(node, OTP_EV_SEND)) {
    otp_trace_info info = {.pid = self->pid, .other = to->pid, .L = L, .msg = idx};
    otp_trace_emit(node, OTP_EV_SEND, &info);
  }
  lua_State *T = to->vm->L;
  int top = lua_gettop(T);
  otp_proc_push_env(T, to);
  otp_charge_state cs = otp_charge_receiver(node, to);
  int status = otp_xdecode(T, b, top + 1);
  otp_charge_restore(node, cs);
  otp_xbuf_free(b);
  if (status == LUA_OK) otp_mailbox_put(node, T, to, self->pid);
  lua_settop(T, top);     /* a message that cannot be decoded is lost, as to the dead */
}
