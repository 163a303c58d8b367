#!/usr/bin/env bash
# Runs the SDK's consumer-facing tests and the README quickstart on the system Node (the
# package declares engines.node >= 20; the rest of the suite runs on the bundled Node 22).
#
#   npm run test:node20            # or: bash scripts/test-node20.sh [extra test files]
#   NODE20=/opt/node20/bin/node bash scripts/test-node20.sh
#
# Which node: $NODE20 if set, else the first `node` on PATH once every node_modules/.bin
# directory is removed from it (npm scripts put node_modules/.bin first, and the "node"
# devDependency installs Node 22 there). The script refuses a Node older than 20 and says
# when the one it found is not 20.x.
set -euo pipefail
cd "$(dirname "$0")/.."

clean_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/node_modules/\.bin$' | paste -sd: -)
NODE=${NODE20:-$(PATH="$clean_path" command -v node || true)}
if [ -z "$NODE" ] || [ ! -x "$NODE" ]; then
  echo "test-node20: no system node found outside node_modules/.bin (set NODE20=/path/to/node)" >&2
  exit 2
fi
version=$("$NODE" -p 'process.versions.node')
major=${version%%.*}
echo "test-node20: $NODE (v$version)"
if [ "$major" -lt 20 ]; then echo "test-node20: Node $version is older than engines.node >= 20" >&2; exit 2; fi
if [ "$major" -ne 20 ]; then echo "test-node20: note: this is not Node 20.x; set NODE20 to a Node 20 binary to test the minimum" >&2; fi

# consumer-facing tests: pure SDK areas (no Hardhat network), the export pins, the quickstarts
files=(test/ect/*.test.ts test/atd/*.test.ts test/capsule/*.test.ts test/examples/*.test.ts)
for f in test/surface/*.test.ts test/chain/*.test.ts; do [ -e "$f" ] && files+=("$f"); done
if [ "$#" -gt 0 ]; then files=("$@"); fi

# tsx from the project (a loader only: the code under test runs on $NODE)
PATH="$clean_path" "$NODE" --import tsx --test --test-concurrency=1 "${files[@]}"
# the README quickstart as a user runs it
PATH="$clean_path" "$NODE" --import tsx scripts/examples/sdk-quickstart.ts
