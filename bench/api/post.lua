-- wrk script: POST /api/v1/reports with a narrative holding ten observables, a different one
-- on every request so that no two reports are identical. The API key comes from the
-- environment (RK_BENCH_KEY), set by bench/api/run.
local key = os.getenv("RK_BENCH_KEY")
local counter = 0
local thread_id = 0
local threads = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function request()
  counter = counter + 1
  local i = thread_id * 10000000 + counter
  local narrative = string.format(
    "被害者のPCから 203.0.113.%d へ通信。C2 は hxxp://c2-%d[.]example[.]net/gate.php、" ..
    "ドメイン evil-%d.example.org、メール attacker%d@mail.example.com、電話 03-1234-%04d、" ..
    "IPv6 2001:db8::%x、ハッシュ 44d88612fea8a8f36de82e1278abb02f と " ..
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f、" ..
    "ファイル invoice_%d.exe、送金先 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq。",
    i % 250 + 1, i, i, i, i % 10000, i % 65535 + 1, i)
  local body = string.format(
    '{"intake_type":"sodan","channel":"denwa","category":"phishing",' ..
    '"title":"ベンチマーク通報 %d","narrative":"%s","received_at":"2026-11-20T09:30:00Z",' ..
    '"damage_amount":%d,"urgent":false,"reporter":{"type":"individual"}}',
    i, narrative, 10000 + i % 1000)
  return wrk.format("POST", "/api/v1/reports", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status ~= 201 and not warned then
    warned = true
    io.stderr:write("POST answered " .. status .. ": " .. body:sub(1, 200) .. "\n")
  end
end
