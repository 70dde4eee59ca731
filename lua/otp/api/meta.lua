-- otp.api.meta: the registry describing itself (operations, OpenAPI 3.1)
-- and the lessons on disk.
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

op{name = "list_lessons", method = "GET", path = "/api/v1/lessons",
  description = "The lessons (lessons/*.lua): file and title (the first comment line).",
  handler = function()
    local dir = (package.searchpath("otp.demo", package.path) or ""):gsub("lua/otp/demo%.lua$", "lessons")
    local list = json.array()
    local ls = io.popen('ls "' .. dir .. '" 2>/dev/null')
    for file in ls:lines() do
      if file:match("%.lua$") then
        local f = io.open(dir .. "/" .. file)
        local first = f and f:read("l") or ""
        if f then f:close() end
        list[#list + 1] = {file = "lessons/" .. file, number = tonumber(file:match("^(%d+)")),
                           title = first:match("^%-%-%s*(.-)%s*$") or file}
      end
    end
    ls:close()
    return list, {total = #list}
  end}
