using MarginFace.Server.Security;

namespace MarginFace.Tests.Server.Security;

/// <summary>The keys file holds hashes only; a key is found by its hash, and a revoked one is not.</summary>
public class ApiKeyStoreTests
{
    [Fact]
    public void KeysAreStoredAsHashesFoundByKeyAndRevokedById()
    {
        using var dir = new TempDirectory();
        var store = new ApiKeyStore(dir.Combine("keys.json"));
        var (record, key) = store.Create("app", ApiKeyScope.Recognise);
        Assert.StartsWith($"mf_{record.Id}_", key);
        var file = File.ReadAllText(store.Path);
        Assert.DoesNotContain(key, file);
        Assert.DoesNotContain(key[(4 + record.Id.Length)..], file);
        Assert.Contains(ApiKeyStore.Hash(key), file);
        Assert.Equal(record, new ApiKeyStore(store.Path).Find(key));
        Assert.Null(new ApiKeyStore(store.Path).Find(key + "x"));
        Assert.True(store.Revoke(record.Id));
        Assert.False(store.Revoke(record.Id));
        Assert.Null(new ApiKeyStore(store.Path).Find(key));
        Assert.Contains("at least one scope", Assert.Throws<MarginFaceException>(() => store.Create("x", ApiKeyScope.None)).Message);
    }

    [Fact]
    public void ADamagedKeysFileIsAOneLineErrorNamingIt()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("keys.json");
        File.WriteAllText(path, "{ not json");
        var message = Assert.Throws<MarginFaceException>(() => new ApiKeyStore(path).List()).Message;
        Assert.StartsWith($"{path}: not a keys file", message);
        Assert.DoesNotContain('\n', message);
    }
}
