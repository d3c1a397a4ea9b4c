using System.Diagnostics;

namespace MarginFace.Tests.Interop;

/// <summary>A Python 3 with PyTorch on this machine (Debian 12: <c>apt-get install python3-torch</c>), found without importing torch.</summary>
public static class PythonTorch
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The interpreter, or null when none has torch; <c>MARGINFACE_PYTHON</c> names one to use.</summary>
    public static string? Interpreter => Found.Value;

    /// <summary>Runs <paramref name="arguments"/> with <see cref="Interpreter"/>; fails the test on a non-zero exit.</summary>
    public static void Run(TimeSpan timeout, params string[] arguments)
    {
        var (exitCode, output) = Execute(Interpreter ?? throw new InvalidOperationException("no Python with torch"), arguments, timeout);
        if (exitCode != 0) throw new InvalidOperationException($"python {string.Join(' ', arguments)} exited with {exitCode}: {output}");
    }

    private static string? Find()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("MARGINFACE_PYTHON"), "/usr/bin/python3", "python3" };
        foreach (var candidate in candidates.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct())
        {
            try
            {
                var (exitCode, _) = Execute(candidate!, ["-c", "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)"], TimeSpan.FromSeconds(20));
                if (exitCode == 0) return candidate;
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
            }
        }
        return null;
    }

    private static (int ExitCode, string Output) Execute(string interpreter, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{interpreter} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"timed out after {timeout.TotalSeconds:0} s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
