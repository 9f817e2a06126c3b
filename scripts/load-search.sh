#!/usr/bin/env bash
# Load test of /api/search (issue 7): 30 s at 64 connections with wrk, against a running
# `armtrace serve`. Needs wrk (Debian package `wrk`) and python3.
#
#   cargo run --release -- --db /tmp/1m.db demo --items 1000000
#   cargo run --release -- --db /tmp/1m.db serve --addr 127.0.0.1:8090 &
#   scripts/load-search.sh /tmp/1m.db http://127.0.0.1:8090
#   TOKEN=armtrace_… scripts/load-search.sh /tmp/1m.db http://127.0.0.1:8090   # as a signed-in user
#
# The queries are 300 serials of the register (seeded choice): a third as stored, a
# third with one character changed (a misreading), a third with one character replaced
# by `?` (unreadable).
set -euo pipefail
register="${1:?usage: load-search.sh REGISTER [URL]}"
url="${2:-http://127.0.0.1:8080}"
armtrace="${ARMTRACE:-target/release/armtrace}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$armtrace" --db "$register" export items --format jsonl --out "$work/items.jsonl"
python3 - "$work" <<'PY'
import json, random, sys, urllib.parse
work = sys.argv[1]
rng = random.Random(7)
serials = []
with open(f"{work}/items.jsonl") as f:
    for line in f:
        s = json.loads(line).get("serial_number")
        if s and len(s) > 4:
            serials.append(s)
paths = []
for i, s in enumerate(rng.sample(serials, min(300, len(serials)))):
    j = rng.randrange(len(s))
    if i % 3 == 1:
        s = s[:j] + rng.choice("0123456789ABCDEFGHJK") + s[j + 1:]
    elif i % 3 == 2:
        s = s[:j] + "?" + s[j + 1:]
    paths.append("/api/search?q=" + urllib.parse.quote(s))
with open(f"{work}/search.lua", "w") as out:
    out.write("paths = {\n" + ",\n".join(json.dumps(p) for p in paths) + "\n}\n")
    out.write("counter = 0\nrequest = function()\n  counter = counter + 1\n"
              "  return wrk.format(\"GET\", paths[(counter % #paths) + 1])\nend\n")
PY
headers=()
if [ -n "${TOKEN:-}" ]; then headers=(-H "Authorization: Bearer $TOKEN"); fi
wrk -t2 -c64 -d30s --latency -s "$work/search.lua" "${headers[@]}" "$url"
