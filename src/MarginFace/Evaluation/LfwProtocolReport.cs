using System.Globalization;
using System.Text.Json;
using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// The result of <see cref="LfwProtocol.Run"/> over the folds run: each fold's result, the mean accuracy μ̂ and its standard error
/// S_E = σ̂/√F with σ̂ = √(Σ(p_k − μ̂)²/(F − 1)) over the F folds run (LFW's README; null for a single fold).
/// </summary>
public sealed record LfwProtocolReport(string PairsFile, IReadOnlyList<LfwProtocolFold> Folds, bool Interrupted)
{
    /// <summary>μ̂, the mean of the folds' accuracies (NaN without folds).</summary>
    public double MeanAccuracy => Folds.Count == 0 ? double.NaN : Folds.Average(f => f.Accuracy);

    /// <summary>S_E = σ̂/√F (see the type); null for fewer than two folds.</summary>
    public double? StandardError
    {
        get
        {
            if (Folds.Count < 2) return null;
            var mean = MeanAccuracy;
            var variance = Folds.Sum(f => (f.Accuracy - mean) * (f.Accuracy - mean)) / (Folds.Count - 1);
            return Math.Sqrt(variance) / Math.Sqrt(Folds.Count);
        }
    }

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes <c>report.json</c> (atomic).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new
    {
        protocol = "LFW View 2, unrestricted with no outside data: each test fold's model is trained on the people of the other folds",
        pairs = PairsFile,
        foldsRun = Folds.Select(f => f.Fold),
        meanAccuracy = Folds.Count == 0 ? (double?)null : MeanAccuracy,
        standardError = StandardError,
        interrupted = Interrupted,
        folds = Folds,
    }, Json));

    /// <summary>A plain-text table: one line per fold, then mean ± standard error.</summary>
    public string ToTable()
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.AppendLine("fold  people  images  epochs  train acc  threshold  accuracy  train time  images/s  hindsight¹");
        foreach (var f in Folds)
            text.AppendLine(string.Format(culture, "{0,4}  {1,6}  {2,6}  {3,6}  {4,9}  {5,9:F4}  {6,6:F2} %  {7,10}  {8,8:F1}  {9,10}",
                f.Fold, f.Identities, f.Images, f.Epochs, f.TrainAccuracy is double a ? (100 * a).ToString("F2", culture) + " %" : "-",
                f.Threshold, 100 * f.Accuracy, TimeSpan.FromSeconds(Math.Round(f.TrainSeconds)).ToString("c", culture), f.ImagesPerSecond,
                f.HindsightAccuracy is double h ? (100 * h).ToString("F2", culture) + " %" : "-"));
        var heldOut = Folds.Where(f => f.ThresholdFold is not null).ToList();
        if (heldOut.Count > 0)
            text.AppendLine("thresholds chosen on held-out folds (not trained on): " + string.Join(", ", heldOut.Select(f => $"fold {f.Fold} on fold {f.ThresholdFold}")));
        var unseen = Folds.Where(f => f.UnseenPeople is not null).ToList();
        if (unseen.Count > 0)
            text.AppendLine("thresholds chosen from unseen people (named by no pair, not trained on) and the other folds' different-person pairs: " +
                string.Join(", ", unseen.Select(f => $"fold {f.Fold} from {f.UnseenPairs} pairs of {f.UnseenPeople} people{(f.UnseenNormalFit ? " (normal fit)" : "")}")));
        foreach (var f in Folds.Where(f => f.Members is not null))
            text.AppendLine(f.Members!.Count == 1
                ? (f.Scoring == LfwPairScoring.Wccn
                    ? $"fold {f.Fold}: within-class whitened scores (WCCN fitted on the training people) of {f.Members[0]}"
                    : $"fold {f.Fold}: rescored from the kept scores of {f.Members[0]}{(f.Scoring == LfwPairScoring.Cosine ? "" : " (mixed scoring)")}")
                : $"fold {f.Fold}: the mean score of {f.Members.Count} runs ({string.Join(", ", f.Members)}); train time and epochs are their sums");
        if (Folds.Count > 0)
            text.AppendLine(StandardError is double se
                ? string.Format(culture, "mean accuracy {0:F2} % ± {1:F2} % (standard error over {2} folds)", 100 * MeanAccuracy, 100 * se, Folds.Count)
                : string.Format(culture, "accuracy {0:F2} % (one fold: no standard error)", 100 * MeanAccuracy));
        if (Folds.Count > 0) text.AppendLine("¹ accuracy at the threshold best for the fold's own pairs: looks at the test fold, not a protocol result");
        if (Interrupted) text.AppendLine("interrupted: run the same command again to continue");
        return text.ToString();
    }
}
