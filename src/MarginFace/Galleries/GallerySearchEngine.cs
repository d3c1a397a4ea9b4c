using System.Runtime.InteropServices;
using MarginFace.Runtime;

namespace MarginFace.Galleries;

/// <summary>
/// The search side of a gallery, shared by both stores: an exact matrix (<see cref="GalleryIndex"/>) and an HNSW index
/// (<see cref="HnswIndex"/>) keyed by embedding id, each reloaded only when the store's <see cref="GalleryVersion"/> moved.
/// The HNSW index is brought up to date by a diff of its keys (id and image fingerprint) against the store's owners: new
/// embeddings are added, gone ones removed. Once loaded, the owners follow the store's change log (<see cref="GalleryChanges"/>),
/// so another process's write costs what it changed, not a read of every id and name; a log that cannot be replayed means
/// one whole read. A persisted index (SQLite: <c>GALLERY.hnsw</c> with <c>.keys</c> and <c>.stamp</c>) is reopened without a
/// rebuild when its stamp names the same model and dimension and both SHA-256 digests match; a stale one is brought up to date
/// by the same diff; a missing, damaged or foreign one is rebuilt from the store, never used (<see cref="LastIndexEvent"/> says
/// which). Small changes are not saved at once (<see cref="SaveAfterChanges"/>): the file stays as its stamp describes it and
/// the next process to reopen it applies the difference.
/// </summary>
internal sealed class GallerySearchEngine(IGalleryStore store) : IDisposable
{
    /// <summary>
    /// Below this many embeddings <see cref="GallerySearchMode.Auto"/> searches exactly: the HNSW index is faster per query
    /// already at 20,000 but costs a one-off build and files, which small galleries are spared (docs/scale.md).
    /// </summary>
    public const long ExactThreshold = 50_000;

    /// <summary>Most keys a persisted index may hold (each 16 bytes in the keys file): 2^28, checked before allocating.</summary>
    public const long MaxKeys = ReadLimits.MaxGalleryIndexKeys;

    // Searches may come from several threads (a service): preparing (reading the version, loading, updating) takes turns
    // under prepareGate; HNSW searches share searchGate's read lock, and changing the index takes its write lock, because
    // USearch allows concurrent searches but not a removal beside them.
    private readonly object prepareGate = new();
    private readonly ReaderWriterLockSlim searchGate = new();
    private GalleryIndex? exact;
    private GalleryVersion? exactAt;
    private HnswIndex? hnsw;
    private long[] keyIds = [];
    private long[] keyFingerprints = [];
    private GalleryOwners? owners;
    private GalleryVersion? approxAt;
    private HnswStamp? persisted;

