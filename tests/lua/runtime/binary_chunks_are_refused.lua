-- Lua does not verify binary chunks, and a crafted one can crash the whole
-- node: processes load source text only.
local expect = otp.expect
local f, err = load(string.dump(function() return 1 end))
expect.eq(f, nil)
expect.truthy(err:find("binary chunk"), "load of bytecode must fail, got: " .. tostring(err))
local ok, e = pcall(load, "return 1", "chunk", "b")
expect.eq(ok, false)
expect.truthy(tostring(e):find("^badarg:"), "asking for binary mode is a badarg, got: " .. tostring(e))
local path = os.tmpname()
local out = assert(io.open(path, "wb"))
out:write(string.dump(function() return 2 end))
out:close()
local g, ferr = loadfile(path)
expect.eq(g, nil)
expect.truthy(ferr:find("binary chunk"), "loadfile of bytecode must fail, got: " .. tostring(ferr))
expect.eq(pcall(dofile, path), false)
os.remove(path)
expect.eq(load("return 40 + 2")(), 42)
