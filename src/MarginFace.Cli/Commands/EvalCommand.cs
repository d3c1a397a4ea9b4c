using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MarginFace.Evaluation;
using MarginFace.Visualization;

namespace MarginFace.Cli.Commands;

/// <summary>
/// <c>marginface eval</c>: evaluate face embeddings or scores. <c>eval lfw</c> runs the LFW 10-fold verification protocol on a pairs file
/// (see docs/evaluation.md).
/// </summary>
internal static class EvalCommand
{
    public static Command Create() => new("eval", "Evaluate face recognition: verification on LFW-style pairs, identification")
    {
        CreateLfw(),
    };

    private static Command CreateLfw()
    {
        var pairs = new Option<string>("--pairs") { Description = "pairs file in LFW's pairs.txt format (header 'N M', N folds of M same + M different pairs)", Required = true };
        var scores = new Option<string?>("--scores") { Description = "TSV of pair scores with header 'name1 n1 name2 n2 score' (higher = more similar)" };
        var embeddings = new Option<string?>("--embeddings") { Description = "JSON Lines embeddings file ({\"image\": PATH, \"embedding\": [...]} per line); scores are cosines" };
        var output = new Option<string?>("--out") { Description = "directory for report.json and roc.png" };
        var command = new Command("lfw", "LFW 10-fold verification: per-fold accuracy and threshold, mean ± standard error, AUC, EER, TAR@FAR")
        {
            pairs, scores, embeddings, output,
        };
        command.SetAction(parse =>
        {
            var pairsPath = parse.GetValue(pairs)!;
            var scoresPath = parse.GetValue(scores);
            var embeddingsPath = parse.GetValue(embeddings);
            if ((scoresPath is null) == (embeddingsPath is null))
                throw new MarginFaceException("give the pairs' scores with exactly one of --scores FILE or --embeddings FILE");
            var watch = Stopwatch.StartNew();
            var pairSet = LfwPairs.Read(pairsPath);
            if (pairSet.Folds < 2) throw new MarginFaceException($"{pairsPath}: the protocol needs at least two folds, the header gives {pairSet.Folds}");
            double[] pairScores;
            string label;
            if (scoresPath is not null)
            {
                pairScores = ScoresFile.Read(scoresPath, pairSet);
                label = Path.GetFileName(scoresPath);
            }
            else
            {
                pairScores = CosineScores.ForPairs(pairSet, EmbeddingSource(embeddingsPath!));
                label = Path.GetFileName(embeddingsPath!);
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
