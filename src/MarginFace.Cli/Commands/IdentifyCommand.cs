using System.CommandLine;
using System.Text.Json;
using MarginFace.Cli.Commands.Gallery;
using MarginFace.FaceModels;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface identify IMG... --gallery DB --model FILE [--top 5] [--threshold T]</c>: the gallery's people most similar to the
/// largest face of each image, best first. Exit 1 for bad input, else 2 when an image has no face or no candidate reaches the
/// threshold, else 0.
/// </summary>
internal static class IdentifyCommand
{
    public static Command Create(Func<FaceModelRequest, IFaceEmbedder> openEmbedder)
    {
        var images = new Argument<string[]>("images") { Description = "image files", Arity = ArgumentArity.OneOrMore };
        var gallery = GalleryOptions.Gallery();
        var model = new Option<string>("--model") { Description = $"{FaceModelOptions.Help} (the one the gallery was enrolled with)", Required = true };
        var top = new Option<int>("--top") { Description = "number of candidates", DefaultValueFactory = _ => 5 };
        var threshold = new Option<float>("--threshold") { Description = "minimum cosine similarity of a candidate", DefaultValueFactory = _ => -1f };
        var json = new Option<bool>("--json") { Description = "one JSON object per image per line: {image, candidates: [{name, similarity}]}" };
        var detector = new DetectorOptions();
        var command = new Command("identify", "Find the most similar people of a gallery for each image's face") { images, gallery, model, top, threshold, json };
        detector.AddTo(command);
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(top) < 1) throw new MarginFaceException($"--top must be at least 1, got {parse.GetValue(top)}");
            using var store = FaceGallery.Open(parse.GetValue(gallery)!);
            using var faceDetector = detector.Open(parse);
            using var embedder = openEmbedder(models.Request(parse, parse.GetValue(model)!, parse.GetValue(detector.Threads)));
            if (store.ModelId is { } stored && stored != embedder.ModelId)
                throw new MarginFaceException($"{store.Path}: gallery holds embeddings of model '{stored}', not '{embedder.ModelId}'");
            var enrolment = new FaceEnrolment(faceDetector, embedder);
            var outcome = ExitCodes.Success;
            foreach (var path in parse.GetValue(images)!)
            {
                var prepared = enrolment.Prepare(path);
                if (prepared.Entry is null)
                {
                    System.Console.Error.WriteLine(prepared.NoFace ? prepared.Error : $"error: {prepared.Error}");
                    outcome = ExitCodes.Worst(outcome, prepared.NoFace ? ExitCodes.NoFace : ExitCodes.BadInput);
                    continue;
                }
                if (prepared.Note is not null) System.Console.Error.WriteLine(prepared.Note);
                var candidates = store.Search(prepared.Entry.Embedding, parse.GetValue(top), parse.GetValue(threshold));
                if (candidates.Count == 0) outcome = ExitCodes.Worst(outcome, ExitCodes.NoMatch);
                if (parse.GetValue(json))
                    System.Console.WriteLine(JsonSerializer.Serialize(new { image = path, candidates = candidates.Select(c => new { name = c.Name, similarity = Math.Round(c.Similarity, 5) }) }));
                else
                {
                    System.Console.WriteLine($"{path}: {(candidates.Count == 0 ? "no match" : candidates[0].Name)}");
                    foreach (var c in candidates) System.Console.WriteLine($"  {c.Similarity,8:F4}  {c.Name}");
                }
            }
            return outcome;
        });
        return command;
    }
}
