-- otp.api.openapi: the OpenAPI 3.1 document, built from the registry.
local registry = require "otp.api.registry"
local json = require "otp.api.json"
local openapi = {}

local schema_of = {
  string = function() return {type = "string"} end,
  integer = function() return {type = "integer"} end,
  boolean = function() return {type = "boolean"} end,
  pid = function() return {type = "string", description = "a pid (0.3.0 or <0.3.0>) or a registered name"} end,
  enum = function(p) return {type = "string", enum = json.array(p.values)} end,
  json = function() return {description = "any JSON value; Lua tables map to arrays (sequences) or objects"} end,
}

local function response(description, schema)
  return {description = description, content = {["application/json"] = {schema = schema}}}
end

function openapi.document()
  local paths = {}
  for _, op in ipairs(registry.all()) do
    local item = paths[op.path] or {}
    paths[op.path] = item
    local params = json.array()
    for _, p in ipairs(op.params) do
      local schema = schema_of[p.type](p)
      if p.default ~= nil then schema.default = p.default end
      params[#params + 1] = {name = p.name, ["in"] = p["in"], required = p["in"] == "path" or p.required or false,
                             description = p.description, schema = schema}
    end
    local entry = {operationId = op.name, summary = op.description, parameters = params,
                   ["x-destructive"] = op.destructive,
                   responses = {["200"] = response("success", {["$ref"] = "#/components/schemas/Success"}),
                                default = response("failure", {["$ref"] = "#/components/schemas/Failure"})}}
    if op.body then
      local props, required = {}, json.array()
      for _, f in ipairs(op.body.fields or {}) do
        props[f.name] = schema_of[f.type](f)
        if f.required then required[#required + 1] = f.name end
      end
      local schema = {type = "object", properties = props}
      if #required > 0 then schema.required = required end
      entry.requestBody = {required = op.body.required or false, description = op.body.description,
                           content = {["application/json"] = {schema = schema}}}
    end
    item[op.method:lower()] = entry
  end
  return {
    openapi = "3.1.0",
    info = {title = "otplab REST API", version = "1",
            description = "The REST API of otplab serve. Every response is an envelope: "
              .. "{success, data, timestamp} or {success: false, error: {code, message}}. "
              .. "Lua values map to JSON as: sequences -> arrays, other tables -> objects (keys as strings), "
              .. "pids and refs -> strings such as \"<0.3.0>\", functions and other values -> strings. "
              .. "Failures: 400 bad input (a JSON error names its position), 401 without the token, "
              .. "404 no such process, supervisor, child, sandbox or module, 409 conflict, "
              .. "413 headers over 8 KiB or a body over 1 MiB, 503 busy (with Retry-After: while the node's "
              .. "own processes want to run the server keeps to its share of the node, otplab serve --api-share), "
              .. "504 an operation past its deadline (a call into a stuck process)."},
    paths = paths,
    components = {schemas = {
      Success = {type = "object", required = json.array{"success", "data", "timestamp"},
                 properties = {success = {const = true}, data = {}, timestamp = {type = "integer"},
                               total = {type = "integer"}}},
      Failure = {type = "object", required = json.array{"success", "error"},
                 properties = {success = {const = false}, timestamp = {type = "integer"},
                               error = {type = "object", required = json.array{"code", "message"},
                                        properties = {code = {type = "string"}, message = {type = "string"}}}}}}},
  }
end

return openapi
