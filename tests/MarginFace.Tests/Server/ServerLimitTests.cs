using System.Net;
using MarginFace.Pipeline;
using MarginFace.Server.Problems;
using static MarginFace.Tests.Server.ServerFixture;

namespace MarginFace.Tests.Server;

/// <summary>
/// Each limit of the service answered with its status and problem type: upload bytes (by Content-Length, and by counting a
/// chunked body), megapixels (from the header), faces per photo, requests per second per key (429), and request time.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ServerCollection.Name)]
public class ServerLimitTests(ServerFixture server)
{
    private static readonly string Colin1 = TestImages.LfwPath("Colin_Powell", 1);

    private async Task<HttpClient> Tight() => await server.Start(server.Options("tight") with
    {
        MaxUploadBytes = 60_000,
        MaxMegapixels = 0.2,
        MaxFaces = 1,
        RequestsPerSecond = 3,
    });

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task UploadsPhotosAndFacesOverTheLimitsAreRefused()
    {
        var client = await Tight();
        var keys = server.SpareKeys;
        var big = new ByteArrayContent(new byte[100_000]);
        big.Headers.ContentType = new("image/jpeg");
        await ProblemAssert.IsProblem(await client.SendAsync(Request(HttpMethod.Post, "/v1/detect", keys[0], big)), ProblemKind.UploadTooLarge);

        var chunked = new StreamContent(new MemoryStream(new byte[100_000]));
        chunked.Headers.ContentType = new("image/jpeg");
        var request = Request(HttpMethod.Post, "/v1/detect", keys[0], chunked);
        request.Headers.TransferEncodingChunked = true;
        await ProblemAssert.IsProblem(await client.SendAsync(request), ProblemKind.UploadTooLarge);

        var large = server.Work.Combine("large.png");
        FaceImageFile.SavePng(TestImages.Blank(500, 500), large);
        Assert.True(new FileInfo(large).Length < 60_000, "the 0.25-megapixel photo must pass the upload limit to reach the pixel limit");
        await ProblemAssert.IsProblem(await client.SendAsync(Request(HttpMethod.Post, "/v1/detect", keys[1], Form([large]))), ProblemKind.ImageTooLarge);

        await ProblemAssert.IsProblem(await client.SendAsync(Request(HttpMethod.Post, "/v1/detect", keys[1], Form([server.TwoFaces()]))), ProblemKind.TooManyFaces);
        await ProblemAssert.IsJson(await client.SendAsync(Request(HttpMethod.Post, "/v1/detect", keys[2], Photo(Colin1))));
    }

    [SharedDataFact("models/yunet/yunet_s_dynamic.onnx")]
    public async Task MoreRequestsPerSecondThanAKeyMayMakeAre429WithRetryAfter()
    {
        var client = await Tight();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (int i = 0; i < 8; i++)
        {
            var response = await client.SendAsync(Request(HttpMethod.Get, "/v1/galleries", server.SpareKeys[3]));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused ??= response;
        }
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(refused);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        await ProblemAssert.IsProblem(refused, ProblemKind.RateLimited);
        // Another key has its own bucket.
        await ProblemAssert.IsJson(await client.SendAsync(Request(HttpMethod.Get, "/v1/galleries", server.SpareKeys[4])));
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task ARequestOverItsTimeIsAnsweredWithATimeoutProblem()
    {
        var client = await server.Start(server.Options("slow") with { RequestTimeout = TimeSpan.FromMilliseconds(1) });
        // The body arrives 300 ms late, so the request is still being read when its 1 ms run out, however fast the machine
        // decodes and detects (a plain photo could finish before the timer fired).
        var late = new LatePhotoContent(Colin1, TimeSpan.FromMilliseconds(300));
        await ProblemAssert.IsProblem(await client.SendAsync(Request(HttpMethod.Post, "/v1/detect", server.SpareKeys[5], late)), ProblemKind.Timeout);
    }

    /// <summary>A JPEG body (chunked) whose bytes are sent only after <paramref name="pause"/>.</summary>
    private sealed class LatePhotoContent : HttpContent
    {
        private readonly string path;
        private readonly TimeSpan pause;

        public LatePhotoContent(string path, TimeSpan pause)
        {
            (this.path, this.pause) = (path, pause);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await Task.Delay(pause);
            await stream.WriteAsync(await File.ReadAllBytesAsync(path));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public void OptionsOutOfRangeAreOneLineErrors()
    {
        var options = new MarginFace.Server.ServerOptions { GalleryPath = "x.db" };
        Assert.Contains("faces per image 0", Assert.Throws<MarginFaceException>(() => (options with { MaxFaces = 0 }).Validate()).Message);
        Assert.Contains("requests per second 0", Assert.Throws<MarginFaceException>(() => (options with { RequestsPerSecond = 0 }).Validate()).Message);
        Assert.Contains("megapixel limit 1000", Assert.Throws<MarginFaceException>(() => (options with { MaxMegapixels = 1000 }).Validate()).Message);
    }
}
