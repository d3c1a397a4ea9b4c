using System.Text;
using MarginFace.Runtime;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// Reads the pickle of an InsightFace <c>.bin</c> verification set without executing anything, on the
/// <see cref="PickleMachine"/> that <see cref="RestrictedUnpickler"/> shares: it knows only the opcodes such a file uses (protocols 2 to 5:
/// tuples, lists, ints, bools, None, byte and text strings, memo, FRAME, <c>GLOBAL</c>/<c>STACK_GLOBAL</c>, <c>REDUCE</c>,
/// <c>BUILD</c>) and of globals only those that rebuild bytes and a NumPy bool array: <c>_codecs.encode</c> (how Python 3
/// writes bytes at protocol 2), <c>bytes</c> (an empty one), and NumPy's <c>_reconstruct</c>, <c>ndarray</c>, <c>dtype</c>,
/// <c>scalar</c> and <c>_frombuffer</c> (under <c>numpy.core</c> and NumPy 2's <c>numpy._core</c>). Anything else is refused
/// when it is read, in one line naming the file and the opcode or global.
/// Python 2's byte strings (<c>BINSTRING</c>, <c>SHORT_BINSTRING</c>) are read as bytes, as arcface_torch loads them
/// (<c>encoding='bytes'</c>). Bytes come back as <see cref="ReadOnlyMemory{T}"/> slices of the file (no copy), text as
/// <see cref="string"/>, tuples as <see cref="PickleTuple"/>, lists as <see cref="List{T}"/>, ints as <see cref="long"/>,
/// a NumPy bool array as <see cref="bool"/>[]; budgets: <see cref="ReadLimits.MaxVerificationBinObjects"/>,
/// <see cref="ReadLimits.MaxVerificationBinTextBytes"/>, <see cref="ReadLimits.MaxVerificationBinNesting"/>, and every length
/// is checked against the bytes the file still holds before anything is sliced or allocated.
/// </summary>
internal sealed class VerificationBinUnpickler : PickleMachine
{
    private static readonly PickleGlobal CodecsEncode = new("_codecs", "encode");
    private static readonly HashSet<PickleGlobal> Bytes = [new("__builtin__", "bytes"), new("builtins", "bytes")];
    private static readonly HashSet<PickleGlobal> Reconstruct = [new("numpy.core.multiarray", "_reconstruct"), new("numpy._core.multiarray", "_reconstruct")];
    private static readonly HashSet<PickleGlobal> Scalar = [new("numpy.core.multiarray", "scalar"), new("numpy._core.multiarray", "scalar")];
    private static readonly HashSet<PickleGlobal> FromBuffer = [new("numpy.core.numeric", "_frombuffer"), new("numpy._core.numeric", "_frombuffer")];
    private static readonly PickleGlobal NdArray = new("numpy", "ndarray");
    private static readonly PickleGlobal DType = new("numpy", "dtype");

    private static readonly PickleBudget BinBudget = new(ReadLimits.MaxVerificationBinObjects, ReadLimits.MaxVerificationBinTextBytes,
        ReadLimits.MaxVerificationBinNesting, "a verification set needs about 9 per pair",
        "protocol 2 writes each image as latin-1 text, up to two bytes per image byte");

    /// <param name="source">Named in every error (the .bin file).</param>
    /// <param name="data">The pickle.</param>
    public VerificationBinUnpickler(string source, byte[] data)
        : base(source, data, BinBudget)
    {
    }

    protected override string Kind => "a verification .bin";

    /// <summary>Globals a .bin file may name.</summary>
    public static bool IsAllowed(PickleGlobal global) =>
        global == CodecsEncode || Bytes.Contains(global) || Reconstruct.Contains(global) || Scalar.Contains(global)
        || FromBuffer.Contains(global) || global == NdArray || global == DType;

    protected override bool Step(byte opcode, int at)
    {
        switch (opcode)
        {
            case (byte)'T': // BINSTRING (Python 2 str: bytes)
            case (byte)'B': // BINBYTES
                Push(SliceBytes(ReadLength(4, at)));
                return true;
            case (byte)'U': // SHORT_BINSTRING (Python 2 str: bytes)
            case (byte)'C': // SHORT_BINBYTES
                Push(SliceBytes(ReadByte()));
                return true;
            case 0x8e: // BINBYTES8
            case 0x96: // BYTEARRAY8 (NumPy's in-band buffer at protocol 5)
                Push(SliceBytes(ReadLength(8, at)));
                return true;
            case 0x93: // STACK_GLOBAL
                var name = Pop() as string ?? throw Fail("STACK_GLOBAL with a name that is not text");
                var module = Pop() as string ?? throw Fail("STACK_GLOBAL with a module that is not text");
                Push(Allowed(new PickleGlobal(module, name)));
                return true;
            default:
                return false;
        }
    }

    protected override PickleGlobal Allowed(PickleGlobal global) =>
        IsAllowed(global) ? global : throw Fail($"pickle asks for global '{Printable(global.ToString())}', which a verification .bin never needs");

