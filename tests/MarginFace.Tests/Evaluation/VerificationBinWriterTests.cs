using System.Diagnostics;
using System.Security.Cryptography;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.Imaging;
using SkiaSharp;
using static MarginFace.Tests.Evaluation.VerificationBinPickles;

namespace MarginFace.Tests.Evaluation;

/// <summary>
/// <see cref="VerificationBinWriter"/>: what it writes in protocol 2 and 4 reads back through <see cref="VerificationBin"/> with
/// the same images and flags, CPython's pickle reads it as arcface_torch's <c>load_bin</c> does, and LFW-format pairs become a
/// set of the files' bytes or of re-encoded crops.
/// </summary>
public class VerificationBinWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }

    private static readonly byte[][] Images = SampleImages;

    private static readonly bool[] Same = [true, false, true];

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void BothProtocolsReadBackWithTheSameImagesAndFlags(int protocol)
    {
        var path = _temp.Combine($"p{protocol}.bin");
        VerificationBinWriter.Write(path, Same, j => Images[j], protocol);
        Assert.Equal([0x80, (byte)protocol], File.ReadAllBytes(path)[..2]);
        var set = VerificationBin.Read(path);
        Assert.Equal(Same, set.SameLabels());
        for (int i = 0; i < Same.Length; i++)
        {
            Assert.Equal(Images[2 * i], set.Pairs[i].First.ToArray());
            Assert.Equal(Images[2 * i + 1], set.Pairs[i].Second.ToArray());
        }
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public void PairsBecomeTheFilesBytesOrTheirCropsAsJpeg()
    {
        var layout = SyntheticIdentities.Write(_temp.Combine("faces"), identities: 3, trainImages: 1, validationImages: 3, size: 48, pairsPerClass: 3);
        var pairs = LfwPairs.Read(layout.ValidationPairs);
        var files = _temp.Combine("files.bin");
        VerificationBinWriter.WritePairs(files, pairs, layout.ValidationImages, FaceCrop.None);
        var set = VerificationBin.Read(files);
        Assert.Equal(pairs.SameLabels(), set.SameLabels());
        for (int i = 0; i < pairs.Pairs.Count; i++)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(layout.ValidationImages, pairs.Pairs[i].Image1)), set.Pairs[i].First.ToArray());
            Assert.Equal(File.ReadAllBytes(Path.Combine(layout.ValidationImages, pairs.Pairs[i].Image2)), set.Pairs[i].Second.ToArray());
        }

        var cropped = _temp.Combine("crops.bin");
        VerificationBinWriter.WritePairs(cropped, pairs, layout.ValidationImages, FaceCrop.Center(40), protocol: 2);
        var crops = VerificationBin.Read(cropped);
        var first = crops.Pairs[0].First.ToArray();
        Assert.Equal([0xff, 0xd8], first[..2]); // a JPEG
        var image = ImageFile.Decode(first, "crop");
        var expected = FaceCrop.Center(40).Apply(ImageFile.Read(Path.Combine(layout.ValidationImages, pairs.Pairs[0].Image1)));
        Assert.Equal((40, 40), (image.Width, image.Height));
        // JPEG quality 95: every channel within a few levels of the crop on average.
        Assert.InRange(image.Pixels.Zip(expected.Pixels).Average(p => Math.Abs(p.First - p.Second)), 0, 4);

        File.Delete(Path.Combine(layout.ValidationImages, pairs.Pairs[1].Image2));
        var missing = Assert.Throws<MarginFaceException>(() => VerificationBinWriter.WritePairs(_temp.Combine("missing.bin"), pairs, layout.ValidationImages, FaceCrop.None));
        Assert.StartsWith($"{Path.Combine(layout.ValidationImages, pairs.Pairs[1].Image2)}: image not found", missing.Message);
        Assert.False(File.Exists(_temp.Combine("missing.bin")));
    }

    [PythonFact]
    [Trait("Category", "Integration")]
    public void CPythonsPickleReadsBothProtocolsAsArcfaceTorchsLoadBinDoes()
    {
        foreach (var protocol in new[] { 2, 4 })
        {
            var path = _temp.Combine($"python{protocol}.bin");
            VerificationBinWriter.Write(path, Same, j => Images[j], protocol);
            // arcface_torch's eval/verification.py: bins, issame_list = pickle.load(f, encoding='bytes')
            var script = "import pickle, sys, hashlib; bins, same = pickle.load(open(sys.argv[1], 'rb'), encoding='bytes'); "
                + "print(type(bins).__name__, len(bins), type(bins[0]).__name__, ''.join('1' if s else '0' for s in same), hashlib.sha256(b''.join(bins)).hexdigest())";
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-c", script, path }) start.ArgumentList.Add(argument);
            using var python = Process.Start(start)!;
            var output = python.StandardOutput.ReadToEnd();
            var error = python.StandardError.ReadToEnd();
            Assert.True(python.WaitForExit(30_000), "python3 did not finish");
            Assert.True(python.ExitCode == 0, error);
            var digest = Convert.ToHexStringLower(SHA256.HashData(Images.SelectMany(i => i).ToArray()));
            Assert.Equal($"list 6 bytes 101 {digest}", output.Trim());
        }
    }
}
