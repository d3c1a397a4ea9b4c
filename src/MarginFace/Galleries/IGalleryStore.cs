namespace MarginFace.Galleries;

/// <summary>What <see cref="GallerySearchEngine"/> reads from a gallery's store (SQLite or PostgreSQL).</summary>
internal interface IGalleryStore
{
    /// <summary>The gallery as messages name it.</summary>
    string Path { get; }

    /// <summary>Where the HNSW index is persisted (the stamp and keys beside it), or null to keep it in memory only.</summary>
    string? IndexFile { get; }

    /// <summary>The current version: one cheap query, made before every search.</summary>
    GalleryVersion ReadVersion();

    /// <summary>Every embedding's id, fingerprint and person (no vectors).</summary>
    GalleryOwners ReadOwners();

    /// <summary>What changed after change number <paramref name="since"/>, from the store's log; null when the log cannot say (<see cref="GalleryChangeLog"/>).</summary>
    GalleryChanges? ReadChanges(long since);

    /// <summary>The exact search matrix of every embedding (L2-normalised).</summary>
    GalleryIndex ReadMatrix();

    /// <summary>Calls <paramref name="each"/> with the id and vector of every embedding whose id is in <paramref name="ids"/> (ascending), or of all when null.</summary>
    void ReadVectors(IReadOnlyList<long>? ids, Action<long, float[]> each);
}
