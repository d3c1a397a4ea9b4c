namespace MarginFace.Benchmarks;

/// <summary>
/// One network of the train suite with its settings resolved: backbone name, margin head and its parameters, embedding size,
/// batch size and class count.
/// </summary>
internal sealed record TrainBenchmarkCase(string Network, string Head, IReadOnlyDictionary<string, double> HeadParameters, int Batch, int Classes)
{
    /// <summary>The head and its parameters as one word, e.g. <c>arcface(s=64,m=0.5)</c>.</summary>
    public string HeadLabel => $"{Head}({string.Join(",", HeadParameters.Select(p => $"{p.Key}={p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"))})";
}
