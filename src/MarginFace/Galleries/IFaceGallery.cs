using MarginFace.FaceModels;

namespace MarginFace.Galleries;

/// <summary>
/// A gallery of known people, whichever store holds it (<see cref="FaceGallery"/>: one SQLite file; <see cref="PostgresFaceGallery"/>:
/// a PostgreSQL database that several processes share); <see cref="FaceGalleries.Open"/> picks by the spec. A gallery holds
/// embeddings of one model id and one dimension; every write is one transaction; problems are one-line
/// <see cref="MarginFaceException"/>s naming <see cref="Path"/>.
/// </summary>
public interface IFaceGallery : IDisposable
{
    /// <summary>The gallery as messages name it: the SQLite file, or the server URI without its password.</summary>
    string Path { get; }

    /// <summary>The model id of the stored embeddings; null while the gallery has none.</summary>
    string? ModelId { get; }

    /// <summary>The model the first enrolment named, so a search can open it again; null when none was named.</summary>
    FaceModelReference? ModelReference { get; }

    /// <summary>The embedding dimension; null while the gallery has none.</summary>
    int? Dimension { get; }

    /// <summary>Embeddings stored.</summary>
    long Count { get; }

    /// <summary>Threads used by <see cref="Search"/> (and by building its index).</summary>
    int SearchThreads { get; set; }

    /// <summary>Exact, approximate (HNSW), or exact below <see cref="GallerySearchEngine.ExactThreshold"/> embeddings (the default).</summary>
    GallerySearchMode SearchMode { get; set; }

    /// <summary>Adds <paramref name="entries"/> to <paramref name="name"/> in one transaction; images the person already has (same SHA-256) are duplicates, skipped.</summary>
    EnrolmentResult Enrol(string name, IReadOnlyList<GalleryEntry> entries, string modelId, FaceModelReference? model = null);

    /// <summary>Enrols several people in one transaction, all or nothing; <paramref name="starting"/> hears each name before its rows.</summary>
    IReadOnlyList<EnrolmentResult> EnrolAll(IReadOnlyList<(string Name, IReadOnlyList<GalleryEntry> Entries)> enrolments, string modelId,
        Action<string, int>? starting = null, FaceModelReference? model = null);

    /// <summary>Everyone with their number of embeddings, by name.</summary>
    IReadOnlyList<GalleryPerson> List();

    /// <summary>The SHA-256 (lower-case hex) of every image enrolled for <paramref name="name"/>, in enrolment order; an unknown name is an error.</summary>
    IReadOnlyList<string> Images(string name);

    /// <summary>Renames a person; an unknown old name or a taken new name is an error.</summary>
    void Rename(string name, string newName);

    /// <summary>Removes a person and their embeddings; returns how many embeddings went.</summary>
    int Remove(string name);

    /// <summary>
    /// The <paramref name="top"/> people most similar to <paramref name="query"/> (cosine, best embedding per person) at or above
    /// <paramref name="threshold"/>, best first. Each search first reads the store's version (one cheap query) and brings the index
    /// up to date, so a long-lived instance (a service) sees what other instances and processes wrote without asking.
    /// </summary>
    IReadOnlyList<GalleryMatch> Search(ReadOnlySpan<float> query, int top = 5, float threshold = -1);

    /// <summary>Loads (or with <paramref name="force"/> reloads) the search index now rather than at the first search.</summary>
    void LoadIndex(bool force);

    /// <summary>
    /// Candidates the HNSW index keeps while searching (ef, default 128): more finds the exact nearest more often and costs time
    /// in proportion. 128 gives recall@1 1.000 on a million realistic 128-d faces; random 512-d vectors need 512 already at
    /// 300,000 (docs/scale.md). Applies to a loaded index at once.
    /// </summary>
    int SearchExpansion { get; set; }

    /// <summary>
    /// What the last preparation of the HNSW index did ("built", "reopened", "updated from N changes (+A -R)", "rebuilt: REASON"
    /// …); null before any, and while searches are exact.
    /// </summary>
    string? IndexEvent { get; }

    /// <summary>Every embedding, person by person (ordered by name, then by image SHA-256), read as it is consumed: for export and copy.</summary>
    IEnumerable<(string Name, GalleryEntry Entry)> Entries();
}
