/**
 * Entry point: `npm run relay` starts the relay; `npm run relay -- <command>` runs a CLI command
 * against the same data folder (see cli/commands.ts).
 */
import { CliError, runCommand } from './cli/commands';
import { ConfigError, parseCommandLine } from './config';
import { createLogger } from './log';
import { startRelay } from './relay';

async function main(): Promise<void> {
  const { config, positionals, extra } = parseCommandLine(process.argv.slice(2));
  if (positionals.length > 0 && positionals[0] !== 'serve') {
    runCommand(positionals, config, extra, (line) => console.log(line));
    return;
  }
  const log = createLogger(config.logLevel);
  const relay = await startRelay(config, log);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'relay shutting down');
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof CliError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
