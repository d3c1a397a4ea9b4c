using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MarginFace.Galleries;
using MarginFace.Server;
using MarginFace.Server.Hosting;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface serve --gallery DB|postgres://… [--port 8080 | --urls URLS] [--galleries DIR] [--keys FILE] [limits]</c>: the face-recognition
/// HTTP service (docs/serve.md). Prints <c>listening on URL</c> for each address once it listens; SIGTERM or Ctrl-C stop it
/// gracefully (no new connections, in-flight requests finish) and it exits 0.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var gallery = new Option<string>("--gallery") { Description = "the default gallery: a SQLite file (made when missing) or a PostgreSQL database (postgres://USER:PASS@HOST:PORT/DB, or Host=...)", Required = true };
        var port = new Option<int?>("--port") { Description = "listen on http://127.0.0.1:PORT (0: any free port; default 8080); --urls for other addresses" };
        var urls = new Option<string?>("--urls") { Description = "addresses to listen on, ';'-separated, as ASP.NET Core's --urls (e.g. http://0.0.0.0:8080)" };
        var galleries = new Option<string?>("--galleries") { Description = "a folder the server owns for named galleries (SQLite files NAME.db, whichever store --gallery is), made when missing; without it only 'default'" };
        var keys = new Option<string?>("--keys") { Description = "the API keys file (default: GALLERY.keys.json, as 'marginface keys' writes; required with a PostgreSQL --gallery)" };
        var model = new Option<string>("--model") { Description = "face model file, ONNX model or 'pretrained'", DefaultValueFactory = _ => "pretrained" };
        var detector = new Option<string?>("--detector") { Description = "YuNet ONNX file to detect faces with (default: face-api's SSD MobileNet V1)" };
        var threads = new Option<int>("--onnx-threads") { Description = "ONNX Runtime threads per network (0: its default)" };
        var maxUpload = new Option<long>("--max-upload-bytes") { Description = "largest request body", DefaultValueFactory = _ => 10L << 20 };
        var maxMegapixels = new Option<double>("--max-megapixels") { Description = "largest photo, read from its header before decoding", DefaultValueFactory = _ => 40 };
        var maxFaces = new Option<int>("--max-faces") { Description = "most faces per photo", DefaultValueFactory = _ => 20 };
        var rate = new Option<int>("--rate") { Description = "requests per second per API key", DefaultValueFactory = _ => 20 };
        var timeout = new Option<double>("--timeout") { Description = "seconds a request may take", DefaultValueFactory = _ => 30 };
        var ef = Gallery.GalleryOptions.SearchExpansion();
        var command = new Command("serve", "Run the face-recognition HTTP service (API under /v1, web page at /)")
        {
            gallery, port, urls, galleries, keys, model, detector, threads, maxUpload, maxMegapixels, maxFaces, rate, timeout, ef,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(port) is not null && parse.GetValue(urls) is not null) throw new MarginFaceException("give --port or --urls, not both");
            if (parse.GetValue(port) is < 0 or > 65535) throw new MarginFaceException($"--port {parse.GetValue(port)} is not a port number (0 to 65535)");
            if (!(parse.GetValue(timeout) > 0)) throw new MarginFaceException($"--timeout {parse.GetValue(timeout)} must be a positive number of seconds");
            var options = new ServerOptions
            {
                GalleryPath = parse.GetValue(gallery) is var spec && FaceGalleries.IsPostgres(spec!) ? spec! : Path.GetFullPath(spec!),
                GalleriesDirectory = parse.GetValue(galleries) is { } dir ? Path.GetFullPath(dir) : null,
                KeysPath = parse.GetValue(keys) is { } k ? Path.GetFullPath(k) : null,
                Model = parse.GetValue(model)!,
                DetectorPath = parse.GetValue(detector),
                OnnxThreads = parse.GetValue(threads),
                MaxUploadBytes = parse.GetValue(maxUpload),
                MaxMegapixels = parse.GetValue(maxMegapixels),
                MaxFaces = parse.GetValue(maxFaces),
                RequestsPerSecond = parse.GetValue(rate),
                RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                SearchExpansion = Gallery.GalleryOptions.CheckSearchExpansion(parse.GetValue(ef)),
            };
            if (options.DetectorPath is { } d && !File.Exists(d)) throw new MarginFaceException($"--detector {d}: file not found");
            var builder = FaceServer.CreateBuilder(options);
            builder.WebHost.UseUrls(parse.GetValue(urls) is { } given
                ? given.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{parse.GetValue(port) ?? 8080}")]);
            using var app = FaceServer.Build(builder);
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
                    System.Console.WriteLine($"listening on {address}");
            });
            app.Lifetime.ApplicationStopping.Register(() => System.Console.Error.WriteLine("stopping: finishing the requests in flight"));
            var faces = app.Services.GetRequiredService<MarginFace.Server.Recognition.FaceServices>();
            try
            {
                app.Run();
            }
            catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
            {
                throw new MarginFaceException($"cannot listen: {e.Message.ReplaceLineEndings(" ")}");
            }
            if (faces.LoadError is { } error) throw new MarginFaceException($"the models failed to load: {error.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Success;
        });
        return command;
    }
}
