using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Server.Problems;
using MarginFace.Server.Recognition;
using MarginFace.Server.Security;

namespace MarginFace.Server.Galleries;

/// <summary>
/// Galleries (create, list, delete), their people (enrol from photos, list, rename, remove, images by hash): scope manage;
/// identify (every face of a photo with its candidates): scope recognise.
/// </summary>
internal static class GalleryEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var manage = v1.MapGroup("/galleries").WithMetadata(new RequiredScope(ApiKeyScope.Manage)).WithTags("galleries");

        manage.MapGet("", (GalleryStore store) => Results.Ok(store.List().Select(g => new GalleryJson(g.Name, g.People, g.ModelId)).ToList()))
            .WithName("listGalleries").WithSummary("The galleries: 'default' and those made with POST /v1/galleries").Produces<List<GalleryJson>>();

        manage.MapPost("", (CreateGalleryRequest request, GalleryStore store) =>
        {
            store.Create(request.Name ?? "");
            return Results.Created($"/v1/galleries/{request.Name}", new GalleryJson(request.Name!, 0, null));
        }).WithName("createGallery").WithSummary("Makes an empty gallery in the server's galleries folder")
          .Produces<GalleryJson>(201).ProducesProblem(400).ProducesProblem(409);

        manage.MapDelete("/{gallery}", (string gallery, GalleryStore store) =>
        {
            store.Delete(gallery);
            return Results.NoContent();
        }).WithName("deleteGallery").WithSummary("Deletes a gallery made with POST /v1/galleries").Produces(204).ProducesProblem(404).ProducesProblem(409);

        manage.MapGet("/{gallery}/people", (string gallery, GalleryStore store) =>
            Results.Ok(store.People(gallery).Select(p => new PersonJson(p.Name, p.Embeddings)).ToList()))
            .WithName("listPeople").WithSummary("Everyone in a gallery with their number of embeddings").Produces<List<PersonJson>>().ProducesProblem(404);

        manage.MapPost("/{gallery}/people/{name}", async (string gallery, string name, HttpContext context, ServerOptions options, FaceServices services, GalleryStore store) =>
        {
            GalleryStore.CheckGalleryName(gallery);
            var (photos, fields) = await PhotoFaces.ReadAsync(context, options, services, 1, options.MaxPhotos);
            int? chosen = null;
            if (fields.TryGetValue("face", out var faceText))
                chosen = int.TryParse(faceText, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index
                    : throw new ApiProblemException(ProblemKind.BadRequest, $"form field 'face' is '{faceText}', not a face number");
            var faces = photos.Select(p => (p, Face: p.Choose(chosen))).ToList();
            var entries = faces.Select(f => new GalleryEntry(f.p.Photo.Sha256, services.Pipeline.EmbedFaces(f.p.Image, [f.Face])[0].Embedding)).ToList();
            context.RequestAborted.ThrowIfCancellationRequested();
            // Committed (WAL, full sync) before the 201 goes out.
            var result = store.Enrol(gallery, name, entries, services.Embedder, FaceModelReference.Of(options.Model, OnnxModelConvention.Metadata));
            return Results.Created($"/v1/galleries/{gallery}/people/{Uri.EscapeDataString(result.Name)}",
                new EnrolResponse(gallery, result.Name, result.NewPerson, result.Added, result.Duplicates, [.. entries.Select(e => e.ImageSha256)]));
        }).WithName("enrol").WithSummary("Enrols a person from photos (files of a multipart body, or one photo as the body); form field 'face' picks a face of a group photo")
          .Accepts<byte[]>(RecognitionEndpoints.PhotoTypes[0], RecognitionEndpoints.PhotoTypes[1..])
          .Produces<EnrolResponse>(201).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(422);

        manage.MapPatch("/{gallery}/people/{name}", (string gallery, string name, RenameRequest request, GalleryStore store) =>
        {
            store.Rename(gallery, name, request.Name ?? "");
            return Results.Ok(new PersonJson(FaceGallery.CheckName(request.Name!), store.Images(gallery, request.Name!).Count));
        }).WithName("renamePerson").WithSummary("Renames a person").Produces<PersonJson>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        manage.MapDelete("/{gallery}/people/{name}", (string gallery, string name, GalleryStore store) =>
            Results.Ok(new RemoveResponse(name, store.Remove(gallery, name))))
            .WithName("removePerson").WithSummary("Removes a person and their embeddings").Produces<RemoveResponse>().ProducesProblem(404);

        manage.MapGet("/{gallery}/people/{name}/images", (string gallery, string name, GalleryStore store) =>
            Results.Ok(new ImagesResponse(name, store.Images(gallery, name))))
            .WithName("personImages").WithSummary("The SHA-256 of every image enrolled for a person").Produces<ImagesResponse>().ProducesProblem(404);

        v1.MapPost("/galleries/{gallery}/identify", async (string gallery, HttpContext context, ServerOptions options, FaceServices services, GalleryStore store, int? top, float? threshold) =>
        {
            GalleryStore.CheckGalleryName(gallery);
            if (top is < 1 or > 100) throw new ApiProblemException(ProblemKind.BadRequest, $"top {top} must be from 1 to 100");
            if (threshold is < -1 or > 1 || threshold is { } t && float.IsNaN(t))
                throw new ApiProblemException(ProblemKind.BadRequest, $"threshold {threshold} must be from -1 to 1");
            var (photos, _) = await PhotoFaces.ReadAsync(context, options, services, 1, 1);
            var p = photos[0];
            var embedded = services.Pipeline.EmbedFaces(p.Image, p.Faces);
            var cut = threshold ?? (float)(services.Embedder.Info.VerificationThreshold ?? -1);
            var matches = store.Search(gallery, [.. embedded.Select(e => e.Embedding)], services.Embedder.ModelId, top ?? 5, cut);
            return Results.Ok(new IdentifyResponse(gallery, cut, [.. embedded.Select((e, i) =>
                new IdentifiedFaceJson(Box.Of(e.Face), MathF.Round(e.Face.Score, 4), [.. matches[i].Select(CandidateJson.Of)]))]));
        }).WithMetadata(new RequiredScope(ApiKeyScope.Recognise)).WithTags("recognise")
          .WithName("identify").WithSummary("Every face of a photo with the gallery's people at or above the threshold (default: the model's verification threshold), best first")
          .Accepts<byte[]>(RecognitionEndpoints.PhotoTypes[0], RecognitionEndpoints.PhotoTypes[1..])
          .Produces<IdentifyResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(413).ProducesProblem(422);
    }
}
