using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MarginFace.Galleries;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary>
/// <c>marginface gallery export FILE --gallery DB</c>: every embedding as the JSON lines <c>gallery import</c> reads
/// (<c>{"name", "embedding", "sha256"}</c>), streamed from the store into FILE (written whole or not at all: <see cref="AtomicFile"/>).
/// </summary>
internal static class GalleryExportCommand
{
    public static Command Create()
    {
        var gallery = GalleryOptions.Gallery();
        var file = new Argument<string>("file") { Description = "the JSON-lines file to write" };
        var command = new Command("export", "Write every embedding as JSON lines that gallery import reads") { file, gallery };
        command.SetAction(parse =>
        {
            using var store = FaceGalleries.Open(parse.GetValue(gallery)!);
            long count = 0;
            AtomicFile.Write(parse.GetValue(file)!, temp =>
            {
                using var writer = new StreamWriter(temp, false, new UTF8Encoding(false));
                foreach (var (name, entry) in store.Entries())
                {
                    writer.Write("{\"name\":");
                    writer.Write(JsonSerializer.Serialize(name));
                    writer.Write(",\"sha256\":\"");
                    writer.Write(entry.ImageSha256);
                    writer.Write("\",\"embedding\":[");
                    for (int i = 0; i < entry.Embedding.Length; i++)
                    {
                        if (i > 0) writer.Write(',');
                        writer.Write(entry.Embedding[i].ToString("R", CultureInfo.InvariantCulture));
                    }
                    writer.Write("]}\n");
                    count++;
                }
            });
            System.Console.Error.WriteLine($"exported {count} embeddings from {store.Path}");
            return ExitCodes.Success;
        });
        return command;
    }
}
