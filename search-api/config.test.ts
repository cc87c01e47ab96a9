import { describe, expect, it } from 'vitest';
import { command } from './cli.ts';
import { loadSearchApiConfig, SEARCH_API_DEFAULTS } from './config.ts';

describe('loadSearchApiConfig', () => {
  it('applies the defaults', () => {
    const config = loadSearchApiConfig([], {});
    expect(config).toMatchObject({
      host: SEARCH_API_DEFAULTS.host,
      port: 8080,
      namespaces: [],
      cdnBaseUrl: undefined,
      corsOrigins: [],
      rateLimitPerMinute: 1200,
      logLevel: 'info',
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      SHAZAM_SEARCH_PORT: '9000',
      SHAZAM_SEARCH_NAMESPACES: 'shop, outlet',
      SHAZAM_CDN_BASE_URL: 'https://cdn.example.com/',
      SHAZAM_CORS_ORIGINS: 'https://shop.example.com',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000',
    };
    const config = loadSearchApiConfig(['--port', '9100', '--rate-limit', '0'], env);
    expect(config.port).toBe(9100);
    expect(config.rateLimitPerMinute).toBe(0);
    expect(config.namespaces).toEqual(['shop', 'outlet']);
    expect(config.cdnBaseUrl).toBe('https://cdn.example.com');
    expect(config.corsOrigins).toEqual(['https://shop.example.com']);
    expect(config.s3.endpoint).toBe('http://127.0.0.1:9000');
  });

  it.each([
    // not a number
    [
      ['--port', 'eighty'],
      /--port \(SHAZAM_SEARCH_PORT\) is "eighty"; expected a whole number from 0 to 65535/,
    ],
    // out of bounds
    [['--presign-ttl', '5'], /--presign-ttl .* from 60 to 604800/],
    // relative URL
    [['--cdn-base-url', 'cdn.example.com'], /expected an absolute http\(s\) URL/],
    // an origin carries no path
    [['--cors-origins', 'https://shop.example.com/page'], /expected origins like https:\/\/shop.example.com/],
    // namespaces are DNS labels
    [['--namespaces', 'Shop_1'], /"Shop_1", which is not a namespace name/],
    [['--log-level', 'loud'], /expected one of fatal, error/],
    // typos in flag names are errors, not ignored
    [['--prot', '80'], /Unknown option '--prot'/],
  ])('refuses %j with a message naming the fix', (argv, message) => {
    expect(() => loadSearchApiConfig(argv, {})).toThrow(message);
  });
});

describe('shazam search-api', () => {
  it('turns a bad flag into a usage error and lists every option in its usage', async () => {
    await expect(
      command.run(['--port', 'x'], { stdout: () => {}, stderr: () => {}, env: {}, cwd: '/' }),
    ).rejects.toThrow(/--port/);
    expect(command.usage).toContain('--cdn-base-url');
    expect(command.usage).toContain('SHAZAM_SEARCH_NAMESPACES');
  });
});
