#!/bin/bash
# Every headline table of issue 18 (and the RegNet-style live table of issue 19) on the held-out
# seeds 500..599, with the frozen defaults.
# Run from the repository root after `npm run build`; each table is one `prednas compare` with
# --resume, so an interrupted run continues where it stopped and a finished table is skipped.
#   OUT=results/heldout bash results/heldout/make.sh [NAME...]     (default: every table, in order)
set -u
OUT=${OUT:-results/heldout}
P="node dist/cli/prednas.js"
A=prednas,prednas-noascent,prednas-paper,wen,rea,ls,random
NB201="--space nb201 --budget 100 --seeds 500..599 --protocol A --backend auto --workers 2 --quiet --algos $A"
MACRO="--budget 50 --seeds 500..599 --checkpoints 10,20,50 --backend auto --workers 2 --quiet --algos $A"
declare -A T=(
  [nb201-cifar10]="$NB201 --dataset cifar10"
  [nb201-cifar100]="$NB201 --dataset cifar100"
  [nb201-imagenet16]="$NB201 --dataset ImageNet16-120"
  [nb201-cifar100-flops40]="$NB201 --dataset cifar100 --constraint flops<=40"
  [nb201-cifar100-pixel3-penalty]="$NB201 --dataset cifar100 --constraint latency:pixel3<=10.68"
  [nb201-cifar100-pixel3-screen12]="$NB201 --dataset cifar100 --constraint latency:pixel3<=10.68 --screen 12ep:100:10"
  [nbmacro-flops40m]="--space nbmacro $MACRO --constraint flops<=40e6"
  [nbmacro-flops20m]="--space nbmacro $MACRO --constraint flops<=20e6"
  [nbmacro-unconstrained]="--space nbmacro $MACRO"
  [tnb101-macro-class_scene]="--space tnb101-macro --dataset class_scene $MACRO"
  [tnb101-macro-class_object]="--space tnb101-macro --dataset class_object $MACRO"
  [tnb101-macro-jigsaw]="--space tnb101-macro --dataset jigsaw $MACRO"
  [tnb101-macro-room_layout]="--space tnb101-macro --dataset room_layout $MACRO"
  [tnb101-macro-segmentsemantic]="--space tnb101-macro --dataset segmentsemantic $MACRO"
  [tnb101-macro-normal]="--space tnb101-macro --dataset normal $MACRO"
  [tnb101-macro-autoencoder]="--space tnb101-macro --dataset autoencoder $MACRO"
  [nb101-pool-b150]="--space nb101 --protocol B --budget 150 --seeds 500..599 --backend auto --workers 2 --quiet --algos $A"
  [mnist-regnet-b50]="--task mnist-regnet --constraint flops<=300000 --budget 50 --seeds 500..509 --checkpoints 10,20,50 --backend auto --workers 2 --quiet --algos prednas,wen,rea,random --cache $OUT/mnist-regnet-b50.evals.jsonl"
  [mnist-mlp-b50]="--task mnist-mlp --constraint params<=50000 --budget 50 --seeds 500..519 --checkpoints 10,20,50 --backend auto --workers 2 --quiet --algos prednas,prednas-noascent,wen,rea,random --cache $OUT/mnist-mlp-b50.evals.jsonl"
)
ORDER=(nb201-cifar10 nb201-cifar100 nb201-imagenet16 nb201-cifar100-flops40 nb201-cifar100-pixel3-penalty nb201-cifar100-pixel3-screen12
  nbmacro-flops40m nbmacro-flops20m nbmacro-unconstrained tnb101-macro-class_scene tnb101-macro-class_object tnb101-macro-jigsaw
  tnb101-macro-room_layout tnb101-macro-segmentsemantic tnb101-macro-normal tnb101-macro-autoencoder nb101-pool-b150 mnist-mlp-b50 mnist-regnet-b50)
[ $# -gt 0 ] && ORDER=("$@")
for name in "${ORDER[@]}"; do
  [ -n "${T[$name]+x}" ] || { echo "unknown table '$name' (tables: ${!T[*]})" >&2; exit 2; }
  [ -f "$OUT/$name/table.md" ] && { echo "skip $name (done)"; continue; }
  # A table a session could not finish keeps its finished runs here (the session's /tmp does not
  # outlive it); --resume then runs only the rest.
  part="$(dirname "$0")/$name.partial-runs.tar.gz"
  if [ -f "$part" ] && [ ! -d "$OUT/$name/runs" ]; then
    mkdir -p "$OUT/$name" && tar -xzf "$part" -C "$OUT/$name" && echo "unpacked $(basename "$part") into $OUT/$name"
  fi
  echo "start $name $(date -u +%FT%TZ)"
  # shellcheck disable=SC2086 # the settings are word lists on purpose
  $P compare ${T[$name]} --resume --out "$OUT/$name" || { echo "failed $name" >&2; exit 1; }
  echo "done $name $(date -u +%FT%TZ)"
done
