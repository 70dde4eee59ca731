-- C8: rest_for_one: when child k dies, the children started after it are
-- terminated in reverse start order, then k and those after it are started
-- again in start order (a temporary one among them is dropped); the
-- children started before k are not touched.
-- Checked against Erlang/OTP 25: [{stop,e,shutdown},{stop,d,shutdown},
-- {stop,c,shutdown},{init,b},{init,c},{init,e}], children [e,c,b,a] with a's
-- pid unchanged.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")

local start = children.reporter(me)

local function spec(id, restart) return {id = id, start = {start, id}, restart = restart} end

local function take(n)
  local got = {}
  for i = 1, n do got[i] = expect.receive(nil, 1000) end
  return got
end

local function pids(sup)
  local t, order = {}, {}
  for i, c in ipairs(supervisor.which_children(sup)) do t[c.id] = c.pid; order[i] = c.id end
  return t, order
end

local sup = assert(supervisor.start_link{strategy = "rest_for_one", children = {
  spec("a"), spec("b"), spec("c"), spec("d", "temporary"), spec("e"),
}})
expect.eq(take(5), {{"init", "a"}, {"init", "b"}, {"init", "c"}, {"init", "d"}, {"init", "e"}})
local before = pids(sup)
otp.send(before.b, {"die", "boom"})
expect.eq(take(6), {
  {"stop", "e", "shutdown"}, {"stop", "d", "shutdown"}, {"stop", "c", "shutdown"},
  {"init", "b"}, {"init", "c"}, {"init", "e"},
})
local after, order = pids(sup)
expect.eq(order, {"e", "c", "b", "a"})
expect.eq(after.a, before.a, "a, started before b, is untouched")
expect.truthy(after.b ~= before.b and after.c ~= before.c and after.e ~= before.e)

-- the last child dying restarts only itself
otp.send(after.e, {"die", "boom"})
expect.eq(take(1), {{"init", "e"}})
local again = pids(sup)
expect.eq({again.a, again.b, again.c}, {after.a, after.b, after.c})
expect.no_message(nil, 0)
