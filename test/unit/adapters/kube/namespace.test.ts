// Which namespace the driver scales: the matrix's when it names one, else the pod's own (from its
// service account), so a kustomize `namespace:` override moves the driver with the objects.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectKube } from '../../../../src/adapters/kube/config.js';

const SA = 'var/run/secrets/kubernetes.io/serviceaccount';

/** A service-account mount as a pod has it, under a temp root; `namespace: null` leaves that file out. */
async function serviceAccount(namespace: string | null): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ld-sa-unit-'));
  await mkdir(path.join(root, SA), { recursive: true });
  await writeFile(path.join(root, SA, 'token'), 'not-a-real-token');
  await writeFile(path.join(root, SA, 'ca.crt'), '');
  if (namespace !== null) await writeFile(path.join(root, SA, 'namespace'), `${namespace}\n`);
  return root;
}

describe('the namespace in a pod', () => {
  // The client library reads the API server's address from process.env itself.
  const pod = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
  beforeEach(() => {
    for (const [k, v] of Object.entries(pod)) vi.stubEnv(k, v);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("is the pod's own when the matrix names none", async () => {
    const conn = connectKube(null, pod, await serviceAccount('load-test'));
    expect(conn).toMatchObject({ namespace: 'load-test', inCluster: true, server: 'https://10.96.0.1:443' });
  });

  it("is the matrix's kubernetes.namespace when it names one", async () => {
    expect(connectKube('elsewhere', pod, await serviceAccount('load-test')).namespace).toBe('elsewhere');
  });

  it('is default when the service account has no namespace file', async () => {
    expect(connectKube(null, pod, await serviceAccount(null)).namespace).toBe('default');
  });
});
