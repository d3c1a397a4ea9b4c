using System.CommandLine;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary>The options every <c>gallery</c> subcommand shares.</summary>
internal static class GalleryOptions
{
    /// <summary>The required <c>--gallery DB</c> option.</summary>
    public static Option<string> Gallery() => new("--gallery") { Description = GalleryDescription, Required = true };

    /// <summary>What <c>--gallery</c> takes, for every command that takes one.</summary>
    public const string GalleryDescription = "the gallery: a SQLite file, or a PostgreSQL database (postgres://USER:PASSWORD@HOST:PORT/DB, or Host=...;Database=...)";

    /// <summary>The <c>--exact</c> option: search every embedding, not the HNSW index.</summary>
    public static Option<bool> Exact() => new("--exact") { Description = "compare with every embedding (exact) even in a gallery large enough for the approximate HNSW index" };

    /// <summary>The <c>--ef</c> option: the HNSW search expansion (<see cref="MarginFace.Galleries.IFaceGallery.SearchExpansion"/>).</summary>
    public static Option<int> SearchExpansion() => new("--ef")
    {
        Description = "candidates the approximate HNSW index keeps while searching: more finds the exact nearest more often, at proportional cost (see docs/scale.md)",
        DefaultValueFactory = _ => MarginFace.Galleries.HnswIndex.DefaultExpansionSearch,
    };

    /// <summary><paramref name="value"/> of <c>--ef</c>, refused below 1 in the option's own words.</summary>
    public static int CheckSearchExpansion(int value) => value >= 1 ? value : throw new MarginFaceException($"--ef must be at least 1, got {value}");

    /// <summary>The <c>--json</c> option.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print JSON" };
}
