-- The first process of `otplab serve`: the API server (otp.api.server).
-- Its one argument is FILE, or "" for the demo tree.
local file = ...
return require("otp.api.server").main(file ~= "" and file or nil)
