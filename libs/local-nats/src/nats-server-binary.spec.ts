import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServerBinary } from './nats-server-binary';

describe('findNatsServerBinary', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'find-nats-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers an executable nats-server on PATH', () => {
    const binary = join(dir, 'nats-server');
    writeFileSync(binary, '#!/bin/sh\n');
    chmodSync(binary, 0o755);
    expect(findNatsServerBinary({ PATH: `/nonexistent:${dir}` })).toBe(binary);
  });

  it('skips a nats-server on PATH that is not executable', () => {
    writeFileSync(join(dir, 'nats-server'), '');
    chmodSync(join(dir, 'nats-server'), 0o644);
    expect(findNatsServerBinary({ PATH: dir })).not.toBe(join(dir, 'nats-server'));
  });
});
