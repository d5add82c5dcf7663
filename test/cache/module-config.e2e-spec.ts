import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthzCacheModule, AuthzConfigError, AuthzService } from '@iam/authz-cache';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { testOptions } from './support/cache-app';
import { StandInAuthority } from '../support/stand-in-authority';

jest.setTimeout(60_000);

describe('AuthzCacheModule configuration', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;

  beforeAll(async () => {
    nats = await startNatsServer();
    authority = await StandInAuthority.start(nats.connectOptions());
  });
  afterAll(async () => {
    await authority?.close();
    await nats?.dispose();
  });

  it('forRootAsync builds the module from an injected config provider', async () => {
    @Injectable()
    class AppConfig {
      readonly natsUrl = nats.url;
    }
    @Module({ providers: [AppConfig], exports: [AppConfig] })
    class ConfigModule {}
    @Module({
      imports: [
        AuthzCacheModule.forRootAsync({
          imports: [ConfigModule],
          inject: [AppConfig],
          useFactory: (config: AppConfig) => testOptions(config.natsUrl, { serviceName: 'merlin' }),
        }),
      ],
    })
    class AppModule {}

    const app = await NestFactory.create(AppModule, { logger: false });
    try {
      await app.init();
      const authz = app.get(AuthzService);
      await waitFor(() => authz.live, { description: 'the subscription to be live' });
      authority.allow('user:ada@example.com', 'models.read', 'projects:1');
      expect((await authz.check('user:ada@example.com', 'models.read', 'projects:1')).allowed).toBe(true);
      expect(authz.stats()).toMatchObject({ service: 'merlin', enabled: true, live: true });
    } finally {
      await app.close();
    }
  });

  it('fails start-up with an error naming the option', async () => {
    @Module({ imports: [AuthzCacheModule.forRoot(testOptions(nats.url, { softTtlMs: 10_000, hardTtlMs: 1_000 }))] })
    class BadModule {}
    const failure = NestFactory.create(BadModule, { logger: false, abortOnError: false });
    await expect(failure).rejects.toBeInstanceOf(AuthzConfigError);
    await expect(failure).rejects.toMatchObject({ option: 'softTtlMs', message: expect.stringContaining('hardTtlMs') });
  });
});
