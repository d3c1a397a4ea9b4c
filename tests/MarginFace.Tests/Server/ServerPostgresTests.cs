using System.Net;
using MarginFace.Server;
using static MarginFace.Tests.Server.ServerFixture;

namespace MarginFace.Tests.Server;

/// <summary>
/// <c>marginface serve</c> with its default gallery in PostgreSQL (issue 37: the service takes either backend), in process: a
/// <see cref="ServerFixture"/> of its own (this class is in the PostgreSQL collection, not the server one) over the shared server.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class ServerPostgresTests(PostgresServer postgres)
{
    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task APostgresDefaultGalleryEnrolsAndIdentifiesThroughTheApi()
    {
        var fixture = new ServerFixture();
        await fixture.InitializeAsync();
        try
        {
            var uri = postgres.CreateDatabase();
            var client = await fixture.Start(fixture.Options("pg") with { GalleryPath = uri, GalleriesDirectory = null });
            Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content = null) =>
                client.SendAsync(Request(method, path, fixture.BothKey, content));

            await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/galleries/default/people/Colin", Form([TestImages.LfwPath("Colin_Powell", 1)])), HttpStatusCode.Created);
            await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/galleries/default/people/George", Form([TestImages.LfwPath("George_W_Bush", 1)])), HttpStatusCode.Created);
            var images = await ProblemAssert.IsJson(await Send(HttpMethod.Get, "/v1/galleries/default/people/Colin/images"));
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(TestImages.LfwPath("Colin_Powell", 1)))),
                Assert.Single(images.GetProperty("images").EnumerateArray()).GetString());
            await ProblemAssert.IsProblem(await Send(HttpMethod.Get, "/v1/galleries/default/people/Nobody/images"), MarginFace.Server.Problems.ProblemKind.NotFound);
            var identified = await ProblemAssert.IsJson(await Send(HttpMethod.Post, "/v1/galleries/default/identify?top=1", Photo(TestImages.LfwPath("Colin_Powell", 2))));
            var candidates = Assert.Single(identified.GetProperty("faces").EnumerateArray()).GetProperty("candidates");
            Assert.Equal("Colin", Assert.Single(candidates.EnumerateArray()).GetProperty("name").GetString());

            // What the server wrote is in the database, for every other process that opens it.
            using (var gallery = MarginFace.Galleries.FaceGalleries.Open(uri))
                Assert.Equal(["Colin", "George"], gallery.List().Select(p => p.Name).ToArray());

            var galleries = await ProblemAssert.IsJson(await Send(HttpMethod.Get, "/v1/galleries"));
            Assert.DoesNotContain(PostgresServer.Password, galleries.ToString());
            Assert.Contains("give --keys FILE", Assert.Throws<MarginFaceException>(() => (fixture.Options("x") with { GalleryPath = uri, KeysPath = null }).Validate()).Message);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }
}
