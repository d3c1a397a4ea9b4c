using MarginFace.Imaging;
using MarginFace.Interop.PyTorch;
using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// An InsightFace verification set (<c>lfw.bin</c>, <c>cfp_fp.bin</c>, <c>agedb_30.bin</c>, <c>calfw.bin</c>, <c>cplfw.bin</c>, …):
/// a pickle of <c>(bins, issame_list)</c>, <c>bins</c> 2·N encoded images (pair i is images 2i and 2i+1) and <c>issame_list</c>
/// N flags (a list of bools, or a NumPy bool array). Read without executing anything (see the restricted reader in
/// <c>Interop/PyTorch</c>): Python 2's protocol 2 with byte strings, Python 3's protocols 2–5, NumPy 1 and 2; anything else, a
/// truncated file or one beyond <see cref="ReadLimits.MaxVerificationBinBytes"/> is refused in one line naming the file.
/// </summary>
public sealed class VerificationBin
{
    private VerificationBin(string path, IReadOnlyList<VerificationBinPair> pairs)
    {
        Path = path;
        Pairs = pairs;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The pairs, in file order (the order arcface_torch's folds follow).</summary>
    public IReadOnlyList<VerificationBinPair> Pairs { get; }

    /// <summary>The same/different flag of each pair, in file order.</summary>
    public IReadOnlyList<bool> SameLabels() => Pairs.Select(p => p.Same).ToArray();

    /// <summary>
    /// The embeddings of every pair's two images, <paramref name="pairsPerBatch"/> pairs at a time (decoded on every core, then
    /// passed to <paramref name="embed"/>), so memory holds one batch of decoded images whatever the set's size. An image that
    /// does not decode is a <see cref="MarginFaceException"/> naming the file and the image's position.
    /// </summary>
    public (float[][] First, float[][] Second) Embed(Func<IReadOnlyList<RgbImage>, IReadOnlyList<float[]>> embed, int pairsPerBatch = 64)
    {
        ArgumentNullException.ThrowIfNull(embed);
        ArgumentOutOfRangeException.ThrowIfLessThan(pairsPerBatch, 1);
        var first = new float[Pairs.Count][];
        var second = new float[Pairs.Count][];
        for (var start = 0; start < Pairs.Count; start += pairsPerBatch)
        {
            var count = Math.Min(pairsPerBatch, Pairs.Count - start);
            var images = new RgbImage[2 * count];
            Parallel.For(0, 2 * count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, j =>
            {
                var index = start + j / 2;
                var pair = Pairs[index];
                var bytes = j % 2 == 0 ? pair.First : pair.Second;
                images[j] = ImageFile.Decode(bytes.ToArray(), $"{Path}: image {2 * index + j % 2}");
            });
            var embeddings = embed(images);
            for (var j = 0; j < count; j++)
            {
                first[start + j] = embeddings[2 * j];
                second[start + j] = embeddings[2 * j + 1];
            }
        }
        return (first, second);
    }

    /// <summary>Reads the verification set at <paramref name="path"/>.</summary>
    public static VerificationBin Read(string path)
    {
        FileInfo file;
        try
        {
            file = new FileInfo(path);
            if (!file.Exists) throw new MarginFaceException($"{path}: no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new MarginFaceException($"{path}: {e.Message}");
        }
        if (file.Length > ReadLimits.MaxVerificationBinBytes)
            throw new MarginFaceException($"{path}: {file.Length} bytes is larger than a verification set may be ({ReadLimits.MaxVerificationBinBytes} bytes)");
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: {e.Message}");
        }
        return FromPickle(data, path);
    }

    /// <summary>Reads a verification set held in memory; <paramref name="name"/> is used in error messages.</summary>
    public static VerificationBin FromPickle(byte[] data, string name)
    {
        if (data.LongLength > ReadLimits.MaxVerificationBinBytes)
            throw new MarginFaceException($"{name}: {data.LongLength} bytes is larger than a verification set may be ({ReadLimits.MaxVerificationBinBytes} bytes)");
        var root = new VerificationBinUnpickler(name, data).Load();
        var parts = root switch
        {
            PickleTuple { Count: 2 } tuple => tuple.Items,
            List<object?> { Count: 2 } list => list.ToArray(),
            _ => throw new MarginFaceException($"{name}: the pickle does not hold a pair (bins, issame_list)"),
        };
        if (parts[0] is not List<object?> bins) throw new MarginFaceException($"{name}: bins is not a list of images");
        var same = parts[1] switch
        {
            List<object?> flags => flags.Select((flag, i) => flag switch
            {
                bool value => value,
                long value and (0 or 1) => value == 1,
                _ => throw new MarginFaceException($"{name}: issame_list[{i}] is not a bool"),
            }).ToArray(),
            VerificationBinUnpickler.NumpyBoolArray { Values: { } values } => values,
            bool[] values => values,
            _ => throw new MarginFaceException($"{name}: issame_list is neither a list of bools nor a NumPy bool array"),
        };
        if (bins.Count != 2L * same.Length)
            throw new MarginFaceException($"{name}: {bins.Count} images for {same.Length} pairs (expected {2L * same.Length})");
        var pairs = new VerificationBinPair[same.Length];
        for (var i = 0; i < pairs.Length; i++)
            pairs[i] = new VerificationBinPair(Image(bins, 2 * i, name), Image(bins, 2 * i + 1, name), same[i]);
        return new VerificationBin(name, pairs);
    }

    private static ReadOnlyMemory<byte> Image(List<object?> bins, int index, string name) =>
        bins[index] is ReadOnlyMemory<byte> bytes ? bytes : throw new MarginFaceException($"{name}: bins[{index}] is not bytes");
}
