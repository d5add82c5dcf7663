/**
 * The newest revision the stream vouches for, from the revisions of its last
 * events in stream order (pure). Revisions are contiguous, one per mutation,
 * so an event of the authority almost always has its predecessor's revision
 * (`r - 1`) earlier on the stream; an event without one is an outlier (a
 * forged or corrupt message, e.g. revision 10^12 published by a client that
 * bypassed the authority) and is ignored. Returns the highest corroborated
 * revision, or 0 when none is.
 *
 * `wholeStream`: the window is the entire stream. Then a single event is
 * believed as it is (nothing could corroborate it: a fresh stream, or a
 * stream whose older events aged out).
 *
 * Residual risk: several contiguous forged events corroborate each other.
 * The real guard is NATS permissions (only the authority may publish events,
 * docker/nats/auth.conf); this check only keeps a lone forged event from
 * moving the authority's counter.
 */
export function corroboratedRevision(revisions: ReadonlyArray<number>, wholeStream: boolean): number {
  if (revisions.length === 0) return 0;
  if (revisions.length === 1) return wholeStream ? revisions[0] : 0;
  let best = 0;
  const earlier = new Set<number>();
  for (const revision of revisions) {
    if (revision > best && earlier.has(revision - 1)) best = revision;
    earlier.add(revision);
  }
  return best;
}
