#!/bin/sh
# make-history.sh DIR [COMMITS]: builds in DIR (a new bare repository) a deterministic history
# for benchmarks: tens of thousands of commits editing the same files, a few branches, merges
# and tags, and a handful of generated secrets. The same arguments give the same objects.
set -eu
dir=${1:?usage: make-history.sh DIR [COMMITS]}
commits=${2:-30000}
here=$(cd "$(dirname "$0")" && pwd)
if [ -e "$dir" ]; then
	echo "make-history.sh: $dir exists; remove it or pick another folder" >&2
	exit 2
fi
git init -q --bare "$dir"
(cd "$here/.." && go run ./bench/mkhistory -commits "$commits") |
	git -C "$dir" -c core.bigFileThreshold=512m fast-import --quiet --depth=50
git -C "$dir" symbolic-ref HEAD refs/heads/main
# Repack as a clone or git gc would: versions of a file side by side, deltas between them.
git -C "$dir" repack -adfq --window=10 --depth=50
echo "make-history.sh: $(git -C "$dir" rev-list --all --count) commits, $(git -C "$dir" count-objects -vH | sed -n 's/^size-pack: //p') packed in $dir" >&2
