using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MarginFace.Server.Problems;

/// <summary>
/// The last word on errors: an <see cref="ApiProblemException"/> is its problem document; a <see cref="MarginFaceException"/>
/// that a handler did not classify is 422 bad input with its one-line message; a body that is not the JSON an endpoint expects
/// is 400; anything else is logged with its trace and answered 500 without it. A request the client abandoned is left alone.
/// </summary>
internal sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (ApiProblemException e)
        {
            if (e.Kind.Status >= 500) logger.LogError("{Status} {Method} {Path}: {Detail}", e.Kind.Status, context.Request.Method, context.Request.Path, e.Message);
            await ProblemWriter.WriteAsync(context, e.Kind, e.Message);
        }
        catch (MarginFaceException e)
        {
            await ProblemWriter.WriteAsync(context, ProblemKind.BadImage, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            var kind = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ProblemKind.UploadTooLarge : ProblemKind.BadRequest;
            await ProblemWriter.WriteAsync(context, kind, e.Message.ReplaceLineEndings(" "));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "500 {Method} {Path}", context.Request.Method, context.Request.Path);
            await ProblemWriter.WriteAsync(context, ProblemKind.Internal, "an internal error; the server's log has the details");
        }
    }
}
