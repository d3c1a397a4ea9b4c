using TorchSharp;
using MarginFace.Data;
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
}
