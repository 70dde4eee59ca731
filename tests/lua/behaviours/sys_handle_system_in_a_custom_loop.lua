-- sys.handle_system(msg, hooks) gives any process loop the system messages
-- gen_server answers (the supervisor uses it the same way): get_state,
-- replace_state, suspend/resume, get_status, statistics, trace, terminate
-- (so gen_server.stop works on it), change_code.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local sys = otp.sys
local main = otp.self()

-- A counter written by hand: {"add", n} messages, state in a local.
local function counter(parent)
  local count = 0
  local hooks
  hooks = {
    name = "counter_loop",
    parent = parent,
    get_state = function() return count end,
    set_state = function(v) count = v end,
    status = function() return {state = {count = count}, kind = "hand written"} end,
    terminate = function(reason)
      otp.send(main, {"terminate", reason, count})
      otp.exit(reason)
    end,
    code_change = function(module, old_vsn, extra)
      count = count + extra
      return true
    end,
  }
  while true do
    local m = otp.receive()
    if m[1] == "$system" then
      sys.handle_system(m, hooks)
    elseif m[1] == "add" then
      if hooks.debug then sys.event(hooks, "in", m) end
      count = count + m[2]
      otp.send(main, {"added", count})
      if hooks.debug then sys.event(hooks, "noreply", count) end
    end
  end
end

local p = otp.spawn_link(counter, main)
otp.send(p, {"add", 2})
expect.eq(expect.receive({"added"}), {"added", 2})
expect.eq(sys.get_state(p), 2)
expect.eq(sys.replace_state(p, function(n) return n * 100 end), 200)

-- suspended: "add" waits; get_state and get_status still answer
sys.suspend(p)
otp.send(p, {"add", 1})
local st = sys.get_status(p)
expect.eq(st, {pid = p, module = "counter_loop", behaviour = "counter_loop", status = "suspended", parent = main,
               name = nil, label = nil, state = {count = 200}, kind = "hand written",
               trace = false, statistics = false})
expect.no_message({"added"}, 20)
-- change_code only while suspended (OTP's rule)
expect.eq({sys.change_code(p, nil, "1", 5)}, {true})
sys.resume(p)
expect.eq(expect.receive({"added"}), {"added", 206})
expect.eq({sys.change_code(p, nil, "1", 5)}, {nil, {"unknown_system_msg", {"change_code", nil, "1", 5}}})

-- statistics and trace through sys.event
sys.statistics(p, true)
sys.trace(p, main)
otp.send(p, {"add", 1})
expect.eq(expect.receive({"added"}), {"added", 207})
expect.eq(expect.receive({"sys_trace"})[3], "*DBG* " .. tostring(p) .. " got {\"add\", 1}")
expect.eq(expect.receive({"sys_trace"})[3], "*DBG* " .. tostring(p) .. " new state 207")
local stats = sys.statistics(p)
expect.eq({stats.messages_in, stats.messages_out}, {1, 0})

-- an unknown system request is answered with an error, the loop goes on
local ok, reply = sys.gen_call(p, "$system", "what is this", 1000)
expect.eq({ok, reply}, {true, {"error", {"unknown_system_msg", "what is this"}}})

-- gen_server.stop uses the terminate hook
otp.trap_exit(true)
expect.eq(gen_server.stop(p, "shutdown"), true)
expect.eq({expect.receive(nil, 0), expect.receive(nil, 1000)},
          {{"terminate", "shutdown", 207}, {"EXIT", p, "shutdown"}})
