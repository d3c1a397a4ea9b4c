using System.Diagnostics;
using System.Text;

namespace MarginFace.Tests.Cli;

/// <summary>Runs a built program beside the tests (<c>marginface</c>: MarginFace.Cli.dll, by default) as a separate process.</summary>
internal static class CliProcess
{
    /// <summary>Starts the program without waiting; standard output and error are read in the background (ask the tasks for them).</summary>
    public static (Process Process, Task<string> Stdout, Task<string> Stderr) Start(IEnumerable<string> args, string program = "MarginFace.Cli.dll")
    {
        var start = StartInfo(args, program);
        var process = Process.Start(start)!;
        return (process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    /// <summary>
    /// Starts the program with its output read line by line, so that a test can wait for a line the program prints (a marker)
    /// instead of sleeping or polling files.
    /// </summary>
    public static WatchedRun StartWatched(IEnumerable<string> args)
    {
        var start = StartInfo(args, "MarginFace.Cli.dll");
        return new WatchedRun(start);
    }

    /// <summary>A running <c>marginface</c> whose standard output and error lines are collected as they come.</summary>
    public sealed class WatchedRun : IDisposable
    {
        private readonly StringBuilder _stdout = new(), _stderr = new();
        private readonly object _gate = new();
        private readonly List<(string Prefix, TaskCompletionSource Seen)> _waiting = [];
        private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal WatchedRun(ProcessStartInfo start)
        {
            Process = new Process { StartInfo = start, EnableRaisingEvents = true };
            Process.OutputDataReceived += (_, e) => Received(_stdout, e.Data);
            Process.ErrorDataReceived += (_, e) => Received(_stderr, e.Data);
            Process.Exited += (_, _) => _exited.TrySetResult();
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        /// <summary>Standard output so far (all of it once <see cref="WaitForExit"/> returned).</summary>
        public string Stdout { get { lock (_gate) return _stdout.ToString(); } }

        /// <summary>Standard error so far (all of it once <see cref="WaitForExit"/> returned).</summary>
        public string Stderr { get { lock (_gate) return _stderr.ToString(); } }

        /// <summary>
        /// Waits until the program prints a line (on either stream) starting with <paramref name="prefix"/>: true then; false when
        /// it exits first or <paramref name="timeout"/> passes (a guard against a hung child, not a timing).
        /// </summary>
        public bool WaitForLine(string prefix, TimeSpan timeout)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (Lines().Any(line => line.StartsWith(prefix, StringComparison.Ordinal))) return true;
                _waiting.Add((prefix, seen));
            }
            Task.WaitAny([seen.Task, _exited.Task], timeout);
            return seen.Task.IsCompleted;
        }

        /// <summary>Waits for the program to end and for its last output lines.</summary>
        public bool WaitForExit(TimeSpan timeout)
        {
            if (!Process.WaitForExit(timeout)) return false;
            Process.WaitForExit();
            return true;
        }

        private IEnumerable<string> Lines() => (_stdout.ToString() + _stderr.ToString()).Split('\n');

        private void Received(StringBuilder target, string? line)
        {
            if (line is null) return;
            lock (_gate)
            {
                target.Append(line).Append('\n');
                foreach (var (prefix, seen) in _waiting)
                    if (line.StartsWith(prefix, StringComparison.Ordinal)) seen.TrySetResult();
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> args, IDictionary<string, string>? environment = null, int timeoutSeconds = 300,
        string program = "MarginFace.Cli.dll")
    {
        var start = StartInfo(args, program);
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"marginface {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary><c>dotnet PROGRAM ARGS</c> for a program beside the tests, its output redirected.</summary>
    private static ProcessStartInfo StartInfo(IEnumerable<string> args, string program)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return start;
    }
}
