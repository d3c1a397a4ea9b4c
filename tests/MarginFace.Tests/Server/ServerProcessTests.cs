using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MarginFace.Server.Security;
using MarginFace.Tests.Cli;
using static MarginFace.Tests.Server.ServerFixture;

namespace MarginFace.Tests.Server;

/// <summary>
/// The real server as a child process (<c>marginface serve</c>): an enrolment answered 201 survives <c>kill -9</c>; two
/// processes sharing one gallery see each other's enrolments; SIGTERM lets the request in flight finish and exits 0.
/// </summary>
[Trait("Category", "Integration")]
public class ServerProcessTests
{
    /// <summary>A running <c>marginface serve</c> on a free port, ready (models loaded) when <see cref="Start"/> returns.</summary>
    internal sealed class ServerProcess : IDisposable
    {
        private ServerProcess(CliProcess.WatchedRun run, Uri address, string key)
        {
            Run = run;
            Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
            Client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        public CliProcess.WatchedRun Run { get; }

        public HttpClient Client { get; }

        public static ServerProcess Start(string gallery, string key, params string[] extra)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "MarginFace.Cli.dll"), "serve", "--gallery", gallery, "--port", "0",
                "--detector", TestImages.YuNetPath, "--onnx-threads", "1", .. extra])
                start.ArgumentList.Add(arg);
            foreach (var (name, value) in TestModelCache()) start.Environment[name] = value;
            var run = new CliProcess.WatchedRun(start);
            try
            {
                Assert.True(run.WaitForLine("listening on ", TimeSpan.FromSeconds(60)), $"the server did not start: {run.Stderr}");
                var line = run.Stdout.Split('\n').First(l => l.StartsWith("listening on ", StringComparison.Ordinal));
                var server = new ServerProcess(run, new Uri(line["listening on ".Length..].Trim()), key);
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (true)
                {
                    try
                    {
                        if (server.Client.GetAsync("/readyz").Result.StatusCode == HttpStatusCode.OK) return server;
                    }
                    catch (AggregateException) { }
                    Assert.True(DateTime.UtcNow < deadline && !run.Process.HasExited, $"the server did not get ready: {run.Stderr}");
                    Thread.Sleep(100);
                }
            }
            catch
            {
                run.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Client.Dispose();
            Run.Dispose();
        }
    }

    /// <summary>The photo of the stream of enrolments: not Colin, who is enrolled and identified later.</summary>
    private static ByteArrayContent George() => Photo(TestImages.LfwPath("George_W_Bush", 1));

    private static async Task<string[]> People(ServerProcess server, string gallery = "default")
    {
        var response = await server.Client.GetAsync($"/v1/galleries/{gallery}/people");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0009.jpg", "data/lfw/lfw-deepfunneled/George_W_Bush/George_W_Bush_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task AcknowledgedEnrolmentsSurviveKill9AndTwoServersShareAGallery()
    {
        using var work = new TempDirectory();
        var gallery = work.Combine("people.db");
        var key = new ApiKeyStore(MarginFace.Server.ServerOptions.DefaultKeysPath(gallery)).Create("test", ApiKeyScope.Recognise | ApiKeyScope.Manage).Key;

        var acknowledged = new List<string>();
        using (var first = ServerProcess.Start(gallery, key))
        {
            var killAfter = 8 + Random.Shared.Next(8);
            for (int i = 0; i < 200; i++)
            {
                var name = $"person{i:000}";
                var send = first.Client.PostAsync($"/v1/galleries/default/people/{name}", George());
                if (acknowledged.Count == killAfter)
                {
                    // kill -9 while this enrolment is in flight (sent, perhaps committed, not yet answered).
                    first.Run.Process.Kill();
                    first.Run.Process.WaitForExit();
                }
                try
                {
                    var response = await send;
                    if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add(name);
                    else Assert.Fail($"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                catch (HttpRequestException)
                {
                    break;
                }
            }
            Assert.True(first.Run.Process.HasExited);
        }
        Assert.InRange(acknowledged.Count, 8, 16);

        using var restarted = ServerProcess.Start(gallery, key);
        using var second = ServerProcess.Start(gallery, key);
        var people = await People(restarted);
        Assert.Empty(acknowledged.Except(people));
        Assert.InRange(people.Length, acknowledged.Count, acknowledged.Count + 1);

        // The second process searches (and so loads its matrix) before the first enrols Colin, then sees him.
        var before = JsonDocument.Parse(await (await second.Client.PostAsync("/v1/galleries/default/identify", Photo(TestImages.LfwPath("Colin_Powell", 2)))).Content.ReadAsStringAsync()).RootElement;
        Assert.DoesNotContain(before.GetProperty("faces")[0].GetProperty("candidates").EnumerateArray(), c => c.GetProperty("name").GetString() == "Colin");
        var colin2 = TestImages.LfwPath("Colin_Powell", 3);
        Assert.Equal(HttpStatusCode.Created, (await restarted.Client.PostAsync("/v1/galleries/default/people/Colin", Photo(colin2))).StatusCode);
        var after = JsonDocument.Parse(await (await second.Client.PostAsync("/v1/galleries/default/identify", Photo(TestImages.LfwPath("Colin_Powell", 2)))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Colin", after.GetProperty("faces")[0].GetProperty("candidates")[0].GetProperty("name").GetString());
        Assert.Contains("Colin", await People(second));

        // A wrong key is refused and logged with the method and path, never with the key it sent.
        var wrong = key + "-wrong";
        using (var stranger = new HttpClient { BaseAddress = second.Client.BaseAddress })
        {
            stranger.DefaultRequestHeaders.Add("X-Api-Key", wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.PostAsync("/v1/detect", Photo(TestImages.LfwPath("Colin_Powell", 2)))).StatusCode);
        }
        var logged = DateTime.UtcNow.AddSeconds(10);
        while (!second.Run.Stdout.Contains("401 POST /v1/detect: unknown API key") && DateTime.UtcNow < logged) await Task.Delay(50);
        Assert.Contains("401 POST /v1/detect: unknown API key", second.Run.Stdout);
        Assert.DoesNotContain(key, second.Run.Stdout + second.Run.Stderr);

        // SIGTERM while an enrolment of six photos is in flight: it is answered 201, then the server exits 0.
        var photos = Enumerable.Range(4, 6).Select(i => TestImages.LfwPath("Colin_Powell", i)).ToList();
        var inFlight = restarted.Client.PostAsync("/v1/galleries/default/people/Colin%20Six", Form(photos));
        await Task.Delay(300);
        using (var kill = Process.Start("kill", ["-TERM", restarted.Run.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        var answer = await inFlight;
        Assert.True(answer.StatusCode == HttpStatusCode.Created, await answer.Content.ReadAsStringAsync());
        Assert.True(restarted.Run.WaitForExit(TimeSpan.FromSeconds(30)), "the server did not stop after SIGTERM");
        Assert.Equal(0, restarted.Run.Process.ExitCode);
        Assert.Contains("stopping", restarted.Run.Stderr);
        Assert.Contains("Colin Six", await People(second));
    }
}
