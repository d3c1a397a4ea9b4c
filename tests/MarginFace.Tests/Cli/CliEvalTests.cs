using System.Text.Json;
using MarginFace.Evaluation;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliEvalTests
{
    /// <summary>Two folds of two same and two different pairs.</summary>
    private const string PairsText = "2\t2\nAlice\t1\t2\nBob\t1\t3\nAlice\t1\tCarol\t1\nBob\t2\tDan\t1\nErin\t1\t2\nFrank\t2\t4\nErin\t1\tGina\t1\nFrank\t1\tHal\t2\n";

    private const string ScoresText = "name1\tn1\tname2\tn2\tscore\n" +
        "Frank\t1\tHal\t2\t0.2\nAlice\t1\tAlice\t2\t0.9\nBob\t1\tBob\t3\t0.7\nAlice\t1\tCarol\t1\t0.1\nBob\t2\tDan\t1\t0.3\n" +
        "Erin\t1\tErin\t2\t0.8\nFrank\t2\tFrank\t4\t0.6\nErin\t1\tGina\t1\t0.4\n";

    [Fact]
    public void LfwWithScoresPrintsTheTableAndWritesReportAndRoc()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), PairsText);
        File.WriteAllText(temp.Combine("scores.tsv"), ScoresText);
        var (exitCode, stdout, stderr) = CliProcess.Run(["eval", "lfw", "--pairs", temp.Combine("pairs.txt"), "--scores", temp.Combine("scores.tsv"), "--out", temp.Combine("out")]);
        Assert.True(exitCode == 0, stderr);
        // Fold 1 trains on fold 2 (0.2 D, 0.4 D, 0.6 S, 0.8 S): t = 0.5; fold 2 on fold 1 (0.1 D, 0.3 D, 0.7 S, 0.9 S): t = 0.5. Both 100 %.
        Assert.Contains("   1      4   100.00 %        0.5", stdout);
        Assert.Contains("mean accuracy  100.00 % ± 0.00 %", stdout);
        Assert.Contains("AUC            1.0000", stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("out", "report.json")));
        Assert.Equal(1.0, json.RootElement.GetProperty("meanAccuracy").GetDouble());
        Assert.Equal(0.5, json.RootElement.GetProperty("folds")[1].GetProperty("threshold").GetDouble());
        Assert.True(File.Exists(temp.Combine("out", "roc.png")));
    }

    [Fact]
    public void LfwWithEmbeddingsScoresByCosine()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), PairsText);
        // Each person's images point one way; person i's direction is (cos 40°·i, sin 40°·i) so different people are ≥ 40° apart,
        // and the same person's images differ by 5°: cosines 0.996 for same pairs, at most 0.77 for different pairs.
        var people = new[] { "Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Gina", "Hal" };
        var records = new List<ImageEmbedding>();
        for (int p = 0; p < people.Length; p++)
            for (int n = 1; n <= 4; n++)
            {
                double angle = (40 * p + (n % 2) * 5) * Math.PI / 180;
                records.Add(new($"/somewhere/lfw/{people[p]}/{people[p]}_{n:D4}.jpg", [(float)(3 * Math.Cos(angle)), (float)(3 * Math.Sin(angle))]));
            }
        EmbeddingsFile.Write(temp.Combine("embeddings.jsonl"), records);
        var (exitCode, stdout, stderr) = CliProcess.Run(["eval", "lfw", "--pairs", temp.Combine("pairs.txt"), "--embeddings", temp.Combine("embeddings.jsonl")]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("mean accuracy  100.00 %", stdout);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public void AMissingPairIsAOneLineErrorNamingIt()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.txt"), PairsText);
        File.WriteAllText(temp.Combine("scores.tsv"), string.Join('\n', ScoresText.Split('\n').Where(l => !l.StartsWith("Bob\t2"))));
        var (exitCode, _, stderr) = CliProcess.Run(["eval", "lfw", "--pairs", temp.Combine("pairs.txt"), "--scores", temp.Combine("scores.tsv"), "--out", temp.Combine("out")]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: {temp.Combine("scores.tsv")}: no score for pair Bob 2 Dan 1 ({temp.Combine("pairs.txt")}:5)", line);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public void ScoresAndEmbeddingsTogetherAreRefused()
    {
        var (exitCode, _, stderr) = CliProcess.Run(["eval", "lfw", "--pairs", "p.txt", "--scores", "s.tsv", "--embeddings", "e.jsonl"]);
        Assert.Equal(1, exitCode);
        Assert.Equal("error: give the pairs' scores with exactly one of --scores FILE, --embeddings FILE or --images DIR [--model M]", stderr.Trim());
    }

    [SharedDataFact("data/lfw/pairs.txt")]
    public void TheOfficialSixThousandPairsEvaluateFromAScoresFile()
    {
        using var temp = new TempDirectory();
        var pairs = LfwPairs.Read(SharedData.LfwPairsFile);
        var random = new Random(11);
        var scores = pairs.Pairs.Select(p => (p.Same ? 0.45 : 0) + random.NextDouble()).ToArray();
        ScoresFile.Write(temp.Combine("scores.tsv"), pairs, scores);
        var (exitCode, stdout, stderr) = CliProcess.Run(["eval", "lfw", "--pairs", SharedData.LfwPairsFile, "--scores", temp.Combine("scores.tsv"), "--out", temp.Combine("out")]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("(standard error, 10 folds, 6000 pairs)", stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("out", "report.json")));
        Assert.Equal(10, json.RootElement.GetProperty("folds").GetArrayLength());
        // Two uniform scores shifted by 0.45 overlap on 0.55 of their range: about 1 − 0.55/2 = 72.5 % at the best threshold.
        Assert.InRange(json.RootElement.GetProperty("meanAccuracy").GetDouble(), 0.70, 0.75);
    }

    [Fact]
    public void IdentifyWithSplitPrintsRanksAndWritesReportAndCmc()
    {
        using var temp = new TempDirectory();
        // Four people at 0°, 90°, 180°, 270°, three images each at +0°, +10°, +40°: gallery 1.jpg (split 1, natural order), probes 2.jpg and
        // 10.jpg; 10.jpg is 40° from its own gallery image and 50° from the next person's: rank 1 as well.
        var records = new List<ImageEmbedding>();
        for (int p = 0; p < 4; p++)
            foreach (var (n, offset) in new[] { (1, 0), (2, 10), (10, 40) })
            {
                double angle = (90 * p + offset) * Math.PI / 180;
                records.Add(new($"faces/p{p}/{n}.jpg", [(float)Math.Cos(angle), (float)Math.Sin(angle)]));
            }
        EmbeddingsFile.Write(temp.Combine("embeddings.jsonl"), records);
        var (exitCode, stdout, stderr) = CliProcess.Run(["eval", "identification", "--embeddings", temp.Combine("embeddings.jsonl"), "--split", "1", "--threshold", "0.5", "--out", temp.Combine("out")]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("gallery        4 identities, 4 images (template: mean)", stdout);
        Assert.Contains("probes         8 known, 0 unknown", stdout);
        Assert.Contains("rank-1         100.00 %", stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(temp.Combine("out", "report.json")));
        Assert.Equal(1.0, json.RootElement.GetProperty("rank1").GetDouble());
        Assert.Equal(4, json.RootElement.GetProperty("cmc").GetArrayLength());
        Assert.True(File.Exists(temp.Combine("out", "cmc.png")));
    }

    [Fact]
    public void IdentifyWithoutProbesIsAOneLineError()
    {
        using var temp = new TempDirectory();
        EmbeddingsFile.Write(temp.Combine("e.jsonl"), [new("a/1.jpg", [1f, 0f]), new("b/1.jpg", [0f, 1f])]);
        var (exitCode, _, stderr) = CliProcess.Run(["eval", "identification", "--embeddings", temp.Combine("e.jsonl"), "--split", "1"]);
        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {temp.Combine("e.jsonl")}: no probes, every identity has at most 1 images (--split 1)", stderr.Trim());
    }
}
