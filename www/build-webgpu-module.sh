#!/usr/bin/env bash
# Trunk post-build hook. Trunk runs a stage's hooks at the same time, so this one does both
# post-build jobs, in order:
# 1. builds the variant of the module with WebGPU (cargo feature `webgpu`) and writes it, with
#    its wasm-bindgen glue, into the site being built as genplay-webgpu.js and
#    genplay-webgpu_bg.wasm. The page's own module is CPU only: burn's GPU kernel compiler is
#    about two thirds of the code, so only a training worker that can use WebGPU loads this
#    variant;
# 2. writes the offline copy's list, precache.json (www/write-precache.sh), over the whole site.
set -euo pipefail
cd "$(dirname "$0")/.."
staging="${TRUNK_STAGING_DIR:?run by trunk}"
# GENPLAY_WEBGPU_MODULE=0 skips step 1, for a build that only profiles or tests the CPU path (a
# training worker that finds no WebGPU module falls back to the page's and says so).
if [ "${GENPLAY_WEBGPU_MODULE:-1}" = 0 ]; then
  echo "build-webgpu-module.sh: WebGPU module skipped (GENPLAY_WEBGPU_MODULE=0)"
else
  profile=debug
  flags=()
  if [ "${TRUNK_PROFILE:-debug}" = release ]; then
    profile=release
    flags=(--release)
  fi
  target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
  # GENPLAY_WEBGPU_FEATURES swaps the feature list, for experiments such as webgpu-autotune.
  cargo build "${flags[@]}" --locked --target wasm32-unknown-unknown --lib --no-default-features --features "${GENPLAY_WEBGPU_FEATURES:-webgpu}"
  # The build above wrote the cdylib where Trunk's build of the page's module had put its own:
  # that one was already bound and copied, so nothing is lost.
  wasm-bindgen --target web --no-typescript --out-dir "$staging" \
    --out-name genplay-webgpu "$target_dir/wasm32-unknown-unknown/$profile/genplay.wasm"
fi
bash www/write-precache.sh "$staging"
