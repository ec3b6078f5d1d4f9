#!/usr/bin/env bash
# gpu.js's GL mode in Node (issue 24). gpu.js reaches a GL context through headless-gl (the npm
# package `gl`, an optional dependency of gpu.js that npm builds from source: ANGLE on the system's
# Mesa), which needs X11/GL headers and a C++ toolchain to build and an X display to run. This
# installs Debian's packages when one is missing (as root) and starts Xvfb unless the display
# already answers, then prints the display to export. Run it before `npm ci`, so that `gl` builds:
#
#   sudo scripts/headless-gl.sh               # prints :99
#   npm ci && DISPLAY=:99 npm test            # the GL tests run; without DISPLAY they skip, saying why
#
# Idempotent. No download besides Debian's packages: node-gyp builds against the headers Debian's
# nodejs ships under /usr/include/node (its own header download and gl's prebuilt binaries need
# github.com).
set -euo pipefail
display=${HEADLESS_GL_DISPLAY:-:99}
pkgs=(build-essential python3 pkg-config libxi-dev libglew-dev libgl1-mesa-dev libglu1-mesa-dev xvfb xauth)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "headless-gl.sh: missing Debian packages (${missing[*]}); run as root to install them" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  # Another apt (the CI's browser or Slurm install) may hold the dpkg lock: wait for it.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi
n=${display#:}
sock=/tmp/.X11-unix/X$n
if [ -S "$sock" ] && [ -f "/tmp/.X$n-lock" ] && kill -0 "$(tr -d ' ' < "/tmp/.X$n-lock")" 2>/dev/null; then
  echo "$display"
  exit 0
fi
rm -f "/tmp/.X$n-lock" "$sock"
# -nolisten tcp: local clients only; 24-bit depth, as headless-gl's GLX visual wants.
setsid Xvfb "$display" -screen 0 640x480x24 -nolisten tcp > "/tmp/xvfb$n.log" 2>&1 < /dev/null &
for _ in $(seq 1 100); do
  [ -S "$sock" ] && { echo "$display"; exit 0; }
  sleep 0.1
done
echo "headless-gl.sh: Xvfb did not start on $display within 10 s: $(tail -n 3 "/tmp/xvfb$n.log" | tr '\n' ' ')" >&2
exit 1
