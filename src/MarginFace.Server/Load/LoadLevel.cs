namespace MarginFace.Server.Load;

/// <summary>One level of <see cref="ServeLoadTest"/>: clients, requests answered per second, latency percentiles (ms), failures, and the server's RSS (MiB) before and after.</summary>
public sealed record LoadLevel(int Clients, double Seconds, int Requests, double RequestsPerSecond, double P50Ms, double P99Ms, int Errors, int ServerErrors, double RssStartMiB, double RssEndMiB);
