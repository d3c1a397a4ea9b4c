using System.Text.Json;
using MarginFace.Runtime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// Reads a TensorFlow.js weights manifest (<c>*-weights_manifest.json</c>: groups of <c>paths</c> and <c>weights</c>, each
/// weight with <c>name</c>, <c>shape</c>, <c>dtype</c> and optional <c>quantization</c>) and the binary files it names,
/// whose bytes are the weights back to back in manifest order. Quantised weights (uint8 or uint16) are restored as
/// value = q · scale + min; int32 weights (shapes and axes of the exported graph) are read as their values. Sizes are checked against the files before anything is allocated.
/// </summary>
internal static class TfjsWeightManifest
{
    /// <summary>See <see cref="ReadLimits.MaxTfjsElements"/>, where every reader's budget is named with its reason.</summary>
    private const long MaxElements = ReadLimits.MaxTfjsElements;

    public static IReadOnlyList<TfjsWeight> Read(string manifestPath)
    {
        if (!File.Exists(manifestPath)) throw new MarginFaceException($"{manifestPath}: file not found");
        var directory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        List<Group> groups;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
            groups = document.RootElement.EnumerateArray().Select(ParseGroup).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or OverflowException)
        {
            throw new MarginFaceException($"{manifestPath}: not a TensorFlow.js weights manifest ({e.Message.ReplaceLineEndings(" ")})", e);
        }

        var weights = new List<TfjsWeight>();
        foreach (var group in groups)
        {
            var files = group.Paths.Select(path => ResolveFile(manifestPath, directory, path)).ToList();
            var available = files.Sum(file => new FileInfo(file).Length);
            var needed = 0L;
            foreach (var weight in group.Weights)
            {
                needed += weight.ByteCount(manifestPath);
                if (needed > available)
                    throw new MarginFaceException($"{manifestPath}: weight '{weight.Name}' ends at byte {needed}, but its weights files ({string.Join(", ", group.Paths)}) hold only {available} bytes");
            }
            if (needed != available)
                throw new MarginFaceException($"{manifestPath}: the weights take {needed} bytes, but their files ({string.Join(", ", group.Paths)}) hold {available}");
            using var stream = new ConcatenatedFiles(files);
            foreach (var weight in group.Weights) weights.Add(weight.Read(stream));
        }
        return weights;
    }

    private static string ResolveFile(string manifestPath, string directory, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(directory, relative));
        if (Path.GetDirectoryName(full) != directory)
            throw new MarginFaceException($"{manifestPath}: weights file '{relative}' lies outside the manifest's directory");
        if (!File.Exists(full)) throw new MarginFaceException($"{manifestPath}: weights file '{relative}' not found in {directory}");
        return full;
    }

    private static Group ParseGroup(JsonElement group) => new(
        group.GetProperty("paths").EnumerateArray().Select(path => path.GetString() ?? throw new FormatException("a path is null")).ToList(),
        group.GetProperty("weights").EnumerateArray().Select(ParseWeight).ToList());

    private static Entry ParseWeight(JsonElement weight)
    {
        var name = weight.GetProperty("name").GetString() ?? throw new FormatException("a weight without a name");
        var shape = weight.GetProperty("shape").EnumerateArray().Select(size => size.GetInt64()).ToArray();
        var dtype = weight.GetProperty("dtype").GetString();
        Quantization? quantization = null;
        if (weight.TryGetProperty("quantization", out var q))
            quantization = new Quantization(q.GetProperty("dtype").GetString() ?? "", q.GetProperty("scale").GetSingle(), q.GetProperty("min").GetSingle());
        return new Entry(name, shape, dtype ?? "", quantization);
    }

    private sealed record Group(List<string> Paths, List<Entry> Weights);

    private sealed record Quantization(string DType, float Scale, float Min);

    private sealed record Entry(string Name, long[] Shape, string DType, Quantization? Quantization)
    {
        private long _count;

        public long ByteCount(string manifestPath)
        {
            if (DType is not ("float32" or "int32"))
                throw new MarginFaceException($"{manifestPath}: weight '{Name}' has dtype '{DType}'; only float32 and int32 weights are read");
            if (Shape.Any(size => size < 0))
                throw new MarginFaceException($"{manifestPath}: weight '{Name}' has a negative size in [{string.Join(", ", Shape)}]");
            _count = 1;
            foreach (var size in Shape)
            {
                _count *= size;
                if (_count > MaxElements)
                    throw new MarginFaceException($"{manifestPath}: weight '{Name}' declares more than {MaxElements} elements");
            }
            var width = Quantization?.DType switch
            {
                null => 4,
                "uint8" => 1,
                "uint16" => 2,
                var other => throw new MarginFaceException($"{manifestPath}: weight '{Name}' has quantization '{other}'; only uint8 and uint16 are read"),
            };
            return _count * width;
        }

        public TfjsWeight Read(Stream stream)
        {
            var values = new float[_count];
            switch (Quantization)
            {
                case null:
                    var raw = new byte[_count * 4];
                    stream.ReadExactly(raw);
                    if (DType == "int32")
                        for (var i = 0; i < values.Length; i++) values[i] = BitConverter.ToInt32(raw, 4 * i);
                    else Buffer.BlockCopy(raw, 0, values, 0, raw.Length);
                    break;
                case { DType: "uint8" } q:
                    var bytes = new byte[_count];
                    stream.ReadExactly(bytes);
                    for (var i = 0; i < bytes.Length; i++) values[i] = bytes[i] * q.Scale + q.Min;
                    break;
                case var q:
                    var words = new byte[_count * 2];
                    stream.ReadExactly(words);
                    for (var i = 0; i < values.Length; i++) values[i] = BitConverter.ToUInt16(words, 2 * i) * q.Scale + q.Min;
                    break;
            }
            return new TfjsWeight(Name, Shape, values);
        }
    }

    /// <summary>The weights files of a group read as one stream, as TensorFlow.js concatenates them.</summary>
    private sealed class ConcatenatedFiles(IReadOnlyList<string> files) : Stream
    {
        private int _index = -1;
        private FileStream? _current;

        public override int Read(byte[] buffer, int offset, int count)
        {
            while (true)
            {
                if (_current is null)
                {
                    if (++_index >= files.Count) return 0;
                    _current = File.OpenRead(files[_index]);
                }
                var read = _current.Read(buffer, offset, count);
                if (read > 0 || count == 0) return read;
                _current.Dispose();
                _current = null;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _current?.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
