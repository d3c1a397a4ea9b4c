using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using MarginFace.Server.Problems;

namespace MarginFace.Server.Photos;

/// <summary>
/// The photos of a request: the raw body (<c>image/*</c> or <c>application/octet-stream</c>), or the files of a
/// <c>multipart/form-data</c> body (its other fields come back as <see cref="Fields"/>). The body is refused with 413 from its
/// Content-Length before it is read, and otherwise read only up to <see cref="ServerOptions.MaxUploadBytes"/> (a chunked body
/// that runs over is cut off there), so a client cannot make the server hold more than the limit.
/// </summary>
public sealed record PhotoUpload(IReadOnlyList<UploadedPhoto> Photos, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>Reads the request's photos (at least one, at most <paramref name="maxPhotos"/>).</summary>
    public static async Task<PhotoUpload> ReadAsync(HttpRequest request, ServerOptions options, int maxPhotos, CancellationToken cancel)
    {
        var limit = options.MaxUploadBytes;
        if (request.ContentLength > limit)
            throw new ApiProblemException(ProblemKind.UploadTooLarge, $"the request body is {request.ContentLength} bytes, more than the {limit} allowed");
        var type = request.ContentType is { } text && MediaTypeHeaderValue.TryParse(text, out var parsed) ? parsed : null;
        var multipart = type?.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true;
        var raw = type is not null && (type.MediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            || type.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase));
        if (!multipart && !raw)
            throw new ApiProblemException(ProblemKind.UnsupportedMedia,
                $"content type '{request.ContentType ?? "(none)"}': send the photo as the body (image/jpeg, image/png, application/octet-stream) or as files of multipart/form-data");
        var body = await ReadBoundedAsync(request.Body, limit, cancel);
        if (raw)
        {
            if (body.Length == 0) throw new ApiProblemException(ProblemKind.BadImage, "the request body is empty");
            return new PhotoUpload([new UploadedPhoto("body", body)], new Dictionary<string, string>());
        }
        var boundary = HeaderUtilities.RemoveQuotes(type!.Boundary).Value;
        if (string.IsNullOrEmpty(boundary)) throw new ApiProblemException(ProblemKind.BadRequest, "multipart/form-data without a boundary");
        var reader = new MultipartReader(boundary, new MemoryStream(body)) { BodyLengthLimit = limit };
        var photos = new List<UploadedPhoto>();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            while (await reader.ReadNextSectionAsync(cancel) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                    throw new ApiProblemException(ProblemKind.BadRequest, "a multipart section without a Content-Disposition");
                var name = disposition.Name.Value ?? "";
                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content, cancel);
                if (disposition.IsFileDisposition())
                {
                    if (photos.Count == maxPhotos) throw new ApiProblemException(ProblemKind.BadRequest, $"more than {maxPhotos} photos in one request");
                    var label = disposition.FileName.Value is { Length: > 0 } file ? file : name;
                    if (content.Length == 0) throw new ApiProblemException(ProblemKind.BadImage, $"{label}: empty file");
                    photos.Add(new UploadedPhoto(label, content.ToArray()));
                }
                else if (content.Length <= 4096) fields[name] = System.Text.Encoding.UTF8.GetString(content.ToArray());
                else throw new ApiProblemException(ProblemKind.BadRequest, $"form field '{name}' is longer than 4096 bytes");
            }
        }
        catch (IOException e)
        {
            throw new ApiProblemException(ProblemKind.BadRequest, $"malformed multipart body ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (photos.Count == 0) throw new ApiProblemException(ProblemKind.BadRequest, "the multipart body holds no file");
        return new PhotoUpload(photos, fields);
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream body, long limit, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            int read;
            try
            {
                read = await body.ReadAsync(chunk, cancel);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw new ApiProblemException(ProblemKind.UploadTooLarge, $"the request body is more than the {limit} bytes allowed");
            }
            if (read == 0) return buffer.ToArray();
            if (buffer.Length + read > limit)
                throw new ApiProblemException(ProblemKind.UploadTooLarge, $"the request body is more than the {limit} bytes allowed");
            buffer.Write(chunk, 0, read);
        }
    }
}
