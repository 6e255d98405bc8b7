#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind, which machine noise does not move) for
# `litegate --version`, `render` of examples/minimal.yaml, examples/full.yaml and the
# largest accepted generated spec, then hyperfine wall-clock ratios, each measured in one
# hyperfine run: render full against `cat` of the bytes it writes, and against
# `kubectl kustomize` building the same objects. Prints markdown for docs/performance.md.
#
#   scripts/bench-instructions.sh                 # builds release, measures target/release/litegate
#   BIN=/tmp/old-litegate scripts/bench-instructions.sh   # another build, for a before/after
#
# Needs valgrind, hyperfine, jq and kubectl. Not part of CI: it measures, tests never time.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-30}
OUT=target/bench-specs
mkdir -p "$OUT"
for tool in valgrind hyperfine jq kubectl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/litegate
fi
cargo build --release --quiet --example specgen
largest=$(target/release/examples/specgen "$OUT")

# The env vars the examples read, with the dummy values of tests/common/mod.rs.
export ANTHROPIC_API_KEY=dummy-anthropic-3c1f9e AWS_ACCESS_KEY_ID=dummy-aws-id-8b2d41 \
  AWS_SECRET_ACCESS_KEY=dummy-aws-secret-5e7a02 GROQ_API_KEY=dummy-groq-2a6e19 \
  DATABASE_URL=postgresql://litellm:dummy-db-9f4c7d@db:5432/litellm \
  LITELLM_SALT_KEY=dummy-salt-1a2b3c4d5e6f7a8b \
  LITELLM_MASTER_KEY=sk-dummy-master-7d3b5f0e1c9a8b2d4f6e0a1c3b5d7f9e \
  MISTRAL_API_KEY=dummy-mistral-6f1b83 OPENAI_API_KEY=dummy-openai-4d8c2a \
  REDIS_PASSWORD=dummy-redis-0e5b7c
# The generated specs' own env vars (another master key among them), for their runs only:
# full.yaml is measured with the values above, which its snapshots are rendered with.
largest_env() {
  (
    # shellcheck source=/dev/null
    . "$OUT/env"
    "$@"
  )
}

# Instructions executed by one whole process, as callgrind counts them; it must succeed.
instructions() {
  local log
  log=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" >/dev/null 2>"$log" || {
    cat "$log" >&2; exit 1; }
  sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$log"
  rm -f "$log"
}
mega() { awk -v n="$1" 'BEGIN { printf "%.2f M", n / 1e6 }'; }

echo "### Instructions per whole process (callgrind)"
echo
echo "| command | instructions |"
echo "|---|---:|"
printf '| `litegate --version` | %s |\n' "$(mega "$(instructions "$BIN" --version)")"
printf '| `litegate render examples/minimal.yaml` | %s |\n' \
  "$(mega "$(instructions "$BIN" render examples/minimal.yaml)")"
printf '| `litegate render examples/full.yaml` | %s |\n' \
  "$(mega "$(instructions "$BIN" render examples/full.yaml)")"
printf '| `litegate render` largest accepted spec (%s models) | %s |\n' "$largest" \
  "$(mega "$(largest_env instructions "$BIN" render "$OUT/models-largest.yaml")")"

echo
echo "### Wall clock, whole process (hyperfine, $RUNS runs, $(nproc) cores; one run per row)"
echo
echo "| spec | litegate render | cat of the same bytes | ratio | kubectl kustomize | litegate faster by |"
echo "|---|---:|---:|---:|---:|---:|"
row() {
  local spec=$1 name=$2 dir="$OUT/kustomize-$2" json
  "$BIN" render "$spec" >"$OUT/$name.out.yaml"
  rm -rf "$dir"
  "$BIN" render "$spec" -o "$dir" --plaintext-secret 2>/dev/null
  json=$(mktemp)
  # All three in one hyperfine run, so all three see the same machine.
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$json" \
    "$BIN render $spec" "cat $OUT/$name.out.yaml" "kubectl kustomize $dir" >/dev/null 2>&1
  jq -r --arg spec "$spec" '
    (.results[0].mean * 1000) as $l | (.results[1].mean * 1000) as $c |
    (.results[2].mean * 1000) as $k |
    "| \($spec) | \($l * 100 | round / 100) ms | \($c * 100 | round / 100) ms | \($l / $c * 100 | round / 100)x cat | \($k * 10 | round / 10) ms | \($k / $l * 10 | round / 10)x |"' "$json"
  rm -f "$json"
}
row examples/full.yaml full
largest_env row "$OUT/models-largest.yaml" largest
