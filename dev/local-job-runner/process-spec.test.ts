import type { V1Container, V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildProcessSpec, expandReferences, LocalJobSpecError } from './process-spec.ts';

function job(container: Partial<V1Container>, volumes = [{ name: 'scratch', emptyDir: {} }]): V1Job {
  return {
    metadata: { name: 'validate', namespace: 'ns' },
    spec: {
      template: {
        spec: { volumes, containers: [{ name: 'main', image: 'tool:1', ...container }] },
      },
    },
  };
}

const base = {
  env: [],
  commandMap: { shazam: ['/usr/bin/node', '/repo/bin/shazam.js'] },
  allowUnmapped: false,
  workDir: '/work/ns/validate',
  baseEnv: { PATH: '/bin' },
};

describe('expandReferences', () => {
  it.each([
    ['$(A)/x', '1/x'],
    // unknown names stay as written, like the kubelet
    ['$(B)', '$(B)'],
    // $$ escapes
    ['$$(A)', '$(A)'],
  ])('%s → %s', (input, output) => {
    expect(expandReferences(input, { A: '1' })).toBe(output);
  });
});

describe('buildProcessSpec', () => {
  it('maps command[0], keeps args, and rewrites paths under emptyDir mounts', () => {
    const spec = buildProcessSpec({
      ...base,
      job: job(
        {
          command: ['shazam', 'validate-job'],
          args: ['--out', '/scratch/report.json', '--tmp=/scratch'],
          volumeMounts: [
            { name: 'scratch', mountPath: '/scratch' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
        [
          { name: 'scratch', emptyDir: {} },
          { name: 'tmp', emptyDir: {} },
        ],
      ),
      env: [
        { name: 'DIR', value: '/scratch' },
        { name: 'REPORT', value: '$(DIR)/r.json' },
      ],
    });
    expect(spec.file).toBe('/usr/bin/node');
    // '--tmp=/scratch' does not start with the mount path, so it stays as written.
    expect(spec.args).toEqual([
      '/repo/bin/shazam.js',
      'validate-job',
      '--out',
      '/work/ns/validate/volumes/scratch/report.json',
      '--tmp=/scratch',
    ]);
    expect(spec.env).toMatchObject({
      PATH: '/bin',
      DIR: '/work/ns/validate/volumes/scratch',
      REPORT: '/work/ns/validate/volumes/scratch/r.json',
      TMPDIR: '/work/ns/validate/volumes/tmp',
    });
    expect(spec.cwd).toBe('/work/ns/validate');
    expect(spec.directories).toEqual([
      '/work/ns/validate',
      '/work/ns/validate/volumes/scratch',
      '/work/ns/validate/volumes/tmp',
    ]);
  });

  it.each([
    // no command: the image's entrypoint is unknown locally
    [{ args: ['x'] }, /no command/],
    // a command outside the map
    [{ command: ['kubectl'] }, /"kubectl".*command map/],
  ])('refuses %j', (container, message) => {
    expect(() => buildProcessSpec({ ...base, job: job(container) })).toThrow(LocalJobSpecError);
    expect(() => buildProcessSpec({ ...base, job: job(container) })).toThrow(message);
  });

  it('runs unmapped commands as they are when allowed', () => {
    const spec = buildProcessSpec({
      ...base,
      allowUnmapped: true,
      job: job({ command: ['sh', '-c', 'true'] }),
    });
    expect([spec.file, ...spec.args]).toEqual(['sh', '-c', 'true']);
  });
});
