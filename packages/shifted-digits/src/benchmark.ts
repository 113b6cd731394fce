import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FAR_CONTENTS } from './content';
import { fontsOf, loadFont, type Split } from './fonts';
import { ARROW_CONTENTS, renderItem, type ItemKind, type ItemSpec, type ShiftedItem } from './item';
import { LOOKS, type Look } from './looks';
import { mixSeed } from './noise';
import { glyphShape } from './outline';

/**
 * Characters that are not digits and do not look like one in common hands or faces: no O/o/I/l/Z/S/B/G/q/g/b/T,
 * nor C, D, J, L, e, h, y, s, z, ? or !. Drawn in the split's fonts, through the same looks as the digits.
 */
export const NEAR_OOD_CHARS = [...'AEFHKMNPRUVWXYkmnrwx', ...'+%#@&*='];

/** Sizes and seed of a benchmark. */
export interface BenchmarkOptions {
  split: Split;
  /** Base seed; every item's seed is derived from it and the item's place. Default 1. */
  seed?: number;
  /** Digits per look: item k shows digit k mod 10 in a font that cycles every ten items. Default 180. */
  digitsPerLook?: number;
  /** Non-digit characters and arrows per look. Default 30. */
  nearOodPerLook?: number;
  /** Far-OOD images per look (blank pages, Fashion-MNIST items, shapes, textures, noise, landscapes). Default 30. */
  farOodPerLook?: number;
  /** Looks to include, default all. */
  looks?: readonly Look[];
}

export const DEFAULT_SIZES = Object.freeze({ digitsPerLook: 180, nearOodPerLook: 30, farOodPerLook: 30 });

const KINDS: ItemKind[] = ['digit', 'near-ood', 'far-ood'];

/**
 * The items of a benchmark, in a fixed order (look by look: digits, near-OOD, far-OOD), without rendering them.
 * Digits cycle through the ten labels and the split's fonts so that every (font, digit) pair occurs as evenly as
 * the size allows; each look starts the font cycle elsewhere so small sizes still see all fonts.
 */
export function listItems(opts: BenchmarkOptions): ItemSpec[] {
  const seed = opts.seed ?? 1;
  const split = opts.split;
  const fonts = fontsOf(split);
  const looks = opts.looks ?? LOOKS;
  const counts: Record<ItemKind, number> = {
    digit: opts.digitsPerLook ?? DEFAULT_SIZES.digitsPerLook,
    'near-ood': opts.nearOodPerLook ?? DEFAULT_SIZES.nearOodPerLook,
    'far-ood': opts.farOodPerLook ?? DEFAULT_SIZES.farOodPerLook,
  };
  const specs: ItemSpec[] = [];
  for (const look of looks) {
    const li = LOOKS.indexOf(look);
    for (const kind of KINDS) {
      for (let k = 0; k < counts[kind]; k++) {
        const itemSeed = mixSeed(seed, split === 'fit' ? 1 : 2, li, KINDS.indexOf(kind), k);
        const base = { split, kind, look, seed: itemSeed };
        if (kind === 'digit') {
          const font = fonts[(Math.floor(k / 10) + li * 7) % fonts.length]!;
          specs.push({ ...base, label: k % 10, font: font.id, content: String(k % 10) });
        } else if (kind === 'near-ood') {
          const font = fonts[(k + li * 5) % fonts.length]!;
          const pool = [...NEAR_OOD_CHARS, ...ARROW_CONTENTS];
          let content = pool[(k * 7 + li) % pool.length]!;
          // A font without the character gets the next one it has (handwriting fonts lack a few symbols).
          for (let step = 1; content.length === 1 && !glyphShape(loadFont(font.id), content); step++) {
            content = pool[(k * 7 + li + step) % pool.length]!;
          }
          const arrow = content.length > 1;
          specs.push({ ...base, label: null, font: arrow ? null : font.id, content });
        } else {
          specs.push({ ...base, label: null, font: null, content: FAR_CONTENTS[(k + li) % FAR_CONTENTS.length]! });
        }
      }
    }
  }
  return specs;
}

/** How {@link generateBenchmark} runs. */
export interface GenerateOptions {
  /**
   * Worker threads drawing items; 1 (the default) draws in this thread. Threads need the package compiled or a
   * TypeScript loader in the process (tsx), which the CLIs have and jest has not.
   */
  threads?: number;
  /** Sees each item as soon as it is done (completion order, not list order): progress, streaming. */
  onItem?: (item: ShiftedItem, index: number) => void;
}

async function renderHere(specs: ItemSpec[], out: ShiftedItem[], onItem: GenerateOptions['onItem']): Promise<void> {
  // A few items in flight so sharp's encoder (libuv pool) overlaps with the JavaScript drawing.
  const inFlight = 3;
  for (let i = 0; i < specs.length; i += inFlight) {
    const done = await Promise.all(specs.slice(i, i + inFlight).map((s) => renderItem(s)));
    done.forEach((item, j) => {
      out[i + j] = item;
      onItem?.(item, i + j);
    });
  }
}

function renderInWorkers(
  specs: ItemSpec[],
  threads: number,
  out: ShiftedItem[],
  onItem: GenerateOptions['onItem'],
): Promise<void> {
  const ext = path.extname(__filename);
  const script = path.join(__dirname, `render-worker${ext}`);
  // From sources (tsx), the worker registers tsx's CommonJS loader before requiring the script, and resolves the
  // workspace packages to their sources like the parent does.
  const fromSource = ext === '.ts';
  const entry = fromSource
    ? `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(script)});`
    : script;
  const execArgv = fromSource ? ['--conditions=development'] : [];
  const workers: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let pending = specs.length;
    const fail = (err: unknown): void => {
      for (const w of workers) void w.terminate();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    for (let t = 0; t < threads; t++) {
      const mine = specs.map((spec, index) => ({ index, spec })).filter(({ index }) => index % threads === t);
      const worker = new Worker(entry, { eval: fromSource, workerData: { specs: mine }, execArgv });
      workers.push(worker);
      worker.on('error', fail);
      worker.on('message', (msg: { index: number; item: ShiftedItem } | { error: string }) => {
        if ('error' in msg) return fail(new Error(`render worker: ${msg.error}`));
        const bytes = msg.item.image as unknown as Uint8Array;
        const item = { ...msg.item, image: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
        out[msg.index] = item;
        onItem?.(item, msg.index);
        if (--pending === 0) {
          for (const w of workers) void w.terminate();
          resolve();
        }
      });
    }
  });
}

/**
 * Renders a benchmark. Items come back in {@link listItems} order and are identical whatever the thread count:
 * each is a function of its spec alone.
 */
export async function generateBenchmark(opts: BenchmarkOptions, run: GenerateOptions = {}): Promise<ShiftedItem[]> {
  const specs = listItems(opts);
  const out: ShiftedItem[] = new Array(specs.length);
  const threads = Math.max(1, Math.min(run.threads ?? 1, specs.length));
  if (threads === 1) await renderHere(specs, out, run.onItem);
  else await renderInWorkers(specs, threads, out, run.onItem);
  return out;
}
