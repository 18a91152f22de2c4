#!/bin/sh
# org.sh [REPOS] [LEAKSTOP]: serves a generated organisation of REPOS (default 200)
# repositories (varied sizes, a few secrets) on loopback (bench/orgserve: the fake GitHub API
# and smart-HTTP git server of the tests) and times `leakstop org`:
#   cold    every repository cloned and scanned in full
#   warm    nothing new: every repository fetched, nothing scanned
#   warm+5  one new commit in 5 repositories
#   cold-50 the first 50 repositories only, to compare peak memory with the cold run of all
# with wall time and peak memory (RSS) of each. The organisation is generated once into
# $LEAKSTOP_BENCH_ORG (default /tmp/leakstop-bench-org) and kept. Needs GNU time.
set -eu
repos=${1:-200}
here=$(cd "$(dirname "$0")" && pwd)
org=${LEAKSTOP_BENCH_ORG:-/tmp/leakstop-bench-org}
work=$(mktemp -d)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
if ! /usr/bin/time -f %e true 2>/dev/null; then
	echo "org.sh: GNU time is missing (apt-get install time)" >&2
	exit 2
fi
bin=${2:-}
if [ -z "$bin" ]; then
	bin=$work/leakstop
	(cd "$here/.." && go build -o "$bin" ./cmd/leakstop)
fi
(cd "$here/.." && go build -o "$work/orgserve" ./bench/orgserve)
mkdir -p "$org"
echo "generating $repos repositories in $org (once)..." >&2
"$work/orgserve" generate -root "$org" -repos "$repos"

start_server() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -f "$org/env"
	"$work/orgserve" serve -root "$org" -repos "$1" &
	server=$!
	i=0
	while [ ! -s "$org/env" ]; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || { echo "org.sh: the server did not start" >&2; exit 2; }
		sleep 0.1
	done
	. "$org/env"
}

# run NAME ARGS...: one timed leakstop org run; prints NAME, wall seconds, peak RSS MiB,
# commits and blobs read, findings.
run() {
	name=$1
	shift
	status=0
	/usr/bin/time -f '%e %M' -o "$work/$name.time" \
		"$bin" org acme --no-progress --format json -o "$work/$name.json" "$@" 2>"$work/$name.log" || status=$?
	if [ "$status" -gt 1 ]; then
		echo "org.sh: leakstop org failed (exit $status):" >&2
		tail -n 20 "$work/$name.log" >&2
		exit 2
	fi
	tail -n 1 "$work/$name.time" >"$work/$name.last"
	read -r wall rss <"$work/$name.last"
	commits=$(sed -n 's/.*"commits": \([0-9]*\),$/\1/p' "$work/$name.json" | head -n 1)
	blobs=$(sed -n 's/.*"blobs": \([0-9]*\),$/\1/p' "$work/$name.json" | head -n 1)
	findings=$(grep -c '"fingerprint"' "$work/$name.json" || true)
	awk -v n="$name" -v w="$wall" -v m="$rss" -v c="$commits" -v b="$blobs" -v f="$findings" 'BEGIN {
		printf "%-9s %8.2f s  peak RSS %7.1f MiB  %7d commits %8d blobs read  %3d findings\n", n, w, m / 1024, c, b, f
	}'
}

start_server "$repos"
run cold --cache "$work/cache" --state "$work/state"
run warm --cache "$work/cache" --state "$work/state"
"$work/orgserve" touch -root "$org" -n 5
run warm+5 --cache "$work/cache" --state "$work/state"
small=50
[ "$repos" -ge 100 ] || small=$((repos / 4 + 1))
start_server "$small"
run "cold-$small" --cache "$work/cache-$small" --state "$work/state-$small"
