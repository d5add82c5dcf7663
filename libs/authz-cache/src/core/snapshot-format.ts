import type { CacheSnapshot } from './types';

/** A snapshot that cannot be restored (wrong format or shape). */
export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
  readonly code = 'AUTHZ_CACHE_SNAPSHOT_INVALID';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function checkEntries(list: unknown, field: string): void {
  if (!Array.isArray(list)) throw new SnapshotFormatError(field, `${field} must be an array`);
  list.forEach((item: unknown, i) => {
    const e = item as { key?: unknown; value?: unknown; loadedAt?: unknown } | null;
    if (typeof e !== 'object' || e === null || typeof e.key !== 'string' || typeof e.value !== 'object' || e.value === null
      || typeof e.loadedAt !== 'number') {
      throw new SnapshotFormatError(`${field}[${i}]`, `${field}[${i}] must be {key, value, loadedAt}`);
    }
    const v = e.value as { revision?: unknown; tags?: unknown };
    if (!isCount(v.revision) || !Array.isArray(v.tags)) {
      throw new SnapshotFormatError(`${field}[${i}].value`, `${field}[${i}].value needs a revision and tags`);
    }
  });
}

/**
 * Checks the shape of a snapshot read from disk before the core trusts it
 * (a partial or foreign file must fail loudly, not poison the cache).
 */
export function assertCacheSnapshot(value: unknown): asserts value is CacheSnapshot {
  const s = value as Partial<CacheSnapshot> | null;
  if (typeof s !== 'object' || s === null) throw new SnapshotFormatError('$', 'snapshot must be an object');
  if (s.format !== 1) throw new SnapshotFormatError('format', `unsupported snapshot format ${String(s.format)}`);
  if (!isCount(s.streamSequence)) throw new SnapshotFormatError('streamSequence', 'streamSequence must be a non-negative integer');
  if (!isCount(s.appliedRevision)) throw new SnapshotFormatError('appliedRevision', 'appliedRevision must be a non-negative integer');
  checkEntries(s.decisions, 'decisions');
  checkEntries(s.identities, 'identities');
  if (!Array.isArray(s.tagRevisions) || !s.tagRevisions.every((t) => Array.isArray(t) && typeof t[0] === 'string' && isCount(t[1]))) {
    throw new SnapshotFormatError('tagRevisions', 'tagRevisions must be [tag, revision] pairs');
  }
}
