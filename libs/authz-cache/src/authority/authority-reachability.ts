/** Error codes that mean the authority was reached and answered. */
const ANSWER_CODES = new Set(['AUTHORITY_REJECTED', 'REVISION_NOT_REACHED']);

/**
 * What the calls to the authority have shown lately: reachable until a call
 * fails with `AUTHORITY_UNAVAILABLE` (timeout, connection refused, no
 * responder), reachable again at the next answer, whatever it says (a
 * rejection is an answer). Passive by design: readiness probes never add
 * load on the authority; an idle instance keeps its last verdict.
 */
export class AuthorityReachability {
  private failure: { code: string; at: number } | undefined;

  /** The authority answered (allow, deny, or a rejection). */
  recordAnswer(): void {
    this.failure = undefined;
  }

  /**
   * A call failed: `AUTHORITY_UNAVAILABLE` means the authority could not be
   * reached; a rejection (`AUTHORITY_REJECTED`, `REVISION_NOT_REACHED`) is
   * an answer; anything else (an abort, a local bug) proves nothing either way.
   */
  recordFailure(code: string | undefined, now = Date.now()): void {
    if (code === 'AUTHORITY_UNAVAILABLE') this.failure = { code, at: now };
    else if (code !== undefined && ANSWER_CODES.has(code)) this.recordAnswer();
  }

  /** false from an unavailable call until the next answer. */
  get reachable(): boolean {
    return this.failure === undefined;
  }

  /** When the authority was last found unreachable (ms since epoch), while it still is. */
  get unreachableSince(): number | undefined {
    return this.failure?.at;
  }
}
