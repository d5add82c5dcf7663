import { rmSync } from 'node:fs';
import { PGLITE_TEMPLATE_ENV } from './pglite-template';

/** Runs once after the integration project: removes what global-setup.ts made (the PGlite template directory). */
export default async function globalTeardown(): Promise<void> {
  const template = process.env[PGLITE_TEMPLATE_ENV];
  if (template) rmSync(template, { recursive: true, force: true });
}
