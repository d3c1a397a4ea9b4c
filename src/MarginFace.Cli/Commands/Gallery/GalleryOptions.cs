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

    /// <summary>The <c>--json</c> option.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print JSON" };
}
