// What a container runtime gives a pod's container, laid out on this host for a process: the
// image's layout (read from Dockerfile.driver), the environment (downward-API fieldRefs, $(VAR)
// expansion, KUBERNETES_SERVICE_HOST/PORT), and the volumes (ConfigMap files, the projected
// service-account token from a TokenRequest bound to the pod, emptyDirs, and a PVC's PV folder).
// Nothing runs in a container here, so the pod's filesystem is a folder of symlinks ("rootfs") and
// every absolute path in the container's command, args and env is looked up in it.
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CoreV1Api, V1Container, V1EnvVar, V1ObjectFieldSelector, V1Pod, V1Volume } from '@kubernetes/client-node';
import { ROOT } from '../integration/helpers.js';

/** The final stage of a Dockerfile: what the image runs, where, with which environment. */
export interface ImageLayout {
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
}

/** Reads WORKDIR, ENV, ENTRYPOINT and CMD of the last stage (exec form only: the shell form needs a shell the image may not have). */
export async function imageLayout(dockerfile = path.join(ROOT, 'Dockerfile.driver')): Promise<ImageLayout> {
  const text = await readFile(dockerfile, 'utf8');
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const last = lines.map((l) => l.trim()).findLastIndex((l) => /^FROM\s/i.test(l));
  const layout: ImageLayout = { workdir: '/', env: {}, entrypoint: [], cmd: [] };
  for (const raw of lines.slice(last + 1)) {
    const m = /^(\w+)\s+(.*)$/.exec(raw.trim());
    if (!m || raw.trim().startsWith('#')) continue;
    const [, instr, rest] = [m[0], m[1]!.toUpperCase(), m[2]!.trim()];
    if (instr === 'WORKDIR') layout.workdir = path.posix.resolve(layout.workdir, rest);
    if (instr === 'ENV') for (const [, k, v] of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g)) layout.env[k!] = v!.replace(/^"(.*)"$/, '$1');
    if (instr === 'ENTRYPOINT' || instr === 'CMD') {
      let argv: unknown;
      try {
        argv = JSON.parse(rest);
      } catch {
        throw new Error(`${dockerfile}: ${instr} ${rest} is not in exec form (a JSON array); the test kubelet runs no shell`);
      }
      if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new Error(`${dockerfile}: ${instr} must be a JSON array of strings`);
      if (instr === 'ENTRYPOINT') layout.entrypoint = argv;
      else layout.cmd = argv;
    }
  }
  return layout;
}

/** A downward-API field of the pod, as the kubelet resolves `fieldRef`. */
export function podField(pod: V1Pod, ref: V1ObjectFieldSelector): string {
  const f = ref.fieldPath;
  const label = /^metadata\.labels\['(.+)'\]$/.exec(f);
  if (label) return pod.metadata?.labels?.[label[1]!] ?? '';
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(f);
  if (ann) return pod.metadata?.annotations?.[ann[1]!] ?? '';
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata?.name,
    'metadata.namespace': pod.metadata?.namespace,
    'metadata.uid': pod.metadata?.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.hostIP': pod.status?.hostIP,
    'status.podIP': pod.status?.podIP,
  };
  if (!(f in fields)) throw new Error(`pod ${pod.metadata?.name}: fieldRef ${f} is not supported by the test kubelet`);
  return fields[f] ?? '';
}

/** `$(VAR)` → the value of an earlier variable; `$$(VAR)` → a literal `$(VAR)`; unknown names stay as written (as the kubelet does). */
export function expandVars(value: string, known: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && name in known ? known[name]! : whole;
  });
}

/** The container's environment: the image's ENV, then the pod's env in order (fieldRefs, $(VAR)). */
export function containerEnv(pod: V1Pod, container: V1Container, image: ImageLayout, api: { host: string; port: string }): Record<string, string> {
  const env: Record<string, string> = { ...image.env, HOSTNAME: pod.metadata!.name! };
  // The kubelet adds these for every container; enableServiceLinks: false drops only the per-Service ones.
  env.KUBERNETES_SERVICE_HOST = api.host;
  env.KUBERNETES_SERVICE_PORT = api.port;
  const defined: Record<string, string> = {};
  for (const e of container.env ?? ([] as V1EnvVar[])) {
    let v: string;
    if (e.value !== undefined) v = expandVars(e.value, defined);
    else if (e.valueFrom?.fieldRef) v = podField(pod, e.valueFrom.fieldRef);
    else throw new Error(`pod ${pod.metadata?.name}: env ${e.name} uses a source the test kubelet does not resolve (${JSON.stringify(e.valueFrom)})`);
    defined[e.name] = v;
    env[e.name] = v;
  }
  return env;
}

