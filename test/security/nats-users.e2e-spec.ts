import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { eventStreamConfig, IAM_EVENTS_STREAM } from '@iam/contracts';
import { NatsRole, NatsTestServer, startNatsServer } from '../support/nats-server';
import { natsErrorKind, rejectionOf } from '../support/nats-errors';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

/*
 * Issue 9, NATS users (docker/nats/auth.conf): one user per service with its
 * own inbox; a service cannot read another user's replies, subscribe to
 * events, publish checkpoints, or delete anybody's consumer.
 */
describe('NATS users of auth.conf', () => {
  let server: NatsTestServer;
  const open: NatsConnection[] = [];

  beforeAll(async () => {
    server = await startNatsServer({ auth: true });
    const nc = await connect(server.connectOptions('authority'));
    try {
      await (await jetstreamManager(nc)).streams.add(eventStreamConfig());
    } finally {
      await nc.close();
    }
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((nc) => nc.close().catch(() => undefined)));
  });
  afterAll(() => server?.dispose());

  async function as(role: NatsRole): Promise<NatsConnection> {
    const nc = await connect(server.connectOptions(role));
    open.push(nc);
    return nc;
  }

  /** Subscribes and returns the server's answer: 'refused' (permissions violation) or 'allowed'. */
  async function trySubscribe(nc: NatsConnection, subject: string): Promise<'refused' | 'allowed'> {
    let refused = false;
    nc.subscribe(subject, {
      callback: (err) => {
        if (err instanceof PermissionViolationError) refused = true;
      },
    });
    await nc.flush();
    // The violation arrives asynchronously after the SUB; a flush round trip later it is there if it ever comes.
    await nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    return refused ? 'refused' : 'allowed';
  }

  it.each<NatsRole>(['turing', 'merlin', 'operator'])("refuses %s other users' reply inboxes and the event subjects", async (role) => {
    expect(await trySubscribe(await as(role), '_INBOX.>')).toBe('refused');
    expect(await trySubscribe(await as(role), '_INBOX_authority.>')).toBe('refused');
    expect(await trySubscribe(await as(role), role === 'turing' ? '_INBOX_merlin.>' : '_INBOX_turing.>')).toBe('refused');
    expect(await trySubscribe(await as(role), 'iam.v1.events.>')).toBe('refused');
    expect(await trySubscribe(await as(role), `_INBOX_${role}.mine`)).toBe('allowed');
  });

  it('lets services hear checkpoints that only the authority may publish', async () => {
    const authority = await as('authority');
    const turing = await as('turing');
    const heard: string[] = [];
    turing.subscribe('iam.v1.checkpoint', {
      callback: (_err, msg) => {
        heard.push(msg.string());
      },
    });
    await turing.flush();
    authority.publish('iam.v1.checkpoint', '{"revision":1}');
    await waitFor(() => heard.length === 1, { description: 'turing to hear the checkpoint' });

    const violations: string[] = [];
    void (async () => {
      for await (const status of turing.status()) if (status.type === 'error' && status.error instanceof PermissionViolationError) violations.push(status.error.subject);
    })();
    turing.publish('iam.v1.checkpoint', '{"revision":999999}');
    await turing.flush();
    await waitFor(() => violations.length > 0, { description: 'the forged checkpoint to be refused' });
    expect(heard).toEqual(['{"revision":1}']);
  });

  it("lets a service create its own consumer but not delete another instance's (or its own)", async () => {
    const merlin = await as('merlin');
    const turing = await as('turing');
    const name = `merlin-consumer-${process.pid}`;
    const created = await (await jetstreamManager(merlin)).consumers.add(IAM_EVENTS_STREAM, {
      name,
      ack_policy: AckPolicy.None,
      inactive_threshold: 30_000_000_000,
    });
    expect(created.name).toBe(name);
    expect(natsErrorKind(await rejectionOf((await jetstreamManager(turing)).consumers.delete(IAM_EVENTS_STREAM, name)))).toBe('permission');
    expect(natsErrorKind(await rejectionOf((await jetstreamManager(merlin)).consumers.delete(IAM_EVENTS_STREAM, name)))).toBe('permission');
    // Still there: the operator may look at it (and clean up).
    const operator = await jetstreamManager(await as('operator'));
    expect((await operator.consumers.info(IAM_EVENTS_STREAM, name)).name).toBe(name);
    expect(await operator.consumers.delete(IAM_EVENTS_STREAM, name)).toBe(true);
  });

  it('answers requests on each user\'s own inbox (request/reply still works with the prefixes)', async () => {
    const authority = await as('authority');
    authority.subscribe('iam.v1.rpc.check', {
      callback: (_err, msg) => {
        msg.respond(`ok ${msg.string()}`);
      },
    });
    await authority.flush();
    for (const role of ['turing', 'merlin'] as const) {
      const reply = await (await as(role)).request('iam.v1.rpc.check', role, { timeout: 5000 });
      expect(reply.string()).toBe(`ok ${role}`);
    }
  });
});
