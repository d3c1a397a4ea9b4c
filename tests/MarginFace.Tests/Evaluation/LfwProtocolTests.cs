using TorchSharp;
using MarginFace.Evaluation;
using MarginFace.Tests.Training;
using MarginFace.Training;

namespace MarginFace.Tests.Evaluation;

[Collection(SequentialTorchCollection.Name)]
public class LfwProtocolTests : TorchTest
{
    /// <summary>Two identity-disjoint folds: fold 1 names person_0 and person_1, fold 2 person_2 and person_3.</summary>
    internal const string DisjointPairs = "2\t2\n" +
        "person_0\t1\t2\nperson_1\t1\t2\nperson_0\t3\tperson_1\t3\nperson_0\t4\tperson_1\t4\n" +
        "person_2\t1\t2\nperson_3\t1\t2\nperson_2\t3\tperson_3\t3\nperson_2\t4\tperson_3\t4\n";

    /// <summary><see cref="FaceTrainingTests.WriteIdentities"/> renamed to LFW's scheme: image j of person_i is person_i/person_i_000j.jpg.</summary>
    internal static string WriteLfwIdentities(string root, int identities = 4)
    {
        FaceTrainingTests.WriteIdentities(root, identities: identities, images: 4);
        foreach (var folder in Directory.GetDirectories(root))
        {
            var name = Path.GetFileName(folder);
            foreach (var file in Directory.GetFiles(folder))
                File.Move(file, Path.Combine(folder, LfwPairs.ImagePath(name, int.Parse(Path.GetFileNameWithoutExtension(file)) + 1).Split('/')[1]));
        }
        return root;
    }

    internal static FaceTrainingOptions TinyTraining => new()
    {
        Backbone = "clsnet", Loss = "arcface", Epochs = 1, BatchSize = 4, Workers = 1, Seed = 1, LearningRate = 0.05,
        LossParameters = new() { ["s"] = 8, ["m"] = 0.2 },
    };

    private static LfwPairs Pairs(string text) => LfwPairs.Parse(new StringReader(text), "pairs.txt");

    [Fact]
    public void EachFoldTrainsOnlyOnTheOtherFoldsPeopleAndAFinishedFoldIsNotTrainedAgain()
    {
        using var work = new TempDirectory();
        var images = WriteLfwIdentities(work.Combine("lfw"));
        var pairs = Pairs(DisjointPairs);
        var output = work.Combine("out");

        var report = LfwProtocol.Run(pairs, images, TinyTraining, [1, 2], output, torch.CPU);

        Assert.False(report.Interrupted);
        Assert.Equal([1, 2], report.Folds.Select(f => f.Fold));
        Assert.Equal(["person_2", "person_3"], File.ReadAllLines(Path.Combine(output, "fold-1", LfwProtocol.IncludeFile)));
        Assert.Equal(["person_0", "person_1"], File.ReadAllLines(Path.Combine(output, "fold-2", LfwProtocol.IncludeFile)));
        var classes = File.ReadAllText(Path.Combine(output, "fold-1", "classes.json"));
        Assert.DoesNotContain("person_0", classes);
        Assert.DoesNotContain("person_1", classes);
        Assert.All(report.Folds, f => Assert.Equal((4, 2, 8, 1), (f.Pairs, f.Identities, f.Images, f.Epochs)));
        Assert.All(report.Folds, f => Assert.InRange(f.Accuracy, 0, 1));
        Assert.Equal(report.Folds.Average(f => f.Accuracy), report.MeanAccuracy, 12);
        Assert.Equal(8, File.ReadAllLines(Path.Combine(output, "fold-1", "scores.tsv")).Length - 1);

        var model = Path.Combine(output, "fold-1", "model.bin");
        var (bytes, written) = (File.ReadAllBytes(model), File.GetLastWriteTimeUtc(model));
        var again = LfwProtocol.Run(pairs, images, TinyTraining, [1, 2], output, torch.CPU);
        Assert.Equal(report.Folds, again.Folds);
        Assert.Equal(written, File.GetLastWriteTimeUtc(model));
        Assert.Equal(bytes, File.ReadAllBytes(model));
    }

