-- otp.console: the shell of `otplab console` (API.md section 8).
--
-- Two processes, as in Erlang's shell: the keeper (the node's first
-- process) traps exits and runs the shell linked to it; the shell reads a
-- chunk, evaluates it and prints its values with otp.inspect. When the
-- shell dies (a linked process crashed, otp.exit, Ctrl-C) the keeper says
-- so in one line and starts a new one; the globals are the console's, not
-- the process's, so they survive. The keeper ends (and with it the node)
-- when the shell ends normally, at end of input or Ctrl-D.
--
-- Input arrives from runtime/console/ as messages {"$console", "line", text},
-- {"$console", "cancel"} (Ctrl-C at a continuation prompt) and
-- {"$console", "eof"}, only after native.read() asked for one, so the
-- shell's mailbox holds nothing else of the console's when user code runs.

local otp = require "otp"
local native = otp_internal.console_native
local helpers = require "otp.console.helpers"
local complete = require "otp.console.complete"

local console = {}

local INPUT = otp.match{"$console"}

local function show_values(values, color)
  local parts = {}
  for i = 1, values.n do parts[i] = otp.inspect(values[i], {color = color}) end
  if values.n > 0 then print(table.concat(parts, ", ")) end
end

local function describe_error(e)
  if type(e) == "string" then return e end
  return otp.inspect(e)
end

local function is_exit(e)
  return type(e) == "table" and e[1] == "EXIT" and rawlen(e) == 2
end

-- Compiles src as an expression (its values are printed) or as statements.
-- Returns the function, or nil and "more" for an incomplete chunk, or nil
-- and the syntax error.
local function compile(src)
  local f = load("return " .. src, "=console")
  if f then return f end
  local g, err = load(src, "=console")
  if g then return g end
  if err:sub(-5) == "<eof>" then return nil, "more" end
  return nil, err
end

local function read_line(kind)
  native.read(kind)
  local msg = otp.receive(INPUT)
  return msg[2], msg[3]
end

-- Runs one chunk in the shell; an exit (otp.exit, a process killed) ends the
-- shell as it would any process, everything else is printed in words.
local function evaluate(f, color)
  local values = table.pack(xpcall(f, function(e)
    if is_exit(e) then return e end
    return describe_error(e)
  end))
  if values[1] then
    table.remove(values, 1)
    values.n = values.n - 1
    show_values(values, color)
    return
  end
  local e = values[2]
  if is_exit(e) then error(e, 0) end
  print("error: " .. e)
end

local function shell(file)
  local globals, fresh = native.attach()
  local info = native.info()
  if fresh then
    helpers.install(globals)
    native.set_completer(complete.candidates)
  end
  if file then helpers.run_file(file) end
  local chunk = nil
  while true do
    local kind, text = read_line(chunk and "more" or "first")
    if kind == "eof" then return end
    if kind == "cancel" then
      chunk = nil
    else
      chunk = chunk and (chunk .. "\n" .. text) or text
      if chunk:match("^%s*$") then
        chunk = nil
      else
        local f, err = compile(chunk)
        if f then
          chunk = nil
          evaluate(f, info.color)
        elseif err ~= "more" then
          chunk = nil
          print("error: " .. err)
        end
      end
    end
  end
end

local function reason_text(reason)
  if type(reason) == "table" and reason[1] == "error" then return tostring(reason[2]) end
  return otp.inspect(reason)
end

--- info() -> {tty=, color=, history_file=}: how the console talks to its user.
function console.info() return native.info() end

--- keeper(file): the console's first process; returns when the shell ends normally.
function console.keeper(file)
  otp.trap_exit(true)
  otp.set_label("console")
  if native.info().web then        -- otplab console --web: the REST API on this node
    otp.spawn(function() require("otp.api.server").main(nil, {beside_console = true}) end)
  end
  local pid = otp.spawn_link(shell, file)
  while true do
    local msg = otp.receive(otp.match{"EXIT"})
    if msg[2] == pid then
      local reason = msg[3]
      if reason == "normal" then return end
      local old = tostring(pid)
      pid = otp.spawn_link(shell)
      if native.interrupted() then
        print(string.format("** interrupted: the shell %s was killed; the new shell is %s, "
                            .. "your globals are kept", old, tostring(pid)))
      else
        print(string.format("** the shell %s exited: %s; the new shell is %s, your globals "
                            .. "are kept", old, reason_text(reason), tostring(pid)))
      end
    end
  end
end

return console
