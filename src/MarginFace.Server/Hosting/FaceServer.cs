using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using MarginFace.Server.Galleries;
using MarginFace.Server.Health;
using MarginFace.Server.Problems;
using MarginFace.Server.Recognition;
using MarginFace.Server.Security;
using MarginFace.Server.Web;

namespace MarginFace.Server.Hosting;

/// <summary>
/// Builds the service: the endpoints under <c>/v1</c>, health, metrics (<c>/metrics</c>, Prometheus text), the OpenAPI
/// document (<see cref="OpenApiPath"/>) and the web page, with the pipeline problem handling → routing → API keys → rate limit
/// per key → request timeout → endpoint.
/// </summary>
public static class FaceServer
{
    /// <summary>Where the OpenAPI document is served.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>
    /// A builder for the service over <paramref name="options"/>; <paramref name="services"/> lets several servers share loaded
    /// models (tests), else the server loads its own. Add to it (a test server, URLs) before <see cref="Build"/>.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(ServerOptions options, FaceServices? services = null)
    {
        options.Validate();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(options);
        if (services is null) builder.Services.AddSingleton(_ => new FaceServices(options));
        else builder.Services.AddSingleton(services);
        builder.Services.AddSingleton(_ => new GalleryStore(options));
        builder.Services.AddSingleton(_ => new ApiKeyStore(options.ResolvedKeysPath));
        builder.Services.AddOpenApi("v1", ApiKeyOpenApi.Configure);
        // A body that does not bind (bad JSON) becomes a BadHttpRequestException, answered as a 400 problem by ProblemMiddleware.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Kestrel refuses a larger body itself (the handler's bounded read covers chunked bodies and the test server).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxUploadBytes);
        builder.Services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            TimeoutStatusCode = ProblemKind.Timeout.Status,
            WriteTimeoutResponse = context => ProblemWriter.WriteAsync(context, ProblemKind.Timeout,
                $"the request took longer than the {options.RequestTimeout.TotalSeconds:0.###} s allowed"),
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Items[ApiKeyMiddleware.ItemKey] is ApiKeyRecord key
                    ? RateLimitPartition.GetTokenBucketLimiter(key.Id, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.RequestsPerSecond,
                        TokensPerPeriod = options.RequestsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return new ValueTask(ProblemWriter.WriteAsync(context.HttpContext, ProblemKind.RateLimited,
                    $"more than {options.RequestsPerSecond} requests per second for this API key"));
            };
        });
        return builder;
    }

    /// <summary>The service, its endpoints mapped; the models start loading when it starts.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseMiddleware<ProblemMiddleware>();
        // What routing answers by itself (no such path, a method or content type the endpoint does not take) gets a problem document too.
        app.UseStatusCodePages(context => ProblemWriter.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode switch
        {
            404 => ProblemKind.NotFound,
            405 => ProblemKind.MethodNotAllowed,
            415 => ProblemKind.UnsupportedMedia,
            _ => ProblemKind.BadRequest,
        }, context.HttpContext.Response.StatusCode switch
        {
            404 => $"no endpoint at {context.HttpContext.Request.Path}",
            405 => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}",
            415 => $"content type '{context.HttpContext.Request.ContentType ?? "(none)"}': send the photo as the body (image/jpeg, image/png, application/octet-stream) or as files of multipart/form-data",
            _ => "bad request",
        }));
        app.UseRouting();
        app.UseHttpMetrics();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseRateLimiter();
        app.UseRequestTimeouts();

        HealthEndpoints.Map(app);
        var v1 = app.MapGroup("/v1");
        RecognitionEndpoints.Map(v1);
        GalleryEndpoints.Map(v1);
        app.MapMetrics("/metrics").WithMetadata(new RequiredScope(ApiKeyScope.Recognise | ApiKeyScope.Manage));
        app.MapOpenApi(OpenApiPath);
        WebPage.Map(app);

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MarginFace.Server");
        app.Services.GetRequiredService<GalleryStore>();
        lifetime.ApplicationStarted.Register(() =>
        {
            var faces = app.Services.GetRequiredService<FaceServices>();
            faces.StartLoading().ContinueWith(task =>
            {
                if (task.IsCompletedSuccessfully) logger.LogInformation("models loaded: ready");
                else
                {
                    logger.LogError("the models failed to load: {Reason}", task.Exception?.GetBaseException().Message);
                    lifetime.StopApplication();
                }
            }, TaskScheduler.Default);
        });
        return app;
    }
}
