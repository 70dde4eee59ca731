-- The first process of a peer node (otp.peer, host/peer.c): connects to the
-- node that started it (arg[1]), says "up" on fd 3, then lives until its
-- stdin closes, which happens when the origin stops it or goes (even killed
-- with SIGKILL: the kernel closes the pipe). When this process returns the
-- node halts, as a peer of OTP's does when it loses its control connection.
local origin = arg and arg[1]
if type(origin) ~= "string" then
  error("otp/peer/boot.lua is started by otp.peer.start, with the origin node's name", 0)
end
if not otp.connect(origin) then
  error("peer " .. otp.node() .. " cannot connect to " .. origin .. " (same cookie?)", 0)
end
local up = io.open("/dev/fd/3", "w")
if not up then error("peer " .. otp.node() .. " was not started by otp.peer.start", 0) end
up:write("up\n")
up:close()
local stdin = require "otp.stdin"
while true do
  local _, why = stdin.read_line()
  if why == "eof" then break end
  otp.sleep(20)          -- nothing writes to it: the wait is for its end
end
