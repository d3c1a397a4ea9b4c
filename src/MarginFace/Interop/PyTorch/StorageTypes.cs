using TorchSharp;

namespace MarginFace.Interop.PyTorch;

/// <summary>The typed storage classes a <c>torch.save</c> pickle names (<c>torch.FloatStorage</c>, ...) and their element types.</summary>
internal static class StorageTypes
{
    private static readonly Dictionary<string, torch.ScalarType> ByName = new()
    {
        ["FloatStorage"] = torch.ScalarType.Float32,
        ["DoubleStorage"] = torch.ScalarType.Float64,
        ["HalfStorage"] = torch.ScalarType.Float16,
        ["BFloat16Storage"] = torch.ScalarType.BFloat16,
        ["LongStorage"] = torch.ScalarType.Int64,
        ["IntStorage"] = torch.ScalarType.Int32,
        ["ShortStorage"] = torch.ScalarType.Int16,
        ["CharStorage"] = torch.ScalarType.Int8,
        ["ByteStorage"] = torch.ScalarType.Byte,
        ["BoolStorage"] = torch.ScalarType.Bool,
        // Storages without a type (torch.UntypedStorage) hold bytes.
        ["UntypedStorage"] = torch.ScalarType.Byte,
    };

    public static bool TryGet(PickleGlobal global, out torch.ScalarType type)
    {
        type = default;
        var module = global.Module == "torch" || (global.Module == "torch.storage" && global.Name == "UntypedStorage");
        return module && ByName.TryGetValue(global.Name, out type);
    }

    public static bool IsStorageType(PickleGlobal global) => TryGet(global, out _);

    public static int ElementSize(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 => 8,
        torch.ScalarType.Float32 or torch.ScalarType.Int32 => 4,
        torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>PyTorch's name of the element type, as in <c>torch.float32</c>.</summary>
    public static string Describe(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.Float64 => "float64",
        torch.ScalarType.Float16 => "float16",
        torch.ScalarType.BFloat16 => "bfloat16",
        torch.ScalarType.Int64 => "int64",
        torch.ScalarType.Int32 => "int32",
        torch.ScalarType.Int16 => "int16",
        torch.ScalarType.Int8 => "int8",
        torch.ScalarType.Byte => "uint8",
        torch.ScalarType.Bool => "bool",
        _ => type.ToString(),
    };
}