    [Fact]
    public void CachedCropsGiveTheSameScoresAndKeepTheCheckpointFingerprint()
    {
        using var work = new TempDirectory();
        var images = WriteLfwIdentities(work.Combine("lfw"));
        var pairs = Pairs(DisjointPairs);
        LfwProtocol.Run(pairs, images, TinyTraining, [1, 2], work.Combine("plain"), torch.CPU);
        LfwProtocol.Run(pairs, images, TinyTraining with { CacheCrops = true, Workers = 2 }, [1, 2], work.Combine("cached"), torch.CPU);
        foreach (var fold in new[] { "fold-1", "fold-2" })
            Assert.Equal(File.ReadAllText(Path.Combine(work.Combine("plain"), fold, "scores.tsv")),
                File.ReadAllText(Path.Combine(work.Combine("cached"), fold, "scores.tsv")));
        Assert.Equal(FaceTraining.Fingerprint(TinyTraining), FaceTraining.Fingerprint(TinyTraining with { CacheCrops = true, Workers = 2 }));
        Assert.NotEqual(FaceTraining.Fingerprint(TinyTraining), FaceTraining.Fingerprint(TinyTraining with { Seed = 2 }));
        Assert.DoesNotContain("CacheCrops", FaceTraining.Fingerprint(TinyTraining));
    }

