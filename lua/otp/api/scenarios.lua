-- otp.api.scenarios: GET /api/v1/scenarios and POST /api/v1/scenarios/run.
-- A scenario runs as `otplab test` runs it: in a child otplab of its own
-- (otp.net.run_file), never in the server's node, under a deadline after
-- which the child is killed. Only files inside the scenarios folder run:
-- ./scenarios when the server's directory has one (as `otplab test`
-- defaults to it), else the one beside the lessons.
local otp = require "otp"
local net = otp_internal.net
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local errors = require "otp.api.errors"

local scenarios = {}
scenarios.default_timeout_s, scenarios.max_timeout_s = 60, 300

--- scenarios.folder() -> the absolute path of the scenarios folder, or nil.
function scenarios.folder()
  local here = net.realpath("scenarios")
  if here and #net.list_files(here, ".lua") > 0 then return here end
  local shipped = (package.searchpath("otp.demo", package.path) or ""):gsub("lua/otp/demo%.lua$", "scenarios")
  return net.realpath(shipped)
end

local function no_folder()
  errors.fail(404, "not_found", "there is no scenarios folder (the server looks for ./scenarios, then "
    .. "the one shipped with otplab): start otplab serve in a folder that has one")
end

local function entry(rel)
  return {name = rel:gsub("%.lua$", ""), file = "scenarios/" .. rel}
end

--- scenarios.resolve(file) -> absolute path, path relative to the folder; fails 400/404.
function scenarios.resolve(file)
  local root = scenarios.folder() or no_folder()
  local listed = " (GET /api/v1/scenarios lists them)"
  if file:find("\0", 1, true) then errors.fail(400, "badarg", "the scenario's path holds a NUL byte") end
  if file:sub(1, 1) == "/" then
    errors.fail(400, "badarg", "give the scenario as a path inside scenarios/, not an absolute path" .. listed)
  end
  local rel = file:gsub("^scenarios/", "")
  for segment in rel:gmatch("[^/]+") do
    if segment == ".." then
      errors.fail(400, "badarg", "'..' is not allowed in a scenario's path: only files inside scenarios/ run" .. listed)
    end
  end
  if not rel:match("%.lua$") then errors.fail(400, "badarg", "a scenario is a .lua file, got '" .. file .. "'" .. listed) end
  local real = net.realpath(root .. "/" .. rel)
  if not real then errors.fail(404, "not_found", "no scenario '" .. file .. "'" .. listed) end
  if real:sub(1, #root + 1) ~= root .. "/" then
    errors.fail(400, "badarg", "'" .. file .. "' leads outside the scenarios folder (through a symlink): only files inside it run")
  end
  return real, rel
end

op{name = "list_scenarios", method = "GET", path = "/api/v1/scenarios",
  description = "The scenarios that POST /api/v1/scenarios/run can run: every *.lua under the scenarios folder (./scenarios, else otplab's own), as name and file.",
  handler = function()
    local root = scenarios.folder()
    local list = json.array()
    for _, rel in ipairs(root and net.list_files(root, ".lua") or {}) do
      local real = net.realpath(root .. "/" .. rel)        -- a symlink out of the folder is not offered
      if real and real:sub(1, #root + 1) == root .. "/" then list[#list + 1] = entry(rel) end
    end
    return list, {total = #list, folder = root}
  end}

op{name = "run_scenario", method = "POST", path = "/api/v1/scenarios/run", destructive = true,
  deadline_ms = (scenarios.max_timeout_s + 10) * 1000,
  body = {required = true,
          description = '{"file": "scenarios/x.lua"} or {"name": "x"} (as GET /api/v1/scenarios lists them), "timeout": seconds (default 60, at most 300)',
          fields = {{name = "file", type = "string"}, {name = "name", type = "string"}, {name = "timeout", type = "integer"}}},
  description = "Runs one scenario isolated, in a child otplab as `otplab test` does (never in this node): passed or failed, the failure report (its output) and the duration. A scenario still running after the timeout is killed: 504.",
  handler = function(_, b)
    if (b.file == nil) == (b.name == nil) then
      errors.fail(400, "badarg", 'give the scenario as "file" ("scenarios/x.lua") or as "name" ("x"), one of the two')
    end
    local timeout = b.timeout or scenarios.default_timeout_s
    if timeout < 1 or timeout > scenarios.max_timeout_s then
      errors.fail(400, "badarg", "timeout must be from 1 to " .. scenarios.max_timeout_s .. " seconds, got " .. timeout)
    end
    local path, rel = scenarios.resolve(b.file or b.name .. ".lua")
    local id, why = net.run_file(path, timeout * 1000)
    if not id and why == "busy" then
      errors.fail(503, "busy", "as many scenarios as the server runs at once are running already; try again when one has finished")
    elseif not id then
      errors.fail(503, "unavailable", why)
    end
    local m = otp.receive(otp.match{"child_done", id})
    local r = m[3]
    local out = entry(rel)
    if r.timed_out then
      errors.fail(504, "timeout", out.file .. " was still running after " .. timeout .. " s and was stopped, as "
        .. "otplab test --timeout stops it; if it needs longer, give \"timeout\" (up to " .. scenarios.max_timeout_s .. ")")
    end
    out.passed = r.exit_status == 0 and r.signal == 0
    out.status = out.passed and "passed" or "failed"
    out.exit_status, out.duration_ms = r.exit_status, r.duration_ms
    if r.signal ~= 0 then out.signal = r.signal end
    out.output, out.output_truncated = r.output, r.output_truncated
    if not out.passed then
      out.report = r.output ~= "" and r.output
        or (r.signal ~= 0 and "otplab died with signal " .. r.signal or "otplab exited with status " .. r.exit_status)
    end
    return out
  end}

return scenarios
