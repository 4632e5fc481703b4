#!/usr/bin/env bash
# The whole side-by-side comparison in one command: builds Parley, the SignalR baseline hub and the load generator
# in Release, then runs every scenario (Parley vs the hub, each protocol, SQLite durability on and off), each server
# in a process of its own on 127.0.0.1. Writes bench/results/latest.md (the table, targets marked met or not) and
# bench/results/latest.jsonl (one JSON line per run).
#   bench/run-all.sh            # full suite (~8 minutes on 2 cores; --repeat 3 about 22)
#   bench/run-all.sh --quick    # shorter runs, smaller counts (~4 minutes): a smoke test
#   extra options go to the load generator, e.g. --server-env DOTNET_gcServer=1 --out /tmp/r.md
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Parley.LoadGen -c Release -nologo -clp:ErrorsOnly
dotnet build bench/Parley.Baseline.SignalRHub -c Release -nologo -clp:ErrorsOnly
exec dotnet bench/Parley.LoadGen/bin/Release/net10.0/Parley.LoadGen.dll suite "$@"
