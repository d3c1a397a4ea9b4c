using MarginFace.Server.Security;

namespace MarginFace.Tests.Cli;

/// <summary><c>marginface keys create|list|revoke</c> as a user runs them: the key is printed once and never stored.</summary>
[Trait("Category", "Integration")]
public class CliKeysTests
{
    [Fact]
    public void CreateListRevoke()
    {
        using var dir = new TempDirectory();
        var gallery = dir.Combine("people.db");
        var created = CliProcess.Run(["keys", "create", "my app", "--gallery", gallery, "--scope", "recognise"]);
        Assert.True(created.ExitCode == 0, created.Stderr);
        var key = created.Stdout.Trim();
        Assert.StartsWith("mf_", key);
        var keysFile = File.ReadAllText(gallery + ".keys.json");
        Assert.DoesNotContain(key, keysFile);
        var record = Assert.Single(new ApiKeyStore(gallery + ".keys.json").List());
        Assert.Equal(ApiKeyScope.Recognise, record.Scopes);

        var listed = CliProcess.Run(["keys", "list", "--gallery", gallery]);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(record.Id, listed.Stdout);
        Assert.Contains("my app", listed.Stdout);
        Assert.DoesNotContain(key, listed.Stdout);

        Assert.Equal(0, CliProcess.Run(["keys", "revoke", record.Id, "--gallery", gallery]).ExitCode);
        var again = CliProcess.Run(["keys", "revoke", record.Id, "--gallery", gallery]);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"error: no key with id '{record.Id}'", again.Stderr.Trim());
        var badScope = CliProcess.Run(["keys", "create", "x", "--gallery", gallery, "--scope", "admin"]);
        Assert.Equal(1, badScope.ExitCode);
        Assert.Contains("--scope admin: not a scope", badScope.Stderr);
    }

    [Fact]
    public void ServeRefusesPortAndUrlsTogetherInOneLine()
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run(["serve", "--gallery", dir.Combine("g.db"), "--port", "1", "--urls", "http://127.0.0.1:2"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: give --port or --urls, not both", run.Stderr.Trim());
    }

    [Fact]
    public void APostgresGalleryNeedsKeysAndAnUnreachableOneStopsServeInOneLineWithoutThePassword()
    {
        using var dir = new TempDirectory();
        const string uri = "postgres://u:pw-not-printed@127.0.0.1:1/db";
        foreach (var args in new[] { new[] { "serve", "--gallery", uri, "--port", "0" }, ["keys", "list", "--gallery", uri] })
        {
            var run = CliProcess.Run(args);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal("error: a PostgreSQL --gallery has no folder for its API keys: give --keys FILE", run.Stderr.Trim());
        }
        var down = CliProcess.Run(["serve", "--gallery", uri, "--keys", dir.Combine("k.json"), "--port", "0"]);
        Assert.Equal(1, down.ExitCode);
        Assert.StartsWith("error: postgres://u@127.0.0.1:1/db: cannot reach the PostgreSQL server", down.Stderr.Trim());
        Assert.DoesNotContain("pw-not-printed", down.Stderr + down.Stdout);
    }
}
