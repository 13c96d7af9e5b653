#!/usr/bin/env bash
# Stages the deployment package in one folder (default .deploy/package, or the folder given):
#   dist/functions/  one ES module per function entry (functions/*.ts), bundled with everything
#                    it imports, and chunks/ that the entries share or load on first use
#   host.json
#   package.json     the app's name, version, module type, entry glob and Node version only
# No node_modules: esbuild has bundled the production dependencies (deploy/bundle.js), so a
# cold start reads a few files instead of resolving hundreds of modules. `@azure/functions-core`
# stays outside: the Functions worker provides it.
# azure.yaml deploys this folder; `func azure functionapp publish` is run inside it.
# Needs the project installed (`npm ci`): esbuild and the dependencies come from there.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd -P)"
mkdir -p "${1:-$root/.deploy/package}"
out="$(cd "${1:-$root/.deploy/package}" && pwd -P)"

# The folder is emptied first: it must not hold the project, and must be empty or an earlier package.
case "$root/" in
  "$out"/*)
    echo "package: $out holds the project; give another folder" >&2
    exit 1
    ;;
esac
if [ -n "$(ls -A "$out")" ] && [ ! -f "$out/host.json" ]; then
  echo "package: $out is neither empty nor an earlier package; give another folder" >&2
  exit 1
fi
rm -rf "$out"
mkdir -p "$out"
cd "$root"

node deploy/bundle.js "$out"
cp host.json "$out/"

node --input-type=module - "$out" <<'JS'
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2];
const { name, version, type, main, engines } = JSON.parse(readFileSync("package.json", "utf8"));
const trimmed = { name, version, private: true, type, main, engines };
writeFileSync(join(out, "package.json"), `${JSON.stringify(trimmed, null, 2)}\n`);
JS

echo "package: $out"
