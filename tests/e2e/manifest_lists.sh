#!/usr/bin/env bash
# A fixture's manifest lists the scenarios conform and bench run on it; a
# fixture that can list its own (`tlsfix list`, `tlsfix list bench`: the host
# build, else the image of its first variant) must list the same ones, in the
# same order: a scenario added to the fixture but not to its manifest would
# never run (and one only in the manifest would fail every row).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/docker-env.sh
passed=0 failed=0

# words KEY MANIFEST: the words after KEY, comments stripped.
# (joined by awk, not xargs: a description may hold an apostrophe)
words() {
	sed 's/#.*//' "$2" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ +/, ""); out = out (out == "" ? "" : " ") $0 }
		END { print out }'
}

# The fixture's own list: the host build, or tlsfix in the first variant's image.
list() {
	local stack=$1 manifest=$2 image
	shift 2
	if [[ $(words build "$manifest") == host ]]; then
		"build/fixtures/$stack/tlsfix" list "$@"
	else
		image=tlsprobe/fixture-$stack:$(words variant "$manifest" | awk '{print $1}')
		"$DOCKER" run --rm --network none "$image" /opt/tlsfix/tlsfix list "$@"
	fi
}

for manifest in fixtures/*/manifest; do
	stack=$(words stack "$manifest")
	if [[ $(words build "$manifest") == host && ! -x build/fixtures/$stack/tlsfix ]]; then
		echo "FAIL: $stack: build/fixtures/$stack/tlsfix missing (make fixtures)"
		failed=$((failed + 1))
		continue
	fi
	for kind in scenarios bench; do
		want=$(words "$kind" "$manifest")
		if [[ $kind == bench ]]; then got=$(list "$stack" "$manifest" bench | xargs)
		else
			# "# withheld: NAME …" in a manifest: scenarios the fixture has that the
			# matrix leaves out for a reason the comment gives
			withheld=$(sed -n 's/^# withheld: //p' "$manifest")
			got=$(list "$stack" "$manifest" | grep -vxF -e "${withheld:-/}" | xargs)
		fi
		bin="$stack's tlsfix"
		if [[ $want == "$got" ]]; then
			echo "PASS: $stack $kind: the manifest lists what $bin lists"; passed=$((passed + 1))
		else
			echo "FAIL: $stack $kind: manifest '$want', $bin '$got'"; failed=$((failed + 1))
		fi
	done
done
echo "e2e manifest lists: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
