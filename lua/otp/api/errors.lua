-- otp.api.errors: failing a request with an HTTP status and a stable code,
-- answered in the envelope of API.md section 10, and the lookups every
-- resource needs (a pid or registered name in a path).
local otp = require "otp"
local errors = {}
local api_error_mt = {__name = "otp.api.error",
  __tostring = function(e) return e.code .. ": " .. e.message end}

--- errors.fail(status, code, message): ends the handler with that answer.
function errors.fail(status, code, message)
  error(setmetatable({status = status, code = code, message = message}, api_error_mt), 0)
end

function errors.is_api_error(e) return getmetatable(e) == api_error_mt end

--- errors.pid(text) -> the live pid named by "0.3.0", "<0.3.0>" or a registered name; 404 if none.
function errors.pid(text)
  local pid
  if text:match("^<?%d+%.%d+%.%d+>?$") then
    local ok, parsed = pcall(otp.pid, text:sub(1, 1) == "<" and text or "<" .. text .. ">")
    pid = ok and parsed or nil
  else
    pid = otp.whereis(text)
  end
  if not pid or not otp.is_alive(pid) then
    errors.fail(404, "noproc", "no process " .. text .. " is alive: list them with GET /api/v1/processes")
  end
  return pid
end

return errors
