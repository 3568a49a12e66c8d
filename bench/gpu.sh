#!/usr/bin/env bash
# The GPU benchmark in one call: mnist_mlp, mnist_cnn and addition_rnn trained by brickml and by tfjs-layers
# on the same backend (webgpu: Dawn on Vulkan on a real GPU), then PyTorch on the same machine for reference,
# and one table at the end. Sized to finish in under 5 minutes on one data-centre GPU.
#
#   bash bench/gpu.sh                         # webgpu, the default sizes
#   BACKEND=wasm MLP_LIMIT=1280 CNN_LIMIT=256 RNN_STEPS=3 bash bench/gpu.sh   # a quick try on a CPU machine
#   BACKEND=wasm BRICKML_WASM_THREADS=1 TORCH_DEVICE=cpu TORCH_THREADS=1 bash bench/gpu.sh   # one core each
#
# On a lent GPU machine, wrap it in the device recipe so that node and Vulkan are set up first:
#   bash .device/gpu-run.sh bash bench/gpu.sh
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BACKEND=${BACKEND:-webgpu}
MLP_LIMIT=${MLP_LIMIT:-12800}
CNN_LIMIT=${CNN_LIMIT:-6400}
RNN_STEPS=${RNN_STEPS:-30}
TORCH_DEVICE=${TORCH_DEVICE:-cuda}
TORCH_THREADS=${TORCH_THREADS:-$(nproc)}
PYTHON=${PYTHON:-python3}
TSX=node_modules/.bin/tsx
log=$(mktemp -d)

run() { # name, command...: runs it, keeps its output, says how long it took
  local name=$1
  shift
  local start=$SECONDS
  echo "== $name: $*"
  "$@" >"$log/$name" 2>&1
  local rc=$?
  tail -n 8 "$log/$name"
  echo "   ($((SECONDS - start)) s, exit $rc)"
}

run mlp "$TSX" --conditions=source bench/fit.ts --backend "$BACKEND" --model mlp --epochs 1 --limit "$MLP_LIMIT"
run cnn "$TSX" --conditions=source bench/fit.ts --backend "$BACKEND" --model cnn --epochs 1 --limit "$CNN_LIMIT"
run rnn "$TSX" --conditions=source bench/rnn.ts --backend "$BACKEND" --steps "$RNN_STEPS"
if "$PYTHON" -c 'import torch' 2>/dev/null; then
  device=$TORCH_DEVICE
  if [ "$device" = cuda ] && ! "$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    device=cpu
  fi
  run torch "$PYTHON" bench/torch_reference.py --device "$device" --threads "$TORCH_THREADS" --steps 30
fi

# One table. fit.ts prints seconds per 60,000-digit epoch; 468.75 steps of 128 digits make that epoch.
cell() { # file, column of the markdown row that names the backend
  awk -F'|' -v col="$2" -v b="$BACKEND" '$2 ~ b && $3 !~ /mean CPU|fastest/ { gsub(/ /, "", $col); print $col; exit }' "$1"
}
torch_ms() { [ -f "$log/torch" ] && awk -v m="$1" '$1 == m { print $2 }' "$log/torch"; }
per_step() { [ -n "$1" ] && awk -v s="$1" 'BEGIN { if (s + 0 > 0) printf "%.1f", s * 1000 / 468.75; else print s }'; }

echo
echo "ms per training step on $BACKEND (mlp and cnn: batch 128; rnn: batch 32)$(
  [ -f "$log/torch" ] && echo "; PyTorch: $(head -n 1 "$log/torch")")"
echo "| model | tfjs-layers | brickml | brickml/tfjs | PyTorch | brickml/PyTorch |"
echo "|---|---|---|---|---|---|"
for m in mlp cnn rnn; do
  if [ "$m" = rnn ]; then
    t=$(cell "$log/rnn" 4)
    b=$(cell "$log/rnn" 5)
  else
    t=$(per_step "$(cell "$log/$m" 4)")
    b=$(per_step "$(cell "$log/$m" 5)")
  fi
  p=$(torch_ms "$m")
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "n/a" }'; }
  echo "| $m | ${t:-n/a} | ${b:-n/a} | $(ratio "$b" "$t") | ${p:-n/a} | $(ratio "$b" "$p") |"
done
rm -rf "$log"
