using System.CommandLine;
using System.Text.Json;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface gallery list|remove|rename|import --gallery DB</c>: manage a <see cref="FaceGallery"/> without a face model.
/// <c>import</c> enrols precomputed embeddings from JSON lines <c>{"name", "embedding": [...], "sha256" or "image"}</c>
/// (<see cref="GalleryImportFile"/>): the whole file is checked first, then imported in one transaction, all or nothing.
/// </summary>
internal static class GalleryCommand
{
    public static Command Create()
    {
        var command = new Command("gallery", "List, rename, remove people of a face gallery, or import precomputed embeddings");
        command.Add(List());
        command.Add(Remove());
        command.Add(Rename());
        command.Add(Import());
        return command;
    }

    /// <summary>The required <c>--gallery DB</c> option.</summary>
    internal static Option<string> GalleryOption() => new("--gallery") { Description = "the gallery file (SQLite)", Required = true };

    private static Option<bool> JsonOption() => new("--json") { Description = "print JSON" };

    private static Command List()
    {
        var gallery = GalleryOption();
        var json = JsonOption();
        var command = new Command("list", "People in the gallery and their number of embeddings") { gallery, json };
        command.SetAction(parse =>
        {
            using var store = FaceGallery.Open(parse.GetValue(gallery)!);
            var people = store.List();
            if (parse.GetValue(json))
                System.Console.WriteLine(JsonSerializer.Serialize(people.Select(p => new { name = p.Name, embeddings = p.Embeddings })));
            else foreach (var person in people) System.Console.WriteLine($"{person.Name}\t{person.Embeddings}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var gallery = GalleryOption();
        var json = JsonOption();
        var name = new Argument<string>("name") { Description = "the person to remove" };
        var command = new Command("remove", "Remove a person and their embeddings") { name, gallery, json };
        command.SetAction(parse =>
        {
            using var store = FaceGallery.Open(parse.GetValue(gallery)!);
            var removed = store.Remove(parse.GetValue(name)!);
            System.Console.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { removed = FaceGallery.CheckName(parse.GetValue(name)!), embeddings = removed })
                : $"removed {FaceGallery.CheckName(parse.GetValue(name)!)} ({removed} embeddings)");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rename()
    {
        var gallery = GalleryOption();
        var json = JsonOption();
        var name = new Argument<string>("name") { Description = "the person's current name" };
        var newName = new Argument<string>("new-name") { Description = "the new name" };
        var command = new Command("rename", "Rename a person") { name, newName, gallery, json };
        command.SetAction(parse =>
        {
            using var store = FaceGallery.Open(parse.GetValue(gallery)!);
            string from = FaceGallery.CheckName(parse.GetValue(name)!), to = FaceGallery.CheckName(parse.GetValue(newName)!);
            store.Rename(from, to);
            System.Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(new { renamed = from, to }) : $"renamed {from} to {to}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Import()
    {
        var gallery = GalleryOption();
        var json = JsonOption();
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
