import { renderNatsServerConfig } from './nats-server-config';

describe('renderNatsServerConfig', () => {
  const base = { host: '127.0.0.1', port: -1, storeDir: '/tmp/a dir/js', portsFileDir: '/tmp/a dir', serverName: 'n1' };

  it('enables JetStream in the given directory, quoting paths with spaces', () => {
    const config = renderNatsServerConfig(base);
    expect(config).toContain('store_dir: "/tmp/a dir/js"');
    expect(config).toContain('ports_file_dir: "/tmp/a dir"');
    expect(config).toMatch(/^port: -1$/m);
    expect(config).toMatch(/^host: "127.0.0.1"$/m);
  });

  it('includes files by relative name and appends raw configuration last', () => {
    const config = renderNatsServerConfig({ ...base, includes: ['auth.conf'], extra: 'max_payload: 2MB' });
    expect(config).toContain('include "auth.conf"');
    expect(config.trimEnd().endsWith('max_payload: 2MB')).toBe(true);
  });
});
