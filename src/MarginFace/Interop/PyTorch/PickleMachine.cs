using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// The pickle virtual machine both restricted readers share (<see cref="RestrictedUnpickler"/> for <c>torch.save</c> state
/// dicts, <see cref="VerificationBinUnpickler"/> for InsightFace <c>.bin</c> sets): the stack, MARKs, memo, the opcodes that
/// build plain values (protocol, frames, tuples, lists, None, bools, ints, text, memo) and the budgets, each checked before
/// anything is built or allocated. A reader adds the opcodes its files use (<see cref="Step"/>), says which globals it
/// allows (<see cref="Allowed"/>) and what REDUCE and BUILD make of them; every other opcode is refused where it is read.
/// Nothing is ever executed: a global is only a name until the reader's REDUCE recognises it.
/// </summary>
internal abstract class PickleMachine
{
    /// <summary>Opcodes a restricted reader may meet and refuse, named in its message.</summary>
    private static readonly Dictionary<byte, string> OpcodeNames = new()
    {
        [(byte)'i'] = "INST", [(byte)'o'] = "OBJ", [0x81] = "NEWOBJ", [0x92] = "NEWOBJ_EX", [0x93] = "STACK_GLOBAL",
        [0x82] = "EXT1", [0x83] = "EXT2", [0x84] = "EXT4", [(byte)'P'] = "PERSID", [(byte)'Q'] = "BINPERSID", [0x8b] = "LONG4",
        [(byte)'B'] = "BINBYTES", [(byte)'C'] = "SHORT_BINBYTES", [0x8e] = "BINBYTES8", [0x96] = "BYTEARRAY8",
        [(byte)'}'] = "EMPTY_DICT", [(byte)'d'] = "DICT", [(byte)'s'] = "SETITEM", [(byte)'u'] = "SETITEMS", [0x8f] = "EMPTY_SET",
        [0x90] = "ADDITEMS", [0x91] = "FROZENSET", [0x97] = "NEXT_BUFFER", [0x98] = "READONLY_BUFFER", [(byte)'G'] = "BINFLOAT",
        [(byte)'F'] = "FLOAT", [(byte)'I'] = "INT", [(byte)'L'] = "LONG", [(byte)'S'] = "STRING", [(byte)'V'] = "UNICODE",
        [(byte)'g'] = "GET", [(byte)'p'] = "PUT", [(byte)'0'] = "POP", [(byte)'1'] = "POP_MARK", [(byte)'2'] = "DUP",
        [(byte)'T'] = "BINSTRING", [(byte)'U'] = "SHORT_BINSTRING",
    };

    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private long _built;
    private long _textBytes;

    /// <param name="source">Named in every error (the file).</param>
    /// <param name="data">The pickle.</param>
    /// <param name="budget">What the pickle may build.</param>
    protected PickleMachine(string source, byte[] data, PickleBudget budget)
    {
        Source = source;
        Data = data;
        Budget = budget;
    }

    /// <summary>The file, as every error names it.</summary>
    protected string Source { get; }

    /// <summary>The pickle's bytes.</summary>
    protected byte[] Data { get; }

    /// <summary>The next byte to read.</summary>
    protected int Position { get; private set; }

    private PickleBudget Budget { get; }

    /// <summary>What the file is, in refusals: "a state dict", "a verification .bin".</summary>
    protected abstract string Kind { get; }

    /// <summary>Runs the pickle to its STOP and returns the one object it leaves.</summary>
    public object? Load()
    {
        while (true)
        {
            var at = Position;
            var opcode = ReadByte();
            if (opcode == (byte)'.') // STOP
            {
                if (_stack.Count != 1 || _marks.Count != 0) throw Fail($"pickle stops with {_stack.Count} objects on its stack, expected 1");
                return _stack[0];
            }
            if (CommonStep(opcode, at) || Step(opcode, at)) continue;
            var name = OpcodeNames.TryGetValue(opcode, out var known) ? $" ({known})" : "";
            throw Fail($"pickle opcode 0x{opcode:x2}{name} at byte {at} is not allowed in {Kind}");
        }
    }

    /// <summary>Runs <paramref name="opcode"/> (read at byte <paramref name="at"/>) if the reader's files use it; false refuses it.</summary>
    protected abstract bool Step(byte opcode, int at);

    /// <summary><paramref name="global"/>, or a refusal when the reader's files never name it.</summary>
    protected abstract PickleGlobal Allowed(PickleGlobal global);

    /// <summary>What REDUCE makes of <paramref name="callable"/> and <paramref name="arguments"/> (a recognised global, never a call).</summary>
    protected abstract object Reduce(object? callable, PickleTuple arguments);

    /// <summary>BUILD: <paramref name="state"/> given to <paramref name="target"/>.</summary>
    protected abstract void Build(object? target, object? state);

