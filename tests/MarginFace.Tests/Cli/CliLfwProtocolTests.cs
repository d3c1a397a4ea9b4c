using System.Text.Json;
using MarginFace.Tests.Evaluation;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliLfwProtocolTests
{
    private static string WriteConfig(TempDirectory temp)
    {
        var path = temp.Combine("train.json");
        File.WriteAllText(path, """{ "Backbone": "clsnet", "Loss": "arcface", "Epochs": 1, "BatchSize": 4, "Seed": 1, "LearningRate": 0.05 }""");
        return path;
    }

    [Fact]
    public void EvalLfwProtocolWritesBothFoldsAndTheMeanToReportJsonAndSkipsFinishedFoldsOnTheNextRun()
    {
        using var temp = new TempDirectory();
        var images = LfwProtocolTests.WriteLfwIdentities(temp.Combine("lfw"));
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolTests.DisjointPairs);
        string[] args = ["eval", "lfw-protocol", "--images", images, "--pairs", temp.Combine("pairs.txt"), "--folds", "all", "--config", WriteConfig(temp),
            "--out", temp.Combine("out"), "--threads", "1"];

        var (exitCode, stdout, stderr) = CliProcess.Run(args);

        Assert.True(exitCode == 0, stderr);
        using (var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("out", "report.json"))))
        {
            var folds = json.RootElement.GetProperty("folds").EnumerateArray().ToList();
            Assert.Equal([1, 2], folds.Select(f => f.GetProperty("fold").GetInt32()));
            Assert.Equal(folds.Average(f => f.GetProperty("accuracy").GetDouble()), json.RootElement.GetProperty("meanAccuracy").GetDouble(), 12);
            Assert.Equal(JsonValueKind.Number, json.RootElement.GetProperty("standardError").ValueKind);
        }
        Assert.Contains("mean accuracy", stdout);
        var model = temp.Combine("out", "fold-1", "model.bin");
        var written = File.GetLastWriteTimeUtc(model);

        var (again, secondOut, secondErr) = CliProcess.Run(args);

        Assert.True(again == 0, secondErr);
        Assert.Contains("fold 1: done before", secondOut);
        Assert.Equal(written, File.GetLastWriteTimeUtc(model));
    }

    [Fact]
    public void WorkersAndCacheCropsFromTheCommandLineOverrideTheConfigAndLeaveTheScoresAsTheyAre()
    {
        using var temp = new TempDirectory();
        var images = LfwProtocolTests.WriteLfwIdentities(temp.Combine("lfw"));
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolTests.DisjointPairs);
        string[] Args(string output) => ["eval", "lfw-protocol", "--images", images, "--pairs", temp.Combine("pairs.txt"), "--folds", "1",
            "--config", WriteConfig(temp), "--out", temp.Combine(output), "--threads", "1"];

        var plain = CliProcess.Run(Args("plain"));
        var cached = CliProcess.Run([.. Args("cached"), "--workers", "2", "--cache-crops"]);

        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.True(cached.ExitCode == 0, cached.Stderr);
        using (var config = JsonDocument.Parse(File.ReadAllText(temp.Combine("cached", "fold-1", "config.json"))))
        {
            Assert.Equal(2, config.RootElement.GetProperty("Workers").GetInt32());
            Assert.True(config.RootElement.GetProperty("CacheCrops").GetBoolean());
        }
        Assert.Equal(File.ReadAllText(temp.Combine("plain", "fold-1", "scores.tsv")), File.ReadAllText(temp.Combine("cached", "fold-1", "scores.tsv")));
    }

    [Fact]
    public void EvalLfwProtocolRefusesPairsWhoseFoldsShareAPersonInOneLine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolTests.DisjointPairs.Replace("person_2\t4\tperson_3\t4", "person_2\t4\tperson_0\t4"));
        Directory.CreateDirectory(temp.Combine("lfw"));

        var (exitCode, _, stderr) = CliProcess.Run(["eval", "lfw-protocol", "--images", temp.Combine("lfw"), "--pairs", temp.Combine("pairs.txt"),
            "--config", WriteConfig(temp), "--out", temp.Combine("out"), "--threads", "1"]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: {temp.Combine("pairs.txt")}:9: person_0 appears in fold 1 (line 2) and fold 2; the protocol needs identity-disjoint folds", line);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public void EvalLfwProtocolRefusesAFoldOutsideThePairsFile()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolTests.DisjointPairs);

        var (exitCode, _, stderr) = CliProcess.Run(["eval", "lfw-protocol", "--images", temp.Path, "--pairs", temp.Combine("pairs.txt"), "--folds", "3",
            "--config", WriteConfig(temp), "--out", temp.Combine("out")]);

        Assert.Equal(1, exitCode);
        Assert.Equal("error: --folds: expected 'all' or folds from 1 to 2 separated by commas, got '3'", stderr.Trim());
    }

    [Fact]
    public void EvalLfwProtocolRefusesTwoThresholdRulesAtOnceAndUnseenPeopleWhenThereAreNone()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), LfwProtocolTests.DisjointPairs);
        var images = LfwProtocolTests.WriteLfwIdentities(temp.Combine("lfw"));
        string[] Args(params string[] more) => ["eval", "lfw-protocol", "--images", images, "--pairs", temp.Combine("pairs.txt"), "--folds", "1",
            "--config", WriteConfig(temp), "--out", temp.Combine("out"), .. more];

        var (both, _, bothErr) = CliProcess.Run(Args("--held-out-threshold", "--unseen-threshold"));
        var (none, _, noneErr) = CliProcess.Run(Args("--unseen-threshold"));
        var (fit, _, fitErr) = CliProcess.Run(Args("--normal-fit"));

        Assert.Equal(1, both);
        Assert.Equal("error: --held-out-threshold and --unseen-threshold choose the threshold two different ways; give one", bothErr.Trim());
        Assert.Equal(1, none);
        Assert.Equal($"error: {images}: no person with two or more images outside {temp.Combine("pairs.txt")}; a threshold from unseen people needs some", noneErr.Trim());
        Assert.Equal(1, fit);
        Assert.Equal("error: --normal-fit applies to --unseen-threshold; give both", fitErr.Trim());
        Assert.False(Directory.Exists(temp.Combine("out")));
    }
}
