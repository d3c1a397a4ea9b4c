using System.Text;
using TorchSharp.Modules;
using TorchSharp;

namespace MarginFace.Runtime;

/// <summary>
/// Walks the tensors TorchSharp's <c>Module.save</c> and optimisers' <c>save_state_dict</c> wrote, without allocating for
/// them, so that a damaged or hostile file is refused before TorchSharp's own loader reads it: that loader sizes an array by
/// a rank read from the file (<c>new long[rank]</c>: a huge or negative rank is an out-of-memory or overflow) and, for an
/// optimiser's state, allocates a tensor of whatever shape the file declares. Each tensor is checked for a known element
/// type, a rank up to <see cref="ReadLimits.MaxTensorRank"/>, dimensions whose product and byte count fit 64 bits, and
/// bytes that the file still holds; a module's tensors must also be exactly its own (names, types, shapes). Every problem is
/// a one-line <see cref="MarginFaceException"/> naming the file. The stream is left where the walk ends.
/// </summary>
internal sealed class TorchStateScan
{
    private readonly string _path;
    private readonly Stream _stream;
    private readonly BinaryReader _reader;

    /// <param name="path">Named in every error.</param>
    /// <param name="stream">Positioned at the first module's state; must be seekable.</param>
    public TorchStateScan(string path, Stream stream)
    {
        _path = path;
        _stream = stream;
        _reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
    }

    private long Remaining => _stream.Length - _stream.Position;

    /// <summary>Checks one module's state.</summary>
    /// <param name="target">A module's <c>state_dict()</c>, whose names, element types and shapes the state must have; null: only that the state is well formed and fits the file.</param>
    /// <param name="what">Names the module in errors (e.g. <c>the backbone</c>, <c>module 2</c>).</param>
    public void Module(IReadOnlyDictionary<string, torch.Tensor>? target, string what)
    {
        var count = Count("tensor count", ReadLimits.MaxStateEntries, what);
        if (target is not null && count != target.Count)
            throw Fail($"the state of {what} lists {count} tensors, but {what} has {target.Count}; the file is damaged or of another model");
        for (var i = 0; i < count; i++)
        {
            var name = Name(what);
            torch.Tensor? expected = null;
            if (target is not null && !target.TryGetValue(name, out expected))
                throw Fail($"the state of {what} holds '{Printable(name)}', which {what} does not have; the file is damaged or of another model");
            var (type, shape) = Tensor($"'{Printable(name)}' of {what}");
            if (expected is not null && (type != expected.dtype || !shape.SequenceEqual(expected.shape)))
                throw Fail($"'{Printable(name)}' of {what} is {type} [{string.Join(", ", shape)}] in the file but {expected.dtype} [{string.Join(", ", expected.shape)}] in the model");
        }
    }

    /// <summary>
    /// Checks the state <paramref name="optimizer"/> saved (<paramref name="typeName"/>: the type name it writes). SGD's and
    /// Adam's layouts are known and walked tensor by tensor; for another type false is returned and nothing after it can be
    /// checked.
    /// </summary>
    public bool Optimizer(OptimizerHelper optimizer, string typeName, string what)
    {
        var name = ReadString("optimizer type", 256, what);
        if (name != typeName)
            throw Fail($"{what} holds the state of optimiser '{Printable(name)}', expected '{typeName}'");
        var (optionsBytes, stateTensors) = typeName switch
        {
            "SGD" => (16 + 24 + 2, 0),
            "Adam" or "AdamW" => (16 + 32 + 2, 2),
            _ => (-1, 0),
        };
        if (optionsBytes < 0) return false;
        var sd = optimizer.state_dict();
        var options = Count("parameter-group count", ReadLimits.MaxStateEntries, what);
        var states = Count("state count", ReadLimits.MaxStateEntries, what);
        if (options != sd.Options.Count || states != sd.State.Count)
            throw Fail($"{what} holds {options} parameter groups and {states} states, but the optimiser has {sd.Options.Count} and {sd.State.Count}");
        Skip(options * optionsBytes, $"the options of {what}");
        for (var i = 0; i < states; i++)
        {
            if (stateTensors > 0) Skip(8, $"state {i} of {what}"); // Adam's step
            for (var t = 0; t < stateTensors; t++) Tensor($"state {i} of {what}");
            if (Boolean(what)) Tensor($"state {i} of {what}");
        }
        return true;
    }

