using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MarginFace.Cli.Commands.Gallery;
using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface enroll --gallery DB --name NAME [--model M] [--face largest|X,Y,W,H] IMG...</c>: detect, align and embed the face of
/// every image and add them to NAME in one transaction. A photo with several faces is refused unless <c>--face</c> says which
/// (the largest, or the detected face overlapping a box most: <see cref="FaceSelection"/>). If any image is unreadable, has no
/// face or an unchosen face among several, each is named on stderr and nothing is enrolled (exit 1, or 2 when the only problem
/// is a missing face). The model is <c>--model</c>, else the one the gallery remembers, else <c>pretrained</c>
/// (<see cref="GalleryModel"/>); the first enrolment remembers it. The face model comes from <c>openEmbedder</c>.
/// </summary>
internal static class EnrollCommand
{
    public static Command Create(Func<FaceModelRequest, IFaceEmbedder> openEmbedder)
    {
        var images = new Argument<string[]>("images") { Description = "image files of the person", Arity = ArgumentArity.OneOrMore };
        var gallery = GalleryOptions.Gallery();
        var name = new Option<string>("--name") { Description = "the person's name (1..256 characters)", Required = true };
        var model = new Option<string?>("--model") { Description = "face model file, ONNX model or 'pretrained' (default: the model an existing gallery remembers, else 'pretrained'; a new gallery remembers the one used)" };
        var face = new Option<string?>("--face") { Description = $"which face of a photo with several: 'largest', or X,Y,W,H (pixels): the detected face overlapping that box most (intersection over union at least {FaceSelection.MinimumOverlap}); without it such a photo is refused" };
        var json = new Option<bool>("--json") { Description = "print {name, added, duplicates} as JSON" };
        var detector = new DetectorOptions();
        var command = new Command("enroll", "Add a person's face images to a gallery") { images, gallery, name, model, face, json };
        detector.AddTo(command);
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            var person = FaceGallery.CheckName(parse.GetValue(name)!);
            var selection = ParseFace(parse.GetValue(face));
            var galleryPath = parse.GetValue(gallery)!;
            // An existing gallery is read for its model; a new one is made only once every image is usable.
            using var existing = FaceGalleries.Exists(galleryPath) ? FaceGalleries.Open(galleryPath) : null;
            var chosen = GalleryModel.Resolve(parse, model, models, existing, parse.GetValue(detector.Threads));
            using var faceDetector = detector.Open(parse);
            using var embedder = openEmbedder(chosen.Request);
            chosen.Check(embedder);
            var enrolment = new FaceEnrolment(faceDetector, embedder);
            var outcomes = parse.GetValue(images)!.Select(path => enrolment.Prepare(path, selection)).ToList();
            foreach (var outcome in outcomes)
            {
                if (outcome.Error is not null)
                    System.Console.Error.WriteLine(outcome.NoFace ? outcome.Error
                        : outcome.SeveralFaces ? $"error: {outcome.Error}: choose one with --face largest or --face X,Y,W,H"
                        : $"error: {outcome.Error}");
                if (outcome.Note is not null) System.Console.Error.WriteLine(outcome.Note);
            }
            if (outcomes.Any(o => o.Entry is null))
            {
                System.Console.Error.WriteLine($"nothing enrolled: {outcomes.Count(o => o.Entry is null)} of {outcomes.Count} images unusable");
                return outcomes.Any(o => o.Error is not null && !o.NoFace) ? ExitCodes.BadInput : ExitCodes.NoFace;
            }
            using var created = existing is null ? FaceGalleries.Open(galleryPath, create: true) : null;
            var store = existing ?? created!;
            var result = store.Enrol(person, [.. outcomes.Select(o => o.Entry!)], embedder.ModelId, chosen.Reference);
            System.Console.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { name = result.Name, added = result.Added, duplicates = result.Duplicates })
                : $"enrolled {result.Name}: {result.Added} added, {result.Duplicates} already there{(result.Duplicates > 0 ? " (same image enrolled before)" : "")}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>--face</c>: null (the only face), <c>largest</c>, or a box <c>X,Y,W,H</c> in pixels.</summary>
    internal static FaceSelection? ParseFace(string? text)
    {
        if (text is null) return null;
        if (text.Trim().Equals("largest", StringComparison.OrdinalIgnoreCase)) return FaceSelection.Largest;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        if (parts.Length != 4 || !parts.Select((p, i) => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).All(ok => ok))
            throw new MarginFaceException($"--face: expected 'largest' or X,Y,W,H (four numbers, pixels), got '{text}'");
        try
        {
            return FaceSelection.Box(values[0], values[1], values[2], values[3]);
        }
        catch (MarginFaceException e)
        {
            throw new MarginFaceException($"--face: {e.Message}");
        }
    }
}
