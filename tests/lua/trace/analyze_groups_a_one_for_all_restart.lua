-- analyze(): a one_for_all restart is one cascade: the failed child's
-- sup_restart and the siblings started again with it.
local expect = otp.expect
otp.log_level("none")
local function worker() return otp.spawn_link(function() otp.receive() end) end
local session = otp.trace.start{kinds = {"exit", "sup_restart", "sup_start_child", "sup_terminate_child"},
                                to = otp.self()}
local sup = assert(otp.supervisor.start_link{strategy = "one_for_all", children = {
  {id = "a", start = {worker}}, {id = "b", start = {worker}}, {id = "c", start = {worker}},
}})
local b
for _, c in ipairs(otp.supervisor.which_children(sup)) do if c.id == "b" then b = c.pid end end
otp.exit(b, "boom")
expect.receive(function(m) return m[1] == "trace" and m[2].kind == "sup_restart" end, 2000)
session:stop()
local cascades = session:analyze().restart_cascades
expect.eq(#cascades, 1)
expect.eq(cascades[1].failure.pid, b)
local ids = {}
for _, ev in ipairs(cascades[1].restarts) do ids[#ids + 1] = ev.kind .. ":" .. tostring(ev.id) end
table.sort(ids)
expect.eq(ids, {"sup_restart:b", "sup_start_child:a", "sup_start_child:c"})
