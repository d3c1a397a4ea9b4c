using System.Globalization;
using System.Text;

namespace MarginFace.Tests.Cli;

/// <summary>
/// The gallery commands on both backends as a user runs them: <c>--gallery</c> takes a SQLite file or a <c>postgres://</c> URI,
/// <c>gallery import --from</c> copies between them (resumable), <c>gallery export</c> writes what <c>gallery import</c> reads,
/// a bad server is one line naming it without the password, and the tool itself loads USearch's native library (<c>bench gallery</c>).
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class CliGalleryBackendTests(PostgresServer server)
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void ImportFromCopiesSqliteToPostgresResumesAndExportsTheSameLines()
    {
        using var dir = new TempDirectory();
        var db = dir.Combine("g.db");
        var jsonl = dir.Combine("in.jsonl");
        var random = new Random(1);
        var text = new StringBuilder();
        for (int i = 0; i < 6; i++)
        {
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
            var values = string.Join(",", Enumerable.Range(0, 4).Select(_ => (random.NextDouble() - 0.5).ToString("F3", CultureInfo.InvariantCulture)));
            text.Append($"{{\"name\":\"p{i / 2}\",\"sha256\":\"{sha}\",\"embedding\":[{values}]}}\n");
        }
        File.WriteAllText(jsonl, text.ToString());
        Assert.Equal(0, CliProcess.Run(["gallery", "import", jsonl, "--gallery", db, "--model-id", "m1"]).ExitCode);

        var pg = server.CreateDatabase();
        var (exitCode, stdout, stderr) = CliProcess.Run(["gallery", "import", "--from", db, "--gallery", pg, "--batch", "2"]);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal($"copied 6 embeddings of 3 people from {db}: 6 added, 0 already there; count check passed", Lines(stdout).Single());
        (exitCode, stdout, _) = CliProcess.Run(["gallery", "import", "--from", db, "--gallery", pg, "--json"]);
        Assert.Equal(0, exitCode);
        Assert.Equal("{\"embeddings\":6,\"people\":3,\"added\":0,\"duplicates\":6}", Lines(stdout).Single());

        (exitCode, stdout, _) = CliProcess.Run(["gallery", "list", "--gallery", pg]);
        Assert.Equal(0, exitCode);
        Assert.Equal(["p0\t2", "p1\t2", "p2\t2"], Lines(stdout));
        Assert.Equal(0, CliProcess.Run(["gallery", "export", dir.Combine("from-sqlite.jsonl"), "--gallery", db]).ExitCode);
        Assert.Equal(0, CliProcess.Run(["gallery", "export", dir.Combine("from-pg.jsonl"), "--gallery", pg]).ExitCode);
        Assert.Equal(File.ReadAllText(dir.Combine("from-sqlite.jsonl")), File.ReadAllText(dir.Combine("from-pg.jsonl")));
        Assert.Equal(6, Lines(File.ReadAllText(dir.Combine("from-pg.jsonl"))).Length);
    }

    [Fact]
    public void AConnectionFileStandsForItsPostgresSpecAndOtherTextIsNotAGallery()
    {
        using var dir = new TempDirectory();
        var pg = server.CreateDatabase();
        var file = dir.Combine("shared.gallery");
        File.WriteAllText(file, $"# the team's gallery\n\n  {pg}  \n");
        var jsonl = dir.Combine("in.jsonl");
        File.WriteAllText(jsonl, $"{{\"name\":\"Ada\",\"sha256\":\"{new string('a', 64)}\",\"embedding\":[0.6,0.8]}}\n");
        var (exitCode, _, stderr) = CliProcess.Run(["gallery", "import", jsonl, "--gallery", file, "--model-id", "m1"]);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(["Ada\t1"], Lines(CliProcess.Run(["gallery", "list", "--gallery", pg]).Stdout));
        Assert.Equal(["Ada\t1"], Lines(CliProcess.Run(["gallery", "list", "--gallery", file]).Stdout));
        Assert.DoesNotContain(PostgresServer.Password, stderr);

        var other = dir.Combine("notes.txt");
        File.WriteAllText(other, "not a connection\n");
        var run = CliProcess.Run(["gallery", "list", "--gallery", other]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: {other}: not a SQLite gallery file (or a corrupt one)", Lines(run.Stderr).Single());
        Assert.Equal("not a connection\n", File.ReadAllText(other));
    }

    [Fact]
    public void AnUnreachableServerIsExitOneAndOneLineWithoutThePassword()
    {
        var uri = $"postgres://someone:{PostgresServer.Password}@127.0.0.1:1/nowhere";
        var (exitCode, stdout, stderr) = CliProcess.Run(["gallery", "list", "--gallery", uri]);
        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        var line = Assert.Single(Lines(stderr));
        Assert.Contains("postgres://someone@127.0.0.1:1/nowhere: cannot reach the PostgreSQL server", line);
        Assert.DoesNotContain(PostgresServer.Password, stderr);
    }

    [Fact]
    public void BenchGalleryLoadsUSearchInTheToolAndMeasuresRecall()
    {
        var (exitCode, stdout, stderr) = CliProcess.Run(["bench", "gallery", "--size", "400", "--dim", "16", "--queries", "40", "--recall-queries", "40", "--ef", "32", "--threads", "1"]);
        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"hnsw ef 32: 40 queries on 1 thread: p50 [0-9.]+ ms, p99 [0-9.]+ ms; recall@1 (0\.9[0-9]+|1\.000)", stdout);
    }
}
