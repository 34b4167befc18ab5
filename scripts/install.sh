#!/bin/sh
# Installs lambdalet on a Linux device: `curl -fsSL <release>/install.sh | sudo sh`, or `sudo sh install.sh` from an
# extracted release archive (then the binary next to this script is used and nothing is downloaded).
#
# Detects the architecture (x86_64, aarch64) and libc (glibc, musl), downloads the matching archive and
# SHA256SUMS from LAMBDALET_RELEASE_URL, verifies the checksum, installs /usr/local/bin/lambdalet, creates the
# `lambdalet` system user (workers run as it) and /var/lib/lambdalet, installs and starts the systemd unit.
# Options: --prefix DIR (default /usr/local), --no-systemd (install files only), --version X.Y.Z.
set -eu

VERSION="${LAMBDALET_VERSION:-0.1.0}"
RELEASE_URL="${LAMBDALET_RELEASE_URL:-https://github.com/lambdalet/lambdalet/releases/download/v$VERSION}"
PREFIX=/usr/local
SYSTEMD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --no-systemd) SYSTEMD=0; shift ;;
    --version) VERSION="$2"; RELEASE_URL="${LAMBDALET_RELEASE_URL:-https://github.com/lambdalet/lambdalet/releases/download/v$VERSION}"; shift 2 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

fail() { echo "install.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || [ "$SYSTEMD" = 0 ] || fail "run as root (sudo), or pass --no-systemd"

case "$(uname -m)" in
  x86_64 | amd64) ARCH=x64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) fail "unsupported architecture $(uname -m): lambdalet is built for x86_64 and aarch64" ;;
esac
LIBC=""
if ls /lib/ld-musl-* >/dev/null 2>&1 || (ldd --version 2>&1 | grep -qi musl); then LIBC="-musl"; fi
TARGET="linux-$ARCH$LIBC"

HERE="$(cd "$(dirname "$0")" && pwd)"
if [ -x "$HERE/lambdalet" ] && [ -f "$HERE/lambdalet.service" ]; then
  SOURCE="$HERE"
  echo "==> installing the lambdalet in $SOURCE"
else
  command -v curl >/dev/null 2>&1 || fail "curl is needed to download the release"
  ARCHIVE="lambdalet-$VERSION-$TARGET.tar.gz"
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  echo "==> downloading $ARCHIVE"
  curl -fsSL "$RELEASE_URL/$ARCHIVE" -o "$WORK/$ARCHIVE" || fail "cannot download $RELEASE_URL/$ARCHIVE"
  curl -fsSL "$RELEASE_URL/SHA256SUMS" -o "$WORK/SHA256SUMS" || fail "cannot download $RELEASE_URL/SHA256SUMS"
  (cd "$WORK" && grep " $ARCHIVE\$" SHA256SUMS | sha256sum -c -) || fail "checksum of $ARCHIVE does not match SHA256SUMS"
  tar -xzf "$WORK/$ARCHIVE" -C "$WORK"
  SOURCE="$WORK/lambdalet-$VERSION-$TARGET"
fi

echo "==> installing $PREFIX/bin/lambdalet"
mkdir -p "$PREFIX/bin"
install -m 0755 "$SOURCE/lambdalet" "$PREFIX/bin/lambdalet.new"
mv "$PREFIX/bin/lambdalet.new" "$PREFIX/bin/lambdalet"
"$PREFIX/bin/lambdalet" --version

if [ "$SYSTEMD" = 1 ]; then
  id lambdalet >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin lambdalet
  mkdir -p /var/lib/lambdalet && chmod 0711 /var/lib/lambdalet
  sed "s#/usr/local/bin/lambdalet#$PREFIX/bin/lambdalet#" "$SOURCE/lambdalet.service" > /etc/systemd/system/lambdalet.service
  systemctl daemon-reload
  systemctl enable --now lambdalet.service
  echo "==> lambdalet is running (systemctl status lambdalet). Check the host with: lambdalet doctor"
fi
echo "Try it: curl -s -d '{}' http://127.0.0.1:9001/2015-03-31/functions/<name>/invocations"
