-- Lesson 20: What happened
-- trace a crash and read it back: a sequence diagram, counts, the restart history and budget.
local lesson, expect = otp.lesson, otp.expect
lesson.title("What happened")
local gen_server, supervisor = otp.gen_server, otp.supervisor
local say = lesson.say

-- A tiny key-value store that crashes on a bad request.
local store = {}
function store.init() otp.set_label("store"); return "ok", {} end
function store.handle_call(req, from, data)
  if req[1] == "put" then data[req[2]] = req[3]; return "reply", "ok", data end
  if req[1] == "get" then return "reply", data[req[2]], data end
  error("store does not understand " .. tostring(req[1]))
end

local sup = assert(supervisor.start_link{strategy = "one_for_one", intensity = 3, period = 5,
  children = {{id = "store", start = {function()
    return gen_server.start_link(store, nil, {name = "store"})
  end}}}})

-- Trace messages, exits and the supervisor's decisions.
local session = otp.trace.start{kinds = {"send", "exit", "sup_restart"}}

lesson.step("A traced store: a put, a get, and a request it does not understand", function()
  gen_server.call("store", {"put", "colour", "blue"})
  local colour = gen_server.call("store", {"get", "colour"})
  expect.eq(colour, "blue")
  say("put colour=blue, then get colour -> %s", colour)
  local ok = pcall(gen_server.call, "store", {"drop", "everything"})
  expect.falsy(ok)
  say("an unknown request crashed the store (the call returned ok=%s)", tostring(ok))
  -- wait until the supervisor has restarted it and the name is taken again
  local store2 = expect.restarted(sup, "store")
  expect.eventually(function() return otp.whereis("store") == store2 end)
  colour = gen_server.call("store", {"get", "colour"})
  expect.eq(colour, nil)
  say("after the restart, get colour -> %s: a fresh state, the data was not kept", tostring(colour))
  session:stop()
  return {sup = sup, gen_server = gen_server, session = session}
end)

lesson.step("The story as a Mermaid sequence diagram (paste it into any Mermaid viewer)", function()
  lesson.diagram(session)
end)

lesson.step("Counts, the restart history and the budget", function()
  local a = session:analyze()
  expect.eq(a.counts.sup_restart, 1)
  say("counts: %d sends, %d exits, %d restarts", a.counts.send or 0, a.counts.exit or 0,
      a.counts.sup_restart or 0)
  local h = otp.analytics.restart_history(sup)[1]
  say("the supervisor's history: %s restarted, %s -> %s", h.id, tostring(h.old_pid),
      tostring(h.new_pid))
  local b = otp.analytics.restart_budget(sup)
  expect.eq({h.id, b.used, b.intensity}, {"store", 1, 3})
  say("restart budget: %d of %d used in the last %d s; one more than %d and it gives up.",
      b.used, b.intensity, b.period, b.intensity)
  say("The store is live: at the pause, try gen_server.call(\"store\", {\"boom\"}) and history(sup).")
end)

-- The exercise: a client nobody narrates crashes the store; the learner
-- finds out with which request, from the restart history or a trace.
local SECRET = "frobnicate"
local before = otp.whereis("store")
local client = otp.spawn(function()
  otp.set_label("client")
  pcall(gen_server.call, "store", {SECRET, 42})
end)
local store3 = expect.restarted(sup, "store", before)
expect.eventually(function() return otp.whereis("store") == store3 end)
local answer = {}
local function found_check()
  local r = answer.request
  if r == nil then
    return false, "answer.request is not set: answer.request = the first element of the request that crashed the store"
  end
  if r == SECRET or (type(r) == "table" and r[1] == SECRET) then return true end
  return false, otp.inspect(r) .. " is not the request the client sent; the restart history keeps the " ..
    "reason the store died with: history(sup), or otp.analytics.restart_history(sup)"
end
lesson.expose{answer = answer}
lesson.exercise("a client just crashed the store again (tree(sup) shows one restart more); find out with " ..
  "which request, and set answer.request to that request's first element",
  found_check,
  function()
    local h = otp.analytics.restart_history(sup)
    answer.request = h[#h].reason[2]:match("understand (%w+)")
  end)

lesson.finish{try = "s = otp.trace.start{kinds = {\"send\", \"exit\"}}; kill(\"store\"); print(s:sequence_diagram())",
              next = "Safe tracing"}
