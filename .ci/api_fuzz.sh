#!/usr/bin/env bash
# Runs schemathesis against the live server with the committed spec: no 5xx, every response
# conforms to openapi/ticketlens.yaml, and calls to /api/ without a token get 401.
# Usage: .ci/api_fuzz.sh PATH/TO/ticketlens   (a built binary)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$1"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/ticketlens/schemathesis-venv"
pin="schemathesis==4.32.5"
if ! "$venv/bin/pip" freeze 2>/dev/null | grep -qx "$pin"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "$pin"
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token="fuzz-operator-token"
TICKETLENS_DATABASE__URL="sqlite://$work/fuzz.db" \
TICKETLENS_SERVER__LISTEN="127.0.0.1:$port" \
TICKETLENS_API__OPERATOR_TOKENS="[\"$token\"]" \
TICKETLENS_JIRA__WEBHOOK_SECRET="fuzz-jira-secret" \
TICKETLENS_LINEAR__WEBHOOK_SECRET="fuzz-linear-secret" \
TICKETLENS_GITHUB__WEBHOOK_SECRET="fuzz-github-secret" \
TICKETLENS_GITLAB__WEBHOOK_TOKEN="fuzz-gitlab-token" \
TICKETLENS_LOG__LEVEL=warn \
  "$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

# Unauthenticated calls to every /api/ route of the spec get 401.
python3 - "$port" <<'PY'
import json, sys, urllib.request, urllib.error
port = sys.argv[1]
spec = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json"))
checked = 0
for path, item in spec["paths"].items():
    if not path.startswith("/api/"):
        continue
    for method in item:
        url = f"http://127.0.0.1:{port}" + path.replace("{id}", "1").replace("{tracker}", "jira").replace("{key}", "A-1")
        req = urllib.request.Request(url, method=method.upper(), data=b"{}" if method != "get" else None,
                                     headers={"content-type": "application/json"})
        try:
            urllib.request.urlopen(req)
            status = 200
        except urllib.error.HTTPError as e:
            status = e.code
        if status != 401:
            sys.exit(f"{method.upper()} {path} without a token answered {status}, not 401")
        checked += 1
print(f"api_fuzz: {checked} /api/ operations refuse unauthenticated calls with 401")
PY

"$venv/bin/schemathesis" run openapi/ticketlens.yaml \
  --url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" \
  --checks all \
  --max-examples 40 \
  --seed 20261122 \
  --generation-deterministic \
  --request-timeout 10 \
  --max-response-time 5
echo "api_fuzz: schemathesis passed"
