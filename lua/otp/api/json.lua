-- otp.api.json: Lua values as JSON, for the REST API and the event stream.
-- The mapping (also in the OpenAPI document): a sequence is an array, a
-- table with other keys an object (keys as strings, sorted), an empty table
-- {} unless marked with json.array; pids, refs, functions and other values
-- JSON has no word for become strings (tostring); NaN and infinities become
-- strings; invalid UTF-8 bytes are written as \xNN text; a cycle is
-- "<cycle>" and nesting deeper than 32 is "<deep>"; keys are sorted.
-- Encoding never fails; it is done in C (otp.net.json_encode).
-- Decoding is lua-cjson's (its errors name the character position); whole
-- numbers decode as integers, null as nil.
local cjson = require "cjson"

local json = {}
local array_mt = {__name = "json.array"}

--- json.array(t) -> t, marked to be written as an array even when empty.
function json.array(t)
  return setmetatable(t or {}, array_mt)
end

local encode = otp_internal.net.json_encode

--- json.encode(v) -> string; never raises (runtime/net/json_encode.c).
function json.encode(v)
  return encode(v, array_mt)
end

-- JSON null becomes nil (a process cannot be sent cjson's null); a whole
-- number (cjson reads every number as a float) becomes a Lua integer, so
-- that 42 sent through the API arrives as 42, not 42.0.
local function integer_or_float(x)
  if math.type(x) == "float" and x == math.floor(x) and x >= -2^53 and x <= 2^53 then
    return math.tointeger(x)
  end
  return x
end
local function normalise(v)
  if type(v) == "number" then return integer_or_float(v) end
  if type(v) ~= "table" then return v end
  for k, x in next, v do
    if x == cjson.null then v[k] = nil else v[k] = normalise(x) end
  end
  return v
end

--- json.decode(text) -> value, or nil, message (with the position).
function json.decode(text)
  local ok, v = pcall(cjson.decode, text)
  if ok then return normalise(v) end
  return nil, tostring(v)
end

json.null = cjson.null
return json
