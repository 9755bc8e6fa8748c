#!/usr/bin/env bash
# Checks that an HTML report renders in a real headless Chromium (Debian's `chromium` package):
#   1. the file is self-contained: no script, no link to a network resource;
#   2. Chromium loads it with no console message at all (the report has no scripts, so any console
#      line is an error: a parse problem, a blocked resource...);
#   3. the rendered DOM holds the title, the metrics table and the timeline SVG with its lanes;
#   4. a screenshot is taken and is a non-trivial PNG;
#   5. the screenshot shows the timeline drawn: pixels of running and WAIT lanes (scripts/png-colours.py).
#
# Usage: scripts/check-report-html.sh [REPORT.html] [SCREENSHOT.png]
#   With no report, records p8-to-p9 with the built CLI (npm run build first) into a temporary
#   database and reports on it. The screenshot goes to SCREENSHOT.png (default: a temporary file,
#   whose path is printed) so a person can look at it.
# Exit 0 when every check passes, 1 when one fails (the reason on stderr), 2 on usage problems.
set -euo pipefail

fail() { echo "check-report-html: $*" >&2; exit 1; }

CHROMIUM=${CHROMIUM:-chromium}
command -v "$CHROMIUM" >/dev/null 2>&1 || { echo "check-report-html: $CHROMIUM not found (apt-get install -y chromium)" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

REPORT=${1:-}
if [[ -z "$REPORT" ]]; then
  CLI="$ROOT/dist/src/cli/main.js"
  [[ -f "$CLI" ]] || { echo "check-report-html: $CLI missing: run npm run build" >&2; exit 2; }
  node "$CLI" record --scenario p8-to-p9 --db "$WORK/trace.db" >/dev/null
  node "$CLI" report last --db "$WORK/trace.db" --format html --out "$WORK/report.html" >/dev/null
  REPORT="$WORK/report.html"
fi
[[ -f "$REPORT" ]] || { echo "check-report-html: no file $REPORT" >&2; exit 2; }
REPORT=$(cd "$(dirname "$REPORT")" && pwd)/$(basename "$REPORT")
SHOT=${2:-$(mktemp --suffix=.png)}

# 1. Self-contained: the only URL allowed is the SVG namespace, which is a name, not a fetch.
if grep -qi '<script' "$REPORT"; then fail "$REPORT contains a script"; fi
if grep -oiE '(src|href)="[a-z]+://[^"]*"' "$REPORT" | grep -q .; then fail "$REPORT links to an external resource"; fi

# Flags: no sandbox (root in a container), no GPU, nothing that talks to the network on its own,
# a throw-away profile.
FLAGS=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
  --disable-sync --no-first-run --user-data-dir="$WORK/profile")

# 2 and 3. Console messages are logged as INFO:CONSOLE lines on stderr with --enable-logging.
timeout 120 "$CHROMIUM" "${FLAGS[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$REPORT" \
  >"$WORK/dom.html" 2>"$WORK/console.log" || fail "chromium --dump-dom failed (see $WORK/console.log)"
if grep -q 'CONSOLE' "$WORK/console.log"; then
  grep 'CONSOLE' "$WORK/console.log" >&2
  fail "console messages while loading $REPORT"
fi
grep -q '<h1>migpatch report' "$WORK/dom.html" || fail "rendered DOM has no report title"
grep -q '<th>metric</th>' "$WORK/dom.html" || fail "rendered DOM has no metrics table"
grep -q '<figure class="timeline"><svg' "$WORK/dom.html" || fail "rendered DOM has no timeline SVG"
LANES=$(grep -o 'class="lane"' "$WORK/dom.html" | wc -l)
(( LANES > 0 )) || fail "the timeline has no lanes"
# Every lane draws at least one state run (a <path> inside its <g class="lane">): an empty lane
# means the timeline lost that vCPU's intervals.
EMPTY=$(perl -0777 -ne '$e = 0; while (/<g class="lane"[^>]*>(.*?)<\/g>/gs) { $e++ unless $1 =~ /<path /; } print $e' "$WORK/dom.html")
(( EMPTY == 0 )) || fail "$EMPTY of $LANES timeline lanes are empty"

# 4. Screenshot: a PNG of more than a few kilobytes (a blank page is ~5 KB at this size).
timeout 120 "$CHROMIUM" "${FLAGS[@]}" --screenshot="$SHOT" --window-size=1400,2000 "file://$REPORT" \
  >/dev/null 2>"$WORK/shot.log" || fail "chromium --screenshot failed (see $WORK/shot.log)"
[[ -f "$SHOT" ]] || fail "no screenshot written"
[[ "$(head -c 8 "$SHOT" | od -An -tx1 | tr -d ' \n')" == "89504e470d0a1a0a" ]] || fail "$SHOT is not a PNG"
SIZE=$(stat -c %s "$SHOT")
(( SIZE > 20000 )) || fail "screenshot is only $SIZE bytes: the page looks blank"

# 5. The timeline is drawn in the screenshot, not only present in the DOM: pixels of the running,
# WAIT and initiator colours (src/report/palette.ts) are on the page.
{ read -r _ RUNNING; read -r _ WAITING; } < <(python3 "$ROOT/scripts/png-colours.py" "$SHOT" '#a8d5a2' '#d93025')
(( RUNNING > 1000 )) || fail "the screenshot shows only $RUNNING pixels of running vCPUs: the timeline is not drawn"
(( WAITING > 100 )) || fail "the screenshot shows only $WAITING pixels of parked (WAIT) vCPUs: the protocol window is not drawn"

echo "check-report-html: ok: $REPORT renders with no console messages, $LANES timeline lanes, none empty; screenshot $SHOT ($SIZE bytes, $RUNNING running and $WAITING WAIT pixels)"
