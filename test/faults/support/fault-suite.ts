import { FaultSystem, FaultSystemOptions, FAULT_MAX_STALENESS_MS } from './fault-system';
import { Grantee, GUARDED_PATH, IDLE_PATH } from './grantee';
import { formatReport, ProbeReport, StaleAllowProbe, StaleAllowProbeOptions } from './stale-allow-probe';

/** What {@link useFaultSystem} gives a test file; read it inside tests and hooks only. */
export interface FaultSuite {
  readonly system: FaultSystem;
  /** A new probe over every running turing, for `grantee` (default path {@link GUARDED_PATH}). */
  probe(grantee: Grantee, options?: Partial<StaleAllowProbeOptions>): StaleAllowProbe;
  /**
   * Two probes: `busy` on {@link GUARDED_PATH} (runs through the fault) and
   * `idle` on {@link IDLE_PATH} (the test holds it during the fault and
   * releases it after recovery), with one timeline: mark both.
   */
  probes(grantee: Grantee): ProbePair;
  /** Prints the report (a summary line set the closing note quotes) and returns it. */
  summarize(title: string, report: ProbeReport): ProbeReport;
}

/**
 * Registers, in the calling `describe`, a beforeAll that starts a
 * {@link FaultSystem} and an afterAll that stops it (and every probe still
 * running), whatever happened in between.
 */
export function useFaultSystem(options: FaultSystemOptions = {}, startTimeoutMs = 240_000): FaultSuite {
  let system: FaultSystem | undefined;
  const probes: StaleAllowProbe[] = [];
  beforeAll(async () => {
    system = await FaultSystem.start(options);
  }, startTimeoutMs);
  afterAll(async () => {
    await Promise.allSettled(probes.map((probe) => probe.stop()));
    await system?.dispose();
  }, 60_000);
  return {
    get system() {
      if (!system) throw new Error('useFaultSystem: the system is not started (read it inside a test)');
      return system;
    },
    probe(grantee, extra = {}) {
      const targets = this.system.turings.flatMap((t, i) => (t.running ? [{ name: turingName(i), url: t.url! }] : []));
      const probe = new StaleAllowProbe(targets, {
        path: GUARDED_PATH,
        token: grantee.token,
        maxStalenessMs: Number(options.consumerEnv?.AUTHZ_MAX_STALENESS_MS ?? FAULT_MAX_STALENESS_MS),
        ...extra,
      });
      probes.push(probe);
      return probe;
    },
    probes(grantee) {
      return new ProbePair(this.probe(grantee), this.probe(grantee, { path: IDLE_PATH }));
    },
    summarize(title, report) {
      console.log(formatReport(title, report));
      return report;
    },
  };
}

/** The probe's name of `system.turings[index]`. */
export function turingName(index: number): string {
  return `turing#${index + 1}`;
}

/** A busy and an idle probe sharing one grant/revoke timeline (see {@link FaultSuite.probes}). */
export class ProbePair {
  constructor(
    readonly busy: StaleAllowProbe,
    readonly idle: StaleAllowProbe,
  ) {}

  granted(revision: number): void {
    this.busy.granted(revision);
    this.idle.granted(revision);
  }

  changing(): void {
    this.busy.changing();
    this.idle.changing();
  }

  revoked(revision: number, at: number): void {
    this.busy.revoked(revision, at);
    this.idle.revoked(revision, at);
  }

  start(): void {
    this.busy.start();
    this.idle.start();
  }

  /** Stops both; the reports of the busy and the idle probe. */
  async stop(): Promise<{ busy: ProbeReport; idle: ProbeReport }> {
    const [busy, idle] = await Promise.all([this.busy.stop(), this.idle.stop()]);
    return { busy, idle };
  }
}
