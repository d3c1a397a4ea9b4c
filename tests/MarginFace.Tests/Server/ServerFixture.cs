using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MarginFace.Server;
using MarginFace.Server.Hosting;
using MarginFace.Server.Recognition;
using MarginFace.Server.Security;
using MarginFace.Pipeline;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Server;

/// <summary>
/// One set of loaded networks (YuNet and the pretrained model on ONNX Runtime, one thread) shared by every in-process server of
/// the server tests: the main one (<see cref="Client"/>), and servers with tight limits made by <see cref="Start"/>. The servers
/// are ASP.NET Core's in-memory test server (what WebApplicationFactory wraps; the service is a library started by the CLI, so
/// it has no entry point of its own for the factory to find). Keys: <see cref="BothKey"/>, <see cref="RecogniseKey"/>,
/// <see cref="ManageKey"/>, and <see cref="SpareKeys"/> for tests that count requests.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly List<WebApplication> apps = [];

    public TempDirectory Work { get; } = new();

    public FaceServices Faces { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string KeysPath => Work.Combine("keys.json");

    public string BothKey { get; private set; } = "";

    public string RecogniseKey { get; private set; } = "";

    public string ManageKey { get; private set; } = "";

    public IReadOnlyList<string> SpareKeys { get; private set; } = [];

    public ServerOptions Options(string name) => new()
    {
        GalleryPath = Work.Combine(name + ".db"),
        GalleriesDirectory = Work.Combine(name + "-galleries"),
        KeysPath = KeysPath,
        CacheRoot = FaceApiTestModel.CacheRoot,
        DetectorPath = TestImages.YuNetPath,
        OnnxThreads = 1,
        MaxFaces = 3,
        // The tests send bursts with one key; the rate limit has its own test on a server of its own.
        RequestsPerSecond = 10_000,
    };

    public async Task InitializeAsync()
    {
        TestModelCache();
        var keys = new ApiKeyStore(KeysPath);
        BothKey = keys.Create("both", ApiKeyScope.Recognise | ApiKeyScope.Manage).Key;
        RecogniseKey = keys.Create("recognise", ApiKeyScope.Recognise).Key;
        ManageKey = keys.Create("manage", ApiKeyScope.Manage).Key;
        SpareKeys = [.. Enumerable.Range(0, 8).Select(i => keys.Create($"spare{i}", ApiKeyScope.Recognise | ApiKeyScope.Manage).Key)];
        var options = Options("main");
        Faces = new FaceServices(options);
        await Faces.StartLoading();
        Client = await Start(options);
    }

    /// <summary>
    /// The face-api test cache, filled, as the servers' cache: given to in-process servers as <c>CacheRoot</c> and to child
    /// processes as <c>MARGINFACE_CACHE</c> (this process's environment is left alone: other tests run beside these).
    /// </summary>
    public static Dictionary<string, string> TestModelCache()
    {
        FaceApiTestModel.Cache.EnsureAvailable();
        return new() { ["MARGINFACE_CACHE"] = FaceApiTestModel.CacheRoot };
    }

    /// <summary>Starts an in-process server over <paramref name="options"/> with the shared networks; its client sends no key.</summary>
    public async Task<HttpClient> Start(ServerOptions options)
    {
        var builder = FaceServer.CreateBuilder(options, Faces);
        builder.WebHost.UseTestServer();
        var app = FaceServer.Build(builder);
        await app.StartAsync();
        apps.Add(app);
        return app.GetTestClient();
    }

    /// <summary>Starts a server over <paramref name="options"/> with the shared networks on Kestrel at a free port of 127.0.0.1; returns its address.</summary>
    public async Task<string> StartListening(ServerOptions options)
    {
        var builder = FaceServer.CreateBuilder(options, Faces);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = FaceServer.Build(builder);
        await app.StartAsync();
        apps.Add(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? key, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    /// <summary>A photo file as the raw body.</summary>
    public static ByteArrayContent Photo(string path)
    {
        var content = new ByteArrayContent(File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return content;
    }

    /// <summary>Photo files as the files of a multipart body, with form fields.</summary>
    public static MultipartFormDataContent Form(IEnumerable<string> paths, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var path in paths)
        {
            var file = new ByteArrayContent(File.ReadAllBytes(path));
            file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(file, "photo", Path.GetFileName(path));
        }
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return form;
    }

    /// <summary>Two LFW faces side by side, 300×160 (a photo with two faces).</summary>
    public string TwoFaces()
    {
        var path = Work.Combine("two-faces.png");
        if (!File.Exists(path))
            FaceImageFile.SavePng(TestImages.Canvas(300, 160, 150,
                (TestImages.LfwPath("Colin_Powell", 1), 0.8f, 20, 20), (TestImages.LfwPath("Serena_Williams", 1), 0.8f, 160, 20)), path);
        return path;
    }

    public async Task DisposeAsync()
    {
        foreach (var app in apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        Faces?.Dispose();
        Work.Dispose();
    }
}
