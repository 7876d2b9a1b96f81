// A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics) over rendered manifests, to test who can reach whom.
import { BlockList, isIPv4 } from 'node:net';

type Labels = Record<string, string>;
type Selector = {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
};
type PolicyPort = { port?: number | string; endPort?: number; protocol?: string };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: PolicyPort[] };
export type NetworkPolicy = {
  metadata: { name: string; namespace?: string };
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
};

/** A pod (with its namespace's labels) or an address outside the cluster. */
export type Endpoint =
  | {
      kind: 'pod';
      name: string;
      namespace: string;
      namespaceLabels: Labels;
      labels: Labels;
      ports: { name?: string; containerPort: number }[];
    }
  | { kind: 'ip'; name: string; ip: string };

export function selects(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = key in labels;
    if (operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function inBlock(ip: string, block: { cidr: string; except?: string[] }): boolean {
  const toList = (cidrs: string[]) => {
    const list = new BlockList();
    for (const cidr of cidrs) {
      const [net, bits] = cidr.split('/');
      list.addSubnet(net, Number(bits), isIPv4(net) ? 'ipv4' : 'ipv6');
    }
    return list;
  };
  const type = isIPv4(ip) ? 'ipv4' : 'ipv6';
  return toList([block.cidr]).check(ip, type) && !toList(block.except ?? []).check(ip, type);
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return other.kind === 'ip' && inBlock(other.ip, peer.ipBlock);
  if (other.kind !== 'pod') return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, other.namespaceLabels)
    : other.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector, other.labels);
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string, target: Endpoint): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') {
      // A named port is the destination pod's container port of that name.
      return target.kind === 'pod' && target.ports.some((c) => c.name === p.port && c.containerPort === port);
    }
    return p.endPort ? port >= p.port && port <= p.endPort : port === p.port;
  });
}

export class PolicySet {
  private readonly policies: NetworkPolicy[];
  constructor(policies: NetworkPolicy[]) {
    this.policies = policies;
  }

  /** Whether traffic from `from` to `to` on port/protocol is allowed by both ends' policies. */
  allows(from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
    return this.side(from, 'Egress', to, port, protocol) && this.side(to, 'Ingress', from, port, protocol);
  }

  private side(
    self: Endpoint,
    direction: 'Ingress' | 'Egress',
    other: Endpoint,
    port: number,
    protocol: string,
  ): boolean {
    if (self.kind !== 'pod') return true; // addresses outside the cluster have no policies here
    const applying = this.policies.filter(
      (p) =>
        (p.metadata.namespace ?? 'default') === self.namespace &&
        selects(p.spec.podSelector, self.labels) &&
        (p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])).includes(direction),
    );
    if (applying.length === 0) return true; // a pod no policy selects is not isolated
    const destination = direction === 'Egress' ? other : self;
    return applying.some((p) =>
      ((direction === 'Egress' ? p.spec.egress : p.spec.ingress) ?? []).some((rule) => {
        const peers = direction === 'Egress' ? rule.to : rule.from;
        const peerOk =
          !peers ||
          peers.length === 0 ||
          peers.some((peer) => peerMatches(peer, p.metadata.namespace ?? 'default', other));
        return peerOk && portMatches(rule.ports, port, protocol, destination);
      }),
    );
  }
}
