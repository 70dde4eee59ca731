-- otp.inspect: any value as readable Lua text (API.md section 6).
--
--   otp.inspect({1, 2, name = "x"})        --> {1, 2, name = "x"}
--   otp.inspect(otp.whereis("counter_a"))  --> <0.5.0 counter_a>
--   otp.inspect(v, {depth = 2, width = 60, color = true})
--
-- Arrays print as {1, 2}, other keys sorted (numbers, then strings, then the
-- rest) as `k = v` or `[k] = v`; pids carry their registered name or label;
-- a table nested deeper than `depth` prints as {...}, a table that contains
-- itself as <cycle>. A value that does not fit in `width` columns is broken
-- into one item per line, indented by two. Options:
--   depth  = 6      levels of nesting shown
--   width  = 100    columns before a table is broken over lines
--   color  = false  ANSI colours (the console turns them on for a terminal)
--   items  = 100    items shown per table, then "... N more"
--   string = 4096   bytes shown per string, then "... (N bytes)"
--
-- Printing never runs user code: tables are read raw, metatables ignored
-- (only the runtime's own pids, refs and file handles are asked for text).
-- The module keeps no state: every call lives in its own locals.

local otp = require "otp"
local badarg = require("otp.errors").badarg

local ANY = otp._
local type, tostring, rawget, next, concat = type, tostring, rawget, next, table.concat
local mtype, format = math.type, string.format

local DEFAULTS = {depth = 6, width = 100, color = false, items = 100, string = 4096}

local COLORS = {
  string = "\27[32m", number = "\27[36m", literal = "\27[33m",
  pid = "\27[35m", dim = "\27[2m", reset = "\27[0m",
}

local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in local
            nil not or repeat return then true until while]]):gmatch("%a+") do
  KEYWORDS[w] = true
end

local function is_identifier(k)
  return type(k) == "string" and not KEYWORDS[k] and k:match("^[%a_][%w_]*$") ~= nil
end

-- The printing context of one call: options and the colouring of atoms.
local function paint(ctx, kind, text)
  if not ctx.color then return text end
  return COLORS[kind] .. text .. COLORS.reset
end

-- Visible width of text that may hold ANSI colour codes.
local function width_of(text)
  return #(text:gsub("\27%[[%d;]*m", ""))
end

