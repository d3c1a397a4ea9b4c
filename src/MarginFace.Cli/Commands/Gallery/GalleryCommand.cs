using System.CommandLine;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary><c>marginface gallery list|remove|rename|import|export --gallery DB</c>: manage a face gallery without a face model.</summary>
internal static class GalleryCommand
{
    public static Command Create() => new("gallery", "List, rename, remove people of a face gallery, import precomputed embeddings or another gallery, export")
    {
        GalleryListCommand.Create(),
        GalleryRemoveCommand.Create(),
        GalleryRenameCommand.Create(),
        GalleryImportCommand.Create(),
        GalleryExportCommand.Create(),
    };
}
