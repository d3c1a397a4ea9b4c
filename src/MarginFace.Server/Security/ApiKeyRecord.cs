namespace MarginFace.Server.Security;

/// <summary>A stored key: its public id, a label, its scopes, when it was made, and the SHA-256 (hex) of the secret. The secret itself is never stored.</summary>
public sealed record ApiKeyRecord(string Id, string Name, ApiKeyScope Scopes, DateTimeOffset Created, string Sha256);
