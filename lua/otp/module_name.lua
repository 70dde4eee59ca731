-- otp.module_name: which module a behaviour's callback table is, in the
-- user's terms. A gen_server started with `require "counter"` is the module
-- "counter": its callbacks are looked up by that name (Erlang's external
-- Mod:f() calls, so a newly loaded version runs from the next callback), and
-- introspection (initial_call, sys.get_status, which_children's modules)
-- names it.
--
-- registered(mod) -> the name under which mod is loaded (by require or
--   otp.code.load, so package.loaded[name] is mod or require(name) gives
--   mod), or nil for a table the script built itself.
-- known(mod) -> what registered(mod) gave before, or nil (see below).
-- describe(mod) -> registered(mod), else mod.name when it is a string, else
--   "file:line" where mod's init (or its first function) was defined, else
--   "?".

local module_name = {}

local names = setmetatable({}, {__mode = "k"})  -- callback table -> name | false

function module_name.registered(mod)
  local hit = names[mod]
  if hit ~= nil then return hit or nil end
  local found = false
  -- what require returns is a read-only view whose metatable is hidden
  -- (getmetatable gives false): a table without a metatable (a copy of a
  -- module made by spawn, a script's own table) can only be a module itself
  local maybe_view = getmetatable(mod) ~= nil
  for name, m in pairs(otp_internal.loaded) do
    if type(name) == "string" and type(m) == "table" and
       (rawequal(m, mod) or (maybe_view and rawequal(require(name), mod))) then
      found = name
      break
    end
  end
  names[mod] = found
  return found or nil
end

-- What registered(mod) answered before, else nil without a search: for the
-- copy spawn made of a callback table, whose starter asked registered() of
-- the original. A module is shared, so its copy is itself and the answer is
-- known; a fresh copy is in no loaded module, so nil is registered()'s answer.
function module_name.known(mod)
  return names[mod] or nil
end

-- function -> "file:line" | false: where a function was defined never
-- changes, and debug.getinfo costs thousands of instructions (a restart
-- describes its callback table each time)
local places = setmetatable({}, {__mode = "k"})

local function defined_at(mod)
  local getinfo = debug and debug.getinfo
  if not getinfo then return nil end
  local f = mod.init
  if type(f) ~= "function" then
    for _, v in pairs(mod) do
      if type(v) == "function" then f = v break end
    end
  end
  if type(f) ~= "function" then return nil end
  local hit = places[f]
  if hit ~= nil then return hit or nil end
  local info = getinfo(f, "S")
  local place = info.what == "Lua" and info.short_src .. ":" .. info.linedefined
  places[f] = place
  return place or nil
end

function module_name.describe(mod)
  if type(mod) ~= "table" then return "?" end
  return module_name.registered(mod) or (type(mod.name) == "string" and mod.name) or
         defined_at(mod) or "?"
end

return module_name
