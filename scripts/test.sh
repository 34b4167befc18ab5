#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine with Node.js and npm, then runs every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.4
if ! command -v bun >/dev/null 2>&1 || [ "$(bun --version)" != "$BUN_VERSION" ]; then
  echo "==> installing bun $BUN_VERSION from npm"
  npm install -g "bun@$BUN_VERSION"
fi

# Debian packages the tests drive: the AWS CLI v2 and boto3 (real clients against the agent), the tools that
# build aws-lambda-ric's native part (AWS's Node.js runtime interface client, run unmodified in a test), and
# qemu-user with the arm64 C library (the linux-arm64 binary's smoke test), Mosquitto (the MQTT bridge's broker),
# nats-server (the fleet's hub, with JetStream), Chromium (the dashboard's browser tests, driven by playwright-core),
# and a JDK (the java runtimes' tests compile handlers with its javac; the agent compiles its Java bootstrap with it).
DEBIAN_PACKAGES="awscli python3-boto3 autoconf automake libtool cmake make g++ curl qemu-user-static libc6-arm64-cross mosquitto nats-server chromium openjdk-17-jdk-headless"
missing=""
for package in $DEBIAN_PACKAGES; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "==> not root: the tests that need$missing will be skipped (and say so)"
  fi
fi

# Let arm64 programs (the arm64 lambdalet and the workers it starts of itself) run through qemu, as root.
if [ "$(id -u)" = 0 ] && [ -f /usr/lib/binfmt.d/qemu-aarch64.conf ]; then
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  if [ -w /proc/sys/fs/binfmt_misc/register ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register || true
  fi
fi

echo "==> installing dependencies (bun.lock)"
bun install --frozen-lockfile

echo "==> format, lint and type checks"
bun run check

echo "==> tests"
# every test starts processes: 20 s by default (tests that run the AWS CLI set more), so a busy machine passes too
TEST_TIMEOUT_MS=20000
log=$(mktemp)
set +e
bun test --timeout "$TEST_TIMEOUT_MS" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
skipped=$(grep -Eo '^ *[0-9]+ skip$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
