import { ConfigError } from './config-error';
import { httpServiceConfigFromEnv, listeningUrl, ServiceConfigError } from './http-service-config';

describe('httpServiceConfigFromEnv', () => {
  it('uses the defaults when nothing is set', () => {
    expect(httpServiceConfigFromEnv({}, 3001)).toEqual({ port: 3001, host: '127.0.0.1', logLevels: ['fatal', 'error', 'warn', 'log'] });
  });

  it('reads PORT (0 allowed), HOST and LOG_LEVEL', () => {
    expect(httpServiceConfigFromEnv({ PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'warn' }, 3001)).toEqual({
      port: 0,
      host: '0.0.0.0',
      logLevels: ['fatal', 'error', 'warn'],
    });
  });

  it.each(['abc', '-1', '70000', '3.5'])('rejects PORT=%s naming the variable', (value) => {
    expect(() => httpServiceConfigFromEnv({ PORT: value }, 3001)).toThrow(ServiceConfigError);
    expect(() => httpServiceConfigFromEnv({ PORT: value }, 3001)).toThrow(/^PORT: .*0 to 65535/);
  });

  it('throws a ConfigError with the stable code and the variable', () => {
    let thrown: unknown;
    try {
      httpServiceConfigFromEnv({ PORT: 'abc' }, 3001);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ name: 'ServiceConfigError', code: 'CONFIG_INVALID', variable: 'PORT' });
  });

  it('rejects an unknown LOG_LEVEL listing the accepted ones', () => {
    expect(() => httpServiceConfigFromEnv({ LOG_LEVEL: 'loud' }, 3001)).toThrow(/^LOG_LEVEL: .*fatal, error, warn, log, debug, verbose/);
  });
});

describe('listeningUrl', () => {
  it('shows the loopback address for wildcard hosts', () => {
    expect(listeningUrl('0.0.0.0', { port: 4000 })).toBe('http://127.0.0.1:4000');
    expect(listeningUrl('127.0.0.1', { port: 4001 })).toBe('http://127.0.0.1:4001');
    expect(listeningUrl('::1', { port: 4002 })).toBe('http://[::1]:4002');
  });
});
