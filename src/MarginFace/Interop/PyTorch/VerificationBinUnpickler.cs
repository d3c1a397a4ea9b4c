using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using MarginFace.Runtime;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// Reads the pickle of an InsightFace <c>.bin</c> verification set without executing anything. The sibling of
/// <see cref="RestrictedUnpickler"/> for a different file: it knows only the opcodes such a file uses (protocols 2 to 5:
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
internal sealed class VerificationBinUnpickler
{
    private static readonly PickleGlobal CodecsEncode = new("_codecs", "encode");
    private static readonly HashSet<PickleGlobal> Bytes = [new("__builtin__", "bytes"), new("builtins", "bytes")];
    private static readonly HashSet<PickleGlobal> Reconstruct = [new("numpy.core.multiarray", "_reconstruct"), new("numpy._core.multiarray", "_reconstruct")];
    private static readonly HashSet<PickleGlobal> Scalar = [new("numpy.core.multiarray", "scalar"), new("numpy._core.multiarray", "scalar")];
    private static readonly HashSet<PickleGlobal> FromBuffer = [new("numpy.core.numeric", "_frombuffer"), new("numpy._core.numeric", "_frombuffer")];
    private static readonly PickleGlobal NdArray = new("numpy", "ndarray");
    private static readonly PickleGlobal DType = new("numpy", "dtype");

    private static readonly Dictionary<byte, string> RefusedOpcodeNames = new()
    {
        [(byte)'i'] = "INST", [(byte)'o'] = "OBJ", [0x81] = "NEWOBJ", [0x92] = "NEWOBJ_EX", [0x82] = "EXT1", [0x83] = "EXT2",
        [0x84] = "EXT4", [(byte)'P'] = "PERSID", [(byte)'Q'] = "BINPERSID", [0x8b] = "LONG4", [(byte)'}'] = "EMPTY_DICT",
        [(byte)'d'] = "DICT", [(byte)'s'] = "SETITEM", [(byte)'u'] = "SETITEMS", [0x8f] = "EMPTY_SET", [0x90] = "ADDITEMS",
        [0x91] = "FROZENSET", [0x97] = "NEXT_BUFFER", [0x98] = "READONLY_BUFFER", [(byte)'G'] = "BINFLOAT", [(byte)'F'] = "FLOAT",
        [(byte)'I'] = "INT", [(byte)'L'] = "LONG", [(byte)'S'] = "STRING", [(byte)'V'] = "UNICODE", [(byte)'g'] = "GET",
        [(byte)'p'] = "PUT", [(byte)'0'] = "POP", [(byte)'1'] = "POP_MARK", [(byte)'2'] = "DUP",
    };

    private readonly string _source;
    private readonly byte[] _data;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;
    private long _built;
    private long _textBytes;

    /// <param name="source">Named in every error (the .bin file).</param>
    /// <param name="data">The pickle.</param>
    public VerificationBinUnpickler(string source, byte[] data)
    {
        _source = source;
        _data = data;
    }

    /// <summary>Globals a .bin file may name.</summary>
    public static bool IsAllowed(PickleGlobal global) =>
        global == CodecsEncode || Bytes.Contains(global) || Reconstruct.Contains(global) || Scalar.Contains(global)
        || FromBuffer.Contains(global) || global == NdArray || global == DType;

