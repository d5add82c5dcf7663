import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthzCacheModuleOptions } from './config/authz-cache.options';

/**
 * `forRoot(options)` / `forRootAsync({ useFactory, inject, imports })`;
 * the module is global (one cache per app; its AuthzService and guard are
 * available to every module of the app).
 */
export const {
  ConfigurableModuleClass: AuthzCacheConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTHZ_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AuthzCacheModuleOptions>({ moduleName: 'AuthzCache' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
