using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using MarginFace.Galleries;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliGalleryTests
{
    private const string Model = "test-model";

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Sha(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    /// <summary>JSON lines of <paramref name="people"/> × <paramref name="perPerson"/> random embeddings, people named p0000, p0001, ….</summary>
    private static void WriteImport(string path, int people, int perPerson, int dimension, int seed = 1)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path);
        for (int p = 0; p < people; p++)
            for (int k = 0; k < perPerson; k++)
            {
                var line = new StringBuilder($"{{\"name\":\"p{p:D4}\",\"sha256\":\"{Sha(p * perPerson + k)}\",\"embedding\":[");
                for (int d = 0; d < dimension; d++)
                    line.Append(d == 0 ? "" : ",").Append((random.NextDouble() * 2 - 1).ToString("F3", CultureInfo.InvariantCulture));
                writer.WriteLine(line.Append("]}"));
            }
    }

    [Fact]
    public void ImportListRenameAndRemoveWorkFromTheCommandLine()
    {
        using var dir = new TempDirectory();
        var db = dir.Combine("g.db");
        var import = dir.Combine("e.jsonl");
        WriteImport(import, people: 3, perPerson: 2, dimension: 4);
        var (exitCode, stdout, stderr) = CliProcess.Run(["gallery", "import", import, "--gallery", db, "--model-id", Model]);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(["enrolled p0000: 2 added, 0 already there", "enrolled p0001: 2 added, 0 already there", "enrolled p0002: 2 added, 0 already there"], Lines(stdout));
        (exitCode, stdout, _) = CliProcess.Run(["gallery", "import", import, "--gallery", db, "--model-id", Model, "--json"]);
        Assert.Equal(0, exitCode);
        Assert.Equal("{\"name\":\"p0000\",\"added\":0,\"duplicates\":2}", Lines(stdout)[0]);

        Assert.Equal(0, CliProcess.Run(["gallery", "rename", "p0001", "Ada", "--gallery", db]).ExitCode);
        Assert.Equal(0, CliProcess.Run(["gallery", "remove", "p0002", "--gallery", db]).ExitCode);
        (exitCode, stdout, _) = CliProcess.Run(["gallery", "list", "--gallery", db, "--json"]);
        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal([("Ada", 2), ("p0000", 2)],
            json.RootElement.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("embeddings").GetInt32())).ToArray());
    }

    [Fact]
    public void BadGalleryFilesAndNamesAreOneLineErrorsNamingTheFile()
    {
        using var dir = new TempDirectory();
        var text = dir.Combine("text.db");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("hello, this is not SQLite\n", 100)));
        var (exitCode, _, stderr) = CliProcess.Run(["gallery", "list", "--gallery", text]);
        Assert.Equal(1, exitCode);
        Assert.StartsWith($"error: {text}: not a SQLite gallery", Assert.Single(Lines(stderr)));

        var missing = dir.Combine("missing.db");
        (exitCode, _, stderr) = CliProcess.Run(["gallery", "list", "--gallery", missing]);
        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {missing}: gallery file not found", Assert.Single(Lines(stderr)));

        var db = dir.Combine("g.db");
        var import = dir.Combine("e.jsonl");
        WriteImport(import, people: 1, perPerson: 1, dimension: 4);
        Assert.Equal(0, CliProcess.Run(["gallery", "import", import, "--gallery", db, "--model-id", Model]).ExitCode);
        (exitCode, _, stderr) = CliProcess.Run(["gallery", "rename", "p0000", "   ", "--gallery", db]);
        Assert.Equal(1, exitCode);
        Assert.Equal("error: name is empty or only whitespace", Assert.Single(Lines(stderr)));
        (exitCode, _, stderr) = CliProcess.Run(["gallery", "import", import, "--gallery", db, "--model-id", "other-model"]);
        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {db}: gallery holds embeddings of model '{Model}', not 'other-model'", Assert.Single(Lines(stderr)));
    }

    [Fact]
    public void KillingTheImportingProcessLeavesTheGalleryAsItWasBecauseTheImportIsOneTransaction()
    {
        const int people = 60, perPerson = 150, dimension = 256;
        using var dir = new TempDirectory();
        var db = dir.Combine("g.db");
        var import = dir.Combine("e.jsonl");
        WriteImport(import, people, perPerson, dimension);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "MarginFace.Cli.dll"), "gallery", "import", import, "--gallery", db, "--model-id", Model })
            start.ArgumentList.Add(arg);
        start.Environment["MARGINFACE_NO_HUGEPAGES"] = "1"; // no re-exec: the process killed is the one writing
        start.ArgumentList.Add("--progress");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        // Kill right after the fourth enrolment announces itself on stderr, i.e. while the one transaction of the import runs.
        while (process.StandardError.ReadLine() is { } line)
            if (line.StartsWith("enrolling p0003 ", StringComparison.Ordinal)) break;
        process.Kill(); // SIGKILL on Unix
        process.WaitForExit();
        // "enrolled" lines are printed (and flushed) after the commit.
        var committed = Lines(stdout.Result).Length;

        using (var check = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            check.Open();
            using var command = check.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", command.ExecuteScalar());
        }
        using var gallery = FaceGallery.Open(db);
        var listed = gallery.List();
        // All or nothing: on a loaded machine the kill may land after the commit, never inside a partial import.
        Assert.True(listed.Count is 0 or people, $"{listed.Count} of {people} people after the kill");
        if (committed > 0) Assert.Equal(people, listed.Count);
        using var sqlite = new SqliteConnection($"Data Source={db};Pooling=False");
        sqlite.Open();
        using var count = sqlite.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM embeddings";
        Assert.Equal((long)listed.Count * perPerson, (long)count.ExecuteScalar()!);
    }

    [Theory]
    [InlineData("{\"name\":\"b\",\"embedding\":[1,2],\"sha256\":null}", "\"sha256\" must be a string, got null")]
    [InlineData("{\"name\":\"b\",\"embedding\":[1,2],\"image\":null}", "\"image\" must be a string, got null")]
    [InlineData("{\"name\":\"b\",\"embedding\":[1,2],\"image\":\"\"}", "\"image\" is empty")]
    [InlineData("{\"name\":null,\"embedding\":[1,2],\"sha256\":\"ab\"}", "\"name\" must be a string, got null")]
    [InlineData("{\"name\":\"b\",\"embedding\":null,\"sha256\":\"ab\"}", "\"embedding\" must be an array of numbers, got null")]
    [InlineData("{\"name\":\"b\",\"embedding\":[1,\"x\"],\"sha256\":\"ab\"}", "\"embedding\" value 1 is not a finite number")]
    [InlineData("{\"name\":\"b\",\"embedding\":[1,1e39],\"sha256\":\"ab\"}", "\"embedding\" value 1 is not a finite number")]
    [InlineData("{\"name\":\"b\",\"embedding\":[1,2,3],\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "the embedding has 3 values, line 1's has 2")]
    [InlineData("[1,2]", "expected a JSON object, got an array")]
    public void ABadLineAnywhereIsOneLineNamingFileAndLineAndNothingIsImported(string bad, string message)
    {
        using var dir = new TempDirectory();
        var db = dir.Combine("g.db");
        var import = dir.Combine("e.jsonl");
        File.WriteAllLines(import, [$"{{\"name\":\"a\",\"embedding\":[1,2],\"sha256\":\"{Sha(1)}\"}}", bad]);
        var (exitCode, stdout, stderr) = CliProcess.Run(["gallery", "import", import, "--gallery", db, "--model-id", Model]);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith($"error: {import}: line 2: ", line);
        Assert.Contains(message, line);
        Assert.Equal("", stdout);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void AnImportThatFailsInTheGalleryLeavesItAsItWas()
    {
        using var dir = new TempDirectory();
        var db = dir.Combine("g.db");
        var first = dir.Combine("first.jsonl");
        File.WriteAllLines(first, [$"{{\"name\":\"a\",\"embedding\":[1,2],\"sha256\":\"{Sha(1)}\"}}"]);
        Assert.Equal(0, CliProcess.Run(["gallery", "import", first, "--gallery", db, "--model-id", Model]).ExitCode);
        // Valid lines, but the second person's embeddings are of another dimension than the gallery's.
        var second = dir.Combine("second.jsonl");
        File.WriteAllLines(second, [$"{{\"name\":\"b\",\"embedding\":[1,2],\"sha256\":\"{Sha(2)}\"}}", $"{{\"name\":\"c\",\"embedding\":[1,2],\"sha256\":\"{Sha(3)}\"}}"]);
        var (exitCode, _, stderr) = CliProcess.Run(["gallery", "import", second, "--gallery", db, "--model-id", "other-model"]);
        Assert.Equal(1, exitCode);
        Assert.Contains("other-model", Assert.Single(Lines(stderr)));
        using var gallery = FaceGallery.Open(db);
        Assert.Equal([new GalleryPerson("a", 1)], gallery.List());
    }
}
