using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MarginFace.Cli.Console;
using MarginFace.Interop.FaceApi;
using MarginFace.Pipeline;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface analyze IMG... [--json]</c>: detect the faces of each image, then estimate each face's age, gender and
/// expression with face-api's networks (<see cref="FaceAnalyzer"/>, fetched into the cache on first use). Text: one line per
/// face; <c>--json</c>: one object per face per line. Exit codes as <c>detect</c>: 1 when an image could not be read, else 2
/// when an image had no face, else 0.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "image files", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json")
        {
            Description = "one JSON object per face per line: {image, box: {x, y, width, height, score}, age, gender, genderProbability, expressions: {neutral, happy, sad, angry, fearful, disgusted, surprised}}",
        };
        var detector = new DetectorOptions();
        var command = new Command("analyze", "Detect faces and estimate each one's age, gender and expression (face-api's networks)") { images, json };
        detector.AddTo(command);
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(images)!;
            using var faceDetector = detector.Open(parse);
            using var analyzer = new FaceAnalyzer(parse.GetValue(detector.Threads), log: new SynchronousProgress(message => System.Console.Error.WriteLine(message)));
            return DetectionLoop.Run(paths, faceDetector, (path, image, faces) =>
            {
                if (faces.Count == 0)
                {
                    System.Console.Error.WriteLine($"{path}: no face found");
                    return;
                }
                // face-api drops boxes with no whole pixel inside the image (extractFaceTensors); a detector's box at the very edge can be one.
                var inside = faces.Where(f => FaceApiInput.Clip(image.Width, image.Height, f.X, f.Y, f.Width, f.Height) is not null).ToList();
                if (inside.Count < faces.Count) System.Console.Error.WriteLine($"{path}: {faces.Count - inside.Count} face box(es) with no whole pixel inside the image skipped");
                var analyses = analyzer.Analyze(image, inside);
                for (var i = 0; i < inside.Count; i++)
                    System.Console.WriteLine(parse.GetValue(json) ? ToJson(path, inside[i], analyses[i]) : ToText(path, inside[i], analyses[i]));
            });
        });
        return command;
    }

    /// <summary>One face as text: <c>PATH: box X,Y W×H score S  age A  GENDER (P)  EXPRESSION (P)</c>.</summary>
    internal static string ToText(string path, DetectedFace face, FaceAnalysis analysis)
    {
        var (expression, probability) = analysis.TopExpression;
        return string.Create(CultureInfo.InvariantCulture,
            $"{path}: box {face.X:F1},{face.Y:F1} {face.Width:F1}×{face.Height:F1}  score {face.Score:F3}  age {analysis.Age:F1}  " +
            $"{Name(analysis.Gender)} ({analysis.GenderProbability:F2})  {expression} ({probability:F2})");
    }

    /// <summary>One face as a JSON line; coordinates rounded to 0.01 pixel, probabilities to 1e-4.</summary>
    internal static string ToJson(string path, DetectedFace face, FaceAnalysis analysis)
    {
        static double R(float v, int digits) => Math.Round(v, digits);
        var expressions = FaceAnalysis.ExpressionNames.Select((name, i) => (name, i)).ToDictionary(e => e.name, e => R(analysis.Expressions[e.i], 4));
        var document = new
        {
            image = path,
            box = new { x = R(face.X, 2), y = R(face.Y, 2), width = R(face.Width, 2), height = R(face.Height, 2), score = R(face.Score, 4) },
            landmarks = face.Landmarks.Select(p => new[] { R(p.X, 2), R(p.Y, 2) }).ToArray(),
            landmarks68 = face.Landmarks68?.Select(p => new[] { R(p.X, 2), R(p.Y, 2) }).ToArray(),
            age = R(analysis.Age, 2),
            gender = Name(analysis.Gender),
            genderProbability = R(analysis.GenderProbability, 4),
            expressions,
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
    }

    private static string Name(FaceGender gender) => gender == FaceGender.Male ? "male" : "female";
}
