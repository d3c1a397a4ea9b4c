using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.Tests.Data;

public class FaceCropCacheTests : TorchTest
{
    private readonly TempDirectory _dir = new();
    private readonly string _root;

    public FaceCropCacheTests()
    {
        _root = FaceFolder.Write(_dir, identities: 4, images: 5, size: 32);
    }

    public override void Dispose()
    {
        _dir.Dispose();
        base.Dispose();
    }

    /// <summary>A crop that counts its calls and prints as a given text.</summary>
    private sealed class CountingCrop(string text) : FaceCrop
    {
        private int _calls;
        public int Calls => _calls;

        public override RgbImage Apply(RgbImage image)
        {
            Interlocked.Increment(ref _calls);
            return FaceCrop.Center(20).Apply(image);
        }

        public override string ToString() => text;
    }

    private string File(int k, int j) => Path.Combine(_root, FaceFolder.Identity(k), $"{j:D4}.png");

    [Fact]
    public void EachFileIsCroppedOnceAndGivesTheUncachedCrop()
    {
        var cache = new FaceCropCache();
        var crop = new CountingCrop("center:20");
        var first = cache.Get(crop, File(1, 2));
        var again = cache.Get(crop, Path.Combine(_root, FaceFolder.Identity(1), ".", $"{2:D4}.png"));
        Assert.Same(first, again);
        Assert.Equal(1, crop.Calls);
        Assert.Equal(1, cache.Misses);
        var direct = FaceCrop.Center(20).Apply(ImageFile.Read(File(1, 2)));
        Assert.Equal(direct.Pixels, first.Pixels);
        Assert.Equal((20, 20), (first.Width, first.Height));
    }

    [Fact]
    public void CropsThatPrintDifferentlyAreKeptApart()
    {
        var cache = new FaceCropCache();
        var a = new CountingCrop("a");
        var b = new CountingCrop("b");
        cache.Get(a, File(0, 0));
        cache.Get(b, File(0, 0));
        Assert.Equal((1, 1, 2), (a.Calls, b.Calls, cache.Count));
    }

    [Fact]
    public void AnUnreadableFileIsReadOnceAndItsErrorRepeated()
    {
        var bad = File(2, 3);
        System.IO.File.WriteAllBytes(bad, [1, 2, 3]);
        var cache = new FaceCropCache();
        var crop = new CountingCrop("center:20");
        var first = Assert.Throws<MarginFaceException>(() => cache.Get(crop, bad));
        var second = Assert.Throws<MarginFaceException>(() => cache.Get(crop, bad));
        Assert.Contains(bad, first.Message);
        Assert.Equal(first.Message, second.Message);
        Assert.Equal(1, cache.Misses);
        Assert.Equal(0, crop.Calls);
    }

    [Fact]
    public void ConcurrentRequestsForOneFileCropItOnce()
    {
        var cache = new FaceCropCache();
        var crop = new CountingCrop("center:20");
        var faces = new RgbImage[16];
        Parallel.For(0, faces.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => faces[i] = cache.Get(crop, File(3, 1)));
        Assert.Equal(1, crop.Calls);
        Assert.All(faces, f => Assert.Same(faces[0], f));
    }

    [Fact]
    public void BatchesFromTheCacheAreTheBatchesWithoutIt()
    {
        var input = new FacePreprocessing(FaceCrop.Center(24), 16, 16, false, PixelNormalization.Symmetric);
        var augmentation = new FaceAugmentation(Flip: true, ResizeTo: 20, Brightness: 0.1, Contrast: 0.1);
        var cache = new FaceCropCache();
        List<float[]> Read(FaceCropCache? crops, int epoch)
        {
            var source = new ImageFolderBatchSource(IdentityFolderDataset.Scan(_root), input, augmentation,
                new ImageFolderBatchOptions(4, Seed: 7, Workers: 2) { Crops = crops });
            var batches = new List<float[]>();
            foreach (var batch in source.Read(epoch, 0))
                using (batch)
                    batches.Add(batch.Images.data<float>().ToArray());
            return batches;
        }
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            var plain = Read(null, epoch);
            var cached = Read(cache, epoch);
            Assert.Equal(plain.Count, cached.Count);
            for (int i = 0; i < plain.Count; i++) Assert.True(plain[i].AsSpan().SequenceEqual(cached[i]), $"epoch {epoch}, batch {i} differs");
        }
        Assert.Equal(20, cache.Count);
        Assert.Equal(20, cache.Misses);
    }

    [Fact]
    public void EmbeddingsFromTheCacheAndFromParallelWorkersAreTheSerialOnes()
    {
        var input = new FacePreprocessing(FaceCrop.Center(24), 16, 16, false, PixelNormalization.Symmetric);
        manual_seed(3);
        using var module = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 8));
        module.eval();
        var names = Enumerable.Range(0, 4).SelectMany(k => Enumerable.Range(0, 5).Select(j => $"{FaceFolder.Identity(k)}/{j:D4}.png")).ToList();
        var serial = new ImageFolderEmbeddings(_root, module, input, CPU, flip: true, batchSize: 6).Embed(names);
        var cache = new FaceCropCache();
        var cached = new ImageFolderEmbeddings(_root, module, input, CPU, flip: true, batchSize: 6, crops: cache, workers: 3).Embed(names);
        var again = new ImageFolderEmbeddings(_root, module, input, CPU, flip: true, batchSize: 6, crops: cache, workers: 3).Embed(names);
        var parallel = new ImageFolderEmbeddings(_root, module, input, CPU, flip: true, batchSize: 6, workers: 3).Embed(names);
        // The inputs are the same bytes; the GEMM may round differently by buffer alignment, hence the 1e-6.
        for (int i = 0; i < names.Count; i++)
            foreach (var other in new[] { cached[i], again[i], parallel[i] })
                for (int d = 0; d < 8; d++) Assert.Equal(serial[i][d], other[d], 1e-6f);
        Assert.Equal(20, cache.Misses);
    }

    [Fact]
    public void TheFirstUnreadableFileOfABatchIsTheEmbeddingError()
    {
        var input = new FacePreprocessing(FaceCrop.Center(24), 16, 16, false, PixelNormalization.Symmetric);
        using var module = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 8));
        System.IO.File.WriteAllBytes(File(0, 3), [1]);
        System.IO.File.WriteAllBytes(File(0, 4), [2]);
        var names = Enumerable.Range(0, 5).Select(j => $"{FaceFolder.Identity(0)}/{j:D4}.png").ToList();
        var error = Assert.Throws<MarginFaceException>(() => new ImageFolderEmbeddings(_root, module, input, CPU, workers: 4).Embed(names));
        Assert.Contains("0003.png", error.Message);
    }
}
