namespace MarginFace.Galleries;

/// <summary>Opens a gallery by its spec: a PostgreSQL URI or connection string, else a SQLite file path.</summary>
public static class FaceGalleries
{
    /// <summary>
    /// <c>postgres://…</c>, <c>postgresql://…</c> or a keyword connection string starting <c>Host=</c> opens a
    /// <see cref="PostgresFaceGallery"/> (its schema made or migrated); anything else is a SQLite file (<see cref="FaceGallery.Open"/>).
    /// <paramref name="create"/> lets a missing SQLite file become a new gallery (a PostgreSQL database must exist; its tables are made).
    /// </summary>
    public static IFaceGallery Open(string spec, bool create = false, TimeSpan? busyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return IsPostgres(spec) ? PostgresFaceGallery.Open(spec, busyTimeout) : FaceGallery.Open(spec, create, busyTimeout);
    }

    /// <summary>Whether <paramref name="spec"/> names a PostgreSQL database rather than a file.</summary>
    public static bool IsPostgres(string spec) =>
        spec.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || spec.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || spec.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a gallery exists at <paramref name="spec"/> without opening it (a PostgreSQL spec always may).</summary>
    public static bool Exists(string spec) => IsPostgres(spec) || File.Exists(spec);
}
