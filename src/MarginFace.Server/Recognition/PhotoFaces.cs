using Microsoft.AspNetCore.Http;
using MarginFace.Imaging;
using MarginFace.Pipeline;
using MarginFace.Server.Photos;
using MarginFace.Server.Problems;

namespace MarginFace.Server.Recognition;

/// <summary>A decoded photo and the faces the detector found in it (at most <see cref="ServerOptions.MaxFaces"/>, else 422).</summary>
internal sealed record PhotoFaces(UploadedPhoto Photo, RgbImage Image, IReadOnlyList<DetectedFace> Faces)
{
    /// <summary>Reads the request's photos, then decodes and detects each, checking the request's time between steps.</summary>
    public static async Task<(IReadOnlyList<PhotoFaces> Photos, IReadOnlyDictionary<string, string> Fields)> ReadAsync(
        HttpContext context, ServerOptions options, FaceServices services, int minPhotos, int maxPhotos)
    {
        var cancel = context.RequestAborted;
        var upload = await PhotoUpload.ReadAsync(context.Request, options, maxPhotos, cancel);
        if (upload.Photos.Count < minPhotos)
            throw new ApiProblemException(ProblemKind.BadRequest, $"{upload.Photos.Count} photo{(upload.Photos.Count == 1 ? "" : "s")} sent, {minPhotos} needed");
        var pipeline = services.Pipeline;
        // The networks run for at most MaxConcurrentInference requests at once; the slot is held to the end of the response.
        context.Response.RegisterForDispose(await services.AcquireAsync(cancel));
        var result = new List<PhotoFaces>(upload.Photos.Count);
        foreach (var photo in upload.Photos)
        {
            cancel.ThrowIfCancellationRequested();
            var image = PhotoDecoder.Decode(photo, options);
            cancel.ThrowIfCancellationRequested();
            var faces = pipeline.Detect(image);
            if (faces.Count > options.MaxFaces)
                throw new ApiProblemException(ProblemKind.TooManyFaces, $"{photo.Name}: {faces.Count} faces, more than the {options.MaxFaces} allowed per photo");
            result.Add(new PhotoFaces(photo, image, faces));
        }
        cancel.ThrowIfCancellationRequested();
        return (result, upload.Fields);
    }

    /// <summary>The face the photo is about: the one at index <paramref name="chosen"/> when given, else the only one (422 for none or several).</summary>
    public DetectedFace Choose(int? chosen)
    {
        if (Faces.Count == 0) throw new ApiProblemException(ProblemKind.NoFace, $"{Photo.Name}: no face found");
        if (chosen is { } index)
            return index >= 0 && index < Faces.Count ? Faces[index]
                : throw new ApiProblemException(ProblemKind.BadRequest, $"{Photo.Name}: face {index} asked for, the photo has faces 0 to {Faces.Count - 1}");
        if (Faces.Count > 1)
            throw new ApiProblemException(ProblemKind.SeveralFaces, $"{Photo.Name}: {Faces.Count} faces; say which with the form field 'face' (0 to {Faces.Count - 1}, in /v1/detect's order)");
        return Faces[0];
    }

    /// <summary>The photo's subject for verification: the largest face over the centre (<see cref="FaceSelection.Subject"/>); 422 when there is none.</summary>
    public DetectedFace Subject() => FaceSelection.Subject(Faces, Image.Width, Image.Height)
        ?? throw new ApiProblemException(ProblemKind.NoFace, $"{Photo.Name}: no face found");
}
