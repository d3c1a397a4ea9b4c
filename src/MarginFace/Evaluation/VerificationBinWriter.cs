using System.Buffers.Binary;
using MarginFace.Data;
using MarginFace.Imaging;
using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// Writes an InsightFace verification set (what <see cref="VerificationBin"/> and arcface_torch's <c>load_bin</c> read): a pickle
/// of the tuple <c>(bins, issame_list)</c>, <c>bins</c> a list of 2·N encoded images (pair i is images 2i and 2i+1) and
/// <c>issame_list</c> a list of N bools. Protocol 4 stores the images as Python 3 <c>bytes</c> (<c>BINBYTES</c>); protocol 2 as
/// Python 2 <c>str</c> (<c>BINSTRING</c>), the form of InsightFace's own files, which Python 3 reads with
/// <c>encoding='bytes'</c> as arcface_torch does. Written by hand: the format is six opcodes, and no .NET pickle library is
/// kept up; through a temporary sibling renamed into place.
/// </summary>
public static class VerificationBinWriter
{
    /// <summary>
    /// Writes <paramref name="same"/>.Count pairs to <paramref name="path"/>: <paramref name="image"/>(j) gives image j's encoded
    /// bytes (asked once each, in order, j = 0..2N−1), <paramref name="protocol"/> 2 or 4.
    /// </summary>
    public static void Write(string path, IReadOnlyList<bool> same, Func<int, byte[]> image, int protocol = 4)
    {
        ArgumentNullException.ThrowIfNull(same);
        ArgumentNullException.ThrowIfNull(image);
        if (protocol is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "protocol 2 or 4");
        AtomicFile.Write(path, temp =>
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            Span<byte> length = stackalloc byte[4];
            stream.Write([0x80, (byte)protocol]); // PROTO
            stream.WriteByte((byte)']'); // EMPTY_LIST
            for (int j = 0; j < 2 * same.Count; j++)
            {
                // Python appends in batches of 1000 under a MARK; one APPEND per item is as valid and simpler.
                var bytes = image(j) ?? throw new ArgumentException($"The image of {j} is null.", nameof(image));
                if ((long)bytes.Length + 5 > ReadLimits.MaxVerificationBinBytes)
                    throw new MarginFaceException($"{path}: image {j} is {bytes.Length} bytes, more than a verification set may hold");
                stream.WriteByte((byte)(protocol == 4 ? 'B' : 'T')); // BINBYTES / BINSTRING: uint32 length, then the bytes
                BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
                stream.Write(length);
                stream.Write(bytes);
                stream.WriteByte((byte)'a'); // APPEND
                if (stream.Position > ReadLimits.MaxVerificationBinBytes)
                    throw new MarginFaceException($"{path}: more than a verification set may be ({ReadLimits.MaxVerificationBinBytes} bytes) by image {j}");
            }
            stream.WriteByte((byte)']');
            foreach (var flag in same)
            {
                stream.WriteByte(flag ? (byte)0x88 : (byte)0x89); // NEWTRUE / NEWFALSE
                stream.WriteByte((byte)'a');
            }
            stream.Write([0x86, (byte)'.']); // TUPLE2, STOP
        });
    }

    /// <summary>
    /// Writes the pairs of <paramref name="pairs"/> (LFW's <c>pairs.txt</c>), their images read under <paramref name="images"/>:
    /// with <see cref="FaceCrop.None"/> each file's bytes as they are; with any other crop the face it cuts, encoded as JPEG
    /// (<see cref="JpegEncoder.DefaultQuality"/>), as InsightFace's <c>lfw.bin</c> holds 112×112 aligned faces. Images are read
    /// and cropped on every core, 64 at a time; one that cannot be is a <see cref="MarginFaceException"/> naming its file.
    /// </summary>
    public static void WritePairs(string path, LfwPairs pairs, string images, FaceCrop crop, int protocol = 4)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(crop);
        pairs.CheckImages(images);
        var files = pairs.Pairs.SelectMany(p => new[] { p.Image1, p.Image2 }).Select(f => System.IO.Path.Combine(images, f)).ToArray();
        const int Chunk = 64;
        var encoded = new byte[Chunk][];
        Write(path, pairs.SameLabels(), j =>
        {
            if (j % Chunk == 0)
            {
                var count = Math.Min(Chunk, files.Length - j);
                try
                {
                    Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
                        encoded[k] = crop is NoFaceCrop ? ReadFile(files[j + k]) : JpegEncoder.Encode(crop.Apply(ImageFile.Read(files[j + k]))));
                }
                catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is MarginFaceException) is { } first)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
                }
            }
            return encoded[j % Chunk];
        }, protocol);
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            var length = new FileInfo(path).Length;
            if (length > ReadLimits.MaxVerificationBinBytes)
                throw new MarginFaceException($"{path}: {length} bytes, more than a verification set may hold");
            ImageFile.ReadSize(path);
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
    }
}
