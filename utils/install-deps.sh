#!/bin/sh
# Installs the Debian packages Cairn needs, when they are missing and we are root.
# usage: install-deps.sh build|test
set -e
BUILD_PKGS="gcc make pkg-config python3 liblua5.1-0-dev liblzf-dev libjemalloc-dev lua-cjson-dev lua-bitop-dev libmd-dev"
TEST_PKGS="$BUILD_PKGS libcmocka-dev python3-pytest python3-redis python3-hypothesis redis-server redis-tools clang libclang-rt-14-dev"
case "$1" in
  build) want="$BUILD_PKGS" ;;
  test)  want="$TEST_PKGS" ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
