using System.CommandLine;
using System.Text.Json;
using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface gallery list|remove|rename|import --gallery DB</c>: manage a <see cref="FaceGallery"/> without a face model.
/// <c>import</c> enrols precomputed embeddings from JSON lines <c>{"name", "embedding": [...], "sha256" or "image"}</c>;
/// consecutive lines of one name are one enrolment (one transaction).
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
        var command = new Command("import", "Enrol precomputed embeddings (one transaction per run of lines with the same name)") { file, gallery, modelId, json, progress };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var enrolments = ReadImport(path);
            using var store = FaceGallery.Open(parse.GetValue(gallery)!, create: true);
            foreach (var (name, entries) in enrolments)
            {
                if (parse.GetValue(progress))
                {
                    System.Console.Error.WriteLine($"enrolling {name} ({entries.Count} embeddings)");
                    System.Console.Error.Flush();
                }
                var result = store.Enrol(name, entries, parse.GetValue(modelId)!);
                System.Console.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(new { name = result.Name, added = result.Added, duplicates = result.Duplicates })
                    : $"enrolled {result.Name}: {result.Added} added, {result.Duplicates} already there");
                System.Console.Out.Flush();
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Groups of consecutive lines with one name; every line is checked before anything is enrolled.</summary>
    private static List<(string Name, List<GalleryEntry> Entries)> ReadImport(string path)
    {
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: file not found");
        var groups = new List<(string Name, List<GalleryEntry> Entries)>();
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string name;
            GalleryEntry entry;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                name = FaceGallery.CheckName(root.GetProperty("name").GetString() ?? "");
                var embedding = root.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                var sha = root.TryGetProperty("sha256", out var given) ? given.GetString()!.ToLowerInvariant()
                    : GalleryEntry.HashFile(root.GetProperty("image").GetString()!);
                if (sha.Length != 64 || !sha.All(Uri.IsHexDigit)) throw new MarginFaceException("sha256 is not 64 hex digits");
                entry = new GalleryEntry(sha, embedding);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or MarginFaceException)
            {
                throw new MarginFaceException($"{path}: line {number}: {e.Message.ReplaceLineEndings(" ")}");
            }
            if (groups.Count > 0 && groups[^1].Name == name) groups[^1].Entries.Add(entry);
            else groups.Add((name, [entry]));
        }
        return groups;
    }
}
