-- otp.api.registry: every REST operation declared once. From these
-- declarations come the routes (registry.match), GET /api/v1/operations
-- (registry.describe) and GET /api/v1/openapi.json (otp.api.openapi).
--
--   registry.op{name = "process_info", method = "GET",
--     path = "/api/v1/processes/{pid}",
--     params = {{name = "pid", ["in"] = "path", type = "pid", description = "..."}},
--     body = nil | {description = "...", fields = {{name =, type =, required =}}},
--     description = "...", destructive = false,
--     deadline_ms = nil | ms (the request's deadline, if not the server's 2 s),
--     handler = function(params, body) return data[, extra_top_level_fields] end}
--
-- Parameter types: string, integer, boolean, pid (a pid "0.3.0" or a
-- registered name), enum (with values = {...}), json (any JSON value).
local registry = {}
local ops, by_name = {}, {}

local function segments(path)
  local out = {}
  for s in path:gmatch("[^/]+") do out[#out + 1] = s end
  return out
end

function registry.op(def)
  assert(def.name and def.method and def.path and def.handler and def.description,
         "an operation needs name, method, path, description and handler")
  assert(not by_name[def.name], "operation declared twice: " .. def.name)
  def.params = def.params or {}
  def.destructive = def.destructive or false
  def.segments = segments(def.path)
  ops[#ops + 1] = def
  by_name[def.name] = def
  return def
end

function registry.all() return ops end
function registry.by_name(name) return by_name[name] end

--- registry.match(method, path) -> op, path_values | nil, "not_found" | nil, "method", allowed
function registry.match(method, path)
  local segs = segments(path)
  local allowed
  for _, op in ipairs(ops) do
    local s = op.segments
    if #s == #segs then
      local values, ok = {}, true
      for i = 1, #s do
        local name = s[i]:match("^{(.+)}$")
        if name then values[name] = segs[i]
        elseif s[i] ~= segs[i] then ok = false; break end
      end
      if ok then
        if op.method == method then return op, values end
        allowed = allowed or {}
        allowed[#allowed + 1] = op.method
      end
    end
  end
  if allowed then return nil, "method", allowed end
  return nil, "not_found"
end

--- The operations as API.md section 10 shows them: {name, method, path, params, description, destructive}.
function registry.describe()
  local json = require "otp.api.json"
  local list = json.array()
  for _, op in ipairs(ops) do
    local params = json.array()
    for _, p in ipairs(op.params) do
      params[#params + 1] = {name = p.name, ["in"] = p["in"], type = p.type, required = p.required or p["in"] == "path",
                             description = p.description, values = p.values and json.array(p.values),
                             default = p.default}
    end
    if op.body then
      for _, f in ipairs(op.body.fields or {}) do
        params[#params + 1] = {name = f.name, ["in"] = "body", type = f.type, required = f.required or false,
                               description = f.description, values = f.values and json.array(f.values)}
      end
    end
    list[#list + 1] = {name = op.name, method = op.method, path = op.path, params = params,
                       description = op.description, destructive = op.destructive}
  end
  return list
end

return registry