    private bool CommonStep(byte opcode, int at)
    {
        switch (opcode)
        {
            case 0x80: // PROTO
                var protocol = ReadByte();
                if (protocol > 5) throw Fail($"pickle protocol {protocol} is not supported (at most 5)");
                return true;
            case 0x95: // FRAME: a length hint; the opcodes inside are read as any others
                ReadBytes(8);
                return true;
            case (byte)'(': // MARK
                if (_marks.Count >= Budget.MaxNesting) throw Fail($"the pickle nests more than {Budget.MaxNesting} MARKs");
                _marks.Push(_stack.Count);
                return true;
            case (byte)']': // EMPTY_LIST
                Push(new List<object?>());
                return true;
            case (byte)')': // EMPTY_TUPLE
                Push(PickleTuple.Empty);
                return true;
            case (byte)'t': // TUPLE
                Push(new PickleTuple(Slots(PopMark())));
                return true;
            case 0x85: // TUPLE1
                Push(new PickleTuple(PopMany(1)));
                return true;
            case 0x86: // TUPLE2
                Push(new PickleTuple(PopMany(2)));
                return true;
            case 0x87: // TUPLE3
                Push(new PickleTuple(PopMany(3)));
                return true;
            case (byte)'l': // LIST
                Push(new List<object?>(Slots(PopMark())));
                return true;
            case (byte)'a': // APPEND
                var element = Pop();
                Built(1);
                AsList(Peek(), "APPEND").Add(element);
                return true;
            case (byte)'e': // APPENDS
                var elements = Slots(PopMark());
                AsList(Peek(), "APPENDS").AddRange(elements);
                return true;
            case (byte)'N': // NONE
                Push(null);
                return true;
            case 0x88: // NEWTRUE
                Push(true);
                return true;
            case 0x89: // NEWFALSE
                Push(false);
                return true;
            case (byte)'J': // BININT
                Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)));
                return true;
            case (byte)'K': // BININT1
                Push((long)ReadByte());
                return true;
            case (byte)'M': // BININT2
                Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2)));
                return true;
            case 0x8a: // LONG1
                var length = ReadByte();
                if (length > 8) throw Fail($"an integer of {length} bytes at byte {at} does not fit in 64 bits");
                Push((long)new BigInteger(ReadBytes(length), isUnsigned: false, isBigEndian: false));
                return true;
            case (byte)'X': // BINUNICODE
                Push(ReadUtf8(ReadLength(4, at)));
                return true;
            case 0x8c: // SHORT_BINUNICODE
                Push(ReadUtf8(ReadByte()));
                return true;
            case 0x8d: // BINUNICODE8
                Push(ReadUtf8(ReadLength(8, at)));
                return true;
            case (byte)'q': // BINPUT
                Built(1);
                _memo[ReadByte()] = Peek();
                return true;
            case (byte)'r': // LONG_BINPUT
                Built(1);
                _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek();
                return true;
            case 0x94: // MEMOIZE
                Built(1);
                _memo[_memo.Count] = Peek();
                return true;
            case (byte)'h': // BINGET
                Push(Recall(ReadByte()));
                return true;
            case (byte)'j': // LONG_BINGET
                Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))));
                return true;
            case (byte)'c': // GLOBAL
                Push(Allowed(new PickleGlobal(ReadLine(), ReadLine())));
                return true;
            case (byte)'R': // REDUCE
                var arguments = Pop() as PickleTuple ?? throw Fail("REDUCE arguments are not a tuple");
                Push(Reduce(Pop(), arguments));
                return true;
            case (byte)'b': // BUILD
                var state = Pop();
                Build(Peek(), state);
                return true;
            default:
                return false;
        }
    }

    /// <summary>A refusal naming the file: <c>SOURCE: problem</c>.</summary>
    protected MarginFaceException Fail(string problem) => new($"{Source}: {problem}");

    /// <summary>A global's name with control characters replaced and at most 200 characters, for messages.</summary>
    protected static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).Take(200).ToArray());

    protected List<object?> AsList(object? target, string opcode) =>
        target as List<object?> ?? throw Fail($"{opcode} on an object that is not a list");

    /// <summary>A length of <paramref name="width"/> bytes, checked against what the file still holds before anything is read or allocated.</summary>
    protected int ReadLength(int width, int at)
    {
        var bytes = ReadBytes(width);
        var length = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (length > (ulong)(Data.Length - Position))
            throw Fail($"a string of {length} bytes at byte {at} runs past the pickle's end at byte {Data.Length} (truncated, or a false length)");
        return (int)length;
    }

    protected string ReadUtf8(int length)
    {
        CountText(length);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ReadBytes(length));
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"a string before byte {Position} is not valid UTF-8");
        }
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(Data, (byte)'\n', Position);
        if (end < 0) throw Fail("the pickle ends inside a GLOBAL name");
        CountText(end - Position);
        var line = Encoding.ASCII.GetString(Data, Position, end - Position);
        Position = end + 1;
        return line;
    }

    protected byte ReadByte()
    {
        if (Position >= Data.Length) throw Fail($"the pickle ends at byte {Data.Length} without STOP (truncated)");
        return Data[Position++];
    }

    protected ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count > Data.Length - Position) throw Fail($"the pickle ends at byte {Data.Length} inside an opcode (truncated)");
        var span = Data.AsSpan(Position, count);
        Position += count;
        return span;
    }

    protected void Push(object? value)
    {
        Built(1); // bounds the stack too: every object on it was pushed
        _stack.Add(value);
    }

    /// <summary>Counts <paramref name="count"/> objects or container slots against the budget before they are built.</summary>
    protected void Built(long count)
    {
        _built += count;
        if (_built > Budget.MaxObjects)
            throw Fail($"the pickle builds more than {Budget.MaxObjects} objects and container items; {Budget.ObjectsNeeded}");
    }

    protected object?[] Slots(object?[] items)
    {
        Built(items.Length);
        return items;
    }

    /// <summary>Counts text of <paramref name="length"/> bytes against the budget before it is decoded.</summary>
    protected int CountText(long length)
    {
        _textBytes += length;
        if (_textBytes > Budget.MaxTextBytes)
            throw Fail($"the pickle's strings total more than {Budget.MaxTextBytes} bytes; {Budget.TextNeeded}");
        return (int)length;
    }

    protected object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Fail("the pickle reads from an empty stack");

    protected object? Pop()
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

    protected object?[] PopMark()
    {
        if (_marks.Count == 0) throw Fail("the pickle closes a MARK it never opened");
        var start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Fail($"the pickle recalls memo entry {index}, which it never stored");
}
