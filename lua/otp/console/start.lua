-- The console's first process (runtime/console/console.c starts it):
-- arg[1] is the FILE given to `otplab console`, run in the shell first.
require("otp.console").keeper(arg and arg[1])
