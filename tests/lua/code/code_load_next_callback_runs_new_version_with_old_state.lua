-- Erlang's hot code loading (API.md "Code loading"): gen_server calls its
-- module by name (Mod:handle_call), so after otp.code.load of version 2 a
-- running server's NEXT callback runs version 2, on the state it had;
-- code_change only migrates the state; rollback makes version 1 current
-- again in the same way. No suspend, no change_code needed when the state
-- keeps its shape.
local expect = require "otp.expect"
local gen_server, sys, code = otp.gen_server, otp.sys, otp.code
local NAME = "hot_counter"

local function version(v)
  return ([[
local M = {vsn = "%d"}
function M.init(n) return "ok", n end
function M.handle_call(req, from, n) return "reply", {version = %d, count = n}, n + 1 end
function M.handle_cast(by, n) return "noreply", n + by end
function M.code_change(old_vsn, n, extra) return "ok", n + extra end
return M
]]):format(v, v)
end

assert(code.load(NAME, version(1)))
local server = assert(gen_server.start_link(require(NAME), 0, {name = "hot"}))
expect.eq(gen_server.call(server, "next"), {version = 1, count = 0})

-- 1. load v2: the very next call runs v2, with the count v1 left
assert(code.load(NAME, version(2)))
expect.eq(gen_server.call(server, "next"), {version = 2, count = 1},
          "the next callback runs the new version on the old state")
gen_server.cast(server, 10)                       -- v2's handle_cast
expect.eq(gen_server.call(server, "next"), {version = 2, count = 12})

-- 2. code_change only migrates the state: the code was already v2's
expect.eq(sys.suspend(server), true)
expect.eq({sys.change_code(server, NAME, "1", 100)}, {true})
expect.eq(sys.resume(server), true)
expect.eq(gen_server.call(server, "next"), {version = 2, count = 113})

-- 3. rollback: v1 is current again, and the running server's next call runs it
expect.eq({code.rollback(NAME)}, {true, "1"})
expect.eq(gen_server.call(server, "next"), {version = 1, count = 114},
          "after rollback the next callback runs the previous version")

-- 4. a server of a table built in the script (not a loaded module) keeps it
local plain = {}
function plain.init() return "ok", "plain" end
function plain.handle_call(_, _, s) return "reply", s, s end
local p = assert(gen_server.start_link(plain, nil))
expect.eq(gen_server.call(p, "x"), "plain")

gen_server.stop(p)
gen_server.stop(server)