export interface PodFilesystem {
  /** The folder that stands for the container's `/`. */
  rootfs: string;
  /** A path inside the container → the path on this host. */
  hostPath(p: string): string;
}

/**
 * The pod's volumes mounted into a rootfs of symlinks: `/app` (the image's files) → this checkout,
 * every volumeMount → a host folder. `pvFolder` maps a bound PV to its folder (hostPath/local).
 */
export async function mountPodFilesystem(
  pod: V1Pod,
  container: V1Container,
  deps: { core: CoreV1Api; imageRoot: string; pvFolder: (pvName: string) => Promise<string> },
): Promise<PodFilesystem> {
  const ns = pod.metadata!.namespace!;
  const rootfs = await mkdtemp(path.join(os.tmpdir(), `ld-pod-${pod.metadata!.name}-`));
  const link = async (inside: string, target: string) => {
    const at = path.join(rootfs, inside);
    await mkdir(path.dirname(at), { recursive: true });
    await symlink(target, at);
  };
  await link(deps.imageRoot, ROOT);
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v] as const));
  for (const m of container.volumeMounts ?? []) {
    const vol = volumes.get(m.name);
    if (!vol) throw new Error(`pod ${pod.metadata?.name}: volumeMount ${m.name} names no volume`);
    await link(m.mountPath, await volumeFolder(pod, vol, deps, ns));
  }
  const hostPath = (p: string) => (path.posix.isAbsolute(p) ? path.join(rootfs, p) : p);
  return { rootfs, hostPath };
}

async function volumeFolder(pod: V1Pod, vol: V1Volume, deps: { core: CoreV1Api; pvFolder: (pvName: string) => Promise<string> }, ns: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `ld-vol-${vol.name}-`));
  if (vol.emptyDir) return dir;
  if (vol.configMap) {
    const cm = await deps.core.readNamespacedConfigMap({ name: vol.configMap.name!, namespace: ns });
    for (const [k, v] of Object.entries(cm.data ?? {})) await writeFile(path.join(dir, k), v);
    return dir;
  }
  if (vol.persistentVolumeClaim) {
    const pvc = await deps.core.readNamespacedPersistentVolumeClaim({ name: vol.persistentVolumeClaim.claimName, namespace: ns });
    if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) throw new Error(`PVC ${ns}/${pvc.metadata?.name} is not bound (${pvc.status?.phase})`);
    return deps.pvFolder(pvc.spec.volumeName);
  }
  if (vol.projected) {
    // What the ServiceAccount admission plugin adds (kube-api-access-*): a token bound to this
    // pod, the cluster CA (kube-root-ca.crt) and the namespace.
    for (const src of vol.projected.sources ?? []) {
      if (src.serviceAccountToken) {
        const tr = await deps.core.createNamespacedServiceAccountToken({
          name: pod.spec!.serviceAccountName ?? 'default',
          namespace: ns,
          body: {
            spec: {
              audiences: src.serviceAccountToken.audience ? [src.serviceAccountToken.audience] : [],
              expirationSeconds: src.serviceAccountToken.expirationSeconds ?? 3607,
              boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! },
            },
          },
        });
        await writeFile(path.join(dir, src.serviceAccountToken.path), tr.status?.token ?? '');
      } else if (src.configMap) {
        const cm = await deps.core.readNamespacedConfigMap({ name: src.configMap.name!, namespace: ns });
        for (const item of src.configMap.items ?? Object.keys(cm.data ?? {}).map((key) => ({ key, path: key }))) {
          await writeFile(path.join(dir, item.path), cm.data?.[item.key] ?? '');
        }
      } else if (src.downwardAPI) {
        for (const item of src.downwardAPI.items ?? []) {
          if (!item.fieldRef) throw new Error(`pod ${pod.metadata?.name}: downwardAPI item ${item.path} has no fieldRef`);
          await writeFile(path.join(dir, item.path), podField(pod, item.fieldRef));
        }
      } else {
        throw new Error(`pod ${pod.metadata?.name}: projected source ${JSON.stringify(src)} is not supported by the test kubelet`);
      }
    }
    return dir;
  }
  throw new Error(`pod ${pod.metadata?.name}: volume ${vol.name} (${Object.keys(vol).join(', ')}) is not supported by the test kubelet`);
}
