#!/bin/bash
# results/heldout/summary.md from the finished held-out tables: the headline summary with issue 18's
# targets (bench/heldout-summary.ts) and the ascent table (bench/ascent-table.ts).
#   bash results/heldout/summarise.sh > results/heldout/summary.md
set -eu
cd "$(dirname "$0")/../.."
dirs=()
for d in results/heldout/*/; do [ -f "$d/results.json.gz" ] && dirs+=("${d%/}"); done
[ ${#dirs[@]} -gt 0 ] || { echo "no finished held-out table under results/heldout" >&2; exit 1; }
echo "# Held-out tables (seeds 500..599): summary"
echo
echo "Written by \`bash results/heldout/summarise.sh > results/heldout/summary.md\` from: ${dirs[*]}."
echo "Every number below is computed from those folders' results files."
echo
npx tsx bench/heldout-summary.ts "${dirs[@]}"
echo
echo "## Does the ascent help? (PredNAS vs the same search with steps 0 vs the Wen control)"
echo
npx tsx bench/ascent-table.ts "${dirs[@]}"
