-- C3f: a sandbox's string.find/match/gmatch/gsub run on otplab's own
-- resumable pattern engine; they must answer exactly as Lua 5.4's string
-- library does in a host process. Thousands of random patterns and subjects
-- (and a list of hand-picked edge cases: captures, %b, %f, anchors, the
-- nesting and capture limits, malformed patterns, odd arguments) go to a
-- process in a sandbox in batches; each answer (values, or the error
-- message) is compared with the host's own string library.
local expect = otp.expect

-- The same case runner, loaded from source in the host and in the sandbox.
local RUNNER = [=[
local function canon(ok, ...)
  local t = {tostring(ok)}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    t[#t + 1] = type(v) .. ":" .. tostring(v)
  end
  return table.concat(t, "|")
end
local repl_table = {a = "<A>", ab = 7, b = false, ["1"] = "one", ["()"] = {}}
local repl_fns = {
  cat = function(...)
    local t = {}
    for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end
    return "[" .. table.concat(t, ",") .. "]"
  end,
  none = function() end,
  no = function() return false end,
  num = function() return 4.5 end,
  tbl = function() return {} end,
}
return function(c)
  local op, s, p = c[1], c[2], c[3]
  if op == "find" then return canon(pcall(string.find, s, p, c[4], c[5])) end
  if op == "method" then return canon(pcall(function() return s:find(p, c[4]) end)) end
  if op == "match" then return canon(pcall(string.match, s, p, c[4])) end
  if op == "gmatch" then
    local ok, it = pcall(string.gmatch, s, p, c[4])
    if not ok then return canon(false, it) end
    local out = {}
    for _ = 1, 40 do
      local r = table.pack(pcall(it))
      out[#out + 1] = canon(table.unpack(r, 1, r.n))
      if not r[1] or r[2] == nil then break end
    end
    return table.concat(out, "\n")
  end
  local repl = c[4]
  if repl == "@table" then repl = repl_table
  elseif type(repl) == "string" and repl_fns[repl:match("^@(%w+)$") or ""] then
    repl = repl_fns[repl:sub(2)]
  end
  return canon(pcall(string.gsub, s, p, repl, c[5]))
end
]=]
local run_case = load(RUNNER)()

math.randomseed(20261204)
local random = math.random
local function pick(list) return list[random(#list)] end

local ATOMS = {"a", "a", "b", "b", "c", ".", "%a", "%d", "%s", "%w", "%p", "%A", "%S",
               "%x", "%z", "%%", "%.", "%]", "[ab]", "[^a]", "[a-c]", "[%d%s]", "[]a]",
               "[^]]", "[a-]", "[%a_]", "%b()", "%b[]", "%f[%w]", "%f[%W]", "%f[a]",
               "(", ")", "()", "(a)", "(.)", "%1", "%2", "%0", "*", "+", "-", "?",
               "^", "$", "%", "[", "]", "%b", "%f", "%g", " ", "1", "\0", "%c", "%u",
               "%l", "[%]]", "[a%-z]", "[%^a]"}
local QUANT = {"", "", "", "*", "+", "-", "?"}
local SUBJ = {"a", "a", "b", "b", "c", "(", ")", "[", "]", " ", "1", "2", "%", ".",
              "-", "_", "A", "\0", "\n", "x"}
local REPLS = {"x", "%0", "%1", "<%1>", "%2", "%%", "%", "%a", "", "%1%1", 12,
               "@table", "@cat", "@none", "@no", "@num", "@tbl"}
local INITS = {nil, nil, nil, 1, 2, -1, -3, 0, 5, 100, -100}

local function rand_pattern()
  local t = {}
  for _ = 1, random(0, 7) do
    t[#t + 1] = pick(ATOMS) .. pick(QUANT)
  end
  return table.concat(t)
end

local function rand_subject()
  local t = {}
  for _ = 1, random(0, 12) do t[#t + 1] = pick(SUBJ) end
  return table.concat(t)
end

local OPS = {"find", "find", "match", "match", "gmatch", "gsub", "gsub", "method"}
local cases = {}
for _ = 1, 4000 do
  local op = pick(OPS)
  local c = {op, rand_subject(), rand_pattern()}
  if op == "gsub" then
    c[4] = pick(REPLS)
    if random(4) == 1 then c[5] = random(0, 3) end
  else
    c[4] = INITS[random(#INITS)]
    if op == "find" and random(6) == 1 then c[5] = true end
  end
  cases[#cases + 1] = c
end

-- hand-picked: the limits, the error messages, arguments of every kind
local deep = ("a?"):rep(198)
local edge = {
  {"find", ("a"):rep(300), ("a?"):rep(199)},         -- 199 nested choices
  {"find", ("a"):rep(300), ("a?"):rep(200)},         -- one too many: too complex
  {"find", "aaa", ("a*"):rep(199)},
  {"find", "aaa", ("a*"):rep(200)},
  {"find", "aaa", ("(a*)"):rep(66)},                 -- captures count as nesting
  {"find", "aaa", ("(a*)"):rep(67)},
  {"find", "", ("x*"):rep(300)},                     -- no choice where nothing matches
  {"match", ("a"):rep(300), deep .. ("a"):rep(10)},
  {"match", ("x"):rep(40), ("(x)"):rep(32)},          -- 32 captures
  {"match", ("x"):rep(40), ("(x)"):rep(33)},          -- too many
  {"match", "hello world", "()ll()"},
  {"find", "hello world", "(o)(r)"},
  {"gsub", "hello world", "(o)", "%2"},
  {"gsub", "hello world", "o", "%1"},
  {"gsub", "hello world", "()o", "%1"},
  {"gsub", "abc", "", "-"},
  {"gsub", "abc", "^", "-"},
  {"gsub", "abc", "$", "-"},
  {"gsub", "abc", "^a", "-", 5},
  {"gsub", "abc", "%w", "%0%0", -1},
  {"gsub", "abc", "%w", "x", 2.0},
  {"gsub", "abc", "%w", "x", "2"},
  {"gsub", "abc", "%w", "x", 2.5},
  {"gsub", "abc", "%w", true},
  {"gsub", "abc", "%w"},
  {"gsub", "abc", "(b", "x"},
  {"gsub", "THE (quick) fox", "%f[%a]%a+", "@cat"},
  {"gsub", "x = [[a]] y", "%b[]", "@cat"},
  {"gmatch", "one two  three", "%a+"},
  {"gmatch", "abc", ""},
  {"gmatch", "^a^a", "^a"},
  {"gmatch", "abc", "()", 2},
  {"gmatch", "abc", ".", 10},
  {"gmatch", "abc", ".", -1},
  {"find", "abc", "b", 2.0},
  {"find", "abc", "b", "2"},
  {"find", "abc", "b", 2.5},
  {"find", "abc", "b", {}},
  {"find", "abc", nil},
  {"find", nil, "a"},
  {"find", 12345, 3},
  {"find", 12345, "%d+", math.mininteger},
  {"find", 12345, "%d+", math.maxinteger},
  {"match", "abc", "%"},
  {"match", "abc", "[a"},
  {"match", "abc", "[a%"},
  {"match", "abc", "%b"},
  {"match", "abc", "%ba"},
  {"match", "abc", "%f"},
  {"match", "abc", "%fa"},
  {"match", "abc", "(()"},
  {"match", "abc", "a)"},
  {"match", "abc", "%1"},
  {"match", "aa", "(a)%1"},
  {"match", "aa", "(a%1)"},
  {"match", "aa", "()%1"},
  {"match", "a.b", "a.b", 1},
  {"find", "a.b", ".", 1, true},
  {"find", "a+b", "+", 1},
  {"find", "abc", "", 4},
  {"find", "abc", "", 5},
  {"match", "\0a\0", "%z(.)%z"},
  {"match", "key = value", "^(%w+)%s*=%s*(%w+)$"},
  {"match", "  trim  ", "^%s*(.-)%s*$"},
}
for _, c in ipairs(edge) do cases[#cases + 1] = c end

expect.eq(otp.sandbox.create("c3f_diff", {}), true)
local worker = otp.sandbox.spawn("c3f_diff", function(src, host)
  local run = load(src)()
  while true do
    local m = otp.receive()
    if m[1] == "stop" then return end
    local out = {}
    for i, c in ipairs(m[2]) do out[i] = run(c) end
    otp.send(host, {"results", m[3], out})
  end
end, RUNNER, otp.self())

local BATCH, compared, errors, misses = 250, 0, 0, 0
for first = 1, #cases, BATCH do
  local batch = {}
  for i = first, math.min(first + BATCH - 1, #cases) do batch[#batch + 1] = cases[i] end
  otp.send(worker, {"batch", batch, first})
  local m = expect.receive({"results", first}, 30000)
  for i, c in ipairs(batch) do
    local want = run_case(c)
    if m[3][i] ~= want then
      error(("case %d %s(%q, %q, %s, %s):\n  sandbox: %s\n  lua:     %s"):format(
        first + i - 1, c[1], c[2], c[3], tostring(c[4]), tostring(c[5]), m[3][i], want))
    end
    compared = compared + 1
    if want:find("^false") then errors = errors + 1 end
    if want:find("^true|nil:nil") then misses = misses + 1 end
  end
end
expect.eq(compared, #cases, "every case was compared")
-- the cases reach every kind of answer: matches, misses and errors
expect.truthy(errors > 200 and misses > 200 and compared - errors - misses > 1000,
              ("a spread of answers (%d errors, %d misses)"):format(errors, misses))
otp.send(worker, {"stop"})
otp.sandbox.destroy("c3f_diff")
