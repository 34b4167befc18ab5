#!/usr/bin/env bash
# Runs the whole suite (scripts/test.sh) while stress-ng keeps every core busy, to show that no test depends on an
# idle machine. Installs Debian's stress-ng as root when it is missing. Prints how long the run took.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v stress-ng >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing stress-ng"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null
  else
    echo "stress-ng is not installed and this user cannot install it: apt-get install stress-ng" >&2
    exit 1
  fi
fi

workers="${STRESS_CPU_WORKERS:-$(nproc)}"
echo "==> keeping $workers cores busy with stress-ng --cpu $workers"
stress-ng --cpu "$workers" --timeout 0 --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null || true; wait "$stress" 2>/dev/null || true' EXIT

started=$(date +%s)
set +e
bash scripts/test.sh
status=$?
set -e
echo "==> the suite took $(( $(date +%s) - started )) s with $workers cores busy (exit $status)"
exit "$status"
