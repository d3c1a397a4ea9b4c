namespace MarginFace.Galleries;

/// <summary>
/// What one <see cref="FaceGallery.Enrol"/> did: embeddings <see cref="Added"/>, and those skipped as <see cref="Duplicates"/>
/// because the person already had an embedding of the same image (same SHA-256).
/// </summary>
public sealed record EnrolmentResult(string Name, bool NewPerson, int Added, int Duplicates);
