namespace MarginFace.Server.Galleries;

// The JSON bodies of the gallery endpoints.

internal sealed record GalleryJson(string Name, int People, string? ModelId);

internal sealed record CreateGalleryRequest(string Name);

internal sealed record PersonJson(string Name, int Embeddings);

internal sealed record EnrolResponse(string Gallery, string Name, bool NewPerson, int Added, int Duplicates, IReadOnlyList<string> Images);

internal sealed record RenameRequest(string Name);

internal sealed record RemoveResponse(string Name, int Removed);

internal sealed record ImagesResponse(string Name, IReadOnlyList<string> Images);
