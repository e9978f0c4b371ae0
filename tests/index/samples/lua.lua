-- A small event queue module.
local json = require("dkjson")
local util = require "app.util"

local MAX_EVENTS = 256

local Queue = {}
Queue.__index = Queue

function Queue.new(name)
  local self = setmetatable({}, Queue)
  self.name = name
  self.items = {}
  return self
end

function Queue:push(event)
  if #self.items >= MAX_EVENTS then
    util.warn("queue full: " .. self.name)
    return false
  end
  table.insert(self.items, event)
  return true
end

function Queue:drain(handler)
  for _, event in ipairs(self.items) do
    handler(json.encode(event))
  end
  self.items = {}
end

local function format_event(event)
  return string.format("%s@%d", event.kind, event.time)
end

local on_error = function(err)
  print(format_event({ kind = "error", time = os.time() }), err)
end

function handle_all(queue)
  queue:drain(print)
end

return { Queue = Queue, on_error = on_error }
