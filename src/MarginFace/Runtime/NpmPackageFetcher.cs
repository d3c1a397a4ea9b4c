using System.ComponentModel;
using System.Diagnostics;

namespace MarginFace.Runtime;

/// <summary>Fetches package tarballs with <c>npm pack SPEC --pack-destination DIR</c>.</summary>
internal sealed class NpmPackageFetcher : IPackageFetcher
{
    private readonly string _npmCommand;
    private readonly TimeSpan _timeout;

    /// <param name="npmCommand">The npm executable; <c>npm</c> (<c>npm.cmd</c> on Windows) from PATH by default.</param>
    /// <param name="timeout">How long npm may run; 10 minutes by default.</param>
    public NpmPackageFetcher(string? npmCommand = null, TimeSpan? timeout = null)
    {
        _npmCommand = npmCommand ?? (OperatingSystem.IsWindows() ? "npm.cmd" : "npm");
        _timeout = timeout ?? TimeSpan.FromMinutes(10);
    }

    /// <summary>"npm: not found on PATH" when the npm executable is neither a file at the given path nor in a folder of PATH.</summary>
    public string? Unavailable()
    {
        if (Path.IsPathFullyQualified(_npmCommand) || _npmCommand.Contains(Path.DirectorySeparatorChar) || _npmCommand.Contains(Path.AltDirectorySeparatorChar))
            return File.Exists(_npmCommand) ? null : $"{_npmCommand}: not found on PATH";
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders.Any(folder => File.Exists(Path.Combine(folder, _npmCommand))) ? null : $"{_npmCommand}: not found on PATH";
    }

    public string Pack(string packageSpec, string destinationDirectory)
    {
        var start = new ProcessStartInfo(_npmCommand)
        {
            WorkingDirectory = destinationDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "pack", packageSpec, "--pack-destination", destinationDirectory, "--no-fund", "--no-audit" })
            start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new MarginFaceException($"{_npmCommand}: could not be started");
        }
        catch (Win32Exception e)
        {
            throw new MarginFaceException($"{_npmCommand}: not found on PATH or not executable ({e.Message})", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(_timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new MarginFaceException($"npm pack {packageSpec}: timed out after {_timeout.TotalSeconds:0} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new MarginFaceException($"npm pack {packageSpec}: exit code {process.ExitCode}: {ErrorLine(stderr.Result)}");
            var reported = LastLine(stdout.Result);
            if (reported is not null && File.Exists(Path.Combine(destinationDirectory, reported)))
                return Path.Combine(destinationDirectory, reported);
            var tarballs = Directory.GetFiles(destinationDirectory, "*.tgz");
            return tarballs.Length == 1
                ? tarballs[0]
                : throw new MarginFaceException($"npm pack {packageSpec}: succeeded but left {tarballs.Length} .tgz files in {destinationDirectory}");
        }
    }

    /// <summary>The most telling line of npm's stderr: its first <c>npm error</c> line that says something, else the last line.</summary>
    private static string ErrorLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = lines.FirstOrDefault(line => line.StartsWith("npm error", StringComparison.OrdinalIgnoreCase)
                                                 && !line.StartsWith("npm error code", StringComparison.OrdinalIgnoreCase));
        return error ?? lines.LastOrDefault() ?? "no error output";
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
