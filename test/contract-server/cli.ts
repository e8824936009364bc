/**
 * Runs the contract server on its own, for the e2e tests and the demo:
 *   node out/test/contract-server/cli.js [--port N] [--scenario NAME] [--eta SECONDS]
 * Prints `CONTRACT_SERVER_URL=http://127.0.0.1:PORT` once listening; stops on SIGTERM/SIGINT.
 */
import { SCENARIO_NAMES, isScenarioName, startContractServer, type ContractServerOptions } from './server';

function parseArguments(args: string[]): ContractServerOptions {
  const options: ContractServerOptions = {};
  for (let index = 0; index < args.length; index++) {
    const [flag, inlineValue] = args[index].split('=', 2);
    const value = (): string => {
      const next = inlineValue ?? args[++index];
      if (next === undefined) fail(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be an integer from 0 to 65535');
        options.port = port;
        break;
      }
      case '--scenario': {
        const name = value();
        if (!isScenarioName(name)) fail(`unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(', ')}`);
        options.scenario = name;
        break;
      }
      case '--eta': {
        // The eta of processing answers: a demo of image to 3D may want the wait of a real job.
        const eta = Number(value());
        if (!Number.isFinite(eta) || eta < 0) fail('--eta must be a number of seconds, 0 or more');
        options.etaSeconds = eta;
        break;
      }
      case '--textured-grids':
        options.texturedGrids = true;
        break;
      case '--host':
        options.host = value();
        break;
      case '--help':
        console.log('usage: cli.js [--port N] [--host H] [--scenario NAME] [--eta SECONDS] [--textured-grids]');
        console.log(`scenarios: ${SCENARIO_NAMES.join(', ')}`);
        process.exit(0);
        break;
      default:
        fail(`unknown argument "${args[index]}"`);
    }
  }
  return options;
}

function fail(message: string): never {
  console.error(`contract-server: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const server = await startContractServer(parseArguments(process.argv.slice(2)));
  console.log(`CONTRACT_SERVER_URL=${server.baseUrl}`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`contract-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
