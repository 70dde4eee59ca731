-- Proves (issue 9 class 2): a process inside sandbox A cannot start code in
-- sandbox B through spawn_opt's sandbox option (B's allow = {"io"} would
-- read host files and leave A's limits behind); naming A itself spawns an
-- ordinary process of A; a name that exists nowhere gets the same refusal,
-- so A learns nothing about other sandboxes. otp.sandbox.* is host-only.

local expect = require "otp.expect"
local sandbox = otp.sandbox

expect.eq(sandbox.create("c2_a", {}), true)
expect.eq(sandbox.create("c2_b", { allow = { "io" } }), true)

local function inside_a(target)
  return sandbox.run("c2_a", function(name)
    local ok, err = pcall(otp.spawn_opt, function() end, { sandbox = name })
    return ok, tostring(err)
  end, target)
end

for _, target in ipairs({ "c2_b", "c2_nowhere" }) do
  local ok, err = inside_a(target)
  expect.eq(ok, false, "spawn_opt from c2_a into " .. target .. " is refused")
  expect.truthy(err:find("badarg: spawn_opt inside sandbox 'c2_a' can only spawn into 'c2_a'", 1, true),
                "the refusal names the rule: " .. err)
end
local _, err_b = inside_a("c2_b")
local _, err_none = inside_a("c2_nowhere")
expect.eq(err_b:gsub("c2_b", "X"), err_none:gsub("c2_nowhere", "X"),
          "an existing and a missing sandbox are refused alike")

-- into itself: an ordinary process of c2_a, with the options a host spawn has
local where = sandbox.run("c2_a", function()
  local me = otp.self()
  local pid = otp.spawn_opt(function(to) otp.send(to, otp.process_info(otp.self(), "sandbox")) end,
                            { sandbox = "c2_a", trap_exit = true }, me)
  return otp.receive(function(m) return type(m) == "string" end, 5000), pid ~= nil
end)
expect.eq(where, "c2_a", "spawning into its own sandbox stays in it")

-- the sandbox API is for the host only
local ok, err = sandbox.run("c2_a", function()
  return pcall(otp.sandbox.run, "c2_b", function() return io ~= nil end)
end)
expect.eq(ok, false, "otp.sandbox.run from inside a sandbox is refused")
expect.truthy(tostring(err):find("^badarg"), "with a badarg: " .. tostring(err))

sandbox.destroy("c2_a")
sandbox.destroy("c2_b")
