using MarginFace.Runtime;

namespace MarginFace.Interop.PyTorch;

/// <summary>
/// Reads state dicts that <c>torch.save(model.state_dict(), path)</c> wrote, without Python and without executing the
/// pickle (see <see cref="RestrictedUnpickler"/>). A file that is not such a state dict, asks for anything else, or whose
/// sizes disagree is a <see cref="MarginFaceException"/> naming the file and the problem.
/// </summary>
internal static class PyTorchCheckpoint
{
    /// <summary>
    /// Reads the top-level dict of <paramref name="path"/>, which must map names to tensors, or of arcface_torch's full training
    /// checkpoint its <c>state_dict_backbone</c>. Storages are read once and shared by the tensors that view them; every view's
    /// extent is checked against its storage. The pickle is read first, within <see cref="ReadLimits"/>; then every storage it
    /// declares is checked against its entry's size and the total against <see cref="ReadLimits.MaxStorageBytes"/>, before any
    /// storage is read.
    /// </summary>
    public static PyTorchStateDict ReadStateDict(string path) => ReadStateDict(path, ReadLimits.MaxStorageBytes, target: null);

    /// <summary>
    /// As <see cref="ReadStateDict(string)"/>, refusing storages that total more than <paramref name="maxStorageBytes"/>
    /// (e.g. <see cref="ReadLimits.StorageBudgetFor"/> of the module it is for, which <paramref name="target"/> names in the error).
    /// </summary>
    internal static PyTorchStateDict ReadStateDict(string path, long maxStorageBytes, string? target)
    {
        using var archive = TorchArchive.Open(path);
        var storages = new Dictionary<string, TensorStorage>(StringComparer.Ordinal);
        var pickle = archive.ReadPickle(ReadLimits.MaxPickleBytes);
        var root = new RestrictedUnpickler(path, pickle, id => DeclareStorage(path, storages, id)).Load();
        if (root is not PickleDict dict)
            throw new MarginFaceException($"{path}: holds {Describe(root)}, not a state dict (a dict of name → tensor)");
        if (BackboneOfTrainingCheckpoint(dict) is { } backbone) dict = backbone;

        var entries = new List<KeyValuePair<string, StoredTensor>>(dict.Entries.Count);
        foreach (var (key, value) in dict.Entries)
        {
            if (key is not string name)
                throw new MarginFaceException($"{path}: a state-dict key is {Describe(key)}, not a string");
            if (value is not StoredTensor tensor)
                throw new MarginFaceException($"{path}: entry '{name}' is {Describe(value)}, not a tensor; expected a state dict (name → tensor)");
            if (tensor.Shape.Length > ReadLimits.MaxTensorRank)
                throw new MarginFaceException($"{path}: tensor '{name}' has {tensor.Shape.Length} dimensions, more than {ReadLimits.MaxTensorRank}");
            CheckExtent(path, name, tensor);
            entries.Add(new(name, tensor));
        }
        // Only the storages the state dict's tensors view: a full training checkpoint also declares the classifier's and the
        // optimiser's, which are neither budgeted nor read.
        ReadStorages(path, archive, [.. entries.Select(e => e.Value.Storage).Distinct()], maxStorageBytes, target);
        return new PyTorchStateDict(path, entries);
    }

    /// <summary>
    /// The backbone's state dict inside arcface_torch's full training checkpoint (<c>checkpoint_gpu_N.pt</c>:
    /// <c>epoch</c>, <c>global_step</c>, <c>state_dict_backbone</c>, <c>state_dict_softmax_fc</c>, <c>state_optimizer</c>,
    /// <c>state_lr_scheduler</c>); null for any other dict, which is then read as the state dict itself.
    /// </summary>
    private static PickleDict? BackboneOfTrainingCheckpoint(PickleDict root)
    {
        const string key = "state_dict_backbone";
        foreach (var (name, value) in root.Entries)
            if (name is key && value is PickleDict backbone) return backbone;
        return null;
    }

