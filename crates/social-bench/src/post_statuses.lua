-- wrk script: POST /api/v1/statuses with a distinct form-encoded text per request (the
-- bearer token comes from `-H`), counting the answers per HTTP status so that refusals are
-- reported, not hidden. Arguments after `--`: a run tag, then the phase (warmup/run); both go
-- into the text so no two requests of any run post the same words.

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local tag = "bench"
local counter = 0
statuses = {}
first_error = nil

function init(args)
   tag = table.concat(args, "-")
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
   counter = counter + 1
   local body = string.format(
      "status=Benchmark+post+%s-%d-%d%%3A+the+quick+brown+fox+jumps+over+the+lazy+dog+%%23bench",
      tag, id, counter)
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if (status < 200 or status > 299) and first_error == nil then
      first_error = status .. " " .. string.sub(body or "", 1, 200)
   end
end

function done(summary, latency, requests)
   local total = {}
   local sample = nil
   for _, thread in ipairs(threads) do
      for code, count in pairs(thread:get("statuses")) do
         total[code] = (total[code] or 0) + count
      end
      sample = sample or thread:get("first_error")
   end
   for code, count in pairs(total) do
      io.write(string.format("status %d %d\n", code, count))
   end
   if sample then
      io.write("first error: " .. string.gsub(sample, "\n", " ") .. "\n")
   end
end
