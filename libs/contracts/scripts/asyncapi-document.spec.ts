import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { CHECKPOINT_SUBJECT, CONTROL_SUBJECTS, EVENT_TYPES, RPC_SUBJECTS, subjectFor } from '../src';
import { renderAsyncApiYaml } from './asyncapi-document';

const COMMITTED = resolve(__dirname, '../../../docs/asyncapi.yaml');
const ERROR = 0; // Spectral's DiagnosticSeverity.Error

describe('docs/asyncapi.yaml', () => {
  const generated = renderAsyncApiYaml();

  it('is what the generator produces from the schemas now (else: npm run docs:asyncapi)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(generated);
  });

  it('is a valid AsyncAPI 3 document with every subject, message and request/reply pair', async () => {
    const { document, diagnostics } = await new Parser().parse(generated);
    expect(diagnostics.filter((d) => d.severity === ERROR).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    if (!document) throw new Error('the parser returned no document');
    expect(document.version()).toBe('3.0.0');

    const addresses = document.channels().all().map((channel) => channel.address());
    const subjects = [...EVENT_TYPES.map(subjectFor), CHECKPOINT_SUBJECT, ...Object.values(RPC_SUBJECTS), ...Object.values(CONTROL_SUBJECTS)];
    expect(addresses).toEqual(expect.arrayContaining(subjects));

    for (const type of EVENT_TYPES) {
      const channel = document.channels().all().find((c) => c.address() === subjectFor(type));
      const [eventMessage] = channel?.messages().all() ?? [];
      expect(eventMessage?.payload()?.allOf()?.length).toBe(2);
    }

    const requestReply = document.operations().all().filter((operation) => operation.action() === 'receive');
    const answered = requestReply.map((operation) => {
      const reply = operation.reply();
      return { subject: operation.channels().all()[0]?.address(), replies: reply?.messages().all().map((m) => m.name()) ?? [] };
    });
    expect(answered).toEqual(
      expect.arrayContaining([
        { subject: RPC_SUBJECTS.check, replies: ['CheckReply'] },
        { subject: RPC_SUBJECTS.resolveIdentity, replies: ['ResolveIdentityReply'] },
        { subject: CONTROL_SUBJECTS.replay, replies: ['ControlProgress', 'ReplayControlReply'] },
        { subject: CONTROL_SUBJECTS.rebuild, replies: ['ControlProgress', 'RebuildControlReply'] },
        { subject: CONTROL_SUBJECTS.stats, replies: ['ControlProgress', 'StatsControlReply'] },
      ]),
    );
    expect(answered).toHaveLength(5);
  });

  it('fails on a document that breaks the AsyncAPI 3 schema (an operation action other than send/receive)', async () => {
    const broken = {
      asyncapi: '3.0.0',
      info: { title: 'broken', version: '1.0.0' },
      channels: { req: { address: 'a.b' }, rep: { address: null } },
      operations: {
        answer: {
          action: 'answer',
          channel: { $ref: '#/channels/req' },
          reply: { channel: { $ref: '#/channels/rep' } },
        },
      },
    };
    const { diagnostics } = await new Parser().parse(broken);
    expect(diagnostics.some((d) => d.severity === ERROR)).toBe(true);
  });
});
