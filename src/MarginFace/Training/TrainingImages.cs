using MarginFace.Data;

namespace MarginFace.Training;

/// <summary>
/// The images of a run's <see cref="FaceTrainingOptions.Data"/>: a folder holding <c>train.rec</c> is InsightFace's RecordIO
/// (<see cref="RecordIoImageSet"/>, arcface_torch's layout), any other folder identity folders (<see cref="IdentityFolderDataset"/>,
/// with the identity lists, <see cref="FaceTrainingOptions.MinImages"/> and the unreadable headers left out).
/// </summary>
internal static class TrainingImages
{
    /// <summary>Opens the run's images; dispose the result when it is disposable (RecordIO holds the <c>.rec</c> open).</summary>
    public static IFaceImageSet Open(FaceTrainingOptions options, IProgress<string>? log)
    {
        var data = options.Data!;
        if (Directory.Exists(data) && RecordIoImageSet.IsRecordIoFolder(data))
        {
            // The RecordIO layout keeps no identity names and its identities are packed in order, so the folder selections have nothing to select.
            string? refused = options.IncludeIdentities is not null ? nameof(FaceTrainingOptions.IncludeIdentities)
                : options.ExcludeIdentities is not null ? nameof(FaceTrainingOptions.ExcludeIdentities)
                : options.MinImages != 1 ? nameof(FaceTrainingOptions.MinImages)
                : null;
            if (refused is not null)
                throw new MarginFaceException($"FaceTrainingOptions.{refused}: selects identity folders; {data} is a RecordIO dataset (train.rec), which it cannot select from");
            return RecordIoImageSet.Open(data);
        }
        var dataset = IdentityFolderDataset.Scan(data, new IdentityFolderOptions(options.MinImages,
            options.IncludeIdentities is string include ? IdentityFolderDataset.ReadIdentityList(include) : null,
            options.ExcludeIdentities is string exclude ? IdentityFolderDataset.ReadIdentityList(exclude) : null)
        { IncludeSource = options.IncludeIdentities ?? "include list" });
        return dataset.WithoutUnreadableHeaders((path, problem) => log?.Report($"skipping {path}: {problem}"));
    }
}
