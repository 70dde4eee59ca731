-- C3f: Lua's parser cannot be preempted (about 20 MB of source a second), so
-- a sandbox's load takes at most 64 KB of source at once: a bigger string, or
-- a reader function that hands over more, makes load answer nil and a clear
-- "limit:" message (as load answers a syntax error) instead of parsing for
-- many slices. 64 KB itself loads and runs; a host process keeps Lua's load.
local expect = otp.expect
local me = otp.self()
local MESSAGE = "limit: a sandbox loads at most 64 KB of source in one load (the parser "
                .. "cannot be preempted); load the code in smaller chunks"
local FITS = ("x = 1 "):rep(65536 // 6) .. (" "):rep(65536 % 6)
local BIG = FITS .. " "

expect.eq(otp.sandbox.create("c3f_load", {}), true)
local pid = otp.sandbox.spawn("c3f_load", function(to, fits, big)
  local r = {}
  local f = load(fits)
  r.fits = f ~= nil and #fits
  f()
  r.ran = x
  r.big = {load(big)}
  local pieces = 0
  r.reader = {load(function()
    pieces = pieces + 1
    if pieces <= 100 then return ("y = 2 "):rep(200) end
  end)}
  r.pieces = pieces
  r.small_reader = load(function()
    pieces = pieces + 1
    if pieces <= 110 then return "z = 3 " end
  end) ~= nil
  otp.send(to, {"loads", r})
end, me, FITS, BIG)
local r = expect.receive({"loads"}, 10000)[2]
expect.eq(r.fits, 65536, "64 KB loads")
expect.eq(r.ran, 1, "and runs")
expect.eq(r.big, {nil, MESSAGE}, "a byte more is refused")
expect.eq(r.reader, {nil, MESSAGE}, "a reader that hands over more is stopped")
expect.eq(r.pieces, 55, "at the piece that goes over")
expect.eq(r.small_reader, true, "a reader within the limit loads")
expect.dead(pid)

local host = load(BIG .. (" "):rep(1000000))
expect.eq(type(host), "function", "a host process loads any size")
otp.sandbox.destroy("c3f_load")
