namespace MarginFace.Server.Security;

/// <summary>What a key may do: <see cref="Recognise"/> detect, embed, verify, analyze and identify; <see cref="Manage"/> enrol, rename and remove people, and create, list and delete galleries.</summary>
[Flags]
public enum ApiKeyScope
{
    None = 0,
    Recognise = 1,
    Manage = 2,
}
