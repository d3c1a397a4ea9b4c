using MarginFace.Mnist;

namespace MarginFace.Tests.Mnist;

public class MnistDatasetTests : TorchTest
{
    private readonly TempDirectory _temp = new();

    public override void Dispose()
    {
        _temp.Dispose();
        base.Dispose();
    }

    [Fact]
    public void LoadsBothSplitsFromPlainAndGzippedFiles()
    {
        var files = SyntheticMnist.Files(trainCount: 20, testCount: 10);
        files[MnistFileNames.TestImages + ".gz"] = SyntheticMnist.Gzip(files[MnistFileNames.TestImages]);
        files.Remove(MnistFileNames.TestImages);
        SyntheticMnist.WriteFiles(_temp.Path, files);

        var train = MnistDataset.Load(_temp.Path, DatasetKind.Mnist, DatasetSplit.Train);
        var test = MnistDataset.Load(_temp.Path, DatasetKind.Mnist, DatasetSplit.Test);

        Assert.Equal(20, train.Count);
        Assert.Equal(10, test.Count);
        Assert.Equal(SyntheticMnist.Make(10).Pixels, test.Images);
        Assert.Equal(SyntheticMnist.Make(10).Labels, test.Labels);
        Assert.Equal("7", train.ClassNames[7]);
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        var files = SyntheticMnist.Files(trainCount: 20);
        files[MnistFileNames.TrainLabels] = SyntheticMnist.LabelsFile(19);
        SyntheticMnist.WriteFiles(_temp.Path, files);

        var error = Assert.Throws<MarginFaceException>(() => MnistDataset.Load(_temp.Path, DatasetKind.Mnist, DatasetSplit.Train));
        Assert.Equal(
            $"{_temp.Combine(MnistFileNames.TrainImages)} has 20 images but {_temp.Combine(MnistFileNames.TrainLabels)} has 19 labels",
            error.Message);
    }

    [Fact]
    public void MissingFileNamesTheDirectoryAndTheFile()
    {
        var files = SyntheticMnist.Files();
        files.Remove(MnistFileNames.TestLabels);
        SyntheticMnist.WriteFiles(_temp.Path, files);

        var error = Assert.Throws<MarginFaceException>(() => MnistDataset.Load(_temp.Path, DatasetKind.Mnist, DatasetSplit.Test));
        Assert.Equal($"{_temp.Path}: missing t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz)", error.Message);
    }

    [Fact]
    public void LabelOutsideTheTenClassesIsRejected()
    {
        var files = SyntheticMnist.Files(trainCount: 20);
        files[MnistFileNames.TrainLabels][8 + 3] = 12;
        SyntheticMnist.WriteFiles(_temp.Path, files);

        var error = Assert.Throws<MarginFaceException>(() => MnistDataset.Load(_temp.Path, DatasetKind.Mnist, DatasetSplit.Train));
        Assert.Equal($"{_temp.Combine(MnistFileNames.TrainLabels)}: label 12 at index 3 is outside 0–9", error.Message);
    }

    [Theory]
    [InlineData(DatasetKind.Mnist, 0.1307f, 0.3081f)]
    [InlineData(DatasetKind.FashionMnist, 0.2860f, 0.3530f)]
    public void TensorsAreNormalisedFloatImagesAndInt64Labels(object kindValue, float mean, float std) // DatasetKind is internal
    {
        var kind = (DatasetKind)kindValue;
        var (pixels, labels) = SyntheticMnist.Make(3);
        var dataset = new MnistDataset(kind, pixels, labels);

        var (images, labelTensor) = dataset.ToTensors();
        using (images)
        using (labelTensor)
        {
            Assert.Equal([3L, 1, 28, 28], images.shape);
            Assert.Equal(TorchSharp.torch.ScalarType.Float32, images.dtype);
            Assert.Equal([3L], labelTensor.shape);
            Assert.Equal(TorchSharp.torch.ScalarType.Int64, labelTensor.dtype);
            var values = images.data<float>().ToArray();
            for (int i = 0; i < values.Length; i += 97)
                Assert.Equal((pixels[i] / 255f - mean) / std, values[i], 5);
            Assert.Equal(labels.Select(label => (long)label), labelTensor.data<long>().ToArray());
        }
    }

    [Fact]
    public void TakeKeepsTheFirstImages()
    {
        var (pixels, labels) = SyntheticMnist.Make(12);
        var first = new MnistDataset(DatasetKind.Mnist, pixels, labels).Take(4);
        Assert.Equal(4, first.Count);
        Assert.Equal(pixels[..(4 * 784)], first.Images);
        Assert.Equal(labels[..4], first.Labels);
    }

    [Fact]
    public void SampleIsDeterministicBySeedAndPicksDistinctImages()
    {
        var (pixels, labels) = SyntheticMnist.Make(50);
        var dataset = new MnistDataset(DatasetKind.Mnist, pixels, labels);

        var a = dataset.Sample(10, seed: 7);
        var b = dataset.Sample(10, seed: 7);
        var c = dataset.Sample(10, seed: 8);

        Assert.Equal(a.Images, b.Images);
        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(a.Images, c.Images);
        var firstPixels = Enumerable.Range(0, 10).Select(i => a.Images[i * 784]).ToList();
        Assert.Equal(10, firstPixels.Distinct().Count());
    }
}
