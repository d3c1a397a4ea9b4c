namespace MarginFace.Galleries;

/// <summary>How a gallery's <c>Search</c> finds the nearest people.</summary>
public enum GallerySearchMode
{
    /// <summary>Exact below <see cref="GallerySearchEngine.ExactThreshold"/> embeddings, approximate (HNSW) from there on.</summary>
    Auto,

    /// <summary>Every embedding compared with the query (always available, always right).</summary>
    Exact,

    /// <summary>The HNSW index at any size (recall below 1; measured in docs/scale.md).</summary>
    Approximate,
}
