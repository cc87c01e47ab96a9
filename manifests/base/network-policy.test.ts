import { beforeAll, describe, expect, it } from 'vitest';
import { type RenderedObject, renderKustomization } from '../test/kustomize.ts';
import { type Destination, egressAllowed, type Source } from '../test/network-policy.ts';

// What the enforcing VPC CNI (pulumi/cluster.ts enables its network policy agent) lets each workload reach.
let objects: RenderedObject[];
beforeAll(async () => {
  objects = await renderKustomization('overlays/prod');
});

const validationJob: Source = {
  namespace: 'shazam-pipeline',
  labels: {
    'app.kubernetes.io/name': 'shazam-validation',
    'batch.kubernetes.io/job-name': 'b0d4-validate-1',
  },
};
const renderJob: Source = {
  namespace: 'shazam-pipeline',
  labels: { 'app.kubernetes.io/name': 'shazam-render' },
};
const operator: Source = {
  namespace: 'shazam-system',
  labels: { 'app.kubernetes.io/name': 'shazam-operator' },
};
const searchApi: Source = {
  namespace: 'shazam-system',
  labels: { 'app.kubernetes.io/name': 'shazam-search-api' },
};
const stranger: Source = { namespace: 'shazam-system', labels: { app: 'debug-shell' } };

const s3: Destination = { ip: '52.217.161.10', port: 443 };
const sts: Destination = { ip: '209.54.177.164', port: 443 };
const dns: Destination = {
  ip: '10.50.32.10',
  port: 53,
  protocol: 'UDP',
  pod: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
};
// EKS' apiserver answers on network interfaces in the cluster's private subnets.
const apiserver: Destination = { ip: '10.50.33.17', port: 443 };
const database: Destination = { ip: '10.50.40.4', port: 5432 };
const metadata: Destination = { ip: '169.254.169.254', port: 80 };
const searchApiPod: Destination = {
  ip: '10.50.34.21',
  port: 8080,
  pod: { namespace: 'shazam-system', labels: { 'app.kubernetes.io/name': 'shazam-search-api' } },
};
const plainHttp: Destination = { ip: '93.184.215.14', port: 80 };

describe('egress', () => {
  it.each([
    // [who, where, source, destination, allowed]
    ['validation Job', 'S3', validationJob, s3, true],
    ['validation Job', 'STS (IRSA)', validationJob, sts, true],
    ['validation Job', 'cluster DNS', validationJob, dns, true],
    ['validation Job', 'the apiserver (no token mounted)', validationJob, apiserver, false],
    ['validation Job', 'a database in the VPC', validationJob, database, false],
    ['validation Job', 'the node metadata service', validationJob, metadata, false],
    ['validation Job', 'the search API pod', validationJob, searchApiPod, false],
    ['validation Job', 'plain HTTP on the internet', validationJob, plainHttp, false],
    ['render Job', 'S3', renderJob, s3, true],
    ['render Job', 'a database in the VPC', renderJob, database, false],
    ['operator', 'the apiserver', operator, apiserver, true],
    ['operator', 'S3', operator, s3, true],
    ['operator', 'cluster DNS', operator, dns, true],
    ['operator', 'a database in the VPC', operator, database, false],
    ['operator', 'the node metadata service', operator, metadata, false],
    ['search API', 'the apiserver', searchApi, apiserver, true],
    ['search API', 'S3', searchApi, s3, true],
    ['search API', 'plain HTTP on the internet', searchApi, plainHttp, false],
    ['any other pod in shazam-system', 'S3', stranger, s3, false],
    ['any other pod in shazam-system', 'cluster DNS', stranger, dns, false],
  ] as [string, string, Source, Destination, boolean][])(
    '%s → %s',
    (_who, _where, source, destination, allowed) => {
      expect(egressAllowed(objects, source, destination)).toBe(allowed);
    },
  );
});
