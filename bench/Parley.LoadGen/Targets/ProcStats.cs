using System.Globalization;
using System.Runtime.InteropServices;

namespace Parley.LoadGen.Targets;

/// <summary>CPU time and memory of a local process, read from /proc (Linux).</summary>
public static class ProcStats
{
    private static readonly long ClockTicks = ReadClockTicks();

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    private static long ReadClockTicks()
    {
        try
        {
            var ticks = SysConf(2); // _SC_CLK_TCK
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    public static bool Available(int pid) => File.Exists($"/proc/{pid}/stat");

    /// <summary>User + system CPU seconds the process has used so far.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return ParseCpuSeconds(stat, ClockTicks);
    }

    /// <summary>Fields 14 (utime) and 15 (stime) of /proc/pid/stat, counted after the parenthesised command name.</summary>
    public static double ParseCpuSeconds(string stat, long clockTicks)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): utime is field 14 → index 11, stime → index 12.
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / (double)clockTicks;
    }

    /// <summary>Current (VmRSS) and peak (VmHWM) resident memory in bytes.</summary>
    public static (long Rss, long Peak) Memory(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line);
        }
        return (rss, peak);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    /// <summary>Datagrams the kernel dropped at the UDP socket bound to <paramref name="port"/> (its receive buffer was full).</summary>
    public static long UdpDrops(int port)
    {
        long drops = 0;
        foreach (var file in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file).Skip(1)) drops += ParseUdpDrops(line, port);
        }
        return drops;
    }

    /// <summary>The drops column of one /proc/net/udp line when its local port is <paramref name="port"/>, else 0.</summary>
    public static long ParseUdpDrops(string line, int port)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13) return 0;
        var local = fields[1];
        var colon = local.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) || p != port) return 0;
        return long.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : 0;
    }
}
