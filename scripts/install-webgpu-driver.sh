#!/usr/bin/env bash
# Installs a software Vulkan driver so Dawn's Node binding (npm `webgpu`) finds an adapter on a
# machine without a GPU (Debian 12). Idempotent: a second run changes nothing and says so.
#
# Why backports: bookworm's own lavapipe (Mesa 22.3) lacks shaderUniform*ArrayDynamicIndexing, which
# Dawn requires, so it yields no adapter; the backports Mesa (25.x) works. If backports cannot be
# installed, SwiftShader from Debian's chromium-common is the fallback (slower, 256 invocations).
#
# Also installs Debian's Chromium for the browser end-to-end test (test/webgpu/browser.test.ts;
# WebGPU there runs on Chromium's own SwiftShader); `--no-browser` skips it.
#
# `--print-env` only prints the variables that pin the driver (the Vulkan loader finds the ICD in
# its standard place without them):
#   eval "$(bash scripts/install-webgpu-driver.sh --print-env)"
set -euo pipefail

# lavapipe if present (faster), else Chromium's SwiftShader.
icd_files() {
  local lvp
  lvp="$(ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | paste -sd: - || true)"
  if [ -n "$lvp" ]; then echo "$lvp"; else ls /usr/lib/chromium/vk_swiftshader_icd.json 2>/dev/null || true; fi
}

print_env() {
  local icd
  icd="$(icd_files)"
  if [ -z "$icd" ]; then
    echo "install-webgpu-driver: no Vulkan ICD found" >&2
    return 1
  fi
  echo "export VK_ICD_FILENAMES=$icd"
  echo "export NODEVICE_SELECT=1"
}

if [ "${1:-}" = "--print-env" ]; then
  print_env
  exit $?
fi

log() { echo "install-webgpu-driver: $*"; }
BROWSER=1
[ "${1:-}" = "--no-browser" ] && BROWSER=0

if [ ! -r /etc/debian_version ]; then
  log "not a Debian system; install a Vulkan driver (Mesa lavapipe >= 23) yourself"
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else log "must run as root (or with sudo)"; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
# Other jobs may be running apt on the same machine: wait for the dpkg lock instead of failing.
APT_OPTS=(-o DPkg::Lock::Timeout=600)

have_lavapipe() {
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q bpo
}

if have_lavapipe && dpkg-query -W libvulkan1 >/dev/null 2>&1; then
  log "lavapipe from bookworm-backports already installed ($(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)); nothing to do"
else
  SRC=/etc/apt/sources.list.d/debian.sources
  if [ -f "$SRC" ]; then
    if grep -q bookworm-backports "$SRC"; then
      log "bookworm-backports already in $SRC"
    else
      $SUDO sed -i 's/^Suites: bookworm bookworm-updates$/& bookworm-backports/' "$SRC"
      if grep -q bookworm-backports "$SRC"; then log "added bookworm-backports to $SRC"; else log "could not add backports to $SRC"; fi
    fi
  elif ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
    log "added /etc/apt/sources.list.d/bookworm-backports.list"
  fi
  log "apt-get update"
  $SUDO apt-get "${APT_OPTS[@]}" update -qq
  if $SUDO apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null; then
    log "installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) and libvulkan1 (lavapipe)"
  else
    log "backports install failed; falling back to SwiftShader from chromium-common"
    $SUDO apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends libvulkan1 chromium-common >/dev/null
    log "installed libvulkan1 and chromium-common (SwiftShader)"
  fi
fi

if [ "$BROWSER" = 1 ]; then
  if command -v chromium >/dev/null; then
    log "chromium already installed ($(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo unknown version)); nothing to do"
  else
    log "installing chromium (browser end-to-end test)"
    $SUDO apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends chromium >/dev/null
    log "installed chromium $(dpkg-query -W -f='${Version}' chromium)"
  fi
fi

log "Vulkan ICDs: $(icd_files)"
log "optional pinning of the driver (the Vulkan loader finds lavapipe in its standard place without it):"
print_env
