using System.Runtime.InteropServices;

namespace Microsoft.ML.Pruning.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM as a cancellation token. The first signal asks the run to stop at its next safe
/// point — between batches, or before or after its final files are put in place — and the run exits with 130
/// once it has; a second signal ends the process at once, which the output folder's protocol also survives.
/// </summary>
/// <remarks>
/// System.CommandLine's own handling is switched off: after two seconds it returns while the run is still writing,
/// and the process would end in the middle of the final files with its exit code.
/// </remarks>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    public TerminationSignals()
    {
        _registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(s => PosixSignalRegistration.Create(s, OnSignal)).ToArray();
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) == 1)
        {
            context.Cancel = true; // keep running until the run reaches a safe point
            _source.Cancel();
        }
    }
}
