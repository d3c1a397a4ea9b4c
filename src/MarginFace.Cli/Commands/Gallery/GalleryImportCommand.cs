using System.CommandLine;
using System.Text.Json;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary><c>marginface gallery import FILE --gallery DB --model-id ID</c>: precomputed embeddings from JSON lines <c>{"name", "embedding": [...], "sha256" or "image"}</c> (<see cref="GalleryImportFile"/>); the whole file is checked first, then imported in one transaction, all or nothing.</summary>
internal static class GalleryImportCommand
{
    public static Command Create()
    {
        var gallery = GalleryOptions.Gallery();
        var json = GalleryOptions.Json();
        var modelId = new Option<string>("--model-id") { Description = "id of the model that computed the embeddings", Required = true };
        var file = new Argument<string>("file") { Description = "JSON lines: {\"name\": N, \"embedding\": [...], \"sha256\": HEX or \"image\": PATH}" };
        var progress = new Option<bool>("--progress") { Description = "print 'enrolling NAME (N embeddings)' on stderr before each enrolment" };
        var command = new Command("import", "Enrol precomputed embeddings (the whole file is checked first, then imported in one transaction)") { file, gallery, modelId, json, progress };
        command.SetAction(parse =>
        {
            var enrolments = GalleryImportFile.Read(parse.GetValue(file)!);
            if (enrolments.Count == 0) return ExitCodes.Success;
            using var store = FaceGallery.Open(parse.GetValue(gallery)!, create: true);
            var results = store.EnrolAll(enrolments, parse.GetValue(modelId)!, (name, count) =>
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
}
