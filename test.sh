#!/usr/bin/env bash
# Runs every test project and ends with one line: "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Node packages for the tests that drive real third-party clients (@stomp/stompjs, sockjs-client).
if [ -f tests/js/package.json ]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

log=$(mktemp)
dotnet build Parley.slnx -c Release -nologo -clp:ErrorsOnly > "$log" 2>&1
if [ $? -ne 0 ]; then
  cat "$log"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test Parley.slnx -c Release --no-build --nologo --logger "console;verbosity=normal" > "$log" 2>&1
status=$?
# Show failures and each project's summary, not every passing test.
grep -vE "^\s+Passed [A-Za-z]" "$log" | grep -E "^\s+Failed [A-Za-z]|Error Message|Assert|Exception|Test Run|Total tests|^\s+(Passed|Failed|Skipped): " || true

passed=$(grep -E "^\s+Passed: +[0-9]+" "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E "^\s+Failed: +[0-9]+" "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A test host crashed or a project failed without a summary line: count it.
  failed=1
fi
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
