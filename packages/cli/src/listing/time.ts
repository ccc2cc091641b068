/**
 * Docker's wording of times in listings: go-units' `HumanDuration` ("About a
 * minute", "3 hours") and the STATUS column of moby's `State.String()`
 * ("Up 5 seconds", "Exited (7) 3 seconds ago", "Created").
 */
import type { ContainerSummary } from '@ctrnet/core/api';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** go-units' HumanDuration, to the letter (hours are rounded, the rest truncated, as there). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / HOUR);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / HOUR / 24 / 365)} years`;
}

/** `3 seconds ago` (the CREATED column); '' without a time. */
export function ago(iso: string | undefined, now: number): string {
  return iso ? `${humanDuration(Math.max(0, now - Date.parse(iso)))} ago` : '';
}

/** The STATUS column, as moby's State.String() words it. */
export function statusText(c: Pick<ContainerSummary, 'Status' | 'ExitCode' | 'Started' | 'Finished'>, now: number): string {
  const since = (iso: string | undefined) => humanDuration(Math.max(0, now - Date.parse(iso ?? new Date(now).toISOString())));
  switch (c.Status) {
    case 'running':
      return `Up ${since(c.Started)}`;
    case 'paused':
      return `Up ${since(c.Started)} (Paused)`;
    case 'removing':
      return 'Removal In Progress';
    case 'created':
      return 'Created';
    case 'exited':
      // A container created but never started is "Created" in Docker even once it has a row of its own.
      return c.Started ? `Exited (${c.ExitCode ?? 0}) ${since(c.Finished)} ago` : 'Created';
  }
}

/** Go's `time.Time.String()` in UTC without the monotonic part: `2024-01-02 15:04:05 +0000 UTC` (Docker's `.CreatedAt`). */
export function goTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  return `${t.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
