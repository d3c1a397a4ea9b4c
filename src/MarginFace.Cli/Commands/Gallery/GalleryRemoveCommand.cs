using System.CommandLine;
using System.Text.Json;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary><c>marginface gallery remove NAME --gallery DB</c>: a person and their embeddings out of the gallery.</summary>
internal static class GalleryRemoveCommand
{
    public static Command Create()
    {
        var gallery = GalleryOptions.Gallery();
        var json = GalleryOptions.Json();
        var name = new Argument<string>("name") { Description = "the person to remove" };
        var command = new Command("remove", "Remove a person and their embeddings") { name, gallery, json };
        command.SetAction(parse =>
        {
            using var store = FaceGalleries.Open(parse.GetValue(gallery)!);
            var removed = store.Remove(parse.GetValue(name)!);
            System.Console.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { removed = FaceGallery.CheckName(parse.GetValue(name)!), embeddings = removed })
                : $"removed {FaceGallery.CheckName(parse.GetValue(name)!)} ({removed} embeddings)");
            return ExitCodes.Success;
        });
        return command;
    }
}
