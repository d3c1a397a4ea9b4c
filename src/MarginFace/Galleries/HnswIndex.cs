using Cloud.Unum.USearch;

namespace MarginFace.Galleries;

/// <summary>
/// An HNSW graph (USearch, cosine distance, vectors stored as float16) over a gallery's embeddings, keyed by the store's embedding id.
/// <see cref="Connectivity"/> M (edges per node) and the expansions ef (candidate list length while adding and while searching)
/// trade memory and time for recall; the defaults are the ones measured in docs/scale.md to reach recall@1 ≥ 0.99.
/// Adding and searching from several threads at once is safe after <see cref="Reserve"/> (USearch's contract); removing is not.
/// </summary>
internal sealed unsafe class HnswIndex : IDisposable
{
    /// <summary>Edges per node (USearch's connectivity, HNSW's M).</summary>
    public const int Connectivity = 32;

    /// <summary>Candidates kept while inserting (ef_construction).</summary>
    public const int ExpansionAdd = 200;

    /// <summary>
    /// How vectors are stored: float16 takes half float32's memory and about 60 % of its build CPU with the same recall, and
    /// returns cosines within 3e-5 of exact (bfloat16 3e-4, int8 1.4e-2, which reorders close neighbours); measured with
    /// <c>bench gallery --quantization</c>, docs/scale.md.
    /// </summary>
    public const ScalarKind Quantization = ScalarKind.Float16;

    /// <summary>
    /// Vectors added one at a time before threads add the rest: threads inserting at once into a graph of a few hundred nodes
    /// link it poorly (a 300-embedding gallery built on 2 threads missed the planted nearest neighbour of some queries; one at a
    /// time, never), and the cost of a thousand sequential inserts is nothing beside a large build.
    /// </summary>
    public const int SequentialInserts = 1000;

    /// <summary>Candidates kept while searching (ef_search): the recall/latency knob.</summary>
    public const int DefaultExpansionSearch = 128;

    private nint handle;

    private HnswIndex(nint handle, int dimension)
    {
        this.handle = handle;
        Dimension = dimension;
    }

    /// <summary>The vector width.</summary>
    public int Dimension { get; }

    /// <summary>Vectors held.</summary>
    public long Count => (long)Call(UsearchNative.Size, "size");

    /// <summary>Bytes of memory the graph and vectors use, as USearch counts them.</summary>
    public long MemoryBytes => (long)Call(UsearchNative.MemoryUsage, "memory usage");

    /// <summary>
    /// An empty index for vectors of <c>dimension</c> values, stored as <c>quantization</c> (<see cref="Quantization"/>, or
    /// Float32/BFloat16/Int8 to compare); vectors are still added and queried as float32 and quantised on the way in.
    /// </summary>
    public static HnswIndex Create(int dimension, int expansionSearch = DefaultExpansionSearch, int connectivity = Connectivity, int expansionAdd = ExpansionAdd,
        ScalarKind quantization = Quantization)
    {
        var options = new UsearchNative.Options
        {
            MetricKind = MetricKind.Cos,
            Quantization = quantization,
            Dimensions = (nuint)dimension,
            Connectivity = (nuint)connectivity,
            ExpansionAdd = (nuint)expansionAdd,
            ExpansionSearch = (nuint)expansionSearch,
        };
        var handle = UsearchNative.Init(&options, out var error);
        UsearchNative.Check(error, "creating an index");
        return new HnswIndex(handle, dimension);
    }

