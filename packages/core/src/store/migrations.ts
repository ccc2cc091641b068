/**
 * Schema migrations, applied in order inside one transaction each. The
 * schema version is SQLite's `user_version`. Append new migrations; never
 * edit a released one (an old state dir must upgrade through all of them).
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: the initial schema */ `
  CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    driver TEXT NOT NULL,
    ipam_driver TEXT NOT NULL,
    subnet TEXT,
    ip_range TEXT,
    gateway TEXT,
    internal INTEGER NOT NULL DEFAULT 0,
    ipv6 INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL DEFAULT '{}',
    driver_data TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL
  );
  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    network_mode TEXT NOT NULL,
    spec TEXT NOT NULL,
    sandbox_key TEXT,
    sandbox_kind TEXT,
    pid INTEGER,
    pid_start TEXT,
    run_id INTEGER NOT NULL DEFAULT 0,
    exit_code INTEGER,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT
  );
  CREATE TABLE endpoints (
    id TEXT PRIMARY KEY,
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks(id),
    data TEXT NOT NULL,
    UNIQUE (container_id, network_id)
  );
  CREATE TABLE addresses (
    pool_id TEXT NOT NULL,
    address TEXT NOT NULL,
    owner TEXT NOT NULL,
    PRIMARY KEY (pool_id, address)
  );
  CREATE TABLE pools (
    pool_id TEXT PRIMARY KEY,
    subnet TEXT NOT NULL
  );
  CREATE TABLE ports (
    protocol TEXT NOT NULL,
    host_ip TEXT NOT NULL,
    host_port INTEGER NOT NULL,
    container_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (protocol, host_ip, host_port)
  );
  CREATE INDEX ports_by_container ON ports (container_id);
  CREATE TABLE operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started TEXT NOT NULL
  );
  CREATE TABLE operation_undo (
    operation_id INTEGER NOT NULL REFERENCES operations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (operation_id, seq)
  );
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    type TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    payload TEXT NOT NULL
  );
  `,
  /* 2: reservations are looked up by (protocol, port) across host addresses */ `
  CREATE INDEX ports_by_port ON ports (protocol, host_port);
  `,
  /* 3: \`wait\` finds the last stop event of a container that is gone */ `
  CREATE INDEX events_by_actor ON events (actor_id, type);
  `,
  /* 4: IPv6 — a network's second pool, IPv6-only networks, one pool per (network, family) */ `
  ALTER TABLE networks ADD COLUMN subnet6 TEXT;
  ALTER TABLE networks ADD COLUMN ip_range6 TEXT;
  ALTER TABLE networks ADD COLUMN gateway6 TEXT;
  ALTER TABLE networks ADD COLUMN ipv4 INTEGER NOT NULL DEFAULT 1;
  CREATE TABLE pools_by_family (
    pool_id TEXT NOT NULL,
    family INTEGER NOT NULL,
    subnet TEXT NOT NULL,
    PRIMARY KEY (pool_id, family)
  );
  INSERT INTO pools_by_family (pool_id, family, subnet) SELECT pool_id, 4, subnet FROM pools;
  DROP TABLE pools;
  ALTER TABLE pools_by_family RENAME TO pools;
  `,
  /* 5: nothing an operation does reads a whole table (container #1000 costs what #10 does) */ `
  CREATE TABLE address_cursors (
    pool_id TEXT NOT NULL,
    family INTEGER NOT NULL,
    cursor TEXT NOT NULL,
    PRIMARY KEY (pool_id, family)
  );
  CREATE INDEX addresses_by_owner ON addresses (owner);
  CREATE INDEX endpoints_by_network ON endpoints (network_id);
  CREATE INDEX containers_by_mode ON containers (network_mode, status);
  `,
];
