-- otp.peer: other otplab nodes started from this one, as OTP 25's peer
-- module starts Erlang nodes (the node that starts them is the origin).
--
--   local node, ctl = otp.peer.start_link{name = "b"}   -- "b@HOST", connected
--   otp.spawn_on(node, fn)      otp.monitor_node(node, true)
--   otp.peer.stop(node)         -- or otp.peer.stop(ctl); true
--
-- start_link(opts) / start(opts) -> node, ctl | nil, reason. The peer is
-- `otplab run --sname NAME` (or --name NAME@HOST if this node has a long
-- name) with this node's cookie and net ticktime, in the same folder and
-- environment (so on the same epmd port, ERL_EPMD_PORT included); it
-- connects to this node, and start returns once it has (or nil, "timeout"
-- after wait_boot ms of real time, or nil, {"exit_status", S} if it ended
-- first). opts: name (default random_name()), args (an array of otplab run
-- options for the peer: {"--log-level", "error"}), wait_boot (15000),
-- peer_down ("stop", "continue" or "crash", as OTP's). This node must have a
-- name: `otplab run --sname a`, or otp.net_kernel.start() first.
--
-- ctl is the peer's control process on this node: start_link links it to
-- the caller (peer:start_link): the caller's exit stops the peer, and the
-- control process exits when the peer goes: "normal" (peer_down "stop"),
-- {"nodedown", node} ("crash"), or it stays ("continue"). Processes that
-- watch the node (otp.monitor_node) get {"nodedown", node} first, then the
-- control process's EXIT comes, as in OTP. The peer halts when its control
-- connection closes, and that connection is a pipe (OTP's connection =
-- standard_io, not the distribution connection): a partition,
-- otp.disconnect(node, {block_ms = N}), leaves the peer running, so it can
-- heal. Killing this OS process (even with SIGKILL) stops every peer it
-- started: no orphans.
--
-- stop(node | ctl) -> true once the peer's OS process is gone and its
-- connection is down; a peer that is not running raises the exit "noproc"
-- (peer:stop's noproc). random_name([prefix]) -> "peer-N-TAG", unique on
-- this host (under --seed, the same in every run from one folder).
local errors = require "otp.errors"
local core = otp_internal and otp_internal.peer_core

local peer = {}

local OPTS = {"name", "args", "wait_boot", "peer_down"}
local PEER_DOWN = {stop = true, continue = true, crash = true}
local STOP_WAIT_MS = 5000      -- then the peer is killed

local function need_core(level)
  if not core then
    error("badarg: otp.peer is not available here (only host processes of otplab run, test, "
          .. "lesson, console and serve start nodes; a sandbox cannot)", level + 1)
  end
end

function peer.random_name(prefix)
  need_core(2)
  if prefix ~= nil and (type(prefix) ~= "string" or not prefix:match("^[%w_%-]+$")) then
    errors.badarg("otp.peer.random_name's prefix is letters, digits, '_' and '-', got "
                  .. tostring(prefix), 2)
  end
  return (prefix or "peer") .. "-" .. core.unique()
end

local function is_peer_msg(ref)
  return function(m) return type(m) == "table" and m[1] == "$peer" and m[2] == ref end
end

local function connected(node)
  for _, n in ipairs(otp.nodes()) do
    if n == node then return true end
  end
  return false
end

-- The peer's OS process has exited (the "exit" message is taken): wait for
-- its connection to drop too, so that watchers have their nodedown first.
local function await_nodedown(node)
  if not connected(node) then return end
  otp.monitor_node(node, true)
  otp.receive(function(m) return type(m) == "table" and m[1] == "nodedown" and m[2] == node end,
              STOP_WAIT_MS)
  otp.monitor_node(node, false)
end

-- Closes the peer's stdin and waits for it to exit; kills it if it lingers.
local function stop_peer(ref, node, exited)
  if exited then return await_nodedown(node) end
  core.close(ref)
  if not otp.receive(is_peer_msg(ref), STOP_WAIT_MS) then
    core.close(ref, true)
    otp.receive(is_peer_msg(ref))
  end
  await_nodedown(node)
end

local function exit_reason(m)
  if m[5] ~= 0 then return {"signal", m[5]} end
  return {"exit_status", m[4]}
end

-- The control process: starts the OS process, answers the starter, then
-- stands for the peer until one of them goes.
local function control(caller, tag, name, args, wait_boot, peer_down)
  local ref = otp.make_ref()
  local node, why = core.spawn(name, args, ref)
  local function fail(reason)
    otp.unlink(caller)
    otp.send(caller, {tag, "error", reason})
  end
  if not node then return fail(why) end
  otp.set_label("peer " .. node)
  local m = otp.receive(is_peer_msg(ref), wait_boot)
  if m == nil or m[3] ~= "up" then
    stop_peer(ref, node, m ~= nil)
    return fail(m and exit_reason(m) or "timeout")
  end
  otp.send(caller, {tag, "ok", node})
  local down = false
  while true do
    m = otp.receive()
    if type(m) == "table" and m[1] == "$peer" and m[2] == ref and m[3] == "exit" then
      await_nodedown(node)
      if peer_down == "crash" then otp.exit({"nodedown", node}) end
      if peer_down == "stop" then return end
      down = true
    elseif type(m) == "table" and m[1] == "EXIT" and m[2] == caller then
      stop_peer(ref, node, down)
      otp.exit(m[3])
    elseif type(m) == "table" and m[1] == "$peer_stop" then
      stop_peer(ref, node, down)
      otp.send(m[2], {m[3], true})
      return
    end
  end
end

local function start(opts, link, fname)
  need_core(3)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then
    errors.badarg(fname .. " takes an options table {name =, args =, wait_boot =, peer_down =}"
                  .. ", got " .. type(opts), 3)
  end
  errors.check_keys(opts, OPTS, fname .. "'s options", 3)
  if otp.node() == "nonode@nohost" then
    error("notalive: " .. fname .. " needs this node to be distributed (an Erlang node with "
          .. "a name): start otplab with --sname NAME (otplab run --sname a FILE), or call "
          .. "otp.net_kernel.start() first", 3)
  end
  local name = opts.name
  if name == nil then name = peer.random_name() end
  if type(name) ~= "string" or not name:match("^[%w_%-]+$") or #name > 200 then
    errors.badarg(fname .. "'s name is a short node name (letters, digits, '_', '-'), got "
                  .. tostring(name), 3)
  end
  local args = opts.args or {}
  if type(args) ~= "table" then
    errors.badarg(fname .. "'s args is an array of otplab run options, got " .. type(args), 3)
  end
  local wait_boot = opts.wait_boot or 15000
  if math.type(wait_boot) ~= "integer" or wait_boot <= 0 then
    errors.badarg(fname .. "'s wait_boot is milliseconds (an integer > 0), got "
                  .. tostring(wait_boot), 3)
  end
  local peer_down = opts.peer_down or "stop"
  if not PEER_DOWN[peer_down] then
    errors.badarg(fname .. "'s peer_down is \"stop\", \"continue\" or \"crash\", got "
                  .. tostring(peer_down), 3)
  end
  for i = 1, #args do
    if type(args[i]) ~= "string" then
      errors.badarg(fname .. "'s args are strings, args[" .. i .. "] is " .. type(args[i]), 3)
    end
  end
  local tag = otp.make_ref()
  local ctl = otp.spawn_opt(control, {link = link, trap_exit = true}, otp.self(), tag, name,
                            args, wait_boot, peer_down)
  local mref = otp.monitor(ctl)
  local m = otp.receive(function(m)
    return type(m) == "table" and (m[1] == tag or (m[1] == "DOWN" and m[2] == mref))
  end)
  otp.demonitor(mref, {flush = true})
  if m[1] == "DOWN" then return nil, m[5] end
  if m[2] ~= "ok" then return nil, m[3] end
  return m[3], ctl
end

function peer.start_link(opts) return start(opts, true, "otp.peer.start_link") end
function peer.start(opts) return start(opts, false, "otp.peer.start") end

function peer.stop(which)
  need_core(2)
  if type(which) ~= "string" and type(which) ~= "userdata" then
    errors.badarg("otp.peer.stop needs the peer's node name or its control process, got "
                  .. type(which), 2)
  end
  local ctl = core.control_of(which)
  if ctl == nil then otp.exit("noproc") end
  local tag = otp.make_ref()
  local mref = otp.monitor(ctl)
  otp.send(ctl, {"$peer_stop", otp.self(), tag})
  local m = otp.receive(function(m)
    return type(m) == "table" and (m[1] == tag or (m[1] == "DOWN" and m[2] == mref))
  end)
  otp.demonitor(mref, {flush = true})
  if m[1] == "DOWN" then otp.exit("noproc") end
  return true
end

return peer