    [Fact]
    public void AFoldWhoseTrainingStoppedResumesFromItsCheckpoint()
    {
        using var work = new TempDirectory();
        var images = WriteLfwIdentities(work.Combine("lfw"));
        var pairs = Pairs(DisjointPairs);
        var output = work.Combine("out");
        var twoEpochs = TinyTraining with { Epochs = 2 };
        using (var cancel = new CancellationTokenSource())
        {
            var stopped = LfwProtocol.Run(pairs, images, twoEpochs, [2], output, torch.CPU, callbacks: _ => new CancelAfterFirstEpoch(cancel),
                cancellation: cancel.Token);
            Assert.True(stopped.Interrupted);
            Assert.Empty(stopped.Folds);
        }
        Assert.False(File.Exists(Path.Combine(output, "fold-2", LfwProtocol.ResultFile)));

        var resumed = LfwProtocol.Run(pairs, images, twoEpochs, [2], output, torch.CPU);

        var fold = Assert.Single(resumed.Folds);
        Assert.Equal(2, fold.Epochs);
        var epochs = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "fold-2", "metrics.json"))).RootElement.GetProperty("epochs")
            .EnumerateArray().Select(e => (Rate: e.GetProperty("imagesPerSecond").GetDouble(), Seconds: e.GetProperty("seconds").GetDouble())).ToArray();
        Assert.Equal(2, epochs.Length);
        Assert.Equal(epochs.Sum(e => e.Seconds), fold.TrainSeconds, 9);
        Assert.Equal(epochs.Sum(e => e.Rate * e.Seconds) / fold.TrainSeconds, fold.ImagesPerSecond, 9);
        Assert.Null(resumed.StandardError);
        Assert.True(File.Exists(Path.Combine(output, "fold-2", LfwProtocol.ResultFile)));
    }

    [Fact]
    public void AHeldOutThresholdFoldIsLeftOutOfTrainingAndAloneChoosesTheThreshold()
    {
        using var work = new TempDirectory();
        var images = WriteLfwIdentities(work.Combine("lfw"), identities: 6);
        var text = DisjointPairs.Replace("2\t2\n", "3\t2\n") +
            "person_4\t1\t2\nperson_5\t1\t2\nperson_4\t3\tperson_5\t3\nperson_4\t4\tperson_5\t4\n";
        var pairs = Pairs(text);
        var output = work.Combine("out");

        var report = LfwProtocol.Run(pairs, images, TinyTraining, [3], output, torch.CPU, rule: LfwThresholdRule.HeldOutFold);

        var fold = Assert.Single(report.Folds);
        Assert.Equal(1, fold.ThresholdFold);
        // Test fold 3, threshold fold 1 (3 mod 3 + 1): only fold 2's people are trained on.
        Assert.Equal(["person_2", "person_3"], File.ReadAllLines(Path.Combine(output, "fold-3", LfwProtocol.IncludeFile)));
        var scores = ScoresFile.Read(Path.Combine(output, "fold-3", "scores.tsv"), pairs);
        var same = pairs.SameLabels();
        var chosen = VerificationProtocol.BestThresholdAccuracy(scores.Take(4).ToList(), same.Take(4).ToList());
        Assert.Equal(chosen.Threshold, fold.Threshold);
        Assert.Equal(chosen.Accuracy, fold.TrainingPairsAccuracy);
        Assert.Equal(Enumerable.Range(8, 4).Count(p => scores[p] > chosen.Threshold == same[p]) / 4.0, fold.Accuracy);
        Assert.Contains("fold 3 on fold 1", report.ToTable());
        var hindsight = VerificationProtocol.BestThresholdAccuracy(scores.Skip(8).ToList(), same.Skip(8).ToList());
        Assert.Equal((hindsight.Accuracy, hindsight.Threshold), (fold.HindsightAccuracy, fold.HindsightThreshold));
        Assert.True(fold.HindsightAccuracy >= fold.Accuracy);

        var error = Assert.Throws<MarginFaceException>(() => LfwProtocol.Run(pairs, images, TinyTraining, [3], output, torch.CPU));
        Assert.EndsWith("this fold chose its threshold on held-out fold 1, this run would choose it on the other folds' pairs; use another output directory", error.Message);
        Assert.Equal("pairs.txt: a held-out threshold fold needs at least three folds (test, threshold, training), the header gives 2",
            Assert.Throws<MarginFaceException>(() => LfwProtocol.Run(Pairs(DisjointPairs), images, TinyTraining, [1], output, torch.CPU, rule: LfwThresholdRule.HeldOutFold)).Message);
        Assert.Equal(["person_4", "person_5"], LfwProtocol.TrainingIdentities(pairs, 1, thresholdFold: 2));
    }

    [Fact]
    public void UnseenPeopleAndTheOtherFoldsDifferentPairsChooseTheThresholdWhileTrainingKeepsEveryOtherFold()
    {
        using var work = new TempDirectory();
        // person_4 and person_5 (4 images each) appear in no pair: unseen, 6 same pairs each.
        var images = WriteLfwIdentities(work.Combine("lfw"), identities: 6);
        var pairs = Pairs(DisjointPairs);
        var output = work.Combine("out");

        var report = LfwProtocol.Run(pairs, images, TinyTraining, [1], output, torch.CPU, rule: LfwThresholdRule.Unseen);

        var fold = Assert.Single(report.Folds);
        Assert.Equal(["person_2", "person_3"], File.ReadAllLines(Path.Combine(output, "fold-1", LfwProtocol.IncludeFile)));
        Assert.Equal((2, 12, (int?)null), (fold.UnseenPeople, fold.UnseenPairs, fold.ThresholdFold));
        var unseen = UnseenPeople.Find(pairs, images);
        var lines = File.ReadAllLines(Path.Combine(output, "fold-1", LfwProtocol.UnseenScoresFile));
        Assert.Equal(ScoresFile.Header, lines[0]);
        Assert.Equal(unseen.Pairs.Select(p => $"{p.Name1}\t{p.Number1}\t{p.Name2}\t{p.Number2}"), lines.Skip(1).Select(l => string.Join('\t', l.Split('\t')[..4])));
        var unseenScores = lines.Skip(1).Select(l => double.Parse(l.Split('\t')[4], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var scores = ScoresFile.Read(Path.Combine(output, "fold-1", "scores.tsv"), pairs);
        var same = pairs.SameLabels();
        // Fold 2's different pairs are pairs 6 and 7; fold 1 (pairs 0-3) is the test fold.
        var chosen = VerificationProtocol.BestBalancedThreshold(unseenScores, Enumerable.Repeat(1.0 / 6, 12).ToList(), [scores[6], scores[7]]);
        Assert.Equal(chosen.Threshold, fold.Threshold);
        Assert.Equal(chosen.Accuracy, fold.TrainingPairsAccuracy);
        Assert.Equal(Enumerable.Range(0, 4).Count(p => scores[p] > chosen.Threshold == same[p]) / 4.0, fold.Accuracy);
        Assert.Contains("fold 1 from 12 pairs of 2 people", report.ToTable());

        var error = Assert.Throws<MarginFaceException>(() => LfwProtocol.Run(pairs, images, TinyTraining, [1], output, torch.CPU));
        Assert.EndsWith("this fold chose its threshold from unseen people's same-person pairs, this run would choose it on the other folds' pairs; use another output directory", error.Message);
        Assert.EndsWith("this fold chose its threshold from unseen people's same-person pairs, this run would choose it from a normal fit to unseen people's same-person pairs; use another output directory",
            Assert.Throws<MarginFaceException>(() => LfwProtocol.Run(pairs, images, TinyTraining, [1], output, torch.CPU, rule: LfwThresholdRule.UnseenNormalFit)).Message);
    }

    [Fact]
    public void ANormalFitPlacesTheThresholdBetweenTheUnseenSamePairsAndTheOtherFoldsDifferentPairs()
    {
        var pairs = Pairs(DisjointPairs);
        // Fold 1 (test): S 0.6 0.1, D 0.17 0.0. Fold 2: S 0.9 0.9 (not used), D -0.1 0.1 = N(0, 0.1²).
        double[] scores = [0.6, 0.1, 0.17, 0.0, 0.9, 0.9, -0.1, 0.1];
        var unseen = UnseenPeople.FromPairs([new("x", 1, "x", 2, true, -1, 0), new("y", 1, "y", 2, true, -1, 0)]);
        double[] unseenScores = [0.2, 0.8]; // N(0.5, 0.3²)
        // (t − 0.5)²/0.09 − t²/0.01 = 2 ln(0.1/0.3): A t² + B t + C = 0 with A = 1/0.09 − 100 < 0, root between the means.
        double a = 1 / 0.09 - 100, b = -1 / 0.09, c = 0.25 / 0.09 + 2 * Math.Log(3);
        var expected = (-b - Math.Sqrt(b * b - 4 * a * c)) / (2 * a);

        var normal = LfwProtocol.Score(pairs, scores, 1, LfwThresholdRule.UnseenNormalFit, unseen, unseenScores);
        var best = LfwProtocol.Score(pairs, scores, 1, LfwThresholdRule.Unseen, unseen, unseenScores);

        Assert.Equal(expected, normal.Threshold, 12);
        Assert.InRange(normal.Threshold, 0.18, 0.19);
        Assert.True(normal.UnseenNormalFit);
        Assert.Equal(0.75, normal.Accuracy); // only the same pair at 0.1 is wrong
        Assert.Equal(1.0, normal.TrainingPairsAccuracy);
        // The best candidate of the scores themselves: between 0.1 and 0.2, where the test fold's 0.17 is called "same".
        Assert.Equal(0.15, best.Threshold, 12);
        Assert.False(best.UnseenNormalFit);
        Assert.Equal(0.5, best.Accuracy);
    }

    [Fact]
    public void PairsNamingOnePersonInTwoFoldsAreRefusedWithTheLine()
    {
        var shared = DisjointPairs.Replace("person_2\t4\tperson_3\t4", "person_2\t4\tperson_0\t4");
        var error = Assert.Throws<MarginFaceException>(() => LfwProtocol.CheckIdentityDisjoint(Pairs(shared)));
        Assert.Equal("pairs.txt:9: person_0 appears in fold 1 (line 2) and fold 2; the protocol needs identity-disjoint folds", error.Message);
        LfwProtocol.CheckIdentityDisjoint(Pairs(DisjointPairs));
    }

    [Fact]
    public void TrainingIdentitiesAreThePeopleOfTheOtherFoldsInOrdinalOrder()
    {
        Assert.Equal(["person_0", "person_1"], LfwProtocol.TrainingIdentities(Pairs(DisjointPairs), 2));
    }

    private sealed class CancelAfterFirstEpoch(CancellationTokenSource source) : MarginFace.Training.ITrainingCallback
    {
        public void OnEpochEnd(MarginFace.Training.EpochResult result) => source.Cancel();
    }
}
