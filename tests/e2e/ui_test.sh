#!/usr/bin/env bash
# Browser test of the admin page (/__admin/ui) against a running mock, in Debian's Chromium.
#
#   tests/e2e/ui_test.sh URL      URL: the mock's base (http://127.0.0.1:PORT) or any URL on it
#
# Starts nothing itself. Installs what is missing first: Debian's chromium, nodejs and npm
# (apt-get, as root), and playwright-core into tests/e2e/node_modules with `npm ci` from the
# committed package-lock.json. No browser is downloaded: playwright-core drives
# /usr/bin/chromium. Writes tests/artifacts/ui.png; exits non-zero when a check fails.
# Environment: ATWS_USERNAME / ATWS_PASSWORD / ATWS_INTEGRATION_CODE (default: the default
# tenant's API user), ATWS_UI_TIMEOUT seconds (120).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
url=${1:-}
if [ -z "$url" ]; then
  echo "usage: tests/e2e/ui_test.sh URL-of-a-running-mock" >&2
  exit 2
fi

apt_install() {  # apt_install PACKAGE...: installs those that are missing
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "ui_test: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "ui_test: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

[ -x /usr/bin/chromium ] || apt_install chromium
# Node.js 18 or later with npm: the machine's own when it has them, else Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "ui_test: Node.js 18 or later is needed (found $(node --version))" >&2
  exit 1
fi

# playwright-core, exactly as package-lock.json pins it; again only when the lock changed.
stamp=$here/node_modules/.package-lock.json
if [ ! -f "$here/node_modules/playwright-core/package.json" ] || [ ! -f "$stamp" ] ||
   [ "$here/package-lock.json" -nt "$stamp" ]; then
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts \
     --loglevel=error)
fi

exec node "$here/ui_test.js" "$url"
