using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MarginFace.Server.Load;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface bench serve --photo FILE [--people 1000] [--clients 2,8,32] [--seconds 60]</c>: the load test of <c>serve</c>
/// (<see cref="ServeLoadTest"/>): this tool started as the server on 127.0.0.1, identify requests from 2, 8 and 32 concurrent
/// clients; a markdown table of requests/s, p50, p99, errors, 5xx and the server's RSS. Exit 1 when any request failed.
/// </summary>
internal static class BenchServeCommand
{
    public static Command Create()
    {
        var photo = new Option<string>("--photo") { Description = "the photo every client identifies (e.g. an LFW image)", Required = true };
        var people = new Option<int>("--people") { Description = "synthetic people in the gallery", DefaultValueFactory = _ => 1000 };
        var clients = new Option<string>("--clients") { Description = "comma-separated concurrent client counts, one level each", DefaultValueFactory = _ => "2,8,32" };
        var seconds = new Option<double>("--seconds") { Description = "seconds per level", DefaultValueFactory = _ => 60 };
        var detector = new Option<string?>("--detector") { Description = "YuNet ONNX file for the server (default: face-api's SSD MobileNet V1)" };
        var threads = new Option<int>("--onnx-threads") { Description = "the server's ONNX Runtime threads per network (0: its default)" };
        var command = new Command("serve", "Load-test 'marginface serve' on 127.0.0.1: identify from concurrent clients against a gallery of synthetic people")
        {
            photo, people, clients, seconds, detector, threads,
        };
        command.SetAction(parse =>
        {
            var levels = parse.GetValue(clients)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1024 ? n
                    : throw new MarginFaceException($"--clients: '{t}' is not a client count from 1 to 1024")).ToList();
            if (levels.Count == 0) throw new MarginFaceException("--clients: no client count");
            if (parse.GetValue(people) is < 1 or > 1_000_000) throw new MarginFaceException($"--people {parse.GetValue(people)} must be from 1 to 1000000");
            if (parse.GetValue(seconds) is not (> 0 and <= 3600)) throw new MarginFaceException($"--seconds {parse.GetValue(seconds)} must be from 0 to 3600");
            var photoPath = parse.GetValue(photo)!;
            if (!File.Exists(photoPath)) throw new MarginFaceException($"--photo {photoPath}: file not found");
            var serverArgs = new List<string> { "--onnx-threads", parse.GetValue(threads).ToString(CultureInfo.InvariantCulture) };
            if (parse.GetValue(detector) is { } d) serverArgs.AddRange(["--detector", Path.GetFullPath(d)]);
            var work = Directory.CreateTempSubdirectory("marginface-bench-serve-");
            try
            {
                var test = new ServeLoadTest(StartSelf);
                System.Console.WriteLine("| clients | seconds | requests | requests/s | p50 ms | p99 ms | errors | 5xx | server RSS start → end (MiB) |");
                System.Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
                var results = test.RunAsync(work.FullName, photoPath, parse.GetValue(people), levels, TimeSpan.FromSeconds(parse.GetValue(seconds)), serverArgs,
                    line => System.Console.Error.WriteLine(line),
                    l => System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {l.Clients} | {l.Seconds:0.0} | {l.Requests} | {l.RequestsPerSecond:0.0} | {l.P50Ms:0} | {l.P99Ms:0} | {l.Errors} | {l.ServerErrors} | {l.RssStartMiB:0} → {l.RssEndMiB:0} |"))).GetAwaiter().GetResult();
                return results.Any(l => l.Errors + l.ServerErrors > 0) ? ExitCodes.BadInput : ExitCodes.Success;
            }
            finally
            {
                work.Delete(recursive: true);
            }
        });
        return command;
    }

    /// <summary>This very tool as a child process (<c>dotnet MarginFace.Cli.dll</c> or the apphost), its output redirected.</summary>
    private static Process StartSelf(IReadOnlyList<string> args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(BenchServeCommand).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new MarginFaceException("cannot start the server process");
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }
}