    /// <summary>
    /// Loads an index file written by <see cref="Save"/> into memory, where it can take more vectors (the file holds the
    /// connectivity; <paramref name="expansionAdd"/> is not stored, so a caller that goes on adding passes its own). The caller
    /// has checked its digest first (a damaged file is never handed to USearch).
    /// </summary>
    public static HnswIndex Load(string path, int dimension, int expansionSearch = DefaultExpansionSearch, int expansionAdd = ExpansionAdd,
        ScalarKind quantization = Quantization)
    {
        var index = Create(dimension, expansionSearch, Connectivity, expansionAdd, quantization);
        try
        {
            UsearchNative.Load(index.handle, path, out var error);
            UsearchNative.Check(error, $"loading {path}");
            var loaded = (int)UsearchNative.Dimensions(index.handle, out error);
            UsearchNative.Check(error, "dimensions");
            if (loaded != dimension) throw new MarginFaceException($"{path}: HNSW index of {loaded}-dimensional vectors, not {dimension}");
            index.ExpansionSearch = expansionSearch;
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>The search expansion ef (set again after a load: USearch does not store it).</summary>
    public int ExpansionSearch
    {
        set
        {
            UsearchNative.ChangeExpansionSearch(handle, (nuint)value, out var error);
            UsearchNative.Check(error, "setting the search expansion");
        }
    }

    /// <summary>Makes room for <paramref name="capacity"/> vectors in all (also sizes USearch's per-thread contexts).</summary>
    public void Reserve(long capacity)
    {
        UsearchNative.Reserve(handle, (nuint)capacity, out var error);
        UsearchNative.Check(error, "reserving");
    }

    /// <summary>Adds <paramref name="vector"/> under <paramref name="key"/>; the caller has reserved room (<see cref="Reserve"/>), so several threads may add at once.</summary>
    public void AddReserved(long key, ReadOnlySpan<float> vector)
    {
        fixed (float* pointer = vector)
        {
            UsearchNative.Add(handle, (ulong)key, pointer, ScalarKind.Float32, out var error);
            UsearchNative.Check(error, "adding");
        }
    }

    /// <summary>A vector of the items <see cref="AddReserved(long, long, int, Func{long, long}, VectorAt)"/> adds.</summary>
    public delegate ReadOnlySpan<float> VectorAt(long item);

    /// <summary>
    /// Adds items <paramref name="from"/> to <paramref name="to"/> (exclusive) under <c>keyAt(item)</c>, the caller having reserved
    /// room: while the index holds fewer than <see cref="SequentialInserts"/> vectors one at a time, then from
    /// <paramref name="threads"/> threads.
    /// </summary>
    public void AddReserved(long from, long to, int threads, Func<long, long> keyAt, VectorAt vectorAt)
    {
        var item = from;
        for (; item < to && Count < SequentialInserts; item++) AddReserved(keyAt(item), vectorAt(item));
        Parallel.For(item, to, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i => AddReserved(keyAt(i), vectorAt(i)));
    }

    /// <summary>Removes <paramref name="key"/>; false when absent.</summary>
    public bool Remove(long key)
    {
        var removed = UsearchNative.Remove(handle, (ulong)key, out var error);
        UsearchNative.Check(error, "removing");
        return removed > 0;
    }

    /// <summary>Up to <c>keys.Length</c> nearest keys, nearest first, with cosine similarity = 1 − cosine distance.</summary>
    public int Search(ReadOnlySpan<float> query, Span<long> keys, Span<float> similarities)
    {
        if (query.Length != Dimension) throw new ArgumentException($"query of {query.Length} values, index of {Dimension}.", nameof(query));
        var count = Math.Min(keys.Length, similarities.Length);
        nuint found;
        fixed (float* q = query)
        fixed (long* k = keys)
        fixed (float* d = similarities)
        {
            found = UsearchNative.Search(handle, q, ScalarKind.Float32, (nuint)count, (ulong*)k, d, out var error);
            UsearchNative.Check(error, "searching");
        }
        for (int i = 0; i < (int)found; i++) similarities[i] = 1 - similarities[i];
        return (int)found;
    }

    /// <summary>Writes the index to <paramref name="path"/> (the caller makes it atomic).</summary>
    public void Save(string path)
    {
        UsearchNative.Save(handle, path, out var error);
        UsearchNative.Check(error, $"saving {path}");
    }

    /// <summary>The native library's version (loading it on first call).</summary>
    public static string LibraryVersion => System.Runtime.InteropServices.Marshal.PtrToStringUTF8(UsearchNative.Version()) ?? "?";

    public void Dispose()
    {
        if (handle == 0) return;
        UsearchNative.Free(handle, out _);
        handle = 0;
    }

    private delegate nuint Query(nint index, out nint error);

    private nuint Call(Query query, string what)
    {
        ObjectDisposedException.ThrowIf(handle == 0, this);
        var value = query(handle, out var error);
        UsearchNative.Check(error, what);
        return value;
    }
}
