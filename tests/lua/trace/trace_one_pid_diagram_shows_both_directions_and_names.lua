-- Tracing one pid draws its traffic in both directions (the calls sent to
-- it as well as its replies); every participant is named (registered name
-- or label, else what it runs: "supervisor <0.2.0>", the gen_server's
-- module); the start protocol's ack is marked [internal], not shown as user
-- traffic.
local expect = require "otp.expect"
assert(otp.code.load("tally", [[
local M = {}
function M.init() return "ok", 0 end
function M.handle_call(_, _, n) return "reply", n + 1, n + 1 end
return M
]]))
otp.set_label("client")
local sup = assert(otp.supervisor.start_link{children = {
  {id = "t", start = {function() return otp.gen_server.start_link(require "tally", nil) end}}}})
local server = otp.supervisor.which_children(sup)[1].pid

local one = otp.trace.start{pids = {server}, kinds = {"send"}}
expect.eq(otp.gen_server.call(server, "next"), 1)
one:stop()
local text = one:sequence_diagram()
expect.truthy(text:find("participant P1 as client", 1, true), text)
expect.truthy(text:find("participant P2 as tally " .. tostring(server), 1, true), text)
expect.truthy(text:find("P1->>P2: call: next", 1, true), "the call TO the traced pid: " .. text)
expect.truthy(text:find("P2-->>P1: reply: 1", 1, true), text)

local all = otp.trace.start{kinds = {"send"}}
local sup2 = assert(otp.supervisor.start_link{children = {}})
all:stop()
text = all:sequence_diagram()
expect.truthy(text:find("as supervisor " .. tostring(sup2), 1, true), text)
expect.truthy(text:find("%-%->>P%d: %[internal%] started"), text)
expect.falsy(text:find("{ack,", 1, true), "the ack is not shown as user traffic: " .. text)
