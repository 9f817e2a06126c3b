#!/usr/bin/env bash
# The stranger's client: schemathesis (PyPI) fuzzes every route of /api/openapi.json
# against a served demo register, the way .ci/run runs it (issue 24):
#   - anonymous, every GET route, with negative_data_rejection (a request the document
#     forbids must be refused), then
#   - as an investigator (an API token), every route and method.
# Checks: not_a_server_error, status_code_conformance, content_type_conformance,
# response_schema_conformance (+ negative_data_rejection for the anonymous GETs).
#
#   scripts/fuzz-api.sh                       # 120 s per pass, the debug binary
#   FUZZ_SECONDS=600 ARMTRACE=target/release/armtrace scripts/fuzz-api.sh
#
# schemathesis is installed into a virtualenv under target/ (pinned); the register is a
# fresh demo in a temporary folder; the server is stopped on exit. Exits non-zero when a
# pass finds a failure; the report of each pass is kept in target/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-120}"
armtrace="${ARMTRACE:-target/debug/armtrace}"
version="4.32.5"
venv="target/schemathesis-venv"
reports="target/schemathesis"
mkdir -p "$reports"

if [ ! -x "$armtrace" ]; then
  cargo build -q -p armtrace
fi
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
fi

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

db="$work/demo.db"
"$armtrace" --db "$db" demo >/dev/null
"$armtrace" --db "$db" user add fuzz-investigator --role investigator >/dev/null
token="$("$armtrace" --db "$db" token create fuzz-investigator --label schemathesis | grep -o 'armtrace_[0-9a-f]*' | head -n 1)"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
"$armtrace" --db "$db" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "$url/api/openapi.json" >/dev/null 2>&1 && break
  sleep 0.2
done

checks="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
status=0
run() {
  local name="$1"
  shift
  echo "schemathesis: $name ($seconds s)"
  if "$venv/bin/schemathesis" run "$url/api/openapi.json" --max-time "$seconds" --workers 2 \
    --no-color "$@" >"$reports/$name.txt" 2>&1; then
    echo "schemathesis: $name: $(grep -E 'generated,' "$reports/$name.txt" | tr -s ' ')"
  else
    status=1
    echo "schemathesis: $name FAILED (report in $reports/$name.txt):"
    sed -n '/FAILURES/,$p' "$reports/$name.txt" | head -n 80
  fi
}
run anonymous-get --include-method GET --checks "$checks,negative_data_rejection"
run investigator -H "Authorization: Bearer $token" --checks "$checks"
if grep -qiE "panicked|error" "$work/serve.log"; then
  echo "schemathesis: the server logged errors:"
  grep -iE "panicked|error" "$work/serve.log" | head -n 20
fi
exit "$status"
