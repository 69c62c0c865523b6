#!/usr/bin/env bash
# A fixture's manifest lists the scenarios conform and bench run on it; a
# host-built fixture that can list its own (`tlsfix list`, `tlsfix list
# bench`) must list the same ones, in the same order: a scenario added to the
# fixture but not to its manifest would never run (and one only in the
# manifest would fail every row).
set -euo pipefail
cd "$(dirname "$0")/../.."
passed=0 failed=0

# words KEY MANIFEST: the words after KEY, comments stripped.
words() { sed 's/#.*//' "$2" | awk -v k="$1" '$1 == k { $1 = ""; print }' | xargs; }

for manifest in fixtures/*/manifest; do
	[[ $(words build "$manifest") == host ]] || continue
	stack=$(words stack "$manifest")
	bin=build/fixtures/$stack/tlsfix
	[[ -x $bin ]] || { echo "FAIL: $stack: $bin missing (make fixtures)"; failed=$((failed + 1)); continue; }
	for kind in scenarios bench; do
		want=$(words "$kind" "$manifest")
		if [[ $kind == bench ]]; then got=$("$bin" list bench | xargs); else got=$("$bin" list | xargs); fi
		if [[ $want == "$got" ]]; then
			echo "PASS: $stack $kind: the manifest lists what $bin lists"; passed=$((passed + 1))
		else
			echo "FAIL: $stack $kind: manifest '$want', $bin '$got'"; failed=$((failed + 1))
		fi
	done
done
echo "e2e manifest lists: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
