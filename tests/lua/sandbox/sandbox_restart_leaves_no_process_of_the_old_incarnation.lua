-- restart(name) is destroy + the same configuration in a fresh state: every
-- process of the old incarnation (the root supervisor, its children and a
-- stray process spawned later) is dead afterwards, info().restarts is 1,
-- and the new incarnation runs with a fresh root supervisor and children.
-- (info().root is the root supervisor; its parent is a keeper process.)
local expect = require "otp.expect"
local sandbox = otp.sandbox

local function idle_child()
  return otp.spawn_link(function() otp.receive({"never"}) end)
end

local spec = {strategy = "one_for_one", children = {
  {id = "one", start = {idle_child}},
  {id = "two", start = {idle_child}},
  {id = "three", start = {idle_child}},
}}

expect.eq(sandbox.create("sbx_restart", {start = spec}), true)
local root = sandbox.info("sbx_restart").root      -- the root supervisor
expect.alive(root)
expect.eq(otp.process_info(root, "sandbox"), "sbx_restart")

local function incarnation()
  return sandbox.run("sbx_restart", function()
    local pids = {}
    for _, p in ipairs(otp.processes()) do
      if p ~= otp.self() then pids[#pids + 1] = p end
    end
    return pids
  end)
end

-- a stray process, not part of the tree
local stray = sandbox.spawn("sbx_restart", function() otp.receive({"never"}) end)
local old = incarnation()
expect.eq(#old, 6, "the keeper, the root supervisor, three children, the stray")
local children = sandbox.run("sbx_restart", function(sup)
  local pids = {}
  for _, c in ipairs(otp.supervisor.which_children(sup)) do pids[#pids + 1] = c.pid end
  return pids
end, root)
expect.eq(#children, 3, "which_children run inside sees the three children")

local refs = {}
for _, p in ipairs(old) do refs[otp.monitor(p)] = p end

expect.eq(sandbox.restart("sbx_restart"), true)
for _, p in ipairs(old) do expect.dead(p, "old incarnation process " .. tostring(p)) end
for _, p in ipairs(children) do expect.dead(p) end
expect.dead(stray)
expect.dead(root)
local downs = 0
for _ = 1, #old do
  local d = expect.receive({"DOWN"})
  expect.truthy(refs[d[2]], "a DOWN for an old process")
  downs = downs + 1
end
expect.eq(downs, #old)

local info = sandbox.info("sbx_restart")
expect.eq(info.restarts, 1)
expect.alive(info.root)
expect.truthy(info.root ~= root, "a new root")
local new = incarnation()
expect.eq(#new, 5, "the keeper, the root supervisor and three fresh children")
for _, p in ipairs(new) do
  expect.alive(p)
  for _, q in ipairs(old) do expect.truthy(p ~= q, "new pids are new") end
end

expect.eq(sandbox.destroy("sbx_restart"), true)
for _, p in ipairs(new) do expect.dead(p) end
