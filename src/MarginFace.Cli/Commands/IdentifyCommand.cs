using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MarginFace.Cli.Commands.Gallery;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface identify IMG... --gallery DB [--model M] [--top 5] [--threshold T] [--draw OUT]</c>: for every face of each image,
/// its box and the gallery's people most similar to it, best first. The model is the gallery's own unless <c>--model</c> says
/// otherwise (<see cref="GalleryModel"/>). Exit 1 for bad input, else 2 when an image has no face, else 3 when an image has
/// faces but none of them has a candidate at or above the threshold (an image "matched" when any of its faces did: strangers
/// beside a known person are no failure), else 0.
/// </summary>
internal static class IdentifyCommand
{
    public static Command Create(Func<FaceModelRequest, IFaceEmbedder> openEmbedder)
    {
        var images = new Argument<string[]>("images") { Description = "image files", Arity = ArgumentArity.OneOrMore };
        var gallery = GalleryOptions.Gallery();
        var model = new Option<string?>("--model") { Description = "face model file, ONNX model or 'pretrained' (default: the model the gallery remembers from its first enrolment; for an older gallery, 'pretrained' if its model id matches)" };
        var top = new Option<int>("--top") { Description = "number of candidates per face", DefaultValueFactory = _ => 5 };
        var threshold = new Option<float>("--threshold") { Description = "minimum cosine similarity of a candidate", DefaultValueFactory = _ => -1f };
        var json = new Option<bool>("--json") { Description = "one JSON object per image per line: {image, faces: [{box: {x, y, width, height, score}, candidates: [{name, similarity}]}]}" };
        var exact = GalleryOptions.Exact();
        var ef = GalleryOptions.SearchExpansion();
        var draw = new Option<string?>("--draw") { Description = "write the image with each face's box labelled by its number and best candidate: a PNG file for one image, a directory (NAME.png each) for several" };
        var detector = new DetectorOptions();
        var command = new Command("identify", "Find the most similar people of a gallery for every face of each image") { images, gallery, model, top, threshold, exact, ef, json, draw };
        detector.AddTo(command);
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(top) < 1) throw new MarginFaceException($"--top must be at least 1, got {parse.GetValue(top)}");
            var expansion = GalleryOptions.CheckSearchExpansion(parse.GetValue(ef));
            var paths = parse.GetValue(images)!;
            var drawPath = parse.GetValue(draw);
            var stems = OutputNames.Stems(paths);
            if (drawPath is not null)
            {
                var targets = stems.ToDictionary(s => s.Key, s => paths.Length == 1 ? drawPath : Path.Combine(drawPath, s.Value + ".png"));
                if (OutputNames.FindClash(targets, "--draw") is { } clash)
                {
                    System.Console.Error.WriteLine($"error: {clash}");
                    return ExitCodes.WouldOverwrite;
                }
            }
            using var store = FaceGalleries.Open(parse.GetValue(gallery)!);
            if (parse.GetValue(exact)) store.SearchMode = GallerySearchMode.Exact;
            store.SearchExpansion = expansion;
            if (store is PostgresFaceGallery shared) shared.IndexFile = shared.CacheIndexFile;
            var chosen = GalleryModel.Resolve(parse, model, models, store, parse.GetValue(detector.Threads));
            using var faceDetector = detector.Open(parse);
            using var embedder = openEmbedder(chosen.Request);
            chosen.Check(embedder);
            var pipeline = new FacePipeline(faceDetector, embedder);
            var outcome = ExitCodes.Success;
            foreach (var path in paths)
            {
                RgbImage image;
                IReadOnlyList<EmbeddedFace> faces;
                try
                {
                    image = ImageFile.Read(path);
                    faces = pipeline.EmbedFaces(image);
                }
                catch (MarginFaceException e)
                {
                    System.Console.Error.WriteLine($"error: {e.Message}");
                    outcome = ExitCodes.Worst(outcome, ExitCodes.BadInput);
                    continue;
                }
                var results = faces.Select(f => (f.Face, Candidates: store.Search(f.Embedding, parse.GetValue(top), parse.GetValue(threshold)))).ToList();
                if (faces.Count == 0)
                {
                    System.Console.Error.WriteLine($"{path}: no face found");
                    outcome = ExitCodes.Worst(outcome, ExitCodes.NoFace);
                }
                else if (results.All(r => r.Candidates.Count == 0)) outcome = ExitCodes.Worst(outcome, ExitCodes.NoMatch);
                if (parse.GetValue(json)) System.Console.WriteLine(ToJson(path, results));
                else
                {
                    if (faces.Count > 0) System.Console.WriteLine($"{path}: {faces.Count} face{(faces.Count == 1 ? "" : "s")}");
                    for (int i = 0; i < results.Count; i++)
                    {
                        var (face, candidates) = results[i];
                        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  face {i + 1} at {face.X:F1},{face.Y:F1} {face.Width:F1}×{face.Height:F1} (score {face.Score:F3}): {(candidates.Count == 0 ? "no match" : candidates[0].Name)}"));
                        foreach (var c in candidates) System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {c.Similarity,8:F4}  {c.Name}"));
                    }
                }
                if (drawPath is not null)
                {
                    var labels = results.Select((r, i) => r.Candidates.Count == 0
                        ? $"{i + 1}  ?"
                        : string.Create(CultureInfo.InvariantCulture, $"{i + 1}  {r.Candidates[0].Name}  {r.Candidates[0].Similarity:0.00}")).ToList();
                    FaceImageFile.SaveWithDetections(image, [.. results.Select(r => r.Face)], paths.Length == 1 ? drawPath : Path.Combine(drawPath, stems[path] + ".png"), labels);
                }
            }
            return outcome;
        });
        return command;
    }

    /// <summary>The JSON line of one image: every face's box (pixels, rounded to 0.01) and score, with its candidates best first.</summary>
    internal static string ToJson(string path, IReadOnlyList<(DetectedFace Face, IReadOnlyList<GalleryMatch> Candidates)> faces)
    {
        static double R(float v) => Math.Round(v, 2);
        return JsonSerializer.Serialize(new
        {
            image = path,
            faces = faces.Select(f => new
            {
                box = new { x = R(f.Face.X), y = R(f.Face.Y), width = R(f.Face.Width), height = R(f.Face.Height), score = Math.Round(f.Face.Score, 4) },
                candidates = f.Candidates.Select(c => new { name = c.Name, similarity = Math.Round(c.Similarity, 5) }),
            }),
        });
    }
}
