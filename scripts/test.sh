#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine with Node.js and npm, then runs every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.4
if ! command -v bun >/dev/null 2>&1 || [ "$(bun --version)" != "$BUN_VERSION" ]; then
  echo "==> installing bun $BUN_VERSION from npm"
  npm install -g "bun@$BUN_VERSION"
fi

echo "==> installing dependencies (bun.lock)"
bun install --frozen-lockfile

echo "==> format, lint and type checks"
bun run check

echo "==> tests"
log=$(mktemp)
set +e
bun test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
skipped=$(grep -Eo '^ *[0-9]+ skip$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
