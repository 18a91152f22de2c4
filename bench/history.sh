#!/bin/sh
# history.sh REPO [LEAKSTOP]: times, on the same repository and in one run, the floor (git
# reading every object once, in pack order: git cat-file --batch-all-objects --unordered
# --batch >/dev/null) and `leakstop git REPO`, and prints both wall times, their ratio, the
# CPU time of each (with their children: the git readers count for leakstop) and the peak
# memory (RSS) of the largest process of each. LEAKSTOP is the binary to time (default:
# built from this checkout). Needs GNU time (/usr/bin/time, Debian package "time").
#
# REPO is any repository: the synthetic one of make-history.sh, or a public one cloned for
# the benchmark (git clone --mirror https://github.com/redis/redis). With WHOLE=1 it also
# runs `leakstop git --whole-blobs` (every blob matched whole, no line selection) and checks
# that both give the same findings at the same places. With CATFILE=1 it also times
# `leakstop git --reader cat-file` (blobs read by git cat-file, not from the packs). With
# LEAKSTOP_CPUPROFILE=FILE the timed leakstop run writes a CPU profile (go tool pprof
# LEAKSTOP FILE).
#
# A repository some of whose objects are missing (a partial mirror) is scanned all the same:
# leakstop then exits 2 and says which; this script prints that count and goes on.
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

# scan NAME ARGS...: runs leakstop git REPO ARGS..., timed, its report in $work/NAME.json.
scan() {
	name=$1
	shift
	status=0
	/usr/bin/time -f '%e %M %U %S' -o "$work/$name.time" \
		"$bin" git "$repo" --format json -o "$work/$name.json" "$@" 2>"$work/$name.stderr" || status=$?
	if [ "$status" -gt 1 ] && ! grep -q 'is missing from the repository' "$work/$name.stderr"; then
		echo "history.sh: leakstop git $* failed (exit $status):" >&2
		cat "$work/$name.stderr" >&2
		exit 2
	fi
	missing=$(grep -c 'is missing from the repository' "$work/$name.stderr" || true)
	if [ "$missing" -gt 0 ]; then
		echo "history.sh: $name: $missing objects are missing from $repo (exit $status); the rest was scanned" >&2
	fi
}
scan leakstop
if [ "${WHOLE:-}" = 1 ]; then
	LEAKSTOP_CPUPROFILE='' scan whole --whole-blobs
fi
if [ "${CATFILE:-}" = 1 ]; then
	LEAKSTOP_CPUPROFILE='' scan catfile --reader cat-file
fi

tail -n 1 "$work/floor.time" >"$work/floor.last"
tail -n 1 "$work/leakstop.time" >"$work/leakstop.last"
read -r fw fm fu fs <"$work/floor.last"
read -r lw lm lu ls <"$work/leakstop.last"
findings=$(grep -o '"fingerprint"' "$work/leakstop.json" | wc -l)
awk -v fw="$fw" -v fm="$fm" -v lw="$lw" -v lm="$lm" -v n="$findings" -v fc="$(echo "$fu $fs" | awk '{print $1+$2}')" -v lc="$(echo "$lu $ls" | awk '{print $1+$2}')" 'BEGIN {
	printf "floor (git cat-file --batch-all-objects --unordered --batch): %6.2f s  peak RSS %7.1f MiB  CPU %6.2f s\n", fw, fm / 1024, fc
	printf "leakstop git:                                                %6.2f s  peak RSS %7.1f MiB  CPU %6.2f s  (%d findings)\n", lw, lm / 1024, lc, n
	printf "ratio leakstop/floor: %.2fx wall time, %.2fx peak RSS, %.2fx CPU\n", (fw > 0) ? lw / fw : 0, (fm > 0) ? lm / fm : 0, (fc > 0) ? lc / fc : 0
}'
if [ "${CATFILE:-}" = 1 ]; then
	tail -n 1 "$work/catfile.time" >"$work/catfile.last"
	read -r cw cm cu cs <"$work/catfile.last"
	awk -v fw="$fw" -v fm="$fm" -v cw="$cw" -v cm="$cm" -v fc="$(echo "$fu $fs" | awk '{print $1+$2}')" -v cc="$(echo "$cu $cs" | awk '{print $1+$2}')" 'BEGIN {
		printf "--reader cat-file: %6.2f s  peak RSS %7.1f MiB  CPU %6.2f s: %.2fx wall time, %.2fx peak RSS, %.2fx CPU\n", cw, cm / 1024, cc, (fw > 0) ? cw / fw : 0, (fm > 0) ? cm / fm : 0, (fc > 0) ? cc / fc : 0
	}'
fi
if [ "${WHOLE:-}" = 1 ]; then
	tail -n 1 "$work/whole.time" >"$work/whole.last"
	read -r ww wm wu ws <"$work/whole.last"
	(cd "$here/.." && go build -o "$work/samefindings" ./bench/samefindings)
	printf -- "--whole-blobs: %6.2f s, " "$ww"
	"$work/samefindings" "$work/whole.json" "$work/leakstop.json"
fi
