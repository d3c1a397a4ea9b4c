using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Pipeline;
using MarginFace.Runtime;

namespace MarginFace.Experiments;

/// <summary>
/// <c>lfw-align --images DIR --pairs FILE --out DIR</c>: which alignment the pretrained model wants, measured on LFW View 2.
/// Every pair image is detected once (the default detector; the photo's subject, <see cref="FaceSelection.Subject"/>) and its 68 points
/// located, plain and refined (a second landmark pass on the box the first points span, enlarged as face-api's boxes are);
/// the points are kept in <c>OUT/landmarks.jsonl</c>. Each variant then aligns every image onto dlib's 150×150 chip, embeds
/// it with flip, and scores the 6,000 pairs by the 10-fold protocol: <c>five</c> (eye centres, nose tip, mouth corners onto
/// the 5-point chip template), <c>dlib</c> (dlib's own 33 points of <c>get_face_chip_details</c>: nose, eyes, outer and inner
/// mouth without the lower lip, onto its mean face), and each of them on the refined points.
/// </summary>
internal static class LfwAlignCommand
{
    private static readonly string[] AllVariants = ["five", "dlib", "five-refined", "dlib-refined"];

    public static Command Create()
    {
        var images = new Option<string>("--images") { Description = "LFW images (<name>/<name>_<nnnn>.jpg)", Required = true };
        var pairs = new Option<string>("--pairs") { Description = "pairs.txt", Required = true };
        var output = new Option<string>("--out") { Description = "folder for landmarks.jsonl and results.json", Required = true };
        var variants = new Option<string>("--variants") { Description = $"comma-separated: {string.Join(", ", AllVariants)}", DefaultValueFactory = _ => string.Join(",", AllVariants) };
        var threads = new Option<int>("--onnx-threads") { Description = "ONNX Runtime threads", DefaultValueFactory = _ => 2 };
        var command = new Command("lfw-align", "Measure alignments of the pretrained model on LFW (detection and 68 points once, then one embedding pass per variant)")
        {
            images, pairs, output, variants, threads,
        };
        command.SetAction(parse =>
        {
            var root = parse.GetValue(images)!;
            var outDir = Directory.CreateDirectory(parse.GetValue(output)!).FullName;
            var pairSet = LfwPairs.Read(parse.GetValue(pairs)!);
            pairSet.CheckImages(root);
            var chosen = parse.GetValue(variants)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var v in chosen)
                if (!AllVariants.Contains(v)) throw new MarginFaceException($"--variants: unknown '{v}'; known: {string.Join(", ", AllVariants)}");
            var threadCount = parse.GetValue(threads);
            var located = Locate(root, pairSet.Images(), Path.Combine(outDir, "landmarks.jsonl"), threadCount);
            using var model = FaceModelLoader.Open(FaceModelLoader.Pretrained, threads: threadCount);
            var embedder = new FaceModelEmbedder(model, flip: true);
            var results = new Dictionary<string, object>();
            foreach (var variant in chosen)
            {
                var watch = Stopwatch.StartNew();
                var refined = variant.EndsWith("-refined", StringComparison.Ordinal);
                var dlib = variant.StartsWith("dlib", StringComparison.Ordinal);
                var aligner = new FaceAligner(dlib ? DlibChip : AlignmentTemplate.DlibChip150);
                var embeddings = new Dictionary<string, float[]>(StringComparer.Ordinal);
                var names = located.Keys.Order(StringComparer.Ordinal).ToList();
                for (int start = 0; start < names.Count; start += 64)
                {
                    var batch = names.Skip(start).Take(64).ToList();
                    var crops = batch.Select(name =>
                    {
                        var points = refined ? located[name].Refined : located[name].Points;
                        var image = ImageFile.Read(Path.Combine(root, name));
                        return aligner.Align(image, dlib ? DlibPoints(points) : FaceLandmarker.FivePoints(points));
                    }).ToList();
                    var vectors = embedder.Embed(crops, 64);
                    for (int i = 0; i < batch.Count; i++) embeddings[batch[i]] = vectors[i];
                }
                var blank = new float[128];
                var scores = pairSet.Pairs.Select(p => (double)Dot(embeddings.GetValueOrDefault(p.Image1, blank), embeddings.GetValueOrDefault(p.Image2, blank))).ToArray();
                var (report, _) = VerificationReport.Compute(scores, pairSet.SameLabels(), pairSet.FoldIndices());
                System.Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-14} {1:P2} ± {2:P2}  ({3:F0} s)", variant, report.MeanAccuracy, report.StandardError, watch.Elapsed.TotalSeconds));
                results[variant] = new { accuracy = report.MeanAccuracy, standardError = report.StandardError, folds = report.Folds.Select(f => f.Accuracy) };
                AtomicFile.WriteAllText(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
            }
            var missing = pairSet.Images().Count - located.Count;
            System.Console.WriteLine($"{located.Count} images located, {missing} without a face (scored with a blank embedding)");
            return 0;
        });
        return command;
    }

    private static float Dot(float[] a, float[] b)
    {
        float sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private sealed record Located(Vector2[] Points, Vector2[] Refined);

    /// <summary>Detection and 68 points of every image, read back from <paramref name="cachePath"/> when an earlier run wrote them.</summary>
    private static Dictionary<string, Located> Locate(string root, IReadOnlyList<string> names, string cachePath, int threads)
    {
        var located = new Dictionary<string, Located>(StringComparer.Ordinal);
        if (File.Exists(cachePath))
            foreach (var line in File.ReadLines(cachePath))
            {
                using var row = JsonDocument.Parse(line);
                static Vector2[] Points(JsonElement e) => e.EnumerateArray().Select(p => new Vector2(p[0].GetSingle(), p[1].GetSingle())).ToArray();
                located[row.RootElement.GetProperty("image").GetString()!] = new Located(Points(row.RootElement.GetProperty("points")), Points(row.RootElement.GetProperty("refined")));
            }
        var todo = names.Where(n => !located.ContainsKey(n)).ToList();
        if (todo.Count == 0) return located;
        var watch = Stopwatch.StartNew();
        using var landmarker = new FaceLandmarker(threads: threads);
        using var detector = new FaceDetector(null, new FaceDetectorOptions { Threads = threads });
        using var writer = new StreamWriter(cachePath, append: true);
        var noFace = 0;
        foreach (var name in todo)
        {
            var image = ImageFile.Read(Path.Combine(root, name));
            var faces = detector.Detect(image);
            if (faces.Count == 0)
            {
                noFace++;
                continue;
            }
            var face = FaceSelection.Subject(faces, image.Width, image.Height)!;
            // The default detector located the 68 points already; the refined pass looks again on the box they span.
            var points = face.Landmarks68!.ToArray();
            var (x, y, size) = RefinedBox(points);
            var refined = landmarker.Locate(image, x, y, size, size).ToArray();
            located[name] = new Located(points, refined);
            writer.WriteLine(JsonSerializer.Serialize(new { image = name, points = points.Select(p => new[] { p.X, p.Y }), refined = refined.Select(p => new[] { p.X, p.Y }) }));
        }
        System.Console.WriteLine($"located {todo.Count - noFace} of {todo.Count} images in {watch.Elapsed.TotalSeconds:F0} s ({noFace} without a face)");
        return located;
    }

    /// <summary>A square around the 68 points' bounding box, centred on it, its side 1.2× the box's longer side.</summary>
    private static (float X, float Y, float Size) RefinedBox(Vector2[] points)
    {
        float minX = points.Min(p => p.X), maxX = points.Max(p => p.X), minY = points.Min(p => p.Y), maxY = points.Max(p => p.Y);
        var size = 1.2f * Math.Max(maxX - minX, maxY - minY);
        return ((minX + maxX - size) / 2, (minY + maxY - size) / 2, size);
    }

    /// <summary>dlib's points used by <c>get_face_chip_details</c>: 27–54 and 60–64 (no jaw, eyebrows or lower lip).</summary>
    private static readonly int[] DlibIndices = [.. Enumerable.Range(27, 28), .. Enumerable.Range(60, 5)];

    private static IReadOnlyList<Vector2> DlibPoints(IReadOnlyList<Vector2> points) => DlibIndices.Select(i => points[i]).ToArray();

    /// <summary>
    /// dlib's 68-point mean face (points 17–67, <c>mean_face_shape_x/y</c> of <c>get_face_chip_details</c>) at the indices of
    /// <see cref="DlibIndices"/>, placed on the 150×150 chip with padding 0.25: (0.25 + p)/1.5 × 150.
    /// </summary>
    private static readonly AlignmentTemplate DlibChip = new("dlib150", 150, 150, DlibIndices.Select(i => new Vector2(
        (float)((0.25 + MeanX[i - 17]) / 1.5 * 150), (float)((0.25 + MeanY[i - 17]) / 1.5 * 150))).ToArray());

    private static double[] MeanX => [
        0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124,
        0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036,
        0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918,
        0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
        0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721,
        0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
        0.553364, 0.490127, 0.42689];

    private static double[] MeanY => [
        0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891,
        0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
        0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733,
        0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099,
        0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
        0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
        0.784792, 0.824182, 0.831803, 0.824182];
}
