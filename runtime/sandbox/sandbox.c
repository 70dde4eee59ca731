/*
** Sandboxes: their records, states and limits.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sandbox/sandbox.h"
#include "core/node.h"
#include "core/proc.h"
#include "core/timer.h"

otp_sandbox *otp_sandbox_find(otp_node *node, const char *name) {
  for (otp_sandbox *sb = node->sandboxes; sb; sb = sb->next)
    if (strcmp(sb->name, name) == 0) return sb;
  return NULL;
}

static int open_state(otp_sandbox *sb, char *err, size_t errlen) {
  if (otp_vm_open(&sb->vm, sb->node, sb, OTP_VM_SANDBOX | sb->limits.allow, err,
                  errlen) != 0)
    return -1;
  sb->vm.max_memory = sb->limits.max_memory;
  sb->vm.sandbox_id = sb->id;
  sb->vm.name = sb->name;
  sb->vm.max_reductions = sb->limits.max_reductions;
  sb->opened_ns = otp_now_ns();
  sb->root = OTP_PID_NONE;
  return 0;
}

otp_sandbox *otp_sandbox_create(otp_node *node, const char *name,
                                const otp_sandbox_limits *limits, char *err,
                                size_t errlen) {
  if (otp_sandbox_find(node, name)) {
    snprintf(err, errlen, "already_exists");
    return NULL;
  }
  otp_sandbox *sb = calloc(1, sizeof *sb);
  if (!sb || !(sb->name = strdup(name))) {
    free(sb);
    snprintf(err, errlen, "not enough memory");
    return NULL;
  }
  sb->node = node;
  sb->id = ++node->next_sandbox_id;
  sb->limits = *limits;
  if (open_state(sb, err, errlen) != 0) {
    free(sb->name);
    free(sb);
    return NULL;
  }
  sb->next = node->sandboxes;
  node->sandboxes = sb;
  node->close_states = otp_sandbox_destroy_all;
  return sb;
}

void otp_sandbox_close(otp_sandbox *sb) {
  otp_node *node = sb->node;
  otp_vm *vm = &sb->vm;
  if (!vm->L) return;
  for (uint32_t i = 0; i < node->nslots; i++) {
    otp_proc *p = node->procs[i];
    if (!p || p->vm != vm || !otp_proc_alive(p)) continue;
    lua_pushliteral(vm->L, "killed");
    otp_proc_exit(p, vm->L);
  }
  otp_proc_reap(node);             /* links and monitors fire now */
  sb->limit_kills += vm->limit_kills;
  otp_timer_close_all(vm);
  otp_vm_close(vm);
}

int otp_sandbox_reopen(otp_sandbox *sb, char *err, size_t errlen) {
  otp_sandbox_close(sb);
  sb->restarts++;
  return open_state(sb, err, errlen);
}

void otp_sandbox_destroy(otp_sandbox *sb) {
  otp_node *node = sb->node;
  otp_sandbox_close(sb);
  for (otp_sandbox **at = &node->sandboxes; *at; at = &(*at)->next)
    if (*at == sb) {
      *at = sb->next;
      break;
    }
  free(sb->name);
  free(sb);
}

/* Node teardown: the processes are already freed, without any signalling. */
void otp_sandbox_destroy_all(otp_node *node) {
  while (node->sandboxes) {
    otp_sandbox *sb = node->sandboxes;
    otp_timer_close_all(&sb->vm);
    otp_vm_close(&sb->vm);
    otp_sandbox_destroy(sb);     /* closing again is a no-op */
  }
}

uint32_t otp_sandbox_max_timers(const otp_sandbox *sb) {
  return sb->limits.max_timers ? sb->limits.max_timers : OTP_SANDBOX_DEFAULT_MAX_TIMERS;
}

int otp_sandbox_admit(const otp_vm *vm) {
  const otp_sandbox *sb = vm->sandbox;
  return sb && sb->limits.max_processes && vm->nprocs >= sb->limits.max_processes ? -1 : 0;
}

