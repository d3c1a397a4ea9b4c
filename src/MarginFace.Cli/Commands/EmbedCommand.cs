using System.CommandLine;
using System.Text.Json;
using MarginFace.Evaluation;
using MarginFace.Imaging;
using MarginFace.Pipeline;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface embed</c>: embeddings of images (files or folders) with a face model, as JSON Lines.</summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("images") { Description = "image files or folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = FaceModelOptions.Help, DefaultValueFactory = _ => FaceModelOptions.Default };
        var output = new Option<string?>("--out") { Description = "write the embeddings as JSON Lines ({\"image\", \"embedding\"} per line) to this file" };
        var json = new Option<bool>("--json") { Description = "print one {\"image\", \"embedding\"} object per line" };
        var flip = new Option<bool>("--flip") { Description = "add the mirror image's embedding before normalising" };
        var align = new Option<bool>("--align") { Description = "detect the largest face and align it from its landmarks (default: the model's own crop of the whole image)" };
        var detector = new DetectorOptions();
        var command = new Command("embed", "Embed images with a face model; exit 0, 1 (a bad image or model), 2 (no face, with --align)")
        {
            inputs, model, output, json, flip, align,
        };
        detector.AddTo(command);
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            var files = ImagePaths(parse.GetValue(inputs)!);
            // libtorch is loaded by the model loader when the model needs it (not for an ONNX model).
            using var faceModel = models.Open(parse, parse.GetValue(model)!, parse.GetValue(detector.Threads));
            using var faceDetector = parse.GetValue(align) ? detector.Open(parse) : null;
            var embedder = new FacePipeline(faceModel, faceDetector, parse.GetValue(flip));
            var records = new List<ImageEmbedding>();
            var exit = ExitCodes.Success;
            embedder.EmbedAll(files, (file, result, error) =>
            {
                if (error is not null)
                {
                    System.Console.Error.WriteLine($"error: {error.Message}");
                    exit = ExitCodes.Worst(exit, ExitCodes.BadInput);
                    return;
                }
                var (embedding, problem, note) = result!.Value;
                if (note is not null) System.Console.Error.WriteLine($"note: {note}");
                if (embedding is null)
                {
                    System.Console.Error.WriteLine($"error: {problem}");
                    exit = ExitCodes.Worst(exit, ExitCodes.NoFace);
                    return;
                }
                records.Add(new ImageEmbedding(file, embedding));
                if (parse.GetValue(json)) System.Console.WriteLine(JsonSerializer.Serialize(new { image = file, embedding }));
            });
            if (parse.GetValue(output) is string path)
            {
                EmbeddingsFile.Write(path, records);
                System.Console.Error.WriteLine($"wrote {records.Count} embeddings ({faceModel.Info.EmbeddingSize}-D, model {faceModel.Info.ModelId}) to {path}");
            }
            return exit;
        });
        return command;
    }

    /// <summary>The files given, and the image files under the folders given (ordinal order); a missing path is an error.</summary>
    internal static IReadOnlyList<string> ImagePaths(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Where(ImageFile.IsImagePath).Order(StringComparer.Ordinal));
            else if (File.Exists(input)) files.Add(input);
            else throw new MarginFaceException($"{input}: no such file or folder");
        }
        return files;
    }
}
