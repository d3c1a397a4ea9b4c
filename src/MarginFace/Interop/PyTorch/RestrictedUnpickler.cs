using System.Buffers.Binary;
using System.Text;
using MarginFace.Runtime;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// Reads the pickle of a <c>torch.save</c>d state dict without executing anything, on the shared <see cref="PickleMachine"/>:
/// only the opcodes such a pickle uses (protocols 2 to 4: containers with dicts, numbers, strings, memo, <c>GLOBAL</c>,
/// <c>REDUCE</c>, <c>BUILD</c>, <c>BINPERSID</c>), and of globals only <c>collections.OrderedDict</c>, the tensor and parameter rebuild functions
/// and the storage types. Any other global or opcode is refused when it is read, before anything is built from it.
/// Tensors come back as <see cref="StoredTensor"/>, dicts as <see cref="PickleDict"/>, tuples as <see cref="PickleTuple"/>,
/// lists as <see cref="List{T}"/>, ints as <see cref="long"/>, floats as <see cref="double"/>, None as null.
/// What it builds is budgeted before it is built (<see cref="ReadLimits.MaxPickleObjects"/> objects and container slots,
/// <see cref="ReadLimits.MaxPickleStringBytes"/> of strings, <see cref="ReadLimits.MaxPickleNesting"/> open MARKs), so a
/// small hostile pickle cannot make it build millions of containers.
/// </summary>
internal sealed class RestrictedUnpickler : PickleMachine
{
    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensorV2 = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");
    private static readonly PickleGlobal RebuildParameterWithState = new("torch._utils", "_rebuild_parameter_with_state");

    private static readonly PickleBudget StateDictBudget = new(ReadLimits.MaxPickleObjects, ReadLimits.MaxPickleStringBytes, ReadLimits.MaxPickleNesting,
        "a state dict needs a few ten thousand", "a state dict's names take a few hundred KB");

    private readonly Func<PickleTuple, object> _persistentLoad;

    /// <param name="source">Named in every error (the checkpoint file).</param>
    /// <param name="data">The pickle.</param>
    /// <param name="persistentLoad">Resolves a persistent id (<c>BINPERSID</c>) to its object.</param>
    public RestrictedUnpickler(string source, byte[] data, Func<PickleTuple, object> persistentLoad)
        : base(source, data, StateDictBudget)
    {
        _persistentLoad = persistentLoad;
    }

    protected override string Kind => "a state dict";

    /// <summary>Globals a state dict may name.</summary>
    public static bool IsAllowed(PickleGlobal global) =>
        global == OrderedDict || global == RebuildTensorV2 || global == RebuildParameter || global == RebuildParameterWithState
        || StorageTypes.IsStorageType(global);

    protected override bool Step(byte opcode, int at)
    {
        switch (opcode)
        {
            case (byte)'}': // EMPTY_DICT
                Push(new PickleDict());
                return true;
            case (byte)'d': // DICT
                Push(MakeDict(PopMark()));
                return true;
            case (byte)'G': // BINFLOAT
                Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)));
                return true;
            case (byte)'T': // BINSTRING
                Push(Encoding.Latin1.GetString(ReadBytes(CountText(ReadLength(4, at)))));
                return true;
            case (byte)'U': // SHORT_BINSTRING
                Push(Encoding.Latin1.GetString(ReadBytes(CountText(ReadByte()))));
                return true;
            case (byte)'Q': // BINPERSID
                Push(_persistentLoad(Pop() as PickleTuple ?? throw Fail("a persistent id is not a tuple")));
                return true;
            case (byte)'s': // SETITEM
                var value = Pop();
                var key = Pop();
                Built(1);
                AsDict(Peek(), "SETITEM").Set(key, value);
                return true;
            case (byte)'u': // SETITEMS
                var items = PopMark();
                if (items.Length % 2 != 0) throw Fail("SETITEMS with an odd number of items");
                var dict = AsDict(Peek(), "SETITEMS");
                Built(items.Length / 2);
                for (var i = 0; i < items.Length; i += 2) dict.Set(items[i], items[i + 1]);
                return true;
            default:
                return false;
        }
    }

    protected override PickleGlobal Allowed(PickleGlobal global) =>
        IsAllowed(global) ? global : throw Fail($"pickle asks for global '{Printable(global.ToString())}', which a state dict never needs");

    protected override object Reduce(object? callable, PickleTuple arguments)
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

    protected override void Build(object? target, object? state)
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
}
