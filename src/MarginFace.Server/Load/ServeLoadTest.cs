using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using MarginFace.Galleries;
using MarginFace.Interop.FaceApi;
using MarginFace.Server.Security;

namespace MarginFace.Server.Load;

/// <summary>
/// The load test of <c>marginface bench serve</c>: a gallery of synthetic people (random unit vectors under the pretrained
/// model's id, enrolled through the library in one transaction rather than by uploads), a key, the real server started as a
/// child process on 127.0.0.1 (<paramref name="startServer"/>), then for each client count, that many clients posting the
/// same photo to <c>identify</c> back to back for a fixed time. Bounded: it stops by itself after the levels, and stops the
/// server. An error is a request that got no answer; a server error is a 5xx answer.
/// </summary>
public sealed class ServeLoadTest(Func<IReadOnlyList<string>, Process> startServer)
{
    /// <summary>Makes <paramref name="people"/> synthetic people (<paramref name="dimension"/>-d) in a new gallery at <paramref name="path"/>.</summary>
    public static void MakeGallery(string path, int people, int dimension = 128, int seed = 1)
    {
        var random = new Random(seed);
        using var gallery = FaceGallery.Open(path, create: true);
        var enrolments = new List<(string, IReadOnlyList<GalleryEntry>)>(people);
        for (int p = 0; p < people; p++)
        {
            var vector = new float[dimension];
            for (int i = 0; i < dimension; i++) vector[i] = (float)(random.NextDouble() * 2 - 1);
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(p)));
            enrolments.Add(($"synthetic{p:00000}", [new GalleryEntry(sha, vector)]));
        }
        gallery.EnrolAll(enrolments, PretrainedFaceModel.ModelId, model: FaceModels.FaceModelReference.Of("pretrained"));
    }

    /// <summary>Runs the levels; <paramref name="report"/> hears each as it finishes.</summary>
    public async Task<IReadOnlyList<LoadLevel>> RunAsync(string work, string photo, int people, IReadOnlyList<int> clients, TimeSpan duration,
        IReadOnlyList<string> serverArguments, Action<string>? log = null, Action<LoadLevel>? report = null)
    {
        var gallery = Path.Combine(work, "load.db");
        MakeGallery(gallery, people);
        var key = new ApiKeyStore(ServerOptions.DefaultKeysPath(gallery)).Create("load", ApiKeyScope.Recognise).Key;
        var bytes = await File.ReadAllBytesAsync(photo);
        using var server = startServer(["serve", "--gallery", gallery, "--port", "0", "--rate", "1000000", .. serverArguments]);
        try
        {
            var address = await ListeningAddress(server);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(120) };
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            await WaitReady(http, server);
            log?.Invoke($"server ready at {address}; {people} people in the gallery");
            // Warm-up: the first requests load the search matrix and warm ONNX Runtime.
            for (int i = 0; i < 3; i++) await Identify(http, bytes);
            var levels = new List<LoadLevel>();
            foreach (var count in clients)
            {
                var level = await Level(http, bytes, count, duration, server);
                levels.Add(level);
                report?.Invoke(level);
            }
            return levels;
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    private static async Task<LoadLevel> Level(HttpClient http, byte[] photo, int clients, TimeSpan duration, Process server)
    {
        var rssStart = Rss(server);
        var latencies = new List<double>[clients];
        int errors = 0, serverErrors = 0;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                try
                {
                    var status = await Identify(http, photo);
                    if ((int)status >= 500) Interlocked.Increment(ref serverErrors);
                    else if (status != HttpStatusCode.OK) Interlocked.Increment(ref errors);
                    else mine.Add((clock.Elapsed - started).TotalMilliseconds);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadLevel(clients, elapsed, all.Length, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), errors, serverErrors, rssStart, Rss(server));
    }

    private static async Task<HttpStatusCode> Identify(HttpClient http, byte[] photo)
    {
        using var content = new ByteArrayContent(photo);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await http.PostAsync("/v1/galleries/default/identify", content);
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode;
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Rss(Process process)
    {
        process.Refresh();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }

    private static async Task<string> ListeningAddress(Process server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var line = await server.StandardOutput.ReadLineAsync();
            if (line is null) break;
            if (line.StartsWith("listening on ", StringComparison.Ordinal))
            {
                // Keep draining its output so the server never blocks on a full pipe.
                _ = server.StandardOutput.ReadToEndAsync();
                return line["listening on ".Length..].Trim();
            }
        }
        throw new MarginFaceException(server.HasExited
            ? $"the server exited with code {server.ExitCode} before it listened"
            : "the server did not listen within 120 s");
    }

    private static async Task WaitReady(HttpClient http, Process server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline && !server.HasExited)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new MarginFaceException("the server did not get ready (models not loaded) within 120 s");
    }
}
