#!/usr/bin/env bash
# Clones the checkout, runs `make run` there as a newcomer would, and checks that the site,
# the worker and Ctrl-C all behave; also that the server logs no request lines.
set -euo pipefail
src=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$src" "$work/shugel"
cd "$work/shugel"
port=8765
setsid make run PORT=$port >"$work/run.log" 2>&1 &
pid=$!
ok=""
for _ in $(seq 180); do
  if curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"worker": {"status": "ok"'; then
    ok=yes; break
  fi
  sleep 1
done
fail() { echo "clean-clone run: $*"; cat "$work/run.log"; kill -INT -- -$pid 2>/dev/null || true; exit 1; }
[ -n "$ok" ] || fail "the site or its worker did not come up"
curl -fsS "http://127.0.0.1:$port/" | grep -q 'Шүгэл' || fail "no Mongolian landing page"
curl -fsS "http://127.0.0.1:$port/en/" | grep -q 'Ways to complain' || fail "no English page"
grep -q 'clerk' "$work/run.log" || fail "demo logins were not printed"
if grep -E '"(GET|POST) /' "$work/run.log"; then fail "the server logged request lines"; fi
kill -INT -- -$pid
for _ in $(seq 30); do kill -0 $pid 2>/dev/null || break; sleep 1; done
kill -0 $pid 2>/dev/null && fail "Ctrl-C did not stop make run"
# A second run reuses everything: no reinstall.
start=$(date +%s)
make setup >/dev/null
[ $(( $(date +%s) - start )) -lt 30 ] || fail "a second set-up took too long"
echo "clean-clone run: ok"
