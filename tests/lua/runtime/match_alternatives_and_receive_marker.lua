-- otp.match with several patterns matches a message that any of them
-- matches, like the clauses of an Erlang receive; a receive whose patterns
-- all hold a fresh ref only looks at messages that arrived after the ref.
local expect = otp.expect
local me = otp.self()
local ref = otp.make_ref()
local m = otp.match({ref, "reply"}, {"DOWN", ref})
expect.eq(m({ref, "reply"}), true)
expect.eq(m({"DOWN", ref, "process", me, "normal"}), true)
expect.eq(m({"other", ref}), false)
expect.eq(m("not a table"), false)

-- order: the first message in the mailbox that matches any pattern wins
otp.send(me, {"noise"})
otp.send(me, {"DOWN", ref, "process", me, "x"})
otp.send(me, {ref, "reply"})
expect.eq(otp.receive(m, 1000)[1], "DOWN")
expect.eq(otp.receive(m, 1000)[2], "reply")
expect.eq(otp.receive(nil, 0)[1], "noise")

-- demonitor{flush} drops the DOWN that a monitor already delivered, even
-- behind many older messages
for i = 1, 100 do otp.send(me, {"old", i}) end
local p, mref = otp.spawn_monitor(function() end)
local got = otp.receive(otp.match({"DOWN", mref}), 1000)
expect.eq(got[5], "normal")
local q = otp.spawn(function() otp.receive() end)
local qref = otp.monitor(q)
otp.exit(q, "kill")
otp.send(me, "after the kill")            -- arrives after q's DOWN
expect.eq(otp.receive("after the kill", 1000), "after the kill")
otp.demonitor(qref, {flush = true})
expect.eq(otp.process_info(me, "message_queue_len"), 100)   -- only the 100 old ones are left
