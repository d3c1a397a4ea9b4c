using System.Text.Json.Serialization;
using System.Text.Json;

namespace MarginFace.Runtime;

/// <summary>
/// Reads a settings record from a plain JSON file, strictly: property names match case-insensitively, comments and trailing
/// commas are allowed, and an unknown key, a value of the wrong type, or text that is not JSON is a one-line
/// <see cref="MarginFaceException"/> naming the file and the key.
/// </summary>
internal static class JsonConfig
{
    /// <summary>See <see cref="ReadLimits.MaxSettingsFileBytes"/>, where every reader's budget is named with its reason.</summary>
    public const long MaxFileBytes = ReadLimits.MaxSettingsFileBytes;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static T Read<T>(string path) where T : class
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new MarginFaceException($"{path}: file not found");
        if (info.Length > MaxFileBytes) throw new MarginFaceException($"{path}: {info.Length} bytes is too large for a settings file (at most {MaxFileBytes})");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
        return Parse<T>(text, path);
    }

    public static T Parse<T>(string text, string name) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Options) ?? throw new MarginFaceException($"{name}: empty configuration (null)");
        }
        catch (JsonException e)
        {
            var key = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : null;
            var line = e.LineNumber is long l ? $" (line {l + 1})" : "";
            if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
            {
                var unknown = e.Message.Split('\'') is { Length: >= 3 } parts ? parts[1] : key;
                throw new MarginFaceException($"{name}: unknown key '{unknown?.ReplaceLineEndings(" ")}'{line}; known: {string.Join(", ", KnownKeys<T>())}");
            }
            if (key is not null && e.Message.Contains("could not be converted", StringComparison.Ordinal))
                throw new MarginFaceException($"{name}: '{key.ReplaceLineEndings(" ")}' has a value of the wrong type{line}");
            throw new MarginFaceException($"{name}: not valid JSON{line}: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].ReplaceLineEndings(" ")}");
        }
        catch (MarginFaceException e)
        {
            // A value a converter refused (a crop, a P×K plan): its own one-line message, with the file.
            throw new MarginFaceException($"{name}: {e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Text that is not UTF-8 (a lone surrogate) or a string escape that is not text ("\ud800" alone).
            throw new MarginFaceException($"{name}: not valid JSON: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static IEnumerable<string> KnownKeys<T>() =>
        typeof(T).GetProperties().Where(p => p.CanWrite).Select(p => p.Name);
}
