using TorchSharp;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using MarginFace.Tests.Mnist;
using MarginFace.Training;

namespace MarginFace.Tests.Training;

/// <summary>
/// <c>train --data DIR</c> on arcface_torch's layout (<c>train.rec</c>, <c>train.idx</c>, <c>property</c>): one epoch from the
/// packed folder is the epoch from the identity folders it was packed from, step for step (the same losses) and to the last
/// bit of the checkpoint.
/// </summary>
[Collection(SequentialTorchCollection.Name)]
public class FaceTrainingRecordIoTests : TorchTest
{
    private sealed class StepLosses : ITrainingCallback
    {
        public List<double> Losses { get; } = [];

        public void OnStep(TrainingProgress progress) => Losses.Add(progress.Loss);
    }

    private static FaceTrainingOptions Options(string data) => new()
    {
        Data = data, Backbone = "mobilefacenet64", Loss = "arcface", Epochs = 1, BatchSize = 8, Workers = 2, Seed = 4,
        LearningRate = 0.05, LossParameters = new() { ["s"] = 16, ["m"] = 0.2 }, Crop = FaceCrop.Center(44), RandomCropFrom = 70, Brightness = 0.1,
    };

    [Fact]
    public void OneEpochFromThePackedRecordIoIsTheEpochFromTheFolderStepForStep()
    {
        using var work = new TempDirectory();
        var folder = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 4, images: 4);
        var rec = work.Combine("rec");
        RecordIoWriter.Pack(IdentityFolderDataset.Scan(folder), rec);

        var fromFolder = new StepLosses();
        var expected = FaceTraining.Run(Options(folder), work.Combine("folder"), torch.CPU, fromFolder);
        var fromRec = new StepLosses();
        var actual = FaceTraining.Run(Options(rec), work.Combine("rec-run"), torch.CPU, fromRec);

        Assert.Equal((4, 16), (actual.Classes, actual.Images));
        Assert.Equal(2, fromFolder.Losses.Count);
        Assert.Equal(fromFolder.Losses, fromRec.Losses);
        Assert.Equal(expected.Epochs.Select(e => (e.MeanLoss, e.TrainAccuracy)), actual.Epochs.Select(e => (e.MeanLoss, e.TrainAccuracy)));
        var (_, folderWeights) = MnistResumeTests.ReadCheckpoint(work.Combine("folder", "model.bin"));
        var (_, recWeights) = MnistResumeTests.ReadCheckpoint(work.Combine("rec-run", "model.bin"));
        Assert.True(folderWeights.AsSpan().SequenceEqual(recWeights), "the weights after the epoch differ");
        Assert.Equal("{\n  \"0\": 0,\n  \"1\": 1,\n  \"2\": 2,\n  \"3\": 3\n}", File.ReadAllText(work.Combine("rec-run", "classes.json")).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void IdentitySelectionsOnARecordIoFolderAreRefusedByName()
    {
        using var work = new TempDirectory();
        var folder = FaceTrainingTests.WriteIdentities(work.Combine("faces"), identities: 2, images: 2);
        var rec = work.Combine("rec");
        RecordIoWriter.Pack(IdentityFolderDataset.Scan(folder), rec);
        var error = Assert.Throws<MarginFaceException>(() => FaceTraining.Run(Options(rec) with { MinImages = 3 }, work.Combine("out"), torch.CPU));
        Assert.Equal($"FaceTrainingOptions.MinImages: selects identity folders; {rec} is a RecordIO dataset (train.rec), which it cannot select from", error.Message);
    }

    [Fact]
    public void ValidationOnBinSetsIsArcfaceTorchsAccuracyOfTheEpochsModelInMetricsAndBestModel()
    {
        using var work = new TempDirectory();
        var layout = SyntheticIdentities.Write(work.Combine("faces"), identities: 4, trainImages: 4, validationImages: 4, size: 48, pairsPerClass: 6);
        var pairs = LfwPairs.Read(layout.ValidationPairs);
        var lfw = work.Combine("lfw.bin");
        var cropped = work.Combine("cfp_fp.bin");
        VerificationBinWriter.WritePairs(lfw, pairs, layout.ValidationImages, FaceCrop.None, protocol: 2);
        VerificationBinWriter.WritePairs(cropped, pairs, layout.ValidationImages, FaceCrop.Center(40));

        var options = Options(layout.Train) with { ValidationBins = [lfw, cropped], Crop = FaceCrop.None, RandomCropFrom = null };
        var result = FaceTraining.Run(options, work.Combine("run"), torch.CPU);

        // The epoch's face.model, scored as eval bin scores it (flip-summed embeddings, arcface_torch's rule), gives the numbers of the run.
        using var model = FaceModelFile.Load(result.ModelPath);
        var expected = new[] { lfw, cropped }.Select(path =>
        {
            var set = VerificationBin.Read(path);
            var (first, second) = set.Embed(images => model.Embed(images, model.Preprocessing with { Crop = FaceCrop.None }, flip: true));
            return ArcFaceVerificationRule.Evaluate(first, second, set.SameLabels());
        }).ToArray();
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(work.Combine("run", "metrics.json")));
        var row = metrics.RootElement.GetProperty("epochs")[0];
        Assert.Equal(expected[0].Accuracy, row.GetProperty("binAccuracy").GetProperty("lfw").GetProperty("accuracy").GetDouble());
        Assert.Equal(expected[0].AccuracyStd, row.GetProperty("binAccuracy").GetProperty("lfw").GetProperty("accuracyStd").GetDouble());
        Assert.Equal(expected[1].Accuracy, row.GetProperty("binAccuracy").GetProperty("cfp_fp").GetProperty("accuracy").GetDouble());
        Assert.Equal((expected[0].Accuracy + expected[1].Accuracy) / 2, result.ValidationAccuracy[1], 12);
        Assert.Equal(result.ValidationAccuracy[1], row.GetProperty("validationAccuracy").GetDouble(), 12);
        Assert.True(File.Exists(result.BestModelPath), "best.model");
        Assert.True(File.Exists(work.Combine("run", "curves.png")));

        var bad = work.Combine("bad.bin");
        File.WriteAllBytes(bad, [0x80, 0x02, (byte)'N', (byte)'.']);
        var error = Assert.Throws<MarginFaceException>(() => FaceTraining.Run(options with { ValidationBins = [bad] }, work.Combine("bad"), torch.CPU));
        Assert.StartsWith($"{bad}: ", error.Message);
        Assert.False(File.Exists(work.Combine("bad", "model.bin")));
    }
}
