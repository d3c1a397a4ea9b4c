using MarginFace.Benchmarks;
using MarginFace.Data;
using MarginFace.Evaluation;
using MarginFace.Experiments;
using MarginFace.FaceModels;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Experiments.Tests;

/// <summary>The fold results kept in the repository's <c>experiments/lfw-runs/</c> (the numbers of docs/evaluation.md), which later sessions rescore.</summary>
public class KeptLfwRunsTests
{
    public static TheoryData<string> Results => new(Directory.GetFiles(Folder(), "result.json", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(Folder(), p)).Order());

    [Theory]
    [MemberData(nameof(Results))]
    public void Every_kept_fold_result_reads_as_the_fold_its_folder_names(string relative)
    {
        var fold = LfwProtocol.ReadResult(Path.Combine(Folder(), relative));

        Assert.Equal($"fold-{fold.Fold}", Path.GetFileName(Path.GetDirectoryName(relative)));
        Assert.InRange(fold.Accuracy, 0.5, 1.0);
    }

    private static string Folder() => RepositoryFolder.Combine("experiments", "lfw-runs");
}
