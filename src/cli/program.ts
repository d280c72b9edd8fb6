// The commander program and the in-process entry point that turns argv into an exit status.
import { Command, CommanderError, Option } from 'commander';
import type { CliDeps } from './context.js';
import { DEFAULT_LISTEN_HOST, DEFAULT_PORT } from './endpoint.js';
import { ExitCode, describeFailure } from './exit-codes.js';
import type { ExitCodeValue } from './exit-codes.js';
import { RATE_HELP, addCommonOptions, addListenerOptions, argParser, stallTimeoutOption } from './options.js';
import { parseIntInRange } from './format.js';
import { runPipe } from './commands/pipe.js';
import type { PipeOpts } from './commands/pipe.js';
import { runRecv } from './commands/recv.js';
import type { RecvOpts } from './commands/recv.js';
import { DEFAULT_STREAMS, runSend } from './commands/send.js';
import type { SendOpts } from './commands/send.js';
import { VERSION } from './version.js';

const EXIT_HELP = `
Exit status: 0 ok, 1 some items failed, 2 usage error, 3 unreachable, 4 wrong code,
5 local file error, 6 peer gone or cancelled, 7 cannot listen, 8 too many failed attempts,
70 internal error, 130 interrupted.
The code can also be given in the XFER_CODE environment variable. A generated code is a number
and words, e.g. 7-amber-falcon-river; type it in any case, with dashes or spaces.`;

const streamCount = argParser((t) => parseIntInRange(t, 1, 64));

/** Builds the program; actions run against `deps`. Commander never exits the process itself. */
export function buildProgram(deps: CliDeps): Command {
  const program = new Command('xfer')
    .description('Fast, encrypted file and pipe transfer over UDP, protected by a one-time code.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void deps.stdout.write(s),
      writeErr: (s) => void deps.stderr.write(s),
      // runCli prints commander's errors itself, as the single `xfer:` line.
      outputError: () => {},
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', `${EXIT_HELP}\n${RATE_HELP}`);

  addCommonOptions(
    program
      .command('recv')
      .description('receive files into a directory; prints the code and the command for the sender')
      .option('--listen <[host:]port>', `address to listen on; :0 picks a free port`, `${DEFAULT_LISTEN_HOST}:${DEFAULT_PORT}`)
      .option('--out <dir>', 'directory to write into (created if missing)', '.')
      .option('--force', 'replace files that already exist and differ')
      .option('--fsync', 'flush each file to disk before renaming it into place (durable, slower)')
      .option('--keep-open', 'keep listening for further senders after a transfer')
      .addOption(stallTimeoutOption()),
  );
  addListenerOptions(program.commands.at(-1)!).action((opts: RecvOpts) => runRecv(deps, opts));

  addCommonOptions(
    program
      .command('send')
      .description('send files and directories (recursively) to a listening receiver')
      .usage('[options] FILE... HOST[:PORT]')
      .argument('<paths...>', `files and directories to send, then the receiver address HOST[:PORT] (default port ${DEFAULT_PORT})`)
      .addOption(new Option('--streams <n>', `streams in flight at once; small files share one (1-64, default ${DEFAULT_STREAMS})`).argParser(streamCount))
      .addOption(new Option('--concurrency <n>', 'the old name of --streams').argParser(streamCount).hideHelp())
      .option('--symlinks', 'send symbolic links inside directories as links (default: skip them with a warning)')
      .option('--no-resume', 'send every file from its start, even where the receiver holds part of it')
      .addOption(stallTimeoutOption()),
  ).action((paths: string[], opts: SendOpts) => runSend(deps, paths, opts));

  addCommonOptions(
    program
      .command('pipe')
      .description('send stdin to HOST[:PORT], or with --listen write what arrives to stdout')
      .usage('[options] HOST[:PORT]  |  pipe --listen [HOST:]PORT [options]')
      .argument('[destination]', `receiver address HOST[:PORT] (default port ${DEFAULT_PORT})`)
      .option('--listen <[host:]port>', 'listen here and write the received data to stdout; :0 picks a free port'),
  );
  addListenerOptions(program.commands.at(-1)!).action((destination: string | undefined, opts: PipeOpts) => runPipe(deps, destination, opts));

  return program;
}

/** Strips commander's "error: " prefix so the message fits `xfer: <message>`. */
function commanderMessage(err: CommanderError): string {
  return err.message.replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ').trim();
}

/** Parses argv (without node and script), runs the command, prints at most one error line. */
export async function runCli(argv: string[], deps: CliDeps): Promise<ExitCodeValue> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (!deps.signal.aborted) return ExitCode.OK;
    deps.stderr.write('xfer: interrupted\n');
    return ExitCode.INTERRUPTED;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return ExitCode.OK; // --help, --version
      // Bare `xfer` prints help on stderr; the help is the message.
      if (err.code !== 'commander.help') deps.stderr.write(`xfer: ${commanderMessage(err)}\n`);
      return ExitCode.USAGE;
    }
    if (deps.signal.aborted) {
      deps.stderr.write('xfer: interrupted\n');
      return ExitCode.INTERRUPTED;
    }
    const { code, message } = describeFailure(err);
    deps.stderr.write(`xfer: ${message}\n`);
    return code;
  }
}
