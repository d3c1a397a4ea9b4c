using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using MarginFace.Runtime;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// Reads the pickle of a <c>torch.save</c>d state dict without executing anything: only the opcodes such a pickle uses
/// (protocols 2 to 4: containers, numbers, strings, memo, <c>GLOBAL</c>, <c>REDUCE</c>, <c>BUILD</c>,
/// <c>BINPERSID</c>), and of globals only <c>collections.OrderedDict</c>, the tensor and parameter rebuild functions
/// and the storage types. Any other global or opcode is refused when it is read, before anything is built from it.
/// Tensors come back as <see cref="StoredTensor"/>, dicts as <see cref="PickleDict"/>, tuples as <see cref="PickleTuple"/>,
/// lists as <see cref="List{T}"/>, ints as <see cref="long"/>, floats as <see cref="double"/>, None as null.
/// What it builds is budgeted before it is built (<see cref="ReadLimits.MaxPickleObjects"/> objects and container slots,
/// <see cref="ReadLimits.MaxPickleStringBytes"/> of strings, <see cref="ReadLimits.MaxPickleNesting"/> open MARKs), so a
/// small hostile pickle cannot make it build millions of containers.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");
    private static readonly PickleGlobal RebuildParameterWithState = new("torch._utils", "_rebuild_parameter_with_state");

    private static readonly Dictionary<byte, string> RefusedOpcodeNames = new()
    {
        [(byte)'i'] = "INST", [(byte)'o'] = "OBJ", [0x81] = "NEWOBJ", [0x92] = "NEWOBJ_EX", [0x93] = "STACK_GLOBAL",
        [0x82] = "EXT1", [0x83] = "EXT2", [0x84] = "EXT4", [(byte)'P'] = "PERSID", [0x8b] = "LONG4",
        [(byte)'B'] = "BINBYTES", [(byte)'C'] = "SHORT_BINBYTES", [0x8e] = "BINBYTES8", [0x96] = "BYTEARRAY8",
    };

    private readonly string _source;
    private readonly byte[] _data;
    private readonly Func<PickleTuple, object> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;
    private long _built;
    private long _stringBytes;

    /// <param name="source">Named in every error (the checkpoint file).</param>
    /// <param name="data">The pickle.</param>
    /// <param name="persistentLoad">Resolves a persistent id (<c>BINPERSID</c>) to its object.</param>
    public RestrictedUnpickler(string source, byte[] data, Func<PickleTuple, object> persistentLoad)
    {
        _source = source;
        _data = data;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Globals a state dict may name.</summary>
    public static bool IsAllowed(PickleGlobal global) =>
        global == OrderedDict || global == RebuildTensorV2 || global == RebuildParameter || global == RebuildParameterWithState
        || StorageTypes.IsStorageType(global);

    public object? Load()
    {
        while (true)
        {
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > 5) throw Fail($"pickle protocol {protocol} is not supported (at most 5)");
                    break;
                case 0x95: // FRAME
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1) throw Fail($"pickle stops with {_stack.Count} objects on its stack, expected 1");
                    return _stack[0];
                case (byte)'(': // MARK
                    if (_marks.Count >= ReadLimits.MaxPickleNesting)
                        throw Fail($"the pickle nests more than {ReadLimits.MaxPickleNesting} MARKs");
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'}': // EMPTY_DICT
                    Push(new PickleDict());
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
                case (byte)'d': // DICT
                    Push(MakeDict(PopMark()));
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
                    Push(ReadLong(ReadByte()));
                    break;
                case (byte)'G': // BINFLOAT
                    Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(ReadUtf8(ReadLength(4)));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(ReadUtf8(ReadByte()));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(ReadUtf8(ReadLength(8)));
                    break;
                case (byte)'T': // BINSTRING
                    Push(Encoding.Latin1.GetString(ReadBytes(CountString(ReadLength(4)))));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(ReadBytes(CountString(ReadByte()))));
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
                    Push(ReadGlobal());
                    break;
                case (byte)'Q': // BINPERSID
                    Push(_persistentLoad(Pop() as PickleTuple ?? throw Fail("a persistent id is not a tuple")));
                    break;
                case (byte)'R': // REDUCE
                    var arguments = Pop() as PickleTuple ?? throw Fail("REDUCE arguments are not a tuple");
                    Push(Reduce(Pop(), arguments));
                    break;
                case (byte)'b': // BUILD
                    var state = Pop();
                    Build(Peek(), state);
                    break;
                case (byte)'s': // SETITEM
                    var value = Pop();
                    var key = Pop();
                    Built(1);
                    AsDict(Peek(), "SETITEM").Set(key, value);
                    break;
                case (byte)'u': // SETITEMS
                    var items = PopMark();
                    if (items.Length % 2 != 0) throw Fail("SETITEMS with an odd number of items");
                    var dict = AsDict(Peek(), "SETITEMS");
                    Built(items.Length / 2);
                    for (var i = 0; i < items.Length; i += 2) dict.Set(items[i], items[i + 1]);
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
                default:
                    var name = RefusedOpcodeNames.TryGetValue(opcode, out var known) ? $" ({known})" : "";
                    throw Fail($"pickle opcode 0x{opcode:x2}{name} at byte {_position - 1} is not allowed in a state dict");
            }
        }
    }

    private PickleGlobal ReadGlobal()
    {
        var global = new PickleGlobal(ReadLine(), ReadLine());
        if (!IsAllowed(global))
            throw Fail($"pickle asks for global '{Printable(global.ToString())}', which a state dict never needs");
        return global;
    }

    private object Reduce(object? callable, PickleTuple arguments)
    {
        if (callable is not PickleGlobal function) throw Fail("REDUCE calls something that is not a global");
        if (function == OrderedDict)
        {
            if (arguments.Count == 0) return new PickleDict();
            if (arguments.Count == 1 && arguments[0] is List<object?> pairs) return DictFromPairs(pairs);
            throw Fail("collections.OrderedDict is called with arguments a state dict never uses");
        }
        if (function == RebuildTensorV2) return RebuildTensor(arguments);
        if (function == RebuildParameter || function == RebuildParameterWithState)
        {
            if (arguments.Count < 3 || arguments[0] is not StoredTensor data)
                throw Fail($"{function} is called without a tensor");
            return data;
        }
        throw Fail($"REDUCE calls '{function}', which only names a type here");
    }

    /// <summary><c>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])</c>.</summary>
    private StoredTensor RebuildTensor(PickleTuple arguments)
    {
        if (arguments.Count is < 6 or > 7) throw Fail($"_rebuild_tensor_v2 with {arguments.Count} arguments, expected 6 or 7");
        var storage = arguments[0] as TensorStorage ?? throw Fail("_rebuild_tensor_v2 without a storage");
        var offset = arguments[1] as long? ?? throw Fail("_rebuild_tensor_v2 with a storage offset that is not an integer");
        var shape = Integers(arguments[2], "size");
        var strides = Integers(arguments[3], "stride");
        if (shape.Length != strides.Length)
            throw Fail($"a tensor has {shape.Length} sizes but {strides.Length} strides");
        return new StoredTensor(storage, offset, shape, strides);
    }

    private long[] Integers(object? value, string what)
    {
        if (value is not PickleTuple tuple) throw Fail($"_rebuild_tensor_v2 with a {what} that is not a tuple");
        var result = new long[tuple.Count];
        for (var i = 0; i < tuple.Count; i++)
            result[i] = tuple[i] as long? ?? throw Fail($"_rebuild_tensor_v2 with a {what} entry that is not an integer");
        return result;
    }

    private void Build(object? target, object? state)
    {
        if (target is not PickleDict dict) throw Fail("BUILD on an object that is not a dict");
        if (state is PickleDict attributes)
        {
            dict.Attributes = attributes;
            return;
        }
        throw Fail("BUILD with a state that is not a dict");
    }

    private PickleDict MakeDict(object?[] keysAndValues)
    {
        if (keysAndValues.Length % 2 != 0) throw Fail("DICT with an odd number of items");
        Built(keysAndValues.Length / 2);
        var dict = new PickleDict();
        for (var i = 0; i < keysAndValues.Length; i += 2) dict.Set(keysAndValues[i], keysAndValues[i + 1]);
        return dict;
    }

    private PickleDict DictFromPairs(List<object?> pairs)
    {
        Built(pairs.Count);
        var dict = new PickleDict();
        foreach (var pair in pairs)
        {
            if (pair is not PickleTuple { Count: 2 } entry) throw Fail("collections.OrderedDict called with an item that is not a pair");
            dict.Set(entry[0], entry[1]);
        }
        return dict;
    }

    private PickleDict AsDict(object? target, string opcode) =>
        target as PickleDict ?? throw Fail($"{opcode} on an object that is not a dict");

    private List<object?> AsList(object? target, string opcode) =>
        target as List<object?> ?? throw Fail($"{opcode} on an object that is not a list");

    private object ReadLong(int length)
    {
        var bytes = ReadBytes(length);
        if (length > 8) throw Fail($"an integer of {length} bytes does not fit in 64 bits");
        return (long)new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
    }

    private int ReadLength(int width)
    {
        var bytes = ReadBytes(width);
        var length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (length > (ulong)(_data.Length - _position))
            throw Fail($"a string of {length} bytes at byte {_position} runs past the pickle's end ({_data.Length} bytes)");
        return (int)length;
    }

    private string ReadUtf8(int length)
    {
        CountString(length);
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
        var line = Encoding.ASCII.GetString(_data, _position, CountString(end - _position));
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
        Built(1); // bounds the stack too: every object on it was pushed
        _stack.Add(value);
    }

    /// <summary>Counts <paramref name="count"/> objects or container slots against <see cref="ReadLimits.MaxPickleObjects"/> before they are built.</summary>
    private void Built(long count)
    {
        _built += count;
        if (_built > ReadLimits.MaxPickleObjects)
            throw Fail($"the pickle builds more than {ReadLimits.MaxPickleObjects} objects and container items; a state dict needs a few ten thousand");
    }

    private object?[] Slots(object?[] items)
    {
        Built(items.Length);
        return items;
    }

    /// <summary>Counts a string of <paramref name="length"/> bytes against <see cref="ReadLimits.MaxPickleStringBytes"/> before it is decoded.</summary>
    private int CountString(int length)
    {
        _stringBytes += length;
        if (_stringBytes > ReadLimits.MaxPickleStringBytes)
            throw Fail($"the pickle's strings total more than {ReadLimits.MaxPickleStringBytes} bytes; a state dict's names take a few hundred KB");
        return length;
    }

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Fail("the pickle reads from an empty stack");

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        if (_marks.Count > 0 && _marks.Peek() > _stack.Count) throw Fail("the pickle pops past a MARK");
        return value;
    }

    private object?[] PopMany(int count)
    {
        if (_stack.Count - count < (_marks.Count > 0 ? _marks.Peek() : 0))
            throw Fail("the pickle reads from an empty stack");
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
}
