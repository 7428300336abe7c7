// One-line descriptions of the proxies and costs, as the launcher shows them beside their names.
import { getProxy, PROXY_NAMES } from '../../proxies/index.js';
import type { CostName } from '../../search/index.js';

export const PROXY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  params: 'trainable parameter count (no network run)',
  macs: 'multiply-accumulates of one forward pass (no network run)',
  l2_norm: 'sum of the Frobenius norms of the initial conv weights (no network run)',
  nwot: 'NASWOT: log|det| of the Hamming kernel of activation codes over a batch',
  nwot_preact: 'NASWOT over conv outputs instead of activation inputs',
  swap: 'SWAP: distinct sample-wise activation patterns (saturates on big nets)',
  meco: 'MeCo: sum of the minimum eigenvalues of channel correlations',
  zen: 'Zen-score: log feature change under a small input perturbation + BN terms',
};

/** The short description above, else the proxy's own from the registry. */
export function proxyDescription(name: string): string {
  const short = PROXY_DESCRIPTIONS[name];
  if (short !== undefined) return short;
  try {
    return getProxy(name).description;
  } catch {
    return '';
  }
}

export const LAUNCHER_PROXIES: readonly string[] = PROXY_NAMES;

export const COST_DESCRIPTIONS: Readonly<Record<CostName, string>> = {
  macs: 'multiply-accumulates at batch 1',
  params: 'parameters',
  memory: 'peak int8 activation bytes',
  latency: 'ms, needs a target or a predictor',
  ram: 'bytes, needs an mcu target',
  flash: 'bytes, needs an mcu target',
};
