-- wrk script: GET requests with the API key from the environment (RK_BENCH_KEY); the path is
-- the one given on wrk's command line. Non-200 answers are reported once.
local key = os.getenv("RK_BENCH_KEY")
wrk.headers["Authorization"] = "Bearer " .. key

function response(status, headers, body)
  if status ~= 200 and not warned then
    warned = true
    io.stderr:write("GET answered " .. status .. ": " .. body:sub(1, 200) .. "\n")
  end
end
