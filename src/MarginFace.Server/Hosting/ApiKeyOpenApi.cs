using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using MarginFace.Server.Security;

namespace MarginFace.Server.Hosting;

/// <summary>
/// Puts the API key into the OpenAPI document: the security schemes (<c>X-Api-Key</c> header, or a bearer token) and, on every
/// operation that needs a key, the requirement with its scope in the description.
/// </summary>
internal static class ApiKeyOpenApi
{
    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key",
                Description = "a key of 'marginface keys create'",
            };
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "the same key as a bearer token",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredScope>().LastOrDefault() is not { } scope) return Task.CompletedTask;
            operation.Security ??= [];
            foreach (var scheme in new[] { "apiKey", "bearer" })
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
            operation.Description = $"{operation.Description}{(string.IsNullOrEmpty(operation.Description) ? "" : " ")}Needs a key with the scope: {scope.Scope.ToString().ToLowerInvariant().Replace(", ", " or ")}.";
            return Task.CompletedTask;
        });
    }
}
