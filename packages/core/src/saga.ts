import createDebug from 'debug';
import { crashPoint } from './crash-point.js';
import { CtrnetError, incomplete } from './errors.js';

const debug = createDebug('ctrnet:core:saga');

/**
 * How to undo a step, as data: a kind that names a registered undoer and the
 * data it needs. Being data (not a closure) is what lets `system gc` undo a
 * step recorded by a process that was killed.
 */
export interface UndoAction {
  kind: string;
  data: Record<string, unknown>;
}

/** Functions that perform undo actions, by kind. Each must be idempotent. */
export type Undoers = Record<string, (data: Record<string, unknown>) => Promise<void>>;

/** Where a saga writes its intent before each step (the state store in production). */
export interface SagaJournal {
  /** Record that `undo` must run if the process dies from here on. */
  record(undo: UndoAction): void;
  /** The operation finished (committed or fully rolled back): forget its records. */
  close(): void;
}

/**
 * An operation made of steps that each know their undo. Steps run in order;
 * on failure, `rollback` undoes completed steps in reverse. The undo is
 * journalled before the step acts, so a crash mid-step is undone by gc too.
 */
export class Saga {
  private readonly done: UndoAction[] = [];

  constructor(
    readonly name: string,
    private readonly undoers: Undoers,
    private readonly journal?: SagaJournal,
  ) {}

  /** Run `action`; if a later step fails, `undo` runs (if given). */
  async step<T>(label: string, action: () => Promise<T> | T, undo?: UndoAction): Promise<T> {
    if (undo) {
      if (!this.undoers[undo.kind]) throw new CtrnetError('INTERNAL', `no undoer registered for "${undo.kind}" (step ${label})`);
      this.journal?.record(undo);
      this.done.push(undo);
    }
    debug('%s: %s', this.name, label);
    const result = await action();
    crashPoint(`${this.name}: ${label}`);
    return result;
  }

  /** The operation succeeded: nothing to undo any more. */
  commit(): void {
    this.done.length = 0;
    this.journal?.close();
  }

  /**
   * Undo completed steps in reverse. Undo failures are logged and the rest
   * still runs; the journal then stays open, so `system gc` retries them.
   */
  async rollback(): Promise<unknown[]> {
    const failures = await runUndo(this.undoers, this.done.splice(0).reverse());
    if (failures.length === 0) this.journal?.close();
    return failures;
  }
}

/** Run undo actions in the given order, continuing past failures; returns the failures. */
export async function runUndo(undoers: Undoers, actions: readonly UndoAction[]): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const action of actions) {
    try {
      const undoer = undoers[action.kind];
      if (!undoer) throw new CtrnetError('INTERNAL', `no undoer registered for "${action.kind}"`);
      debug('undo %s %o', action.kind, action.data);
      await undoer(action.data);
    } catch (err) {
      debug('undo %s failed: %O', action.kind, err);
      failures.push(err);
    }
  }
  return failures;
}

/**
 * Run `body` as a saga: commit on success; on failure roll back and rethrow
 * the original error, or, when the rollback failed too, an INCOMPLETE error
 * carrying both (the journal then stays open for `system gc`).
 */
export async function inSaga<T>(
  name: string,
  undoers: Undoers,
  journal: SagaJournal | undefined,
  body: (saga: Saga) => Promise<T>,
): Promise<T> {
  const saga = new Saga(name, undoers, journal);
  try {
    const result = await body(saga);
    saga.commit();
    return result;
  } catch (err) {
    const failures = await saga.rollback();
    if (failures.length) throw incomplete(name, failures, err);
    throw err;
  }
}
