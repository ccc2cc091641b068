/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  n: number;
  quick: boolean;
  only?: string[];
  /** --help: print USAGE and do nothing else. */
  help: boolean;
}

export const DEFAULT_N = 200;
export const QUICK_N = 20;

export const USAGE = `usage: bash scripts/bench.sh [--n N] [--quick] [--only name,name]
  --n N        containers per runner (default ${DEFAULT_N})
  --quick      ${QUICK_N} containers per runner (an explicit --n wins)
  --only LIST  run only these runners, comma-separated`;

/** Parses argv (without node and script); throws with the offending argument on bad input. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  let n: number | undefined;
  let quick = false;
  let only: string[] | undefined;
  let help = false;
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++k];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--n': {
        const raw = value();
        n = Number(raw);
        // Host ports are 20000+i and must stay below 65536.
        if (!Number.isInteger(n) || n < 1 || n > 45000) throw new Error(`--n ${raw}: give a whole number from 1 to 45000`);
        break;
      }
      case '--quick':
        quick = true;
        break;
      case '--only':
        only = value().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return { n: n ?? (quick ? QUICK_N : DEFAULT_N), quick, only, help };
}
