using System.CommandLine;
using System.Text.Json;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface detect IMG... [--draw OUT.png] [--json]</c>: faces, scores and landmarks of each image, numbered from 1 in the
/// detector's order (the numbers <c>--draw</c> labels the boxes with, and <c>identify</c> uses). Every image is processed;
/// the exit code is 1 when any image could not be read, else 2 when any image had no face, else 0. With several images,
/// <c>--draw DIR</c> keeps each image's path below their common folder (<see cref="OutputNames"/>); names that would meet
/// are refused before anything is written (exit 4).
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "image files", Arity = ArgumentArity.OneOrMore };
        var draw = new Option<string?>("--draw") { Description = "write the image with boxes and landmarks drawn, each box labelled with its face number and score: a PNG file for one image, a directory (NAME.png each) for several" };
        var json = new Option<bool>("--json") { Description = "one JSON object per image per line: {image, width, height, faces: [{box: [x, y, w, h], score, landmarks: [[x, y] ×5]}]}" };
        var detector = new DetectorOptions();
        var command = new Command("detect", "Find faces (box and score; 5 landmarks with YuNet) with face-api's SSD MobileNet V1 by default (--detector)") { images, draw, json };
        detector.AddTo(command);
        command.SetAction(parse =>
        {
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
            using var faceDetector = detector.Open(parse);
            return DetectionLoop.Run(paths, faceDetector, (path, image, faces) =>
            {
                if (parse.GetValue(json)) System.Console.WriteLine(ToJson(path, image, faces));
                else
                {
                    System.Console.WriteLine($"{path}: {faces.Count} face{(faces.Count == 1 ? "" : "s")} ({image.Width}×{image.Height})");
                    for (int i = 0; i < faces.Count; i++)
                    {
                        var face = faces[i];
                        System.Console.WriteLine($"  face {i + 1}  box {face.X:F1},{face.Y:F1} {face.Width:F1}×{face.Height:F1}  score {face.Score:F3}"
                            + (face.HasLandmarks ? $"  landmarks {string.Join(" ", face.Landmarks.Select(p => $"({p.X:F1},{p.Y:F1})"))}" : ""));
                    }
                }
                if (drawPath is not null)
                {
                    var target = paths.Length == 1 ? drawPath : Path.Combine(drawPath, stems[path] + ".png");
                    FaceImageFile.SaveWithDetections(image, faces, target);
                }
            });
        });
        return command;
    }

    private static readonly JsonSerializerOptions OmitNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The JSON line of one image, with coordinates rounded to 0.01 pixel; <c>landmarks68</c> only where the detector located 68 points.</summary>
    internal static string ToJson(string path, RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        static double R(float v) => Math.Round(v, 2);
        var document = new
        {
            image = path,
            width = image.Width,
            height = image.Height,
            faces = faces.Select(f => new
            {
                box = new[] { R(f.X), R(f.Y), R(f.Width), R(f.Height) },
                score = Math.Round(f.Score, 4),
                landmarks = f.Landmarks.Select(p => new[] { R(p.X), R(p.Y) }).ToArray(),
                landmarks68 = f.Landmarks68?.Select(p => new[] { R(p.X), R(p.Y) }).ToArray(),
            }).ToArray(),
        };
        return JsonSerializer.Serialize(document, OmitNulls);
    }
}
