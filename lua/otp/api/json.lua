-- otp.api.json: Lua values as JSON, for the REST API and the event stream.
-- The mapping (also in the OpenAPI document): a sequence is an array, a
-- table with other keys an object (keys as strings, sorted), an empty table
-- {} unless marked with json.array; pids, refs, functions and other values
-- JSON has no word for become strings (tostring); NaN and infinities become
-- strings; invalid UTF-8 bytes are written as \xNN text; a cycle is
-- "<cycle>" and nesting deeper than 32 is "<deep>". Encoding never fails.
-- Decoding is lua-cjson's (its errors name the character position); whole
-- numbers decode as integers, null as nil.
local cjson = require "cjson"

local json = {}
local array_mt = {__name = "json.array"}

--- json.array(t) -> t, marked to be written as an array even when empty.
function json.array(t)
  return setmetatable(t or {}, array_mt)
end

local encode_string = cjson.encode
local concat, sort, fmt = table.concat, table.sort, string.format

local function clean_string(s)
  if utf8.len(s) then return s end
  return (s:gsub("[\128-\255]", function(c) return fmt("\\x%02X", c:byte()) end))
end

local function is_sequence(t)
  local n = #t
  if n == 0 then return false end
  local count = 0
  for k in next, t do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
    count = count + 1
  end
  return count == n
end

local function key_text(k)
  if type(k) == "string" then return k end
  return tostring(k)
end

local encode_value

local function encode_table(t, out, seen, depth)
  if seen[t] then out[#out + 1] = '"<cycle>"'; return end
  if depth > 32 then out[#out + 1] = '"<deep>"'; return end
  seen[t] = true
  if getmetatable(t) == array_mt or is_sequence(t) then
    out[#out + 1] = "["
    for i = 1, #t do
      if i > 1 then out[#out + 1] = "," end
      encode_value(t[i], out, seen, depth + 1)
    end
    out[#out + 1] = "]"
  else
    local keys = {}
    for k in next, t do keys[#keys + 1] = key_text(k) end
    local values = {}
    for k, v in next, t do values[key_text(k)] = v end
    sort(keys)
    out[#out + 1] = "{"
    for i, k in ipairs(keys) do
      if i > 1 then out[#out + 1] = "," end
      out[#out + 1] = encode_string(clean_string(k))
      out[#out + 1] = ":"
      encode_value(values[k], out, seen, depth + 1)
    end
    out[#out + 1] = "}"
  end
  seen[t] = nil
end

function encode_value(v, out, seen, depth)
  local tv = type(v)
  if tv == "string" then
    out[#out + 1] = encode_string(clean_string(v))
  elseif tv == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      out[#out + 1] = encode_string(tostring(v))
    elseif math.type(v) == "integer" then
      out[#out + 1] = fmt("%d", v)
    else
      out[#out + 1] = fmt("%.17g", v)
    end
  elseif tv == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif v == nil or v == cjson.null then
    out[#out + 1] = "null"
  elseif tv == "table" then
    encode_table(v, out, seen, depth)
  else
    out[#out + 1] = encode_string(clean_string(tostring(v)))
  end
end

--- json.encode(v) -> string; never raises.
function json.encode(v)
  local out = {}
  encode_value(v, out, {}, 0)
  return concat(out)
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
