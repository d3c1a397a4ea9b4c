using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

public class EmbeddingsFileTests
{
    private static IReadOnlyList<ImageEmbedding> Parse(string text) => EmbeddingsFile.Parse(new StringReader(text), "emb.jsonl");

    private static string ErrorOf(string text) => Assert.Throws<MarginFaceException>(() => Parse(text)).Message;

    [Fact]
    public void WrittenEmbeddingsReadBackBitForBit()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("embeddings.jsonl");
        ImageEmbedding[] records =
        [
            new("lfw/Alice/Alice_0001.jpg", [0.1f, -1e-30f, float.MaxValue, 1f / 3]),
            new("C:\\faces\\Bob \"B\"\\Bob_0002.jpg", [float.Epsilon, 0f, -2.5f, 7e7f]),
        ];
        EmbeddingsFile.Write(path, records);
        var read = EmbeddingsFile.Read(path);
        Assert.Equal(records.Select(r => r.Image), read.Select(r => r.Image));
        for (int i = 0; i < records.Length; i++) Assert.Equal(records[i].Embedding, read[i].Embedding);
        Assert.Equal(2, File.ReadAllLines(path).Length);
        Assert.StartsWith("{\"image\":\"lfw/Alice/Alice_0001.jpg\",\"embedding\":[0.1,", File.ReadAllLines(path)[0]);
    }

    [Fact]
    public void UnknownPropertiesAndBlankLinesAreSkipped() =>
        Assert.Equal(2, Parse("{\"image\":\"a/1.jpg\",\"embedding\":[1,2],\"flip\":true}\n\n{\"image\":\"a/2.jpg\",\"embedding\":[3,4]}\n").Count);

    [Theory]
    [InlineData("", "emb.jsonl: no embeddings")]
    [InlineData("{\"image\":\"a/1.jpg\",\"embedding\":[1,2]", "emb.jsonl:1: not a JSON object")]
    [InlineData("[1,2]", "emb.jsonl:1: expected a JSON object")]
    [InlineData("{\"embedding\":[1,2]}", "emb.jsonl:1: expected \"image\": a non-empty string")]
    [InlineData("{\"image\":\"\",\"embedding\":[1,2]}", "emb.jsonl:1: expected \"image\": a non-empty string")]
    [InlineData("{\"image\":\"a/1.jpg\",\"embedding\":\"1,2\"}", "emb.jsonl:1: expected \"embedding\": an array of numbers")]
    [InlineData("{\"image\":\"a/1.jpg\",\"embedding\":[]}", "emb.jsonl:1: embedding of 0 values")]
    [InlineData("{\"image\":\"a/1.jpg\",\"embedding\":[1,\"x\"]}", "emb.jsonl:1: embedding value 1 (\"x\") is not a finite float")]
    [InlineData("{\"image\":\"a/1.jpg\",\"embedding\":[1,1e39]}", "emb.jsonl:1: embedding value 1 (1e39) is not a finite float")]
    [InlineData("{\"image\":\"a/1.jpg\",\"embedding\":[1,2]}\n{\"image\":\"a/2.jpg\",\"embedding\":[1,2,3]}", "emb.jsonl:2: embedding of 3 values, the lines before have 2")]
    [InlineData("{\"image\":\"a/1.jpg\",\"embedding\":[1,2]}\n{\"image\":\"a/1.jpg\",\"embedding\":[3,4]}", "emb.jsonl:2: image a/1.jpg already has an embedding on line 1")]
    public void BadLinesAreOneLineErrorsWithTheLineNumber(string text, string expectedStart)
    {
        var message = ErrorOf(text);
        Assert.StartsWith(expectedStart, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void WriteRefusesWhatReadWouldRefuse()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("bad.jsonl");
        Assert.Throws<ArgumentException>(() => EmbeddingsFile.Write(path, [new("a", [1f]), new("b", [1f, 2f])]));
        Assert.Throws<ArgumentException>(() => EmbeddingsFile.Write(path, [new("a", [float.NaN])]));
        Assert.Throws<ArgumentException>(() => EmbeddingsFile.Write(path, [new("a", [1f]), new("a", [2f])]));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void LookupMatchesByTheLastTwoPathComponents()
    {
        var lookup = new EmbeddingLookup([new("/data/lfw/Alice/Alice_0001.jpg", [1f]), new("C:\\x\\Bob\\Bob_0002.jpg", [2f]), new("Carol/Carol_0003.jpg", [3f])], "emb.jsonl");
        var found = lookup.Embed(["Bob/Bob_0002.jpg", "Alice/Alice_0001.jpg", "Carol/Carol_0003.jpg"]);
        Assert.Equal([2f, 1f, 3f], found.Select(e => e[0]));
        Assert.Equal("emb.jsonl: no embedding for image Dan/Dan_0001.jpg (no image path ends in Dan/Dan_0001.jpg)",
            Assert.Throws<MarginFaceException>(() => lookup.Embed(["Dan/Dan_0001.jpg"])).Message);
    }

    [Fact]
    public void TwoRecordsEndingAlikeMakeThatImageAmbiguousOnlyWhenAskedFor()
    {
        var lookup = new EmbeddingLookup([new("a/Alice/Alice_0001.jpg", [1f]), new("b/Alice/Alice_0001.jpg", [2f]), new("Bob/Bob_0001.jpg", [3f])], "emb.jsonl");
        Assert.Equal(3f, lookup.Embed(["Bob/Bob_0001.jpg"])[0][0]);
        Assert.Equal("emb.jsonl: image Alice/Alice_0001.jpg is ambiguous: a/Alice/Alice_0001.jpg and b/Alice/Alice_0001.jpg both end in Alice/Alice_0001.jpg",
            Assert.Throws<MarginFaceException>(() => lookup.Embed(["Alice/Alice_0001.jpg"])).Message);
    }

    [Fact]
    public void AnOverlongLineIsRefusedWithItsNumber()
    {
        var text = "{\"image\":\"a/1.jpg\",\"embedding\":[1,2]}\r\n" + new string(' ', EmbeddingsFile.MaxLineLength + 1) + "\n";
        Assert.Equal($"emb.jsonl:2: line longer than {EmbeddingsFile.MaxLineLength} characters", ErrorOf(text));
    }

    [Fact]
    public void LinesSplitAcrossReadBuffersAndWithoutAFinalNewlineParse()
    {
        var values = string.Join(",", Enumerable.Range(0, 20000).Select(i => (i % 7).ToString()));
        var records = Parse($"{{\"image\":\"a/1.jpg\",\"embedding\":[{values}]}}\r\n{{\"image\":\"a/2.jpg\",\"embedding\":[{values}]}}");
        Assert.Equal(2, records.Count);
        Assert.Equal(20000, records[1].Embedding.Length);
        Assert.Equal(6f, records[1].Embedding[13]);
        Assert.Equal(0f, records[1].Embedding[19999]);
    }
}
