-- otp.api.meta: the registry describing itself (operations, OpenAPI 3.1).
local op = require("otp.api.registry").op
local registry = require "otp.api.registry"
local json = require "otp.api.json"

op{name = "list_operations", method = "GET", path = "/api/v1/operations",
  description = "Every operation of this API: name, method, path, params, description, destructive.",
  handler = function()
    local list = registry.describe()
    return list, {total = #list}
  end}

op{name = "openapi", method = "GET", path = "/api/v1/openapi.json", raw = true,
  description = "The OpenAPI 3.1 document of this API, generated from the same registry that routes it.",
  handler = function()
    return json.encode(require("otp.api.openapi").document())
  end}
