namespace MarginFace.Galleries;

/// <summary>A person in a <see cref="FaceGallery"/> and how many embeddings they have.</summary>
public sealed record GalleryPerson(string Name, int Embeddings);
