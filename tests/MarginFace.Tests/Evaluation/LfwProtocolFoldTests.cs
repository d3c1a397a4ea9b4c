using System.Text.Json;
using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

public class LfwProtocolFoldTests
{
    [Fact]
    public void A_result_written_before_the_scoring_field_reads_as_cosine()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "result.json");
        File.WriteAllText(path, """{ "fold": 3, "accuracy": 0.9, "threshold": 0.25 }""");

        var fold = LfwProtocol.ReadResult(path);

        Assert.Equal((3, LfwPairScoring.Cosine), (fold.Fold, fold.Scoring));
    }

    [Fact]
    public void A_null_scoring_written_by_the_string_typed_field_reads_as_cosine()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "result.json");
        File.WriteAllText(path, """{ "fold": 4, "accuracy": 0.9, "threshold": 0.25, "scoring": null }""");

        var fold = LfwProtocol.ReadResult(path);

        Assert.Equal((4, LfwPairScoring.Cosine), (fold.Fold, fold.Scoring));
    }

    [Theory]
    [InlineData(LfwPairScoring.Cosine, "cosine")]
    [InlineData(LfwPairScoring.Wccn, "wccn")]
    [InlineData(LfwPairScoring.Mixed, "mixed")]
    public void Scoring_is_written_by_its_name_and_read_back(LfwPairScoring scoring, string name)
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "result.json");
        var json = JsonSerializer.Serialize(new LfwProtocolFold { Fold = 1, Scoring = scoring }, LfwProtocolReport.Json);
        File.WriteAllText(path, json);

        Assert.Contains($"\"scoring\": \"{name}\"", json);
        Assert.Equal(scoring, LfwProtocol.ReadResult(path).Scoring);
    }

    [Fact]
    public void An_unknown_scoring_is_a_one_line_error_naming_the_file()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "result.json");
        File.WriteAllText(path, """{ "fold": 1, "scoring": "pca" }""");

        var error = Assert.Throws<MarginFaceException>(() => LfwProtocol.ReadResult(path));

        Assert.StartsWith(path + ": not a fold result", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
