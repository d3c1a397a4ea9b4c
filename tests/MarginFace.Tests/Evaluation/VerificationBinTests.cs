using MarginFace.Evaluation;
using MarginFace.Imaging;
using MarginFace.Tests.Interop;
using SkiaSharp;
using static MarginFace.Tests.Evaluation.VerificationBinPickles;

namespace MarginFace.Tests.Evaluation;

/// <summary>
/// InsightFace's <c>.bin</c> verification sets (issue 38): pickles written opcode by opcode here (Python 2's protocol 2, Python 3's
/// protocol 4 with a NumPy bool array), pickles written by CPython itself (fixtures), and hostile pickles refused in one line.
/// </summary>
public class VerificationBinTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }

    private static readonly byte[][] Images = SampleImages;

    private static readonly bool[] Same = [true, false, true];

    private string Write(string name, byte[] pickle)
    {
        var path = _temp.Combine(name);
        File.WriteAllBytes(path, pickle);
        return path;
    }

    private static void AssertPairs(VerificationBin set)
    {
        Assert.Equal(3, set.Pairs.Count);
        Assert.Equal(Same, set.SameLabels());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Images[2 * i], set.Pairs[i].First.ToArray());
            Assert.Equal(Images[2 * i + 1], set.Pairs[i].Second.ToArray());
        }
        var decoded = ImageFile.Decode(set.Pairs[0].First.ToArray(), "first");
        Assert.Equal((112, 112), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void ReadsPython2Protocol2()
    {
        Assert.Contains(Images, image => image.Length >= 256); // BINSTRING as well as SHORT_BINSTRING
        AssertPairs(VerificationBin.Read(Write("lfw.bin", Protocol2(Images, Same))));
    }

    [Theory]
    [InlineData("numpy.core")]
    [InlineData("numpy._core")]
    public void ReadsProtocol4WithANumPyBoolArray(string numpyCore) =>
        AssertPairs(VerificationBin.Read(Write("cfp_fp.bin", Protocol4(Images, Same, numpyCore))));

    [Theory]
    [InlineData(2)] // bytes as _codecs.encode(text, 'latin1')
    [InlineData(4)]
    [InlineData(5)]
    public void ReadsWhatCPythonWrites(int protocol)
    {
        // Made by Interop/Fixtures/make_verification_bins.py: four 8×8 PNGs (red, near red, blue, green), issame_list [True, False].
        var set = VerificationBin.Read(PyTorchFixtures.PathOf($"python3_protocol{protocol}.bin"));
        Assert.Equal([true, false], set.SameLabels());
        var first = ImageFile.Decode(set.Pairs[0].First.ToArray(), "first");
        Assert.Equal((8, 8), (first.Width, first.Height));
        Assert.Equal(255, first.Pixels[0]);
        var last = ImageFile.Decode(set.Pairs[1].Second.ToArray(), "last");
        Assert.Equal(255, last.Pixels[1]);
    }

    [Fact]
    public void ReadsProtocol5WithAnInBandNumPyBuffer()
    {
        // NumPy at protocol 5: _frombuffer(bytearray(data), dtype('b1'), shape, 'C'); the flags also as numpy.bool_ scalars.
        byte[] Text(string s) => [0x8c, (byte)s.Length, .. System.Text.Encoding.ASCII.GetBytes(s)];
        byte[] dtype = [.. Text("numpy"), .. Text("dtype"), 0x93, .. Text("b1"), 0x89, 0x88, 0x87, (byte)'R',
            (byte)'(', (byte)'K', 3, .. Text("|"), (byte)'N', (byte)'N', (byte)'N', (byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'K', 0, (byte)'t', (byte)'b'];
        byte[] images = [(byte)']', (byte)'(', .. Images.SelectMany(i => (byte[])[(byte)'B', .. BitConverter.GetBytes(i.Length), .. i]), (byte)'e'];
        byte[] array = [.. Text("numpy.core.numeric"), .. Text("_frombuffer"), 0x93, (byte)'(', 0x96, .. BitConverter.GetBytes(3L), 1, 0, 1,
            .. dtype, (byte)'K', 3, 0x85, .. Text("C"), (byte)'t', (byte)'R'];
        var set = VerificationBin.Read(Write("agedb_30.bin", [0x80, 5, .. images, .. array, 0x86, (byte)'.']));
        AssertPairs(set);
        byte[] scalar(bool flag) => [.. Text("numpy._core.multiarray"), .. Text("scalar"), 0x93, .. dtype, (byte)'C', 1, flag ? (byte)1 : (byte)0, 0x86, (byte)'R'];
        byte[] list = [(byte)']', (byte)'(', .. scalar(true), .. scalar(false), .. scalar(true), (byte)'e'];
        AssertPairs(VerificationBin.Read(Write("calfw.bin", [0x80, 4, .. images, .. list, 0x86, (byte)'.'])));
    }

    private MarginFaceException Refused(byte[] pickle, string name = "hostile.bin", long slack = 1 << 20)
    {
        var path = Write(name, pickle);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<MarginFaceException>(() => VerificationBin.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < slack + 4L * pickle.Length, "allocated more than the file and its slack");
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith(path + ":", error.Message);
        return error;
    }

    [Fact]
    public void RefusesAnUnknownGlobal()
    {
        var error = Refused([0x80, 2, .. "cos\nsystem\n"u8, (byte)'U', 2, (byte)'i', (byte)'d', 0x85, (byte)'R', (byte)'.']);
        Assert.Contains("'os.system'", error.Message);
    }

    [Fact]
    public void RefusesAStackGlobalOfAForbiddenCallable()
    {
        var error = Refused([0x80, 4, 0x8c, 8, .. "builtins"u8, 0x8c, 4, .. "eval"u8, 0x93, 0x8c, 1, (byte)'1', 0x85, (byte)'R', (byte)'.']);
        Assert.Contains("'builtins.eval'", error.Message);
    }

    [Fact]
    public void RefusesAReduceOfAnAllowedTypeThatIsNoFunction()
    {
        // numpy.ndarray may be named (as _reconstruct's argument) but never called.
        var error = Refused([0x80, 2, .. "cnumpy\nndarray\n"u8, (byte)')', (byte)'R', (byte)'.']);
        Assert.Contains("REDUCE calls 'numpy.ndarray'", error.Message);
    }

    [Fact]
    public void RefusesCodecsEncodeWithAnotherCodec()
    {
        var error = Refused([0x80, 2, .. "c_codecs\nencode\n"u8, 0x8c, 1, (byte)'x', 0x8c, 5, .. "rot13"u8, 0x86, (byte)'R', (byte)'.']);
        Assert.Contains("_codecs.encode", error.Message);
    }

    [Fact]
    public void RefusesBytesClaimingATerabyteBeforeAllocating()
    {
        var error = Refused([0x80, 4, 0x8e, .. BitConverter.GetBytes(1L << 40), 1, 2, 3, (byte)'.']);
        Assert.Contains($"{1L << 40} bytes", error.Message);
        Assert.Contains("runs past the pickle's end", error.Message);
    }

    [Fact]
    public void RefusesATruncatedFile()
    {
        var whole = Protocol2(Images, Same);
        var error = Refused(whole[..(whole.Length / 2)], "lfw.bin");
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void RefusesOpcodesNoVerificationSetUses()
    {
        var error = Refused([0x80, 2, (byte)'}', (byte)'.']);
        Assert.Contains("EMPTY_DICT", error.Message);
    }

    [Fact]
    public void RefusesMoreImagesThanFlagsCanPair()
    {
        var error = Refused(Protocol2(Images, [true, false]));
        Assert.Contains("6 images for 2 pairs", error.Message);
    }

    [Fact]
    public void RefusesAPickleThatBuildsTooManyObjects()
    {
        // An empty list appended to itself through the memo millions of times: a few bytes an append.
        var p = new List<byte> { 0x80, 2, (byte)']', (byte)'q', 0 };
        for (var i = 0; i < 2_200_000; i++) p.AddRange([(byte)'h', 0, (byte)'a']);
        var error = Refused([.. p, (byte)'.'], slack: 96L << 20); // the list's slots up to the budget
        Assert.Contains("objects", error.Message);
    }
}
