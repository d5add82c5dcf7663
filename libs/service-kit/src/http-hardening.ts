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
  app.use(plainJsonBodyReader(maxBodyBytes, json({ limit: maxBodyBytes })));
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

/** Content types {@link plainJsonBodyReader} reads itself: what JSON clients send; any other spelling goes to body-parser. */
const PLAIN_JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
const DECIMAL = /^\d{1,15}$/;
/** body-parser's strict mode: the first character that is not JSON whitespace must open an object or an array. */
const FIRST_NON_WHITESPACE = /[^\x20\x09\x0a\x0d]/;

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/**
 * A JSON body reader for the common case, in front of body-parser's `json()`
 * (`fallback`), with the same outcome: `req.body` parsed the same way
 * (strict: an object or an array; an empty body is `{}`; a UTF-8 BOM is
 * skipped), or an error with status 400 for the error handler. It reads a
 * body only when the request says `Content-Type: application/json` (with
 * at most `charset=utf-8`), has a `Content-Length` within `limit`, and
 * neither `Content-Encoding` nor `Transfer-Encoding`; everything else (other
 * charsets, compressed or chunked bodies, bodies over the limit: 413) goes
 * to `fallback` untouched. Why: body-parser's general path (content-type
 * parsing, type-is, an iconv decoder, on-finished) cost as much as the
 * authority's whole evaluation on `POST /v1/check`.
 */
export function plainJsonBodyReader(limit: number, fallback: Middleware): Middleware {
  return (req, res, next) => {
    const headers = req.headers;
    const length = headers['content-length'];
    if (
      length === undefined ||
      !PLAIN_JSON_TYPES.has(headers['content-type'] ?? '') ||
      headers['content-encoding'] !== undefined ||
      headers['transfer-encoding'] !== undefined ||
      !DECIMAL.test(length) ||
      Number(length) > limit ||
      req.readableEnded
    ) {
      return fallback(req, res, next);
    }
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      next(error);
    };
    const onData = (chunk: Buffer) => void chunks.push(chunk);
    const onError = () => finish(badRequest('request aborted'));
    const onClose = () => finish(badRequest('request aborted'));
    const onEnd = () => {
      let text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length === 0) {
        req.body = {};
        return finish();
      }
      const first = text[0] === '{' || text[0] === '[' ? text[0] : FIRST_NON_WHITESPACE.exec(text)?.[0];
      if (first !== '{' && first !== '[') return finish(badRequest('strict violation'));
      try {
        req.body = JSON.parse(text);
      } catch {
        return finish(badRequest('invalid JSON'));
      }
      finish();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  };
}

/** An error the error handler of {@link hardenHttp} answers as 400 INVALID_REQUEST (its message is never sent). */
function badRequest(message: string): Error & { status: number } {
  return Object.assign(new Error(message), { status: 400 });
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
