import type Database from 'better-sqlite3';
import { SqliteAddressBook } from './address-book.js';
import { ContainerRepository } from './container-repo.js';
import { openDatabase } from './database.js';
import { EndpointRepository } from './endpoint-repo.js';
import { EventLog } from './event-log.js';
import { NetworkRepository } from './network-repo.js';
import { OperationJournal } from './operation-journal.js';
import { PortReservations } from './port-reservations.js';
import { Settings } from './settings.js';
import { OperationLock } from './lock.js';

/**
 * The state store of one state dir: one SQLite database (WAL mode) with one
 * repository per aggregate, and the operation lock. Every repository method
 * is a short transaction; multi-step work is made safe by the saga journal
 * (`operations`), not by long transactions.
 */
export class Store {
  readonly lock: OperationLock;
  readonly containers: ContainerRepository;
  readonly networks: NetworkRepository;
  readonly endpoints: EndpointRepository;
  readonly ports: PortReservations;
  readonly addresses: SqliteAddressBook;
  readonly operations: OperationJournal;
  readonly events: EventLog;
  readonly settings: Settings;
  private readonly db: Database.Database;

  constructor(readonly stateDir: string) {
    this.db = openDatabase(stateDir);
    this.lock = new OperationLock(stateDir);
    this.containers = new ContainerRepository(this.db);
    this.networks = new NetworkRepository(this.db);
    this.endpoints = new EndpointRepository(this.db);
    this.ports = new PortReservations(this.db);
    this.addresses = new SqliteAddressBook(this.db);
    this.operations = new OperationJournal(this.db);
    this.events = new EventLog(this.db);
    this.settings = new Settings(this.db);
  }

  close(): void {
    this.db.close();
    this.lock.close();
  }

  /** Changes whenever another connection (another process) commits: for a resident process to notice. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}

export type { ContainerRecord } from './container-repo.js';
export type { JournalEvent } from './event-log.js';
export type { OpenOperation } from './operation-journal.js';
export { PortConflict } from './port-reservations.js';
