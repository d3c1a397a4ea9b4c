using System.Text.Json;
using System.Text.Json.Serialization;

namespace MarginFace.Galleries;

/// <summary>
/// The stamp written beside a persisted HNSW index (<c>INDEX.stamp</c>, JSON): what the index was built from (model id, dimension,
/// the store's highest id and change number, the number of vectors), how (connectivity, expansion, the stored scalar type), and the SHA-256 of the index
/// file and of its keys file. An index is used only when its stamp parses, names this gallery's model and dimension and both
/// digests match; otherwise it is rebuilt from the store.
/// </summary>
internal sealed record HnswStamp(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("dimension")] int Dimension,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("max_id")] long MaxId,
    [property: JsonPropertyName("generation")] long Generation,
    [property: JsonPropertyName("connectivity")] int Connectivity,
    [property: JsonPropertyName("expansion_add")] int ExpansionAdd,
    [property: JsonPropertyName("quantization")] string Quantization,
    [property: JsonPropertyName("index_sha256")] string IndexSha256,
    [property: JsonPropertyName("keys_sha256")] string KeysSha256)
{
    /// <summary>The stamp format this code writes and reads.</summary>
    public const int CurrentFormat = 2;

    /// <summary>See <see cref="Runtime.ReadLimits.MaxGalleryIndexStampBytes"/>.</summary>
    public const int MaxBytes = Runtime.ReadLimits.MaxGalleryIndexStampBytes;

    /// <summary>The stamp at <paramref name="path"/>, or null with <paramref name="problem"/> when it is missing, too large or not a stamp.</summary>
    public static HnswStamp? Read(string path, out string? problem)
    {
        problem = null;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) { problem = "no index stamp"; return null; }
            if (info.Length > MaxBytes) { problem = $"index stamp of {info.Length} bytes, more than {MaxBytes}"; return null; }
            var stamp = JsonSerializer.Deserialize<HnswStamp>(File.ReadAllBytes(path));
            if (stamp is null || stamp.Format != CurrentFormat || stamp.ModelId is null || stamp.Quantization is null || stamp.IndexSha256 is null || stamp.KeysSha256 is null)
            {
                problem = "index stamp of another format";
                return null;
            }
            return stamp;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = $"index stamp unreadable ({e.Message.ReplaceLineEndings(" ")})";
            return null;
        }
    }

    /// <summary>The stamp as JSON bytes.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, new JsonSerializerOptions { WriteIndented = true });
}