local function quote(ctx, s)
  local shown, rest = s, ""
  if #s > ctx.string then
    shown, rest = s:sub(1, ctx.string), format("... (%d bytes)", #s)
  end
  local q = format("%q", shown):gsub("\\\n", "\\n"):gsub("\\9", "\\t")
  return paint(ctx, "string", q) .. (rest ~= "" and paint(ctx, "dim", rest) or "")
end

local function number_text(v)
  if v ~= v then return "0/0" end
  if v == math.huge then return "math.huge" end
  if v == -math.huge then return "-math.huge" end
  if mtype(v) == "float" then
    local s = format("%.14g", v)
    if tonumber(s) ~= v then s = format("%.17g", v) end
    if not s:find("[%.eEn]") then s = s .. ".0" end
    return s
  end
  return tostring(v)
end

-- <0.5.0 counter_a>: the pid with its registered name, else its label.
local function pid_text(ctx, v, text)
  local ok, info = pcall(otp.process_info, v)
  local name = ok and type(info) == "table" and (info.registered_name or info.label)
  if type(name) == "string" and name ~= "" then text = text:sub(1, -2) .. " " .. name .. ">" end
  return paint(ctx, "pid", text)
end

local function function_text(v)
  local getinfo = debug and debug.getinfo
  if getinfo then
    local ok, info = pcall(getinfo, v, "S")
    if ok and info then
      if info.what == "C" then return "<function builtin>" end
      return format("<function %s:%d>", info.short_src, info.linedefined)
    end
  end
  return "<function>"
end

local scalar_text

-- Erlang-kinded values: <<"ok">>, otp.charlist("ok"), and a bigint's digits.
local function ekind_text(ctx, v, kind)
  local text = tostring(v)
  if kind == "bigint" then return paint(ctx, "number", text) end
  local q = quote(ctx, text)
  if kind == "binary" then return paint(ctx, "dim", "<<") .. q .. paint(ctx, "dim", ">>") end
  return paint(ctx, "dim", "otp.charlist(") .. q .. paint(ctx, "dim", ")")
end

local function userdata_text(ctx, v)
  local kind = otp.term_kind(v)
  if kind then return ekind_text(ctx, v, kind) end
  local text = tostring(v)
  if text:match("^<%d+%.%d+%.%d+>$") then return pid_text(ctx, v, text) end
  if text:sub(1, 5) == "#Ref<" then return paint(ctx, "pid", text) end
  return paint(ctx, "dim", "<" .. text .. ">")
end

scalar_text = function(ctx, v)
  local tv = type(v)
  if tv == "string" then return quote(ctx, v) end
  if tv == "number" then return paint(ctx, "number", number_text(v)) end
  if tv == "nil" or tv == "boolean" then return paint(ctx, "literal", tostring(v)) end
  if tv == "userdata" then return userdata_text(ctx, v) end
  if tv == "function" then return paint(ctx, "dim", function_text(v)) end
  return paint(ctx, "dim", "<" .. tv .. ">")      -- thread
end

local KIND_ORDER = {number = 1, string = 2, boolean = 3}

local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return (KIND_ORDER[ta] or 9) < (KIND_ORDER[tb] or 9) or
                          ((KIND_ORDER[ta] or 9) == (KIND_ORDER[tb] or 9) and ta < tb) end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

-- The array part 1..n (up to the first nil) and the other keys, sorted.
local function table_keys(t)
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local keys = {}
  for k in next, t do
    if not (mtype(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, key_less)
  return n, keys
end

local render

-- The items of table t as texts (each may span lines at `indent`).
local function table_items(ctx, t, depth, indent)
  local n, keys = table_keys(t)
  local items, total = {}, n + #keys
  local limit = math.min(total, ctx.items)
  for i = 1, math.min(n, limit) do
    items[#items + 1] = render(ctx, rawget(t, i), depth + 1, indent)
  end
  for i = 1, limit - #items do
    local k = keys[i]
    local key = is_identifier(k) and k or ("[" .. render(ctx, k, depth + 1, indent) .. "]")
    items[#items + 1] = key .. " = " .. render(ctx, rawget(t, k), depth + 1, indent + #key + 3)
  end
  if total > limit then items[#items + 1] = paint(ctx, "dim", format("... %d more", total - limit)) end
  return items
end

-- Each item is rendered once, at the column it would have on a line of its
-- own; the items go on one line when none of them broke and they fit.
local function render_table(ctx, t, depth, indent)
  if rawequal(t, ANY) then return "otp._" end
  if ctx.path[t] then return paint(ctx, "dim", "<cycle>") end
  if next(t) == nil then return "{}" end
  if depth >= ctx.depth then return paint(ctx, "dim", "{...}") end
  ctx.path[t] = true
  local items = table_items(ctx, t, depth, indent + 2)
  ctx.path[t] = nil
  local text = "{" .. concat(items, ", ") .. "}"
  if indent + width_of(text) <= ctx.width and not text:find("\n", 1, true) then return text end
  local pad = string.rep(" ", indent + 2)
  return "{\n" .. pad .. concat(items, ",\n" .. pad) .. "\n" .. string.rep(" ", indent) .. "}"
end

render = function(ctx, v, depth, indent)
  if type(v) == "table" then return render_table(ctx, v, depth, indent) end
  return scalar_text(ctx, v)
end

local OPTION_TYPES = {depth = "number", width = "number", color = "boolean",
                      items = "number", string = "number"}

local function options(opts)
  local ctx = {path = {}}
  for k, v in next, DEFAULTS do ctx[k] = v end
  if opts == nil then return ctx end
  if type(opts) ~= "table" then
    badarg("otp.inspect options must be a table such as {depth = 3}, got " .. type(opts), 3)
  end
  for k, v in next, opts do
    local want = OPTION_TYPES[k]
    if not want then
      badarg(format("otp.inspect has no option %s (it knows depth, width, color, items, string)",
                    tostring(k)), 3)
    end
    if type(v) ~= want or (want == "number" and (v ~= v or v < 0)) then
      badarg(format("otp.inspect option %s must be a %s%s, got %s", k, want,
                    want == "number" and " >= 0" or "", tostring(v)), 3)
    end
    ctx[k] = v
  end
  return ctx
end

return function(value, opts)
  local ctx = options(opts)
  return render(ctx, value, 0, 0)
end
