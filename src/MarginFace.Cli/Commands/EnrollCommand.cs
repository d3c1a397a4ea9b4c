using System.CommandLine;
using System.Text.Json;
using MarginFace.Cli.Commands.Gallery;
using MarginFace.FaceModels;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface enroll --gallery DB --name NAME --model FILE IMG...</c>: detect, align and embed the largest face of every image and
/// add them to NAME in one transaction. If any image is unreadable or has no face, each is named on stderr and nothing is enrolled
/// (exit 1, or 2 when the only problem is a missing face). The face model comes from <c>openEmbedder(FILE)</c>.
/// </summary>
internal static class EnrollCommand
{
    public static Command Create(Func<FaceModelRequest, IFaceEmbedder> openEmbedder)
    {
        var images = new Argument<string[]>("images") { Description = "image files of the person", Arity = ArgumentArity.OneOrMore };
        var gallery = GalleryOptions.Gallery();
        var name = new Option<string>("--name") { Description = "the person's name (1..256 characters)", Required = true };
        var model = new Option<string>("--model") { Description = FaceModelOptions.Help, Required = true };
        var json = new Option<bool>("--json") { Description = "print {name, added, duplicates} as JSON" };
        var detector = new DetectorOptions();
        var command = new Command("enroll", "Add a person's face images to a gallery") { images, gallery, name, model, json };
        detector.AddTo(command);
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            var person = FaceGallery.CheckName(parse.GetValue(name)!);
            using var faceDetector = detector.Open(parse);
            using var embedder = openEmbedder(models.Request(parse, parse.GetValue(model)!, parse.GetValue(detector.Threads)));
            var enrolment = new FaceEnrolment(faceDetector, embedder);
            var outcomes = parse.GetValue(images)!.Select(enrolment.Prepare).ToList();
            foreach (var outcome in outcomes)
            {
                if (outcome.Error is not null) System.Console.Error.WriteLine(outcome.NoFace ? outcome.Error : $"error: {outcome.Error}");
                if (outcome.Note is not null) System.Console.Error.WriteLine(outcome.Note);
            }
            if (outcomes.Any(o => o.Entry is null))
            {
                System.Console.Error.WriteLine($"nothing enrolled: {outcomes.Count(o => o.Entry is null)} of {outcomes.Count} images unusable");
                return outcomes.Any(o => o.Error is not null && !o.NoFace) ? ExitCodes.BadInput : ExitCodes.NoFace;
            }
            using var store = FaceGallery.Open(parse.GetValue(gallery)!, create: true);
            var result = store.Enrol(person, [.. outcomes.Select(o => o.Entry!)], embedder.ModelId);
            System.Console.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { name = result.Name, added = result.Added, duplicates = result.Duplicates })
                : $"enrolled {result.Name}: {result.Added} added, {result.Duplicates} already there{(result.Duplicates > 0 ? " (same image enrolled before)" : "")}");
            return ExitCodes.Success;
        });
        return command;
    }
}
