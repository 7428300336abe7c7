// Facts about the board that make its latencies comparable: architecture, cores, CPU, board model.
// Gathered with one fixed remote command (nothing interpolated) and parsed here.

export const SEPARATOR = '@@zcnas@@';

/** Remote command printing uname -m, uname -sr, online cores, /proc/cpuinfo, device-tree model, hostname. */
export const FACTS_COMMAND = [
  'uname -m',
  'uname -sr',
  '(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 0)',
  'cat /proc/cpuinfo 2>/dev/null',
  "(tr -d '\\000' < /proc/device-tree/model) 2>/dev/null",
  'hostname 2>/dev/null || uname -n',
].join(`; echo; echo ${SEPARATOR}; `);

export interface BoardFacts {
  readonly arch: string;
  readonly os: string;
  readonly cores: number;
  readonly cpu: string;
  /** Board model from the device tree (e.g. `Raspberry Pi 4 Model B Rev 1.4`), or ''. */
  readonly model: string;
  readonly hostname: string;
}

// ARM Ltd (implementer 0x41) core part numbers, as /proc/cpuinfo reports them.
const ARM_PARTS: Readonly<Record<string, string>> = {
  '0xc07': 'Cortex-A7', '0xc08': 'Cortex-A8', '0xc09': 'Cortex-A9', '0xc0f': 'Cortex-A15',
  '0xd03': 'Cortex-A53', '0xd04': 'Cortex-A35', '0xd05': 'Cortex-A55', '0xd07': 'Cortex-A57',
  '0xd08': 'Cortex-A72', '0xd09': 'Cortex-A73', '0xd0a': 'Cortex-A75', '0xd0b': 'Cortex-A76',
  '0xd0c': 'Neoverse-N1', '0xd0d': 'Cortex-A77', '0xd41': 'Cortex-A78', '0xd44': 'Cortex-X1',
  '0xd46': 'Cortex-A510', '0xd47': 'Cortex-A710', '0xd48': 'Cortex-X2', '0xd4d': 'Cortex-A715',
  '0xd80': 'Cortex-A520', '0xd81': 'Cortex-A720',
};

function field(cpuinfo: string, name: string): string | undefined {
  const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm');
  const v = re.exec(cpuinfo)?.[1]?.trim();
  return v === '' ? undefined : v;
}

/** A readable CPU name from /proc/cpuinfo: the ARM core from its part number, else `model name`. */
export function cpuName(cpuinfo: string): string {
  const implementer = field(cpuinfo, 'CPU implementer')?.toLowerCase();
  const part = field(cpuinfo, 'CPU part')?.toLowerCase();
  if (implementer === '0x41' && part && ARM_PARTS[part]) return `ARM ${ARM_PARTS[part]}`;
  return field(cpuinfo, 'model name') ?? field(cpuinfo, 'Processor') ?? field(cpuinfo, 'Hardware') ?? field(cpuinfo, 'cpu model') ?? 'unknown';
}

export function parseFacts(stdout: string): BoardFacts {
  const parts = stdout.split(SEPARATOR).map((p) => p.trim());
  const [arch = '', osName = '', cores = '', cpuinfo = '', dtModel = '', hostname = ''] = parts;
  const n = Number.parseInt(cores, 10);
  const countedCpus = (cpuinfo.match(/^processor\s*:/gim) ?? []).length;
  return {
    arch: arch || 'unknown',
    os: osName || 'unknown',
    cores: Number.isFinite(n) && n > 0 ? n : Math.max(1, countedCpus),
    cpu: cpuName(cpuinfo),
    model: dtModel || field(cpuinfo, 'Model') || '',
    hostname: hostname || 'unknown',
  };
}
