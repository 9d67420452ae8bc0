#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a few seconds each, starting from its committed
# corpus (new inputs go to a scratch folder, not into the repository). Usage:
#   scripts/fuzz-smoke.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:-build-fuzz}
secs=${2:-20}
list="$build/fuzzers.txt"
[ -f "$list" ] || { echo "fuzz-smoke: no $list (run make fuzz)" >&2; exit 2; }
failed=0
while read -r bin corpus; do
    [ -n "$bin" ] || continue
    scratch=$(mktemp -d)
    # A target's dictionary, when it has one, sits beside its corpus folder.
    dict=()
    for d in "$(dirname "$corpus")"/*.dict; do
        [ -f "$d" ] && dict=(-dict="$d") && break
    done
    echo "== $(basename "$bin") for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
            -artifact_prefix="$scratch/" "${dict[@]}" "$scratch" "$corpus" >"$scratch/log" 2>&1; then
        tail -n 40 "$scratch/log"
        failed=1
    else
        grep -E '^(#[0-9]+.*DONE|Done)' "$scratch/log" | tail -n 1 || true
    fi
    rm -rf "$scratch"
done <"$list"
exit $failed
