#!/bin/sh
# Installs the CDK app's packages (npm, its cache outside the repository) and compiles app.ts.
# Usage: install.sh DIR — DIR is a copy of this directory the test works in.
set -eu
cd "$1"
cache="${GUREUM_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gureum-npm}"
npm install --no-audit --no-fund --cache "$cache" >npm.log 2>&1 || { cat npm.log; exit 1; }
./node_modules/.bin/tsc
