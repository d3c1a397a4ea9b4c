using System.Text.Json;
using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

public class VerificationReportTests
{
    [Fact]
    public void ReportJsonHoldsTheNamedFieldsOfTheWorkedExample()
    {
        var (scores, same, folds) = VerificationProtocolTests.WorkedExample();
        var (report, _) = VerificationReport.Compute(scores, same, folds);
        using var temp = new TempDirectory();
        var path = temp.Combine("out", "report.json");
        report.Save(path);
        Assert.Single(Directory.GetFiles(temp.Combine("out")));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal(12, root.GetProperty("pairs").GetInt32());
        Assert.Equal(2.0 / 3, root.GetProperty("meanAccuracy").GetDouble(), 15);
        Assert.Equal(1.0 / 12, root.GetProperty("standardError").GetDouble(), 15);
        var foldsJson = root.GetProperty("folds").EnumerateArray().ToArray();
        Assert.Equal([0.75, 0.75, 0.5], foldsJson.Select(f => f.GetProperty("accuracy").GetDouble()));
        Assert.Equal([12.5, 4, 13], foldsJson.Select(f => f.GetProperty("threshold").GetDouble()));
        Assert.Equal(31.0 / 36, root.GetProperty("auc").GetDouble(), 15);
        Assert.Equal(1.0 / 3, root.GetProperty("eer").GetDouble(), 15);
        var tar = root.GetProperty("tarAtFar");
        Assert.Equal(4.0 / 6, tar.GetProperty("1e-2").GetDouble(), 15);
        Assert.Equal(4.0 / 6, tar.GetProperty("1e-3").GetDouble(), 15);
    }

    [Fact]
    public void TableListsEveryFoldAndTheSummaries()
    {
        var (scores, same, folds) = VerificationProtocolTests.WorkedExample();
        var table = VerificationReport.Compute(scores, same, folds).Report.ToTable();
        Assert.Contains("   3      4    50.00 %         13", table);
        Assert.Contains("mean accuracy  66.67 % ± 8.33 %", table);
        Assert.Contains("AUC            0.8611", table);
        Assert.Contains("EER            33.33 %", table);
        Assert.Contains("TAR@FAR=1e-3   66.67 %", table);
    }
}
