// A fake Kubernetes API for the core's tests: Deployments that roll out after a delay (or never),
// an HPA, access reviews from an allow-list, a Lease with holders, summary ConfigMaps.
import type { AccessCheck, Cluster, DeploymentState, HpaState, LeaseResult } from '../../src/ports.js';
import type { HpaSettings } from '../../src/core/model.js';
import type { ManualClock } from './manual-clock.js';

interface FakeDeployment {
  spec: number;
  generation: number;
  observed: number;
  ready: number;
  /** When the current generation becomes ready (virtual ms), or Infinity for "never". */
  readyAt: number;
}

export class FakeCluster implements Cluster {
  readonly namespace = 'loadtest';
  readonly server = 'https://127.0.0.1:6443';
  readonly inCluster = true;
  calls: string[] = [];
  deployments = new Map<string, FakeDeployment>();
  hpas = new Map<string, { min: number; max: number; cpu: number | null; deployment: string; extra?: Record<string, unknown> }>();
  denied = new Set<string>();
  lease: { holder: string | null; renewTime: string | null } = { holder: null, renewTime: null };
  configMaps: { name: string; labels: Record<string, string>; data: Record<string, string>; created: number }[] = [];
  /** How long a rollout takes; Infinity = never becomes ready. */
  rolloutMs = new Map<string, number>();
  /** Called when a deployment is scaled (e.g. to start or stop fake workers). */
  onScale: (name: string, replicas: number) => void = () => undefined;

  constructor(private readonly clock: ManualClock) {}

  addDeployment(name: string, replicas: number) {
    this.deployments.set(name, { spec: replicas, generation: 1, observed: 1, ready: replicas, readyAt: 0 });
  }

  private settle(name: string): FakeDeployment | undefined {
    const d = this.deployments.get(name);
    if (d && this.clock.now() >= d.readyAt) {
      d.observed = d.generation;
      d.ready = d.spec;
    }
    return d;
  }

  async getDeployment(name: string): Promise<DeploymentState | null> {
    this.calls.push(`get deployment ${name}`);
    const d = this.settle(name);
    if (!d) return null;
    return {
      name,
      specReplicas: d.spec,
      generation: d.generation,
      observedGeneration: d.observed,
      replicas: d.spec,
      updatedReplicas: d.observed === d.generation ? d.spec : 0,
      readyReplicas: d.ready,
      availableReplicas: d.ready,
    };
  }

  async scaleDeployment(name: string, replicas: number): Promise<void> {
    this.calls.push(`scale ${name} ${replicas}`);
    const d = this.deployments.get(name);
    if (!d) throw new Error(`no deployment ${name}`);
    d.spec = replicas;
    d.generation++;
    d.readyAt = this.clock.now() + (this.rolloutMs.get(name) ?? 3_000);
    this.onScale(name, replicas);
  }

  async getHpa(name: string): Promise<HpaState | null> {
    const h = this.hpas.get(name);
    if (!h) return null;
    const d = this.deployments.get(h.deployment);
    return {
      name,
      min: h.min,
      max: h.max,
      cpuPercent: h.cpu,
      currentReplicas: d?.ready ?? null,
      desiredReplicas: d?.spec ?? null,
      currentCpuPercent: 55,
      lastScaleTime: null,
      snapshot: { minReplicas: h.min, maxReplicas: h.max, cpu: h.cpu, ...h.extra },
    };
  }

  async setHpa(name: string, deployment: string, hpa: HpaSettings): Promise<'created' | 'updated'> {
    this.calls.push(`set hpa ${name} ${hpa.min}-${hpa.max} ${hpa.cpuPercent}%`);
    const existed = this.hpas.has(name);
    this.hpas.set(name, { ...this.hpas.get(name), min: hpa.min, max: hpa.max, cpu: hpa.cpuPercent, deployment });
    return existed ? 'updated' : 'created';
  }

  async restoreHpa(name: string, snapshot: unknown): Promise<void> {
    this.calls.push(snapshot ? `restore hpa ${name}` : `delete hpa ${name}`);
    if (!snapshot) {
      this.hpas.delete(name);
      return;
    }
    const s = snapshot as { minReplicas: number; maxReplicas: number; cpu: number | null };
    const h = this.hpas.get(name);
    if (h) this.hpas.set(name, { ...h, min: s.minReplicas, max: s.maxReplicas, cpu: s.cpu });
  }

  static key(c: AccessCheck): string {
    return `${c.verb} ${c.group}/${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.name ? ` ${c.name}` : ''}`;
  }

  async canI(checks: AccessCheck[]) {
    return checks.map((check) => ({ check, allowed: !this.denied.has(FakeCluster.key(check)), reason: null }));
  }

  async acquireLease(_name: string, holder: string): Promise<LeaseResult> {
    this.calls.push(`acquire lease ${holder}`);
    if (this.lease.holder && this.lease.holder !== holder) return { acquired: false, holder: this.lease.holder, renewTime: this.lease.renewTime };
    this.lease = { holder, renewTime: new Date(this.clock.now()).toISOString() };
    return { acquired: true };
  }

  async renewLease(_name: string, holder: string): Promise<boolean> {
    this.calls.push('renew lease');
    if (this.lease.holder !== holder) return false;
    this.lease.renewTime = new Date(this.clock.now()).toISOString();
    return true;
  }

  async releaseLease(_name: string, holder: string): Promise<void> {
    this.calls.push('release lease');
    if (this.lease.holder === holder) this.lease = { holder: null, renewTime: null };
  }

  async latestConfigMapData(labels: Record<string, string>, key: string): Promise<string | null> {
    const match = this.configMaps.filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v)).sort((a, b) => b.created - a.created);
    return match[0]?.data[key] ?? null;
  }

  async saveSummary(name: string, labels: Record<string, string>, data: Record<string, string>, keep: number) {
    this.calls.push(`save summary ${name}`);
    this.configMaps.push({ name, labels, data, created: this.clock.now() });
    const before = this.configMaps.length;
    this.configMaps = this.configMaps.sort((a, b) => b.created - a.created).slice(0, keep);
    return { pruned: before - this.configMaps.length };
  }
}
