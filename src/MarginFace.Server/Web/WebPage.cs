using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MarginFace.Server.Web;

/// <summary>
/// The web page: plain HTML, JavaScript and CSS embedded in the assembly (Web/wwwroot), served at <c>/</c> with no build step.
/// The page itself needs no key; it asks for one and sends it with each API call.
/// </summary>
internal static class WebPage
{
    private static readonly (string Path, string Resource, string Type)[] Files =
    [
        ("/", "web/index.html", "text/html; charset=utf-8"),
        ("/app.js", "web/app.js", "text/javascript; charset=utf-8"),
        ("/app.css", "web/app.css", "text/css; charset=utf-8"),
    ];

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (path, resource, type) in Files)
        {
            var bytes = Read(resource);
            app.MapGet(path, () => Results.Bytes(bytes, type)).ExcludeFromDescription();
        }
    }

    private static byte[] Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the web page's {resource} is not embedded in the server assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
