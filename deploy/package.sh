#!/usr/bin/env bash
# Stages the deployment package in one folder (default .deploy/package, or the folder given):
#   dist/         the app as compiled by deploy/tsconfig.json: functions, shared and web only
#   host.json
#   package.json  the app's own, without scripts and devDependencies
#   node_modules/ the production dependencies, as package-lock.json places them
# azure.yaml deploys this folder; `func azure functionapp publish` is run inside it.
# Needs the project installed (`npm ci`): the compiler and the dependencies come from there.
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

npx --no-install tsc -p deploy/tsconfig.json --outDir "$out/dist"
cp host.json "$out/"

# Copies every package that package-lock.json does not mark dev-only, from the installed
# node_modules to the same place under the package: the tree `npm ci --omit=dev` would lay out,
# without unpacking the tarballs again. A version that differs from the lock file stops it.
node --input-type=module - "$out" <<'JS'
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const out = process.argv[2];
const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
for (const [path, entry] of Object.entries(lock.packages)) {
  if (path === "" || entry.dev) continue;
  if (!existsSync(join(path, "package.json"))) {
    if (entry.optional || entry.devOptional) continue;
    throw new Error(`${path} is not installed: run npm ci`);
  }
  const { version } = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
  if (version !== entry.version) {
    throw new Error(`${path} is ${version}, package-lock.json says ${entry.version}: run npm ci`);
  }
  // Nested node_modules are entries of their own, copied (or left out) on their own turn.
  const own = (source) => !(basename(source) === "node_modules" && dirname(source) === path);
  cpSync(path, join(out, path), { recursive: true, filter: own });
}

const app = JSON.parse(readFileSync("package.json", "utf8"));
const { name, version, type, main, engines, dependencies } = app;
const trimmed = { name, version, private: app.private, type, main, engines, dependencies };
writeFileSync(join(out, "package.json"), `${JSON.stringify(trimmed, null, 2)}\n`);
JS

echo "package: $out"
