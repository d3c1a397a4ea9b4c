using System.Text.Json;
using MarginFace.Evaluation;
using MarginFace.Runtime;

namespace MarginFace.Galleries;

/// <summary>
/// The file <c>gallery import</c> reads: JSON lines <c>{"name": N, "embedding": [...], "sha256": HEX}</c> (or <c>"image": PATH</c>
/// in place of <c>sha256</c>, hashed here); consecutive lines of one name are one enrolment. Every line is checked before
/// anything is enrolled, so that the import (one transaction, <see cref="FaceGallery.EnrolAll"/>) is refused whole rather than
/// stopped part way; a bad line is a one-line <see cref="MarginFaceException"/> naming the file and the line.
/// </summary>
public static class GalleryImportFile
{
    /// <summary>See <see cref="ReadLimits.MaxGalleryImportLineLength"/>, where every reader's budget is named with its reason.</summary>
    public const int MaxLineLength = ReadLimits.MaxGalleryImportLineLength;

    /// <summary>The enrolments of the file at <paramref name="path"/>, in file order.</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<GalleryEntry> Entries)> Read(string path)
    {
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: file not found");
        var groups = new List<(string Name, List<GalleryEntry> Entries)>();
        int number = 0, dimension = -1, dimensionLine = 0;
        using var text = new StreamReader(path);
        var reader = new BoundedLineReader(text, MaxLineLength, path);
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string name;
            GalleryEntry entry;
            try
            {
                (name, entry) = ParseLine(line);
            }
            catch (Exception e) when (e is JsonException or MarginFaceException)
            {
                throw new MarginFaceException($"{path}: line {number}: {e.Message.ReplaceLineEndings(" ")}");
            }
            if (dimension < 0) (dimension, dimensionLine) = (entry.Embedding.Length, number);
            else if (entry.Embedding.Length != dimension)
                throw new MarginFaceException($"{path}: line {number}: the embedding has {entry.Embedding.Length} values, line {dimensionLine}'s has {dimension}");
            if (groups.Count > 0 && groups[^1].Name == name) groups[^1].Entries.Add(entry);
            else groups.Add((name, [entry]));
        }
        return [.. groups.Select(g => (g.Name, (IReadOnlyList<GalleryEntry>)g.Entries))];
    }

    private static (string Name, GalleryEntry Entry) ParseLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new MarginFaceException($"expected a JSON object, got {Kind(root)}");
        var name = FaceGallery.CheckName(Text(root, "name") ?? throw new MarginFaceException("no \"name\""));
        if (!root.TryGetProperty("embedding", out var values)) throw new MarginFaceException("no \"embedding\"");
        if (values.ValueKind != JsonValueKind.Array) throw new MarginFaceException($"\"embedding\" must be an array of numbers, got {Kind(values)}");
        var length = values.GetArrayLength();
        if (length == 0) throw new MarginFaceException("\"embedding\" is empty");
        if (length > FaceGallery.MaxDimension) throw new MarginFaceException($"\"embedding\" has {length} values, more than {FaceGallery.MaxDimension}");
        var embedding = new float[length];
        int i = 0;
        foreach (var value in values.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out var number) || !float.IsFinite(number))
                throw new MarginFaceException($"\"embedding\" value {i} is not a finite number: {Shorten(value.GetRawText())}");
            embedding[i++] = number;
        }
        string sha;
        if (Text(root, "sha256") is { } given)
        {
            sha = given.ToLowerInvariant();
            if (sha.Length != 64 || !sha.All(Uri.IsHexDigit)) throw new MarginFaceException($"\"sha256\" is not 64 hex digits: '{Shorten(given)}'");
        }
        else if (Text(root, "image") is { } image)
        {
            if (image.Length == 0) throw new MarginFaceException("\"image\" is empty");
            try
            {
                sha = GalleryEntry.HashFile(image);
            }
            catch (ArgumentException e)
            {
                throw new MarginFaceException($"\"image\" is not a usable path ({e.Message})");
            }
        }
        else throw new MarginFaceException("needs \"sha256\" (hex) or \"image\" (a path)");
        return (name, new GalleryEntry(sha, embedding));
    }

    /// <summary>The string value of <paramref name="property"/>, null when absent; a null or a value of another type is an error.</summary>
    private static string? Text(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out var value)) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new MarginFaceException($"\"{property}\" must be a string, got {Kind(value)}");
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
