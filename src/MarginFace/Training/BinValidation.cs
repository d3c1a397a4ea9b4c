using System.Globalization;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// <c>train --val lfw.bin,cfp_fp.bin,…</c>: after every epoch, arcface_torch's verification accuracy
/// (<see cref="ArcFaceVerificationRule"/>: flip-summed normalised embeddings, 10 file-order folds) on each InsightFace <c>.bin</c>
/// set, as arcface_torch's <c>CallBackVerification</c> reports it. The sets are read once, before training (their JPEG bytes stay
/// in memory, decoded a batch at a time each epoch). Their images are aligned crops already, so a landmark crop is not applied
/// to them; <c>none</c> and <c>center:SIZE</c> are, as to the training images.
/// </summary>
internal sealed class BinValidation
{
    private readonly IReadOnlyList<(string Name, VerificationBin Set)> _sets;
    private readonly Dictionary<int, ArcFaceVerificationResult[]> _results = [];

    private BinValidation(IReadOnlyList<(string, VerificationBin)> sets) => _sets = sets;

    /// <summary>The sets' names: each file's name without <c>.bin</c> (<c>lfw</c>, <c>cfp_fp</c>, …).</summary>
    public IReadOnlyList<string> Names => [.. _sets.Select(s => s.Name)];

    /// <summary>Reads every set of <paramref name="paths"/>; null when there are none. Each problem is one line naming the file.</summary>
    public static BinValidation? Open(IReadOnlyList<string>? paths)
    {
        if (paths is null || paths.Count == 0) return null;
        var sets = new List<(string, VerificationBin)>();
        foreach (var path in paths)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (sets.Any(s => s.Item1 == name))
                throw new MarginFaceException($"FaceTrainingOptions.ValidationBins: two sets named '{name}' ({path}); each .bin needs its own file name");
            var set = VerificationBin.Read(path);
            if (set.Pairs.Count < ArcFaceVerificationRule.DefaultFolds)
                throw new MarginFaceException($"{path}: {set.Pairs.Count} pairs; arcface_torch's rule needs at least {ArcFaceVerificationRule.DefaultFolds} (one a fold)");
            sets.Add((name, set));
        }
        return new BinValidation(sets);
    }

    /// <summary>Embeds every set with <paramref name="module"/> (in evaluation mode) and scores it; the results are kept for <paramref name="epoch"/>.</summary>
    public IReadOnlyList<ArcFaceVerificationResult> Evaluate(int epoch, nn.Module<Tensor, Tensor> module, FacePreprocessing preprocessing, Device device)
    {
        var input = preprocessing.Crop is LandmarkFaceCrop ? preprocessing with { Crop = FaceCrop.None } : preprocessing;
        var results = new ArcFaceVerificationResult[_sets.Count];
        for (int k = 0; k < _sets.Count; k++)
        {
            var set = _sets[k].Set;
            var (first, second) = set.Embed(images => FaceModel.Embed(module, input, device, images, flip: true));
            results[k] = ArcFaceVerificationRule.Evaluate(first, second, set.SameLabels());
        }
        _results[epoch] = results;
        return results;
    }

    /// <summary>The mean accuracy over the sets at <paramref name="epoch"/>.</summary>
    public double MeanAccuracy(int epoch) => _results[epoch].Average(r => r.Accuracy);

    /// <summary>"lfw 99.10 %, cfp_fp 90.20 %" for <paramref name="epoch"/>, or empty when it was not evaluated.</summary>
    public string Summary(int epoch) => _results.TryGetValue(epoch, out var results)
        ? string.Join(", ", results.Select((r, k) => string.Format(CultureInfo.InvariantCulture, "{0} {1:0.00} %", _sets[k].Name, 100 * r.Accuracy)))
        : "";

    /// <summary>Adds <c>binAccuracy</c> (set name → {accuracy, accuracyStd}) to each <c>metrics.json</c> row of an evaluated epoch.</summary>
    public void AddTo(IReadOnlyList<Dictionary<string, object?>> rows)
    {
        foreach (var row in rows)
        {
            if (row["epoch"] is not int epoch || !_results.TryGetValue(epoch, out var results)) continue;
            row["binAccuracy"] = Enumerable.Range(0, _sets.Count).ToDictionary(k => _sets[k].Name,
                k => new Dictionary<string, double> { ["accuracy"] = results[k].Accuracy, ["accuracyStd"] = results[k].AccuracyStd });
        }
    }

    /// <summary>Each set's accuracy per epoch of <paramref name="epochs"/> (NaN where not evaluated), for the curves.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<double> Values)> Curves(IEnumerable<int> epochs)
    {
        var list = epochs.ToList();
        return [.. _sets.Select((s, k) => (s.Name, (IReadOnlyList<double>)list.Select(e => _results.TryGetValue(e, out var r) ? r[k].Accuracy : double.NaN).ToList()))];
    }
}
