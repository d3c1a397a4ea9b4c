using System.CommandLine;
using MarginFace.Cli.Commands;
using MarginFace.Runtime;

namespace MarginFace.Cli;

/// <summary>
/// Runs a root command the way every MarginFace program does (<c>marginface</c> and the experiments program): a usage mistake
/// is one line naming the command (the help is one <c>--help</c> away), a <see cref="MarginFaceException"/> or an I/O error
/// is one line with exit code 1, and anything else goes to <see cref="InternalError"/>. The global <c>--models DIR</c> names the
/// models folder of air-gapped use (<see cref="ModelsFolder"/>) for every command.
/// </summary>
internal static class CommandLineHost
{
    /// <summary>The global option naming the models folder (<see cref="ModelsFolder"/>).</summary>
    public const string ModelsOption = "--models";

    /// <summary>Adds the global <c>--verbose</c> and <c>--models</c> options to <paramref name="root"/>, parses <paramref name="args"/> and runs the command; <paramref name="name"/> is the program's name in error lines.</summary>
    public static int Run(RootCommand root, string name, string[] args)
    {
        root.Options.Add(new Option<bool>(InternalError.VerboseOption)
        {
            Description = $"on an internal error, print the full trace as well as the one-line message (or set {InternalError.VerboseVariable}=1)",
            Recursive = true,
        });
        var models = new Option<string?>(ModelsOption)
        {
            Description = $"a folder of model files copied from another machine (face-api's model/ files, or a copy of the cache; yunet/...): used instead of fetching, SHA-256 checked (default: ${ModelsFolder.EnvironmentVariable})",
            Recursive = true,
        };
        root.Options.Add(models);
        try
        {
            var parse = root.Parse(args);
            var missingCommand = parse.CommandResult.Command.Subcommands.Count > 0 && parse.CommandResult.Command.Action is null;
            if (parse.Errors.Count > 0 && (parse.UnmatchedTokens.Count > 0 || !missingCommand))
            {
                var path = new List<string>();
                for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
                    path.Insert(0, result.Command is RootCommand ? name : result.Command.Name);
                var problem = parse.UnmatchedTokens.Count > 0 ? $"unknown command, option or argument '{parse.UnmatchedTokens[0]}'" : ParseErrors.Describe(parse.Errors[0].Message);
                System.Console.Error.WriteLine($"error: {problem} (see '{string.Join(' ', path)} --help')");
                return ExitCodes.BadInput;
            }
            if (parse.GetValue(models) is { } folder)
            {
                if (!Directory.Exists(folder)) throw new MarginFaceException($"{ModelsOption}: {folder} is not a folder");
                ModelsFolder.Override = Path.GetFullPath(folder);
            }
            InternalError.InjectFaultForTests();
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (MarginFaceException e)
        {
            System.Console.Error.WriteLine($"error: {OptionNames.ForCommandLine(e)}");
            return ExitCodes.BadInput;
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions is [MarginFaceException first, ..])
        {
            // Bad input met inside a parallel loop (a corrupt image decoded on another core) is still bad input: its first
            // cause, one line, exit 1, as if it had been met sequentially.
            System.Console.Error.WriteLine($"error: {OptionNames.ForCommandLine(first)}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            System.Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            // Anything else is a bug, not a user mistake: one line and its own exit code; the trace with --verbose.
            return InternalError.Report(e);
        }
    }
}
