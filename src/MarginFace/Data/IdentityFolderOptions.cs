namespace MarginFace.Data;

/// <summary>
/// Which identities of a folder a dataset keeps. <see cref="Include"/> (when given) and <see cref="Exclude"/> are applied
/// first, then identities with fewer than <see cref="MinImages"/> images are dropped. A name in <see cref="Include"/> that is
/// not a folder is an error; names in <see cref="Exclude"/> that are not folders are ignored (a protocol's leave-out list
/// may name people the folder never had).
/// </summary>
public sealed record IdentityFolderOptions(int MinImages = 1, IReadOnlyCollection<string>? Include = null, IReadOnlyCollection<string>? Exclude = null)
{
    /// <summary>Where <see cref="Include"/> came from, for error messages (e.g. the list file).</summary>
    public string IncludeSource { get; init; } = "include list";
}
