namespace MarginFace.Tests.Support;

/// <summary>
/// The read-only data beside the repository (<c>../shared/data</c> and <c>../shared/models</c> from its root, found by walking up
/// from the test binaries; <c>MARGINFACE_SHARED=DIR</c> overrides). Tests that need it use <see cref="SharedDataFactAttribute"/>.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The <c>shared</c> folder, or null when absent.</summary>
    public static string? SharedRoot => Root.Value;

    /// <summary>A path under <c>shared/data</c> (null when the shared folder is absent).</summary>
    public static string? Data(params string[] parts) => SharedRoot is { } root ? Path.Combine([root, "data", .. parts]) : null;

    /// <summary>A path under <c>shared/models</c> (null when the shared folder is absent).</summary>
    public static string? Models(params string[] parts) => SharedRoot is { } root ? Path.Combine([root, "models", .. parts]) : null;

    /// <summary>LFW's official pairs.txt (for tests marked with <see cref="SharedDataFactAttribute"/>).</summary>
    public static string LfwPairsFile => Data("lfw", "pairs.txt")!;

    /// <summary>LFW deep-funneled images, <c>Name/Name_NNNN.jpg</c>.</summary>
    public static string LfwImagesDirectory => Data("lfw", "lfw-deepfunneled")!;

    /// <summary>The ORL faces, <c>sN/M.pgm</c>.</summary>
    public static string OrlDirectory => Data("orl_faces")!;

    /// <summary>True when <paramref name="relative"/> (under <c>shared/</c>) exists as a file or folder.</summary>
    public static bool Has(string relative) =>
        SharedRoot is { } root && (File.Exists(Path.Combine(root, relative)) || Directory.Exists(Path.Combine(root, relative)));

    private static string? FindRoot()
    {
        if (Environment.GetEnvironmentVariable("MARGINFACE_SHARED") is { Length: > 0 } given)
            return Directory.Exists(given) ? given : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared");
            if (Directory.Exists(Path.Combine(candidate, "data"))) return Path.GetFullPath(candidate);
        }
        return null;
    }
}

/// <summary>
/// A fact that needs real data under <c>../shared</c> (e.g. <c>data/lfw/pairs.txt</c>, or the very images it reads) and skips,
/// saying so, when any of it is absent; under CI it runs and fails instead (<see cref="Prerequisites"/>).
/// </summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(params string[] relative)
    {
        Skip = Prerequisites.SkipOutsideCi(Prerequisites.MissingSharedData(relative));
    }
}
