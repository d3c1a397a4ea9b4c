namespace MarginFace.Galleries;

/// <summary>A candidate of <see cref="FaceGallery.Search"/>: a person and the best cosine similarity of their embeddings to the query.</summary>
public sealed record GalleryMatch(string Name, float Similarity);
