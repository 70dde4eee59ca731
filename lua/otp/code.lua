-- otp.code: hot code loading, Erlang's code server (API.md section 5).
--
--   otp.code.load("counter", source)   --> true, vsn
--   local counter = require "counter"  -- the new version
--
-- load(name, source[, opts]) -> true, vsn | nil, message
--   compiles source (Lua text) as module `name` and makes it current: the
--   chunk runs with globals of its own (falling back to the standard ones,
--   as a module loaded from a file) and must return its module table.
--   vsn is the table's `vsn` field when it is a string or a number, else the
--   module's generation (1, 2, ...: one more for every version recorded).
--   A syntax error ("name:LINE: ..."), an error raised while the chunk runs
--   or a chunk that returns no table gives nil, message and changes nothing.
--   The version that was current (also one loaded from a file by require)
--   becomes the previous one; an older previous one is dropped: at most two
--   versions are kept, as Erlang keeps current and old code.
--   opts.sandbox = name: compile and run it inside that sandbox instead.
-- versions(name) -> array, oldest first, of {vsn=, current=true|false,
--   loaded_at_ms= (system time)}; {} for a module never loaded through here.
-- rollback(name) -> true, vsn: the previous version is current again (and
--   there is then no previous one) | nil, "no_previous_version"
--
-- Erlang's semantics: a gen_server started with a loaded module calls it by
-- name, as Erlang's gen_server calls Mod:handle_call, so once load (or
-- rollback) makes another version current, its next callback runs that
-- version, with its state untouched. When the state's shape changes, suspend
-- it first: otp.sys.suspend(s); load; otp.sys.change_code(s, name, old_vsn,
-- extra) (the current version's code_change(old_vsn, state, extra) migrates
-- the state); otp.sys.resume(s). A process that holds a module table of its
-- own (a plain local) keeps it, as a fun keeps its code in Erlang.

-- The bookkeeping is this module's own: modules are loaded once per node
-- and shared by its processes, so every process sees the same versions.

local otp = require "otp"

local code = {}

local badarg = require("otp.errors").badarg   -- "badarg: ... (at file:line)"

local GLOBALS = _ENV      -- this chunk's globals: they fall back to the base ones
local OPTIONS = {sandbox = true}
local SHARE_KEY = "\0otp.code.share"

local modules = {}        -- name -> {gen=, current=entry, previous=entry|nil}
                          -- entry = {module=, vsn=, loaded_at_ms=}

local function fmt(v)
  return require("otp.expect").format(v)
end

-- Marks t as code shared by every process, as the runtime does for the
-- globals of a module loaded from a file (require shares what it returns):
-- then the module's functions are code that spawn passes along, not copies.
local function share(t)
  package.loaded[SHARE_KEY] = t
  pcall(require, SHARE_KEY)
  package.loaded[SHARE_KEY] = nil
end

local function entry(rec, module)
  rec.gen = rec.gen + 1
  local v = module.vsn
  if type(v) ~= "string" and type(v) ~= "number" then v = rec.gen end
  return {module = module, vsn = v, loaded_at_ms = otp.system_time()}
end

-- The record of name, with a version installed behind our back (a first
-- require from a file, a reload) adopted as the current one.
local function record(name, create)
  local rec = modules[name]
  local loaded = package.loaded[name]
  if rec == nil then
    if not create and type(loaded) ~= "table" then return nil end
    rec = {gen = 0}
    modules[name] = rec
  end
  if type(loaded) == "table" and (rec.current == nil or rec.current.module ~= loaded) then
    rec.previous, rec.current = rec.current, entry(rec, loaded)
  end
  return rec
end

local function check_name(fname, name)
  if type(name) ~= "string" or name == "" then
    badarg(fname .. " needs the module's name (a non-empty string, as for require), got " ..
           fmt(name), 3)
  end
end

function code.load(name, source, opts)
  check_name("otp.code.load", name)
  if type(source) ~= "string" then
    badarg("otp.code.load needs the module's Lua source as a string, got " .. type(source), 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    badarg("otp.code.load's options must be a table such as {sandbox = name}, got " ..
           type(opts), 2)
  end
  for k in pairs(opts or {}) do
    if not OPTIONS[k] then
      badarg("otp.code.load has no option " .. fmt(k) .. " (the only one is sandbox)", 2)
    end
  end
  if opts and opts.sandbox ~= nil then   -- the sandbox's own otp.code.load
    return otp.sandbox.run(opts.sandbox, code.load, name, source)
  end
  local env = setmetatable({}, {__index = GLOBALS})
  env._G = env
  local chunk, err = load(source, "=" .. name, "t", env)
  if not chunk then return nil, err end
  local ok, module = pcall(chunk, name)
  if not ok then
    return nil, "module '" .. name .. "' raised an error while loading: " ..
                (type(module) == "string" and module or fmt(module))
  end
  if type(module) ~= "table" then
    return nil, "module '" .. name .. "' must return its module table, got " .. type(module)
  end
  share(env)
  local rec = record(name, true)
  rec.previous, rec.current = rec.current, entry(rec, module)
  package.loaded[name] = module
  return true, rec.current.vsn
end

function code.versions(name)
  check_name("otp.code.versions", name)
  local rec, list = record(name, false), {}
  if rec == nil then return list end
  local function add(e, current)
    list[#list + 1] = {vsn = e.vsn, current = current, loaded_at_ms = e.loaded_at_ms}
  end
  if rec.previous then add(rec.previous, false) end
  add(rec.current, true)
  return list
end

function code.rollback(name)
  check_name("otp.code.rollback", name)
  local rec = record(name, false)
  if rec == nil or rec.previous == nil then return nil, "no_previous_version" end
  rec.current, rec.previous = rec.previous, nil
  package.loaded[name] = rec.current.module
  return true, rec.current.vsn
end

return code
