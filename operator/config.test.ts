import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOperatorConfig, OperatorConfigError, parseOperatorConfig } from './config.ts';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shazam-config-'));
  const path = join(dir, 'operator.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadOperatorConfig', () => {
  it('fills every default from an empty file', () => {
    const config = loadOperatorConfig({ path: file('') });
    expect(config.s3).toMatchObject({
      region: 'us-east-1',
      assetsBucket: 'shazam-assets',
      incomingBucket: 'shazam-incoming',
    });
    expect(config.jobs.validation).toMatchObject({
      command: ['shazam', 'validate-job'],
      backoffLimit: 2,
      serviceAccountName: 'shazam-validation',
    });
    expect(config.jobs.render.command).toEqual(['shazam', 'render-job']);
    expect(config.gpu).toMatchObject({ resourceName: 'nvidia.com/gpu', count: 1 });
    expect(config.leaderElection).toMatchObject({ enabled: true, leaseDurationSeconds: 15 });
    expect(config.retention.versionsToKeep).toBe(2);
  });

  it('reads the file and lets the environment override it', () => {
    const path = file(
      'namespaces: [studio]\ns3:\n  assetsBucket: from-file\n  forcePathStyle: false\nserver:\n  metricsPort: 9000\n',
    );
    const config = loadOperatorConfig({
      path,
      env: {
        SHAZAM_ASSETS_BUCKET: 'from-env',
        SHAZAM_S3_FORCE_PATH_STYLE: 'true',
        SHAZAM_NAMESPACES: 'a, b',
        POD_NAME: 'op-0',
      },
    });
    expect(config.s3.assetsBucket).toBe('from-env');
    expect(config.s3.forcePathStyle).toBe(true);
    expect(config.namespaces).toEqual(['a', 'b']);
    expect(config.server.metricsPort).toBe(9000);
    expect(config.leaderElection.identity).toBe('op-0');
  });

  it.each([
    // A misspelt field is named with the fix.
    {
      yaml: 's3:\n  asetsBucket: x\n',
      message: /s3 must NOT have additional properties "asetsBucket"; remove it or fix its spelling/,
    },
    // Wrong types name the field path.
    { yaml: 'retention:\n  versionsToKeep: 0\n', message: /retention\.versionsToKeep must be >= 1/ },
    {
      yaml: 'gpu:\n  tolerations:\n    - operator: Exists\n',
      message: /gpu\.tolerations\.0 must have required property 'key'/,
    },
    // Cross-field rule.
    {
      yaml: 'leaderElection:\n  leaseDurationSeconds: 5\n  renewDeadlineSeconds: 5\n',
      message: /renewDeadlineSeconds \(5\) must be shorter than leaseDurationSeconds \(5\)/,
    },
    // Not a mapping.
    { yaml: '- a\n', message: /must be a YAML mapping/ },
    { yaml: 'a: [\n', message: /is not valid YAML/ },
  ])('rejects $yaml', ({ yaml, message }) => {
    expect(() => loadOperatorConfig({ path: file(yaml) })).toThrow(message);
  });

  it('names a bad environment variable', () => {
    expect(() => parseOperatorConfig({}, { SHAZAM_METRICS_PORT: 'eighty' })).toThrow(
      /SHAZAM_METRICS_PORT: expected an integer, got "eighty" \(it sets server\.metricsPort\)/,
    );
  });

  it('names a missing file', () => {
    expect(() => loadOperatorConfig({ path: '/nonexistent/operator.yaml' })).toThrow(OperatorConfigError);
  });
});
