#!/usr/bin/env bash
# Installs the npm packages of the browser tests (playwright-core, pinned by package-lock.json)
# when they are missing. Never downloads a browser: the tests use Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/../tests/e2e"
[ -f package.json ] || exit 0
if [ ! -d node_modules/playwright-core ]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent
fi
