// The microcontroller boards the cost model knows: core, clock, and internal / external memory.
// Sources: the five MCUBench boards (Sah et al., 2024, via a secondary summary) and five common
// boards, as listed in the project's hardware spec (spec/hardware.md). Sizes are binary: the vendors'
// "2 MB flash" and "1 MB RAM" are 2 MiB and 1 MiB. Only external memory the spec names is listed; some
// boards carry more (e.g. SDRAM on the STM32H747I-DISCO) and a later revision may add it.
import { HardwareError } from '../types.js';

export type Core = 'cortex-m4' | 'cortex-m7' | 'cortex-m33';

export interface Board {
  /** Kebab-case id, e.g. `nucleo-h743zi`. */
  readonly id: string;
  /** Vendor's display name, e.g. `NUCLEO-H743ZI`. */
  readonly name: string;
  readonly core: Core;
  readonly clockMHz: number;
  readonly flashBytes: number;
  readonly ramBytes: number;
  /** Memory-mapped external flash (QSPI / OSPI NOR), when the board has it. */
  readonly externalFlashBytes?: number;
  /** External RAM (SDRAM), when the board has it. */
  readonly externalRamBytes?: number;
  /** Whether the board is one of MCUBench's. */
  readonly mcubench: boolean;
}

const KiB = 1024;
const MiB = 1024 * 1024;

export const BOARDS: readonly Board[] = [
  { id: 'nucleo-h743zi', name: 'NUCLEO-H743ZI', core: 'cortex-m7', clockMHz: 480, flashBytes: 2 * MiB, ramBytes: 1 * MiB, mcubench: true },
  {
    id: 'stm32f769i-disco',
    name: 'STM32F769I-DISCO',
    core: 'cortex-m7',
    clockMHz: 216,
    flashBytes: 2 * MiB,
    ramBytes: 512 * KiB,
    externalFlashBytes: 64 * MiB,
    externalRamBytes: 16 * MiB,
    mcubench: true,
  },
  {
    id: 'stm32f469i-disco',
    name: 'STM32F469I-DISCO',
    core: 'cortex-m4',
    clockMHz: 180,
    flashBytes: 2 * MiB,
    ramBytes: 384 * KiB,
    externalFlashBytes: 16 * MiB,
    externalRamBytes: 16 * MiB,
    mcubench: true,
  },
  { id: 'b-u585i-iot02a', name: 'B-U585I-IOT02A', core: 'cortex-m33', clockMHz: 160, flashBytes: 2 * MiB, ramBytes: 768 * KiB, externalFlashBytes: 64 * MiB, mcubench: true },
  { id: 'stm32h573i-dk', name: 'STM32H573I-DK', core: 'cortex-m33', clockMHz: 250, flashBytes: 2 * MiB, ramBytes: 640 * KiB, externalFlashBytes: 64 * MiB, mcubench: true },
  { id: 'stm32f746g-disco', name: 'STM32F746G-DISCO', core: 'cortex-m7', clockMHz: 216, flashBytes: 1 * MiB, ramBytes: 320 * KiB, mcubench: false },
  { id: 'stm32h747i-disco', name: 'STM32H747I-DISCO', core: 'cortex-m7', clockMHz: 480, flashBytes: 2 * MiB, ramBytes: 1 * MiB, mcubench: false },
  { id: 'nucleo-f401re', name: 'NUCLEO-F401RE', core: 'cortex-m4', clockMHz: 84, flashBytes: 512 * KiB, ramBytes: 96 * KiB, mcubench: false },
  { id: 'nucleo-l4r5zi', name: 'NUCLEO-L4R5ZI', core: 'cortex-m4', clockMHz: 120, flashBytes: 2 * MiB, ramBytes: 640 * KiB, mcubench: false },
  { id: 'arduino-nano-33-ble-sense', name: 'Arduino Nano 33 BLE Sense (nRF52840)', core: 'cortex-m4', clockMHz: 64, flashBytes: 1 * MiB, ramBytes: 256 * KiB, mcubench: false },
];

/** The board with this id (case-insensitive); a HardwareError listing the known ids otherwise. */
export function findBoard(id: string): Board {
  const key = id.trim().toLowerCase();
  const board = BOARDS.find((b) => b.id === key);
  if (!board) throw new HardwareError(`unknown board '${id}': known boards are ${BOARDS.map((b) => b.id).join(', ')}`);
  return board;
}

/** Bytes as a short human figure in binary units: `512 KiB`, `1.31 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < KiB) return `${bytes} B`;
  if (bytes < MiB) return `${trim(bytes / KiB)} KiB`;
  return `${trim(bytes / MiB)} MiB`;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}
