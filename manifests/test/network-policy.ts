/**
 * Evaluates Kubernetes NetworkPolicies the way an enforcing CNI does, for egress: a pod that no policy
 * with `Egress` selects may connect anywhere; otherwise a connection is allowed when any egress rule of a
 * selecting policy matches it (peers ORed, ports ORed, an empty list matching everything). Used by the
 * tests to prove what the shipped policies allow, since the test apiserver has no CNI to enforce them.
 */
import type { RenderedObject } from './kustomize.ts';

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyPort {
  port?: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}
interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  egress?: { to?: Peer[]; ports?: PolicyPort[] }[];
}

/** A pod that opens a connection. */
export interface Source {
  namespace: string;
  labels: Record<string, string>;
}

/** Where a connection goes: an address outside the cluster, or a pod (which also has an address). */
export interface Destination {
  ip: string;
  port: number;
  protocol?: 'TCP' | 'UDP';
  pod?: { namespace: string; labels: Record<string, string> };
}

function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every((expression) => {
    const value = labels[expression.key];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && (expression.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(expression.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
  return byLabel && byExpression;
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((total, octet) => total * 256 + Number(octet), 0);
}

/** Whether an IPv4 address lies in a CIDR block. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base = '0.0.0.0', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToNumber(base) / size) * size;
  const address = ipToNumber(ip);
  return address >= start && address < start + size;
}

function peerMatches(peer: Peer, policyNamespace: string, destination: Destination): boolean {
  if (peer.ipBlock) {
    return (
      inCidr(destination.ip, peer.ipBlock.cidr) &&
      !(peer.ipBlock.except ?? []).some((cidr) => inCidr(destination.ip, cidr))
    );
  }
  const pod = destination.pod;
  if (!pod) return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': pod.namespace })
    : pod.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, pod.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(port: PolicyPort, destination: Destination): boolean {
  if ((port.protocol ?? 'TCP') !== (destination.protocol ?? 'TCP')) return false;
  // Named ports resolve on the destination pod; the shipped egress rules use numbers only.
  return port.port === undefined || port.port === destination.port;
}

/** Whether the rendered NetworkPolicies let `source` open a connection to `destination`. */
export function egressAllowed(objects: RenderedObject[], source: Source, destination: Destination): boolean {
  const policies = objects
    .filter((object) => object.kind === 'NetworkPolicy' && object.metadata.namespace === source.namespace)
    .map((object) => (object as unknown as { spec: NetworkPolicySpec }).spec)
    .filter(
      (spec) =>
        (spec.policyTypes ?? ['Ingress']).includes('Egress') && selects(spec.podSelector, source.labels),
    );
  if (policies.length === 0) return true;
  return policies.some((spec) =>
    (spec.egress ?? []).some(
      (rule) =>
        (rule.to === undefined ||
          rule.to.length === 0 ||
          rule.to.some((peer) => peerMatches(peer, source.namespace, destination))) &&
        (rule.ports === undefined ||
          rule.ports.length === 0 ||
          rule.ports.some((port) => portMatches(port, destination))),
    ),
  );
}
