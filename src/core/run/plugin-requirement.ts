// What needs the companion plugin on the master. Without it a window's edges are found from the
// workers' 3 s reports, which a window read while the users keep running (transition: continue)
// has to watch for about one report interval at each edge: shorter windows cannot be cut that way.
// With the plugin (an acknowledged reset, a flush at the end) any length works. Whether the plugin
// is loaded is only known from the master, so this is checked by `run` and `preflight`, before any
// load — not by `validate`, which reads the file alone.
import { ConfigError } from '../errors.js';
import { LIVE_READ_MIN_MS } from '../locust-timing.js';
import type { RunPlan } from '../model.js';
import type { LoadGenerator, PluginInfo } from '../../ports.js';
import { formatDuration } from '../units.js';

/** The first stage the master cannot measure as planned without the plugin, as a ConfigError (exit 2); null when none. */
export function pluginRequirement(plan: RunPlan, plugin: PluginInfo | null, masterUrl: string): ConfigError | null {
  if (plugin !== null || plan.transition !== 'continue' || plan.capacity !== null) return null;
  const short = plan.stages.filter((s) => s.durationMs < LIVE_READ_MIN_MS);
  const first = short[0];
  if (first === undefined) return null;
  const which = short.length === 1 ? `stage ${first.index} lasts` : `${short.length} stages last less (stage ${first.index}:`;
  return new ConfigError(
    `${plan.source}: stages[${first.index - 1}].duration: ${which} ${formatDuration(first.durationMs)}${short.length === 1 ? '' : ')'}, but transition: continue ` +
      `without the locust-driver plugin needs windows of at least ${formatDuration(LIVE_READ_MIN_MS)} (their edges are found from the workers' 3 s reports), ` +
      `and the master at ${masterUrl} has no plugin (404 on /locust-driver/runner) — add \`import locust_driver_plugin\` to the locustfile ` +
      `(locust/locust_driver_plugin.py beside it), lengthen duration to ${formatDuration(LIVE_READ_MIN_MS)} or use transition: restart`,
  );
}

/** Detects the plugin (once per run: the client caches it) and refuses, before any load, a plan that needs it when it is absent. */
export async function detectPluginFor(lg: LoadGenerator, plan: RunPlan, signal?: AbortSignal): Promise<PluginInfo | null> {
  const plugin = await lg.detectPlugin(signal);
  const missing = pluginRequirement(plan, plugin, lg.url);
  if (missing) throw missing;
  return plugin;
}
