// The target's health probe (preflight): one GET with a deadline; any 2xx is healthy.
import type { HealthProbe } from '../../core/run/index.js';
import { httpRequest } from './http.js';

export const httpHealthProbe: HealthProbe = async (url, signal) => {
  try {
    const res = await httpRequest({ method: 'GET', url, signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) });
    await res.dump();
    return res.statusCode >= 200 && res.statusCode < 300 ? null : `answered HTTP ${res.statusCode}`;
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    return `failed (${(e as { code?: string }).code ?? (e as Error).message})`;
  }
};
