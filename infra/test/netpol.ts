/**
 * Just enough NetworkPolicy semantics for the manifest tests: which policies apply to a pod, and what each egress
 * peer of those policies lets it reach.
 */
import { type K8sObject, type NetworkPolicyPeer, type NetworkPolicyRule, type LabelSelector, selects } from './render';

interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: NetworkPolicyRule[];
  egress?: NetworkPolicyRule[];
}

/** The spec of a NetworkPolicy. */
export function policySpec(o: K8sObject): NetworkPolicySpec {
  return o.spec as unknown as NetworkPolicySpec;
}

/** NetworkPolicies that select a pod with these labels for a direction. */
export function policiesFor(
  objects: K8sObject[],
  labels: Record<string, string>,
  direction: 'Ingress' | 'Egress',
): K8sObject[] {
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .filter((o) => selects(policySpec(o).podSelector, labels))
    .filter((o) => (policySpec(o).policyTypes ?? ['Ingress']).includes(direction));
}

/** What an egress peer reaches, as one of a few classes the tests reason about. */
export type EgressClass = 'dns' | 'redis' | 'internet' | 'other';

const isDnsPeer = (p: NetworkPolicyPeer): boolean =>
  p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' &&
  p.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns';

const isRedisPodPeer = (p: NetworkPolicyPeer): boolean =>
  !p.namespaceSelector && !p.ipBlock && p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'redis';

/** A private range of at least /8 that is not the whole address space (a managed Redis subnet). */
const isNarrowPrivateBlock = (p: NetworkPolicyPeer): boolean => {
  const cidr = p.ipBlock?.cidr;
  if (!cidr) return false;
  const [addr, bits] = cidr.split('/');
  const first = Number(addr?.split('.')[0]);
  return Number(bits) >= 8 && (first === 10 || first === 172 || first === 192);
};

/**
 * Classifies every (peer, ports) of a set of egress rules. A rule without `to` or without `ports` is "other"
 * unless it is the internet rule, since it would open every destination or every port.
 */
export function egressClasses(rules: NetworkPolicyRule[]): EgressClass[] {
  const out: EgressClass[] = [];
  for (const rule of rules) {
    const ports = (rule.ports ?? []).map((p) => Number(p.port));
    if (!rule.to || rule.to.length === 0) {
      out.push('other');
      continue;
    }
    for (const peer of rule.to) {
      if (isDnsPeer(peer) && ports.length > 0 && ports.every((p) => p === 53)) out.push('dns');
      else if ((isRedisPodPeer(peer) || isNarrowPrivateBlock(peer)) && ports.length > 0) {
        // 26379: Redis Sentinel, asked for the primary's address.
        out.push(ports.every((p) => p === 6379 || p === 6380 || p === 26379) ? 'redis' : 'other');
      } else if (peer.ipBlock?.cidr === '0.0.0.0/0' || peer.ipBlock?.cidr === '::/0') out.push('internet');
      else out.push('other');
    }
  }
  return out;
}

/** Egress rules applying to a pod. */
export function egressRulesFor(objects: K8sObject[], labels: Record<string, string>): NetworkPolicyRule[] {
  return policiesFor(objects, labels, 'Egress').flatMap((p) => policySpec(p).egress ?? []);
}
