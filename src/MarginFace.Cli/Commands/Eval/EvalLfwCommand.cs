using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.Visualization;

namespace MarginFace.Cli.Commands.Eval;

/// <summary><c>marginface eval lfw</c>: the 10-fold verification protocol on a pairs file from a model, an embeddings file or a scores file.</summary>
internal static class EvalLfwCommand
{
    public static Command Create()
    {
        var pairs = new Option<string>("--pairs") { Description = "pairs file in LFW's pairs.txt format (header 'N M', N folds of M same + M different pairs)", Required = true };
        var scores = new Option<string?>("--scores") { Description = "TSV of pair scores with header 'name1 n1 name2 n2 score' (higher = more similar)" };
        var embeddings = new Option<string?>("--embeddings") { Description = "JSON Lines embeddings file ({\"image\": PATH, \"embedding\": [...]} per line); scores are cosines" };
        var model = new Option<string?>("--model") { Description = $"{FaceModelOptions.Help}: with --images, embeds the pairs' images with its own input size, crop and normalisation" };
        var images = new Option<string?>("--images") { Description = "the directory the pairs' images are under (<name>/<name>_<nnnn>.jpg), embedded with --model (default: pretrained)" };
        var flip = new Option<bool>("--flip") { Description = "with --model: add the mirror image's embedding before normalising, as arcface_torch evaluates (default on; --flip false to turn it off)", DefaultValueFactory = _ => true };
        var crop = new Option<string?>("--crop") { Description = "with --model: the crop of each image instead of the model's own (none, center:SIZE, landmarks[:112|96x112|128|150]: YuNet + 5-point alignment)" };
        var output = new Option<string?>("--out") { Description = "directory for report.json and roc.png" };
        var command = new Command("lfw", "LFW 10-fold verification: per-fold accuracy and threshold, mean ± standard error, AUC, EER, TAR@FAR")
        {
            pairs, scores, embeddings, model, images, flip, crop, output,
        };
        var models = new FaceModelOptions();
        models.AddTo(command);
        command.SetAction(parse =>
        {
            var pairsPath = parse.GetValue(pairs)!;
            var scoresPath = parse.GetValue(scores);
            var embeddingsPath = parse.GetValue(embeddings);
            var modelPath = parse.GetValue(model);
            // --images alone embeds with the default model.
            if (modelPath is null && parse.GetValue(images) is not null && scoresPath is null && embeddingsPath is null) modelPath = FaceModelOptions.Default;
            if ((scoresPath is null ? 0 : 1) + (embeddingsPath is null ? 0 : 1) + (modelPath is null ? 0 : 1) != 1)
                throw new MarginFaceException("give the pairs' scores with exactly one of --scores FILE, --embeddings FILE or --images DIR [--model M]");
            if ((modelPath is null) != (parse.GetValue(images) is null))
                throw new MarginFaceException("--model and --images go together");
            if (modelPath is null && parse.GetValue(crop) is not null) throw new MarginFaceException("--crop applies to --model");
            FaceCrop? cropOverride = null;
            if (parse.GetValue(crop) is string cropText)
            {
                try
                {
                    cropOverride = FaceCrop.Parse(cropText);
                }
                catch (Exception e) when (e is ArgumentException or MarginFaceException)
                {
                    throw new MarginFaceException($"--crop: {e.Message.Split(" (Parameter")[0]}");
                }
            }
            var watch = Stopwatch.StartNew();
            var pairSet = ProtocolArguments.ReadPairs(pairsPath);
            double[] pairScores;
            string label;
            if (scoresPath is not null)
            {
                pairScores = ScoresFile.Read(scoresPath, pairSet);
                label = Path.GetFileName(scoresPath);
            }
            else if (embeddingsPath is not null)
            {
                pairScores = CosineScores.ForPairs(pairSet, EmbeddingSource(embeddingsPath));
                label = Path.GetFileName(embeddingsPath);
            }
            else
            {
                var imagesDirectory = parse.GetValue(images)!;
                pairSet.CheckImages(imagesDirectory);
                using var faceModel = models.Open(parse, modelPath!);
                var preprocessing = cropOverride is null ? faceModel.Preprocessing : faceModel.Preprocessing with { Crop = cropOverride };
                var source = new FaceModelFolderEmbeddings(imagesDirectory, faceModel, parse.GetValue(flip), preprocessing: preprocessing);
                pairScores = CosineScores.ForPairs(pairSet, source);
                if (source.Unaligned.Count > 0)
                    System.Console.Error.WriteLine($"{source.Unaligned.Count} image(s) with no face found, embedded whole: {string.Join(", ", source.Unaligned.Take(10))}{(source.Unaligned.Count > 10 ? ", …" : "")}");
                label = $"{Path.GetFileName(modelPath)} ({faceModel.Info.Backbone}, model {faceModel.Info.ModelId}, crop {preprocessing.Crop}{(parse.GetValue(flip) ? ", flip" : "")})";
            }
            var read = watch.Elapsed;
            watch.Restart();
            var (report, roc) = VerificationReport.Compute(pairScores, pairSet.SameLabels(), pairSet.FoldIndices());
            watch.Stop();
            System.Console.WriteLine($"pairs: {pairsPath} ({pairSet.Folds} folds x {pairSet.PairsPerClass} same + {pairSet.PairsPerClass} different), scores: {label}");
            System.Console.Write(report.ToTable());
            System.Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "read in {0:F0} ms, evaluated in {1:F0} ms", read.TotalMilliseconds, watch.Elapsed.TotalMilliseconds));
            if (parse.GetValue(output) is string outDir)
            {
                report.Save(Path.Combine(outDir, "report.json"));
                RocPlot.Save(Path.Combine(outDir, "roc.png"), roc, $"ROC, {Path.GetFileName(pairsPath)} ({report.Pairs} pairs)", label);
                System.Console.WriteLine($"wrote {Path.Combine(outDir, "report.json")} and {Path.Combine(outDir, "roc.png")}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The embeddings of the pairs' images. A model input (<c>--model FILE --images DIR</c>) is another <see cref="IEmbeddingSource"/>.</summary>
    private static IEmbeddingSource EmbeddingSource(string embeddingsPath) => new EmbeddingLookup(EmbeddingsFile.Read(embeddingsPath), embeddingsPath);
}
