#!/usr/bin/env bash
# The nightly re-screen: update the lists, re-screen every order and customer recorded in the ledger,
# write the reports. For cron or a CI schedule, e.g.:   15 2 * * *  /opt/exportscreen/nightly.sh
#
# Exit codes, for the scheduler:
#   0  lists updated (or unchanged), nothing got worse
#   1  something got worse: a stored order or customer now needs review or is sensitive (alert the
#      compliance desk; the HTML and JUnit reports say which and why)
#   2  could not re-screen: a list download failed validation, the ledger or a list could not be read
#      (alert operations; the current lists are kept byte for byte, nothing was recorded)
set -uo pipefail

LEDGER="${LEDGER:-$HOME/exportscreen/ledger.db}"
LISTS_CONFIG="${LISTS_CONFIG:-$HOME/exportscreen/lists.yaml}"   # see README "Updating lists"
REPORTS="${REPORTS:-$HOME/exportscreen/reports/$(date -u +%F)}"
BASELINE="${BASELINE:-$HOME/exportscreen/.exportscreen-baseline.yaml}"
EXPORTSCREEN="${EXPORTSCREEN:-exportscreen}"
REQUIRE_LISTS="${REQUIRE_LISTS:-EL,MEU,SDN}"   # the CSL download brings SDN; a list missing is exit 2
mkdir -p "$REPORTS"

"$EXPORTSCREEN" lists update --config "$LISTS_CONFIG" > "$REPORTS/lists-update.txt" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  echo "nightly: lists update failed (exit $status), see $REPORTS/lists-update.txt" >&2
  exit 2
fi

baseline=()
[ -f "$BASELINE" ] && baseline=(--baseline "$BASELINE")

# The downloaded lists are the configured defaults (README "Downloaded lists as the default"), so a
# plain rescreen screens against them; --require-lists makes a missing list exit 2. First the audit
# report of the comparison without recording it, then the recorded re-screen (the next night's start).
"$EXPORTSCREEN" rescreen --ledger "$LEDGER" "${baseline[@]}" --require-lists "$REQUIRE_LISTS" --workers 2 \
  --dry-run --format html --output "$REPORTS/rescreen.html"
status=$?
if [ "$status" -eq 2 ]; then
  echo "nightly: rescreen could not run (exit 2)" >&2
  exit 2
fi
"$EXPORTSCREEN" rescreen --ledger "$LEDGER" "${baseline[@]}" --require-lists "$REQUIRE_LISTS" --workers 2 \
  --format junit --output "$REPORTS/rescreen.xml"
status=$?
[ "$status" -eq 2 ] && echo "nightly: rescreen could not record (exit 2)" >&2
exit "$status"
