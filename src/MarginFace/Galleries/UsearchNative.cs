using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace MarginFace.Galleries;

/// <summary>
/// The few functions of USearch's C library (<c>libusearch_c</c>, shipped by the Cloud.Unum.USearch package under
/// <c>runtimes/*/native</c>) that <see cref="HnswIndex"/> calls. Called directly rather than through the package's
/// <c>USearchIndex</c> because that wrapper cannot change the search expansion after a load (it is not stored in the file)
/// nor reserve capacity once for a bulk add. <see cref="Options"/> is <c>usearch_init_options_t</c> with its <c>bool</c> as a byte (blittable).
/// Each call reports failure through <c>error</c> (a static C string, not to be freed).
/// </summary>
internal static partial class UsearchNative
{
    private const string Library = "libusearch_c";

    [LibraryImport(Library, EntryPoint = "usearch_init")]
    public static unsafe partial nint Init(Options* options, out nint error);

    /// <summary><c>usearch_init_options_t</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Options
    {
        public MetricKind MetricKind;
        public nint Metric;
        public ScalarKind Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        public byte Multi;
    }

    [LibraryImport(Library, EntryPoint = "usearch_free")]
    public static partial void Free(nint index, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_reserve")]
    public static partial void Reserve(nint index, nuint capacity, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_size")]
    public static partial nuint Size(nint index, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_dimensions")]
    public static partial nuint Dimensions(nint index, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_memory_usage")]
    public static partial nuint MemoryUsage(nint index, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_add")]
    public static unsafe partial void Add(nint index, ulong key, float* vector, ScalarKind kind, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_remove")]
    public static partial nuint Remove(nint index, ulong key, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_search")]
    public static unsafe partial nuint Search(nint index, float* query, ScalarKind kind, nuint count, ulong* keys, float* distances, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_save", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void Save(nint index, string path, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_load", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void Load(nint index, string path, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_change_expansion_search")]
    public static partial void ChangeExpansionSearch(nint index, nuint expansion, out nint error);

    [LibraryImport(Library, EntryPoint = "usearch_version")]
    public static partial nint Version();

    /// <summary>Throws a one-line <see cref="MarginFaceException"/> when <paramref name="error"/> is set.</summary>
    public static void Check(nint error, string what)
    {
        if (error != 0) throw new MarginFaceException($"HNSW index: {what} failed: {Marshal.PtrToStringUTF8(error)}");
    }
}
