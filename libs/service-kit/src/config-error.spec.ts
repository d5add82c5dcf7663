import { ConfigError } from './config-error';

describe('ConfigError', () => {
  it('names the variable first, with a stable code', () => {
    const error = new ConfigError('PORT', '"x" is not a port');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID', variable: 'PORT', message: 'PORT: "x" is not a port' });
  });

  it('lets a subclass rename itself and keep the rest', () => {
    class ToolConfigError extends ConfigError {
      override readonly name = 'ToolConfigError';
    }
    const error = new ToolConfigError('HOST', 'empty');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ name: 'ToolConfigError', code: 'CONFIG_INVALID', variable: 'HOST', message: 'HOST: empty' });
    expect(String(error)).toBe('ToolConfigError: HOST: empty');
  });
});
