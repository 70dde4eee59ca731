-- What `make run` runs in the console: the demo tree, a three-line welcome,
-- and (when nobody is at a terminal to type) the tree itself.
demo()
print("otplab: a live Erlang-style node running the demo supervision tree.")
print('Try tree(), then kill("counter_a"), then tree() again: the supervisor restarts it.')
print("help() lists the helpers, lessons() the lessons; Ctrl-D leaves.")
if not require("otp.console").info().tty then tree() end
