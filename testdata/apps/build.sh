#!/usr/bin/env bash
# Builds the web fixtures with their real toolchains and leaves only the build output, which
# is committed so that tests need no npm:
#
#   vite/dist/   Vite + React: index.html, assets/*.js with .map files (one lazy chunk)
#   next/out/    Next.js static export: HTML pages, _next/static chunks, build manifest, maps
#
# Each app's .env holds a format-correct OpenAI key made of a placeholder pattern, which
# leakstop does not report; tests swap a key generated at run time (same length) into every
# output file, so the source maps stay valid. Needs Node 20.19+ and npm; run from anywhere:
#
#   bash testdata/apps/build.sh
set -euo pipefail
cd "$(dirname "$0")"

# The placeholder: sk-proj- + 74 + T3BlbkFJ + 74 characters, as long as a real project key.
# Go tests build the same string (scanner/web/fixture_test.go, placeholderKey).
pad() { local s=$1 n=$2; while [ ${#s} -lt "$n" ]; do s="${s}x"; done; printf '%s' "$s"; }
KEY="sk-proj-$(pad LEAKSTOP_FIXTURE_PLACEHOLDER_ 74)T3BlbkFJ$(pad '' 74)"
[ ${#KEY} -eq 164 ] || { echo "placeholder has ${#KEY} characters, want 164" >&2; exit 1; }

export NEXT_TELEMETRY_DISABLED=1 CI=1

# Installs exactly what package-lock.json pins. Not `npm ci`: the lock files were made where
# the registry serves only linux-x64 builds of the bundlers' native packages, so they lack
# the other platforms' optional packages and npm ci refuses them as out of sync; npm install
# --no-save installs the locked versions (integrity checked) and leaves the lock file as is.
install() { npm install --no-save --no-audit --no-fund; }

# Third-party sources (react-dom alone is 600 KB, the Next.js client more) are dropped from
# the maps' sourcesContent to keep the committed output small; mappings stay whole.
trim_maps() { node trim-maps.cjs "$1"; }

build_vite() {
  printf '# The placeholder key; build.sh writes this file.\nVITE_OPENAI_API_KEY=%s\n' "$KEY" > vite/.env
  (cd vite && install && rm -rf dist && npm run build)
  trim_maps vite/dist
  rm -rf vite/node_modules
}

build_next() {
  printf '# The placeholder key; build.sh writes this file.\nNEXT_PUBLIC_OPENAI_API_KEY=%s\n' "$KEY" > next/.env
  (cd next && install && rm -rf out .next && npm run build)
  trim_maps next/out
  rm -rf next/node_modules next/.next
}

case "${1:-all}" in
  vite) build_vite ;;
  next) build_next ;;
  all) build_vite; build_next ;;
  *) echo "usage: build.sh [vite|next|all]" >&2; exit 2 ;;
esac

# The output must hold the placeholder and nothing that looks like a real key.
for d in vite/dist next/out; do
  [ -d "$d" ] || continue
  grep -rqF "$KEY" "$d" || { echo "$d does not contain the placeholder key" >&2; exit 1; }
done
echo "built: $(du -sh vite/dist next/out 2>/dev/null | tr '\n' ' ')"
