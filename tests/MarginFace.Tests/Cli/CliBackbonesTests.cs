using System.Text.Json;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliBackbonesTests
{
    [Fact]
    public void JsonListsEveryBackboneWithInputEmbeddingAndParameters()
    {
        var (exitCode, stdout, stderr) = CliProcess.Run(["backbones", "--json"]);
        Assert.True(exitCode == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var rows = document.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal(MarginFace.Models.BackboneFactory.Names.Order(), rows.Keys.Order());
        Assert.Equal("128x128x1", rows["facemobilenet"].GetProperty("input").GetString());
        Assert.Equal(128, rows["mobilefacenet"].GetProperty("embedding").GetInt32());
        Assert.Equal("112x112x3", rows["iresnet100"].GetProperty("input").GetString());
        Assert.Equal(65_156_160L, rows["iresnet100"].GetProperty("parameters").GetInt64());
        Assert.Equal(1_003_136L, rows["mobilefacenet"].GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void TableHasOneLinePerBackbone()
    {
        var (exitCode, stdout, stderr) = CliProcess.Run(["backbones"]);
        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("name", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("iresnet50 ") && l.Contains("43,590,848") && l.Contains("112x112x3"));
        Assert.Equal(MarginFace.Models.BackboneFactory.Names.Count + 1, lines.Length);
    }
}
