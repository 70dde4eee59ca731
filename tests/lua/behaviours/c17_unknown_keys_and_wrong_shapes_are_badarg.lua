-- Specs and option tables refuse what they do not know, instead of starting
-- with no children and no word: an unknown key is badarg naming it, with
-- "did you mean" for a close one (Elixir's max_restarts/max_seconds, a typo
-- child for children); one spec given instead of a list of specs is badarg.
-- Supervisor and child specs, dynamic supervisor options, gen_server
-- options and trace options share the check.
local expect = require "otp.expect"
local sup, dsup, gen_server = otp.supervisor, otp.dynamic_supervisor, otp.gen_server
local w = {function() return otp.spawn_link(otp.receive) end}
local before = #otp.processes()

local function refused(fn, ...)
  local args = table.pack(...)
  return expect.error(function() fn(table.unpack(args, 1, args.n)) end, "badarg")
end

local e = refused(sup.start_link, {strategy = "one_for_one", max_restarts = 3, children = {}})
expect.truthy(e:find("no key max_restarts (did you mean intensity?)", 1, true), e)
e = refused(sup.start_link, {max_seconds = 5, children = {}})
expect.truthy(e:find("no key max_seconds (did you mean period?)", 1, true), e)
e = refused(sup.start_link, {child = {{id = "x", start = w}}})
expect.truthy(e:find("no key child (did you mean children?)", 1, true), e)
e = refused(sup.start_link, {children = {id = "x", start = w}})
expect.truthy(e:find("got one spec", 1, true), e)
e = refused(sup.start_link, {children = {{id = "x", start = w, restrt = "temporary"}}})
expect.truthy(e:find("children[1] has no key restrt (did you mean restart?)", 1, true), e)
e = refused(sup.start_link, {children = {}, colour = "red"})
expect.truthy(e:find("no key colour;", 1, true), "nothing close: no guess: " .. e)
expect.eq(#otp.processes(), before, "nothing was started")

local s = assert(sup.start_link{children = {}})
e = refused(sup.start_child, s, {id = "y", start = w, shutdwn = 10})
expect.truthy(e:find("no key shutdwn (did you mean shutdown?)", 1, true), e)
expect.eq(sup.count_children(s).specs, 0)

e = refused(dsup.start_link, {max_childs = 3})
expect.truthy(e:find("no key max_childs (did you mean max_children?)", 1, true), e)
local d = assert(dsup.start_link{})
e = refused(dsup.start_child, d, {id = "z", strat = w})
expect.truthy(e:find("no key strat (did you mean start?)", 1, true), e)

local mod = {init = function() return "ok", 0 end}
e = refused(gen_server.start_link, mod, nil, {nmae = "srv"})
expect.truthy(e:find("no key nmae (did you mean name?)", 1, true), e)

e = refused(otp.trace.start, {kind = {"send"}})
expect.truthy(e:find("no key kind (did you mean kinds?)", 1, true), e)
