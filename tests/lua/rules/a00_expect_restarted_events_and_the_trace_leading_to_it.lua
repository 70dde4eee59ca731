-- otp.expect.restarted and otp.expect.events (API.md section 6), and the
-- failure report's "trace leading to it": `otplab run`/`test` keep the
-- newest events of the run in a ring, and a failed expectation shows those
-- concerning the processes it named (or the newest 20) as sequence diagram
-- text.
local expect = require "otp.expect"
otp.trap_exit(true)

local sup = assert(otp.supervisor.start_link{strategy = "one_for_one", intensity = 5,
  children = {{id = "w", start = {function() return otp.spawn_link(otp.receive) end}}}})
local old = otp.supervisor.which_children(sup)[1].pid
local session = otp.trace.start{kinds = {"exit", "sup_restart"}}

-- restarted with old_pid: the new live pid
otp.exit(old, "boom")
local new = expect.restarted(sup, "w", old)
expect.truthy(new ~= old and otp.is_alive(new))
-- without old_pid: the history holds a restart of "w"
expect.eq(expect.restarted(sup, "w"), new)

-- events: an ordered subsequence, the matched events returned
local evs = expect.events(session, {{kind = "exit", pid = old}, {kind = "sup_restart", id = "w"}})
expect.eq({evs[1].reason, evs[2].new_pid}, {"boom", new})

-- a failed restarted: says what was expected and seen, and shows the trace
-- of the processes it named
local ok, err = pcall(expect.restarted, sup, "w", new, 50)
expect.eq(ok, false)
expect.truthy(err:find('child "w" of supervisor ' .. tostring(sup) .. ' was not restarted', 1, true), err)
expect.truthy(err:find("the trace leading to it", 1, true), err)
expect.truthy(err:find("sequenceDiagram", 1, true), err)
expect.truthy(err:find("restart w", 1, true), "the earlier restart of w is in the trace: " .. err)

-- a failed events: names the pattern that never came
ok, err = pcall(expect.events, session, {{kind = "exit", pid = old}, {kind = "exit", pid = new}}, 20)
expect.eq(ok, false)
expect.truthy(err:find("pattern 2 of 2", 1, true), err)
expect.truthy(err:find("sequenceDiagram", 1, true), err)

-- inside expect.eventually a failing try is "not yet": no trace is built
ok, err = pcall(expect.eventually, function() expect.eq(1, 2) end, 20)
expect.eq(ok, false)
expect.truthy(err:find("its last error was", 1, true), err)
session:stop()
