namespace MarginFace.Galleries;

/// <summary>Opens a gallery by its spec: a PostgreSQL URI or connection string, else a SQLite file path.</summary>
public static class FaceGalleries
{
    /// <summary>
    /// <c>postgres://…</c>, <c>postgresql://…</c> or a keyword connection string starting <c>Host=</c> opens a
    /// <see cref="PostgresFaceGallery"/> (its schema made or migrated); anything else is a SQLite file (<see cref="FaceGallery.Open"/>).
    /// <paramref name="create"/> lets a missing SQLite file become a new gallery (a PostgreSQL database must exist; its tables are made).
    /// </summary>
    /// <remarks>
    /// A spec may also be a connection file: a small text file (at most <see cref="MaxConnectionFileBytes"/>) whose first line
    /// that is not blank or a <c>#</c> comment is a PostgreSQL spec, so that the password stays out of command lines, process
    /// lists and shell histories (<see cref="Resolve"/>). A SQLite file is told apart by its header.
    /// </remarks>
    public static IFaceGallery Open(string spec, bool create = false, TimeSpan? busyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = Resolve(spec);
        return IsPostgres(spec) ? PostgresFaceGallery.Open(spec, busyTimeout) : FaceGallery.Open(spec, create, busyTimeout);
    }

    /// <summary>The largest connection file read (a spec with options is a few hundred bytes); a larger file is taken for a SQLite gallery.</summary>
    public const int MaxConnectionFileBytes = 4096;

    /// <summary>
    /// The PostgreSQL spec a connection file at <paramref name="spec"/> holds, or <paramref name="spec"/> itself (a PostgreSQL
    /// spec, a SQLite gallery, a missing path, or a file that holds no PostgreSQL spec, which opening then reports as not a gallery).
    /// </summary>
    public static string Resolve(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (IsPostgres(spec)) return spec;
        try
        {
            var info = new FileInfo(spec);
            if (!info.Exists || info.Length is 0 or > MaxConnectionFileBytes) return spec;
            var text = File.ReadAllText(spec);
            if (text.StartsWith("SQLite format 3\0", StringComparison.Ordinal)) return spec;
            var first = text.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0 && !line.StartsWith('#'));
            return first is not null && IsPostgres(first) ? first : spec;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return spec; // opening it as a SQLite file reports the problem in one line
        }
    }

    /// <summary>Whether <paramref name="spec"/> names a PostgreSQL database rather than a file.</summary>
    public static bool IsPostgres(string spec) =>
        spec.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || spec.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || spec.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a gallery exists at <paramref name="spec"/> without opening it (a PostgreSQL spec always may).</summary>
    public static bool Exists(string spec) => IsPostgres(spec) || File.Exists(spec);
}
