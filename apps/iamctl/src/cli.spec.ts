import { runIamctl } from './cli';
import type { CliIo } from './context';

function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    errIsTTY: false,
    env: {},
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
  };
  return io;
}

describe('runIamctl (no I/O: usage paths only)', () => {
  it('prints help with an example per command and exits 0', async () => {
    const io = captureIo();
    expect(await runIamctl(['replay', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('iamctl replay --since 1h --service turing');
    expect(io.stdout).toContain('--from-seq <n>');
  });

  it('lists every command in the top-level help', async () => {
    const io = captureIo();
    expect(await runIamctl(['--help'], io)).toBe(0);
    for (const command of ['stream', 'events', 'replay', 'rebuild', 'cache', 'flush', 'principal', 'grant', 'role', 'token']) {
      expect(io.stdout).toContain(command);
    }
    expect(io.stdout).toContain('Exit codes');
  });

  it.each([
    [['no-such-command']],
    [['replay']],
    [['replay', '--since', '1h', '--from-seq', '3']],
    [['replay', '--since', 'yesterday']],
    [['rebuild']],
    [['flush', '--all']],
    [['flush']],
    [['grant', '--subject', 'sa:ci', '--resource', 'projects:*']],
    [['events', 'tail', '--type', 'no.such.type']],
    [['stream', 'status', '--timeout', 'soon']],
  ])('exits 2 for the usage error %j', async (argv) => {
    const io = captureIo();
    expect(await runIamctl(argv, io)).toBe(2);
    expect(io.stderr).not.toBe('');
  });
});
