-- otp.errors: how the Lua half of the library reports misuse, the same way
-- the runtime does: a Lua error whose message starts with the stable code
-- "badarg:" and ends with the caller's position.
local errors = {}

-- Raises "badarg: <text> (at file:line)"; level 2 (the default) names the
-- caller of the function that calls badarg.
function errors.badarg(text, level)
  local info = debug and debug.getinfo((level or 2) + 1, "Sl")
  local where = ""
  if info and info.currentline and info.currentline > 0 then
    where = " (at " .. info.short_src .. ":" .. info.currentline .. ")"
  end
  error("badarg: " .. text .. where, 0)
end

-- Names people bring from elsewhere (Elixir's supervisor options) or mistype,
-- and the key otplab calls it.
local ALIASES = {max_restarts = "intensity", max_seconds = "period", child = "children",
                 childs = "children", specs = "children", child_specs = "children"}

local function distance(a, b)        -- Levenshtein, for short keys
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = {[0] = i}
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

local function closest(key, names)
  if type(key) ~= "string" then return nil end
  local alias = ALIASES[key]
  for _, n in ipairs(names) do
    if n == alias then return n end
  end
  local best, best_d = nil, 3        -- at most 2 edits away...
  for _, n in ipairs(names) do
    local d = distance(key:lower(), n)
    if d < best_d then best, best_d = n, d end
  end
  if best then return best end
  for _, n in ipairs(names) do       -- ...or the same first 6 letters (max_childs)
    if #key >= 6 and n:sub(1, 6) == key:lower():sub(1, 6) then return n end
  end
  return nil
end

-- Raises badarg naming the first key of t (an options table or a spec) that
-- is not one of names, with "did you mean ...?" when one is close; what says
-- whose table it is ("supervisor.start_link's spec"). level as for badarg,
-- counted from the caller of check_keys.
function errors.check_keys(t, names, what, level)
  local known = {}
  for _, n in ipairs(names) do known[n] = true end
  local bad = {}
  for k in next, t do
    if not known[k] then bad[#bad + 1] = k end
  end
  if #bad == 0 then return end
  table.sort(bad, function(a, b) return tostring(a) < tostring(b) end)
  local k = bad[1]
  local shown = type(k) == "string" and k or ("[" .. tostring(k) .. "]")
  local guess = closest(k, names)
  local hint = guess and (" (did you mean " .. guess .. "?)") or ""
  errors.badarg(what .. " has no key " .. shown .. hint .. "; its keys are " ..
                table.concat(names, ", "), (level or 2) + 1)
end

return errors
