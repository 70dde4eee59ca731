-- otp.trace_output: the Lua half of a trace session's methods (API.md
-- section 4). ltrace.c looks up here every method it does not define in C:
--
--   session:events([f])            the ring, oldest first, through the session's
--                                  filter and then f
--   session:dump(path)             JSON Lines (lua-cjson), one event per line;
--                                  returns the number of lines written
--   session:sequence_diagram([opts])  Mermaid sequenceDiagram text; opts.max_lines
--                                  (default 200) caps the arrows and notes
--   session:analyze()              counts by kind, top senders and receivers,
--                                  rate, restart cascades
--
-- The session's filter runs here, in the reading process, never at the trace
-- point (see ltrace.c). start_relay is the process that filters for `to`.

local M = {}

-- The session's events, oldest first, that its filter and f keep.
function M.events(session, f)
  local raw = session:_events()
  local sf = session:_filter()
  if not sf and not f then return raw end
  local out = {}
  for i = 1, #raw do
    local ev = raw[i]
    if (not sf or sf(ev)) and (not f or f(ev)) then out[#out + 1] = ev end
  end
  return out
end

-- The relay process: applies filter to the raw events it receives and hands
-- the kept ones to the session's subscriber (otp.trace._forward). It ends
-- with the session, its owner or the subscriber.
function M.start_relay(id, filter, to, owner)
  return otp.spawn(function(id, filter, to, owner)
    otp.monitor(owner)
    otp.monitor(to)
    while true do
      local m = otp.receive()
      if m == "trace_session_ended" then return end
      if type(m) == "table" then
        if m[1] == "trace" then
          local ok, keep = pcall(filter, m[2])
          if ok and keep and not otp.trace._forward(id, m[2]) then return end
        elseif m[1] == "DOWN" then
          return
        end
      end
    end
  end, id, filter, to, owner)
end

---------------------------------------------------------------------------
-- JSON Lines

local function is_term(v)
  return type(v) == "userdata"
end

-- A copy of v that JSON can hold: pids and refs as their text, tables as
-- arrays (1..n) or objects with string keys, cycles and depth cut.
local function plain(v, seen, depth)
  local t = type(v)
  if t == "string" or t == "boolean" then return v end
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return tostring(v) end
    return v
  end
  if t == "nil" then return nil end
  if t ~= "table" then return is_term(v) and tostring(v) or "<" .. t .. ">" end
  if seen[v] then return "<cycle>" end
  if depth > 50 then return "<deep>" end
  seen[v] = true
  local n, count = #v, 0
  for _ in next, v do count = count + 1 end
  local out = {}
  if count == n then
    for i = 1, n do out[i] = plain(v[i], seen, depth + 1) end
  else
    for k, x in next, v do out[tostring(k)] = plain(x, seen, depth + 1) end
  end
  seen[v] = nil
  return out
end
M.plain = plain

-- Writes one JSON object per line; returns the number of events written.
function M.dump(session, path)
  if type(path) ~= "string" then
    error("badarg: session:dump needs a file path, got " .. type(path), 2)
  end
  local cjson = require("cjson").new()
  cjson.encode_sparse_array(true)
  local evs = M.events(session)
  local f, err = io.open(path, "w")
  if not f then error("badarg: session:dump cannot write " .. path .. ": " .. tostring(err), 2) end
  for i = 1, #evs do
    f:write(cjson.encode(plain(evs[i], {}, 0)), "\n")
  end
  f:close()
  return #evs
end

---------------------------------------------------------------------------
-- Mermaid sequence diagrams

local function is_ref(v)
  return type(v) == "userdata" and tostring(v):sub(1, 5) == "#Ref<"
end

-- Short text for a value in an arrow label.
local function short(v, depth)
  depth = depth or 0
  local t = type(v)
  if t == "string" then
    if #v > 30 then return v:sub(1, 27) .. "..." end
    return v
  end
  if t ~= "table" then return tostring(v) end
  if depth >= 2 then return "{...}" end
  local parts, n = {}, 0
  for i = 1, #v do
    n = n + 1
    if n > 3 then parts[#parts + 1] = "..."; break end
    parts[#parts + 1] = short(v[i], depth + 1)
  end
  if #v == 0 and next(v) ~= nil then parts[1] = "..." end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- Mermaid stops a message at ';' and reads '#' as an entity.
local function clean(s)
  return (tostring(s):gsub("[;#\r\n]", " "))
end

-- What an unnamed process runs, from its initial call ("counter:init/1" from a
-- gen_server of module counter, "supervisor:init/1"): "counter <0.4.0>".
local function runs(pid)
  local ok, call = pcall(otp.process_info, pid, "initial_call")
  local module = ok and type(call) == "string" and call:match("^(.-):init/1$")
  if module then return module .. " " .. tostring(pid) end
  return tostring(pid)
end

-- The name shown for the pid in field f of ev.
local function who(ev, f)
  local pid = ev[f]
  local label, name = ev[f .. "_label"], ev[f .. "_name"]
  if type(label) == "string" then return label, pid end
  if type(name) == "string" then return name, pid end
  if type(pid) == "userdata" then return runs(pid), pid end
  return tostring(pid), pid
end

-- session:sequence_diagram([opts]): opts.max_lines (default 200).
function M.sequence_diagram(session, opts)
  return M.diagram(M.events(session), opts)
end

-- The sequence diagram of a list of events (oldest first).
function M.diagram(evs, opts)
  opts = opts or {}
  local max_lines = opts.max_lines or 200
  local ids, order, titles = {}, {}, {}
  local function id(ev, f)
    local title, pid = who(ev, f)
    local k = pid
    if ids[k] == nil then
      order[#order + 1] = k
      ids[k] = "P" .. #order
      titles[k] = title
    elseif titles[k] == tostring(pid) and title ~= tostring(pid) then
      titles[k] = title
    end
    return ids[k]
  end
  local body, left_out = {}, 0
  local function line(s)
    if #body >= max_lines then left_out = left_out + 1; return end
    body[#body + 1] = "    " .. s
  end
  for _, ev in ipairs(evs) do
    local k = ev.kind
    if (k == "send" or k == "send_to_dead") and ev.pid and ev.to then
      if #body >= max_lines then
        left_out = left_out + 1
      else
        local a, b = id(ev, "pid"), id(ev, "to")
        local msg, arrow, text = ev.msg, "->>", nil
        if type(msg) == "table" and msg[1] == "$gen_call" then
          text = "call: " .. short(msg[3])
        elseif type(msg) == "table" and msg[1] == "$gen_cast" then
          text = "cast: " .. short(msg[2])
        elseif type(msg) == "table" and #msg <= 2 and is_ref(msg[1]) then   -- {alias, reply}
          text, arrow = "reply: " .. short(msg[2]), "-->>"
        elseif type(msg) == "table" and (msg[1] == "ack" or msg[1] == "nack") and
               type(msg[2]) == "userdata" and #msg == 3 then   -- the start protocol
          text, arrow = "[internal] " .. (msg[1] == "ack" and "started" or "failed to start"), "-->>"
        elseif type(msg) == "table" and msg[1] == "$system" then
          text = "[internal] sys: " .. short(msg[3])
        else
          text = short(msg)
        end
        if k == "send_to_dead" then text, arrow = text .. " (to a dead process)", "-x" end
        line(a .. arrow .. b .. ": " .. clean(text))
      end
    elseif k == "exit" and ev.pid then
      if #body >= max_lines then left_out = left_out + 1
      else line("Note over " .. id(ev, "pid") .. ": exit " .. clean(short(ev.reason))) end
    elseif k == "down" and ev.pid then
      if #body >= max_lines then left_out = left_out + 1
      else
        local a = id(ev, "pid")
        local from = ev.from and (" of " .. clean(who(ev, "from"))) or ""
        line("Note over " .. a .. ": DOWN" .. from .. " " .. clean(short(ev.reason)))
      end
    elseif k == "spawn" and ev.pid and ev.parent then
      if #body >= max_lines then left_out = left_out + 1
      else line(id(ev, "parent") .. "-)" .. id(ev, "pid") .. ": spawn") end
    elseif k == "sup_restart" and ev.pid then
      if #body >= max_lines then left_out = left_out + 1
      else line("Note over " .. id(ev, "pid") .. ": restart " .. clean(short(ev.id))) end
    end
  end
  local out = {"sequenceDiagram"}
  for _, k in ipairs(order) do
    out[#out + 1] = "    participant " .. ids[k] .. " as " .. clean(titles[k])
  end
  for _, l in ipairs(body) do out[#out + 1] = l end
  if left_out > 0 and #order > 0 then
    out[#out + 1] = "    Note over " .. ids[order[1]] .. ": " .. left_out ..
      " more events left out (max_lines " .. max_lines .. ")"
  end
  return table.concat(out, "\n") .. "\n"
end

---------------------------------------------------------------------------
-- Analysis

local function top(counts, names, n)
  local list = {}
  for pid, c in pairs(counts) do list[#list + 1] = {pid = pid, count = c, name = names[pid]} end
  table.sort(list, function(a, b)
    if a.count ~= b.count then return a.count > b.count end
    return tostring(a.pid) < tostring(b.pid)
  end)
  while #list > n do list[#list] = nil end
  return list
end

local function failed(reason)
  return reason ~= "normal" and reason ~= "shutdown" and
    not (type(reason) == "table" and reason[1] == "shutdown")
end

-- session:analyze(): {counts, top_senders, top_receivers, rate, message_rate,
-- events, span_s, restart_cascades = {{failure = exit event, restarts = {...}}}}
-- (restarts: the sup_restart events, and for a group restart the
-- sup_start_child events of the siblings it started again)
function M.analyze(session)
  local evs = M.events(session)
  local counts, sent, received, names = {}, {}, {}, {}
  local exits, last_failure = {}, nil
  local cascades, by_failure = {}, {}
  -- a group restart (one_for_all, rest_for_one) terminates siblings and
  -- starts them again before its one sup_restart: collect those starts
  local regrouping, restarted_with = {}, {}
  local sends = 0
  for _, ev in ipairs(evs) do
    local k = ev.kind
    counts[k] = (counts[k] or 0) + 1
    if k == "send" and ev.pid and ev.to then
      sends = sends + 1
      sent[ev.pid] = (sent[ev.pid] or 0) + 1
      received[ev.to] = (received[ev.to] or 0) + 1
      names[ev.pid] = names[ev.pid] or (who(ev, "pid"))
      names[ev.to] = names[ev.to] or (who(ev, "to"))
    elseif k == "exit" and ev.pid then
      exits[ev.pid] = ev
      if failed(ev.reason) then last_failure = ev end
    elseif k == "sup_terminate_child" and ev.pid then
      regrouping[ev.pid] = true
    elseif k == "sup_start_child" and ev.pid and regrouping[ev.pid] then
      local list = restarted_with[ev.pid] or {}
      list[#list + 1] = ev
      restarted_with[ev.pid] = list
    elseif k == "sup_restart" then
      local failure = (ev.old_pid and exits[ev.old_pid] and failed(exits[ev.old_pid].reason)
        and exits[ev.old_pid]) or last_failure or (ev.old_pid and exits[ev.old_pid])
      local key = failure or "unknown"
      local c = by_failure[key]
      if not c then
        c = {failure = failure, restarts = {}}
        by_failure[key] = c
        cascades[#cascades + 1] = c
      end
      c.restarts[#c.restarts + 1] = ev
      for _, start in ipairs(ev.pid and restarted_with[ev.pid] or {}) do
        if start.child ~= ev.new_pid then c.restarts[#c.restarts + 1] = start end
      end
      if ev.pid then regrouping[ev.pid], restarted_with[ev.pid] = nil, nil end
    end
  end
  local span = 0
  if #evs > 1 then span = (evs[#evs].t_us - evs[1].t_us) / 1e6 end
  local function per_s(n)
    if n == 0 then return 0 end
    return span > 0 and n / span or n
  end
  return {
    counts = counts,
    events = #evs,
    span_s = span,
    rate = per_s(#evs),
    message_rate = per_s(sends),
    top_senders = top(sent, names, 10),
    top_receivers = top(received, names, 10),
    restart_cascades = cascades,
  }
end

return M
