-- A start file for the shutdown test: stuck_server.lua's processes (a
-- gen_server that never answers a call) beside busy_node.lua's (a process
-- that never stops computing, so that requests wait for the server's share).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "stuck_server.lua")
dofile(here .. "busy_node.lua")
