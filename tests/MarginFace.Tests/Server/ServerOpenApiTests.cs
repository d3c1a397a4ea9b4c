using System.Text.Json;
using MarginFace.Server.Hosting;
using MarginFace.Server.Problems;

namespace MarginFace.Tests.Server;

/// <summary>The OpenAPI document lists every endpoint of the service (method and path) and the schema of each JSON answer; docs/serve.md documents every problem type.</summary>
[Trait("Category", "Integration")]
[Collection(ServerCollection.Name)]
public class ServerOpenApiTests(ServerFixture server)
{
    [SharedDataFact("models/yunet/yunet_s_dynamic.onnx")]
    public async Task EveryEndpointAndResponseSchemaIsInTheDocument()
    {
        var response = await server.Client.GetAsync(FaceServer.OpenApiPath);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var paths = document.GetProperty("paths");
        var expected = new (string Method, string Path)[]
        {
            ("get", "/healthz"), ("get", "/readyz"),
            ("post", "/v1/detect"), ("post", "/v1/embed"), ("post", "/v1/verify"), ("post", "/v1/analyze"),
            ("get", "/v1/galleries"), ("post", "/v1/galleries"), ("delete", "/v1/galleries/{gallery}"),
            ("get", "/v1/galleries/{gallery}/people"), ("post", "/v1/galleries/{gallery}/people/{name}"),
            ("patch", "/v1/galleries/{gallery}/people/{name}"), ("delete", "/v1/galleries/{gallery}/people/{name}"),
            ("get", "/v1/galleries/{gallery}/people/{name}/images"), ("post", "/v1/galleries/{gallery}/identify"),
        };
        foreach (var (method, path) in expected)
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is not in the OpenAPI document");
        var documented = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(m => (m.Name, p.Name))).ToHashSet();
        Assert.Equal(expected.ToHashSet(), documented);

        // The key: a scheme in the components, a requirement on every /v1 operation, none on health.
        Assert.Equal("X-Api-Key", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiKey").GetProperty("name").GetString());
        foreach (var (method, path) in expected)
            Assert.Equal(path.StartsWith("/v1/", StringComparison.Ordinal), paths.GetProperty(path).GetProperty(method).TryGetProperty("security", out _));
        Assert.Contains("manage", paths.GetProperty("/v1/galleries").GetProperty("get").GetProperty("description").GetString());

        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var name in new[] { "DetectResponse", "EmbedResponse", "VerifyResponse", "AnalyzeResponse", "IdentifyResponse", "GalleryJson", "PersonJson", "EnrolResponse", "ImagesResponse", "RemoveResponse", "ProblemDetails" })
            Assert.True(schemas.TryGetProperty(name, out _), $"schema {name} is not in the OpenAPI document");
    }

    [Fact]
    public void EveryProblemTypeHasItsSectionInTheDocs()
    {
        var docs = File.ReadAllText(RepositoryFolder.Combine("docs", "serve.md"));
        foreach (var kind in ProblemKind.All)
        {
            Assert.StartsWith(ProblemKind.TypeBase, kind.Type);
            Assert.Contains($"### problem-{kind.Slug}\n", docs);
        }
    }
}
