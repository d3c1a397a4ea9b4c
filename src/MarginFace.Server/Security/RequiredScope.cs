namespace MarginFace.Server.Security;

/// <summary>Endpoint metadata: the scope a key needs for the endpoint (<see cref="ApiKeyMiddleware"/>); endpoints without it are open.</summary>
internal sealed record RequiredScope(ApiKeyScope Scope);
