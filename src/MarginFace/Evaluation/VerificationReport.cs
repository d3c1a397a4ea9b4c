using System.Globalization;
using System.Text.Json;
using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// Everything <c>marginface eval lfw</c> reports about a set of scored pairs: the k-fold accuracy of <see cref="VerificationProtocol"/>
/// (fractions in [0, 1]) and the ROC summaries of <see cref="RocCurve"/> over all pairs. <see cref="TarAtFar"/> is keyed by the FAR as
/// written in <see cref="FarTargets"/> ("1e-2", "1e-3").
/// </summary>
public sealed record VerificationReport(int Pairs, double MeanAccuracy, double StandardError, IReadOnlyList<FoldResult> Folds,
    double Auc, double Eer, IReadOnlyDictionary<string, double> TarAtFar)
{
    /// <summary>The FARs at which TAR is reported, with their names in <c>report.json</c>.</summary>
    public static IReadOnlyList<(string Name, double Far)> FarTargets { get; } = [("1e-2", 1e-2), ("1e-3", 1e-3)];

    /// <summary>Runs the protocol and the ROC analysis; also returns the curve (for plotting).</summary>
    public static (VerificationReport Report, RocCurve Roc) Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> same, IReadOnlyList<int> folds)
    {
        var accuracy = VerificationProtocol.Evaluate(scores, same, folds);
        var roc = RocCurve.Compute(scores, same);
        var tar = FarTargets.ToDictionary(t => t.Name, t => roc.TarAtFar(t.Far));
        return (new VerificationReport(scores.Count, accuracy.MeanAccuracy, accuracy.StandardError, accuracy.Folds, roc.Auc, roc.Eer, tar), roc);
    }

    /// <summary>
    /// Writes <c>report.json</c> atomically: <c>pairs</c>, <c>meanAccuracy</c>, <c>standardError</c>, <c>folds</c> (each <c>accuracy</c>,
    /// <c>threshold</c>), <c>auc</c>, <c>eer</c>, <c>tarAtFar</c> (<c>{"1e-2": …, "1e-3": …}</c>).
    /// </summary>
    public void Save(string path)
    {
        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteNumber("pairs", Pairs);
            json.WriteNumber("meanAccuracy", MeanAccuracy);
            json.WriteNumber("standardError", StandardError);
            json.WriteStartArray("folds");
            foreach (var fold in Folds)
            {
                json.WriteStartObject();
                json.WriteNumber("accuracy", fold.Accuracy);
                json.WriteNumber("threshold", fold.Threshold);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("auc", Auc);
            json.WriteNumber("eer", Eer);
            json.WriteStartObject("tarAtFar");
            foreach (var (name, value) in TarAtFar) json.WriteNumber(name, value);
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <summary>The report as a plain-text table: one row per fold, then the summaries (accuracies in percent).</summary>
    public string ToTable()
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new System.Text.StringBuilder();
        text.AppendLine("fold  pairs  accuracy  threshold");
        for (int k = 0; k < Folds.Count; k++)
            text.AppendLine(string.Format(culture, "{0,4}  {1,5}  {2,7:F2} %  {3,9:G6}", k + 1, Folds[k].Pairs, 100 * Folds[k].Accuracy, Folds[k].Threshold));
        text.AppendLine(string.Format(culture, "mean accuracy  {0:F2} % ± {1:F2} % (standard error, {2} folds, {3} pairs)", 100 * MeanAccuracy, 100 * StandardError, Folds.Count, Pairs));
        text.AppendLine(string.Format(culture, "AUC            {0:F4}", Auc));
        text.AppendLine(string.Format(culture, "EER            {0:F2} %", 100 * Eer));
        foreach (var (name, value) in TarAtFar) text.AppendLine(string.Format(culture, "TAR@FAR={0,-5}  {1:F2} %", name, 100 * value));
        return text.ToString();
    }
}
