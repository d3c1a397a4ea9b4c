using SkiaSharp;
using TorchSharp;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Losses.Mining;
using MarginFace.Tests.Mnist;
using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Tests.Training;

[Collection(SequentialTorchCollection.Name)]
public class FaceTrainingTests : TorchTest
{
    /// <summary>Identity folders of generated faces: identity i is a disc of its own colour and place, on noise.</summary>
    internal static string WriteIdentities(string root, int identities = 4, int images = 6)
    {
        var random = new Random(5);
        for (int i = 0; i < identities; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, $"person_{i}")).FullName;
            for (int j = 0; j < images; j++)
            {
                using var bitmap = new SKBitmap(48, 48);
                using (var canvas = new SKCanvas(bitmap))
                {
                    canvas.Clear(new SKColor((byte)random.Next(40), (byte)random.Next(40), (byte)random.Next(40)));
                    using var paint = new SKPaint { Color = new SKColor((byte)(60 * i), (byte)(255 - 50 * i), (byte)(120 + 30 * i)) };
                    canvas.DrawCircle(12 + 8 * i + random.Next(3), 24 + random.Next(3), 10, paint);
                }
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(folder, $"{j:000}.png"), data.ToArray());
            }
        }
        return root;
    }

    private static FaceTrainingOptions Options(string data) => new()
    {
        Data = data, Backbone = "facemobilenet", Loss = "arcface", Epochs = 2, BatchSize = 8, Workers = 2, Seed = 1,
        LearningRate = 0.05, LossParameters = new() { ["s"] = 16, ["m"] = 0.2 }, RandomCropFrom = 144, Brightness = 0.1,
    };

    private sealed class StopAfterEpoch(int epoch, CancellationTokenSource source) : ITrainingCallback
    {
        public void OnEpochEnd(EpochResult result)
        {
            if (result.Epoch == epoch) source.Cancel();
        }
    }

    [Fact]
    public void FaceMobileNetTrainsFromFoldersResumesBitExactlyAndExportsAModelThatEmbeds()
    {
        using var work = new TempDirectory();
        var data = WriteIdentities(work.Combine("faces"));

        var straight = FaceTraining.Run(Options(data), work.Combine("straight"), torch.CPU);
        Assert.Equal((4, 24, 2), (straight.Classes, straight.Images, straight.Epochs.Count));

        using (var cancel = new CancellationTokenSource())
        {
            var first = FaceTraining.Run(Options(data), work.Combine("resumed"), torch.CPU, new StopAfterEpoch(1, cancel), cancellation: cancel.Token);
            Assert.True(first.Interrupted);
        }
        var resumed = FaceTraining.Run(Options(data), work.Combine("resumed"), torch.CPU, resume: true);
        Assert.Equal(straight.Epochs.Select(e => (e.MeanLoss, e.TrainAccuracy)), resumed.Epochs.Select(e => (e.MeanLoss, e.TrainAccuracy)));
        var (_, expected) = MnistResumeTests.ReadCheckpoint(work.Combine("straight", "model.bin"));
        var (_, actual) = MnistResumeTests.ReadCheckpoint(work.Combine("resumed", "model.bin"));
        Assert.True(expected.AsSpan().SequenceEqual(actual), "weights and optimiser state differ after resume");

        var exported = work.Combine("face.model");
        var info = FaceModelExport.FromCheckpoint(work.Combine("straight", "model.bin"), exported);
        Assert.Equal(FaceModelFile.ReadInfo(straight.ModelPath).ModelId, info.ModelId);
        Assert.Equal(["person_0", "person_1", "person_2", "person_3"], info.Identities);
        using var model = FaceModelFile.Load(exported);
        Assert.Equal((128, 128, 1, 512), (model.Info.InputWidth, model.Info.InputHeight, model.Info.Channels, model.Info.EmbeddingSize));
        var faces = Directory.GetFiles(Path.Combine(data, "person_0")).Take(2).Select(path => ImageFile.Read(path)).ToList();
        var embeddings = model.Embed(faces, flip: true);
        Assert.Equal(2, embeddings.Length);
        Assert.All(embeddings, e => Assert.Equal(1.0, Math.Sqrt(e.Sum(v => (double)v * v)), 4));
        var alone = model.Embed(faces[..1], flip: true)[0];
        Assert.All(alone.Zip(embeddings[0]), p => Assert.Equal(p.First, p.Second, 1e-5));
    }

    [Theory]
    [InlineData("triplet")]
    [InlineData("contrastive")]
    public void PairAndTripletLossesTrainFromFoldersWithPkBatchesResumeBitExactlyAndExport(string loss)
    {
        using var work = new TempDirectory();
        var data = WriteIdentities(work.Combine("faces"), identities: 4, images: 6);
        FaceTrainingOptions Pk() => Options(data) with { Loss = loss, Pk = new PkBatchPlan(2, 4), LossParameters = new(), RandomCropFrom = null };

        var straight = FaceTraining.Run(Pk(), work.Combine("straight"), torch.CPU);
        Assert.Equal(2, straight.Epochs.Count);
        Assert.All(straight.Epochs, e => Assert.True(double.IsFinite(e.MeanLoss) && e.Samples == 24));
        using (var cancel = new CancellationTokenSource())
            FaceTraining.Run(Pk(), work.Combine("resumed"), torch.CPU, new StopAfterEpoch(1, cancel), cancellation: cancel.Token);
        var resumed = FaceTraining.Run(Pk(), work.Combine("resumed"), torch.CPU, resume: true);
        Assert.Equal(straight.Epochs.Select(e => e.MeanLoss), resumed.Epochs.Select(e => e.MeanLoss));
        var (_, expected) = MnistResumeTests.ReadCheckpoint(work.Combine("straight", "model.bin"));
        var (_, actual) = MnistResumeTests.ReadCheckpoint(work.Combine("resumed", "model.bin"));
        Assert.True(expected.AsSpan().SequenceEqual(actual), "weights and optimiser state differ after resume");

        var info = FaceModelExport.FromCheckpoint(work.Combine("straight", "model.bin"), work.Combine("face.model"));
        Assert.Equal(loss, info.Loss);
        using var model = FaceModelFile.Load(work.Combine("face.model"));
        var face = ImageFile.Read(Directory.GetFiles(Path.Combine(data, "person_1"))[0]);
        Assert.Equal(1.0, Math.Sqrt(model.Embed([face])[0].Sum(v => (double)v * v)), 4);
    }

    [Fact]
    public void PkIsRequiredByPairAndTripletLossesAndRefusedByTheOthers()
    {
        var options = new FaceTrainingOptions { Data = "faces", Loss = "triplet" };
        Assert.StartsWith("FaceTrainingOptions.Pk: loss triplet needs P×K batches", Assert.Throws<MarginFaceException>(options.Validate).Message);
        Assert.StartsWith("FaceTrainingOptions.Pk: P×K batches are for the pair and triplet losses", Assert.Throws<MarginFaceException>((options with { Loss = "arcface", Pk = new PkBatchPlan(4, 4) }).Validate).Message);
        Assert.Equal("FaceTrainingOptions.BatchSize: 48 disagrees with FaceTrainingOptions.Pk = 4,4 (P·K = 16); leave the batch size unset",
            Assert.Throws<MarginFaceException>((options with { Pk = new PkBatchPlan(4, 4), BatchSize = 48 }).Validate).Message);
        (options with { Pk = new PkBatchPlan(4, 4) }).Validate();
        Assert.Equal(16, (options with { Pk = new PkBatchPlan(4, 4) }).EffectiveBatchSize);
    }

    [Fact]
    public void DropoutAndRandomErasingAreCheckedBeforeAnyDataIsRead()
    {
        var options = new FaceTrainingOptions { Data = "no-such-folder", Backbone = "facemobilenet", Dropout = 0.3 };
        Assert.Equal("FaceTrainingOptions.Dropout: backbone facemobilenet has no dropout layer; the mobilefacenet, mbf and iresnet backbones have one",
            Assert.Throws<MarginFaceException>(options.Validate).Message);
        Assert.Equal("FaceTrainingOptions.Dropout: expected a probability in [0, 1), got 1",
            Assert.Throws<MarginFaceException>((options with { Backbone = "mobilefacenet64", Dropout = 1 }).Validate).Message);
        Assert.Equal("FaceTrainingOptions.RandomErase: expected a probability in [0, 1], got -0.5",
            Assert.Throws<MarginFaceException>((options with { Dropout = 0, RandomErase = -0.5 }).Validate).Message);
        (options with { Backbone = "mobilefacenet64", RandomErase = 0.5 }).Validate();
    }

    [Fact]
    public void ModelFilesOfAnotherProgramOrCutShortAreOneLineErrors()
    {
        using var work = new TempDirectory();
        var text = work.Combine("text.model");
        File.WriteAllText(text, "this is not a model");
        Assert.StartsWith($"{text}: not a valid MarginFace face model", Assert.Throws<MarginFaceException>(() => FaceModelFile.Load(text)).Message);

        using var backbone = MarginFace.Models.BackboneFactory.Create("clsnet", 2);
        var path = work.Combine("small.model");
        FaceModelFile.Save(path, backbone.Module, new FaceModelInfo
        {
            Backbone = "clsnet", EmbeddingSize = 2, InputWidth = 28, InputHeight = 28, Channels = 1, Normalization = MarginFace.Models.PixelNormalization.Mnist,
        });
        using (FaceModelFile.Load(path)) { }
        var bytes = File.ReadAllBytes(path);
        var cut = work.Combine("cut.model");
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 100)]);
        var error = Assert.Throws<MarginFaceException>(() => FaceModelFile.Load(cut)).Message;
        Assert.StartsWith($"{cut}: ", error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void PartialFcWithCentresShardedOverTwoDevicesTrainsAndResumesBitExactly()
    {
        using var work = new TempDirectory();
        var data = WriteIdentities(work.Combine("faces"), identities: 4, images: 4);
        var options = Options(data) with { Backbone = "mobilefacenet", PartialFc = 0.5, Flip = false, RandomCropFrom = null, Brightness = 0 };
        Device[] two = [torch.CPU, torch.CPU];

        var straight = FaceTraining.Run(options, work.Combine("straight"), two);
        Assert.Equal(2, straight.Epochs.Count);
        Assert.All(straight.Epochs, e => Assert.True(double.IsFinite(e.MeanLoss) && e.TrainAccuracy is >= 0 and <= 1));
        using (var cancel = new CancellationTokenSource())
            FaceTraining.Run(options, work.Combine("resumed"), two, new StopAfterEpoch(1, cancel), cancellation: cancel.Token);
        var resumed = FaceTraining.Run(options, work.Combine("resumed"), two, resume: true);
        Assert.Equal(straight.Epochs.Select(e => (e.MeanLoss, e.TrainAccuracy)), resumed.Epochs.Select(e => (e.MeanLoss, e.TrainAccuracy)));
        var (_, expected) = MnistResumeTests.ReadCheckpoint(work.Combine("straight", "model.bin"));
        var (_, actual) = MnistResumeTests.ReadCheckpoint(work.Combine("resumed", "model.bin"));
        Assert.True(expected.AsSpan().SequenceEqual(actual), "weights and optimiser state differ after resume");
        Assert.Contains("\"device\": \"cpu,cpu\"", File.ReadAllText(work.Combine("straight", "metrics.json")));

        var info = FaceModelExport.FromCheckpoint(work.Combine("straight", "model.bin"), work.Combine("exported.model"));
        Assert.Equal(FaceModelFile.ReadInfo(straight.ModelPath).ModelId, info.ModelId);
        var error = Assert.Throws<MarginFaceException>(() => FaceTraining.Run(options, work.Combine("resumed"), torch.CPU, resume: true)).Message;
        Assert.Contains("different configuration", error);
    }
}
