-- otp.api.sandboxes and code: /api/v1/sandboxes (list, create, info,
-- destroy, restart: done by the API keeper, which a sandbox's root is
-- linked to) and /api/v1/code/{module} (load, versions, rollback).
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local errors = require "otp.api.errors"
local sandbox = otp.sandbox
local code = otp.code
local ask = require("otp.api.keeper").ask

local name_param = {name = "name", ["in"] = "path", type = "string", description = "a sandbox's name"}
local function exists(name)
  for _, n in ipairs(sandbox.list()) do if n == name then return true end end
  errors.fail(404, "not_found", "no sandbox '" .. name .. "': list them with GET /api/v1/sandboxes")
end

op{name = "list_sandboxes", method = "GET", path = "/api/v1/sandboxes",
  description = "Every sandbox with its info (processes, memory, limits, limit kills, restarts).",
  handler = function()
    local list = json.array()
    for _, n in ipairs(sandbox.list()) do list[#list + 1] = sandbox.info(n) end
    return list, {total = #list}
  end}

op{name = "create_sandbox", method = "POST", path = "/api/v1/sandboxes", destructive = true,
  body = {required = true, description = '{"name": n, "max_processes": n, "max_memory": bytes, "max_reductions": n, "max_timers": n, "demo": true}',
          fields = {{name = "name", type = "string", required = true}, {name = "max_processes", type = "integer"},
                    {name = "max_memory", type = "integer"}, {name = "max_reductions", type = "integer"},
                    {name = "max_timers", type = "integer"},
                    {name = "demo", type = "boolean", description = "start the demo tree inside"}}},
  description = "Creates a sandbox (its own Lua state, limits and names), optionally running the demo tree.",
  handler = function(_, b)
    local opts = {max_processes = b.max_processes, max_memory = b.max_memory, max_reductions = b.max_reductions,
                  max_timers = b.max_timers, demo = b.demo}
    local r = ask("sandbox_create", b.name, opts).values
    local res, err = r[1], r[2]
    if not res then errors.fail(409, "conflict", "could not create the sandbox: " .. require("otp.inspect")(err)) end
    return sandbox.info(b.name), nil, 201
  end}

op{name = "sandbox_info", method = "GET", path = "/api/v1/sandboxes/{name}", params = {name_param},
  description = "One sandbox: processes, memory, limits, limit kills, restarts.",
  handler = function(p) exists(p.name); return sandbox.info(p.name) end}

op{name = "destroy_sandbox", method = "DELETE", path = "/api/v1/sandboxes/{name}", params = {name_param}, destructive = true,
  description = "Destroys the sandbox: its tree is shut down the OTP way and every byte it held is freed.",
  handler = function(p)
    exists(p.name)
    local r = ask("sandbox_destroy", p.name).values
    local ok, err = r[1], r[2]
    if not ok then errors.fail(409, "conflict", require("otp.inspect")(err)) end
    return {name = p.name, destroyed = true}
  end}

op{name = "restart_sandbox", method = "POST", path = "/api/v1/sandboxes/{name}/restart", params = {name_param}, destructive = true,
  description = "Restarts the sandbox in a fresh state with the same configuration.",
  handler = function(p)
    exists(p.name)
    local r = ask("sandbox_restart", p.name).values
    local ok, err = r[1], r[2]
    if not ok then errors.fail(409, "conflict", require("otp.inspect")(err)) end
    return sandbox.info(p.name)
  end}

local module_param = {name = "module", ["in"] = "path", type = "string", description = "a module name (as given to require)"}

op{name = "load_code", method = "POST", path = "/api/v1/code/{module}", params = {module_param}, destructive = true,
  body = {required = true, description = '{"source": "Lua text returning the module table", "sandbox": name}',
          fields = {{name = "source", type = "string", required = true}, {name = "sandbox", type = "string"}}},
  description = "Compiles and installs a new version of the module (otp.code.load); a syntax error changes nothing.",
  handler = function(p, b)
    local ok, vsn = code.load(p.module, b.source, b.sandbox and {sandbox = b.sandbox} or nil)
    if not ok then errors.fail(400, "badarg", tostring(vsn)) end
    return {module = p.module, vsn = vsn, versions = json.array(code.versions(p.module))}, nil, 201
  end}

-- The versions of a module loaded with otp.code (404 if it never was).
local function known_module(name)
  local versions = code.versions(name)
  if #versions == 0 then
    errors.fail(404, "not_found", "no module '" .. name .. "' was loaded: load it with POST /api/v1/code/" .. name)
  end
  return versions
end

op{name = "code_versions", method = "GET", path = "/api/v1/code/{module}/versions", params = {module_param},
  description = "The module's versions, oldest first: {vsn, current, loaded_at_ms}.",
  handler = function(p) return json.array(known_module(p.module)) end}

op{name = "rollback_code", method = "POST", path = "/api/v1/code/{module}/rollback", params = {module_param}, destructive = true,
  description = "Makes the previous version of the module current again.",
  handler = function(p)
    known_module(p.module)
    local ok, vsn = code.rollback(p.module)
    if not ok then errors.fail(409, "conflict", "cannot roll back: " .. require("otp.inspect")(vsn)) end
    return {module = p.module, vsn = vsn, versions = json.array(code.versions(p.module))}
  end}
