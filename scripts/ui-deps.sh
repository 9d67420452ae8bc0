#!/usr/bin/env bash
# Fetches the third-party browser libraries the web UI embeds (pinned by
# scripts/ui-vendor/package-lock.json; today only Cytoscape.js, MIT licence, for the link chart)
# from the npm registry and copies their runtime files into ui/vendor/, from where
# server/embed-ui.cmake embeds them in the binary like the rest of ui/. Run by `make build`
# (and so by `make run` and `make test`); does nothing when the files are already there.
# A build without them stops at configure time and names this script.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/ui/vendor"
if [ -f "$dest/cytoscape.esm.min.js" ] && [ -f "$dest/cytoscape.LICENSE.txt" ]; then
    exit 0
fi
cd "$root/scripts/ui-vendor"
npm ci --no-audit --no-fund --silent
mkdir -p "$dest"
# An ES module, so the page imports it like our own modules (no global script tag).
cp node_modules/cytoscape/dist/cytoscape.esm.min.mjs "$dest/cytoscape.esm.min.js"
cp node_modules/cytoscape/LICENSE "$dest/cytoscape.LICENSE.txt"
