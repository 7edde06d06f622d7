#!/usr/bin/env bash
# Runs every example client (Python zeep, PHP SoapClient, Node soap, Perl SOAP::Lite) under
# `atws-conformance check-client` and compares the verdicts with expected.json: the good
# clients pass every rule, each naive one is flagged for exactly the rules it breaks.
#
#   conformance/examples/run_all.sh [BUILD_DIR] [run_all.py options]
#
# BUILD_DIR (default: build) holds atws-conformance and atws-mock. Installs the Node example's
# dependencies first (npm ci from the committed package-lock.json, offline when npm's cache has
# them). Needs /usr/bin/python3 with zeep, php with the soap extension, perl with SOAP::Lite
# (scripts/deps --e2e) and Node.js 18+ with npm (Debian's nodejs and npm are installed when
# there is none and this runs as root). Reports: tests/artifacts/check-client/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  build=$(cd "$1" && pwd)
  shift
fi

# Node.js 18 or later with npm: the machine's own when it has them, else Debian's (as root).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "run_all: installing Debian's nodejs and npm" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
fi
for tool in /usr/bin/python3 php perl node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run_all: $tool is missing (scripts/deps --e2e installs python3-zeep, php-soap and libsoap-lite-perl; the Node example needs Node.js 18+ with npm)" >&2
    exit 2
  fi
done
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 18 ]; then
  echo "run_all: Node.js 18 or later is needed (found $(node --version))" >&2
  exit 2
fi

# The Node example's dependencies, exactly as package-lock.json pins them; again only when the
# lock changed. --prefer-offline uses npm's cache when it has the packages.
node_dir=$here/node
stamp=$node_dir/node_modules/.package-lock.json
if [ ! -f "$node_dir/node_modules/soap/package.json" ] || [ ! -f "$stamp" ] ||
   [ "$node_dir/package-lock.json" -nt "$stamp" ]; then
  (cd "$node_dir" && npm ci --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

exec /usr/bin/python3 "$here/run_all.py" --conformance "$build/atws-conformance" \
  --mock-binary "$build/atws-mock" "$@"
