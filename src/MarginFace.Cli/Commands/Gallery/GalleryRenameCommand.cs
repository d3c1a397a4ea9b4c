using System.CommandLine;
using System.Text.Json;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary><c>marginface gallery rename NAME NEW --gallery DB</c>: a person under a new name.</summary>
internal static class GalleryRenameCommand
{
    public static Command Create()
    {
        var gallery = GalleryOptions.Gallery();
        var json = GalleryOptions.Json();
        var name = new Argument<string>("name") { Description = "the person's current name" };
        var newName = new Argument<string>("new-name") { Description = "the new name" };
        var command = new Command("rename", "Rename a person") { name, newName, gallery, json };
        command.SetAction(parse =>
        {
            using var store = FaceGalleries.Open(parse.GetValue(gallery)!);
            string from = FaceGallery.CheckName(parse.GetValue(name)!), to = FaceGallery.CheckName(parse.GetValue(newName)!);
            store.Rename(from, to);
            System.Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(new { renamed = from, to }) : $"renamed {from} to {to}");
            return ExitCodes.Success;
        });
        return command;
    }
}
