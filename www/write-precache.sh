#!/usr/bin/env bash
# Writes DIR/precache.json, the offline copy's list for the service worker (www/sw.js): every
# file of the built site in DIR except the pretrained weights (cached once a user fetches them),
# the service worker itself and this list, and a build id, the SHA-256 of every file's name and
# contents (weights included), so any change to the site gives a new id and a new cache.
# Run by www/build-webgpu-module.sh at the end of each build, and by .ci/serve once the WebGPU
# module is moved in.
set -euo pipefail
dir="${1:?usage: write-precache.sh DIR}"
cd "$dir"
files=$(find . -type f ! -name precache.json ! -name sw.js ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort)
build=$(printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 sha256sum | sha256sum | cut -c1-16)
{
  printf '{"build":"%s","files":[' "$build"
  printf '%s\n' "$files" | grep -v '\.bpk$' | sed 's/.*/"&"/' | paste -sd, - | tr -d '\n'
  printf ']}\n'
} > precache.json.tmp
mv precache.json.tmp precache.json
echo "write-precache.sh: build $build, $(printf '%s\n' "$files" | grep -vc '\.bpk$') files for the offline copy"