    protected override object Reduce(object? callable, PickleTuple arguments)
    {
        if (callable is not PickleGlobal function) throw Fail("REDUCE calls something that is not a global");
        if (function == CodecsEncode)
        {
            // Python 3 pickles bytes at protocol 2 as _codecs.encode(text of the bytes as latin-1 characters, 'latin1').
            if (arguments.Count != 2 || arguments[0] is not string text || arguments[1] is not ("latin1" or "latin-1"))
                throw Fail("_codecs.encode is called with arguments other than (text, 'latin1')");
            var bytes = new byte[text.Length];
            for (var i = 0; i < text.Length; i++)
                bytes[i] = text[i] <= 0xFF ? (byte)text[i] : throw Fail("_codecs.encode of text that is not latin-1");
            return new ReadOnlyMemory<byte>(bytes);
        }
        if (Bytes.Contains(function))
        {
            if (arguments.Count != 0) throw Fail($"{function} is called with arguments (only bytes() is allowed)");
            return ReadOnlyMemory<byte>.Empty;
        }
        if (function == DType)
        {
            // numpy.dtype('b1', False, True): the only dtype a list of same/different flags needs.
            if (arguments.Count is < 1 or > 3 || Text(arguments[0]) is not ("b1" or "?"))
                throw Fail("numpy.dtype is asked for a type other than bool ('b1')");
            return new NumpyBoolType();
        }
        if (Reconstruct.Contains(function))
        {
            // _reconstruct(numpy.ndarray, (0,), b'b'): an empty array that BUILD fills.
            if (arguments.Count != 3 || arguments[0] is not PickleGlobal type || type != NdArray)
                throw Fail($"{function} is called with arguments other than (numpy.ndarray, shape, typecode)");
            return new NumpyBoolArray();
        }
        if (Scalar.Contains(function))
        {
            // scalar(dtype('b1'), b'\x01'): a numpy.bool_.
            if (arguments.Count != 2 || arguments[0] is not NumpyBoolType || arguments[1] is not ReadOnlyMemory<byte> { Length: 1 } value)
                throw Fail($"{function} is called with arguments other than (dtype('b1'), one byte)");
            return value.Span[0] != 0;
        }
        if (FromBuffer.Contains(function))
        {
            // _frombuffer(buffer, dtype('b1'), shape, order): NumPy's in-band array at protocol 5.
            if (arguments.Count != 4 || arguments[0] is not ReadOnlyMemory<byte> buffer || arguments[1] is not NumpyBoolType)
                throw Fail($"{function} is called with arguments other than (buffer, dtype('b1'), shape, order)");
            return Flags(buffer, arguments[2]);
        }
        throw Fail($"REDUCE calls '{function}', which only names a type here");
    }

    protected override void Build(object? target, object? state)
    {
        switch (target)
        {
            case NumpyBoolType:
                // (version, byte order, subarray, names, fields, itemsize, alignment, flags): nothing a bool needs.
                if (state is not PickleTuple) throw Fail("BUILD of numpy.dtype with a state that is not a tuple");
                return;
            case NumpyBoolArray array:
                // (version, shape, dtype, is_fortran, raw bytes).
                if (state is not PickleTuple { Count: 5 } array_state || array_state[2] is not NumpyBoolType)
                    throw Fail("BUILD of numpy.ndarray with a state other than (version, shape, dtype('b1'), fortran, data)");
                var raw = array_state[4] switch
                {
                    ReadOnlyMemory<byte> bytes => bytes,
                    string text => Latin1(text),
                    _ => throw Fail("BUILD of numpy.ndarray with data that is not bytes"),
                };
                array.Values = Flags(raw, array_state[1]);
                return;
            default:
                throw Fail("BUILD on an object that is not a NumPy array or dtype");
        }
    }

    /// <summary>A 1-D bool array of <paramref name="shape"/> from its raw bytes (one per value).</summary>
    private bool[] Flags(ReadOnlyMemory<byte> raw, object? shape)
    {
        if (shape is not PickleTuple { Count: 1 } dimensions || dimensions[0] is not long length)
            throw Fail("a NumPy array of same/different flags is not 1-D");
        if (length != raw.Length) throw Fail($"a NumPy bool array of {length} values holds {raw.Length} bytes");
        Built(length);
        var values = new bool[length];
        for (var i = 0; i < values.Length; i++) values[i] = raw.Span[i] != 0;
        return values;
    }

    private ReadOnlyMemory<byte> Latin1(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++) bytes[i] = text[i] <= 0xFF ? (byte)text[i] : throw Fail("array data that is not latin-1");
        return bytes;
    }

    private static string? Text(object? value) => value switch
    {
        string text => text,
        ReadOnlyMemory<byte> bytes => Encoding.Latin1.GetString(bytes.Span),
        _ => null,
    };

    private ReadOnlyMemory<byte> SliceBytes(int length)
    {
        ReadBytes(length);
        return new ReadOnlyMemory<byte>(Data, Position - length, length);
    }

    /// <summary><c>numpy.dtype('b1')</c>, the only dtype allowed.</summary>
    private sealed class NumpyBoolType;

    /// <summary>A NumPy bool array while <c>_reconstruct</c> → <c>BUILD</c> fills it.</summary>
    internal sealed class NumpyBoolArray
    {
        public bool[]? Values { get; set; }
    }
}
