using System.CommandLine;
using System.Text.Json;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary><c>marginface gallery list --gallery DB</c>: the people of a gallery and how many embeddings each has.</summary>
internal static class GalleryListCommand
{
    public static Command Create()
    {
        var gallery = GalleryOptions.Gallery();
        var json = GalleryOptions.Json();
        var command = new Command("list", "People in the gallery and their number of embeddings") { gallery, json };
        command.SetAction(parse =>
        {
            using var store = FaceGalleries.Open(parse.GetValue(gallery)!);
            var people = store.List();
            if (parse.GetValue(json))
                System.Console.WriteLine(JsonSerializer.Serialize(people.Select(p => new { name = p.Name, embeddings = p.Embeddings })));
            else foreach (var person in people) System.Console.WriteLine($"{person.Name}\t{person.Embeddings}");
            return ExitCodes.Success;
        });
        return command;
    }
}
