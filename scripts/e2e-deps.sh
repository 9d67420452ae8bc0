#!/usr/bin/env bash
# Installs the npm packages of the browser tests (playwright-core, axe-core; pinned by
# package-lock.json) when any is missing. Never downloads a browser: the tests use Debian's
# /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/../tests/e2e"
[ -f package.json ] || exit 0
missing=0
for dep in $(node -e 'console.log(Object.keys(require("./package.json").dependencies || {}).join(" "))'); do
    [ -d "node_modules/$dep" ] || missing=1
done
if [ "$missing" = 1 ]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent
fi
