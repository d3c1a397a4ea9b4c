using System.CommandLine;
using System.Text.Json;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary>
/// <c>marginface gallery import FILE --gallery DB --model-id ID</c>: precomputed embeddings from JSON lines <c>{"name", "embedding": [...], "sha256" or "image"}</c> (<see cref="GalleryImportFile"/>); the whole file is checked first, then imported in one transaction, all or nothing.
/// <c>marginface gallery import --from GALLERY --gallery DB</c>: every embedding of another gallery (SQLite or PostgreSQL, either way), streamed a batch of people per transaction,
/// resumable (what is already there is skipped by name and image SHA-256), with a count check at the end (<see cref="GalleryCopy"/>).
/// </summary>
internal static class GalleryImportCommand
{
    public static Command Create()
    {
        var gallery = GalleryOptions.Gallery();
        var json = GalleryOptions.Json();
        var modelId = new Option<string?>("--model-id") { Description = "id of the model that computed the embeddings (required with FILE; with --from it must match the source's if given)" };
        var file = new Argument<string?>("file") { Description = "JSON lines: {\"name\": N, \"embedding\": [...], \"sha256\": HEX or \"image\": PATH}", Arity = ArgumentArity.ZeroOrOne };
        var from = new Option<string?>("--from") { Description = "copy from this gallery instead of a file: " + GalleryOptions.GalleryDescription };
        var batch = new Option<int>("--batch") { Description = "with --from: embeddings per transaction (whole people)", DefaultValueFactory = _ => 1000 };
        var progress = new Option<bool>("--progress") { Description = "print 'enrolling NAME (N embeddings)' (with --from: running totals) on stderr" };
        var command = new Command("import", "Enrol precomputed embeddings from a JSON-lines file (checked first, one transaction) or copy another gallery (--from, resumable)")
            { file, gallery, modelId, from, batch, json, progress };
        command.SetAction(parse =>
        {
            if (parse.GetValue(from) is { } source) return Copy(parse, source, parse.GetValue(gallery)!, parse.GetValue(modelId), parse.GetValue(batch), parse.GetValue(json), parse.GetValue(progress));
            if (parse.GetValue(file) is not { } path) throw new MarginFaceException("gallery import: give a FILE of JSON lines, or --from GALLERY");
            if (parse.GetValue(modelId) is not { } id) throw new MarginFaceException("gallery import: --model-id is required with a FILE");
            var enrolments = GalleryImportFile.Read(path);
            if (enrolments.Count == 0) return ExitCodes.Success;
            using var store = FaceGalleries.Open(parse.GetValue(gallery)!, create: true);
            var results = store.EnrolAll(enrolments, id, (name, count) =>
            {
                if (!parse.GetValue(progress)) return;
                System.Console.Error.WriteLine($"enrolling {name} ({count} embeddings)");
                System.Console.Error.Flush();
            });
            // Printed after the commit: every line reports an enrolment that is in the gallery.
            foreach (var result in results)
                System.Console.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(new { name = result.Name, added = result.Added, duplicates = result.Duplicates })
                    : $"enrolled {result.Name}: {result.Added} added, {result.Duplicates} already there");
            return ExitCodes.Success;
        });
        return command;
    }

    private static int Copy(ParseResult parse, string sourceSpec, string targetSpec, string? modelId, int batch, bool json, bool progress)
    {
        if (batch < 1) throw new MarginFaceException($"--batch must be at least 1, got {batch}");
        if (parse.GetValue<string?>("file") is not null) throw new MarginFaceException("gallery import: give a FILE or --from, not both");
        using var source = FaceGalleries.Open(sourceSpec);
        if (modelId is not null && source.ModelId is { } sourceModel && sourceModel != modelId)
            throw new MarginFaceException($"--model-id {modelId}: {source.Path} holds embeddings of model '{sourceModel}'");
        using var target = FaceGalleries.Open(targetSpec, create: true);
        var result = GalleryCopy.Copy(source, target, batch, totals =>
        {
            if (!progress) return;
            System.Console.Error.WriteLine($"copied {totals.Embeddings} embeddings of {totals.People} people ({totals.Added} added, {totals.Duplicates} already there)");
        });
        System.Console.WriteLine(json
            ? JsonSerializer.Serialize(new { embeddings = result.Embeddings, people = result.People, added = result.Added, duplicates = result.Duplicates })
            : $"copied {result.Embeddings} embeddings of {result.People} people from {source.Path}: {result.Added} added, {result.Duplicates} already there; count check passed");
        return ExitCodes.Success;
    }
}
