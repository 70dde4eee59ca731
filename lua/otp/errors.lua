-- otp.errors: how the Lua half of the library reports misuse, the same way
-- the runtime does: a Lua error whose message starts with the stable code
-- "badarg:" and ends with the caller's position.
local errors = {}

-- Raises "badarg: <text> (at file:line)"; level 2 (the default) names the
-- caller of the function that calls badarg.
function errors.badarg(text, level)
  local info = debug and debug.getinfo((level or 2) + 1, "Sl")
  local where = ""
  if info and info.currentline and info.currentline > 0 then
    where = " (at " .. info.short_src .. ":" .. info.currentline .. ")"
  end
  error("badarg: " .. text .. where, 0)
end

return errors
