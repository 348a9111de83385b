#!/usr/bin/env bash
# Replays every experiment file of experiments/paper under its systems on each GPU model, one `compare` process per
# CPU core, and keeps each result as <out>/<gpu>/<experiment>.json (compare --json) and .txt (its text table).
# A result already there is kept (delete it to rerun). Then `node scripts/paper-report.js <out>` writes the tables.
#   usage: scripts/paper-runs.sh [out-dir] [gpu ...]     (default: experiments/paper/results h200 h100 a100-40gb)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-experiments/paper/results}"
shift || true
gpus=("$@")
[ ${#gpus[@]} -gt 0 ] || gpus=(h200 h100 a100-40gb)
jobs="${JOBS:-$(nproc)}"
for g in "${gpus[@]}"; do
  mkdir -p "$out/$g"
  for f in experiments/paper/*.json; do
    n="$(basename "$f" .json)"
    [ -s "$out/$g/$n.json" ] || printf '%s\t%s\t%s\n' "$g" "$f" "$out/$g/$n"
  done
done | xargs -r -P "$jobs" -L1 -d '\n' bash -c '
  IFS=$'"'"'\t'"'"' read -r g f base <<< "$0"
  began=$SECONDS
  node bin/lithos-replay.js compare "$f" --gpu "$g" --json > "$base.json.tmp"
  node -e "process.stdout.write(require(\"./dist/src/cli/compare\").formatCompare(JSON.parse(require(\"fs\").readFileSync(process.argv[1], \"utf8\"))))" "$base.json.tmp" > "$base.txt"
  mv "$base.json.tmp" "$base.json"
  echo "$g $(basename "$f"): $((SECONDS - began)) s"
'
