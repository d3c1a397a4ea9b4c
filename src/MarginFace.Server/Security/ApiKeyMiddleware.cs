using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MarginFace.Server.Problems;

namespace MarginFace.Server.Security;

/// <summary>
/// Checks the key of every endpoint that carries <see cref="RequiredScope"/>: <c>Authorization: Bearer KEY</c> or
/// <c>X-Api-Key: KEY</c>. No key or an unknown one is 401, a key without the scope 403; both are logged with the method, path
/// and (for 403) the key's id, never the key. The key's record is left in <see cref="HttpContext.Items"/> for the rate limiter.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyStore store, ILogger<ApiKeyMiddleware> logger)
{
    public const string ItemKey = "marginface.apikey";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>() is not { } required)
        {
            await next(context);
            return;
        }
        var key = KeyOf(context.Request);
        var record = key is null ? null : store.Find(key);
        if (record is null)
        {
            logger.LogWarning("401 {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, key is null ? "no API key" : "unknown API key");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemWriter.WriteAsync(context, ProblemKind.Unauthorized,
                key is null ? "send an API key as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'" : "the API key is not known to this server (revoked, or never made)");
            return;
        }
        if ((record.Scopes & required.Scope) == 0)
        {
            logger.LogWarning("403 {Method} {Path}: key {KeyId} ({KeyName}) lacks scope {Scope}", context.Request.Method, context.Request.Path, record.Id, record.Name, required.Scope);
            await ProblemWriter.WriteAsync(context, ProblemKind.Forbidden, $"key {record.Id} lacks the scope '{required.Scope.ToString().ToLowerInvariant()}'");
            return;
        }
        context.Items[ItemKey] = record;
        await next(context);
    }

    private static string? KeyOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return authorization[7..].Trim() is { Length: > 0 } k ? k : null;
        return request.Headers["X-Api-Key"].ToString() is { Length: > 0 } given ? given.Trim() : null;
    }
}