    /// <summary>Records <c>('storage', storage_type, key, location, numel)</c>; its bytes are read by <see cref="ReadStorages"/>.</summary>
    private static TensorStorage DeclareStorage(string path, Dictionary<string, TensorStorage> storages, PickleTuple id)
    {
        if (id.Count != 5 || id[0] is not "storage" || id[1] is not PickleGlobal type || id[2] is not string key
            || id[3] is not string || id[4] is not long elementCount)
            throw new MarginFaceException($"{path}: a persistent id is not ('storage', type, key, location, numel)");
        if (!StorageTypes.TryGet(type, out var dtype))
            throw new MarginFaceException($"{path}: storage '{key}' has type '{type}', which is not a storage type");
        if (storages.TryGetValue(key, out var known))
        {
            if (known.DType != dtype || known.ElementCount != elementCount)
                throw new MarginFaceException($"{path}: storage '{key}' is declared twice with different types or sizes");
            return known;
        }
        var elementSize = StorageTypes.ElementSize(dtype);
        if (elementCount < 0 || elementCount > long.MaxValue / elementSize)
            throw new MarginFaceException($"{path}: storage '{key}' declares {elementCount} elements");
        var storage = new TensorStorage(key, dtype, elementCount);
        storages[key] = storage;
        return storage;
    }

    /// <summary>
    /// Checks every storage the state dict uses against its entry's size, then their total against <paramref name="maxBytes"/>,
    /// and only then reads them.
    /// </summary>
    private static void ReadStorages(string path, TorchArchive archive, ICollection<TensorStorage> storages, long maxBytes, string? target)
    {
        var total = 0L;
        foreach (var storage in storages)
        {
            var bytes = Bytes(storage);
            archive.CheckStorage(storage.Key, bytes, Declaration(storage));
            total += bytes; // each ≤ Array.MaxLength (checked above), so no overflow for any realistic count
        }
        if (total > maxBytes)
            throw new MarginFaceException(target is null
                ? $"{path}: its storages total {total} bytes, more than this reader accepts ({maxBytes})"
                : $"{path}: its storages total {total} bytes, more than {target} can use ({maxBytes}: {ReadLimits.StorageToTargetRatio}× its parameters and buffers + {ReadLimits.StorageSlackBytes} bytes)");
        foreach (var storage in storages)
        {
            var data = archive.ReadStorage(storage.Key, Bytes(storage), Declaration(storage));
            if (archive.BigEndian) SwapToLittleEndian(data, StorageTypes.ElementSize(storage.DType));
            storage.Data = data;
        }
    }

    private static long Bytes(TensorStorage storage) => storage.ElementCount * StorageTypes.ElementSize(storage.DType);

    private static string Declaration(TensorStorage storage) => $"{storage.ElementCount} elements of {StorageTypes.Describe(storage.DType)}";

    /// <summary>The view must stay inside its storage: offset + Σ (size_i − 1)·stride_i &lt; numel, all non-negative.</summary>
    private static void CheckExtent(string path, string name, StoredTensor tensor)
    {
        if (tensor.StorageOffset < 0 || tensor.Shape.Any(size => size < 0) || tensor.Strides.Any(stride => stride < 0))
            throw new MarginFaceException($"{path}: tensor '{name}' has a negative size, stride or storage offset");
        var elements = 1L;
        var last = tensor.StorageOffset;
        try
        {
            checked
            {
                for (var i = 0; i < tensor.Shape.Length; i++)
                {
                    elements *= tensor.Shape[i];
                    if (tensor.Shape[i] > 0) last += (tensor.Shape[i] - 1) * tensor.Strides[i];
                }
            }
        }
        catch (OverflowException)
        {
            throw new MarginFaceException($"{path}: tensor '{name}' has sizes [{string.Join(", ", tensor.Shape)}] that overflow 64 bits");
        }
        if (elements > 0 && last >= tensor.Storage.ElementCount)
            throw new MarginFaceException(
                $"{path}: tensor '{name}' (shape [{string.Join(", ", tensor.Shape)}], strides [{string.Join(", ", tensor.Strides)}], offset {tensor.StorageOffset}) reaches element {last} of storage '{tensor.Storage.Key}', which holds {tensor.Storage.ElementCount}");
    }

    private static void SwapToLittleEndian(byte[] data, int elementSize)
    {
        if (elementSize == 1) return;
        for (var i = 0; i + elementSize <= data.Length; i += elementSize)
            data.AsSpan(i, elementSize).Reverse();
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string => "a string",
        long => "an integer",
        double => "a float",
        bool => "a bool",
        PickleDict => "a dict",
        PickleTuple => "a tuple",
        List<object?> => "a list",
        StoredTensor => "a tensor",
        TensorStorage => "a storage",
        PickleGlobal global => $"a reference to {global}",
        _ => value.GetType().Name,
    };
}
