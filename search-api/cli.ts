/** `shazam search-api`: runs the storefront's search service until SIGTERM. */
import type { CliCommand } from '../lib/cli/command.ts';
import { UsageError } from '../lib/cli/command.ts';
import { loadSearchApiConfig, SEARCH_API_FLAGS } from './config.ts';
import { SearchApiError } from './errors.ts';
import { startSearchApi } from './server.ts';

const usage = [
  'usage: shazam search-api [options]',
  '',
  'Serves published assets to the storefront: ASIN lookup, text and photo search, watching AssetSubmissions.',
  'Every option can also be set by the environment variable shown; S3 comes from AWS_* variables.',
  '',
  ...Object.entries(SEARCH_API_FLAGS).map(
    ([name, flag]) => `  --${name.padEnd(18)} ${flag.help} [${flag.env}]`,
  ),
].join('\n');

/** The `search-api` subcommand. */
export const command: CliCommand = {
  summary: 'run the storefront search API (ASIN, text and photo search)',
  usage,
  async run(argv, io) {
    let config: ReturnType<typeof loadSearchApiConfig>;
    try {
      config = loadSearchApiConfig(argv, io.env);
    } catch (error) {
      if (error instanceof SearchApiError) throw new UsageError(error.message);
      throw error;
    }
    const api = await startSearchApi(config, { env: io.env, handleSignals: true });
    io.stderr(`search API listening on ${api.url}\n`);
    await new Promise<void>((resolve) => api.app.server.once('close', () => resolve()));
    return 0;
  },
};