    /// <summary>The search expansion ef of the HNSW index (applied to a loaded one at once).</summary>
    public int ExpansionSearch
    {
        get => expansionSearch;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            searchGate.EnterWriteLock();
            try
            {
                expansionSearch = value;
                if (hnsw is not null) hnsw.ExpansionSearch = value;
            }
            finally
            {
                searchGate.ExitWriteLock();
            }
        }
    }

    private int expansionSearch = HnswIndex.DefaultExpansionSearch;

    /// <summary>
    /// What the last HNSW preparation did: "reopened", "updated (+A -R)" (after reading every owner), "updated from N changes
    /// (+A -R)" (after replaying the change log), "built" or "rebuilt: REASON".
    /// </summary>
    public string? LastIndexEvent { get; private set; }

    /// <summary>
    /// Embeddings added or removed since the index file was written before it is written again (null: 256 or a thousandth of
    /// the index, whichever is more). Writing costs the whole file (about 500 MiB and its SHA-256 at a million 128-d
    /// embeddings); not writing costs the next process to reopen it one insertion per unsaved change.
    /// </summary>
    public long? SaveAfterChanges { get; set; }

    /// <summary>Whether a loaded index follows the store's change log (default) or re-reads every owner on each change (<c>bench gallery --store</c> compares).</summary>
    public bool FollowChangeLog { get; set; } = true;

    private long unsaved;

    /// <summary>The best <paramref name="top"/> people for <paramref name="query"/> at or above <paramref name="threshold"/>.</summary>
    public IReadOnlyList<GalleryMatch> Search(ReadOnlySpan<float> query, int top, float threshold, GallerySearchMode mode, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        GalleryIndex? loaded = null;
        lock (prepareGate)
        {
            var version = store.ReadVersion();
            if (version.MaxId == 0) return [];
            // Embeddings without a stored dimension: the exact load names the damage.
            if (version.Dimension == 0) loaded = Exact(version);
            else if (query.Length != version.Dimension)
                throw new MarginFaceException($"{store.Path}: query has {query.Length} dimensions, the gallery's embeddings {version.Dimension}");
            else if (UseExact(mode, version)) loaded = Exact(version);
            else Approximate(version, threads);
        }
        if (loaded is not null) return loaded.Count == 0 ? [] : loaded.Search(query, top, threshold, threads);
        searchGate.EnterReadLock();
        try
        {
            return SearchApproximate(query, top, threshold);
        }
        finally
        {
            searchGate.ExitReadLock();
        }
    }

    /// <summary>Loads (or reloads with <paramref name="force"/>) what <paramref name="mode"/> searches with, now rather than at the first search.</summary>
    public void Prepare(GallerySearchMode mode, bool force, int threads)
    {
        lock (prepareGate)
        {
            if (force) { exactAt = null; approxAt = null; }
            var version = store.ReadVersion();
            if (UseExact(mode, version)) Exact(version);
            else if (version.MaxId > 0) Approximate(version, threads);
        }
    }

    public void Dispose()
    {
        searchGate.EnterWriteLock();
        try
        {
            hnsw?.Dispose();
            hnsw = null;
        }
        finally
        {
            searchGate.ExitWriteLock();
        }
    }

    private bool UseExact(GallerySearchMode mode, GalleryVersion version) => mode switch
    {
        GallerySearchMode.Exact => true,
        GallerySearchMode.Approximate => false,
        // MaxId bounds the count from above: a gallery with many removals may search exactly a little longer.
        _ => version.MaxId < ExactThreshold,
    };

    private GalleryIndex Exact(GalleryVersion version)
    {
        if (exact is not null && exactAt == version) return exact;
        exact = store.ReadMatrix();
        exactAt = version;
        return exact;
    }

    private IReadOnlyList<GalleryMatch> SearchApproximate(ReadOnlySpan<float> query, int top, float threshold)
    {
        var names = owners!.Names;
        var count = hnsw!.Count;
        // Nearest embeddings, best per person; ask for more when they name fewer than top people (several embeddings each).
        for (int wanted = (int)Math.Min(count, Math.Max(16, top * 8)); ; wanted = (int)Math.Min(count, (long)wanted * 4))
        {
            var keys = new long[wanted];
            var similarities = new float[wanted];
            var found = hnsw.Search(query, keys, similarities);
            var chosen = new List<GalleryMatch>(top);
            var seen = new HashSet<int>();
            bool belowThreshold = false;
            for (int i = 0; i < found && chosen.Count < top; i++)
            {
                var at = owners.Find(keys[i]);
                if (at < 0) continue; // an id the store no longer has (removed by an older marginface): never reported
                if (!seen.Add(owners.Owners[at])) continue;
                if (!(similarities[i] >= threshold)) { belowThreshold = true; break; }
                chosen.Add(new GalleryMatch(names[owners.Owners[at]], similarities[i]));
            }
            if (chosen.Count == top || belowThreshold || found < wanted || wanted >= count)
                return [.. chosen.OrderByDescending(m => m.Similarity).ThenBy(m => m.Name, StringComparer.Ordinal)];
        }
    }

    private void Approximate(GalleryVersion version, int threads)
    {
        if (hnsw is not null && approxAt == version) return;
        searchGate.EnterWriteLock();
        try
        {
            ApproximateLocked(version, threads);
        }
        finally
        {
            searchGate.ExitWriteLock();
        }
    }

    private void ApproximateLocked(GalleryVersion version, int threads)
    {
        GalleryOwners current;
        int? replayed = null;
        if (FollowChangeLog && hnsw is not null && hnsw.Dimension == version.Dimension && owners is not null && approxAt is not null
            && store.ReadChanges(approxAt.Generation) is { } changes)
        {
            current = owners.Apply(changes);
            version = changes.Version;
            replayed = changes.Count;
        }
        else current = store.ReadOwners();
        string? fresh = null;
        if (hnsw is null || hnsw.Dimension != version.Dimension)
        {
            hnsw?.Dispose();
            hnsw = null;
            persisted = null;
            string? problem = "no index file";
            if (store.IndexFile is { } file && TryReopen(file, version, out problem) is { } reopened)
            {
                (hnsw, keyIds, keyFingerprints, persisted) = reopened;
                fresh = "reopened";
            }
            else
            {
                hnsw = HnswIndex.Create(version.Dimension, ExpansionSearch);
                (keyIds, keyFingerprints) = ([], []);
                fresh = store.IndexFile is null ? "built" : $"rebuilt: {problem}";
            }
        }
        var (added, removed) = Update(current, threads);
        var changed = added + removed > 0;
        LastIndexEvent = fresh switch
        {
            null when replayed is { } count => $"updated from {count} change{(count == 1 ? "" : "s")} (+{added} -{removed})",
            null => $"updated (+{added} -{removed})",
            "reopened" when changed => $"reopened, updated (+{added} -{removed})",
            _ => fresh,
        };
        unsaved = fresh switch { null => unsaved + added + removed, "reopened" => added + removed, _ => 0 };
        if (store.IndexFile is { } indexFile)
        {
            if (fresh is not (null or "reopened") || unsaved >= (SaveAfterChanges ?? Math.Max(256, hnsw!.Count / 1000))) Persist(indexFile, version, null);
            // Same keys as the file (only names moved: a rename): the stamp alone is brought forward.
            else if (unsaved == 0 && (persisted?.Generation != version.Generation || persisted.MaxId != version.MaxId)) Persist(indexFile, version, persisted);
        }
        owners = current;
        approxAt = version;
    }

    /// <summary>Brings the index's keys to the store's: removes what went (or changed image under the same id), adds what came.</summary>
    private (int Added, int Removed) Update(GalleryOwners current, int threads)
    {
        var gone = new List<long>();
        var come = new List<long>();
        int i = 0, j = 0;
        while (i < keyIds.Length || j < current.Ids.Length)
        {
            if (j == current.Ids.Length || (i < keyIds.Length && keyIds[i] < current.Ids[j])) gone.Add(keyIds[i++]);
            else if (i == keyIds.Length || current.Ids[j] < keyIds[i]) come.Add(current.Ids[j++]);
            else
            {
                if (keyFingerprints[i] != current.Fingerprints[j]) { gone.Add(keyIds[i]); come.Add(current.Ids[j]); }
                i++; j++;
            }
        }
        foreach (var key in gone) hnsw!.Remove(key);
        var added = new HashSet<long>();
        var comeSet = new HashSet<long>(come);
        if (come.Count > 0)
        {
            hnsw!.Reserve(hnsw.Count + come.Count);
            var batch = new List<(long Id, float[] Vector)>(4096);
            var wanted = come.Count == current.Ids.Length ? null : come;
            store.ReadVectors(wanted, (id, vector) =>
            {
                // Another process may enrol or remove between ReadOwners and this read: only the snapshot's new ids are
                // added (each once), the rest waits for the next update, so the index never holds a key it does not list.
                if (!comeSet.Contains(id) || !added.Add(id)) return;
                batch.Add((id, vector));
                if (batch.Count == batch.Capacity) Flush();
            });
            Flush();

            void Flush()
            {
                var local = batch.ToArray();
                batch.Clear();
                hnsw.AddReserved(0, local.Length, threads, k => local[k].Id, k => local[k].Vector);
            }
        }
        if (added.Count == come.Count)
        {
            keyIds = current.Ids;
            keyFingerprints = current.Fingerprints;
        }
        else
        {
            // Ids removed since the snapshot were not added: keep them out of the keys, so the next update does not remove them.
            var kept = Enumerable.Range(0, current.Ids.Length).Where(k => !comeSet.Contains(current.Ids[k]) || added.Contains(current.Ids[k])).ToArray();
            keyIds = [.. kept.Select(k => current.Ids[k])];
            keyFingerprints = [.. kept.Select(k => current.Fingerprints[k])];
        }
        return (added.Count, gone.Count);
    }

    private (HnswIndex Index, long[] Ids, long[] Fingerprints, HnswStamp Stamp)? TryReopen(string file, GalleryVersion version, out string? problem)
    {
        var stamp = HnswStamp.Read(file + ".stamp", out problem);
        if (stamp is null) return null;
        if (stamp.ModelId != version.ModelId || stamp.Dimension != version.Dimension)
        {
            problem = $"index of model '{stamp.ModelId}' ({stamp.Dimension}-d), the gallery's is '{version.ModelId}' ({version.Dimension}-d)";
            return null;
        }
        if (stamp.Connectivity != HnswIndex.Connectivity || stamp.ExpansionAdd != HnswIndex.ExpansionAdd || stamp.Quantization != HnswIndex.Quantization.ToString())
        {
            problem = "index built with other HNSW settings";
            return null;
        }
        var keysFile = file + ".keys";
        var keysInfo = new FileInfo(keysFile);
        if (!keysInfo.Exists || !File.Exists(file)) { problem = "index or keys file missing"; return null; }
        if (keysInfo.Length != stamp.Count * 16 || stamp.Count is < 0 or > MaxKeys)
        {
            problem = $"keys file of {keysInfo.Length} bytes, the stamp says {stamp.Count} keys";
            return null;
        }
        if (!FileDigest.Matches(file, stamp.IndexSha256)) { problem = "index file does not match its stamp's SHA-256 (damaged or replaced)"; return null; }
        if (!FileDigest.Matches(keysFile, stamp.KeysSha256)) { problem = "keys file does not match its stamp's SHA-256 (damaged or replaced)"; return null; }
        var bytes = File.ReadAllBytes(keysFile);
        var pairs = MemoryMarshal.Cast<byte, long>(bytes);
        var ids = new long[stamp.Count];
        var fingerprints = new long[stamp.Count];
        for (int k = 0; k < ids.Length; k++)
        {
            ids[k] = pairs[2 * k];
            fingerprints[k] = pairs[2 * k + 1];
            if (k > 0 && ids[k] <= ids[k - 1]) { problem = "keys file out of order (damaged)"; return null; }
        }
        HnswIndex index;
        try
        {
            index = HnswIndex.Load(file, version.Dimension, ExpansionSearch);
        }
        catch (MarginFaceException e)
        {
            problem = e.Message;
            return null;
        }
        if (index.Count != stamp.Count)
        {
            index.Dispose();
            problem = $"index holds {index.Count} vectors, its stamp {stamp.Count}";
            return null;
        }
        return (index, ids, fingerprints, stamp);
    }

    /// <summary>
    /// Writes index, keys, then the stamp that vouches for both: each atomically, the old stamp deleted first and the new one
    /// written last, so a crash part way leaves files no stamp matches (rebuilt), never a wrong index used. With
    /// <paramref name="unchanged"/> (same keys, only the store's change number moved: a rename) only the stamp is written.
    /// </summary>
    private void Persist(string file, GalleryVersion version, HnswStamp? unchanged)
    {
        try
        {
            string indexSha, keysSha;
            if (unchanged is not null) (indexSha, keysSha) = (unchanged.IndexSha256, unchanged.KeysSha256);
            else
            {
                File.Delete(file + ".stamp");
                AtomicFile.Write(file, temp => hnsw!.Save(temp));
                var pairs = new long[keyIds.Length * 2];
                for (int k = 0; k < keyIds.Length; k++) { pairs[2 * k] = keyIds[k]; pairs[2 * k + 1] = keyFingerprints[k]; }
                AtomicFile.WriteAllBytes(file + ".keys", MemoryMarshal.AsBytes(pairs.AsSpan()).ToArray());
                (indexSha, keysSha) = (FileDigest.Sha256(file), FileDigest.Sha256(file + ".keys"));
            }
            if (unchanged is null) unsaved = 0;
            persisted = new HnswStamp(HnswStamp.CurrentFormat, version.ModelId ?? "", version.Dimension, keyIds.Length, version.MaxId, version.Generation,
                HnswIndex.Connectivity, HnswIndex.ExpansionAdd, HnswIndex.Quantization.ToString(), indexSha, keysSha);
            AtomicFile.WriteAllBytes(file + ".stamp", persisted.ToJson());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The index in memory is right; only the copy on disk is missing, and the next process rebuilds it.
            LastIndexEvent += $"; not saved ({e.Message.ReplaceLineEndings(" ")})";
        }
    }
}
