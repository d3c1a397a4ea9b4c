using System.CommandLine;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary><c>marginface gallery list|remove|rename|import --gallery DB</c>: manage a face gallery without a face model.</summary>
internal static class GalleryCommand
{
    public static Command Create() => new("gallery", "List, rename, remove people of a face gallery, or import precomputed embeddings")
    {
        GalleryListCommand.Create(),
        GalleryRemoveCommand.Create(),
        GalleryRenameCommand.Create(),
        GalleryImportCommand.Create(),
    };
}
