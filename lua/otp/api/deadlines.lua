-- otp.api.deadlines: the requests in flight, by deadline (a binary heap),
-- so the API server watches them all from its own receive timeout instead
-- of a process (or a timer) per request.
local deadlines = {}
deadlines.__index = deadlines

function deadlines.new() return setmetatable({heap = {}, n = 0}, deadlines) end

local function less(a, b) return a.at < b.at end

--- d:push(entry): entry.at is its deadline (monotonic ms).
function deadlines:push(e)
  local heap = self.heap
  local i = self.n + 1
  self.n = i
  heap[i] = e
  while i > 1 do
    local parent = i // 2
    if not less(heap[i], heap[parent]) then break end
    heap[i], heap[parent] = heap[parent], heap[i]
    i = parent
  end
end

--- d:peek() -> the entry with the earliest deadline, or nil.
function deadlines:peek() return self.heap[1] end

--- d:pop() -> the entry with the earliest deadline, removed.
function deadlines:pop()
  local heap, n = self.heap, self.n
  local top = heap[1]
  if not top then return nil end
  heap[1], heap[n] = heap[n], nil
  n = n - 1
  self.n = n
  local i = 1
  while true do
    local l, r, m = 2 * i, 2 * i + 1, i
    if l <= n and less(heap[l], heap[m]) then m = l end
    if r <= n and less(heap[r], heap[m]) then m = r end
    if m == i then break end
    heap[i], heap[m] = heap[m], heap[i]
    i = m
  end
  return top
end

return deadlines
