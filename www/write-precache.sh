#!/usr/bin/env bash
# Writes DIR/precache.json, the offline copy's list for the service worker (www/sw.js): every
# file of the built site in DIR but the service worker, this list and the pretrained models'
# weights (cached once a user fetches them), and a build id, the SHA-256 of every file's name
# and contents (weights included), so any change to the site gives a new id and a new cache.
# The digit classifier's weights are listed: the Train panel's coverage watch fetches them on
# every visit, on the first one often before the service worker controls the page, and a fetch
# the worker does not see is not kept.
# Run by www/build-webgpu-module.sh at the end of each build, and by .ci/serve once the WebGPU
# module is moved in.
set -euo pipefail
dir="${1:?usage: write-precache.sh DIR}"
cd "$dir"
# The files to keep: all but the models' weights.
offline_list() { awk '!/\.bpk$/ || $0 == "weights/classifier.bpk"'; }
files=$(find . -type f ! -name precache.json ! -name sw.js ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort)
build=$(printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 sha256sum | sha256sum | cut -c1-16)
{
  printf '{"build":"%s","files":[' "$build"
  printf '%s\n' "$files" | offline_list | sed 's/.*/"&"/' | paste -sd, - | tr -d '\n'
  printf ']}\n'
} > precache.json.tmp
mv precache.json.tmp precache.json
echo "write-precache.sh: build $build, $(printf '%s\n' "$files" | offline_list | wc -l) files for the offline copy"
