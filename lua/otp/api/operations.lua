-- otp.api.operations: loads every resource's declarations into the registry.
require "otp.api.processes"
require "otp.api.supervisors"
require "otp.api.system"
require "otp.api.sandboxes"
require "otp.api.traces"
require "otp.api.meta"
require "otp.api.scenarios"
return require "otp.api.registry"
