using System.Text.Json;
using System.Text;
using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// Embeddings as JSON Lines, one image per line: <c>{"image": "lfw/Name/Name_0001.jpg", "embedding": [0.0123, -0.0456, …]}</c>.
/// Every embedding has the same length (at most <see cref="MaxDimension"/>), every value is a finite float, every image appears once;
/// other properties are ignored and blank lines skipped; a line longer than <see cref="MaxLineLength"/> is refused before it is held in memory. A violation is a one-line <see cref="MarginFaceException"/> "path:line: problem".
/// </summary>
internal static class EmbeddingsFile
{
    /// <summary>See <see cref="ReadLimits.MaxEmbeddingsFileDimension"/>, where every reader's budget is named with its reason.</summary>
    public const int MaxDimension = ReadLimits.MaxEmbeddingsFileDimension;

    /// <summary>See <see cref="ReadLimits.MaxEmbeddingsLineLength"/>, where every reader's budget is named with its reason.</summary>
    public const int MaxLineLength = ReadLimits.MaxEmbeddingsLineLength;

    /// <summary>Reads and checks an embeddings file.</summary>
    public static IReadOnlyList<ImageEmbedding> Read(string path)
    {
        if (!File.Exists(path)) throw new MarginFaceException($"{path}: embeddings file not found");
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>Parses an embeddings file from <paramref name="reader"/>; <paramref name="source"/> names it in messages.</summary>
    public static IReadOnlyList<ImageEmbedding> Parse(TextReader reader, string source)
    {
        var lines = new BoundedLineReader(reader, MaxLineLength, source);
        var records = new List<ImageEmbedding>();
        var lineOfImage = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0, dimension = -1;
        string? line;
        while ((line = lines.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var record = ParseLine(line, source, lineNumber);
            if (dimension < 0) dimension = record.Embedding.Length;
            else if (record.Embedding.Length != dimension)
                throw Error(source, lineNumber, $"embedding of {record.Embedding.Length} values, the lines before have {dimension}");
            if (!lineOfImage.TryAdd(record.Image, lineNumber))
                throw Error(source, lineNumber, $"image {record.Image} already has an embedding on line {lineOfImage[record.Image]}");
            records.Add(record);
        }
        if (records.Count == 0) throw new MarginFaceException($"{source}: no embeddings");
        return records;
    }

    /// <summary>Writes <paramref name="embeddings"/> atomically, each float in its shortest round-trip form, after the checks <see cref="Read"/> makes.</summary>
    public static void Write(string path, IEnumerable<ImageEmbedding> embeddings)
    {
        var list = embeddings.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
        {
            var (image, embedding) = list[i];
            if (string.IsNullOrEmpty(image)) throw new ArgumentException($"embedding {i} has no image path", nameof(embeddings));
            if (embedding.Length == 0 || embedding.Length > MaxDimension || embedding.Length != list[0].Embedding.Length)
                throw new ArgumentException($"embedding of {image} has {embedding.Length} values, the first has {list[0].Embedding.Length}", nameof(embeddings));
            if (!embedding.All(float.IsFinite)) throw new ArgumentException($"embedding of {image} has a value that is not finite", nameof(embeddings));
            if (!seen.Add(image)) throw new ArgumentException($"image {image} appears twice", nameof(embeddings));
        }
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            var newline = Encoding.UTF8.GetBytes("\n");
            foreach (var (image, embedding) in list)
            {
                using (var json = new Utf8JsonWriter(stream))
                {
                    json.WriteStartObject();
                    json.WriteString("image", image);
                    json.WriteStartArray("embedding");
                    foreach (var value in embedding) json.WriteNumberValue(value);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                stream.Write(newline);
            }
        });
    }

    private static ImageEmbedding ParseLine(string line, string source, int lineNumber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            // ArgumentException: text that cannot be UTF-8 (a lone surrogate), which only a caller's reader can hand over.
            throw Error(source, lineNumber, $"not a JSON object: {e.Message.ReplaceLineEndings(" ")}");
        }
        using var owned = document;
        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Error(source, lineNumber, "expected a JSON object {\"image\": ..., \"embedding\": [...]}");
            if (!root.TryGetProperty("image", out var image) || image.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(image.GetString()))
                throw Error(source, lineNumber, "expected \"image\": a non-empty string");
            if (!root.TryGetProperty("embedding", out var embedding) || embedding.ValueKind != JsonValueKind.Array)
                throw Error(source, lineNumber, "expected \"embedding\": an array of numbers");
            int length = embedding.GetArrayLength();
            if (length == 0 || length > MaxDimension)
                throw Error(source, lineNumber, $"embedding of {length} values (expected 1 to {MaxDimension})");
            var values = new float[length];
            int i = 0;
            foreach (var element in embedding.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value) || !float.IsFinite((float)value))
                    throw Error(source, lineNumber, $"embedding value {i} ({Shorten(element.GetRawText())}) is not a finite float");
                values[i++] = (float)value;
            }
            return new ImageEmbedding(image.GetString()!, values);
        }
        catch (InvalidOperationException e)
        {
            // A string escape that is not text, such as "\ud800" alone.
            throw Error(source, lineNumber, $"not valid text: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static string Shorten(string text) => (text.Length <= 40 ? text : text[..40] + "...").ReplaceLineEndings(" ");

    private static MarginFaceException Error(string source, int line, string problem) => new($"{source}:{line}: {problem.ReplaceLineEndings(" ")}");
}
