-- One fuzzed call, as the body of its own process (host or sandbox).
--
-- body(V, seed, i, path, env, driver): makes call i's arguments from
-- V.rng(seed, i), calls otp.<path> with them under pcall, then calls a few
-- methods of what it returned (trace sessions, machines...), and sends the
-- driver {"fuzz_result", i, outcome, detail}. outcome is one of
--   ok          the call returned
--   coded       it raised an error starting with a stable code (badarg: ...)
--   exit        it raised an exit ({"EXIT", reason}, as gen_server.call does)
--   assertion   otp.expect said what failed
--   propagated  it passed on an error raised by a fuzzed callback
--   raw         any other error (detail: the message): a misuse that is not
--               answered in the user's terms
-- A process that never reports was killed, is waiting, or hung: the driver
-- tells them apart.

local CODES = {badarg = true, noproc = true, timeout = true, limit = true}

local function classify(ok, e)
  if ok then return "ok" end
  if type(e) == "table" and rawequal(rawget(e, 1), "EXIT") then return "exit" end
  if type(e) == "table" and rawequal(rawget(e, 1), "fuzz-boom") then return "propagated" end
  if type(e) ~= "string" then return "raw", "an error value of type " .. type(e) end
  local s = e:gsub("^[^\n:]*:%d+: ", "", 1)
  local code = s:match("^(%a+):")
  if code and CODES[code] then return "coded" end
  if s:find("fuzz-boom", 1, true) or s:find("'__tostring' must return a string", 1, true) then
    return "propagated"   -- raised by a fuzzed callback or metamethod
  end
  if s:find("expectation failed:", 1, true) then return "assertion" end
  if s:find("not enough memory", 1, true) then return "coded" end
  return "raw", s:sub(1, 200)
end

-- The functions reachable as methods of a returned value: the fields of
-- its __index table, or, behind a protected metatable, the names of
-- env.dict (every API function's name and common method verbs) it answers.
local function methods(v, dict)
  local names = {}
  if type(v) ~= "table" and type(v) ~= "userdata" then return names end
  local mt, t = getmetatable(v), nil
  if type(v) == "table" and mt == nil then t = v
  elseif type(mt) == "table" then t = rawget(mt, "__index") end
  if type(t) == "table" and getmetatable(t) == nil then
    for k, f in next, t do
      if type(k) == "string" and type(f) == "function" then names[#names + 1] = k end
    end
  else
    for _, name in ipairs(dict) do
      local ok, f = pcall(function() return v[name] end)
      if ok and type(f) == "function" then names[#names + 1] = name end
    end
  end
  table.sort(names)
  return names
end

return function(V, seed, i, path, env, driver)
  local r = V.rng(seed, i)
  local fn = otp
  for part in path:gmatch("[^.]+") do fn = fn[part] end
  local args, n = V.args(r, env)
  local res = table.pack(pcall(fn, table.unpack(args, 1, n)))
  local outcome, detail = classify(res[1], res[2])
  local where = path
  for j = 2, res[1] and res.n or 1 do
    local names = methods(res[j], env.dict)
    for _ = 1, #names > 0 and 3 or 0 do
      local m = names[r(#names)]
      local margs, mn = V.args(r, env)
      local mo, md = classify(pcall(res[j][m], res[j], table.unpack(margs, 1, mn)))
      if mo == "raw" and outcome ~= "raw" then
        outcome, detail, where = mo, md, path .. "() result:" .. m
      end
    end
  end
  otp.send(driver, {"fuzz_result", i, outcome, detail, where})
end
