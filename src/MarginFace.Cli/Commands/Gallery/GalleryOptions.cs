using System.CommandLine;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary>The options every <c>gallery</c> subcommand shares.</summary>
internal static class GalleryOptions
{
    /// <summary>The required <c>--gallery DB</c> option.</summary>
    public static Option<string> Gallery() => new("--gallery") { Description = "the gallery file (SQLite)", Required = true };

    /// <summary>The <c>--json</c> option.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print JSON" };
}
