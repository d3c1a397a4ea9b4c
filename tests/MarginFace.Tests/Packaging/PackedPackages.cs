using System.Diagnostics;
using MarginFace.Tests.Support;

namespace MarginFace.Tests.Packaging;

/// <summary>
/// Both packages packed once from the built projects (<c>dotnet pack --no-build</c>: the test run already built them, and a
/// second build would race with the running tests) into a temporary folder, under a version of their own so that NuGet's
/// global packages folder never serves a stale copy; the tool installed from there with <c>dotnet tool install --tool-path</c>.
/// The version's folders that NuGet adds to the global packages folder are removed afterwards.
/// </summary>
public sealed class PackedPackages : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public PackedPackages()
    {
        var packClock = Stopwatch.StartNew();
        Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        Feed = Work.Combine("feed");
        ToolDirectory = Work.Combine("tool");
        foreach (var project in new[] { "src/MarginFace", "src/MarginFace.Cli" })
        {
            var result = Run("dotnet", ["pack", RepositoryFolder.Combine(project), "-c", Configuration, "--no-build", "-o", Feed, $"-p:Version={Version}"], Work.Path);
            if (result.ExitCode != 0) throw new InvalidOperationException($"dotnet pack {project} failed (build the solution first, -c {Configuration}): {result.Output}");
        }
        Timing.Add($"pack: {packClock.Elapsed.TotalSeconds:F1} s");
        var install = Stopwatch.StartNew();
        var tool = Run("dotnet", ["tool", "install", "--tool-path", ToolDirectory, "--add-source", Feed, "--version", Version, "MarginFace.Cli"], Work.Path);
        if (tool.ExitCode != 0) throw new InvalidOperationException($"dotnet tool install failed: {tool.Output}");
        Timing.Add($"tool install: {install.Elapsed.TotalSeconds:F1} s");
    }

    public TempDirectory Work { get; } = new();

    /// <summary>The version both packages were packed under.</summary>
    public string Version { get; }

    /// <summary>The local folder feed holding both packages.</summary>
    public string Feed { get; }

    /// <summary>Where the tool was installed: <c>ToolDirectory/marginface</c> is the command.</summary>
    public string ToolDirectory { get; }

    /// <summary>The installed command.</summary>
    public string Marginface => Path.Combine(ToolDirectory, OperatingSystem.IsWindows() ? "marginface.exe" : "marginface");

    /// <summary>Durations of the steps, for the test output.</summary>
    public List<string> Timing { get; } = [];

    /// <summary>NuGet's global packages folder (<c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>).</summary>
    public static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder ? folder
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs <paramref name="program"/> in <paramref name="directory"/>; the environment is this process's plus <paramref name="environment"/>.</summary>
    public static (int ExitCode, string Output, string Stdout, string Stderr) Run(string program, IEnumerable<string> args, string directory,
        IDictionary<string, string>? environment = null, int timeoutSeconds = 300)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} ran over {timeoutSeconds} s");
        }
        return (process.ExitCode, $"{stdout.Result}\n{stderr.Result}".Trim(), stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        foreach (var id in new[] { "marginface", "marginface.cli" })
        {
            var folder = Path.Combine(GlobalPackagesFolder, id, Version);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            var parent = Path.GetDirectoryName(folder)!;
            if (Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any()) Directory.Delete(parent);
        }
        Work.Dispose();
    }
}
