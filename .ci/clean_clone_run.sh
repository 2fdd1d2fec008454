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
  health=$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null || true)
  if grep -q '"worker": {"status": "ok"' <<<"$health"; then
    ok=yes; break
  fi
  sleep 1
done
fail() { echo "clean-clone run: $*"; cat "$work/run.log"; kill -INT -- -$pid 2>/dev/null || true; exit 1; }
[ -n "$ok" ] || fail "the site or its worker did not come up"
# Read each page whole before searching it: `curl | grep -q` fails under pipefail when grep
# stops reading early.
page=$(curl -fsS "http://127.0.0.1:$port/") || fail "the landing page did not answer"
grep -q 'Шүгэл' <<<"$page" || fail "no Mongolian landing page"
page=$(curl -fsS "http://127.0.0.1:$port/en/") || fail "the English page did not answer"
grep -q 'Ways to complain' <<<"$page" || fail "no English page"
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
