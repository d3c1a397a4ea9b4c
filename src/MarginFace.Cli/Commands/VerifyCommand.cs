using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MarginFace.Pipeline;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface verify A B</c>: cosine similarity of two faces and whether they are the same person.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("a") { Description = "first image" };
        var second = new Argument<string>("b") { Description = "second image" };
        var model = new Option<string>("--model") { Description = FaceModelOptions.Help, DefaultValueFactory = _ => FaceModelOptions.Default };
        var threshold = new Option<double?>("--threshold") { Description = "same person when the similarity is above this (default: the model's threshold from its validation, when it has one)" };
        var flip = new Option<bool>("--flip") { Description = "add the mirror image's embedding before normalising (default on: the pretrained model's threshold was chosen so; --flip false to turn it off)", DefaultValueFactory = _ => true };
        var align = new Option<bool>("--align") { Description = "detect and align the largest face (default: the model's own crop of the whole image)" };
        var json = new Option<bool>("--json") { Description = "print {similarity, threshold, same} as JSON" };
        var detector = new DetectorOptions();
        var command = new Command("verify", "Are A and B the same person? Prints the cosine similarity; exit 0 (same), 3 (different people), 2 (no face), 1 (bad input)")
        {
            first, second, model, threshold, flip, align, json,
        };
        detector.AddTo(command);
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            // libtorch is loaded by the model loader when the model needs it (not for an ONNX model).
            using var faceModel = models.Open(parse, parse.GetValue(model)!, parse.GetValue(detector.Threads));
            var limit = parse.GetValue(threshold) ?? faceModel.Info.VerificationThreshold
                ?? throw new MarginFaceException($"{parse.GetValue(model)}: the model has no verification threshold (it was trained without --val-pairs); give --threshold");
            using var faceDetector = parse.GetValue(align) ? detector.Open(parse) : null;
            var embedder = new FacePipeline(faceModel, faceDetector, parse.GetValue(flip));
            var a = embedder.Embed(parse.GetValue(first)!);
            var b = embedder.Embed(parse.GetValue(second)!);
            foreach (var note in new[] { a.Note, b.Note }.OfType<string>()) System.Console.Error.WriteLine($"note: {note}");
            foreach (var problem in new[] { a.Problem, b.Problem }.OfType<string>())
            {
                System.Console.Error.WriteLine($"error: {problem}");
                return ExitCodes.NoFace;
            }
            var similarity = a.Embedding!.Zip(b.Embedding!).Sum(p => (double)p.First * p.Second);
            var same = similarity > limit;
            if (parse.GetValue(json))
                System.Console.WriteLine(JsonSerializer.Serialize(new { similarity, threshold = limit, same }));
            else
                System.Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "similarity {0:0.0000} {1} threshold {2:0.0000}: {3}",
                    similarity, same ? ">" : "≤", limit, same ? "same person" : "different people"));
            return same ? ExitCodes.Success : ExitCodes.NoMatch;
        });
        return command;
    }
}
