using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MarginFace.Cli;

/// <summary>
/// On Linux with transparent huge pages set to <c>madvise</c>, every fresh large tensor costs a page fault per 4 KiB page.
/// glibc ≥ 2.35 can ask for huge pages for its large allocations (<c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c>), but
/// the tunable is read at process start, so the program re-executes itself once with it set.
/// <c>MARGINFACE_NO_HUGEPAGES=1</c> opts out.
/// </summary>
public static partial class HugePageRelaunch
{
    public const string OptOutVariable = "MARGINFACE_NO_HUGEPAGES";
    public const string Tunable = "glibc.malloc.hugetlb=1";
    private const string GuardVariable = "MARGINFACE_RELAUNCHED";

    /// <summary>Whether relaunching helps: not opted out, not already set, glibc ≥ 2.35, and THP mode <c>madvise</c>.</summary>
    public static bool ShouldRelaunch(string? tunables, string? optOut, Version? glibc, string? transparentHugePages)
    {
        if (!string.IsNullOrEmpty(optOut) && optOut != "0") return false;
        if (tunables is not null && tunables.Contains("glibc.malloc.hugetlb", StringComparison.Ordinal)) return false;
        if (glibc is null || glibc < new Version(2, 35)) return false;
        return transparentHugePages == "madvise";
    }

    /// <summary>Appends the huge-page tunable to an existing <c>GLIBC_TUNABLES</c> value.</summary>
    public static string WithTunable(string? tunables) =>
        string.IsNullOrEmpty(tunables) ? Tunable : $"{tunables}:{Tunable}";

    /// <summary>The bracketed mode of <c>/sys/kernel/mm/transparent_hugepage/enabled</c>, e.g. <c>madvise</c>.</summary>
    public static string? ParseTransparentHugePageMode(string? sysfsText)
    {
        if (sysfsText is null) return null;
        var open = sysfsText.IndexOf('[');
        var close = sysfsText.IndexOf(']', open + 1);
        return open >= 0 && close > open ? sysfsText[(open + 1)..close] : null;
    }

    /// <summary>Runs this program again with the tunable set and returns its exit code, or null when a relaunch does not help.</summary>
    public static int? TryRelaunch(string[] args)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(GuardVariable) == "1") return null;
        var tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        string? thp = null;
        try { thp = ParseTransparentHugePageMode(File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled")); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        if (!ShouldRelaunch(tunables, Environment.GetEnvironmentVariable(OptOutVariable), GlibcVersion(), thp)) return null;

        var processPath = Environment.ProcessPath;
        if (processPath is null) return null;
        var start = new ProcessStartInfo(processPath) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["GLIBC_TUNABLES"] = WithTunable(tunables);
        start.Environment[GuardVariable] = "1";

        // The child shares the terminal's process group and receives Ctrl-C itself; the parent only waits, and passes on
        // a SIGTERM sent to it alone (docker stop, systemd, a scheduler) so that the child saves its checkpoint.
        System.Console.CancelKeyPress += (_, e) => e.Cancel = true;
        try
        {
            using var child = Process.Start(start);
            if (child is null) return null;
            using var forward = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                _ = kill(child.Id, 15);
            });
            child.WaitForExit();
            return child.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static Version? GlibcVersion()
    {
        try
        {
            var text = Marshal.PtrToStringAnsi(gnu_get_libc_version());
            return Version.TryParse(text, out var version) ? version : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static partial IntPtr gnu_get_libc_version();
}
