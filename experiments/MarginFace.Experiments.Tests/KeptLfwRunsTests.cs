using System.Globalization;
using MarginFace.Evaluation;

namespace MarginFace.Experiments.Tests;

/// <summary>
/// The fold results kept in the repository (the numbers of README.md and docs/evaluation.md), which later sessions rescore:
/// each reads as its fold, each fold's kept scores give its kept accuracy and threshold again under its own rule, and the
/// README's means over the folds are the means of the kept results.
/// </summary>
public class KeptLfwRunsTests
{
    /// <summary>Where the kept runs live, relative to the repository's root (the one place to change if they move).</summary>
    public const string KeptRunsPath = "experiments/lfw-runs";

    public static TheoryData<string> Results => new(Directory.GetFiles(Folder(), "result.json", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(Folder(), p)).Order());

    /// <summary>The kept runs whose folds hold their own scores.tsv.</summary>
    public static TheoryData<string> RunsWithScores => new(Directory.GetDirectories(Folder())
        .Where(run => Directory.GetFiles(run, "scores.tsv", SearchOption.AllDirectories).Length > 0).Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Results))]
    public void Every_kept_fold_result_reads_as_the_fold_its_folder_names(string relative)
    {
        var fold = LfwProtocol.ReadResult(Path.Combine(Folder(), relative));

        Assert.Equal($"fold-{fold.Fold}", Path.GetFileName(Path.GetDirectoryName(relative)));
        Assert.InRange(fold.Accuracy, 0.5, 1.0);
    }

    [SharedDataTheory("data/lfw/pairs.txt")]
    [MemberData(nameof(RunsWithScores))]
    public void Every_kept_folds_scores_give_its_kept_accuracy_and_threshold_again(string run)
    {
        var kept = KeptFolds(run);
        using var work = new TempDirectory();
        var rescored = Rescore(run, kept, work.Path);
        Assert.Equal(kept.Keys.Order(), rescored.Folds.Select(f => f.Fold).Order());
        foreach (var fold in rescored.Folds)
        {
            Assert.Equal(kept[fold.Fold].Accuracy, fold.Accuracy, 12);
            Assert.Equal(kept[fold.Fold].Threshold, fold.Threshold, 9);
        }
    }

    [SharedDataFact("data/lfw/pairs.txt")]
    public void V13_is_v12s_kept_scores_under_the_unseen_normal_fit_rule()
    {
        var kept = KeptFolds("v13");
        Assert.All(kept.Values, f => Assert.Equal(LfwThresholdRule.UnseenNormalFit, f.Rule));
        using var work = new TempDirectory();
        var rescored = LfwProtocolFusion.Rescore(Pairs(), Path.Combine(Folder(), "v12"), [.. kept.Keys.Order()], work.Path, LfwThresholdRule.UnseenNormalFit);
        foreach (var fold in rescored.Folds) Assert.Equal(kept[fold.Fold].Accuracy, fold.Accuracy, 12);
    }

    /// <summary>
    /// The LFW protocol means that README.md and experiments/README.md state (mean ± standard error over the folds, as
    /// <c>eval lfw-protocol</c> prints them) are those of the kept results.
    /// </summary>
    [SharedDataFact("data/lfw/pairs.txt")]
    public void The_stated_lfw_means_are_the_means_of_the_kept_folds()
    {
        var readme = File.ReadAllText(RepositoryFolder.Combine("README.md"));
        var experiments = File.ReadAllText(RepositoryFolder.Combine("experiments", "README.md"));
        string Mean(IEnumerable<LfwProtocolFold> folds)
        {
            var report = new LfwProtocolReport("pairs.txt", [.. folds], false);
            return $"{(100 * report.MeanAccuracy).ToString("0.00", CultureInfo.InvariantCulture)} % ± {(100 * report.StandardError!.Value).ToString("0.00", CultureInfo.InvariantCulture)} %";
        }

        Assert.Contains($"| {Mean(KeptFolds("v12").Values)} |", readme);
        Assert.Contains($"| {Mean(KeptFolds("v13").Values)} |", readme);
        Assert.Contains($"one `v8` model gives {Mean(KeptFolds("v8").Values)}", experiments);
        Assert.Contains($"fused (declared before any fused score) {Mean(KeptFolds("fuse-v8-v11").Values)}", experiments);
        using var work = new TempDirectory();
        var nineFolds = LfwProtocolFusion.Rescore(Pairs(), Path.Combine(Folder(), "v12"), null, work.Path, LfwThresholdRule.OtherFolds);
        Assert.Equal(10, nineFolds.Folds.Count);
        Assert.Contains($"ten models {Mean(nineFolds.Folds)}", experiments);
    }

    private static LfwProtocolReport Rescore(string run, IReadOnlyDictionary<int, LfwProtocolFold> kept, string output)
    {
        var rule = Assert.Single(kept.Values.Select(f => f.Rule).Distinct());
        return LfwProtocolFusion.Rescore(Pairs(), Path.Combine(Folder(), run), [.. kept.Keys.Order()], output, rule);
    }

    private static Dictionary<int, LfwProtocolFold> KeptFolds(string run) =>
        Directory.GetFiles(Path.Combine(Folder(), run), "result.json", SearchOption.AllDirectories)
            .Select(LfwProtocol.ReadResult).ToDictionary(f => f.Fold);

    private static LfwPairs Pairs() => LfwPairs.Read(SharedData.LfwPairsFile);

    private static string Folder() => RepositoryFolder.Combine(KeptRunsPath.Split('/'));
}
