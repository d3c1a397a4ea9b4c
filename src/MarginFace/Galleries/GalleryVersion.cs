namespace MarginFace.Galleries;

/// <summary>
/// What a search index must match to be current: the model id and dimension, the highest embedding id, and the store's
/// change number (SQLite: meta <c>generation</c>, bumped by every write; PostgreSQL: the last row of the <c>changes</c> sequence).
/// </summary>
internal sealed record GalleryVersion(string? ModelId, int Dimension, long MaxId, long Generation);
