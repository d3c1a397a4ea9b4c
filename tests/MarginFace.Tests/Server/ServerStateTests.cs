using System.Net;
using System.Net.Http.Json;
using MarginFace.Galleries;
using MarginFace.Server.Hosting;
using MarginFace.Server.Problems;
using MarginFace.Server.Security;
using Microsoft.AspNetCore.TestHost;
using static MarginFace.Tests.Server.ServerFixture;

namespace MarginFace.Tests.Server;

/// <summary>Answers that depend on the server's state: no galleries folder, a gallery of another model, a revoked key, models not loaded.</summary>
[Trait("Category", "Integration")]
[Collection(ServerCollection.Name)]
public class ServerStateTests(ServerFixture server)
{
    private static readonly string Colin1 = TestImages.LfwPath("Colin_Powell", 1);

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task WithoutAGalleriesFolderOnlyTheDefaultGalleryExists()
    {
        var client = await server.Start(server.Options("solo") with { GalleriesDirectory = null });
        await ProblemAssert.IsProblem(await client.SendAsync(Request(HttpMethod.Post, "/v1/galleries", server.SpareKeys[6], JsonContent.Create(new { name = "team" }))), ProblemKind.Conflict);
        var list = await ProblemAssert.IsJson(await client.SendAsync(Request(HttpMethod.Get, "/v1/galleries", server.SpareKeys[6])));
        Assert.Equal("default", Assert.Single(list.EnumerateArray()).GetProperty("name").GetString());
        await ProblemAssert.IsProblem(await client.SendAsync(Request(HttpMethod.Get, "/v1/galleries/team/people", server.SpareKeys[6])), ProblemKind.NotFound);
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task AGalleryOfAnotherModelIsAConflict()
    {
        var options = server.Options("main");
        using (var other = FaceGallery.Open(Path.Combine(options.GalleriesDirectory!, "other-model.db"), create: true))
            other.Enrol("Someone", [new GalleryEntry(new string('a', 64), [1, 2, 3])], "another-model");
        await ProblemAssert.IsProblem(await server.Client.SendAsync(Request(HttpMethod.Post, "/v1/galleries/other-model/people/Colin", server.BothKey, Photo(Colin1))), ProblemKind.ModelMismatch);
        await ProblemAssert.IsProblem(await server.Client.SendAsync(Request(HttpMethod.Post, "/v1/galleries/other-model/identify", server.BothKey, Photo(Colin1))), ProblemKind.ModelMismatch);
    }

    [SharedDataFact("models/yunet/yunet_s_dynamic.onnx")]
    public async Task ARevokedKeyIsRefusedWithoutARestart()
    {
        var key = server.SpareKeys[7];
        await ProblemAssert.IsJson(await server.Client.SendAsync(Request(HttpMethod.Get, "/v1/galleries", key)));
        Assert.True(new ApiKeyStore(server.KeysPath).Revoke(key.Split('_')[1]));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpResponseMessage response;
        while ((response = await server.Client.SendAsync(Request(HttpMethod.Get, "/v1/galleries", key))).StatusCode == HttpStatusCode.OK && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        await ProblemAssert.IsProblem(response, ProblemKind.Unauthorized);
    }

    [SharedDataFact("models/yunet/yunet_s_dynamic.onnx")]
    public async Task ModelsThatDoNotLoadAreNotReady()
    {
        var options = server.Options("broken") with { Model = server.Work.Combine("missing.onnx") };
        var builder = FaceServer.CreateBuilder(options);
        builder.WebHost.UseTestServer();
        await using var app = FaceServer.Build(builder);
        await app.StartAsync();
        var client = app.GetTestClient();
        await ProblemAssert.IsProblem(await client.GetAsync("/readyz"), ProblemKind.NotReady);
        await ProblemAssert.IsProblem(await client.SendAsync(Request(HttpMethod.Post, "/v1/detect", server.BothKey, Photo(Colin1))), ProblemKind.NotReady);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}
