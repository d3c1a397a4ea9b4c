using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MarginFace.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL 15 server for the test run (an xunit collection fixture, so one server serves every test class of
/// <see cref="PostgresCollection"/>): <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a free local port with
/// password (SCRAM) authentication, <c>pg_ctl stop</c> and the folder deleted at the end. PostgreSQL refuses to run as root, so
/// as root the folder is given to the <c>postgres</c> system user (Debian's package makes it; else <c>nobody</c>) and every
/// command runs through <c>runuser</c>. The binaries are found in <c>MARGINFACE_PG_BIN</c>, Debian's
/// <c>/usr/lib/postgresql/15/bin</c>, or the PATH; when they are missing or the server does not start, the fixture throws and
/// every test using it fails with the reason (CI installs <c>postgresql-15</c> in <c>.ci/run</c>).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>The login every test uses; the password is one no message may contain.</summary>
    public const string User = "marginface";

    /// <summary>The password of <see cref="User"/> (tests check that no error message prints it).</summary>
    public const string Password = "pw-Zq8!never-printed";

    private readonly string folder;
    private readonly string data;
    private readonly string bin;
    private readonly string? runAs;
    private int databases;

    public PostgresServer()
    {
        bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL 15 not found (looked in MARGINFACE_PG_BIN, /usr/lib/postgresql/15/bin and the PATH): install postgresql-15 (apt-get install postgresql-15)");
        folder = Directory.CreateTempSubdirectory("marginface-pg-").FullName;
        data = Path.Combine(folder, "data");
        runAs = Environment.UserName == "root" ? (UserExists("postgres") ? "postgres" : "nobody") : null;
        var pwfile = Path.Combine(folder, "pw");
        File.WriteAllText(pwfile, Password + "\n");
        if (runAs is not null) Run("chown", ["-R", runAs, folder], asServer: false);
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", User, "--pwfile", pwfile, "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"]);
        Port = FreePort();
        Start();
    }

    /// <summary>The local port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The URI of <paramref name="database"/>, with the password.</summary>
    public string Uri(string database) => $"postgres://{User}:{System.Uri.EscapeDataString(Password)}@127.0.0.1:{Port}/{database}";

    /// <summary>A new empty database; its URI.</summary>
    public string CreateDatabase()
    {
        var name = $"t{Interlocked.Increment(ref databases)}_{Guid.NewGuid():N}"[..20];
        using var connection = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username={User};Password={Password};Database=postgres;Pooling=false");
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return Uri(name);
    }

    /// <summary>Starts the server (again, after <see cref="Stop"/>) and waits until it accepts connections.</summary>
    public void Start() => Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "log"), "-w", "-t", "60", "-o",
        $"-p {Port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=32MB", "start"]);

    /// <summary>Stops the server at once (connections are cut, as when a server dies), waiting until it is down.</summary>
    public void Stop() => Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);

    public void Dispose()
    {
        try
        {
            Stop();
        }
        catch (InvalidOperationException)
        {
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Run(string program, string[] args, bool asServer = true)
    {
        var start = new ProcessStartInfo(asServer && runAs is not null ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        if (asServer && runAs is not null)
        {
            foreach (var a in new[] { "-u", runAs, "--", program }) start.ArgumentList.Add(a);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(program)} did not finish in 120 s");
        }
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(folder, "log");
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}"
                + (File.Exists(log) ? $"\nserver log:\n{File.ReadAllText(log)}" : ""));
        }
    }

    private static string? FindBin()
    {
        foreach (var candidate in new[] { Environment.GetEnvironmentVariable("MARGINFACE_PG_BIN"), "/usr/lib/postgresql/15/bin" })
            if (!string.IsNullOrEmpty(candidate) && File.Exists(Path.Combine(candidate, "pg_ctl"))) return candidate;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")));
    }

    private static bool UserExists(string name) => File.ReadLines("/etc/passwd").Any(line => line.StartsWith(name + ":", StringComparison.Ordinal));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
