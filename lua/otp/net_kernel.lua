-- otp.net_kernel.start([name[, {longnames = true}]]) -> true | nil, reason:
-- makes this running node an Erlang node, as Erlang's net_kernel:start
-- does (the same as starting otplab with --sname NAME, or --name NAME@HOST
-- with longnames; the cookie is --cookie's, else ~/.erlang.cookie). Without
-- a name it takes a unique one ("otplab-N-TAG"). nil, "already_started" if
-- the node has a name already; nil and otplab's message if epmd refused
-- (the name is taken) or could not be started.
local errors = require "otp.errors"
local core = otp_internal and otp_internal.peer_core

local net_kernel = {}

function net_kernel.start(name, opts)
  if not core then
    error("badarg: otp.net_kernel.start is not available here (a sandbox is not a node)", 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    errors.badarg("otp.net_kernel.start's options are a table {longnames = bool}, got "
                  .. type(opts), 2)
  end
  if opts then errors.check_keys(opts, {"longnames"}, "otp.net_kernel.start's options", 2) end
  local longnames = opts and opts.longnames or false
  if name == nil then name = "otplab-" .. core.unique() end
  local ok = type(name) == "string" and #name <= 200 and
             (longnames and name:match("^[%w_%-]+@[%w_%-%.]+$") or name:match("^[%w_%-]+$"))
  if not ok then
    errors.badarg("otp.net_kernel.start needs " .. (longnames and "NAME@HOST" or
                  "a short node name (letters, digits, '_', '-')") .. ", got " .. tostring(name), 2)
  end
  return core.start_dist(name, longnames)
end

return net_kernel
