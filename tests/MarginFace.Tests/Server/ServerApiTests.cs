using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using MarginFace.Pipeline;
using MarginFace.Server.Problems;
using static MarginFace.Tests.Server.ServerFixture;

namespace MarginFace.Tests.Server;

/// <summary>Every endpoint of <c>marginface serve</c> and each of its error answers, in process, on a few LFW photos.</summary>
[Trait("Category", "Integration")]
[Collection(ServerCollection.Name)]
public class ServerApiTests(ServerFixture server)
{
    private static readonly string Colin1 = TestImages.LfwPath("Colin_Powell", 1);
    private static readonly string Colin2 = TestImages.LfwPath("Colin_Powell", 2);
    private static readonly string George1 = TestImages.LfwPath("George_W_Bush", 1);

    private HttpClient Client => server.Client;

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content = null, string? key = null) =>
        Client.SendAsync(Request(method, path, key ?? server.BothKey, content));

    private string Blank()
    {
        var path = server.Work.Combine("blank.png");
        if (!File.Exists(path)) FaceImageFile.SavePng(TestImages.Blank(120, 90), path);
        return path;
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task HealthAndReadinessNeedNoKey()
    {
        Assert.Equal("ok", (await ProblemAssert.IsJson(await Client.GetAsync("/healthz"))).GetProperty("status").GetString());
        Assert.Equal("ready", (await ProblemAssert.IsJson(await Client.GetAsync("/readyz"))).GetProperty("status").GetString());
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task DetectAnswersBoxesScoresAndLandmarksAndRefusesWithoutTheRightKey()
    {
        var json = await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/detect", Photo(Colin1)));
        Assert.Equal(250, json.GetProperty("width").GetInt32());
        var face = Assert.Single(json.GetProperty("faces").EnumerateArray());
        Assert.InRange(face.GetProperty("box").GetProperty("x").GetSingle(), 40, 120);
        Assert.Equal(5, face.GetProperty("landmarks").GetArrayLength());
        Assert.Equal(2, (await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/detect", Form([server.TwoFaces()])))).GetProperty("faces").GetArrayLength());

        await ProblemAssert.IsProblem(await Client.SendAsync(Request(HttpMethod.Post, "/v1/detect", null, Photo(Colin1))), ProblemKind.Unauthorized);
        await ProblemAssert.IsProblem(await Client.SendAsync(Request(HttpMethod.Post, "/v1/detect", "mf_00000000_not-a-key", Photo(Colin1))), ProblemKind.Unauthorized);
        var viaHeader = Request(HttpMethod.Post, "/v1/detect", null, Photo(Colin1));
        viaHeader.Headers.Add("X-Api-Key", server.RecogniseKey);
        await ProblemAssert.IsJson(await Client.SendAsync(viaHeader));
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/detect", Photo(Colin1), server.ManageKey), ProblemKind.Forbidden);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/detect", new StringContent("hello")), ProblemKind.UnsupportedMedia);
        var notImage = new ByteArrayContent("not a photo at all"u8.ToArray());
        notImage.Headers.ContentType = new("image/jpeg");
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/detect", notImage), ProblemKind.BadImage);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/detect", new MultipartFormDataContent { { new StringContent("x"), "field" } }), ProblemKind.BadRequest);
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task EmbedAndVerify()
    {
        var embed = await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/embed", Photo(Colin1)));
        Assert.Equal(MarginFace.Interop.FaceApi.PretrainedFaceModel.ModelId, embed.GetProperty("modelId").GetString());
        Assert.Equal(128, Assert.Single(embed.GetProperty("faces").EnumerateArray()).GetProperty("embedding").GetArrayLength());

        var same = await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/verify", Form([Colin1, Colin2])));
        Assert.True(same.GetProperty("same").GetBoolean(), same.ToString());
        var different = await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/verify", Form([Colin1, George1])));
        Assert.False(different.GetProperty("same").GetBoolean(), different.ToString());
        Assert.True(different.GetProperty("similarity").GetSingle() < same.GetProperty("similarity").GetSingle());

        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/verify", Form([Colin1])), ProblemKind.BadRequest);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/verify", Form([Colin1, Blank()])), ProblemKind.NoFace);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/embed", Photo(Colin1), server.ManageKey), ProblemKind.Forbidden);
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task AnalyzeGivesAgeGenderAndExpressions()
    {
        var json = await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/analyze", Photo(Colin1)));
        var face = Assert.Single(json.GetProperty("faces").EnumerateArray());
        Assert.Equal("male", face.GetProperty("gender").GetString());
        Assert.InRange(face.GetProperty("age").GetSingle(), 30, 90);
        Assert.Equal(FaceAnalysis.ExpressionNames.Count, face.GetProperty("expressions").EnumerateObject().Count());
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task GalleriesAreCreatedListedAndDeletedByNameOnly()
    {
        await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/galleries", JsonContent.Create(new { name = "team-a" })), HttpStatusCode.Created);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/galleries", JsonContent.Create(new { name = "team-a" })), ProblemKind.Conflict);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/galleries", JsonContent.Create(new { name = "../escape" })), ProblemKind.BadRequest);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/galleries", new StringContent("{", System.Text.Encoding.UTF8, "application/json")), ProblemKind.BadRequest);
        var list = await ProblemAssert.IsJson(await Send(HttpMethod.Get, "/v1/galleries"));
        Assert.Contains(list.EnumerateArray(), g => g.GetProperty("name").GetString() == "default");
        Assert.Contains(list.EnumerateArray(), g => g.GetProperty("name").GetString() == "team-a");
        Assert.True(File.Exists(Path.Combine(server.Options("main").GalleriesDirectory!, "team-a.db")));
        await ProblemAssert.IsProblem(await Send(HttpMethod.Get, "/v1/galleries", key: server.RecogniseKey), ProblemKind.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/v1/galleries/team-a")).StatusCode);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Delete, "/v1/galleries/team-a"), ProblemKind.NotFound);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Delete, "/v1/galleries/default"), ProblemKind.Conflict);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Get, "/v1/galleries/nobody-here/people"), ProblemKind.NotFound);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Put, "/v1/galleries"), ProblemKind.MethodNotAllowed);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Get, "/v1/nothing-here"), ProblemKind.NotFound);
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task PeopleAreEnrolledListedRenamedRemovedAndIdentified()
    {
        await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/galleries", JsonContent.Create(new { name = "people" })), HttpStatusCode.Created);
        const string people = "/v1/galleries/people/people";

        var enrolled = await Send(HttpMethod.Post, $"{people}/Colin%20Powell", Form([Colin1]));
        var json = await ProblemAssert.IsJson(enrolled, HttpStatusCode.Created);
        Assert.Equal("/v1/galleries/people/people/Colin%20Powell", enrolled.Headers.Location?.OriginalString);
        Assert.True(json.GetProperty("newPerson").GetBoolean());
        var again = await ProblemAssert.IsJson(await Send(HttpMethod.Post, $"{people}/Colin%20Powell", Photo(Colin1)), HttpStatusCode.Created);
        Assert.Equal(1, again.GetProperty("duplicates").GetInt32());
        await ProblemAssert.IsJson(await Send(HttpMethod.Post, $"{people}/George", Form([George1])), HttpStatusCode.Created);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, $"{people}/Group", Form([server.TwoFaces()])), ProblemKind.SeveralFaces);
        await ProblemAssert.IsJson(await Send(HttpMethod.Post, $"{people}/Group", Form([server.TwoFaces()], ("face", "1"))), HttpStatusCode.Created);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, $"{people}/Group", Form([server.TwoFaces()], ("face", "7"))), ProblemKind.BadRequest);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, $"{people}/Nobody", Form([Blank()])), ProblemKind.NoFace);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, $"{people}/%20", Form([Colin1])), ProblemKind.BadRequest);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, $"{people}/Colin", Form([Colin1]), server.RecogniseKey), ProblemKind.Forbidden);

        var list = await ProblemAssert.IsJson(await Send(HttpMethod.Get, $"{people}"));
        Assert.Equal(["Colin Powell", "George", "Group"], list.EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToArray());
        var images = await ProblemAssert.IsJson(await Send(HttpMethod.Get, $"{people}/Colin%20Powell/images"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Colin1))), Assert.Single(images.GetProperty("images").EnumerateArray()).GetString());
        await ProblemAssert.IsProblem(await Send(HttpMethod.Get, $"{people}/Nobody/images"), ProblemKind.NotFound);

        var identified = await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/galleries/people/identify?top=2", Photo(Colin2), server.RecogniseKey));
        var candidates = Assert.Single(identified.GetProperty("faces").EnumerateArray()).GetProperty("candidates");
        Assert.Equal("Colin Powell", candidates[0].GetProperty("name").GetString());
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/galleries/people/identify?top=0", Photo(Colin2)), ProblemKind.BadRequest);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Post, "/v1/galleries/missing/identify", Photo(Colin2)), ProblemKind.NotFound);

        await ProblemAssert.IsJson(await Send(HttpMethod.Patch, $"{people}/Colin%20Powell", JsonContent.Create(new { name = "Colin" })));
        await ProblemAssert.IsProblem(await Send(HttpMethod.Patch, $"{people}/Colin", JsonContent.Create(new { name = "George" })), ProblemKind.Conflict);
        await ProblemAssert.IsProblem(await Send(HttpMethod.Patch, $"{people}/Nobody", JsonContent.Create(new { name = "X" })), ProblemKind.NotFound);
        var removed = await ProblemAssert.IsJson(await Send(HttpMethod.Delete, $"{people}/Colin"));
        Assert.Equal(1, removed.GetProperty("removed").GetInt32());
        await ProblemAssert.IsProblem(await Send(HttpMethod.Delete, $"{people}/Colin"), ProblemKind.NotFound);
        var after = await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/galleries/people/identify", Photo(Colin2)));
        Assert.DoesNotContain(after.GetProperty("faces")[0].GetProperty("candidates").EnumerateArray(), c => c.GetProperty("name").GetString() == "Colin");
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task MetricsAreInPrometheusTextAndNeedAKey()
    {
        await Send(HttpMethod.Get, "/healthz");
        var response = await Send(HttpMethod.Get, "/metrics", key: server.RecogniseKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE http_request_duration_seconds histogram", text);
        Assert.Contains("endpoint=\"/healthz\"", text);
        await ProblemAssert.IsProblem(await Client.GetAsync("/metrics"), ProblemKind.Unauthorized);
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task TheWebPageIsServedWithoutAKey()
    {
        var page = await Client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("app.js", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/app.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/app.css")).StatusCode);
    }
}
