using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands.Eval;

/// <summary>
/// <c>marginface eval bin FILE.bin</c>: an InsightFace verification set (<c>lfw.bin</c>, <c>cfp_fp.bin</c>, <c>agedb_30.bin</c>, …)
/// scored by arcface_torch's own rule (<see cref="ArcFaceVerificationRule"/>) and by MarginFace's report (<see cref="VerificationReport"/>,
/// cosine scores in the same 10 file-order folds).
/// </summary>
internal static class EvalBinCommand
{
    private const int Batch = 64;

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "an InsightFace .bin verification set (pickled JPEGs, pairs consecutive, and the same/different flags)" };
        var model = new Option<string?>("--model") { Description = $"{FaceModelOptions.Help}; the .bin images are already aligned crops, so the model's own face crop is skipped" };
        var flip = new Option<bool>("--flip") { Description = "add the mirror image's embedding before normalising, as arcface_torch evaluates (default on; --flip false to turn it off)", DefaultValueFactory = _ => true };
        var output = new Option<string?>("--out") { Description = "directory for report.json" };
        var command = new Command("bin", "Verification on an InsightFace .bin set: arcface_torch's accuracy ± std and VAL@FAR=1e-3, and MarginFace's ROC/EER/TAR@FAR")
        {
            file, model, flip, output,
        };
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var modelPath = parse.GetValue(model) ?? FaceModelOptions.Default;
            var flipped = parse.GetValue(flip);
            var watch = Stopwatch.StartNew();
            var set = VerificationBin.Read(path);
            var same = set.SameLabels();
            if (set.Pairs.Count < ArcFaceVerificationRule.DefaultFolds)
                throw new MarginFaceException($"{path}: {set.Pairs.Count} pairs; arcface_torch's rule needs at least {ArcFaceVerificationRule.DefaultFolds} (one a fold)");
            var folds = ArcFaceVerificationRule.FoldIndices(set.Pairs.Count);
            using var faceModel = models.Open(parse, modelPath);
            var preprocessing = faceModel.Preprocessing with { Crop = FaceCrop.None };
            var (first, second) = set.Embed(images => faceModel.Embed(images, preprocessing, flipped, 2 * Batch), Batch);
            var embedded = watch.Elapsed;
            watch.Restart();
            var arcface = ArcFaceVerificationRule.Evaluate(first, second, same, ArcFaceVerificationRule.DefaultFolds);
            var scores = first.Select((e, i) => Cosine(e, second[i])).ToArray();
            var (report, _) = VerificationReport.Compute(scores, same, folds);
            watch.Stop();
            var label = $"{Path.GetFileName(modelPath)} ({faceModel.Info.Backbone}, model {faceModel.Info.ModelId}, crop none{(flipped ? ", flip" : "")})";
            var culture = CultureInfo.InvariantCulture;
            System.Console.WriteLine($"bin: {path} ({set.Pairs.Count} pairs: {same.Count(s => s)} same, {same.Count(s => !s)} different), model: {label}");
            System.Console.WriteLine(string.Format(culture, "arcface_torch accuracy  {0:F2} % ± {1:F2} % (std, {2} folds), thresholds {3:F2}–{4:F2} (squared distance)",
                100 * arcface.Accuracy, 100 * arcface.AccuracyStd, arcface.FoldAccuracies.Count, arcface.FoldThresholds.Min(), arcface.FoldThresholds.Max()));
            System.Console.WriteLine(string.Format(culture, "arcface_torch VAL@FAR=1e-3  {0:F2} % ± {1:F2} % (FAR {2:G3})", 100 * arcface.Val, 100 * arcface.ValStd, arcface.Far));
            System.Console.WriteLine("MarginFace (cosine scores, the same folds):");
            System.Console.Write(report.ToTable());
            System.Console.WriteLine(string.Format(culture, "read and embedded in {0:F0} ms, evaluated in {1:F0} ms", embedded.TotalMilliseconds, watch.Elapsed.TotalMilliseconds));
            if (parse.GetValue(output) is string outDir)
            {
                var reportPath = Path.Combine(outDir, "report.json");
                Directory.CreateDirectory(outDir);
                report.Save(reportPath);
                var json = JsonNode.Parse(File.ReadAllText(reportPath))!.AsObject();
                json["file"] = path;
                json["model"] = label;
                json["arcfaceTorch"] = new JsonObject
                {
                    ["accuracy"] = Number(arcface.Accuracy),
                    ["accuracyStd"] = Number(arcface.AccuracyStd),
                    ["foldAccuracies"] = new JsonArray(arcface.FoldAccuracies.Select(Number).ToArray()),
                    ["foldThresholds"] = new JsonArray(arcface.FoldThresholds.Select(Number).ToArray()),
                    ["valAtFar1e-3"] = Number(arcface.Val),
                    ["valStd"] = Number(arcface.ValStd),
                    ["far"] = Number(arcface.Far),
                };
                AtomicFile.WriteAllText(reportPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                System.Console.WriteLine($"wrote {reportPath}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>JSON has no NaN: a VAL arcface_torch could not compute is written as null.</summary>
    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var k = 0; k < a.Length; k++)
        {
            dot += (double)a[k] * b[k];
            na += (double)a[k] * a[k];
            nb += (double)b[k] * b[k];
        }
        return na > 0 && nb > 0 ? dot / Math.Sqrt(na * nb) : 0;
    }
}
