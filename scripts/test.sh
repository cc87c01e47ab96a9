#!/usr/bin/env bash
# The one test command (`npm test`): sets up what is missing, then lint, type check and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[test] biome" >&2
npx --no-install biome ci --reporter=summary .
echo "[test] tsc" >&2
npx --no-install tsc --noEmit -p .
npx --no-install tsc --noEmit -p pulumi/tsconfig.json
echo "[test] vitest" >&2
npx --no-install vitest run "$@"
