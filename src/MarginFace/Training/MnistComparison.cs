using MarginFace.Runtime;
using MarginFace.Visualization;
using TorchSharp;

namespace MarginFace.Training;

/// <summary>
/// Trains one <see cref="MnistExperiment"/> per loss with the same settings (each in its own sub-directory, each with its
/// recipe's loss parameters) and writes <c>report.html</c> and <c>report.md</c>: a grid of the feature plots and a table of
/// accuracy, angles and time per loss.
/// </summary>
public static class MnistComparison
{
    /// <summary>Parses "all" or a comma-separated list of loss names.</summary>
    public static IReadOnlyList<string> ParseLosses(string spec)
    {
        if (spec.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return MnistObjectives.Names;
        var losses = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.ToLowerInvariant()).ToList();
        var unknown = losses.FirstOrDefault(l => !MnistObjectives.Names.Contains(l));
        if (unknown is not null) throw new MarginFaceException($"--compare: unknown loss '{unknown}'; known: {string.Join(", ", MnistObjectives.Names)}, or all");
        if (losses.Count == 0) throw new MarginFaceException("--compare: give a comma-separated list of losses, or all");
        return losses;
    }

    /// <summary>Runs every loss and writes the report into <see cref="MnistExperimentOptions.OutputDirectory"/>; returns the report entries.</summary>
    public static IReadOnlyList<ReportEntry> Run(MnistExperimentOptions baseOptions, IReadOnlyList<string> losses, torch.Device device,
        Func<string, ITrainingCallback?>? callbackFor = null, IProgress<string>? log = null, CancellationToken cancellation = default)
    {
        var entries = new List<ReportEntry>();
        foreach (var loss in losses)
        {
            if (cancellation.IsCancellationRequested) break;
            entries.Add(RunOne(baseOptions, loss, device, callbackFor?.Invoke(loss), log, cancellation));
            WriteReport(baseOptions, entries);
        }
        return entries;
    }

    /// <summary>Trains <paramref name="loss"/> with the shared settings (its recipe's parameters) into a sub-directory named after it.</summary>
    public static ReportEntry RunOne(MnistExperimentOptions baseOptions, string loss, torch.Device device, ITrainingCallback? callback = null,
        IProgress<string>? log = null, CancellationToken cancellation = default)
    {
        log?.Report($"--- {loss} ---");
        var options = baseOptions with
        {
            Loss = loss,
            OutputDirectory = Path.Combine(baseOptions.OutputDirectory, loss),
            LossParameters = new Dictionary<string, double>(),
        };
        var result = MnistExperiment.Run(options, device, callback, log, cancellation: cancellation);
        return new ReportEntry(loss, result.TestAccuracy, result.MeanIntraClassAngle, result.MinInterClassAngle, result.Epochs.Count,
            result.WallSeconds, result.ImagesPerSecond, result.FeaturePlot, result.NormalizedPlot);
    }

    /// <summary>Writes report.html and report.md for the entries so far.</summary>
    public static void WriteReport(MnistExperimentOptions baseOptions, IReadOnlyList<ReportEntry> entries)
    {
        var dataset = baseOptions.Dataset == Data.DatasetKind.Mnist ? "MNIST" : "Fashion-MNIST";
        ComparisonReport.Write(baseOptions.OutputDirectory, entries,
            $"{dataset}, {baseOptions.FeatureDim}-D features, {baseOptions.Network}, {baseOptions.Epochs} epoch(s) per loss");
    }
}