    public object? Load()
    {
        while (true)
        {
            var at = _position;
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5) throw Fail($"pickle protocol {protocol} is not supported (at most 5)");
                    break;
                case 0x95: // FRAME: a length hint; the opcodes inside are read as any others
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0) throw Fail($"pickle stops with {_stack.Count} objects on its stack, expected 1");
                    return _stack[0];
                case (byte)'(': // MARK
                    if (_marks.Count >= ReadLimits.MaxVerificationBinNesting)
                        throw Fail($"the pickle nests more than {ReadLimits.MaxVerificationBinNesting} MARKs");
                    _marks.Push(_stack.Count);
                    break;
                case (byte)']': // EMPTY_LIST
                    Push(new List<object?>());
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(PickleTuple.Empty);
                    break;
                case (byte)'t': // TUPLE
                    Push(new PickleTuple(Slots(PopMark())));
                    break;
                case 0x85: // TUPLE1
                    Push(new PickleTuple(PopMany(1)));
                    break;
                case 0x86: // TUPLE2
                    Push(new PickleTuple(PopMany(2)));
                    break;
                case 0x87: // TUPLE3
                    Push(new PickleTuple(PopMany(3)));
                    break;
                case (byte)'l': // LIST
                    Push(new List<object?>(Slots(PopMark())));
                    break;
                case (byte)'a': // APPEND
                    var element = Pop();
                    Built(1);
                    AsList(Peek(), "APPEND").Add(element);
                    break;
                case (byte)'e': // APPENDS
                    var elements = Slots(PopMark());
                    AsList(Peek(), "APPENDS").AddRange(elements);
                    break;
                case (byte)'N': // NONE
                    Push(null);
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)));
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2)));
                    break;
                case 0x8a: // LONG1
                    var longLength = ReadByte();
                    if (longLength > 8) throw Fail($"an integer of {longLength} bytes at byte {at} does not fit in 64 bits");
                    Push((long)new BigInteger(ReadBytes(longLength), isUnsigned: false, isBigEndian: false));
                    break;
                case (byte)'T': // BINSTRING (Python 2 str: bytes)
                case (byte)'B': // BINBYTES
                    Push(SliceBytes(ReadLength(4, at)));
                    break;
                case (byte)'U': // SHORT_BINSTRING (Python 2 str: bytes)
                case (byte)'C': // SHORT_BINBYTES
                    Push(SliceBytes(ReadByte()));
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8 (NumPy's in-band buffer at protocol 5)
                    Push(SliceBytes(ReadLength(8, at)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(ReadUtf8(ReadLength(4, at)));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(ReadUtf8(ReadByte()));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(ReadUtf8(ReadLength(8, at)));
                    break;
                case (byte)'q': // BINPUT
                    Built(1);
                    _memo[ReadByte()] = Peek();
                    break;
                case (byte)'r': // LONG_BINPUT
                    Built(1);
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    Built(1);
                    _memo[_memo.Count] = Peek();
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))));
                    break;
                case (byte)'c': // GLOBAL
                    Push(Allowed(new PickleGlobal(ReadLine(), ReadLine())));
                    break;
                case 0x93: // STACK_GLOBAL
                    var name = Pop() as string ?? throw Fail("STACK_GLOBAL with a name that is not text");
                    var module = Pop() as string ?? throw Fail("STACK_GLOBAL with a module that is not text");
                    Push(Allowed(new PickleGlobal(module, name)));
                    break;
                case (byte)'R': // REDUCE
                    var arguments = Pop() as PickleTuple ?? throw Fail("REDUCE arguments are not a tuple");
                    Push(Reduce(Pop(), arguments));
                    break;
                case (byte)'b': // BUILD
                    var state = Pop();
                    Build(Peek(), state);
                    break;
                default:
                    var known = RefusedOpcodeNames.TryGetValue(opcode, out var opcodeName) ? $" ({opcodeName})" : "";
                    throw Fail($"pickle opcode 0x{opcode:x2}{known} at byte {at} is not allowed in a verification .bin");
            }
        }
    }

    private PickleGlobal Allowed(PickleGlobal global) =>
        IsAllowed(global) ? global : throw Fail($"pickle asks for global '{Printable(global.ToString())}', which a verification .bin never needs");

    private object Reduce(object? callable, PickleTuple arguments)
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

    private void Build(object? target, object? state)
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

    private List<object?> AsList(object? target, string opcode) =>
        target as List<object?> ?? throw Fail($"{opcode} on an object that is not a list");

    /// <summary>A length of <paramref name="width"/> bytes, checked against what the file still holds before anything is sliced.</summary>
    private int ReadLength(int width, int at)
    {
        var bytes = ReadBytes(width);
        var length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (length > (ulong)(_data.Length - _position))
            throw Fail($"a string of {length} bytes at byte {at} runs past the pickle's end at byte {_data.Length} (truncated, or a false length)");
        return (int)length;
    }

    private ReadOnlyMemory<byte> SliceBytes(int length)
    {
        ReadBytes(length);
        return new ReadOnlyMemory<byte>(_data, _position - length, length);
    }

    private string ReadUtf8(int length)
    {
        CountText(length);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadBytes(length));
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"a string before byte {_position} is not valid UTF-8");
        }
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0) throw Fail("the pickle ends inside a GLOBAL name");
        CountText(end - _position);
        var line = Encoding.ASCII.GetString(_data, _position, end - _position);
        _position = end + 1;
        return line;
    }

    private byte ReadByte()
    {
        if (_position >= _data.Length) throw Fail($"the pickle ends at byte {_data.Length} without STOP (truncated)");
        return _data[_position++];
    }

    private ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count > _data.Length - _position) throw Fail($"the pickle ends at byte {_data.Length} inside an opcode (truncated)");
        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private void Push(object? value)
    {
        Built(1);
        _stack.Add(value);
    }

    /// <summary>Counts objects or container slots against <see cref="ReadLimits.MaxVerificationBinObjects"/> before they are built.</summary>
    private void Built(long count)
    {
        _built += count;
        if (_built > ReadLimits.MaxVerificationBinObjects)
            throw Fail($"the pickle builds more than {ReadLimits.MaxVerificationBinObjects} objects and container items; a verification set needs about 9 per pair");
    }

    private object?[] Slots(object?[] items)
    {
        Built(items.Length);
        return items;
    }

    /// <summary>Counts text of <paramref name="length"/> bytes against <see cref="ReadLimits.MaxVerificationBinTextBytes"/> before it is decoded.</summary>
    private void CountText(long length)
    {
        _textBytes += length;
        if (_textBytes > ReadLimits.MaxVerificationBinTextBytes)
            throw Fail($"the pickle's text totals more than {ReadLimits.MaxVerificationBinTextBytes} bytes");
    }

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Fail("the pickle reads from an empty stack");

    private object? Pop()
    {
        if (_stack.Count <= (_marks.Count > 0 ? _marks.Peek() : 0)) throw Fail("the pickle reads from an empty stack or past a MARK");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopMany(int count)
    {
        if (_stack.Count - count < (_marks.Count > 0 ? _marks.Peek() : 0))
            throw Fail("the pickle reads from an empty stack or past a MARK");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0) throw Fail("the pickle closes a MARK it never opened");
        var start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Fail($"the pickle recalls memo entry {index}, which it never stored");

    private static string Printable(string text) =>
        new(text.Select(c => char.IsControl(c) ? '?' : c).Take(200).ToArray());

    private MarginFaceException Fail(string problem) => new($"{_source}: {problem}");

    /// <summary><c>numpy.dtype('b1')</c>, the only dtype allowed.</summary>
    private sealed class NumpyBoolType;

    /// <summary>A NumPy bool array while <c>_reconstruct</c> → <c>BUILD</c> fills it.</summary>
    internal sealed class NumpyBoolArray
    {
        public bool[]? Values { get; set; }
    }
}
