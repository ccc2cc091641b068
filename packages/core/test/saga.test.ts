import { expect } from 'chai';
import { CtrnetError, Saga, inSaga, runUndo, type SagaJournal, type UndoAction, type Undoers } from '../src/index.js';

/** Undoers that log what they undo; kind `broken` always fails. */
function makeUndoers(log: string[]): Undoers {
  return {
    remove: async (data) => void log.push(`undo ${String(data.what)}`),
    broken: async (data) => {
      log.push(`undo ${String(data.what)} fails`);
      throw new Error(`cannot undo ${String(data.what)}`);
    },
  };
}

/** A journal that logs into the same list as the steps, so the order of record and action shows. */
function makeJournal(log: string[]): SagaJournal & { records: UndoAction[]; closed: number } {
  const journal = {
    records: [] as UndoAction[],
    closed: 0,
    record(undo: UndoAction) {
      journal.records.push(undo);
      log.push(`record ${String(undo.data.what)}`);
    },
    close() {
      journal.closed++;
      log.push('close');
    },
  };
  return journal;
}

const undo = (what: string, kind = 'remove'): UndoAction => ({ kind, data: { what } });

describe('Saga', () => {
  let log: string[];
  let undoers: Undoers;
  beforeEach(() => {
    log = [];
    undoers = makeUndoers(log);
  });

  it('a failing third step undoes the first two in reverse', async () => {
    const journal = makeJournal(log);
    const failure = new Error('step 3 failed');
    const err = await inSaga('create', undoers, journal, async (saga) => {
      await saga.step('one', () => void log.push('do one'), undo('one'));
      await saga.step('two', async () => void log.push('do two'), undo('two'));
      await saga.step('three', () => {
        log.push('do three');
        throw failure;
      });
      log.push('not reached');
    }).catch((e: unknown) => e);
    expect(err).to.equal(failure);
    expect(log).to.deep.equal(['record one', 'do one', 'record two', 'do two', 'do three', 'undo two', 'undo one', 'close']);
  });

  it('undoes the failing step too when it declared an undo (it may have half-acted)', async () => {
    await inSaga('create', undoers, undefined, async (saga) => {
      await saga.step('one', () => {}, undo('one'));
      await saga.step('two', () => Promise.reject(new Error('half done')), undo('two'));
    }).catch(() => {});
    expect(log).to.deep.equal(['undo two', 'undo one']);
  });

  it('journals each undo before its action runs', async () => {
    const journal = makeJournal(log);
    const saga = new Saga('op', undoers, journal);
    await saga.step('one', () => {
      expect(journal.records).to.deep.equal([undo('one')]);
      log.push('do one');
    }, undo('one'));
    await saga.step('no undo', () => void log.push('do plain'));
    expect(log).to.deep.equal(['record one', 'do one', 'do plain']);
  });

  it('returns the action result', async () => {
    const saga = new Saga('op', undoers);
    expect(await saga.step('value', () => 7)).to.equal(7);
    expect(await saga.step('promise', async () => 'x', undo('x'))).to.equal('x');
  });

  it('refuses an undo kind without an undoer before journalling or acting', async () => {
    const journal = makeJournal(log);
    const saga = new Saga('op', undoers, journal);
    let acted = false;
    const err = await saga.step('mystery', () => void (acted = true), { kind: 'teleport', data: {} }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CtrnetError);
    expect((err as CtrnetError).code).to.equal('INTERNAL');
    expect((err as CtrnetError).message).to.equal('no undoer registered for "teleport" (step mystery)');
    expect(acted).to.equal(false);
    expect(journal.records).to.deep.equal([]);
  });

  it('commit forgets the undo list and closes the journal', async () => {
    const journal = makeJournal(log);
    const saga = new Saga('op', undoers, journal);
    await saga.step('one', () => {}, undo('one'));
    saga.commit();
    expect(await saga.rollback()).to.deep.equal([]);
    expect(log).to.deep.equal(['record one', 'close', 'close']);
  });

  it('rollback goes on past undo failures and returns them', async () => {
    const saga = new Saga('op', undoers);
    await saga.step('one', () => {}, undo('one'));
    await saga.step('two', () => {}, undo('two', 'broken'));
    await saga.step('three', () => {}, undo('three'));
    const failures = await saga.rollback();
    expect(log).to.deep.equal(['undo three', 'undo two fails', 'undo one']);
    expect(failures.map((f) => (f as Error).message)).to.deep.equal(['cannot undo two']);
    // A second rollback has nothing left to undo.
    expect(await saga.rollback()).to.deep.equal([]);
    expect(log).to.have.length(3);
  });

  it('keeps the journal open when an undo failed, so gc can retry it', async () => {
    const journal = makeJournal(log);
    const saga = new Saga('op', undoers, journal);
    await saga.step('one', () => {}, undo('one', 'broken'));
    await saga.rollback();
    expect(journal.closed).to.equal(0);
  });
});

describe('runUndo', () => {
  it('runs actions in the given order, continuing past failures and unknown kinds', async () => {
    const log: string[] = [];
    const failures = await runUndo(makeUndoers(log), [undo('a'), undo('b', 'broken'), { kind: 'unknown', data: {} }, undo('c')]);
    expect(log).to.deep.equal(['undo a', 'undo b fails', 'undo c']);
    expect(failures).to.have.length(2);
    expect((failures[0] as Error).message).to.equal('cannot undo b');
    expect(failures[1]).to.be.instanceOf(CtrnetError);
    expect((failures[1] as CtrnetError).message).to.equal('no undoer registered for "unknown"');
  });

  it('returns no failures for an empty list', async () => {
    expect(await runUndo({}, [])).to.deep.equal([]);
  });
});

describe('inSaga', () => {
  it('commits on success and returns the body result', async () => {
    const log: string[] = [];
    const journal = makeJournal(log);
    const result = await inSaga('op', makeUndoers(log), journal, async (saga) => {
      await saga.step('one', () => void log.push('do one'), undo('one'));
      return 'done';
    });
    expect(result).to.equal('done');
    expect(log).to.deep.equal(['record one', 'do one', 'close']);
  });

  it('rethrows the original error when the rollback succeeds', async () => {
    const original = new CtrnetError('EXEC_FAILED', 'ip link add failed');
    const err = await inSaga('op', makeUndoers([]), undefined, async (saga) => {
      await saga.step('one', () => {}, undo('one'));
      throw original;
    }).catch((e: unknown) => e);
    expect(err).to.equal(original);
  });

  it('reports a failed rollback as INCOMPLETE, keeping every error and telling the user to run gc', async () => {
    const log: string[] = [];
    const original = new CtrnetError('EXEC_FAILED', 'ip link add failed');
    const err = (await inSaga('op', makeUndoers(log), undefined, async (saga) => {
      await saga.step('one', () => {}, undo('one', 'broken'));
      throw original;
    }).catch((e: unknown) => e)) as CtrnetError;
    expect(err.code).to.equal('INCOMPLETE');
    expect(err.message).to.match(/^ip link add failed; rolling back also failed \(1 step, first: .+\); run ctrnet system gc to finish the cleanup$/);
    const cause = err.cause as AggregateError;
    expect(cause).to.be.instanceOf(AggregateError);
    expect(cause.errors[0]).to.equal(original);
    expect(cause.errors).to.have.length(2);
    expect(log).to.deep.equal(['undo one fails']);
  });
});
