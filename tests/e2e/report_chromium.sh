#!/usr/bin/env bash
# The report in a real browser. From a scorecard (default build/scorecard.json,
# what make test's conform run writes) and a second one made from it (another
# tracer's name, some cells "NOT CLAIMED", its totals to match), `tlsprobe
# report` writes one page with both tracers side by side and its Markdown;
# Debian's Chromium, headless, loads the page from disk, takes a screenshot
# and dumps the DOM. Checked: every (fixture, scenario) row of both JSON files
# is a row of the page; each tracer's counts shown are its JSON totals, and
# its cells agree with them; nothing is fetched from anywhere; no console
# error (a page with a deliberate error must show one, so this check can
# fail); the screenshot is a PNG of the window's size and not blank; the
# Markdown has every row. Prints PASS:/FAIL: lines; exits 1 on a failure.
#
# With SECOND.json (make test: the bpftrace adapter's real scorecard), that
# is the second tracer instead of the synthetic one.
#
# usage: tests/e2e/report_chromium.sh [SCORECARD.json [SECOND.json [BENCH.json]]]
set -uo pipefail
cd "$(dirname "$0")/../.."

SCORECARD=${1:-build/scorecard.json}
SECOND=${2:-}
BENCH=${3:-}
OUT=build/report-e2e
WIDTH=1600
HEIGHT=1400
failures=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; exit 1; }

[[ -s $SCORECARD ]] || die "no scorecard at $SCORECARD (tlsprobe conform --json writes one)"
[[ -x build/tlsprobe ]] || die "no build/tlsprobe (make)"
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
    die "no chromium (scripts/deps.sh installs Debian's)"
command -v python3 >/dev/null || die "no python3 (scripts/deps.sh installs it)"

rm -rf "$OUT"
mkdir -p "$OUT"

# The second tracer: the same rows, renamed, every third cell that passed
# now NOT CLAIMED (a verdict the scorecard may carry), totals to match.
if [[ -n $SECOND ]]; then
    [[ -s $SECOND ]] || die "no second scorecard at $SECOND"
    cp "$SECOND" "$OUT/second.json"
else
python3 - "$SCORECARD" "$OUT/second.json" <<'EOF' || die "cannot make the second scorecard"
import json, sys
sc = json.load(open(sys.argv[1]))
sc["tracer"] = "second tracer (synthetic, from " + sc.get("tracer", "?") + ")"
n = 0
for row in sc["rows"]:
    for cell in row["checks"].values():
        if cell["verdict"] == "PASS":
            n += 1
            if n % 3 == 0:
                cell["verdict"] = "NOT CLAIMED"
                cell["detail"] = "the tracer does not claim this <check>"
                cell.pop("expected", None)
                sc["totals"]["passed"] -= 1
                sc["totals"]["not_claimed"] = sc["totals"].get("not_claimed", 0) + 1
json.dump(sc, open(sys.argv[2], "w"), indent=1)
EOF
fi

args=(--html "$OUT/report.html" --markdown "$OUT/report.md")
[[ -n $BENCH ]] && args+=(--bench "$BENCH")
if build/tlsprobe report "${args[@]}" "$SCORECARD" "$OUT/second.json" 2>"$OUT/report.log"; then
    pass "tlsprobe report wrote $OUT/report.html ($(stat -c %s "$OUT/report.html") bytes) and report.md"
else
    cat "$OUT/report.log"
    die "tlsprobe report failed"
fi
# A bad file is named, with the reason, and nothing is written.
echo '{"rows": 3}' >"$OUT/bad.json"
if ! build/tlsprobe report --html "$OUT/bad.html" "$OUT/bad.json" 2>"$OUT/bad.log" &&
    grep -q "$OUT/bad.json: not a scorecard" "$OUT/bad.log" && [[ ! -e $OUT/bad.html ]]; then
    pass "a file that is not a scorecard is refused: $(cat "$OUT/bad.log")"
else
    fail "a file that is not a scorecard: $(cat "$OUT/bad.log")"
fi

chrome() {
    # Its own profile each time; no network, no first-run UI. Bounded: a
    # headless Chromium that hangs must not hold make test.
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --no-default-browser-check --disable-extensions --disable-background-networking \
        --disable-component-update --disable-sync --metrics-recording-only \
        --user-data-dir="$(mktemp -d "$OUT/profile.XXXXXX")" "$@"
}

# Console errors: Chromium logs console messages to stderr (CONSOLE lines).
console_errors() {
    grep -E 'CONSOLE|Uncaught' "$1" | grep -viE 'Autofill|DevTools' || true
}

# The canary: a page that throws must show up, or the check below proves nothing.
cat >"$OUT/canary.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>canary</title></head>
<body><p>canary</p><script>console.error("canary console error"); undefinedFunction();</script></body></html>
EOF
chrome --enable-logging=stderr --v=0 --dump-dom "file://$PWD/$OUT/canary.html" \
    >"$OUT/canary.dom" 2>"$OUT/canary.log"
if [[ -n $(console_errors "$OUT/canary.log") ]]; then
    pass "a page with a console error is caught ($(console_errors "$OUT/canary.log" | head -1 | cut -c1-100))"
else
    fail "a deliberate console error was not seen in Chromium's log ($OUT/canary.log): the console check cannot work"
fi

chrome --enable-logging=stderr --v=0 --dump-dom "file://$PWD/$OUT/report.html" \
    >"$OUT/dom.html" 2>"$OUT/console.log"
