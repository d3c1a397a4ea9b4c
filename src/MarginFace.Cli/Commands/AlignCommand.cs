using System.CommandLine;
using System.Text.Json;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface align IMG... --out DIR [--size 112|96x112|128|150] [--all]</c>: detect, then warp each face onto an alignment
/// template and write it as <c>DIR/NAME.png</c> (the largest face) or <c>DIR/NAME_K.png</c> (every face, with <c>--all</c>,
/// K = 0, 1, … best score first). NAME keeps the image's path below the images' common folder (<see cref="OutputNames"/>);
/// names that would meet are refused before anything is written (exit 4). Exit codes otherwise as <c>detect</c>.
/// </summary>
internal static class AlignCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "image files", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "directory for the aligned PNG crops", Required = true };
        var size = new Option<string>("--size")
        {
            Description = "template: 112 (ArcFace), 96x112, 128, or 150 (dlib face chip, padding 0.25)",
            DefaultValueFactory = _ => AlignmentTemplate.ArcFace112.Name,
        };
        size.AcceptOnlyFromAmong([.. AlignmentTemplate.All.Select(t => t.Name)]);
        var all = new Option<bool>("--all") { Description = "write every face found, not only the largest" };
        var json = new Option<bool>("--json") { Description = "one JSON object per image per line: {image, faces, crops: [PATH...]}" };
        var detector = new DetectorOptions();
        var command = new Command("align", "Detect faces and write aligned crops (5-point similarity to a template)") { images, output, size, all, json };
        detector.AddTo(command);
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(output)!;
            var paths = parse.GetValue(images)!;
            var stems = OutputNames.Stems(paths);
            // With --all every name gains _K; distinct stems keep them distinct, so the first crop's name stands for the rest.
            var suffix = parse.GetValue(all) ? "_0" : "";
            if (OutputNames.FindClash(stems.ToDictionary(s => s.Key, s => Path.Combine(directory, s.Value + suffix + ".png")), "--out") is { } clash)
            {
                System.Console.Error.WriteLine($"error: {clash}");
                return ExitCodes.WouldOverwrite;
            }
            var aligner = new FaceAligner(AlignmentTemplate.Find(parse.GetValue(size)!)!);
            using var faceDetector = detector.Open(parse);
            return DetectionLoop.Run(paths, faceDetector, (path, image, faces) =>
            {
                var name = stems[path];
                var crops = new List<string>();
                if (faces.Count == 0) System.Console.Error.WriteLine($"{path}: no face found");
                else if (parse.GetValue(all))
                {
                    for (int k = 0; k < faces.Count; k++) crops.Add(Write(aligner, image, faces[k], Path.Combine(directory, $"{name}_{k}.png")));
                }
                else
                {
                    var subject = FaceSelection.Subject(faces, image.Width, image.Height)!;
                    if (faces.Count > 1) System.Console.Error.WriteLine($"{path}: {faces.Count} faces, aligned the largest over the centre (--all writes each)");
                    crops.Add(Write(aligner, image, subject, Path.Combine(directory, $"{name}.png")));
                }
                if (parse.GetValue(json)) System.Console.WriteLine(JsonSerializer.Serialize(new { image = path, faces = faces.Count, crops }));
                else foreach (var crop in crops) System.Console.WriteLine($"{path} -> {crop}");
            });
        });
        return command;
    }

    private static string Write(FaceAligner aligner, RgbImage image, DetectedFace face, string target)
    {
        FaceImageFile.SavePng(aligner.Align(image, face), target);
        return target;
    }
}
