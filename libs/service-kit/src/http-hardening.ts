import type { INestApplication } from '@nestjs/common';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';

/** Limits of {@link hardenHttp}. */
export interface HttpHardeningOptions {
  /** Largest JSON body, bytes. Default 1 MiB. Larger: 413 PAYLOAD_TOO_LARGE. */
  maxBodyBytes?: number;
  /** Deepest nesting of objects/arrays in a JSON body. Default 32. Deeper: 400 INVALID_REQUEST. */
  maxBodyDepth?: number;
}

/** Defaults of {@link HttpHardeningOptions}. */
export const HTTP_HARDENING_DEFAULTS = { maxBodyBytes: 1024 * 1024, maxBodyDepth: 32 } as const;

/**
 * The HTTP hygiene every service of this project shares, installed before any
 * route: no `X-Powered-By`; JSON bodies parsed with a size limit (413) and a
 * nesting limit (400), both answered with the usual `{code, message, field}`
 * JSON and never with a stack trace (a 10 MB or 5,000-deep body used to reach
 * the validation pipe and end in a 500). Create the app with
 * `{ bodyParser: false }` so Nest's own parser does not run first.
 */
export function hardenHttp(app: INestApplication, options: HttpHardeningOptions = {}): void {
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_HARDENING_DEFAULTS.maxBodyBytes;
  const maxBodyDepth = options.maxBodyDepth ?? HTTP_HARDENING_DEFAULTS.maxBodyDepth;
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  app.use(json({ limit: maxBodyBytes }));
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!error) return next();
    const status = (error as { status?: number }).status ?? 500;
    // Body-parser messages may quote the input (which may hold a token): answer with our own words only.
    if (status === 413) return void res.status(413).json({ code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds ${maxBodyBytes} bytes`, field: '$' });
    if (status >= 400 && status < 500) return void res.status(status).json({ code: 'INVALID_REQUEST', message: 'request body is not valid JSON', field: '$' });
    return next(error);
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (jsonDepthExceeds(req.body, maxBodyDepth)) {
      return void res.status(400).json({ code: 'INVALID_REQUEST', message: `request body nests deeper than ${maxBodyDepth} levels`, field: '$' });
    }
    next();
  });
}

/** Whether `value` nests objects/arrays deeper than `max` (iterative: a deep body cannot overflow the stack here). */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
