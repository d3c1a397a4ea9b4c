using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MarginFace.Runtime;

namespace MarginFace.Server.Security;

/// <summary>
/// The API keys, in a JSON file beside the gallery (<c>GALLERY.keys.json</c>; <see cref="ServerOptions.DefaultKeysPath"/>):
/// one record per key with the SHA-256 of its secret, never the secret. A key is <c>mf_ID_SECRET</c>: the id (8 hex digits) is
/// what logs and <c>keys list</c> show, the secret (32 random bytes, base64url) is shown once by <c>keys create</c>. A file
/// of its own rather than a table in the gallery: keys belong to the server, which serves several galleries (and, later,
/// galleries that are not SQLite files). Written atomically (<see cref="AtomicFile"/>); the server reads it again when it
/// changes, so <c>keys revoke</c> takes effect without a restart.
/// </summary>
public sealed class ApiKeyStore
{
    /// <summary>Largest keys file read (one key is ~200 bytes).</summary>
    public const long MaxFileBytes = 4L << 20;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private readonly object gate = new();
    private IReadOnlyList<ApiKeyRecord> keys = [];
    private DateTime loadedStamp = DateTime.MinValue;
    private long loadedLength = -1;
    private DateTime lastCheck = DateTime.MinValue;

    public ApiKeyStore(string path) => Path = path;

    /// <summary>The keys file.</summary>
    public string Path { get; }

    /// <summary>Every key, oldest first (empty when the file does not exist).</summary>
    public IReadOnlyList<ApiKeyRecord> List() => Read();

    /// <summary>Makes a key with <paramref name="scopes"/>; returns its record and the key text, which is not kept anywhere.</summary>
    public (ApiKeyRecord Record, string Key) Create(string name, ApiKeyScope scopes)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
            throw new MarginFaceException($"key name '{name}' must be 1 to 100 characters without control characters");
        if (scopes == ApiKeyScope.None) throw new MarginFaceException("a key needs at least one scope (recognise, manage)");
        lock (gate)
        {
            var existing = Read();
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
            var key = $"mf_{id}_{secret}";
            var record = new ApiKeyRecord(id, name.Trim(), scopes, DateTimeOffset.UtcNow, Hash(key));
            Write([.. existing, record]);
            return (record, key);
        }
    }

    /// <summary>Removes the key with <paramref name="id"/>; false when there is none.</summary>
    public bool Revoke(string id)
    {
        lock (gate)
        {
            var existing = Read();
            var kept = existing.Where(k => k.Id != id).ToList();
            if (kept.Count == existing.Count) return false;
            Write(kept);
            return true;
        }
    }

    /// <summary>
    /// The record of <paramref name="key"/>, or null when it is not a key of this store. The hashes are compared in constant
    /// time; the file is looked at again at most once a second.
    /// </summary>
    public ApiKeyRecord? Find(string key)
    {
        var hash = Encoding.ASCII.GetBytes(Hash(key));
        foreach (var record in Current())
            if (CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(record.Sha256))) return record;
        return null;
    }

    /// <summary>The lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private IReadOnlyList<ApiKeyRecord> Current()
    {
        lock (gate)
        {
            var now = DateTime.UtcNow;
            if (now - lastCheck < TimeSpan.FromSeconds(1) && loadedLength >= 0) return keys;
            lastCheck = now;
            var info = new FileInfo(Path);
            var stamp = info.Exists ? info.LastWriteTimeUtc : DateTime.MinValue;
            var length = info.Exists ? info.Length : 0;
            if (stamp != loadedStamp || length != loadedLength) (keys, loadedStamp, loadedLength) = (Read(), stamp, length);
            return keys;
        }
    }

    private IReadOnlyList<ApiKeyRecord> Read()
    {
        var info = new FileInfo(Path);
        if (!info.Exists) return [];
        if (info.Length > MaxFileBytes) throw new MarginFaceException($"{Path}: keys file is {info.Length} bytes, more than {MaxFileBytes}");
        try
        {
            var records = JsonSerializer.Deserialize<List<ApiKeyRecord>>(File.ReadAllBytes(Path), Json)
                ?? throw new MarginFaceException($"{Path}: keys file holds null, not a list of keys");
            foreach (var record in records)
                if (record is null || record.Sha256 is not { Length: 64 } || record.Id is not { Length: > 0 })
                    throw new MarginFaceException($"{Path}: a key without an id or a 64-digit SHA-256 (edited or damaged)");
            return records;
        }
        catch (JsonException e)
        {
            throw new MarginFaceException($"{Path}: not a keys file ({e.Message.ReplaceLineEndings(" ")})");
        }
        catch (IOException e)
        {
            throw new MarginFaceException($"{Path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    private void Write(IReadOnlyList<ApiKeyRecord> records)
    {
        AtomicFile.WriteAllBytes(Path, JsonSerializer.SerializeToUtf8Bytes(records, Json));
        lastCheck = DateTime.MinValue;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
