namespace MarginFace.Runtime;

/// <summary>
/// A folder of model files copied from another machine, for air-gapped use: the program's own setting (<see cref="Override"/>,
/// which the command line sets) or else the environment variable <see cref="EnvironmentVariable"/>. A model file is looked
/// up in it by the name its package gives it (e.g. face-api's <c>model/</c> files), directly in the folder or in the
/// subfolder the cache keeps it in (<c>DIR/face-api/NAME</c>, so a copy of the whole cache folder works too). Files found
/// there are checked by SHA-256 like the cache's and never loaded on a mismatch; a folder without them leaves the lookup to
/// the cache (and its fetch), so one folder may hold only some models (YuNet, say).
/// </summary>
internal static class ModelsFolder
{
    /// <summary>Environment variable naming the models folder.</summary>
    public const string EnvironmentVariable = "MARGINFACE_MODELS";

    /// <summary>How the library's errors tell a user to name the folder; the command line says its own option there instead.</summary>
    public const string NameItHint = "name a folder holding them with " + EnvironmentVariable;

    /// <summary>The folder set by the program; wins over <see cref="EnvironmentVariable"/>.</summary>
    public static string? Override { get; set; }

    /// <summary>The folder in effect: <see cref="Override"/>, else <see cref="EnvironmentVariable"/>, else null.</summary>
    public static string? Current =>
        Override is { Length: > 0 } given ? given
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } variable ? variable
        : null;

    /// <summary>
    /// The folder (<c>DIR</c> or <c>DIR/<paramref name="subfolder"/></c>) holding every file of <paramref name="files"/> (name →
    /// SHA-256), checked; null when there is no models folder or it holds none of them. A file there with another digest, or
    /// only some of the files, is a one-line <see cref="MarginFaceException"/> naming the file: such a copy is never loaded.
    /// </summary>
    public static string? Find(string subfolder, IReadOnlyDictionary<string, string> files) => Find(Current, subfolder, files);

    /// <summary><see cref="Find(string, IReadOnlyDictionary{string, string})"/> in the models folder <paramref name="root"/> (null: none).</summary>
    internal static string? Find(string? root, string subfolder, IReadOnlyDictionary<string, string> files)
    {
        if (root is null) return null;
        foreach (var folder in new[] { root, Path.Combine(root, subfolder) })
        {
            var present = files.Keys.Where(name => File.Exists(Path.Combine(folder, name))).ToList();
            if (present.Count == 0) continue;
            var missing = files.Keys.Except(present).ToList();
            if (missing.Count > 0)
                throw new MarginFaceException($"{Path.Combine(folder, present[0])}: the models folder has it but not {string.Join(" or ", missing)} beside it");
            foreach (var (name, digest) in files)
            {
                var path = Path.Combine(folder, name);
                var actual = FileDigest.Sha256(path);
                if (!string.Equals(actual, digest, StringComparison.OrdinalIgnoreCase))
                    throw new MarginFaceException($"{path}: has SHA-256 {actual}, expected {digest} (damaged or another version); not loaded");
            }
            return Path.GetFullPath(folder);
        }
        return null;
    }
}
