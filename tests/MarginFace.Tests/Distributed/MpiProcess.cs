using System.Diagnostics;
using System.Text;

namespace MarginFace.Tests.Distributed;

/// <summary>
/// Runs the built tool as N ranks: <c>mpirun --oversubscribe -np N dotnet MarginFace.Cli.dll ARGS</c>, with the settings a
/// root container needs: Open MPI refuses root without OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM), and its shared-memory transport
/// is told not to use cross-memory attach (ptrace), which containers often forbid.
/// </summary>
internal static class MpiProcess
{
    public static ProcessStartInfo StartInfo(int ranks, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--oversubscribe", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", Path.Combine(AppContext.BaseDirectory, "MarginFace.Cli.dll") })
            start.ArgumentList.Add(arg);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["OMPI_MCA_btl"] = "self,vader,tcp";
        start.Environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
        return start;
    }

    public static (int ExitCode, string Output) Run(int ranks, IEnumerable<string> args, int timeoutSeconds = 240)
    {
        using var process = Process.Start(StartInfo(ranks, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpirun -np {ranks} marginface {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The process ids of the ranks whose command line holds <paramref name="marker"/> and whose OMPI_COMM_WORLD_RANK is <paramref name="rank"/>.</summary>
    public static IReadOnlyList<int> FindRank(string marker, int rank)
    {
        var found = new List<int>();
        foreach (var folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
            try
            {
                var command = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                if (!command.Contains(marker, StringComparison.Ordinal) || !command.Contains("MarginFace.Cli.dll", StringComparison.Ordinal) || command.StartsWith("mpirun", StringComparison.Ordinal)) continue;
                var environment = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(folder, "environ"))).Split('\0');
                if (environment.Contains($"OMPI_COMM_WORLD_RANK={rank}")) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }
        return found;
    }
}
