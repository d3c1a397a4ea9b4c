using MarginFace.Data;
using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Training;

namespace MarginFace.Tests.Data;

public class ImageFolderBatchSourceTests : TorchTest
{
    private readonly TempDirectory _dir = new();
    private readonly string _root;

    public ImageFolderBatchSourceTests()
    {
        _root = FaceFolder.Write(_dir, identities: 8, images: 6, size: 32);
    }

    public override void Dispose()
    {
        _dir.Dispose();
        base.Dispose();
    }

    private static readonly FacePreprocessing Input = new(FaceCrop.Center(24), 16, 16, false, PixelNormalization.Symmetric);

    private ImageFolderBatchSource Source(int workers = 2, int batch = 5, bool dropLast = true, FaceAugmentation? augmentation = null,
        Action<string, string>? warning = null, int prefetch = 3) =>
        new(IdentityFolderDataset.Scan(_root), Input, augmentation ?? new FaceAugmentation(Flip: true, ResizeTo: 20, Brightness: 0.1, Contrast: 0.1),
            new ImageFolderBatchOptions(batch, Seed: 42, Workers: workers) { DropLast = dropLast, Warning = warning, Prefetch = prefetch });

    private static List<(float[] Images, long[] Labels, long[] Shape)> ReadAll(IBatchSource source, int epoch, int startStep = 0)
    {
        var batches = new List<(float[], long[], long[])>();
        foreach (var batch in source.Read(epoch, startStep))
            using (batch)
                batches.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray(), batch.Images.shape));
        return batches;
    }

    private static void AssertSame(List<(float[] Images, long[] Labels, long[] Shape)> a, List<(float[] Images, long[] Labels, long[] Shape)> b)
    {
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Shape, b[i].Shape);
            Assert.Equal(a[i].Labels, b[i].Labels);
            Assert.True(a[i].Images.AsSpan().SequenceEqual(b[i].Images), $"batch {i} differs");
        }
    }

    [Fact]
    public void BatchesHaveTheInputShapeAndEveryImageOncePerEpoch()
    {
        var source = Source();
        Assert.Equal(9, source.Steps(1)); // 48 images, batch 5, last 3 dropped
        var batches = ReadAll(source, 1);
        Assert.Equal(9, batches.Count);
        Assert.All(batches, b => Assert.Equal(new long[] { 5, 3, 16, 16 }, b.Shape));
        Assert.All(batches.SelectMany(b => b.Images), v => Assert.InRange(v, -1f, 1f));
        var order = source.Order(1);
        Assert.Equal(Enumerable.Range(0, 48), order.Order());
        Assert.Equal(order.Take(45).Select(i => (long)source.Images.Label(i)), batches.SelectMany(b => b.Labels));
        Assert.NotEqual(order, source.Order(2));
    }

    [Fact]
    public void KeepingTheLastPartialBatchGivesASmallerFinalBatch()
    {
        var batches = ReadAll(Source(batch: 5, dropLast: false), 1);
        Assert.Equal(10, batches.Count);
        Assert.Equal(new long[] { 3, 3, 16, 16 }, batches[^1].Shape);
        Assert.Equal(48, batches.Sum(b => b.Labels.Length));
    }

    [Fact]
    public void TwoReadsOfAnEpochAreBitIdenticalAndEpochsDiffer()
    {
        var source = Source();
        var first = ReadAll(source, 2);
        AssertSame(first, ReadAll(source, 2));
        AssertSame(first, ReadAll(Source(), 2));
        Assert.NotEqual(first[0].Labels, ReadAll(source, 3)[0].Labels);
    }

    [Fact]
    public void ReadingFromAStartStepEqualsTheTailOfAFullRead()
    {
        var full = ReadAll(Source(), 1);
        AssertSame(full.Skip(4).ToList(), ReadAll(Source(), 1, startStep: 4));
        Assert.Empty(ReadAll(Source(), 1, startStep: 9));
    }

    [Fact]
    public void WorkerCountAndPrefetchDoNotChangeTheBatches()
    {
        var one = ReadAll(Source(workers: 1, prefetch: 1), 1);
        AssertSame(one, ReadAll(Source(workers: 3, prefetch: 2), 1));
        AssertSame(one, ReadAll(Source(workers: 4, prefetch: 8), 1));
    }

    [Fact]
    public void AugmentationChangesPixelsButNotLabels()
    {
        var plain = ReadAll(Source(augmentation: new FaceAugmentation(Flip: false)), 1);
        var augmented = ReadAll(Source(), 1);
        Assert.Equal(plain.Select(b => b.Labels), augmented.Select(b => b.Labels));
        Assert.False(plain[0].Images.AsSpan().SequenceEqual(augmented[0].Images));
    }

    [Fact]
    public void StoppingTheEnumerationEarlyEndsTheWorkers()
    {
        var source = Source(workers: 3, batch: 2, prefetch: 2);
        using (var enumerator = source.Read(1, 0).GetEnumerator())
        {
            Assert.True(enumerator.MoveNext());
            enumerator.Current.Dispose();
        }
        Assert.Equal(0, source.RunningWorkers);
        using var cancel = new CancellationTokenSource();
        var read = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in source.Read(1, 0, cancel.Token))
            {
                batch.Dispose();
                if (++read == 2) cancel.Cancel();
            }
        });
        Assert.Equal(2, read);
        Assert.Equal(0, source.RunningWorkers);
    }

    [Fact]
    public void UnreadableFilesAreReportedOnceAndReplacedByTheNextReadableImageOfTheOrder()
    {
        using var dir = new TempDirectory();
        var root = FaceFolder.Write(dir, identities: 3, images: 100, size: 16);
        var truncated = Path.Combine(root, FaceFolder.Identity(1), "0003.png");
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..60]); // header intact, pixels cut off
        var empty = Path.Combine(root, FaceFolder.Identity(0), "0050.png");
        File.WriteAllBytes(empty, []);
        var huge = Path.Combine(root, FaceFolder.Identity(2), "0099.pgm"); // 20000×20000 declared, never allocated
        File.WriteAllText(huge, "P5 20000 20000 255\n");
        var warnings = new List<string>();
        var input = new FacePreprocessing(FaceCrop.None, 16, 16, true, PixelNormalization.Centered128);
        ImageFolderBatchSource Make(int workers) => new(IdentityFolderDataset.Scan(root), input, FaceAugmentation.Seeds with { ResizeTo = 18 },
            new ImageFolderBatchOptions(8, Seed: 1, Workers: workers) { Warning = (path, problem) => { lock (warnings) warnings.Add($"{path}: {problem}"); } });
        var source = Make(2);
        Assert.Equal(301, source.Images.Count);
        var batches = ReadAll(source, 1);
        ReadAll(source, 2);
        Assert.Equal(3, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith(truncated + ": "));
        Assert.Contains($"{empty}: empty file", warnings);
        Assert.Contains(warnings, w => w.StartsWith(huge + ": image is 20000×20000 pixels"));
        Assert.Equal(37, batches.Count);
        Assert.All(batches, b => Assert.Equal(8, b.Labels.Length));

        var order = source.Order(1);
        var paths = Enumerable.Range(0, source.Images.Count).Select(source.Images.Name).ToList();
        foreach (var bad in new[] { truncated, empty, huge })
        {
            var position = Array.IndexOf(order, paths.IndexOf(bad));
            if (position >= 37 * 8) continue; // in the dropped tail of this epoch
            var next = position + 1;
            while (source.Unreadable.ContainsKey(paths[order[next % order.Length]])) next++;
            Assert.Equal(source.Images.Label(order[next % order.Length]), batches[position / 8].Labels[position % 8]);
        }
        AssertSame(batches, ReadAll(Make(1), 1));
    }

    [Fact]
    public void MoreThanOnePercentUnreadableFailsWithAOneLineSummary()
    {
        foreach (var k in new[] { 0, 5 }) File.WriteAllText(Path.Combine(_root, FaceFolder.Identity(k), "0002.png"), "not an image");
        var source = Source(workers: 2, batch: 4);
        var e = Assert.Throws<MarginFaceException>(() => ReadAll(source, 1));
        Assert.StartsWith($"{_root}: 1 of 48 images are unreadable, more than 1% (latest: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TooFewImagesForOneBatchIsAnError()
    {
        var e = Assert.Throws<MarginFaceException>(() => Source(batch: 64));
        Assert.Equal($"{_root}: 48 images, fewer than one batch of 64", e.Message);
    }
}