rc=$?
if ((rc == 0)) && [[ -s $OUT/dom.html ]]; then
    pass "chromium loaded the page and dumped its DOM ($(stat -c %s "$OUT/dom.html") bytes)"
else
    fail "chromium --dump-dom exited $rc (log: $OUT/console.log)"
fi
errors=$(console_errors "$OUT/console.log")
if [[ -z $errors ]]; then
    pass "no console error"
else
    fail "console errors: $errors"
fi

chrome --window-size="$WIDTH,$HEIGHT" --hide-scrollbars --screenshot="$PWD/$OUT/report.png" \
    "file://$PWD/$OUT/report.html" >"$OUT/screenshot.log" 2>&1
# The DOM against the JSON, the screenshot's PNG header, the Markdown.
python3 - "$OUT" "$WIDTH" "$HEIGHT" "$SCORECARD" "$OUT/second.json" <<'EOF' || failures=$((failures + 1))
import json, os, struct, sys
from html.parser import HTMLParser

out, width, height, paths = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
failed = False

def check(ok, what):
    global failed
    print(("PASS: " if ok else "FAIL: ") + what)
    failed |= not ok

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.counts, self.cells, self.fetching = [], {}, {}, []
        self.count_key = None
        self.text = ""
        self.title, self.in_title = "", False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "tr" and "row" in cls:
            self.rows.append((a.get("data-fixture"), a.get("data-scenario")))
        if tag == "td" and "cell" in cls:
            key = (int(a["data-tracer"]), a.get("data-verdict"))
            self.cells[key] = self.cells.get(key, 0) + 1
        if "data-count" in a:
            self.count_key = (int(a["data-tracer"]), a["data-count"])
            self.text = ""
        for k in ("src", "srcset", "data", "action"):
            if k in a:
                self.fetching.append((tag, k, a[k]))
        if tag == "link" or (tag == "a" and "://" in (a.get("href") or "")):
            self.fetching.append((tag, "href", a.get("href")))
        if tag == "title":
            self.in_title = True
    def handle_data(self, data):
        if self.count_key:
            self.text += data
        if self.in_title:
            self.title += data
    def handle_endtag(self, tag):
        if self.count_key and tag == "span":
            self.counts[self.count_key] = self.text.strip()
            self.count_key = None
        if tag == "title":
            self.in_title = False

dom = Dom()
dom.feed(open(os.path.join(out, "dom.html"), encoding="utf-8").read())
scorecards = [json.load(open(p)) for p in paths]

check(dom.title.startswith("tlsprobe report"), "the page's title: %r" % dom.title)
want_rows = []
for sc in scorecards:
    for r in sc["rows"]:
        if (r["fixture"], r["scenario"]) not in want_rows:
            want_rows.append((r["fixture"], r["scenario"]))
missing = [r for r in want_rows if r not in dom.rows]
check(not missing and len(dom.rows) == len(want_rows),
      "every (fixture, scenario) row of the JSON is a row of the page: %d of %d, %d on the page%s"
      % (len(want_rows) - len(missing), len(want_rows), len(dom.rows),
         "; missing: %s" % missing[:5] if missing else ""))
verdict_key = {"PASS": "passed", "FAIL": "failed", "SKIP": "skipped", "XFAIL": "xfailed",
               "N/A": "na", "NOT CLAIMED": "not_claimed"}
for t, (sc, path) in enumerate(zip(scorecards, paths)):
    shown = {k: v for (tt, k), v in dom.counts.items() if tt == t}
    want = {k: str(v) for k, v in sc["totals"].items()}
    check(shown == want, "tracer %d (%s): the counts shown are the JSON's totals: %s"
          % (t, path, " ".join("%s=%s" % kv for kv in sorted(shown.items()))))
    cells = {v: n for (tt, v), n in dom.cells.items() if tt == t and v}
    by_total = {verdict_key.get(v, v): n for v, n in cells.items()}
    agree = all(by_total.get(k, 0) == v for k, v in sc["totals"].items() if k in verdict_key.values())
    check(agree and sum(cells.values()) == sum(len(r["checks"]) for r in sc["rows"]),
          "tracer %d: its %d cells agree with the totals: %s"
          % (t, sum(cells.values()), " ".join("%s=%d" % kv for kv in sorted(cells.items()))))
check(not dom.fetching, "nothing to fetch (no src, no link, no external href)%s"
      % (": %s" % dom.fetching[:3] if dom.fetching else ""))

png = os.path.join(out, "report.png")
if os.path.exists(png):
    data = open(png, "rb").read()
    ok = data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    w, h = struct.unpack(">II", data[16:24]) if ok else (0, 0)
    check(ok and (w, h) == (width, height) and len(data) > 30000,
          "screenshot %s: PNG %dx%d, %d bytes" % (png, w, h, len(data)))
else:
    check(False, "no screenshot at %s" % png)

md = open(os.path.join(out, "report.md"), encoding="utf-8").read()
def md_text(s):
    for c in "|\\*_`[]#~":
        s = s.replace(c, "\\" + c)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
absent = [r for r in want_rows if "| %s | %s |" % (md_text(r[0]), md_text(r[1])) not in md]
check(not absent, "the Markdown has every row (%d)%s" % (len(want_rows),
      "; missing: %s" % absent[:5] if absent else ""))
sys.exit(1 if failed else 0)
EOF

if ((failures)); then
    echo "FAIL: report_chromium: $failures check(s) failed (files in $OUT)"
    exit 1
fi
echo "PASS: report_chromium ($OUT/report.png)"
