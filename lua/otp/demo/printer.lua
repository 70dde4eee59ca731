-- otp.demo.printer: the demo tree's printer gen_server (see otp.demo).

local otp = require "otp"

-- The printer: cast it anything and it prints "printer: <value>".
local printer = {name = "printer"}

function printer.init() return "ok", 0 end

function printer.handle_cast(msg, printed)
  print("printer: " .. otp.inspect(msg))
  return "noreply", printed + 1
end

function printer.handle_call(req, _, printed)
  if req == "count" then return "reply", printed, printed end
  return "reply", {"error", {"unknown_request", req}}, printed
end

return printer
