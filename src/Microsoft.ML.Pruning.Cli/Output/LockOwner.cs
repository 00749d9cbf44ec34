using System.Text.Json;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>What an output folder's lock file says about the run that holds it.</summary>
/// <param name="Pid">The owner's process id.</param>
/// <param name="ProcessStartUtc">When the owner's process started: tells the owner from a later process that got its id.</param>
/// <param name="Host">The machine the owner runs on: a process id says nothing about another machine's processes.</param>
/// <param name="Token">Unique per lock: tells this lock from a later one of the same process.</param>
/// <param name="Command">The owner's command, for the message that refuses a second run.</param>
/// <param name="SinceUtc">When the lock was taken.</param>
internal sealed record LockOwner(int Pid, DateTime ProcessStartUtc, string Host, string Token, string Command, DateTime SinceUtc)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>The current process, as a new owner.</summary>
    public static LockOwner Current(string command) =>
        new(Environment.ProcessId, LiveProcess.CurrentStartUtc, Environment.MachineName, Guid.NewGuid().ToString("N"), command, DateTime.UtcNow);

    /// <summary>True when the owner may still be running: a live process of this machine, or any owner on another machine.</summary>
    public bool MayBeAlive => !string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) || LiveProcess.IsAlive(Pid, ProcessStartUtc);

    /// <summary>The lock file's text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a lock file's text; null when it is not a lock written by this tool.</summary>
    public static LockOwner? Parse(string text)
    {
        try
        {
            var owner = JsonSerializer.Deserialize<LockOwner>(text, Json);
            return owner is { Pid: > 0, Token.Length: > 0, Host: not null } ? owner : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>"PID 1234 (prune, since 12:03:04 UTC)", or with the host when it is another machine.</summary>
    public string Describe()
    {
        string host = string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) ? "" : $" on host {Host}";
        return $"PID {Pid}{host} ({Command}, since {SinceUtc:yyyy-MM-dd HH:mm:ss} UTC)";
    }
}
