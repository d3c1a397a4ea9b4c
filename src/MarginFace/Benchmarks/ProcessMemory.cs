namespace MarginFace.Benchmarks;

/// <summary>
/// The process's resident memory from <c>/proc/self/status</c> (Linux): VmRSS now and VmHWM, the high-water mark.
/// VmHWM only grows, so <see cref="ResetPeak"/> writes 5 to <c>/proc/self/clear_refs</c> (Linux ≥ 4.0) to restart it at
/// the current RSS before a case; <see cref="PeakResettable"/> says whether that worked (else peaks are process-wide).
/// </summary>
internal static class ProcessMemory
{
    private const string StatusPath = "/proc/self/status";

    /// <summary>Resident set size now, in MiB; null where /proc is not available.</summary>
    public static double? ResidentMb() => Read("VmRSS:");

    /// <summary>High-water mark of the resident set since start or the last successful <see cref="ResetPeak"/>, in MiB.</summary>
    public static double? PeakResidentMb() => Read("VmHWM:");

    /// <summary>
    /// The high-water mark since the last <see cref="ResetPeak"/>, never below <paramref name="start"/> (the resident set read
    /// just after the reset: it can shrink between the two readings when a collector or allocator thread returns memory).
    /// </summary>
    public static double? PeakSince(double? start) => PeakResidentMb() is double peak ? Math.Max(peak, start ?? 0) : null;

    /// <summary>Whether the last <see cref="ResetPeak"/> restarted the high-water mark.</summary>
    public static bool PeakResettable { get; private set; }

    /// <summary>Restarts VmHWM at the current RSS; returns false (peaks stay process-wide) where the kernel refuses.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            PeakResettable = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            PeakResettable = false;
        }
        return PeakResettable;
    }

    private static double? Read(string key)
    {
        if (!File.Exists(StatusPath)) return null;
        foreach (var line in File.ReadLines(StatusPath))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 0 && long.TryParse(parts[0], out var kb) ? kb / 1024.0 : null;
        }
        return null;
    }
}