    /// <summary>Element type and shape of one tensor; its bytes are skipped after checking that the file holds them.</summary>
    private (torch.ScalarType Type, long[] Shape) Tensor(string what)
    {
        var code = Leb128(what);
        var type = (torch.ScalarType)(sbyte)code;
        var elementSize = code is >= 0 and <= sbyte.MaxValue ? ElementSize(type) : 0;
        if (elementSize == 0) throw Fail($"{what} has element type {code}, which is not one TorchSharp saves");
        var rank = Leb128(what);
        if (rank is < 0 or > ReadLimits.MaxTensorRank)
            throw Fail($"{what} declares {rank} dimensions; at most {ReadLimits.MaxTensorRank} are accepted");
        var shape = new long[rank];
        var bytes = (long)elementSize;
        for (var d = 0; d < rank; d++)
        {
            shape[d] = Leb128(what);
            if (shape[d] < 0) throw Fail($"{what} declares dimension {d} as {shape[d]}");
            if (shape[d] > 0 && bytes > long.MaxValue / shape[d])
                throw Fail($"{what} declares dimensions [{string.Join(", ", shape[..(d + 1)])}...] whose size overflows 64 bits");
            bytes *= shape[d];
        }
        Skip(bytes, $"{what} ({type} [{string.Join(", ", shape)}])");
        return (type, shape);
    }

    private void Skip(long bytes, string what)
    {
        if (bytes > Remaining)
            throw Fail($"{what} needs {bytes} bytes, but only {Remaining} remain in the file; it is damaged or cut short");
        _stream.Position += bytes;
    }

    private bool Boolean(string what)
    {
        if (Remaining < 1) throw Fail($"{what} ends inside its optimiser state; the file is cut short");
        return _reader.ReadBoolean();
    }

    private long Count(string name, long max, string what)
    {
        var count = Leb128(what);
        if (count < 0 || count > max) throw Fail($"{what} declares a {name} of {count}; at most {max} are accepted");
        return count;
    }

    private string Name(string what) => ReadString("tensor name", ReadLimits.MaxTensorNameBytes, what);

    /// <summary>A <see cref="BinaryWriter.Write(string)"/> string whose byte length is checked before it is read.</summary>
    private string ReadString(string name, int maxBytes, string what)
    {
        int length;
        try
        {
            length = _reader.Read7BitEncodedInt();
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException)
        {
            throw Fail($"{what}: a {name} has a damaged length; the file is damaged or cut short");
        }
        if (length < 0 || length > maxBytes || length > Remaining)
            throw Fail($"{what}: a {name} declares {length} bytes (at most {Math.Min(maxBytes, Remaining)} possible here)");
        var bytes = _reader.ReadBytes(length);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"{what}: a {name} is not valid UTF-8");
        }
    }

    /// <summary>
    /// TorchSharp's unsigned LEB128 (<c>LEB128Codec.Decode</c>), limited to the 10 bytes a 64-bit value takes; a longer run,
    /// which TorchSharp would silently wrap, is refused.
    /// </summary>
    private long Leb128(string what)
    {
        long result = 0;
        for (var i = 0; i < 10; i++)
        {
            if (Remaining < 1) throw Fail($"{what} ends inside a number; the file is damaged or cut short");
            long b = _reader.ReadByte();
            result += (b & 0x7f) << (i * 7);
            if ((b & 0x80) == 0) return result;
        }
        throw Fail($"{what} holds a number longer than 64 bits; the file is damaged");
    }

    /// <summary>Bytes per element of the types TorchSharp saves; 0 for a value that is no such type.</summary>
    private static int ElementSize(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Byte or torch.ScalarType.Int8 or torch.ScalarType.Bool => 1,
        torch.ScalarType.Int16 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16 => 2,
        torch.ScalarType.Int32 or torch.ScalarType.Float32 => 4,
        torch.ScalarType.Int64 or torch.ScalarType.Float64 or torch.ScalarType.ComplexFloat32 => 8,
        torch.ScalarType.ComplexFloat64 => 16,
        _ => 0,
    };

    private static string Printable(string text) =>
        new(text.Select(c => char.IsControl(c) ? '?' : c).Take(200).ToArray());

    private MarginFaceException Fail(string problem) => new($"{_path}: {problem}");
}
