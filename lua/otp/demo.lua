-- otp.demo: the demo tree of API.md section 8, shared by the console's
-- demo(), `make run`, `otplab serve` and the lessons.
--
--   demo_sup (one_for_one)
--   ├── counter_a, counter_b   counter gen_servers
--   ├── printer                prints what it is cast
--   ├── pipeline (rest_for_one)
--   │   └── producer -> transformer -> consumer
--   └── pool (one_for_all)
--       └── worker_1, worker_2, worker_3
--
-- Every process is registered under its name (the pool's workers need one
-- each, so they are worker_1..3). The producer sends a number down the
-- pipeline every `tick_ms` (default 1000; false: only when asked with
-- gen_server.call("producer", "produce")), so a trace always has traffic.
--
--   local demo = require "otp.demo"
--   local root = demo.start()              -- the running demo_sup, or a new one
--   otp.gen_server.call("counter_a", "next")       --> 0, then 1, ...
--   otp.gen_server.call("worker_2", {"work", 7})   --> 49
--   otp.gen_server.call("consumer", "get")         --> {count=, last=}
--
-- demo.spec(opts) is the root's supervisor spec (usable as a sandbox's
-- `start`). Each server is a module of its own (otp.demo.counter, ...), so
-- its callbacks cross into a sandbox by name and can be reloaded with
-- otp.code.load.

local otp = require "otp"
local gen_server = require "otp.gen_server"
local supervisor = require "otp.supervisor"
local badarg = require("otp.errors").badarg

local demo = {}

local counter = require "otp.demo.counter"
local printer = require "otp.demo.printer"
local producer = require "otp.demo.producer"
local transformer = require "otp.demo.transformer"
local consumer = require "otp.demo.consumer"
local worker = require "otp.demo.worker"
demo.counter, demo.printer, demo.worker = counter, printer, worker
demo.producer, demo.transformer, demo.consumer = producer, transformer, consumer

local function server(id, mod, args)
  return {id = id, start = {gen_server.start_link, mod, args, {name = id}}}
end

local function sup(id, spec)
  spec.name = id
  return {id = id, type = "supervisor", start = {supervisor.start_link, spec}}
end

--- demo.spec([{tick_ms = 1000}]) -> the supervisor spec of demo_sup.
function demo.spec(opts)
  local tick_ms = 1000
  if opts ~= nil then
    if type(opts) ~= "table" then
      badarg("demo.spec options must be a table such as {tick_ms = 1000}, got " .. type(opts), 2)
    end
    if opts.tick_ms ~= nil then tick_ms = opts.tick_ms end
  end
  if tick_ms ~= false and not (math.type(tick_ms) == "integer" and tick_ms > 0) then
    badarg("demo tick_ms must be a positive integer (milliseconds between items) or false, got "
           .. tostring(tick_ms), 2)
  end
  return {
    name = "demo_sup", strategy = "one_for_one", intensity = 3, period = 5,
    children = {
      server("counter_a", counter, 0),
      server("counter_b", counter, 100),
      server("printer", printer),
      sup("pipeline", {strategy = "rest_for_one", intensity = 3, period = 5, children = {
        server("producer", producer, tick_ms or nil),
        server("transformer", transformer),
        server("consumer", consumer),
      }}),
      sup("pool", {strategy = "one_for_all", intensity = 3, period = 5, children = {
        server("worker_1", worker, 1),
        server("worker_2", worker, 2),
        server("worker_3", worker, 3),
      }}),
    },
  }
end

--- demo.start([opts]) -> the pid of demo_sup: the running one, or a new one
--- linked to the caller. Returns nil and the reason if it cannot start.
function demo.start(opts)
  local running = otp.whereis("demo_sup")
  if running then return running end
  return supervisor.start_link(demo.spec(opts))
end

return demo
