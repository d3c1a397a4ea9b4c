using TorchSharp;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using MarginFace.Tests.Evaluation;

namespace MarginFace.Experiments.Tests;

[Collection(SequentialTorchCollection.Name)]
public class LfwProtocolWhiteningTests : TorchTest
{
    private static LfwPairs Pairs() => LfwPairs.Parse(new StringReader(LfwProtocolTests.DisjointPairs), "pairs.txt");

    [Fact]
    public void EachPairIsScoredByTheCosineAfterWhiteningFittedOnTheFoldsTrainingPeopleOnly()
    {
        using var work = new TempDirectory();
        var images = LfwProtocolTests.WriteLfwIdentities(work.Combine("lfw"), identities: 6);
        var pairs = Pairs();
        var run = work.Combine("run");
        LfwProtocol.Run(pairs, images, LfwProtocolTests.TinyTraining, [1], run, torch.CPU, rule: LfwThresholdRule.Unseen);

        var report = LfwProtocolWhitening.Score(pairs, images, run, null, work.Combine("wccn"), torch.CPU, flip: false);

        // By hand: fold 1 trained on person_2 and person_3 (4 images each); fit on their unit embeddings, score every pair after it.
        using var model = FaceModelFile.Load(Path.Combine(run, "fold-1", "face.model"));
        model.Module.eval();
        var embedder = new ImageFolderEmbeddings(images, model.Module, model.Preprocessing, torch.CPU);
        // All 24 images in one batch, as the command embeds them (float32 embeddings differ in their last bits with the batch size).
        string[] all = [.. from p in Enumerable.Range(0, 6) from n in Enumerable.Range(1, 4) select LfwPairs.ImagePath($"person_{p}", n)];
        var unit = embedder.Embed(all).Select((e, i) => (all[i], CosineScores.Normalise(e, all[i]))).ToDictionary();
        string[] training = [.. all.Where(i => i.StartsWith("person_2/") || i.StartsWith("person_3/"))];
        var whitening = WithinClassWhitening.Fit(training.Select(t => unit[t]).ToList(), training.Select(t => t.Split('/')[0]).ToList());
        double Score(LfwPair pair)
        {
            var a = whitening.Apply(unit[pair.Image1]);
            var b = whitening.Apply(unit[pair.Image2]);
            return CosineScores.Dot(a, b) / Math.Sqrt(CosineScores.Dot(a, a) * CosineScores.Dot(b, b));
        }
        var fold = Assert.Single(report.Folds);
        var scores = ScoresFile.Read(Path.Combine(work.Combine("wccn"), "fold-1", "scores.tsv"), pairs);
        Assert.Equal(pairs.Pairs.Select(Score), scores, new ToleranceComparer(1e-12));
        var unseen = UnseenPeople.Find(pairs, images);
        var (unseenPairs, unseenScores) = ScoresFile.ReadSamePairs(Path.Combine(work.Combine("wccn"), "fold-1", LfwProtocol.UnseenScoresFile));
        Assert.Equal(unseen.Pairs, unseenPairs);
        Assert.Equal(unseen.Pairs.Select(Score), unseenScores, new ToleranceComparer(1e-12));
        // The run's own rule (unseen people) on the whitened scores, its training fields kept.
        var expected = LfwProtocol.Score(pairs, scores, 1, LfwThresholdRule.Unseen, unseen, unseenScores);
        Assert.Equal((expected.Threshold, expected.Accuracy, LfwThresholdRule.Unseen), (fold.Threshold, fold.Accuracy, fold.Rule));
        Assert.Equal((LfwPairScoring.Wccn, 2, 8), (fold.Scoring, fold.Identities, fold.Images));
        Assert.Contains("fold 1: within-class whitened scores", report.ToTable());
    }

    [Fact]
    public void AMissingModelAnotherFlipOrTheRunAsOutputIsOneLineAndNothingIsWritten()
    {
        using var work = new TempDirectory();
        var images = LfwProtocolTests.WriteLfwIdentities(work.Combine("lfw"));
        var pairs = Pairs();
        var run = work.Combine("run");
        LfwProtocol.Run(pairs, images, LfwProtocolTests.TinyTraining, [1, 2], run, torch.CPU, flip: true);
        var output = work.Combine("wccn");

        var flip = Assert.Throws<MarginFaceException>(() => LfwProtocolWhitening.Score(pairs, images, run, null, output, torch.CPU, flip: false));
        Assert.StartsWith($"{Path.Combine(run, "fold-1")}: the model's cosines differ from its kept scores by up to", flip.Message);
        Assert.Equal($"{run}: the output directory is the run itself",
            Assert.Throws<MarginFaceException>(() => LfwProtocolWhitening.Score(pairs, images, run, null, run, torch.CPU, flip: true)).Message);
        File.Delete(Path.Combine(run, "fold-2", "face.model"));
        Assert.Equal($"{Path.Combine(run, "fold-2", "face.model")}: not found; whitening needs the fold's model (kept scores alone are not enough)",
            Assert.Throws<MarginFaceException>(() => LfwProtocolWhitening.Score(pairs, images, run, null, output, torch.CPU, flip: true)).Message);
        Assert.False(Directory.Exists(output));
        Assert.Single(LfwProtocolWhitening.Score(pairs, images, run, [1], output, torch.CPU, flip: true).Folds);
    }
}
