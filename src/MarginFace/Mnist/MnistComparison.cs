using TorchSharp;
using MarginFace.Training;
using MarginFace.Visualization;

namespace MarginFace.Mnist;

/// <summary>
/// Trains one <see cref="MnistExperiment"/> per loss with the same settings (each in its own sub-directory, each with its
/// recipe's loss parameters) and writes <c>report.html</c> and <c>report.md</c>: a grid of the feature plots and a table of
/// accuracy, angles and time per loss.
/// </summary>
internal static class MnistComparison
{
    /// <summary>Parses "all" or a comma-separated list of loss names.</summary>
    public static IReadOnlyList<string> ParseLosses(string spec)
    {
        if (spec.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return LossRegistry.Names;
        var losses = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.ToLowerInvariant()).ToList();
        var unknown = losses.FirstOrDefault(l => !LossRegistry.Names.Contains(l));
        if (unknown is not null) throw new MarginFaceException($"--compare: unknown loss '{unknown}'; known: {string.Join(", ", LossRegistry.Names)}, or all");
        if (losses.Count == 0) throw new MarginFaceException("--compare: give a comma-separated list of losses, or all");
        return losses;
    }

    /// <summary>
    /// Runs every loss and rewrites the report into <see cref="MnistExperimentOptions.OutputDirectory"/> after each; a loss whose
    /// training diverges is reported through <paramref name="log"/> and left out. <paramref name="runner"/> wraps each run
    /// (e.g. in a progress display) and passes it the callback to train with; returns the report entries.
    /// </summary>
    public static IReadOnlyList<ReportEntry> Run(MnistExperimentOptions baseOptions, IReadOnlyList<string> losses, torch.Device device,
        Func<string, Func<ITrainingCallback?, ReportEntry>, ReportEntry>? runner = null, IProgress<string>? log = null,
        CancellationToken cancellation = default)
    {
        runner ??= (_, run) => run(null);
        foreach (var loss in losses) MnistRecipes.Resolve(OptionsFor(baseOptions, loss)).Validate();
        var entries = new List<ReportEntry>();
        foreach (var loss in losses)
        {
            if (cancellation.IsCancellationRequested) break;
            try
            {
                entries.Add(runner(loss, callback => RunOne(baseOptions, loss, device, callback, log, cancellation)));
            }
            catch (TrainingDivergedException e)
            {
                log?.Report($"{loss}: {e.Message}; continuing with the next loss");
                continue;
            }
            WriteReport(baseOptions, entries);
        }
        return entries;
    }

    /// <summary>Trains <paramref name="loss"/> with the shared settings (its recipe's parameters) into a sub-directory named after it.</summary>
    public static ReportEntry RunOne(MnistExperimentOptions baseOptions, string loss, torch.Device device, ITrainingCallback? callback = null,
        IProgress<string>? log = null, CancellationToken cancellation = default)
    {
        log?.Report($"--- {loss} ---");
        var options = OptionsFor(baseOptions, loss);
        var result = MnistExperiment.Run(options, device, callback, log, cancellation: cancellation);
        return new ReportEntry(loss, result.TestAccuracy, result.MeanIntraClassAngle, result.MinInterClassAngle, result.Epochs.Count,
            result.WallSeconds, result.ImagesPerSecond, result.FeaturePlot, result.NormalizedPlot, MnistRecipes.Describe(options));
    }

    private static MnistExperimentOptions OptionsFor(MnistExperimentOptions baseOptions, string loss) => baseOptions with
    {
        Loss = loss,
        OutputDirectory = Path.Combine(baseOptions.OutputDirectory, loss),
        LossParameters = new Dictionary<string, double>(),
    };

    /// <summary>Writes report.html, report.md and grid.png (the feature plots tiled) for the entries so far.</summary>
    public static void WriteReport(MnistExperimentOptions baseOptions, IReadOnlyList<ReportEntry> entries)
    {
        var dataset = MnistDataset.DisplayName(baseOptions.Dataset);
        ComparisonReport.Write(baseOptions.OutputDirectory, entries,
            $"{dataset}, {baseOptions.FeatureDim}-D features, {baseOptions.Network}, {baseOptions.Epochs} epoch(s) per loss");
        var plots = entries.Select(e => e.FeaturePlotPath).Where(p => p.Length > 0 && File.Exists(p)).ToList();
        if (plots.Count > 0) ImageGrid.Save(Path.Combine(baseOptions.OutputDirectory, "grid.png"), plots);
    }

    /// <summary>Rebuilds the report of a comparison directory from the metrics.json and plots of its sub-directories.</summary>
    public static IReadOnlyList<ReportEntry> Rebuild(string directory)
    {
        if (!Directory.Exists(directory)) throw new MarginFaceException($"{directory}: directory not found");
        var entries = new List<ReportEntry>();
        MnistExperimentOptions? first = null;
        foreach (var loss in LossRegistry.Names)
        {
            var metricsPath = Path.Combine(directory, loss, "metrics.json");
            var configPath = Path.Combine(directory, loss, "config.json");
            if (!File.Exists(metricsPath) || !File.Exists(configPath)) continue;
            try
            {
                using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(metricsPath));
                var root = metrics.RootElement;
                var config = System.Text.Json.JsonSerializer.Deserialize<MnistExperimentOptions>(File.ReadAllText(configPath));
                first ??= config;
                double Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetDouble() : double.NaN;
                var plot = Path.Combine(directory, loss, File.Exists(Path.Combine(directory, loss, "sphere.png")) ? "sphere.png" : "features.png");
                var normalized = Path.Combine(directory, loss, "features-normalized.png");
                entries.Add(new ReportEntry(loss, Number("testAccuracy"), Number("meanIntraClassAngleDegrees"), Number("minInterClassAngleDegrees"),
                    (int)Number("epochsCompleted"), Number("wallSeconds"), Number("imagesPerSecond"), plot, File.Exists(normalized) ? normalized : null,
                    config is null ? null : MnistRecipes.Describe(config)));
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new MarginFaceException($"{metricsPath}: invalid JSON: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        if (entries.Count == 0) throw new MarginFaceException($"{directory}: no <loss>/metrics.json found; run mnist --compare first");
        WriteReport(first! with { OutputDirectory = directory }, entries);
        return entries;
    }
}
