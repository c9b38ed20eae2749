// Where the Kubernetes API is and who we are: the mounted service account inside a pod, the
// kubeconfig outside. Fails fast instead of falling back to http://localhost:8080.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from '../../core/errors.js';

export interface KubeConnection {
  kc: KubeConfig;
  namespace: string;
  server: string;
  inCluster: boolean;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * @param namespace the matrix's kubernetes.namespace (wins when set)
 * @param saRoot prefix of the service-account folder (tests lay one out in a temp dir; '' in a pod)
 */
export function connectKube(namespace: string | null, env: NodeJS.ProcessEnv = process.env, saRoot = ''): KubeConnection {
  const kc = new KubeConfig();
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST);
  let ns = namespace;
  try {
    if (inCluster) {
      kc.loadFromCluster(saRoot);
      if (!ns) {
        try {
          ns = readFileSync(`${saRoot}${SA_DIR}/namespace`, 'utf8').trim() || null;
        } catch {
          ns = null;
        }
      }
      readFileSync(`${saRoot}${SA_DIR}/token`); // fail now, with a clear line, if the token is not mounted
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    const where = inCluster ? `the service account in ${saRoot}${SA_DIR}` : 'the kubeconfig ($KUBECONFIG or ~/.kube/config)';
    // Only the first line: a YAML error quotes the lines around it, which may hold a token.
    const first = ((e as Error).message ?? '').split('\n')[0] ?? '';
    throw new KubeError(`cannot load ${where}: ${first} — the kubernetes: section needs a cluster connection`, { cause: e });
  }
  const server = kc.getCurrentCluster()?.server ?? '';
  if (!server || /^http:\/\/localhost:8080\/?$/.test(server)) {
    throw new KubeError(
      'the matrix has a kubernetes: section, but no kubeconfig was found and this is not a pod: set KUBECONFIG, or run the driver as the Job in k8s/driver-job.yaml',
    );
  }
  if (!ns) ns = kc.getContextObject(kc.getCurrentContext())?.namespace?.trim() || 'default';
  return { kc, namespace: ns, server: withoutUserInfo(server), inCluster };
}

/** The server URL for messages and reports: user info (a password) removed; the client keeps the real one. */
function withoutUserInfo(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}
