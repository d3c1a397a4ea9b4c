using System.Text.Json;
using MarginFace.Tests.Cli;

namespace MarginFace.Experiments.Tests;

/// <summary>The experiment verbs run as a program (MarginFace.Experiments.dll): fuse, rescore, WCCN of finished lfw-protocol runs.</summary>
public class ExperimentCommandsTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> args) => CliProcess.Run(args, program: "MarginFace.Experiments.dll");

    [Fact]
    public void EvalLfwFuseWritesTheFusedFoldsEveryRunFinishedAndAMissingRunIsOneLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolFusionTests.ThreeFolds);
        var a = LfwProtocolFusionTests.WriteRun(temp.Combine("a"), 1, LfwProtocolFusionTests.WithTrainingFolds(0.9, 0.3, 0.1, 0.2));
        var b = LfwProtocolFusionTests.WriteRun(temp.Combine("b"), 1, LfwProtocolFusionTests.WithTrainingFolds(0.5, 0.8, 0.6, 0.1));
        LfwProtocolFusionTests.WriteRun(a, 2, LfwProtocolFusionTests.WithTrainingFolds(0.9, 0.3, 0.1, 0.2));

        var (exitCode, stdout, stderr) = Run(["lfw-fuse", a, b, "--pairs", temp.Combine("pairs.txt"), "--out", temp.Combine("fused")]);

        Assert.True(exitCode == 0, stderr);
        using (var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("fused", "report.json"))))
        {
            var fold = Assert.Single(json.RootElement.GetProperty("folds").EnumerateArray());
            Assert.Equal(1, fold.GetProperty("fold").GetInt32());
            Assert.Equal(1.0, fold.GetProperty("accuracy").GetDouble());
            Assert.Equal(2, fold.GetProperty("members").GetArrayLength());
        }
        Assert.Contains("the mean score of 2 runs", stdout);

        var (missing, _, error) = Run(["lfw-fuse", a, temp.Combine("c"), "--pairs", temp.Combine("pairs.txt"), "--out", temp.Combine("other")]);

        Assert.Equal(1, missing);
        Assert.Equal($"error: {temp.Combine("c")}: no such run directory", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(temp.Combine("other")));
    }

    [Fact]
    public void EvalLfwRescoreAppliesTheNamedRuleToTheKeptScoresAndAnUnknownRuleIsOneLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolFusionTests.ThreeFolds);
        // Chosen from unseen people at 0.25 (100 %); the other folds' rule chooses 0.45 and misses S 0.3 (75 %).
        var a = LfwProtocolFusionTests.WriteRun(temp.Combine("a"), 1, LfwProtocolFusionTests.WithTrainingFolds(0.9, 0.3, 0.1, 0.2), unseenScores: [0.3, 0.3, 0.3, 0.9]);

        var (exitCode, stdout, stderr) = Run(["lfw-rescore", a, "--pairs", temp.Combine("pairs.txt"), "--threshold", "other-folds", "--out", temp.Combine("other")]);

        Assert.True(exitCode == 0, stderr);
        using (var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("other", "report.json"))))
        {
            var fold = Assert.Single(json.RootElement.GetProperty("folds").EnumerateArray());
            Assert.Equal((0.75, 0.45), (fold.GetProperty("accuracy").GetDouble(), Math.Round(fold.GetProperty("threshold").GetDouble(), 12)));
        }
        Assert.Contains($"fold 1: rescored from the kept scores of {Path.Combine(a, "fold-1")}", stdout);

        var (unknown, _, error) = Run(["lfw-rescore", a, "--pairs", temp.Combine("pairs.txt"), "--threshold", "median", "--out", temp.Combine("median")]);
        Assert.Equal(1, unknown);
        Assert.Equal("error: --threshold: expected other-folds, unseen, unseen-normal-fit or held-out-fold, got 'median'", error.Trim());
        Assert.False(Directory.Exists(temp.Combine("median")));
    }

    [Fact]
    public void EvalLfwWccnOnARunWhoseModelsAreGoneSaysSoInOneLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolFusionTests.ThreeFolds);
        Directory.CreateDirectory(temp.Combine("lfw"));
        var a = LfwProtocolFusionTests.WriteRun(temp.Combine("a"), 1, LfwProtocolFusionTests.WithTrainingFolds(0.9, 0.3, 0.1, 0.2));

        var (exitCode, _, stderr) = Run(["lfw-wccn", a, "--images", temp.Combine("lfw"), "--pairs", temp.Combine("pairs.txt"), "--out", temp.Combine("w")]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {Path.Combine(a, "fold-1", "face.model")}: not found; whitening needs the fold's model (kept scores alone are not enough)", stderr.Trim());
        Assert.False(Directory.Exists(temp.Combine("w")));
    }

    [Fact]
    public void EvalLfwFuseNamesItsOwnKeywordsWhenAFoldIsOutsideThePairsFile()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolFusionTests.ThreeFolds);
        var a = LfwProtocolFusionTests.WriteRun(temp.Combine("a"), 1, LfwProtocolFusionTests.WithTrainingFolds(0.9, 0.3, 0.1, 0.2));
        var b = LfwProtocolFusionTests.WriteRun(temp.Combine("b"), 1, LfwProtocolFusionTests.WithTrainingFolds(0.5, 0.8, 0.6, 0.1));

        var (exitCode, _, stderr) = Run(["lfw-fuse", a, b, "--pairs", temp.Combine("pairs.txt"), "--folds", "4", "--out", temp.Combine("fused")]);

        Assert.Equal(1, exitCode);
        Assert.Equal("error: --folds: expected 'done', 'all' or folds from 1 to 3 separated by commas, got '4'", stderr.Trim());
        Assert.False(Directory.Exists(temp.Combine("fused")));
    }
}
