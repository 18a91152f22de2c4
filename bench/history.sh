#!/bin/sh
# history.sh REPO [LEAKSTOP]: times, on the same repository and in one run, the floor (git
# reading every object once, in pack order: git cat-file --batch-all-objects --unordered
# --batch >/dev/null) and `leakstop git REPO`, and prints both wall times, their ratio and
# the peak memory (RSS) of each. LEAKSTOP is the binary to time (default: built from this
# checkout). Needs GNU time (/usr/bin/time, Debian package "time").
set -eu
repo=${1:?usage: history.sh REPO [LEAKSTOP]}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=${2:-}
if [ -z "$bin" ]; then
	bin=$work/leakstop
	(cd "$here/.." && go build -o "$bin" ./cmd/leakstop)
fi
if ! /usr/bin/time -f %e true 2>/dev/null; then
	echo "history.sh: GNU time is missing (apt-get install time)" >&2
	exit 2
fi

# Warm the page cache once, so that neither run pays for the first read from disk.
git -C "$repo" cat-file --batch-all-objects --unordered --batch-check >/dev/null

/usr/bin/time -f '%e %M %U %S' -o "$work/floor.time" \
	git -C "$repo" cat-file --batch-all-objects --unordered --batch >/dev/null
status=0
/usr/bin/time -f '%e %M %U %S' -o "$work/leakstop.time" \
	"$bin" git "$repo" --format json -o "$work/report.json" 2>"$work/stderr" || status=$?
if [ "$status" -gt 1 ]; then
	echo "history.sh: leakstop git failed (exit $status):" >&2
	cat "$work/stderr" >&2
	exit 2
fi
tail -n 1 "$work/floor.time" >"$work/floor.last"
tail -n 1 "$work/leakstop.time" >"$work/leakstop.last"
read -r fw fm fu fs <"$work/floor.last"
read -r lw lm lu ls <"$work/leakstop.last"
findings=$(grep -o '"fingerprint"' "$work/report.json" | wc -l)
awk -v fw="$fw" -v fm="$fm" -v lw="$lw" -v lm="$lm" -v n="$findings" -v fc="$(echo "$fu $fs" | awk '{print $1+$2}')" -v lc="$(echo "$lu $ls" | awk '{print $1+$2}')" 'BEGIN {
	printf "floor (git cat-file --batch-all-objects --unordered --batch): %6.2f s  peak RSS %7.1f MiB  CPU %6.2f s\n", fw, fm / 1024, fc
	printf "leakstop git:                                                %6.2f s  peak RSS %7.1f MiB  CPU %6.2f s  (%d findings)\n", lw, lm / 1024, lc, n
	ratio = (fw > 0) ? lw / fw : 0
	printf "ratio leakstop/floor: %.2fx wall time, %.2fx peak RSS\n", ratio, (fm > 0) ? lm / fm : 0
}'
