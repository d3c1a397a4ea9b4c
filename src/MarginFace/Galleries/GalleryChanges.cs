namespace MarginFace.Galleries;

/// <summary>
/// What a store's change log says happened after a change number the reader had seen, read in one snapshot with the
/// <see cref="Version"/> it brings the reader to: the embeddings enrolled since (as they are now: rows removed again are absent),
/// the people removed, and the current names of the people renamed (absent when removed since). Replaying it costs the
/// size of the change, not of the gallery (<see cref="GalleryOwners.Apply"/>).
/// </summary>
internal sealed record GalleryChanges(GalleryVersion Version, int Count, GalleryOwners Added, IReadOnlySet<long> RemovedPeople, IReadOnlyDictionary<long, string> Names)
{
    /// <summary>
    /// The most change rows a reader replays; further behind, it reads the whole gallery once instead (a bound on what one
    /// replay may allocate, and about where re-reading every owner costs less than reading the log).
    /// </summary>
    public const int MaxReplayed = 10_000;

    /// <summary>What a change row records: an enrolment's id range, or the person renamed or removed.</summary>
    public const string Enrol = "enrol", Rename = "rename", Remove = "remove";
}
