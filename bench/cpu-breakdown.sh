#!/usr/bin/env bash
# Where a delivered message's server CPU goes: runs one load-generator scenario, samples the server process with
# `perf record` for 8 s in the middle of it, and prints microseconds per delivered message by category (each system
# call the server makes, the kernel's scheduling and interrupt work, SQLite, and the rest of user space).
#   bench/cpu-breakdown.sh pairs                    # Parley, native, SQLite FULL
#   bench/cpu-breakdown.sh pairs --protocol hub     # the SignalR hub, for comparison
#   bench/cpu-breakdown.sh pairs --protocol mim-tcp
#   bench/cpu-breakdown.sh rate --rate 30000
# A scenario that delivers messages at a steady pace (pairs, rate, group) with any of its options; the script sets
# --warmup and --duration itself, since it samples at a fixed time into the run.
# The servers run with the runtime's defaults; add `--server-env DOTNET_TieredCompilation=0` to compare without tiering.
# Needs `perf` (linux-perf) and permission to profile another process (root, or kernel.perf_event_paranoid <= 1).
# Sampling costs the server a few per cent, so the per-CPU-second figure here reads a little lower than without it;
# compare categories between runs of this script, not with the suite's tables.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '2,13p' "$0"; exit 2; }
command -v perf > /dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Parley.LoadGen -c Release -nologo -clp:ErrorsOnly > /dev/null
dotnet build bench/Parley.Baseline.SignalRHub -c Release -nologo -clp:ErrorsOnly > /dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet bench/Parley.LoadGen/bin/Release/net10.0/Parley.LoadGen.dll "$@" --warmup 10 --duration 15 --no-progress \
    --server-env DOTNET_PerfMapEnabled=1 > "$work/run.log" 2>&1 &
loadgen=$!
sleep 15  # past the connects and the warm-up, in which the runtime's tiered JIT settles
pid=$(pgrep -n -f 'Parley.Server.dll|Parley.Baseline.SignalRHub.dll' || true)
[ -n "$pid" ] || { echo "no server process found" >&2; cat "$work/run.log" >&2; exit 1; }
perf record -e cpu-clock -F 999 -g -p "$pid" -o "$work/perf.data" -- sleep 8 > /dev/null 2>&1
wait $loadgen || { cat "$work/run.log" >&2; exit 1; }
perf script -i "$work/perf.data" -F ip,sym,dso 2> /dev/null > "$work/samples"

python3 - "$work/run.log" "$work/samples" <<'PY'
import collections, json, re, sys

result = next(json.loads(l[7:]) for l in open(sys.argv[1]) if l.startswith("RESULT "))
per_cpu_second = result["deliveredPerCpuSecond"]
us_per_message = 1e6 / per_cpu_second
file_calls = {"pwrite64", "pread64", "fsync", "fdatasync", "fcntl", "ftruncate"}

def category(frames):
    # The outermost system-call entry on the stack names what the kernel was doing it for.
    syscall = None
    for frame in frames:
        m = re.search(r"__(?:x64|do)_sys_(\w+)", frame)
        if m: syscall = m.group(1)
    if syscall: return "file I/O (" + syscall + ")" if syscall in file_calls else syscall
    leaf = frames[0]
    if "[kernel" in leaf: return "kernel: scheduling, interrupts"
    if "sqlite" in leaf: return "user: SQLite"
    return "user: .NET, libc"

counts = collections.Counter()
frames = []
for line in open(sys.argv[2]):
    if line.strip():
        frames.append(line.strip())
    elif frames:
        counts[category(frames)] += 1
        frames = []
if frames: counts[category(frames)] += 1
total = sum(counts.values())

print(f"{result['scenario']}, {result['server']}, {result['protocol']}: {per_cpu_second:,.0f} delivered per server CPU-second "
      f"= {us_per_message:.2f} us per message ({total} samples)")
print(f"  {'category':<34} {'share':>6} {'us/msg':>7}")
for name, n in counts.most_common():
    if n * 1000 < total: break
    print(f"  {name:<34} {100 * n / total:5.1f}% {us_per_message * n / total:7.2f}")
PY
